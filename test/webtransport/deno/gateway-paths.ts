// The SDK in Deno through the gateway to a server over each path the gateway offers: WebTransport
// (Deno's WebTransport class, --unstable-net) and WebSocket (Deno's WebSocket). Started by
// test/webtransport/deno-gateway.test.ts with one JSON argument {"url", "certSha256",
// "webSocketUrl", "server"}; prints "GATEWAY_PATHS_RESULT {...}" and exits 0, or throws.

import { Code, TripleError, createWebTransportTransport, type Transport } from "triple-es";
import { createWebSocketTransport } from "triple-es/websocket";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";

declare const Deno: { args: string[]; exit(code: number): never };

// An idle-timeout rejection from a retired session must not end the run (Deno 2.9.6).
globalThis.addEventListener("unhandledrejection", (e) => e.preventDefault());

const { url, certSha256, webSocketUrl, server } = JSON.parse(Deno.args[0]!) as {
  url: string;
  certSha256: string;
  webSocketUrl: string;
  server: string;
};

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`check failed (${server}): ${what}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out: Record<string, unknown> = { server };

async function run(path: string, transport: Transport): Promise<void> {
  const step = (what: string) => console.error(`[${server} ${path}] ${what}`);
  const client = createInteropServiceClient(transport);
  check((await client.unary({ text: path })).text === path, `${path} unary`);

  step("unary ok");
  const seqs: number[] = [];
  for await (const m of client.serverStream({ count: 20 })) seqs.push(m.seq);
  check(seqs.length === 20 && seqs.every((s, i) => s === i), `${path} server stream`);

  step("server stream ok");
  const upload = client.clientStream.open();
  for (let seq = 0; seq < 100; seq++) {
    if (!upload.isReady) await upload.ready;
    void upload.send({ seq });
  }
  upload.close();
  const res = await upload.response;
  check(res.count === 100 && res.inOrder, `${path} client stream ${res.count}`);

  step("client stream ok");
  const t0 = performance.now();
  const chat = client.bidiStream.open();
  const reader = chat.responses.getReader();
  for (let seq = 0; seq < 1000; seq++) {
    void chat.send({ seq });
    check((await reader.read()).value?.seq === seq, `${path} ping-pong ${seq}`);
  }
  chat.close();
  check((await reader.read()).done === true, `${path} ping-pong end`);
  out[`${path}PingPong1000Ms`] = Math.round(performance.now() - t0);

  step("ping-pong ok");
  const err = await client.unary({ error: { code: Code.NotFound, message: "nope" } }).catch((e: unknown) => e);
  check(err instanceof TripleError && err.code === Code.NotFound && err.rawMessage === "nope", `${path} error ${String(err)}`);

  step("error ok");
  const late = await client.unary({ delayMs: 3000 }, { timeoutMs: 200 }).catch((e: unknown) => e);
  check(late instanceof TripleError && late.code === Code.DeadlineExceeded, `${path} deadline ${String(late)}`);

  step("deadline ok");
  const streamId = `deno-${path}-${Date.now()}`;
  const ac = new AbortController();
  let n = 0;
  const cancelled = await (async () => {
    for await (const _ of client.serverStream({ count: 100_000, delayMs: 5, streamId }, { signal: ac.signal })) {
      if (++n === 3) ac.abort();
    }
  })().catch((e: unknown) => e);
  check(cancelled instanceof TripleError && cancelled.code === Code.Canceled, `${path} cancel ${String(cancelled)}`);
  step("cancelled locally");
  let seen = false;
  // Until the handler has seen it: the runner's timeout catches a cancel that never arrives.
  while (!seen) {
    seen = (await client.getStreamStats({ streamId })).cancelled;
    if (!seen) await sleep(50);
  }
}

try {
  const wt = createWebTransportTransport({ url, serverCertificateHashes: [{ algorithm: "sha-256", value: certSha256 }] });
  await run("webtransport", wt);
  wt.close();
  const ws = createWebSocketTransport({ url: webSocketUrl });
  await run("websocket", ws);
  ws.close();
} catch (e) {
  // The rejection handler above would swallow a failed top-level await: fail loudly instead.
  console.error(e instanceof Error ? e.stack : String(e));
  Deno.exit(1);
}

console.log(`GATEWAY_PATHS_RESULT ${JSON.stringify(out)}`);
Deno.exit(0);
