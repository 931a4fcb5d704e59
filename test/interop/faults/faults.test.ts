// The fault suite (issue 15): the public API against a loopback server that misbehaves on purpose.
// Every "random" choice comes from a seeded PRNG, so each run is the same run. Each case asserts
// the behaviour (the code, nothing lost, nothing left open) and records a figure (time to error,
// peak RSS, bytes the server got out, sockets left) in test-results/faults.json for the report;
// the figures are measured, never asserted against the clock.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { constants, createGzip } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, createClient, createFetchTransport, TripleError } from "triple-es";
import { gzip } from "triple-es/gzip";
import { InteropService, ServerStreamResponseSchema, UnaryResponseSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { END_OK, envelope, nextTurn, readRequest, seeded, startFaultServer, streamHead, type FaultServer } from "./fault-server.js";

const figures: Record<string, string | number> = {};
let server: FaultServer;
let metadataRequests = 0;
let gzipBomb: Buffer;
let unhandled = 0;
const onUnhandled = () => void unhandled++;

const message = (seq: number, payload = new Uint8Array(0)) =>
  envelope(0, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq, payload })));

/** Writes `chunk`, waiting for the socket to drain when it asks to; false once the client is gone. */
async function send(res: import("node:http").ServerResponse, chunk: Uint8Array): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.once("drain", done);
      res.once("close", done);
    });
  }
  return !res.destroyed;
}

/** gzip of `bytes` zero bytes, streamed so that the 1 GiB is never in memory at once. */
async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const z = createGzip({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((r) => z.once("end", r));
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += block.byteLength) {
    if (!z.write(block)) await new Promise((r) => z.once("drain", r));
  }
  z.end();
  await done;
  return Buffer.concat(out);
}

function clientFor(fault: string, extra: Record<string, string | number> = {}, options: Partial<Parameters<typeof createFetchTransport>[0]> = {}) {
  const headers: Record<string, string> = { "x-fault": fault };
  for (const [k, v] of Object.entries(extra)) headers[`x-fault-${k}`] = String(v);
  return createClient(InteropService, createFetchTransport({ baseUrl: server.baseUrl, headers, ...options }));
}

/** Runs `fn`, returning the error it rejects with (or undefined) and how long it took. */
async function timed(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const t0 = performance.now();
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  return { error, ms: Math.round(performance.now() - t0) };
}

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  gzipBomb = await gzipOfZeros(1024 * 1024 * 1024);
  server = await startFaultServer({
    async split({ req, res, param }) {
      await readRequest(req);
      const rand = seeded(param("seed"));
      const n = param("count");
      const all = Buffer.concat([...Array.from({ length: n }, (_, seq) => message(seq, new Uint8Array(Math.floor(rand() * 64)))), END_OK]);
      streamHead(res);
      for (let at = 0, writes = 0; at < all.byteLength; writes++) {
        const size = 1 + Math.floor(rand() * 48);
        if (!(await send(res, all.subarray(at, at + size)))) return;
        at += size;
        if (writes % 16 === 0) await nextTurn(); // let the pieces leave as pieces
      }
      res.end();
    },
    async corrupt({ req, res, param }) {
      await readRequest(req);
      const rand = seeded(param("seed"));
      const envelopes = [...Array.from({ length: 10 }, (_, seq) => message(seq, new Uint8Array(8))), Buffer.from(END_OK)];
      const victim = envelopes[Math.floor(rand() * envelopes.length)]!;
      victim[Math.floor(rand() * 5)]! ^= 1 + Math.floor(rand() * 255);
      streamHead(res);
      res.end(Buffer.concat(envelopes));
    },
    async huge({ req, res, gone }) {
      await readRequest(req);
      streamHead(res);
      const prefix = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
      const chunk = Buffer.alloc(16 * 1024, 7);
      let open = await send(res, prefix);
      void gone.then(() => (open = false));
      while (open) open = await send(res, chunk);
    },
    async bomb({ req, res }) {
      await readRequest(req);
      streamHead(res, { "connect-content-encoding": "gzip" });
      res.end(Buffer.concat([envelope(1, gzipBomb), END_OK]));
    },
    async big({ req, res, param }) {
      await readRequest(req);
      const body = toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { payload: new Uint8Array(2 * 1024 * 1024) }));
      const headers: Record<string, string | number> = { "content-type": "application/proto" };
      if (param("length") === 1) headers["content-length"] = body.byteLength;
      res.writeHead(200, headers);
      for (let at = 0; at < body.byteLength; at += 64 * 1024) if (!(await send(res, body.subarray(at, at + 64 * 1024)))) return;
      res.end();
    },
    async drip({ req, res, gone }) {
      await readRequest(req);
      streamHead(res);
      const bytes = message(0, new Uint8Array(1000));
      let open = true;
      void gone.then(() => (open = false));
      for (let i = 0; open && i < bytes.byteLength; i++) {
        res.write(bytes.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async reset({ req, res }) {
      await readRequest(req);
      streamHead(res);
      for (let seq = 0; seq < 10; seq++) await send(res, message(seq));
      res.socket?.resetAndDestroy();
    },
    async endless({ req, res }) {
      await readRequest(req);
      streamHead(res);
      for (let seq = 0; ; seq++) {
        if (!(await send(res, message(seq, new Uint8Array(32))))) return;
        if (seq % 8 === 0) await nextTurn();
      }
    },
    async many({ req, res, param }) {
      await readRequest(req);
      streamHead(res);
      const n = param("count");
      const batch: Buffer[] = [];
      for (let seq = 0; seq < n; seq++) {
        batch.push(message(seq));
        if (batch.length === 512 || seq === n - 1) {
          if (!(await send(res, Buffer.concat(batch.splice(0))))) return;
        }
      }
      res.end(END_OK);
    },
    async metadata({ req, res }) {
      metadataRequests++;
      await readRequest(req);
      res.writeHead(200, { "content-type": "application/proto" }).end();
    },
  });
}, 120_000);

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await server?.close();
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/faults.json", `${JSON.stringify(figures, null, 2)}\n`);
});

