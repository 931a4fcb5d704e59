// The SDK's WebTransport transport inside Deno (its own WebTransport class, --unstable-net) →
// the gateway → dubbo-js. Started by test/webtransport/deno.test.ts with one JSON argument
// {"url", "certSha256"}; prints one line "WT_DENO_RESULT {...}" and exits 0, or throws.
//
// Deno 2.9.6's WebTransport sends neither FIN nor RESET_STREAM/STOP_SENDING and releases streams
// only on GC: the transport's end frame is the half-close, its cancel frame the cancel, and a
// session out of stream credit (RangeError) is replaced by a fresh one.

import { Code, TripleError, createWebTransportTransport } from "triple-es";
import { json } from "triple-es/json";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";

declare const Deno: { args: string[]; version: { deno: string }; exit(code: number): never };

// An idle-timeout rejection from a retired session must not end the run (Deno 2.9.6).
globalThis.addEventListener("unhandledrejection", (e) => e.preventDefault());

const { url, certSha256 } = JSON.parse(Deno.args[0]!) as { url: string; certSha256: string };
const serverCertificateHashes = [{ algorithm: "sha-256", value: certSha256 }];
const binary = createWebTransportTransport({ url, serverCertificateHashes });
const client = createInteropServiceClient(binary);
const jsonClient = createInteropServiceClient(createWebTransportTransport({ url, serverCertificateHashes, format: json() }));

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`check failed: ${what}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out: Record<string, unknown> = { deno: Deno.version.deno };

// Unary, both formats.
check((await client.unary({ text: "deno" })).text === "deno", "unary binary");
check((await jsonClient.unary({ text: "deno json" })).text === "deno json", "unary json");

// Server stream and its trailer.
{
  const seqs: number[] = [];
  let trailer: Headers | undefined;
  for await (const m of client.serverStream({ count: 20 }, { headers: { "x-echo-d": "1" }, onTrailer: (t) => (trailer = t) })) seqs.push(m.seq);
  check(seqs.length === 20 && seqs.every((s, i) => s === i), "server stream order");
  check(trailer?.get("x-echo-d") === "1", "server stream trailer");
}

// Client stream: the end frame is the half-close (Deno's close() sends no FIN).
{
  const call = client.clientStream.open();
  for (let seq = 0; seq < 100; seq++) {
    if (!call.isReady) await call.ready;
    void call.send({ seq });
  }
  call.close();
  const res = await call.response;
  check(res.count === 100 && res.inOrder, `client stream ${res.count} inOrder=${res.inOrder}`);
}

// Full-duplex ping-pong.
{
  const t0 = performance.now();
  const call = jsonClient.bidiStream.open();
  const reader = call.responses.getReader();
  for (let seq = 0; seq < 100; seq++) {
    void call.send({ seq });
    check((await reader.read()).value?.seq === seq, `ping-pong ${seq}`);
  }
  call.close();
  check((await reader.read()).done === true, "ping-pong end");
  out.pingPong100Ms = Math.round(performance.now() - t0);
}

// Errors with code and metadata.
{
  const err = await client.unary({ error: { code: Code.NotFound, message: "nope", metadata: { "x-e": "1" } } }).catch((e: unknown) => e);
  check(err instanceof TripleError && err.code === Code.NotFound && err.metadata.get("x-e") === "1", `unary error ${String(err)}`);
}

// Cancel: Deno's abort() sends nothing on the wire; the cancel frame reaches the gateway.
{
  const streamId = `deno-cancel-${Date.now()}`;
  const ac = new AbortController();
  let n = 0;
  const err = await (async () => {
    for await (const _ of client.serverStream({ count: 1000, delayMs: 20, streamId }, { signal: ac.signal })) {
      if (++n === 3) ac.abort();
    }
  })().catch((e: unknown) => e);
  check(err instanceof TripleError && err.code === Code.Canceled, `cancel: ${String(err)}`);
  let cancelled = false;
  // Up to 30 s (a hang-catcher; the handler usually sees the cancel within a poll or two).
  for (let i = 0; i < 600 && !cancelled; i++) {
    cancelled = (await client.getStreamStats({ streamId })).cancelled;
    if (!cancelled) await sleep(50);
  }
  check(cancelled, "the upstream handler saw the cancel");
}

// Deadline.
{
  const err = await client.unary({ delayMs: 3000 }, { timeoutMs: 150 }).catch((e: unknown) => e);
  check(err instanceof TripleError && err.code === Code.DeadlineExceeded, `deadline: ${String(err)}`);
}

// 250 sequential calls: past Deno's ~100 leaked streams per session, the transport moves on.
{
  const t0 = performance.now();
  for (let i = 0; i < 250; i++) check((await client.unary({ text: `s${i}` })).text === `s${i}`, `sequential ${i}`);
  out.sequential250Ms = Math.round(performance.now() - t0);
  out.sessionsOpened = binary.sessionsOpened;
  check(binary.sessionsOpened >= 2, "a fresh session after the stream credit ran out");
}

console.log(`WT_DENO_RESULT ${JSON.stringify(out)}`);
Deno.exit(0);
