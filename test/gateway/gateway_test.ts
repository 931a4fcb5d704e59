// Gateway tests: a Deno WebTransport client → the gateway (a real `deno run` process) → the real
// dubbo-js server over HTTP/2 + TLS. Requests are hand-written Triple envelopes (JSON and proto).
//
// Run alone:  node_modules/.bin/deno test -A --unstable-net --config gateway/deno.json test/gateway/gateway_test.ts
// (starts the dubbo-js peer itself; `npm run peers` first), or through test/gateway/gateway.test.ts
// under vitest, which passes the shared peer in DUBBO_INFO.

import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  cancelFrame,
  dubboServer,
  endFrame,
  FrameReader,
  type GatewayProc,
  jsonMessage,
  requestHead,
  SERVICE,
  startGatewayProcess,
  text,
} from "./harness.ts";
import { connectWebTransport, hashFromBase64, type WtSession } from "./wt-client.ts";
import { encodeFrame } from "../../gateway/wire.ts";

addEventListener("unhandledrejection", (e) => e.preventDefault());

const dubbo = await dubboServer();
const upstreamArgs = ["--upstream", dubbo.info.h2tls, "--upstream-ca", dubbo.info.certFile];
const gw = await startGatewayProcess([...upstreamArgs, "--dev-cert", "--port", "0"]);
let session: WtSession;
const report: Record<string, unknown> = {};

const opts = { sanitizeOps: false, sanitizeResources: false };
const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ...opts, fn });

test("session opens with the --dev-cert hash", async () => {
  session = await connectWebTransport(gw.url, gw.certSha256);
  assertEquals(session.sessionId, 0);
});

