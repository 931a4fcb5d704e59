// The server axis through the gateway: Dubbo Java 3.3.6 and dubbo-go 3.3.2 reached over
// WebTransport or a WebSocket to the gateway (gateway/), which calls them over gRPC
// (`--upstream-protocol grpc`). Every call kind, full duplex, errors, deadlines, cancels the
// server's handler sees, and a paused consumer holding the server's producer back, from inside
// each runtime. What a server cannot do through the gateway fails as the capability file states.

import { Code, codeToString, createClient, createWebTransportTransport, TripleError, type Interceptor, type Transport, type TransportOptions } from "triple-es";
import { json } from "triple-es/json";
import { createWebSocketTransport } from "triple-es/websocket";
import { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { serverLabels, transportLabels, type GatewayPath, type OtherServer, type ReceiveBacklog, type RuntimeCapabilities, type ServerCapabilities } from "./capabilities.js";
import { collect, deadlineMidStream, expectUnsupported, pollUntil, streamError, tripleError } from "./calls.js";
import { assert, rejection, sleep, type CaseOptions, type StepReporter, type Suite } from "./harness.js";
import { GROWING_DEADLINE_CASE_MS } from "../support/growing-deadline.js";

/** A gateway in front of one server, with both downstream paths. */
export interface ServerGateway {
  /** WebTransport: e.g. https://127.0.0.1:PORT/ */
  readonly url: string;
  /** base64 SHA-256 of the gateway's development certificate, for serverCertificateHashes. */
  readonly certSha256: string;
  /** The WebSocket downstream (--ws-port), e.g. ws://127.0.0.1:PORT/ */
  readonly webSocketUrl: string;
}

type Tweaks = Omit<TransportOptions, "baseUrl">;

/** Adds `<server> via <path> › …` cases for each path and server the capability file lists. */
export function addGatewayServerCases(
  suite: Suite,
  caps: RuntimeCapabilities,
  gateways: Partial<Record<OtherServer, ServerGateway>>,
  streamId: (name: string) => string,
): void {
  const closers: { close(reason?: string): void }[] = [];
  suite.afterAll(() => closers.forEach((c) => c.close("conformance suite done")));
  for (const [path, servers] of Object.entries(caps.viaGateway ?? {}) as [GatewayPath, Record<OtherServer, ServerCapabilities>][]) {
    for (const server of ["java", "go"] as const) {
      const gateway = gateways[server];
      const t = (name: string, fn: (step: StepReporter) => Promise<void | string>, timeoutMs?: number, options?: CaseOptions) =>
        suite.test(`${server} via ${path} › ${name}`, fn, timeoutMs, options);
      if (gateway === undefined) {
        t("endpoint", async () => assert.fail(`the runner gave no gateway for the ${serverLabels[server]} server`));
        continue;
      }
      const transport = (options: Tweaks = {}): Transport => {
        const tr =
          path === "wt"
            ? createWebTransportTransport({ url: gateway.url, serverCertificateHashes: [{ algorithm: "sha-256", value: gateway.certSha256 }], ...options })
            : createWebSocketTransport({ url: gateway.webSocketUrl, ...options });
        closers.push(tr);
        return tr;
      };
      const pathBacklog = caps.transports[path]?.receiveBacklogMiB ?? caps.receiveBacklogMiB;
      addCases(t, server, path, caps.viaGateway![path]![server], pathBacklog, (options) => createClient(InteropService, transport(options)), streamId);
    }
  }
}

type Interop = ReturnType<typeof createClient<typeof InteropService>>;
type AddCase = (name: string, fn: (step: StepReporter) => Promise<void | string>, timeoutMs?: number, options?: CaseOptions) => void;

function addCases(
  t: AddCase,
  server: OtherServer,
  path: GatewayPath,
  caps: ServerCapabilities,
  pathBacklog: ReceiveBacklog,
  client: (o?: Tweaks) => Interop,
  streamId: (name: string) => string,
): void {
  const c = client();
  const statsUntil = (id: string, until: (s: Awaited<ReturnType<Interop["getStreamStats"]>>) => boolean) =>
    pollUntil(() => c.getStreamStats({ streamId: id }), until);
  const where = `${serverLabels[server]} over ${transportLabels[path]}`;
  // Cases that wait on the server's deadline or cancel: alone when another call's cancel can reach them.
  const alone: CaseOptions = { serial: caps.crossCallCancel === true };

  // -----------------------------------------------------------------------------------------------
  // Unary

  if (!caps.unary.supported) {
    const u = caps.unary;
    t("unary: unsupported", () => expectUnsupported(c.unary({}), u));
  } else {
    t("unary binary: round-trips a message", async () => {
      const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      const res = await c.unary({ text: "héllo ✓", payload });
      assert.equal(res.text, "héllo ✓");
      assert.deepEqual(Array.from(res.payload), Array.from(payload), "payload");
      assert.equal(res.servedBy, "default");
    });
    const jsonCaps = caps.json ?? { supported: true };
    if (jsonCaps.supported) {
      t("unary json: round-trips a message", async () => {
        assert.equal((await client({ format: json() }).unary({ text: "json ✓" })).text, "json ✓");
      });
    } else {
      t("unary json: unsupported, fails as stated", () => expectUnsupported(client({ format: json() }).unary({ text: "json" }), jsonCaps));
    }
    const lost = new Map((caps.codesLost ?? []).map((l) => [l.code as number, l]));
    t(`unary: every status code 1..16 arrives as itself${lost.size > 0 ? ", but for the codes this server loses" : ""}, with its message`, async () => {
      const errors = await Promise.all(Array.from({ length: 16 }, (_, i) => tripleError(c.unary({ error: { code: i + 1, message: `c${i + 1} ü 100%` } }))));
      assert.deepEqual(
        errors.map((e) => e.code),
        Array.from({ length: 16 }, (_, i) => lost.get(i + 1)?.arrivesAs ?? i + 1),
        "codes",
      );
      errors.forEach((e, i) => {
        if (!lost.has(i + 1)) assert.equal(e.rawMessage, `c${i + 1} ü 100%`, `message of code ${i + 1}`);
      });
      if (lost.size > 0) return [...lost.values()].map((l) => `${codeToString(l.code)} arrives as ${codeToString(l.arrivesAs)}: ${l.why}`).join("; ");
    });
    t("unary: request metadata reaches the handler", async () => {
      const res = await c.unary({}, { headers: { "x-other": "o" } });
      assert.equal(res.requestHeaders["x-other"], "o", "custom header");
    });
    t("unary: sends the deadline upstream (grpc-timeout)", async () => {
      const res = await c.unary({}, { timeoutMs: 5000 });
      assert.atLeast(res.timeoutMs, 3000, "server-side deadline");
      assert.atMost(res.timeoutMs, 5000, "server-side deadline");
    });
    t(
      "unary: DeadlineExceeded when the server is slower than the deadline",
      async () => {
        const err = await tripleError(c.unary({ delayMs: 5000 }, { timeoutMs: 200 }));
        assert.equal(err.code, Code.DeadlineExceeded, `code (${err.message})`);
      },
      undefined,
      alone,
    );
    t("unary: Canceled when the caller aborts", async () => {
      const ac = new AbortController();
      // Abort once the call has been handed to the transport (an event, not a guess at timing).
      const abortWhenSent: Interceptor = (next) => (req) => {
        const res = next(req);
        ac.abort();
        return res;
      };
      const err = await tripleError(client({ interceptors: [abortWhenSent] }).unary({ delayMs: 5000 }, { signal: ac.signal }));
      assert.equal(err.code, Code.Canceled, `code (${err.message})`);
    });
    t("unary: a response over readMaxBytes is ResourceExhausted", async () => {
      const err = await tripleError(client({ readMaxBytes: 1000 }).unary({ payload: new Uint8Array(5000) }));
      assert.equal(err.code, Code.ResourceExhausted, "code");
    });
  }

  // -----------------------------------------------------------------------------------------------
  // Server stream

  const ss = caps.serverStream;
  if (!ss.supported) {
    t("server stream: unsupported", () => expectUnsupported(collect(c.serverStream({ count: 1 })), ss));
  } else {
    t("server stream: delivers every message in order", async () => {
      const msgs = await collect(c.serverStream({ count: 50, size: 10 }));
      assert.deepEqual(
        msgs.map((m) => m.seq),
        Array.from({ length: 50 }, (_, i) => i),
        "seqs",
      );
      assert.ok(msgs.every((m) => m.payload.byteLength === 10), "every payload has 10 bytes");
    });
    t("server stream: messages before an error, then the error with its code and message", async () => {
      const received: { seq: number }[] = [];
      const err = await streamError(c.serverStream({ count: 10, errorAfter: 3, error: { code: Code.ResourceExhausted, message: "too much" } }), received);
      assert.deepEqual(
        received.map((m) => m.seq),
        [0, 1, 2],
        "messages before the error",
      );
      assert.equal(err.code, Code.ResourceExhausted, "code");
      assert.equal(err.rawMessage, "too much");
    });
    t("server stream: a stream of no messages ends cleanly", async () => {
      assert.deepEqual(await collect(c.serverStream({ count: 0 })), [], "messages");
    });
    t("server stream: an error before the first message", async () => {
      const err = await streamError(c.serverStream({ count: 5, errorAfter: 0, error: { code: Code.NotFound, message: "none" } }));
      assert.equal(err.code, Code.NotFound, "code");
      assert.equal(err.rawMessage, "none");
    });
    t("server stream: DeadlineExceeded mid-stream", () => deadlineMidStream(c), GROWING_DEADLINE_CASE_MS);
    t("server stream: abort mid-stream is Canceled, and the server's handler sees the cancel", async () => {
      const id = streamId(`${server}-${path}-abort`);
      const ac = new AbortController();
      let n = 0;
      const err = await rejection(
        (async () => {
          for await (const _ of c.serverStream({ count: 100_000, delayMs: 5, streamId: id }, { signal: ac.signal })) {
            if (++n === 4) ac.abort();
          }
        })(),
      );
      assert.ok(err instanceof TripleError, "a TripleError");
      assert.equal(err.code, Code.Canceled, "code");
      assert.equal(n, 4, "messages before the abort");
      assert.equal((await statsUntil(id, (s) => s.cancelled)).cancelled, true, "the handler saw the cancel");
    });
    const lead = caps.producerLeadMiB ?? pathBacklog;
    t(
      lead === "unbounded"
        ? "server stream: a paused consumer does not hold this server's producer back (it queues in the server); then every message in order"
        : "server stream: a paused consumer stops the server's producer within its lead, then every message in order",
      async () => {
        const SIZE = 64 * 1024;
        const COUNT = lead === "unbounded" ? 256 : lead * 2 * 16; // twice the allowed lead
        const id = streamId(`${server}-${path}-pause`);
        const it = c.serverStream({ count: COUNT, size: SIZE, streamId: id })[Symbol.asyncIterator]();
        let expected = 0;
        for (let i = 0; i < 5; i++) assert.equal((await it.next()).value?.seq, expected++, "seq");
        let produced: number;
        if (lead === "unbounded") {
          // The producer runs to its end while nothing is read (the case's timeout catches one that stops).
          produced = (await statsUntil(id, (s) => s.finished)).produced;
          assert.equal(produced, COUNT, "messages the producer sent while the consumer was paused");
        } else {
          // Until the producer stops moving (a blocked producer never reaches COUNT, however long the wait).
          produced = -1;
          for (let i = 0; i < 40; i++) {
            const s = await c.getStreamStats({ streamId: id });
            if (s.produced === produced) break;
            produced = s.produced;
            await sleep(200);
          }
          assert.atMost(((produced - expected) * SIZE) / 1048576, lead, `MiB the producer got ahead of the paused consumer (of ${(COUNT * SIZE) / 1048576} MiB)`);
        }
        for (let r = await it.next(); r.done !== true; r = await it.next()) assert.equal(r.value.seq, expected++, "seq");
        assert.equal(expected, COUNT, "messages received");
        const aheadBytes = (produced - 5) * SIZE;
        return `paused consumer at 5 of ${COUNT} × 64 KiB: ${where}'s producer ${lead === "unbounded" ? "finished" : "stopped"} ${aheadBytes} bytes (${(aheadBytes / 1048576).toFixed(2)} MiB) ahead`;
      },
      60_000,
    );
  }

  // -----------------------------------------------------------------------------------------------
  // Client stream

  const cs = caps.clientStream;
  if (!cs.supported) {
    t("client stream: unsupported", () => expectUnsupported(c.clientStream([{ seq: 1 }]), cs));
  } else {
    t("client stream: sends every message, gets one response", async () => {
      const res = await c.clientStream(
        (async function* () {
          for (let seq = 1; seq <= 200; seq++) yield { seq, payload: new Uint8Array(100) };
        })(),
      );
      assert.deepEqual([res.count, res.bytes, res.firstSeq, res.lastSeq, res.inOrder], [200, 20000n, 1, 200, true], "count, bytes, first, last, in order");
    });
    t("client stream: the server reads messages while the client is still sending", async () => {
      const id = streamId(`${server}-${path}-cs`);
      let seenMidStream = -1;
      const res = await c.clientStream(
        (async function* () {
          yield { seq: 0, streamId: id };
          for (let seq = 1; seq <= 3; seq++) {
            // The server has message seq-1 before seq is produced (the case's timeout catches one that never comes).
            seenMidStream = (await statsUntil(id, (x) => x.consumed >= seq)).consumed;
            yield { seq, streamId: id };
          }
        })(),
      );
      assert.equal(seenMidStream, 3, "messages the server had read while the client was still sending");
      assert.equal(res.count, 4, "count");
    });
    t("client stream: an error from the server", async () => {
      const err = await tripleError(c.clientStream([{ seq: 1 }, { seq: 2, error: { code: Code.InvalidArgument, message: "bad seq" } }]));
      assert.equal(err.code, Code.InvalidArgument, "code");
      assert.equal(err.rawMessage, "bad seq");
    });
    const seenAs = caps.abortedUploadSeenAs ?? "cancel";
    const seenText = { cancel: "the cancel", "end of input": "an orderly end of input", either: "the cancel or an end of input" }[seenAs];
    t(`client stream: abort mid-upload is Canceled; the server's handler sees ${seenText}`, async () => {
      const id = streamId(`${server}-${path}-cs-abort`);
      const ac = new AbortController();
      const requests = (async function* () {
        yield { seq: 0, streamId: id };
        // Aborted once the server has the first message, before the input ends (abort is synchronous).
        await statsUntil(id, (x) => x.consumed >= 1);
        ac.abort();
      })();
      const err = await tripleError(c.clientStream(requests, { signal: ac.signal }));
      assert.equal(err.code, Code.Canceled, "code");
      const s = await statsUntil(id, (x) => x.cancelled || x.finished);
      if (seenAs !== "either") {
        assert.deepEqual({ cancelled: s.cancelled, finished: s.finished }, { cancelled: seenAs === "cancel", finished: seenAs !== "cancel" }, "how the handler ended");
      }
      return `the handler ended ${s.cancelled ? "cancelled" : ""}${s.cancelled && s.finished ? " and " : ""}${s.finished ? "finished" : ""}`;
    }, undefined, alone);
  }

  // -----------------------------------------------------------------------------------------------
  // Bidi stream

  const bidi = caps.bidi;
  if (!bidi.supported) {
    t("bidi stream: unsupported", () => expectUnsupported(collect(c.bidiStream([{ seq: 1 }])), bidi));
  } else {
    t("bidi: echoes every message in order", async () => {
      const msgs = await collect(c.bidiStream(Array.from({ length: 20 }, (_, seq) => ({ seq, payload: Uint8Array.of(seq) }))));
      assert.deepEqual(
        msgs.map((m) => m.seq),
        Array.from({ length: 20 }, (_, i) => i),
        "seqs",
      );
      assert.equal(msgs[19]!.payload[0], 19);
    });
    t("bidi: full duplex, a ping-pong of 100 (each reply before the next send)", async (step) => {
      const call = c.bidiStream.open();
      const reader = call.responses.getReader();
      const t0 = performance.now();
      for (let seq = 0; seq < 100; seq++) {
        step(`sent ${seq}, waiting for its reply`);
        void call.send({ seq });
        assert.equal((await reader.read()).value?.seq, seq, "reply");
      }
      const ms = performance.now() - t0;
      step("closed, waiting for the end");
      call.close();
      assert.equal((await reader.read()).done, true, "end");
      return `${((ms / 100) * 1000).toFixed(0)} µs per round trip`;
      // 60 s: only a hang is caught (about 0.1 s idle; a loaded machine took over 15 s once).
    }, 60_000);
    t("bidi: an error from the server after some replies", async () => {
      const received: { seq: number }[] = [];
      const err = await streamError(c.bidiStream([{ seq: 0 }, { seq: 1 }, { seq: 2, error: { code: Code.Aborted, message: "stop" } }, { seq: 3 }]), received);
      assert.equal(err.code, Code.Aborted, "code");
      assert.equal(err.rawMessage, "stop");
      assert.deepEqual(
        received.map((m) => m.seq),
        [0, 1],
        "replies before the error",
      );
    });
  }
}