describe("fault suite (loopback, seeded)", () => {
  it.each([1, 2, 3])("envelopes split at random points (seed %i): every message, in order", async (seed) => {
    const seqs: number[] = [];
    for await (const r of clientFor("split", { seed, count: 5000 }).serverStream({})) seqs.push(r.seq);
    expect(seqs).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    figures[`split seed ${seed}: messages in order`] = seqs.length;
  });

  it("random corruption of length prefixes and flags (seeds 1–200): a TripleError or a clean end, never another error or a hang", async () => {
    const outcomes: Record<string, number> = {};
    for (let seed = 1; seed <= 200; seed++) {
      const { error } = await timed(async () => {
        for await (const _ of clientFor("corrupt", { seed }).serverStream({})) void _;
      });
      if (error !== undefined && !(error instanceof TripleError)) throw new Error(`seed ${seed}: not a TripleError: ${String(error)}`);
      const key = error === undefined ? "ok" : Code[(error as TripleError).code]!;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    expect(Object.values(outcomes).reduce((a, b) => a + b)).toBe(200);
    figures["corruption outcomes (200 seeds)"] = JSON.stringify(outcomes);
  });

  it("a length of 2^32−1 while the server keeps writing: ResourceExhausted before allocation, body cancelled", async () => {
    const rss0 = process.memoryUsage().rss;
    const { error, ms } = await timed(async () => {
      for await (const _ of clientFor("huge").serverStream({})) void _;
    });
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 20_000 });
    figures["2^32−1 length: time to error ms"] = ms;
    figures["2^32−1 length: bytes the server got out before the cancel"] = server.bytesWritten.get("huge") ?? 0;
    figures["2^32−1 length: RSS growth MiB"] = Math.round((process.memoryUsage().rss - rss0) / 2 ** 20);
  });

  it("a gzip bomb inflating to 1 GiB: ResourceExhausted, memory bounded", async () => {
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const { error, ms } = await timed(async () => {
      for await (const _ of clientFor("bomb", {}, { compression: { accept: [gzip] } }).serverStream({})) void _;
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
    // The bound that matters: nowhere near the 1 GiB it would inflate to (4 MiB readMaxBytes + runtime).
    expect(peak - rss0).toBeLessThan(256 * 2 ** 20);
    figures["gzip bomb: compressed KiB"] = Math.round(gzipBomb.byteLength / 1024);
    figures["gzip bomb: peak RSS growth MiB"] = Math.round((peak - rss0) / 2 ** 20);
    figures["gzip bomb: time to error ms"] = ms;
  });

  it.each([
    ["with", 1],
    ["without", 0],
  ])("a unary response over the read limit %s Content-Length: ResourceExhausted", async (label, length) => {
    const { error, ms } = await timed(() => clientFor("big", { length }, { readMaxBytes: 1024 * 1024 }).unary({}));
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 20_000 });
    figures[`unary over limit ${label} Content-Length: time to error ms`] = ms;
  });

  it("headers then one byte every 200 ms against a 1 s deadline: DeadlineExceeded, the server sees the call end", async () => {
    const { error, ms } = await timed(async () => {
      for await (const _ of clientFor("drip").serverStream({}, { timeoutMs: 1_000 })) void _;
    });
    expect(error).toMatchObject({ code: Code.DeadlineExceeded });
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 20_000 });
    figures["drip vs 1 s deadline: time to error ms"] = ms;
  });

  it("a connection reset mid-stream: Unavailable", async () => {
    let received = 0;
    const { error } = await timed(async () => {
      for await (const _ of clientFor("reset").serverStream({})) received++;
    });
    expect(error).toBeInstanceOf(TripleError);
    expect(error).toMatchObject({ code: Code.Unavailable });
    figures["reset mid-stream: code / messages before it"] = `${Code[(error as TripleError).code]} / ${received} of 10`;
  });

  it("1,000 calls aborted at random points (seed 15): Canceled, nothing left open, no unhandled rejection", async () => {
    const rand = seeded(15);
    const client = clientFor("endless");
    const heap0 = process.memoryUsage().heapUsed;
    const codes: Record<string, number> = {};
    const one = async () => {
      const controller = new AbortController();
      const after = Math.floor(rand() * 40) - 5; // < 0: abort before the first message
      if (after < 0) queueMicrotask(() => controller.abort());
      let n = 0;
      try {
        for await (const _ of client.serverStream({}, { signal: controller.signal })) {
          if (++n >= after) controller.abort();
        }
      } catch (e) {
        const key = e instanceof TripleError ? Code[e.code]! : `not a TripleError: ${String(e)}`;
        codes[key] = (codes[key] ?? 0) + 1;
      }
    };
    for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, one));
    expect(codes).toEqual({ Canceled: 1000 });
    await vi.waitFor(() => expect(server.openResponses).toBe(0), { timeout: 20_000 });
    (globalThis as { gc?: () => void }).gc?.();
    expect(unhandled).toBe(0);
    figures["1,000 aborted: responses left open on the server"] = server.openResponses;
    figures["1,000 aborted: sockets left open (idle keep-alive pool)"] = server.openSockets;
    figures["1,000 aborted: heap growth MiB (no forced GC)"] = Math.round((process.memoryUsage().heapUsed - heap0) / 2 ** 20);
    figures["unhandled rejections"] = unhandled;
  });

  it("100,000 sequence-numbered messages, consumer pausing at random (seed 7): none lost, duplicated or reordered", async () => {
    const rand = seeded(7);
    let expected = 0;
    let pauses = 0;
    for await (const r of clientFor("many", { count: 100_000 }).serverStream({})) {
      if (r.seq !== expected) throw new Error(`message ${expected} expected, got ${r.seq}`);
      expected++;
      const p = rand();
      if (p < 0.0005) {
        pauses++;
        await new Promise((res) => setTimeout(res, Math.floor(rand() * 20)));
      } else if (p < 0.01) {
        pauses++;
        await nextTurn();
      }
    }
    expect(expected).toBe(100_000);
    figures["100,000 messages: delivered in order / consumer pauses"] = `${expected} / ${pauses}`;
  });

  it.each([
    ["CR LF", "a\r\nb"],
    ["LF", "a\nb"],
    ["CR", "a\rb"],
    ["NUL", "a\0b"],
    ["Latin-1", "caf\u00e9"],
    ["non-Latin-1", "\u20ac"],
  ])("metadata with %s is rejected with InvalidArgument before any request is sent", async (_label, value) => {
    const before = metadataRequests;
    const { error } = await timed(() => clientFor("metadata").unary({}, { headers: { "x-bad": value } }));
    expect(error).toBeInstanceOf(TripleError);
    expect(error).toMatchObject({ code: Code.InvalidArgument });
    const { error: streamError } = await timed(async () => {
      for await (const _ of clientFor("metadata").serverStream({}, { headers: { "x-bad": value } })) void _;
    });
    expect(streamError).toMatchObject({ code: Code.InvalidArgument });
    expect(metadataRequests).toBe(before);
    figures["bad metadata: requests that reached the server"] = metadataRequests;
  });
});
