// The fault suite's client side through the gateway (test/interop/faults/gateway-faults.test.ts):
// the SDK in Deno over WebTransport and WebSocket to a gateway whose gRPC upstream misbehaves on
// purpose (grpc-fault-server.ts). One JSON argument {"url", "certSha256", "webSocketUrl"}; prints
// "GATEWAY_FAULTS_RESULT {...}" with what each case saw, for the Node side to assert.

import { Code, codeToString, createClient, createWebTransportTransport, TripleError, type Transport } from "triple-es";
import { createWebSocketTransport } from "triple-es/websocket";
import { InteropService } from "../../../gen/triple/interop/v1/interop_pb.js";
import { seeded } from "../../../support/seeded.js";

declare const Deno: { args: string[]; exit(code: number): never };
globalThis.addEventListener("unhandledrejection", (e) => e.preventDefault());

const { url, certSha256, webSocketUrl } = JSON.parse(Deno.args[0]!) as { url: string; certSha256: string; webSocketUrl: string };


/** A call's outcome: the messages' seqs, then "ok" or the TripleError's code; anything else is "NOT A TRIPLEERROR". */
async function outcome(it: AsyncIterable<{ seq: number }>): Promise<{ seqs: number[]; end: string; message?: string }> {
  const seqs: number[] = [];
  try {
    for await (const m of it) seqs.push(m.seq);
    return { seqs, end: "ok" };
  } catch (e) {
    if (e instanceof TripleError) return { seqs, end: codeToString(e.code), message: e.rawMessage };
    return { seqs, end: `NOT A TRIPLEERROR: ${String(e)}` };
  }
}

async function run(transport: Transport): Promise<Record<string, unknown>> {
  const c = createClient(InteropService, transport);
  const call = (fault: string, params: Record<string, number> = {}, options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    c.serverStream({ count: 1 }, { ...options, headers: { "x-fault": fault, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`x-fault-${k}`, String(v)])) } });
  const out: Record<string, unknown> = {};

  // Envelopes split at random points (seeds 1–5): every message, in order.
  const split: string[] = [];
  for (let seed = 1; seed <= 5; seed++) {
    const r = await outcome(call("split", { seed, count: 200 }));
    split.push(`${r.end}:${r.seqs.length}:${r.seqs.every((s, i) => s === i)}`);
  }
  out.split = split;

  // Random corruption of prefixes and flags (seeds 1–60): a TripleError or a clean end.
  const corrupt: Record<string, number> = {};
  for (let seed = 1; seed <= 60; seed++) {
    const r = await outcome(call("corrupt", { seed }));
    corrupt[r.end] = (corrupt[r.end] ?? 0) + 1;
  }
  out.corrupt = corrupt;

  out.huge = await outcome(call("huge"));
  out.reset = await outcome(call("reset"));
  const t0 = performance.now();
  out.drip = { ...(await outcome(call("drip", {}, { timeoutMs: 1000 }))), ms: Math.round(performance.now() - t0) };

  // 200 calls aborted at random points (seed 15), one after another; then 200 at once (seed 16),
  // which over Deno's WebTransport runs past a session's stream credit: each Canceled.
  const abortedCall = (rand: () => number) => {
    const ac = new AbortController();
    const after = Math.floor(rand() * 6);
    let n = 0;
    if (after === 0) queueMicrotask(() => ac.abort());
    return outcome(
      (async function* () {
        for await (const m of call("slow", {}, { signal: ac.signal })) {
          yield m;
          if (++n === after) ac.abort();
        }
      })(),
    );
  };
  const tally = (results: Awaited<ReturnType<typeof outcome>>[]) => {
    const byEnd: Record<string, number> = {};
    for (const r of results) {
      const key = r.end === "canceled" ? r.end : `${r.end}: ${r.message}`;
      byEnd[key] = (byEnd[key] ?? 0) + 1;
    }
    return byEnd;
  };
  const one = seeded(15);
  const sequential = [];
  for (let i = 0; i < 200; i++) sequential.push(await abortedCall(one));
  out.aborted = tally(sequential);
  const many = seeded(16);
  out.abortedAtOnce = tally(await Promise.all(Array.from({ length: 200 }, () => abortedCall(many))));
  return out;
}

try {
  const wt = createWebTransportTransport({ url, serverCertificateHashes: [{ algorithm: "sha-256", value: certSha256 }] });
  const webtransport = await run(wt);
  wt.close();
  const ws = createWebSocketTransport({ url: webSocketUrl });
  const websocket = await run(ws);
  ws.close();
  console.log(`GATEWAY_FAULTS_RESULT ${JSON.stringify({ webtransport, websocket })}`);
  Deno.exit(0);
} catch (e) {
  console.error(e instanceof Error ? e.stack : String(e));
  Deno.exit(1);
}
