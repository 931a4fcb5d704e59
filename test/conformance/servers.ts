// The server axis of the conformance suite: Dubbo Java 3.3 and dubbo-go 3.3, each over plain
// HTTP/1.1 with its own protocol (`dubboJava()`, `dubboGo()`), from inside every runtime. The
// dubbo-js server has the rest of the suite (./suite.ts). Every case runs against the real
// server (test/peers/java, test/peers/go); what a server cannot carry must fail exactly as the
// capability file says, before anything is sent.

import { Code, createClient, createFetchTransport, type TransportOptions } from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { dubboGo } from "triple-es/protocol-go";
import { dubboJava } from "triple-es/protocol-java";
import { CamelInteropService, InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { serverLabels, type OtherServer, type RuntimeCapabilities } from "./capabilities.js";
import { assert, rejection, type Suite } from "./harness.js";
import { collect, expectUnsupported, streamError, tripleError } from "./calls.js";
import type { Endpoint } from "./suite.js";

/** What differs between the servers, as verified on each (../shared/TRIPLE-PROTOCOL.md). */
interface ServerProfile {
  /** The service it serves over HTTP: Java routes HTTP only for lower-camel rpc names. */
  readonly service: typeof InteropService | typeof CamelInteropService;
  readonly options: () => Omit<TransportOptions, "baseUrl">;
  /** Formats its HTTP routes take. */
  readonly formats: readonly ("binary" | "json")[];
  /** Handler response headers come back as headers, handler trailers as `trailer-*` headers. */
  readonly echoesHeaders: boolean;
  /** Error metadata reaches the client (as response headers). */
  readonly errorMetadata: boolean;
  /** Routes on TRI-Service-Version and -Group. */
  readonly routesVersionGroup: boolean;
  /** Accepts a gzip request body. */
  readonly gzip: boolean;
}

const profiles: Record<OtherServer, ServerProfile> = {
  java: {
    service: CamelInteropService,
    options: () => ({ protocol: dubboJava(), format: json() }),
    formats: ["json"],
    echoesHeaders: false,
    errorMetadata: false,
    routesVersionGroup: false,
    gzip: false,
  },
  go: {
    service: InteropService,
    options: () => ({ protocol: dubboGo() }),
    formats: ["binary", "json"],
    echoesHeaders: true,
    errorMetadata: true,
    routesVersionGroup: true,
    gzip: true,
  },
};

/** Adds the cases for the Java and Go servers to `suite`, for each server the runner reached. */
export function addServerCases(suite: Suite, caps: RuntimeCapabilities, endpoints: Partial<Record<OtherServer, Endpoint>>): void {
  for (const server of ["java", "go"] as const) {
    const endpoint = endpoints[server];
    const profile = profiles[server];
    const serverCaps = caps.servers[server];
    const t = (name: string, fn: () => Promise<void | string>, timeoutMs?: number) =>
      suite.test(`${server} › ${name}`, fn, timeoutMs);
    if (endpoint === undefined) {
      t("endpoint", async () => assert.fail(`the runner gave no endpoint for the ${serverLabels[server]} server`));
      continue;
    }
    const client = (options: Omit<TransportOptions, "baseUrl"> = {}, clientOptions: { version?: string; group?: string } = {}) =>
      createClient(
        profile.service as typeof InteropService,
        createFetchTransport({
          baseUrl: endpoint.baseUrl,
          ...(endpoint.fetch ? { fetch: endpoint.fetch } : {}),
          ...profile.options(),
          ...options,
        }),
        clientOptions,
      );
    const c = client();

    // -------------------------------------------------------------------------------------------
    // Unary

    if (!serverCaps.unary.supported) {
      const u = serverCaps.unary;
      t("unary: unsupported", () => expectUnsupported(c.unary({}), u));
    } else {
      for (const formatName of profile.formats) {
        const fc = client(formatName === "json" ? { format: json() } : { format: "binary" });
        t(`unary ${formatName}: round-trips a message`, async () => {
          const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
          const res = await fc.unary({ text: "héllo ✓", payload });
          assert.equal(res.text, "héllo ✓");
          assert.deepEqual(Array.from(res.payload), Array.from(payload), "payload");
          assert.equal(res.servedBy, "default");
        });
      }
      t("unary: every status code 1..16 arrives as itself, with its message", async () => {
        const errors = await Promise.all(
          Array.from({ length: 16 }, (_, i) => tripleError(c.unary({ error: { code: i + 1, message: `c${i + 1}` } }))),
        );
        assert.deepEqual(
          errors.map((e) => e.code),
          Array.from({ length: 16 }, (_, i) => i + 1),
          "codes",
        );
        assert.deepEqual(
          errors.map((e) => e.rawMessage),
          Array.from({ length: 16 }, (_, i) => `c${i + 1}`),
          "messages",
        );
      });
      t(`unary: error metadata ${profile.errorMetadata ? "arrives" : "is not sent by this server"}; details are dropped by it`, async () => {
        const err = await tripleError(
          c.unary({ error: { code: Code.PermissionDenied, message: "no entry", metadata: { "x-why": "locked" }, detailReason: "r" } }),
        );
        assert.equal(err.code, Code.PermissionDenied, "code");
        assert.equal(err.message, "[permission_denied] no entry");
        assert.equal(err.metadata.get("x-why"), profile.errorMetadata ? "locked" : null, "error metadata");
        assert.equal(err.details.length, 0, "details (this server drops them for codes 1-16)");
      });
      t("unary: request metadata reaches the handler", async () => {
        const res = await c.unary({}, { headers: { "x-other": "o", "x-echo-plain": "v 1" } });
        assert.equal(res.requestHeaders["x-other"], "o", "custom header");
      });
      if (profile.echoesHeaders) {
        t("unary: response headers and trailers", async () => {
          let header: Headers | undefined;
          let trailer: Headers | undefined;
          await c.unary({}, { headers: { "x-echo-plain": "v 1" }, onHeader: (h) => (header = h), onTrailer: (tr) => (trailer = tr) });
          assert.equal(header?.get("x-echo-plain"), "v 1", "response header");
          assert.equal(trailer?.get("x-echo-plain"), "v 1", "trailer");
          assert.equal(header?.has("trailer-x-echo-plain"), false, "trailer- prefix stays hidden");
        });
      }
      if (profile.routesVersionGroup) {
        t("unary: routes by version and group; a miss is Unimplemented", async () => {
          assert.equal((await client({}, { version: "2.0.0", group: "blue" }).unary({})).servedBy, "2.0.0/blue");
          const err = await tripleError(client({}, { version: "9.9.9", group: "none" }).unary({}));
          assert.equal(err.code, Code.Unimplemented, "code");
        });
      }
      if (profile.gzip) {
        t("unary: gzip request and response", async () => {
          const gz = client({ compression: { accept: [gzip], send: gzip } });
          const payload = new Uint8Array(48 * 1024).fill(7);
          const res = await gz.unary({ payload, text: "gz" });
          assert.equal(res.payload.byteLength, payload.byteLength, "payload size");
          assert.equal(res.requestHeaders["content-encoding"], "gzip", "request was compressed");
        });
      }
      t("unary: sends the deadline in the header this server reads", async () => {
        const res = await c.unary({}, { timeoutMs: 5000 });
        assert.atLeast(res.timeoutMs, 3000, "server-side deadline");
        assert.atMost(res.timeoutMs, 5000, "server-side deadline");
      });
      t("unary: DeadlineExceeded when the server is slower than the deadline", async () => {
        const err = await tripleError(c.unary({ delayMs: 5000 }, { timeoutMs: 200 }));
        assert.equal(err.code, Code.DeadlineExceeded, "code");
      });
      t("unary: Canceled when the caller aborts", async () => {
        const ac = new AbortController();
        const p = c.unary({ delayMs: 5000 }, { signal: ac.signal });
        ac.abort();
        assert.equal((await tripleError(p)).code, Code.Canceled, "code");
      });
      t("unary: a response over readMaxBytes is ResourceExhausted", async () => {
        const err = await tripleError(client({ readMaxBytes: 1000 }).unary({ payload: new Uint8Array(5000) }));
        assert.equal(err.code, Code.ResourceExhausted, "code");
      });
    }

    // -------------------------------------------------------------------------------------------
    // Server stream

    const ss = serverCaps.serverStream;
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
        const err = await streamError(
          c.serverStream({ count: 10, errorAfter: 3, error: { code: Code.ResourceExhausted, message: "too much" } }),
          received,
        );
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
      t("server stream: DeadlineExceeded mid-stream", async () => {
        const received: unknown[] = [];
        const err = await streamError(c.serverStream({ count: 100, delayMs: 100 }, { timeoutMs: 450 }), received);
        assert.equal(err.code, Code.DeadlineExceeded, "code");
      });
      t("server stream: abort mid-stream is Canceled", async () => {
        const ac = new AbortController();
        let n = 0;
        const err = await rejection(
          (async () => {
            for await (const _ of c.serverStream({ count: 1000, delayMs: 10 }, { signal: ac.signal })) {
              if (++n === 4) ac.abort();
            }
          })(),
        );
        assert.equal((err as { code?: unknown }).code, Code.Canceled, "code");
        assert.equal(n, 4, "messages before the abort");
      });
    }

    // -------------------------------------------------------------------------------------------
    // Client stream and bidi

    const cs = serverCaps.clientStream;
    if (!cs.supported) t("client stream: unsupported", () => expectUnsupported(c.clientStream([{ seq: 1 }]), cs));
    const bidi = serverCaps.bidi;
    if (!bidi.supported) t("bidi stream: unsupported", () => expectUnsupported(collect(c.bidiStream([{ seq: 1 }])), bidi));
  }
}