async function call(s: WtSession, method: string, contentType: string, frames: Uint8Array[], opts: { fin?: boolean; headers?: Record<string, string> } = {}) {
  const st = await s.openStream();
  const w = st.writable.getWriter();
  await w.write(concat([requestHead(method, contentType, opts.headers), ...frames]));
  if (opts.fin ?? true) await w.close();
  else w.releaseLock();
  return { reader: new FrameReader(st.readable), writable: st.writable };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function stats(s: WtSession, streamId: string) {
  const { reader } = await call(s, "GetStreamStats", "application/json", [jsonMessage({ streamId })]);
  const head = await reader.head();
  assertEquals(head.status, 200);
  return JSON.parse(text(await reader.rest()));
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  for (;;) {
    const value = await fn();
    if (ok(value) || performance.now() - t0 > ms) return { value, ms: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("unary, JSON: head then the bare body as the upstream sent it", async () => {
  const { reader } = await call(session, "Unary", "application/json", [jsonMessage({ text: "hello" })], {
    headers: { "x-echo-trace": "abc" },
  });
  const head = await reader.head();
  assertEquals(head.v, 1);
  assertEquals(head.status, 200);
  assertEquals(head.headers["content-type"], "application/json");
  assertEquals(head.headers["x-echo-trace"], "abc");
  assertEquals(head.headers["trailer-x-echo-trace"], "abc");
  const body = JSON.parse(text(await reader.rest()));
  assertEquals(body.text, "hello");
  assertEquals(body.requestHeaders["x-echo-trace"], "abc");
});

test("unary, binary proto", async () => {
  // UnaryRequest { text: "hi" } = field 1, length 2
  const { reader } = await call(session, "Unary", "application/proto", [encodeFrame(0, Uint8Array.of(0x0a, 2, 0x68, 0x69))]);
  const head = await reader.head();
  assertEquals([head.status, head.headers["content-type"]], [200, "application/proto"]);
  const body = await reader.rest();
  assertEquals([...body.subarray(0, 4)], [0x0a, 2, 0x68, 0x69]);
});

test("unary error: the upstream's status, error body and metadata pass through", async () => {
  const { reader } = await call(session, "Unary", "application/json", [
    jsonMessage({ error: { code: 7, message: "nope", metadata: { "x-why": "because" } } }),
  ]);
  const head = await reader.head();
  assertEquals(head.status, 403);
  assertEquals(head.headers["x-why"], "because");
  const body = JSON.parse(text(await reader.rest()));
  assertEquals([body.status, body.message], [7, "nope"]);
});

test("unknown method: upstream 404 passes through", async () => {
  const { reader } = await call(session, "Nope", "application/json", [jsonMessage({})]);
  assertEquals((await reader.head()).status, 404);
});

test("server stream: envelopes and the end-of-stream frame, unchanged", async () => {
  const { reader } = await call(session, "ServerStream", "application/connect+json", [
    jsonMessage({ count: 5, size: 3 }),
    endFrame(),
  ], { headers: { "x-echo-k": "v" } });
  const head = await reader.head();
  assertEquals([head.status, head.headers["content-type"]], [200, "application/connect+json"]);
  const seqs: number[] = [];
  for (;;) {
    const f = (await reader.frame())!;
    if (f.flags & 2) {
      assertEquals(f.json(), { metadata: { "x-echo-k": ["v"] } });
      break;
    }
    seqs.push(f.json().seq ?? 0);
  }
  assertEquals(seqs, [0, 1, 2, 3, 4]);
  assertEquals(await reader.frame(), null);
});

test("server stream error mid-stream: the upstream's end-of-stream error", async () => {
  const { reader } = await call(session, "ServerStream", "application/connect+json", [
    jsonMessage({ count: 5, errorAfter: 2, error: { code: 9, message: "stop" } }),
  ]);
  assertEquals((await reader.head()).status, 200);
  assertEquals((await reader.frame())!.flags, 0);
  assertEquals((await reader.frame())!.flags, 0);
  const end = (await reader.frame())!;
  assertEquals(end.flags, 2);
  assertEquals(end.json().error, { status: 9, message: "stop" });
});

test("client stream: 100 messages, FIN as half-close", async () => {
  const frames = Array.from({ length: 100 }, (_, i) => jsonMessage({ seq: i + 1, payload: btoa("xyz") }));
  const { reader } = await call(session, "ClientStream", "application/connect+json", frames);
  assertEquals((await reader.head()).status, 200);
  const res = (await reader.frame())!.json();
  assertEquals([res.count, res.firstSeq, res.lastSeq, res.inOrder, res.bytes], [100, 1, 100, true, "300"]);
  assertEquals((await reader.frame())!.flags, 2);
});

test("bidi: full-duplex ping-pong, 200 messages, each sent after the previous reply", async () => {
  const st = await session.openStream();
  const w = st.writable.getWriter();
  const reader = new FrameReader(st.readable);
  await w.write(requestHead("BidiStream", "application/connect+json"));
  const t0 = performance.now();
  await w.write(jsonMessage({ seq: 0 }));
  const head = await reader.head();
  assertEquals(head.status, 200);
  for (let i = 0; i < 200; i++) {
    const f = (await reader.frame())!;
    assertEquals(f.flags, 0);
    assertEquals(f.json().seq ?? 0, i);
    if (i < 199) await w.write(jsonMessage({ seq: i + 1 }));
  }
  const ms = performance.now() - t0;
  await w.close();
  assertEquals((await reader.frame())!.json(), {});
  assertEquals(await reader.frame(), null);
  report.pingPong200 = `${ms.toFixed(0)} ms (${(ms / 200).toFixed(2)} ms per round trip)`;
});

test("cancel: the client stops reading (STOP_SENDING) → upstream handler cancelled", async () => {
  const id = `stop-${crypto.randomUUID()}`;
  const { reader } = await call(session, "ServerStream", "application/connect+json", [
    jsonMessage({ count: 1000, delayMs: 20, streamId: id }),
  ]);
  await reader.head();
  for (let i = 0; i < 3; i++) await reader.frame();
  await reader.cancel();
  const { value, ms } = await until(() => stats(session, id), (s) => s.cancelled);
  assertEquals([value.cancelled, !!value.finished], [true, false]);
  assert(value.produced < 100, `produced ${value.produced}`);
  report.cancelStopSending = `upstream cancelled after ${ms.toFixed(0)} ms, produced ${value.produced}`;
});

test("cancel: cancel frame on a bidi stream → upstream handler cancelled", async () => {
  const id = `frame-${crypto.randomUUID()}`;
  const st = await session.openStream();
  const w = st.writable.getWriter();
  const reader = new FrameReader(st.readable);
  await w.write(concat([requestHead("BidiStream", "application/connect+json"), jsonMessage({ seq: 1, streamId: id })]));
  await reader.head();
  await reader.frame();
  await w.write(cancelFrame());
  const { value, ms } = await until(() => stats(session, id), (s) => s.cancelled);
  assertEquals([value.cancelled, !!value.finished, value.consumed], [true, false, 1]);
  assertEquals(await reader.frame(), null); // the gateway FINs without an answer
  report.cancelFrame = `upstream cancelled after ${ms.toFixed(0)} ms`;
});

test("cancel: a cancel frame after the half-close (end frame {}) still cancels", async () => {
  const id = `late-${crypto.randomUUID()}`;
  const st = await session.openStream();
  const w = st.writable.getWriter();
  const reader = new FrameReader(st.readable);
  await w.write(concat([
    requestHead("ServerStream", "application/connect+json"),
    jsonMessage({ count: 1000, delayMs: 1000, streamId: id }),
    endFrame(),
  ]));
  await reader.head();
  await reader.frame();
  await w.write(cancelFrame());
  const { value } = await until(() => stats(session, id), (s) => s.cancelled);
  assertEquals(value.cancelled, true);
  // Counted, not timed: the producer waits 1 s between messages, so a cancel that reached it
  // late would have let a second message out.
  assertEquals(value.produced, 1, "messages produced before the cancel reached the handler");
});

test("backpressure: a client that stops reading stops the upstream producer", async () => {
  const id = `bp-${crypto.randomUUID()}`;
  const size = 16 * 1024;
  const { reader } = await call(session, "ServerStream", "application/connect+json", [
    jsonMessage({ count: 2000, size, streamId: id }),
  ]);
  await reader.head();
  for (let i = 0; i < 5; i++) await reader.frame();
  // Stop reading. Meanwhile the same stream is read to its end on a session of its own (so the
  // paused stream's unread bytes cannot hold it up): once that control has all 2,000, the paused
  // producer has had as long as an unhindered one needed to finish. An event, not a clock.
  const controlSession = await connectWebTransport(gw.url, gw.certSha256);
  try {
    const control = await call(controlSession, "ServerStream", "application/connect+json", [jsonMessage({ count: 2000, size })]);
    await control.reader.head();
    let controlMessages = 0;
    for (let f; (f = await control.reader.frame()) && !(f.flags & 2);) controlMessages++;
    assertEquals(controlMessages, 2000, "the control stream's messages");
  } finally {
    controlSession.close();
  }
  const b = await stats(session, id);
  assert(b.produced < 2000, `produced ${b.produced}: nothing held it back`);
  report.backpressure = `paused client (read 5): producer stopped at ${b.produced} messages of ${size} B ` +
    `(≈${((b.produced - 5) * size / 1048576).toFixed(1)} MiB in flight across QUIC, gateway and HTTP/2)`;
  // Resume: everything arrives, in order, then the end-of-stream frame.
  let n = 5;
  for (let f; (f = await reader.frame()) && !(f.flags & 2);) assertEquals(f.json().seq, n++);
  assertEquals(n, 2000);
});

test("500 sequential unary calls on one session (raw streams, FIN)", async () => {
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    const { reader } = await call(session, "Unary", "application/json", [jsonMessage({ text: `n${i}` })]);
    assertEquals((await reader.head()).status, 200);
    assertEquals(JSON.parse(text(await reader.rest())).text, `n${i}`);
  }
  const ms = performance.now() - t0;
  report.sequential500Raw = `${ms.toFixed(0)} ms (${(ms / 500).toFixed(2)} ms per call)`;
});

// --- The client an SDK on Deno has: the WebTransport class (no FIN, no reset) ------------------

async function wtClassSession(): Promise<WebTransport> {
  const wt = new WebTransport(gw.url, {
    serverCertificateHashes: [{ algorithm: "sha-256", value: hashFromBase64(gw.certSha256) }],
  });
  await wt.ready;
  return wt;
}

/** Deno's WebTransport class echoes nothing of the stream header on the client side. */
async function wtClassUnary(wt: WebTransport, textValue: string): Promise<string> {
  const s = await wt.createBidirectionalStream();
  const w = s.writable.getWriter();
  await w.write(concat([requestHead("Unary", "application/json"), jsonMessage({ text: textValue }), endFrame()]));
  w.releaseLock(); // close() would not send FIN on Deno 2.9.6; the end frame is the half-close
  const reader = new FrameReader(s.readable);
  const head = await reader.head();
  assertEquals(head.status, 200);
  return JSON.parse(text(await reader.rest())).text;
}

test("Deno's WebTransport class: unary with the end frame as half-close", async () => {
  const wt = await wtClassSession();
  assertEquals(await wtClassUnary(wt, "via class"), "via class");
  wt.close();
});

test("Deno's WebTransport class: stream credit comes back only through GC (Deno 2.9.6)", async () => {
  // The class never sends FIN or RESET_STREAM, so the gateway's side of each stream stays open
  // until the client's stream objects are garbage-collected; the 101st call finds no credit.
  const wt = await wtClassSession();
  let stalledAt = -1;
  let forcedGcs = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    for (;;) {
      try {
        assertEquals(await wtClassUnary(wt, `c${i}`), `c${i}`);
        break;
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // "maximum number of concurrent outgoing bidirectional streams"
        if (stalledAt < 0) stalledAt = i;
        if (!gc) break;
        gc();
        forcedGcs++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (stalledAt >= 0 && !gc) break;
  }
  const ms = performance.now() - t0;
  assert(stalledAt === -1 || stalledAt >= 99, `stalled after ${stalledAt} calls`);
  report.sequential500Class = gc
    ? `500 calls in ${ms.toFixed(0)} ms; no credit after ${stalledAt} calls, ${forcedGcs} forced GCs`
    : `no credit after ${stalledAt} calls (run with --v8-flags=--expose-gc to continue)`;
  wt.close();
});

test("Deno's WebTransport class: bidi cancel with a cancel frame", async () => {
  const wt = await wtClassSession();
  const id = `cls-${crypto.randomUUID()}`;
  const s = await wt.createBidirectionalStream();
  const w = s.writable.getWriter();
  const reader = new FrameReader(s.readable);
  await w.write(concat([requestHead("BidiStream", "application/connect+json"), jsonMessage({ seq: 1, streamId: id })]));
  await reader.head();
  await reader.frame();
  await w.write(cancelFrame());
  const { value } = await until(() => stats(session, id), (s) => s.cancelled);
  assertEquals(value.cancelled, true);
  wt.close();
});

// --- Mapping errors and limits --------------------------------------------------------------

test("bad head: unsupported version → 505 with an unimplemented error body", async () => {
  const st = await session.openStream();
  const w = st.writable.getWriter();
  await w.write(requestHead("Unary", "application/json", {}, { v: 3 }));
  await w.close();
  const reader = new FrameReader(st.readable);
  const head = await reader.head();
  assertEquals([head.status, head.headers["content-type"]], [505, "application/json"]);
  const body = JSON.parse(text(await reader.rest()));
  assertEquals(body.code, "unimplemented");
  assertMatch(body.message, /^gateway: unsupported mapping version 3/);
});

test("mapping v2: the head's body says unary or stream, and the answer comes in v2", async () => {
  const st = await session.openStream();
  const w = st.writable.getWriter();
  await w.write(concat([requestHead("Unary", "application/json", {}, { v: 2, body: "message" }), jsonMessage({ text: "v2" }), endFrame()]));
  await w.close();
  const reader = new FrameReader(st.readable);
  const head = await reader.head();
  assertEquals([head.v, head.status], [2, 200]);
  assertEquals(JSON.parse(text(await reader.rest())).text, "v2");
});

test("mapping v2: a head without body is refused with 400", async () => {
  const st = await session.openStream();
  const w = st.writable.getWriter();
  await w.write(requestHead("Unary", "application/json", {}, { v: 2 }));
  await w.close();
  const reader = new FrameReader(st.readable);
  const head = await reader.head();
  assertEquals(head.status, 400);
  assertMatch(JSON.parse(text(await reader.rest())).message, /"body" must be "message" or "envelopes"/);
});

let limited: GatewayProc;
let limitedSession: WtSession;
test("limits: start a gateway with small limits", async () => {
  limited = await startGatewayProcess([
    ...upstreamArgs, "--cert", dubbo.info.certFile, "--key", dubbo.info.keyFile, "--port", "0",
    "--max-head-bytes", "512", "--max-message-bytes", "65536", "--max-streams", "4",
  ]);
  assertEquals(limited.certSha256, dubbo.info.certSha256);
  limitedSession = await connectWebTransport(limited.url, limited.certSha256);
});

test("limits: head larger than --max-head-bytes → 431 resource_exhausted", async () => {
  const { reader } = await call(limitedSession, "Unary", "application/json", [], { headers: { "x-big": "x".repeat(600) } });
  const head = await reader.head();
  assertEquals(head.status, 431);
  assertEquals(JSON.parse(text(await reader.rest())).code, "resource_exhausted");
});

test("limits: request message too large before any response → 413", async () => {
  const { reader } = await call(limitedSession, "ClientStream", "application/connect+json", [
    jsonMessage({ seq: 1, payload: btoa("x".repeat(70_000)) }),
  ]);
  assertEquals((await reader.head()).status, 413);
  assertEquals(JSON.parse(text(await reader.rest())).code, "resource_exhausted");
});

test("limits: response message too large mid-stream → end-of-stream resource_exhausted", async () => {
  const id = `big-${crypto.randomUUID()}`;
  const { reader } = await call(limitedSession, "ServerStream", "application/connect+json", [
    jsonMessage({ count: 3, size: 100_000, streamId: id }),
  ]);
  assertEquals((await reader.head()).status, 200);
  const end = (await reader.frame())!;
  assertEquals(end.flags, 2);
  assertEquals(end.json().error.code, "resource_exhausted");
  assertEquals(await reader.frame(), null);
});

test("limits: --max-streams 4 → the fifth concurrent stream waits for credit", async () => {
  const open = [];
  for (let i = 0; i < 4; i++) {
    const st = await limitedSession.openStream();
    const w = st.writable.getWriter();
    await w.write(concat([requestHead("BidiStream", "application/connect+json"), jsonMessage({ seq: 1 })]));
    const reader = new FrameReader(st.readable);
    await reader.head();
    await reader.frame();
    open.push({ w, reader });
  }
  let fifth = false;
  const p = limitedSession.openStream().then((s) => {
    fifth = true;
    return s;
  });
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(fifth, false);
  await open[0]!.w.close();
  await open[0]!.reader.rest();
  await p;
  assertEquals(fifth, true);
  for (const o of open.slice(1)) {
    await o.w.close();
    await o.reader.rest();
  }
});

test("upstream unreachable → 503 unavailable naming the upstream", async () => {
  // a port nobody listens on: bind, learn the port, close
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const g = await startGatewayProcess(["--upstream", `https://127.0.0.1:${port}`, "--dev-cert", "--port", "0"]);
  try {
    const s = await connectWebTransport(g.url, g.certSha256);
    const { reader } = await call(s, "Unary", "application/json", [jsonMessage({})]);
    const head = await reader.head();
    assertEquals(head.status, 503);
    const body = JSON.parse(text(await reader.rest()));
    assertEquals(body.code, "unavailable");
    assertMatch(body.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    s.close();
  } finally {
    await g.kill();
  }
});

// --- The gateway going away mid-stream -------------------------------------------------------

test("gateway SIGTERM mid-stream → end-of-stream unavailable, at once", async () => {
  const g = await startGatewayProcess([...upstreamArgs, "--dev-cert", "--port", "0"]);
  const s = await connectWebTransport(g.url, g.certSha256);
  const { reader } = await call(s, "ServerStream", "application/connect+json", [jsonMessage({ count: 100, delayMs: 200 })]);
  await reader.head();
  await reader.frame();
  const t0 = performance.now();
  const status = g.kill("SIGTERM");
  const end = (await reader.frame())!;
  const ms = performance.now() - t0;
  assertEquals(end.flags, 2);
  assertEquals(end.json().error.code, "unavailable");
  assertEquals((await status).code, 0);
  report.sigtermMidStream = `end-of-stream unavailable after ${ms.toFixed(0)} ms`;
});

test("gateway SIGKILL mid-stream → the read fails at the idle timeout; a restarted gateway serves a new session", async () => {
  const certArgs = ["--cert", dubbo.info.certFile, "--key", dubbo.info.keyFile];
  const g = await startGatewayProcess([...upstreamArgs, ...certArgs, "--port", "0", "--idle-timeout-ms", "3000"]);
  const s = await connectWebTransport(g.url, g.certSha256, { maxIdleTimeout: 30_000 });
  const { reader } = await call(s, "ServerStream", "application/connect+json", [jsonMessage({ count: 100, delayMs: 100 })]);
  await reader.head();
  await reader.frame();
  const t0 = performance.now();
  await g.kill("SIGKILL");
  let failure = "";
  try {
    while (await reader.frame()) { /* messages already in flight */ }
    failure = "clean end (unexpected)";
  } catch (e) {
    failure = (e as Error).message;
  }
  const ms = performance.now() - t0;
  assertMatch(failure, /timed out|closed|lost|reset/i);
  report.sigkillMidStream = `read failed after ${ms.toFixed(0)} ms with "${failure}" (gateway --idle-timeout-ms 3000)`;
  // Same port and certificate: a new session works (what the SDK's reconnect will do).
  const g2 = await startGatewayProcess([...upstreamArgs, ...certArgs, "--port", String(g.port)]);
  try {
    const s2 = await connectWebTransport(g2.url, g2.certSha256);
    const r2 = await call(s2, "Unary", "application/json", [jsonMessage({ text: "again" })]);
    assertEquals((await r2.reader.head()).status, 200);
    s2.close();
  } finally {
    await g2.kill();
  }
});

test("one log line per call", () => {
  const calls = gw.stderr.filter((l) => / call s\d+\//.test(l));
  assert(calls.length >= 1000, `only ${calls.length} call lines`);
  // res counts messages, not the end-of-stream frame.
  const sample = calls.find((l) => l.includes("/BidiStream") && l.includes(" ok "));
  assertMatch(sample ?? "", /call s\d+\/\d+ \/triple\.interop\.v1\.InteropService\/BidiStream status=200 ok [\d.]+ms req=200msg\/\d+B res=200msg\/\d+B/);
  const cancelled = calls.filter((l) => l.includes("canceled (")).length;
  assert(cancelled >= 3, `${cancelled} cancelled lines`);
  return Promise.resolve();
});

test("teardown", async () => {
  session?.close();
  limitedSession?.close();
  await limited?.kill();
  await gw.kill();
  await dubbo.stop();
  console.log(`GATEWAY_REPORT ${JSON.stringify(report)}`);
});

void SERVICE;
