// Unary calls against the real dubbo-js server, written once and run by Node (test/interop/)
// and by Chromium (test/browser/).
import { describe, expect, it } from "vitest";
import { create, createRegistry } from "@bufbuild/protobuf";
import { Code, appendBinaryHeader, createFetchTransport, getBinaryHeader } from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { ErrorDetailSchema, UnaryRequestSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { caught, type InteropEnv } from "./env.js";

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

export function unaryCases(env: InteropEnv): void {
  describe.each(env.listeners)(`unary in ${env.runtime} over %s`, (listener) => {
    describe.each(formats)("%s", (_, format) => {
      const client = env.client(listener, format ? { format } : {});

      it("round-trips a message", async () => {
        const res = await client.unary({ text: "hello", payload: Uint8Array.of(1, 2, 3, 255) });
        expect(res.text).toBe("hello");
        expect(Array.from(res.payload)).toEqual([1, 2, 3, 255]);
        expect(res.servedBy).toBe("default");
        expect(res.requestHeaders["content-type"]).toBe(format ? "application/json" : "application/proto");
        expect(res.requestHeaders["tri-protocol-version"]).toBe("1.0.0");
      });

      it("accepts a message instance as well as an init object", async () => {
        expect((await client.unary(create(UnaryRequestSchema, { text: "instance" }))).text).toBe("instance");
      });

      it.each(Array.from({ length: 16 }, (_, i) => i + 1))("delivers status code %i with message and metadata", async (code) => {
        const err = await caught(client.unary({ error: { code, message: `failure ${code}`, metadata: { "x-err": `v${code}` } } }));
        expect(err.code).toBe(code);
        expect(err.rawMessage).toBe(`failure ${code}`);
        // Error metadata travels as response headers (in browsers, visible because the server exposes them).
        expect(err.metadata.get("x-err")).toBe(`v${code}`);
      });
    });

    const client = env.client(listener);

    it("round-trips error details, decodable by schema and by registry", async () => {
      const err = await caught(client.unary({ error: { code: Code.FailedPrecondition, message: "m", detailReason: "quota" } }));
      expect(err.details).toHaveLength(1);
      expect(err.details[0]!.type).toBe("triple.interop.v1.ErrorDetail");
      const [bySchema] = err.findDetails(ErrorDetailSchema);
      expect(bySchema?.reason).toBe("quota");
      expect(bySchema?.retryAfterMs).toBe(250);
      expect(err.findDetails(createRegistry(ErrorDetailSchema))).toHaveLength(1);
    });

    it("sends request headers and returns response headers and trailers, including -bin values", async () => {
      const headers = new Headers({ "x-echo-plain": "value 1", "x-other": "o" });
      const binary = Uint8Array.of(0, 1, 2, 250, 255);
      appendBinaryHeader(headers, "x-echo-data-bin", binary);
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      const res = await client.unary({}, { headers, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) });
      expect(res.requestHeaders["x-other"]).toBe("o");
      expect(header?.get("x-echo-plain")).toBe("value 1");
      expect(trailer?.get("x-echo-plain")).toBe("value 1");
      expect(Array.from(getBinaryHeader(trailer!, "x-echo-data-bin")!)).toEqual(Array.from(binary));
      // Trailers travel as trailer- headers; users must not see the prefix in either place.
      expect(header?.has("trailer-x-echo-plain")).toBe(false);
    });

    it("routes by version and group; a miss (empty 404) is Unimplemented", async () => {
      expect((await env.client(listener, {}, { version: "2.0.0", group: "blue" }).unary({})).servedBy).toBe("2.0.0/blue");
      const err = await caught(env.client(listener, {}, { version: "9.9.9", group: "none" }).unary({}));
      expect(err.code).toBe(Code.Unimplemented);
      expect(err.message).toMatch(/HTTP 404/);
    });

    it("compresses requests and accepts compressed responses with gzip", async () => {
      const gz = env.client(listener, { compression: { accept: [gzip], send: gzip } });
      const payload = new Uint8Array(64 * 1024).fill(7);
      const res = await gz.unary({ payload, text: "gz" });
      expect(res.payload.byteLength).toBe(payload.byteLength);
      expect(res.requestHeaders["content-encoding"]).toBe("gzip");
    });

    it("sends the deadline, which the server sees", async () => {
      const res = await client.unary({}, { timeoutMs: 5000 });
      expect(res.timeoutMs).toBeGreaterThan(4000);
      expect(res.timeoutMs).toBeLessThanOrEqual(5000);
    });

    it("fails with DeadlineExceeded when the server is slower than the deadline", async () => {
      // No clock: a call that waited for the server would have ended with its answer (OK).
      const err = await caught(client.unary({ delayMs: 3000 }, { timeoutMs: 200 }));
      expect(err.code).toBe(Code.DeadlineExceeded);
    });

    it("enforces the deadline locally even when the server never hears of it", async () => {
      // The header is removed by an interceptor, so only the client's timer can end the call.
      const noHeader = env.client(listener, {
        interceptors: [
          (next) => async (req) => {
            req.header.delete("tri-service-timeout");
            req.header.delete("triple-timeout-ms");
            return next(req);
          },
        ],
      });
      const err = await caught(noHeader.unary({ delayMs: 3000 }, { timeoutMs: 150 }));
      expect(err.code).toBe(Code.DeadlineExceeded);
      expect(err.message).toMatch(/deadline of 150 ms/);
    });

    it("ends as Canceled when the caller aborts", async () => {
      const ac = new AbortController();
      // Aborted once the call was handed to the transport: an event, not a guess at timing.
      const aborting = env.client(listener, {
        interceptors: [
          (next) => (req) => {
            const res = next(req);
            ac.abort();
            return res;
          },
        ],
      });
      const err = await caught(aborting.unary({ delayMs: 3000 }, { signal: ac.signal }));
      expect(err.code).toBe(Code.Canceled);
    });

    it("fails a request over the write limit locally", async () => {
      const err = await caught(env.client(listener, { writeMaxBytes: 100 }).unary({ payload: new Uint8Array(200) }));
      expect(err.code).toBe(Code.ResourceExhausted);
    });

    it("fails a response over the read limit", async () => {
      const err = await caught(env.client(listener, { readMaxBytes: 1000 }).unary({ payload: new Uint8Array(5000) }));
      expect(err.code).toBe(Code.ResourceExhausted);
    });

    it("runs interceptors in order around the call", async () => {
      const seen: string[] = [];
      const ic = env.client(listener, {
        interceptors: [
          (next) => async (req) => {
            seen.push("a>");
            req.header.set("x-echo-ic", "1");
            const res = await next(req);
            seen.push("<a");
            return res;
          },
          (next) => async (req) => {
            seen.push("b>");
            const res = await next(req);
            seen.push("<b");
            return res;
          },
        ],
      });
      const res = await ic.unary({});
      expect(seen).toEqual(["a>", "b>", "<b", "<a"]);
      expect(res.requestHeaders["x-echo-ic"]).toBe("1");
    });
  });

  it(`an unreachable server is Unavailable in ${env.runtime}, naming the URL`, async () => {
    const client = createInteropServiceClient(createFetchTransport({ baseUrl: "http://127.0.0.1:1" }));
    const err = await caught(client.unary({}));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.message).toMatch(/127\.0\.0\.1:1/);
  });
}
