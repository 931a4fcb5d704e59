// Unary calls from real Chromium to the real dubbo-js server, cross-origin over HTTP/1.1 and
// over h2+TLS, in binary and JSON.

import { describe, expect, it } from "vitest";
import { Code, TripleError, appendBinaryHeader, getBinaryHeader } from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { ErrorDetailSchema } from "../gen/triple/interop/v1/interop_pb.js";
import { baseUrl, interopClient, listeners, nextHopProtocol } from "./clients.js";

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

async function caught(p: Promise<unknown>): Promise<TripleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return e as TripleError;
  }
  throw new Error("expected the call to fail");
}

it("runs cross-origin: the page and the server are different origins", () => {
  for (const l of listeners) expect(new URL(baseUrl(l)).origin).not.toBe(location.origin);
});

describe.each(listeners)("unary in Chromium over %s", (listener) => {
  it("negotiates the expected HTTP version (seen from the request headers the server got)", async () => {
    const res = await interopClient(listener).unary({ text: "which protocol" });
    const protocol = nextHopProtocol(baseUrl(listener));
    // Resource Timing hides nextHopProtocol of a cross-origin entry without Timing-Allow-Origin,
    // so the proof is on the server side: HTTP/1.1 carries Host and Connection, HTTP/2 neither
    // (it has :authority) and Chromium adds the RFC 9218 Priority header only on h2.
    const seen = res.requestHeaders;
    console.log(
      `[chromium ${listener}] nextHopProtocol "${protocol}"; server saw host=${seen["host"] !== undefined} ` +
        `connection=${seen["connection"] ?? "-"} priority=${seen["priority"] ?? "-"} sec-fetch-site=${seen["sec-fetch-site"]}`,
    );
    if (listener === "h1") {
      expect(seen["host"]).toBeDefined();
      expect(seen["connection"]).toBe("keep-alive");
    } else {
      expect(seen["host"]).toBeUndefined();
      expect(seen["connection"]).toBeUndefined();
    }
    expect(seen["sec-fetch-mode"]).toBe("cors");
    expect(seen["origin"]).toBe(location.origin);
  });

  describe.each(formats)("%s", (_, format) => {
    const client = interopClient(listener, format ? { format } : {});

    it("round-trips a message", async () => {
      const res = await client.unary({ text: "hello from chromium", payload: Uint8Array.of(1, 2, 3, 255) });
      expect(res.text).toBe("hello from chromium");
      expect(Array.from(res.payload)).toEqual([1, 2, 3, 255]);
      expect(res.servedBy).toBe("default");
      expect(res.requestHeaders["content-type"]).toBe(format ? "application/json" : "application/proto");
      expect(res.requestHeaders["tri-protocol-version"]).toBe("1.0.0");
    });

    it.each(Array.from({ length: 16 }, (_, i) => i + 1))("delivers status code %i with message and metadata", async (code) => {
      const err = await caught(client.unary({ error: { code, message: `failure ${code}`, metadata: { "x-err": `v${code}` } } }));
      expect(err.code).toBe(code);
      expect(err.rawMessage).toBe(`failure ${code}`);
      // Error metadata travels as response headers: visible only because the server exposes them.
      expect(err.metadata.get("x-err")).toBe(`v${code}`);
    });

    it("round-trips error details", async () => {
      const err = await caught(client.unary({ error: { code: Code.FailedPrecondition, message: "m", detailReason: "quota" } }));
      expect(err.code).toBe(Code.FailedPrecondition);
      const [detail] = err.findDetails(ErrorDetailSchema);
      expect(detail?.reason).toBe("quota");
      expect(detail?.retryAfterMs).toBe(250);
    });
  });

  const client = interopClient(listener);

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
    expect(header?.has("trailer-x-echo-plain")).toBe(false);
    const visible: string[] = [];
    header?.forEach((_, k) => visible.push(k));
    console.log(`[chromium ${listener}] unary response headers visible to the page: ${visible.sort().join(", ")}`);
  });

  it("routes by version and group; a miss (empty 404) is Unimplemented", async () => {
    const blue = interopClient(listener, {}, { version: "2.0.0", group: "blue" });
    expect((await blue.unary({})).servedBy).toBe("2.0.0/blue");
    const err = await caught(interopClient(listener, {}, { version: "9.9.9" }).unary({}));
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.message).toMatch(/HTTP 404/);
  });

  it("compresses requests and accepts compressed responses with gzip (CompressionStream)", async () => {
    const gz = interopClient(listener, { compression: { accept: [gzip], send: gzip } });
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
    const started = performance.now();
    const err = await caught(client.unary({ delayMs: 3000 }, { timeoutMs: 200 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it("enforces the deadline locally even when the server never hears of it", async () => {
    const noHeader = interopClient(listener, {
      interceptors: [
        (next) => async (req) => {
          req.header.delete("tri-service-timeout");
          return next(req);
        },
      ],
    });
    const err = await caught(noHeader.unary({ delayMs: 3000 }, { timeoutMs: 150 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(err.message).toMatch(/deadline of 150 ms/);
  });

  it("ends as Canceled when the caller aborts (Chromium's DOMException AbortError)", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await caught(client.unary({ delayMs: 3000 }, { signal: ac.signal }));
    expect(err.code).toBe(Code.Canceled);
  });

  it("fails a response over the read limit with ResourceExhausted", async () => {
    const err = await caught(interopClient(listener, { readMaxBytes: 1000 }).unary({ payload: new Uint8Array(5000) }));
    expect(err.code).toBe(Code.ResourceExhausted);
  });
});

it("an unreachable server is Unavailable, naming the URL", async () => {
  const { createClient, createFetchTransport } = await import("triple-es");
  const { InteropService } = await import("../gen/triple/interop/v1/interop_pb.js");
  const client = createClient(InteropService, createFetchTransport({ baseUrl: "http://127.0.0.1:1" }));
  const err = await caught(client.unary({}));
  expect(err.code).toBe(Code.Unavailable);
  expect(err.message).toMatch(/127\.0\.0\.1:1/);
  console.log(`[chromium] unreachable server: ${err.message}`);
});
