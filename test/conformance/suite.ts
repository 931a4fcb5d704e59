// The conformance suite: what triple-es must do in every runtime, written once against the
// public API and run inside Node, Deno, Bun, workerd and Chromium against the real dubbo-js
// server (test/peers/dubbo), over fetch (HTTP/1.1, HTTP/2) and over WebTransport through the
// gateway (gateway/). No test-framework imports: see ./harness.ts.
//
// Every combination in the runtime's capability file becomes cases: a supported one must work,
// an unsupported one must fail with the exact code and message the capability file states.

import { createRegistry } from "@bufbuild/protobuf";
import {
  appendBinaryHeader,
  Code,
  codeToString,
  createClient,
  createFetchTransport,
  createWebTransportTransport,
  getBinaryHeader,
  TripleError,
  type Transport,
  type TransportOptions,
  type WebTransportTransport,
} from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { createWebSocketTransport } from "triple-es/websocket";
import { ErrorDetailSchema, InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import {
  transportLabels,
  type FetchTransportName,
  type RuntimeCapabilities,
  type TransportName,
  type Unsupported,
} from "./capabilities.js";
import { collect, deadlineMidStream, expectUnsupported, streamError, tripleError } from "./calls.js";
import { GROWING_DEADLINE_CASE_MS } from "../support/growing-deadline.js";
import { assert, rejection, sleep, Suite, type StepReporter } from "./harness.js";
import { unboundedReadAhead } from "./read-ahead.js";
import { addGatewayServerCases, type ServerGateway } from "./gateway-servers.js";
import { addServerCases } from "./servers.js";

/** Where one fetch transport of the test server is, and the fetch that reaches it from this runtime. */
export interface Endpoint {
  readonly baseUrl: string;
  /** For TLS with the test certificate (Deno's createHttpClient, undici's Agent); default: global fetch. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The WebTransport gateway in front of the test server's HTTP/2 + TLS listener. */
export interface GatewayEndpoint {
  /** e.g. https://127.0.0.1:PORT/ */
  readonly url: string;
  /** base64 SHA-256 of the gateway's development certificate, for serverCertificateHashes. */
  readonly certSha256: string;
}

/** The gateway's WebSocket downstream (--ws-port) in front of the test server. */
export interface WebSocketEndpoint {
  /** e.g. ws://127.0.0.1:PORT/ */
  readonly webSocketUrl: string;
}

export interface Endpoints {
  readonly h1?: Endpoint;
  readonly h2?: Endpoint;
  readonly wt?: GatewayEndpoint;
  readonly ws?: WebSocketEndpoint;
  /** The Dubbo Java and dubbo-go peers, over HTTP/1.1 (./servers.ts). */
  readonly java?: Endpoint;
  readonly go?: Endpoint;
  /** Gateways in front of the Java and Go peers, speaking gRPC to them (./gateway-servers.ts). */
  readonly gateways?: Partial<Record<"java" | "go", ServerGateway>>;
}

/** What a case may change about its transport. */
type TransportTweaks = Omit<TransportOptions, "baseUrl">;

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

/** Builds the suite for one runtime. */
export function conformanceSuite(caps: RuntimeCapabilities, endpoints: Endpoints): Suite {
  const suite = new Suite();
  const runId = Math.random().toString(36).slice(2, 10);
  let nextId = 0;
  const streamId = (name: string) => `${caps.runtime}-${runId}-${name}-${nextId++}`;

  // Every WebTransport or WebSocket transport holds a session (opened by its first call): closed at the end.
  const sessions: { close(reason?: string): void }[] = [];
  suite.afterAll(() => sessions.forEach((s) => s.close("conformance suite done")));
  const newTransport = (endpoint: Endpoint | GatewayEndpoint | WebSocketEndpoint, options: TransportTweaks): Transport => {
    if ("baseUrl" in endpoint) {
      return createFetchTransport({ baseUrl: endpoint.baseUrl, ...(endpoint.fetch ? { fetch: endpoint.fetch } : {}), ...options });
    }
    if ("webSocketUrl" in endpoint) {
      const transport = createWebSocketTransport({ url: endpoint.webSocketUrl, ...options });
      sessions.push(transport);
      return transport;
    }
    const transport = createWebTransportTransport({
      url: endpoint.url,
      serverCertificateHashes: [{ algorithm: "sha-256", value: endpoint.certSha256 }],
      ...options,
    });
    sessions.push(transport);
    return transport;
  };

  // A transport the runtime's fetch cannot speak: over TLS it must fall back to HTTP/1.1 (the test
  // server accepts both by ALPN), so the user gets a working HTTP/1.1 connection, not an error.
  for (const [name, why] of Object.entries(caps.unavailable ?? {}) as [FetchTransportName, string][]) {
    suite.test(`${name} › unavailable (${why}): TLS falls back to HTTP/1.1`, async () => {
      const endpoint = endpoints[name];
      if (endpoint === undefined) assert.fail(`the runner gave no endpoint for ${name}`);
      const transport = createFetchTransport({ baseUrl: endpoint.baseUrl, ...(endpoint.fetch ? { fetch: endpoint.fetch } : {}) });
      const res = await createClient(InteropService, transport).unary({});
      assert.ok("host" in res.requestHeaders, "the server saw HTTP/1.1 (a Host header)");
    });
  }

  for (const [name, transportCaps] of Object.entries(caps.transports) as [TransportName, typeof caps.transports.h1][]) {
    if (transportCaps === undefined) continue;
    const endpoint = endpoints[name];
    const t = (caseName: string, fn: (step: StepReporter) => Promise<void | string>, timeoutMs?: number) =>
      suite.test(`${name} › ${caseName}`, fn, timeoutMs);
    if (endpoint === undefined) {
      t("endpoint", async () => assert.fail(`the runner gave no endpoint for ${name}`));
      continue;
    }
    const client = (options: TransportTweaks = {}, clientOptions: { version?: string; group?: string } = {}) =>
      createClient(InteropService, newTransport(endpoint, options), clientOptions);
    // One client for the server's observations: over WebTransport it keeps one session.
    const statsClient = client();
    const stats = (id: string) => statsClient.getStreamStats({ streamId: id });
    /**
     * Polls the server's record of a stream until `until` holds or `withinMs` pass (a hang-catcher
     * below the case's 30 s: a loaded machine took over 3 s for a cancel to reach the server).
     */
    const statsUntil = async (id: string, until: (s: Awaited<ReturnType<typeof stats>>) => boolean, withinMs = 25_000) => {
      const end = Date.now() + withinMs;
      let s = await stats(id);
      while (!until(s) && Date.now() < end) {
        await sleep(50);
        s = await stats(id);
      }
      return s;
    };

    // ---------------------------------------------------------------------------------------
    // The transport itself

    if (transportCaps.unary.supported) {
      t(`speaks ${transportLabels[name]}`, async () => {
        const res = await client().unary({});
        // dubbo-node shows HTTP/1.1's Host header; HTTP/2 carries :authority instead. The gateway
        // calls the server over HTTP/2.
        const seen = "host" in res.requestHeaders ? "HTTP/1.1" : "HTTP/2";
        assert.equal(seen, name === "h1" ? "HTTP/1.1" : "HTTP/2", "HTTP version the server saw");
        return `user-agent: ${res.requestHeaders["user-agent"] ?? "(none)"}`;
      });
    }
    if (name === "wt" && transportCaps.unary.supported && "url" in endpoint) {
      // Deno's WebTransport frees a stream only on GC: its sessions run out of stream credit after
      // 100-300 calls, and the transport must go on with a fresh session, losing no call.
      // 60 s: only a hang is caught (250 calls take 1–5 s; a loaded machine took over 15 s once).
      t(
        "250 sequential calls on one transport",
        async (step) => {
          const transport = newTransport(endpoint, {}) as WebTransportTransport;
          const c = createClient(InteropService, transport);
          const started = Date.now();
          let slowest = { i: 0, ms: 0 };
          for (let i = 0; i < 250; i++) {
            step(`call ${i} (session ${transport.sessionsOpened})`);
            const t0 = Date.now();
            assert.equal((await c.unary({ text: `s${i}` })).text, `s${i}`, `call ${i}`);
            if (Date.now() - t0 > slowest.ms) slowest = { i, ms: Date.now() - t0 };
          }
          return `sessions opened: ${transport.sessionsOpened}; ${Date.now() - started} ms in all, slowest call #${slowest.i} ${slowest.ms} ms`;
        },
        60_000,
      );
    }

    // ---------------------------------------------------------------------------------------
    // Unary

    const unaryCaps = transportCaps.unary;
    if (!unaryCaps.supported) {
      t("unary: unsupported", () => expectUnsupported(client().unary({}), unaryCaps));
    } else {
      for (const [formatName, format] of formats) {
        const c = client(format ? { format } : {});
        t(`unary ${formatName}: round-trips a message`, async () => {
          const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
          const res = await c.unary({ text: "héllo ✓", payload });
          assert.equal(res.text, "héllo ✓");
          assert.deepEqual(Array.from(res.payload), Array.from(payload), "payload");
          assert.equal(res.servedBy, "default");
          assert.equal(res.requestHeaders["content-type"], `application/${formatName === "binary" ? "proto" : "json"}`);
        });
        t(`unary ${formatName}: error with code, message and metadata`, async () => {
          const err = await tripleError(
            c.unary({ error: { code: Code.PermissionDenied, message: "no entry", metadata: { "x-why": "locked" } } }),
          );
          assert.equal(err.code, Code.PermissionDenied, "code");
          assert.equal(err.rawMessage, "no entry");
          assert.equal(err.message, "[permission_denied] no entry");
          assert.equal(err.metadata.get("x-why"), "locked", "error metadata");
        });
      }
      const c = client();
      // A code the runtime cannot deliver (capability file: codesLost) must arrive as it states.
      const lost = new Map((transportCaps.codesLost ?? []).map((l) => [l.code as number, l]));
      t(`unary: every status code 1..16 arrives as itself${lost.size > 0 ? ", but for the codes the runtime loses" : ""}`, async () => {
        const codes = await Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            const err = await tripleError(c.unary({ error: { code: i + 1, message: `c${i + 1}` } }));
            if (!lost.has(i + 1)) assert.equal(err.rawMessage, `c${i + 1}`);
            return err.code;
          }),
        );
        assert.deepEqual(codes, Array.from({ length: 16 }, (_, i) => lost.get(i + 1)?.arrivesAs ?? i + 1), "codes");
        if (lost.size > 0) return [...lost.values()].map((l) => `${codeToString(l.code)} arrives as ${codeToString(l.arrivesAs)}: ${l.why}`).join("; ");
      });
      t("unary: error details decode by schema and by registry", async () => {
        const err = await tripleError(c.unary({ error: { code: Code.FailedPrecondition, message: "m", detailReason: "quota" } }));
        assert.equal(err.details.length, 1, "details");
        assert.equal(err.details[0]!.type, "triple.interop.v1.ErrorDetail");
        const [d] = err.findDetails(ErrorDetailSchema);
        assert.equal(d?.reason, "quota");
        assert.equal(d?.retryAfterMs, 250);
        assert.equal(err.findDetails(createRegistry(ErrorDetailSchema)).length, 1, "by registry");
      });
      t("unary: request headers, response headers and trailers, -bin values", async () => {
        const headers = new Headers({ "x-echo-plain": "v 1", "x-other": "o" });
        const bin = Uint8Array.of(0, 1, 2, 250, 255);
        appendBinaryHeader(headers, "x-echo-data-bin", bin);
        let header: Headers | undefined;
        let trailer: Headers | undefined;
        const res = await c.unary({}, { headers, onHeader: (h) => (header = h), onTrailer: (tr) => (trailer = tr) });
        assert.equal(res.requestHeaders["x-other"], "o");
        assert.equal(res.requestHeaders["tri-protocol-version"], "1.0.0");
        assert.equal(header?.get("x-echo-plain"), "v 1", "response header");
        assert.equal(trailer?.get("x-echo-plain"), "v 1", "trailer");
        assert.equal(header?.has("trailer-x-echo-plain"), false, "trailer- prefix stays hidden");
        assert.deepEqual(Array.from(getBinaryHeader(trailer!, "x-echo-data-bin") ?? []), Array.from(bin), "-bin trailer");
      });
      t("unary: routes by version and group; a miss is Unimplemented", async () => {
        assert.equal((await client({}, { version: "2.0.0", group: "blue" }).unary({})).servedBy, "2.0.0/blue");
        const err = await tripleError(client({}, { version: "9.9.9", group: "none" }).unary({}));
        assert.equal(err.code, Code.Unimplemented, "code");
        assert.includes(err.message, "HTTP 404");
      });
      t("unary: gzip request and response", async () => {
        const gz = client({ compression: { accept: [gzip], send: gzip } });
        const payload = new Uint8Array(48 * 1024).fill(7);
        const res = await gz.unary({ payload, text: "gz" });
        assert.equal(res.payload.byteLength, payload.byteLength, "payload size");
        assert.equal(res.payload[1000], 7);
        assert.equal(res.requestHeaders["content-encoding"], "gzip", "request was compressed");
      });
      t("unary: sends the deadline to the server", async () => {
        const res = await c.unary({}, { timeoutMs: 5000 });
        assert.atLeast(res.timeoutMs, 3000, "server-side deadline");
        assert.atMost(res.timeoutMs, 5000, "server-side deadline");
      });
      t("unary: DeadlineExceeded when the server is slower than the deadline", async () => {
        // No clock: had the call waited for the server, it would have ended with its answer (OK).
        const err = await tripleError(c.unary({ delayMs: 5000 }, { timeoutMs: 200 }));
        assert.equal(err.code, Code.DeadlineExceeded, "code");
      });
      t("unary: Canceled when the caller aborts", async () => {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 100);
        // Canceled, not the server's OK after its 5 s: the abort ended the call, whatever the clock says.
        const err = await tripleError(c.unary({ delayMs: 5000 }, { signal: ac.signal }));
        assert.equal(err.code, Code.Canceled, "code");
      });
      t("unary: a response over readMaxBytes is ResourceExhausted", async () => {
        const err = await tripleError(client({ readMaxBytes: 1000 }).unary({ payload: new Uint8Array(5000) }));
        assert.equal(err.code, Code.ResourceExhausted, "code");
      });
    }

    // ---------------------------------------------------------------------------------------
    // Server stream

    const ssCaps = transportCaps.serverStream;
    if (!ssCaps.supported) {
      t("server stream: unsupported", () => expectUnsupported(collect(client().serverStream({ count: 1 })), ssCaps));
    } else {
      for (const [formatName, format] of formats) {
        const c = client(format ? { format } : {});
        t(`server stream ${formatName}: delivers every message in order`, async () => {
          const msgs = await collect(c.serverStream({ count: 50, size: 10 }));
          assert.deepEqual(
            msgs.map((m) => m.seq),
            Array.from({ length: 50 }, (_, i) => i),
            "seqs",
          );
          assert.ok(
            msgs.every((m) => m.payload.byteLength === 10),
            "every payload has 10 bytes",
          );
        });
        t(`server stream ${formatName}: messages before an error, then the error with metadata and details`, async () => {
          const received: { seq: number }[] = [];
          const err = await streamError(
            c.serverStream({
              count: 10,
              errorAfter: 3,
              error: { code: Code.ResourceExhausted, message: "too much", metadata: { "x-m": "v" }, detailReason: "r" },
            }),
            received,
          );
          assert.deepEqual(
            received.map((m) => m.seq),
            [0, 1, 2],
            "messages before the error",
          );
          assert.equal(err.code, Code.ResourceExhausted, "code");
          assert.equal(err.rawMessage, "too much");
          assert.equal(err.metadata.get("x-m"), "v", "error metadata");
          assert.equal(err.findDetails(ErrorDetailSchema)[0]?.reason, "r", "detail");
        });
      }
      const c = client();
      t("server stream: an error before the first message", async () => {
        const err = await streamError(c.serverStream({ count: 5, errorAfter: 0, error: { code: Code.NotFound, message: "none" } }));
        assert.equal(err.code, Code.NotFound, "code");
        assert.equal(err.rawMessage, "none");
      });
      t("server stream: response headers and trailers", async () => {
        let header: Headers | undefined;
        let trailer: Headers | undefined;
        await collect(
          c.serverStream({ count: 2 }, { headers: { "x-echo-k": "v" }, onHeader: (h) => (header = h), onTrailer: (tr) => (trailer = tr) }),
        );
        assert.equal(header?.get("x-echo-k"), "v", "header");
        assert.equal(trailer?.get("x-echo-k"), "v", "trailer");
      });
      t("server stream: gzip-compressed messages", async () => {
        const msgs = await collect(client({ compression: { accept: [gzip] } }).serverStream({ count: 20, size: 4096 }));
        assert.equal(msgs.length, 20, "count");
        assert.equal(msgs[19]!.payload[4095], 4095 & 0xff, "last byte");
      });
      t("server stream: DeadlineExceeded mid-stream", () => deadlineMidStream(c), GROWING_DEADLINE_CASE_MS);
      t("server stream: abort mid-stream is Canceled, and the server sees the cancel", async () => {
        const id = streamId("abort");
        const ac = new AbortController();
        let n = 0;
        const err = await rejection(
          (async () => {
            for await (const _ of c.serverStream({ count: 1000, delayMs: 20, streamId: id }, { signal: ac.signal })) {
              if (++n === 4) ac.abort();
            }
          })(),
        );
        assert.ok(err instanceof TripleError, "a TripleError");
        assert.equal(err.code, Code.Canceled, "code");
        const s = await statsUntil(id, (x) => x.cancelled);
        assert.equal(s.cancelled, true, "server saw the cancel");
        assert.equal(s.finished, false, "server finished");
        // The cancel stopped the producer short of its 1,000 messages. How far short depends on how
        // long the cancel took to travel (a message every 20 ms meanwhile), so that is the bound.
        assert.atMost(s.produced, 999, "server produced");
      });
      t("server stream: leaving the loop early cancels the call on the server", async () => {
        const id = streamId("break");
        let n = 0;
        for await (const _ of c.serverStream({ count: 1000, delayMs: 10, streamId: id })) {
          if (++n === 3) break;
        }
        const s = await statsUntil(id, (x) => x.cancelled);
        assert.equal(s.cancelled, true, "server saw the cancel");
      });
      const backlogMiB = transportCaps.receiveBacklogMiB ?? caps.receiveBacklogMiB;
      if (backlogMiB === "unbounded") {
        t(
          "server stream: no receive backpressure, the engine reads the whole response ahead of a paused consumer",
          () => unboundedReadAhead(c, statsClient, streamId("read-ahead")),
          60_000,
        );
      } else t(
        "server stream: receive backpressure stops the server's producer, then delivers everything",
        async () => {
          const SIZE = 64 * 1024;
          const COUNT = backlogMiB * 2 * 16; // twice the allowed backlog
          const id = streamId("bp");
          const it = c.serverStream({ count: COUNT, size: SIZE, streamId: id })[Symbol.asyncIterator]();
          let expected = 0;
          for (let i = 0; i < 5; i++) {
            const r = await it.next();
            assert.equal(r.value?.seq, expected++, "seq");
          }
          // Wait until the producer stops moving.
          let produced = -1;
          for (let i = 0; i < 40; i++) {
            const s = await stats(id);
            if (s.produced === produced) break;
            produced = s.produced;
            await sleep(150);
          }
          const ahead = produced - expected;
          const aheadMiB = (ahead * SIZE) / 1048576;
          // What is ahead sits in socket and runtime buffers; the producer must stop within the backlog.
          assert.atMost(aheadMiB, backlogMiB, `MiB the producer got ahead of the paused consumer (of ${(COUNT * SIZE) / 1048576} MiB)`);
          for (;;) {
            const r = await it.next();
            if (r.done === true) break;
            assert.equal(r.value.seq, expected++, "seq");
          }
          assert.equal(expected, COUNT, "messages received");
          assert.equal((await stats(id)).finished, true, "server finished");
          return `paused consumer at 5 of ${COUNT} × 64 KiB: producer stopped ${aheadMiB.toFixed(1)} MiB ahead (allowed ${backlogMiB})`;
        },
        30_000,
      );
    }

    // ---------------------------------------------------------------------------------------
    // Client stream

    const csCaps = transportCaps.clientStream;
    if (!csCaps.supported) {
      for (const [formatName, format] of formats) {
        t(`client stream ${formatName}: unsupported, fails as stated`, () =>
          expectUnsupported(client(format ? { format } : {}).clientStream([{ seq: 1 }, { seq: 2 }]), csCaps),
        );
      }
    } else {
      for (const [formatName, format] of formats) {
        const c = client(format ? { format } : {});
        t(`client stream ${formatName}: sends every message, gets one response`, async () => {
          const res = await c.clientStream(
            (async function* () {
              for (let seq = 1; seq <= 20; seq++) yield { seq, payload: new Uint8Array(100) };
            })(),
          );
          assert.equal(res.count, 20, "count");
          assert.equal(res.bytes, 2000n, "bytes");
          assert.equal(res.firstSeq, 1);
          assert.equal(res.lastSeq, 20);
          assert.equal(res.inOrder, true, "in order");
        });
      }
      const c = client();
      t("client stream: accepts a sync iterable", async () => {
        const res = await c.clientStream([{ seq: 5 }, { seq: 6 }, { seq: 7 }]);
        assert.equal(res.count, 3, "count");
      });
      const streamed = (csCaps.upload ?? "streamed") === "streamed";
      t(
        streamed
          ? "client stream: the server reads messages while the client is still sending"
          : "client stream: buffered, the server reads nothing before the client has sent the last message",
        async () => {
          const id = streamId("cs-incremental");
          let seenMidStream = -1;
          const res = await c.clientStream(
            (async function* () {
              yield { seq: 0, streamId: id };
              for (let seq = 1; seq <= 3; seq++) {
                // Streamed: the server has message seq-1 before seq is produced. Buffered: it has none.
                const s = await statsUntil(id, (x) => x.consumed >= seq, streamed ? 3000 : 300);
                seenMidStream = s.consumed;
                if (s.consumed < seq) break;
                yield { seq, streamId: id };
              }
              yield { seq: 4, streamId: id };
            })(),
          );
          if (streamed) {
            assert.equal(seenMidStream, 3, "messages the server had read while the client was still sending");
            assert.equal(res.count, 5, "count");
          } else {
            assert.equal(seenMidStream, 0, "messages the server had read while the client was still sending");
            assert.equal(res.count, 2, "count");
          }
        },
      );
      t("client stream: response headers and trailers", async () => {
        let header: Headers | undefined;
        let trailer: Headers | undefined;
        await c.clientStream([{ seq: 1 }], {
          headers: { "x-echo-cs": "v" },
          onHeader: (h) => (header = h),
          onTrailer: (tr) => (trailer = tr),
        });
        assert.equal(header?.get("x-echo-cs"), "v", "header");
        assert.equal(trailer?.get("x-echo-cs"), "v", "trailer");
      });
      t("client stream: abort mid-upload is Canceled" + (streamed ? ", and the server sees the cancel" : ""), async () => {
        const id = streamId("cs-abort");
        const ac = new AbortController();
        const requests = (async function* () {
          yield { seq: 0, streamId: id };
          // Abort once the server has read the first request (it has a call to see cancelled),
          // while the input still waits; a buffered upload reaches the server only on close.
          if (streamed) await statsUntil(id, (x) => x.produced >= 1 || x.consumed >= 1);
          ac.abort();
          await sleep(2000);
          yield { seq: 1, streamId: id };
        })();
        // Canceled, not a response: the abort ended the upload while the input still slept.
        const err = await tripleError(c.clientStream(requests, { signal: ac.signal }));
        assert.equal(err.code, Code.Canceled, "code");
        if (streamed) {
          const s = await statsUntil(id, (x) => x.cancelled);
          assert.equal(s.cancelled, true, "server saw the cancel");
        }
      });
      t("client stream: gzip-compressed messages", async () => {
        const gz = client({ compression: { accept: [gzip], send: gzip } });
        const res = await gz.clientStream(
          (async function* () {
            for (let seq = 1; seq <= 5; seq++) yield { seq, payload: new Uint8Array(4096).fill(seq) };
          })(),
        );
        assert.equal(res.count, 5, "count");
        assert.equal(res.bytes, 5n * 4096n, "bytes");
      });
      t("client stream: an error from the server", async () => {
        const err = await tripleError(
          c.clientStream([{ seq: 1 }, { seq: 2, error: { code: Code.InvalidArgument, message: "bad seq", metadata: { "x-k": "v" } } }]),
        );
        assert.equal(err.code, Code.InvalidArgument, "code");
        assert.equal(err.rawMessage, "bad seq");
        assert.equal(err.metadata.get("x-k"), "v", "error metadata");
      });
    }

    // ---------------------------------------------------------------------------------------
    // Bidi stream

    const bidiCaps = transportCaps.bidi;
    if (!bidiCaps.supported) {
      for (const [formatName, format] of formats) {
        t(`bidi ${formatName}: unsupported, fails as stated`, () =>
          expectUnsupported(collect(client(format ? { format } : {}).bidiStream([{ seq: 1 }])), bidiCaps),
        );
      }
    } else {
      for (const [formatName, format] of formats) {
        const c = client(format ? { format } : {});
        t(`bidi ${formatName}: echoes every message in order`, async () => {
          const msgs = await collect(c.bidiStream(Array.from({ length: 10 }, (_, seq) => ({ seq, payload: Uint8Array.of(seq) }))));
          assert.deepEqual(
            msgs.map((m) => m.seq),
            Array.from({ length: 10 }, (_, i) => i),
            "seqs",
          );
          assert.equal(msgs[9]!.payload[0], 9);
        });
      }
      const c = client();
      if (bidiCaps.duplex === "full") {
        t("bidi: full duplex, each reply arrives before the next request is sent", async () => {
          let onReply: (() => void) | undefined;
          let replies = 0;
          const requests = (async function* () {
            for (let seq = 0; seq < 5; seq++) {
              const replied = new Promise<void>((r) => (onReply = r));
              yield { seq };
              await replied;
            }
          })();
          for await (const m of c.bidiStream(requests, { timeoutMs: 5000 })) {
            assert.equal(m.seq, replies++, "seq");
            onReply?.();
          }
          assert.equal(replies, 5, "replies");
        });
      } else {
        t("bidi: half duplex, a ping-pong gets no reply before its deadline", async () => {
          const replies: unknown[] = [];
          let onReply: (() => void) | undefined;
          const requests = (async function* () {
            const replied = new Promise<void>((r) => (onReply = r));
            yield { seq: 0 };
            await replied; // a reply cannot come while the request body is open
            yield { seq: 1 };
          })();
          const err = await streamError(
            (async function* () {
              for await (const m of c.bidiStream(requests, { timeoutMs: 800 })) {
                onReply?.();
                yield m;
              }
            })(),
            replies,
          );
          assert.equal(err.code, Code.DeadlineExceeded, "code");
          assert.equal(replies.length, 0, "replies before the deadline");
        });
      }
      t("bidi: an error from the server after some replies", async () => {
        const received: { seq: number }[] = [];
        const err = await streamError(
          c.bidiStream([{ seq: 0 }, { seq: 1 }, { seq: 2, error: { code: Code.Aborted, message: "stop" } }, { seq: 3 }]),
          received,
        );
        assert.equal(err.code, Code.Aborted, "code");
        assert.equal(err.rawMessage, "stop");
        assert.deepEqual(
          received.map((m) => m.seq),
          [0, 1],
          "replies before the error",
        );
      });
      t("bidi: gzip both ways", async () => {
        const gz = client({ compression: { accept: [gzip], send: gzip } });
        const msgs = await collect(gz.bidiStream(Array.from({ length: 4 }, (_, seq) => ({ seq, payload: new Uint8Array(8192).fill(seq) }))));
        assert.equal(msgs.length, 4, "count");
        assert.equal(msgs[3]!.payload[8191], 3);
      });
    }
  }
  addServerCases(suite, caps, { ...(endpoints.java ? { java: endpoints.java } : {}), ...(endpoints.go ? { go: endpoints.go } : {}) });
  addGatewayServerCases(suite, caps, endpoints.gateways ?? {}, streamId);
  return suite;
}
