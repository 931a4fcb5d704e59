// Streaming and flow control inside Deno over HTTP/2 + TLS (Deno's fetch is full duplex there),
// against the real dubbo-js server. Started by test/runtimes/deno-flow.test.ts:
//   deno run --config test/runtimes/deno/flow.json --allow-net=127.0.0.1 --allow-read flow.ts '<json>'
// with {"h2tls": url, "certFile": path}; prints one FLOW_RESULT line: for each scenario, what it
// measured or the error it threw.
//
// The scenarios are test/interop/flow-control-scenarios.ts, shared with the Node and Chromium
// runners; only the bidi slow-consumer scenario (full duplex only, so of no use to Chromium) is
// here. flow.json is deno.json plus "triple-es/observer", which the shared scenarios import.
import { createClient, createFetchTransport } from "triple-es";
import { MAX_BATCH_MESSAGES } from "triple-es/internal";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import {
  batchedBurst,
  bidiLockstep,
  bidiPipelined,
  check,
  manualCredits,
  observerBidiBoth,
  settledStats,
  slowReader,
  tapFetch,
  uniqueId,
  uploadSequence,
  type InteropClient,
} from "../../interop/flow-control-scenarios.js";

declare const Deno: {
  args: string[];
  version: { deno: string };
  readTextFileSync(path: string): string;
  createHttpClient(options: { caCerts: string[] }): { close(): void };
};

export const FLOW_MARKER = "FLOW_RESULT ";

const config = JSON.parse(Deno.args[0]!) as { h2tls: string; certFile: string; only?: string };
// HTTP/2 over TLS: Deno negotiates h2 by ALPN; the client trusts the test server's certificate.
const httpClient = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(config.certFile)] });
const h2Fetch = ((url: string, init?: RequestInit) => fetch(url, { ...init, client: httpClient } as RequestInit)) as typeof fetch;

const { fetch: tappedFetch, tap } = tapFetch(h2Fetch);
const client: InteropClient = createClient(InteropService, createFetchTransport({ baseUrl: config.h2tls, fetch: h2Fetch }));
const tapped: InteropClient = createClient(InteropService, createFetchTransport({ baseUrl: config.h2tls, fetch: tappedFetch }));
const transport = createFetchTransport({ baseUrl: config.h2tls, fetch: h2Fetch });

/**
 * Bidi with a consumer that does not read: the sender loops "while isReady, send" from onReady,
 * the reader reads nothing until both sides have come to rest. The server's echoes fill the
 * HTTP/2 windows and Deno's receive buffers, its writes block, so it stops reading; then the
 * client's request body stops being pulled and `isReady` goes false. Checks: the sender stalled
 * short of the end, the server's producer stopped short of the end, the send queue stayed within
 * the high-water mark plus one message; then every echo arrives in order once the reader reads.
 */
async function bidiSlowConsumer(client: InteropClient, options: { count: number; size: number; highWaterMark: number }) {
  const { count, size, highWaterMark } = options;
  const streamId = uniqueId("bidi-slow");
  const call = client.bidiStream.open({ sendHighWaterMarkBytes: highWaterMark });
  const payload = new Uint8Array(size);
  let sent = 0;
  let notReadyTimes = 0;
  let maxQueued = 0;
  let messageBytes = 0;
  call.onReady(() => {
    while (call.isReady && sent < count) {
      void call.send({ seq: sent, payload, streamId: sent === 0 ? streamId : "" });
      sent++;
      if (messageBytes === 0) messageBytes = call.bufferedAmount;
      maxQueued = Math.max(maxQueued, call.bufferedAmount);
    }
    if (sent >= count) call.close();
    else notReadyTimes++;
  });
  // Both sides at rest: the server's counts stop moving, and so does the client's.
  let stalled = await settledStats(client, streamId);
  for (let i = 0; i < 20; i++) {
    const before = sent;
    stalled = await settledStats(client, streamId);
    if (sent === before) break;
  }
  const sentWhileStalled = sent;
  check(stalled.known, "the server never saw the stream");
  check(stalled.produced < count, `the server echoed all ${count} to a consumer that read nothing`);
  check(sentWhileStalled < count, `the client sent all ${count} although the server had stopped reading`);
  check(!call.isReady, "the send side is still ready while nothing moves");
  const reader = call.responses.getReader();
  let received = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    check(r.value.seq === received, `echo ${received}: got ${r.value.seq}`);
    check(r.value.payload.byteLength === size, `echo ${received}: ${r.value.payload.byteLength} bytes`);
    received++;
  }
  await call.trailer;
  check(received === count, `received ${received} of ${count}`);
  const oneMessage = Math.max(messageBytes, size + 64);
  check(maxQueued <= highWaterMark + oneMessage, `queued ${maxQueued} bytes > high-water mark ${highWaterMark} + one message ${oneMessage}`);
  check(notReadyTimes >= 1, "isReady never went false");
  return {
    count,
    size,
    highWaterMark,
    oneMessage,
    maxQueued,
    notReadyTimes,
    // Messages the server had echoed (and the client not read) when everything stopped.
    producerLead: stalled.produced,
    // Requests the client had sent that the server had not read yet.
    requestsInFlight: sentWhileStalled - stalled.consumed,
    sentWhileStalled,
    serverConsumed: stalled.consumed,
    received,
  };
}

// Sizes: 16 KiB messages where many must move. Deno's fetch (hyper) uploading to Node's HTTP/2
// server takes ~20-40 ms per 32-64 KiB chunk on loopback (raw fetch as much as triple-es), which
// would make 64 KiB variants take half a minute; 16 KiB messages show the same bounds in seconds.
const scenarios: Record<string, () => Promise<unknown>> = {
  "bidi lockstep": () => bidiLockstep(client, 10_000),
  "bidi pipelined": () => bidiPipelined(client, 10_000, 256),
  "bidi slow consumer": () => bidiSlowConsumer(client, { count: 1000, size: 16 * 1024, highWaterMark: 64 * 1024 }),
  "client stream": () => uploadSequence(client, 10_000, 16),
  "slow reader": () => slowReader(client, { count: 400, size: 16 * 1024, highWaterMark: 64 * 1024, readDelayMs: 1 }),
  "manual credits": () => manualCredits(client, { count: 1000, size: 64 * 1024, initialRequest: 5, sampleEvery: 50 }),
  batching: async () => ({ ...(await batchedBurst(tapped, tap, 1000)), cap: MAX_BATCH_MESSAGES }),
  "observer bidi": () => observerBidiBoth(transport),
};

const results: Record<string, { ok: true; value: unknown } | { ok: false; error: string }> = {};
for (const [name, run] of Object.entries(scenarios)) {
  if (config.only !== undefined && name !== config.only) continue;
  const started = performance.now();
  try {
    const value = await run();
    results[name] = { ok: true, value: { ...(value as object), ms: Math.round(performance.now() - started) } };
  } catch (e) {
    results[name] = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
httpClient.close();
console.log(FLOW_MARKER + JSON.stringify({ deno: Deno.version.deno, results }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
