// httpGet (triple-es/http-get): which calls become GET, the URL they get, what they leave out,
// the POST fallback, and the dialects that refuse it. The fetch is a recording double; the real
// servers are in test/interop/http-get.test.ts and test/browser/http-get.test.ts.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { createFetchTransport, type Compression, type FetchTransportOptions } from "triple-es";
import { httpGet, DEFAULT_MAX_URL_BYTES } from "triple-es/http-get";
import { json } from "triple-es/json";
import { dubboJava } from "triple-es/protocol-java";
import { dubboGo } from "triple-es/protocol-go";
import { dubboJs } from "triple-es/protocol-triple";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { StreamStatsRequestSchema, StreamStatsResponseSchema } from "../../gen/triple/interop/v1/interop_pb.js";

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

const base = "http://api.test";
const statsPath = `${base}/triple.interop.v1.InteropService/GetStreamStats`;

/** A client whose fetch records each request and answers with an empty message of `type`. */
function recording(options: Partial<FetchTransportOptions> = {}, type = "application/proto") {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, method: init.method ?? "GET", headers: new Headers(init.headers), body: init.body });
    const body = type === "application/json" ? "{}" : new Uint8Array(0);
    return new Response(body, { status: 200, headers: { "content-type": type } });
  }) as typeof globalThis.fetch;
  const client = createInteropServiceClient(createFetchTransport({ baseUrl: base, fetch, httpGet: httpGet(), ...options }));
  return { client, sent };
}

describe("httpGet", () => {
  it("sends a NO_SIDE_EFFECTS unary method as GET: binary message base64url in the query, no body", async () => {
    const { client, sent } = recording();
    await client.getStreamStats({ streamId: "a/b+c?" });
    const [req] = sent;
    expect(req!.method).toBe("GET");
    expect(req!.body).toBeUndefined();
    const url = new URL(req!.url);
    expect(`${url.origin}${url.pathname}`).toBe(statsPath);
    expect([...url.searchParams.keys()]).toEqual(["triple", "encoding", "base64", "message"]);
    expect(url.searchParams.get("triple")).toBe("v1.0.0");
    expect(url.searchParams.get("encoding")).toBe("proto");
    expect(url.searchParams.get("base64")).toBe("1");
    const message = url.searchParams.get("message")!;
    expect(message).toMatch(/^[A-Za-z0-9_-]*$/); // URL alphabet, unpadded
    expect(fromBinary(StreamStatsRequestSchema, base64Decode(message)).streamId).toBe("a/b+c?");
  });

  it("sends JSON percent-encoded, without base64", async () => {
    const { client, sent } = recording({ format: json() }, "application/json");
    await client.getStreamStats({ streamId: "ü &=#" });
    const url = new URL(sent[0]!.url);
    expect(url.searchParams.get("encoding")).toBe("json");
    expect(url.searchParams.has("base64")).toBe(false);
    expect(JSON.parse(url.searchParams.get("message")!)).toEqual({ streamId: "ü &=#" });
  });

  it("leaves out Content-Type and TRI-Protocol-Version; the deadline, version, group and metadata stay headers", async () => {
    const plain = recording();
    await plain.client.getStreamStats({});
    // Nothing but what the runtime adds: a CORS "simple" request.
    expect([...plain.sent[0]!.headers.keys()]).toEqual([]);

    const sent: Sent[] = [];
    const c = createInteropServiceClient(
      createFetchTransport({ baseUrl: base, httpGet: httpGet(), headers: { "x-app": "1" }, fetch: recordInto(sent) }),
      { version: "2.0.0", group: "blue" },
    );
    await c.getStreamStats({}, { timeoutMs: 1500, headers: { "x-call": "2" } });
    const h = sent[0]!.headers;
    expect(sent[0]!.method).toBe("GET");
    expect(h.get("content-type")).toBeNull();
    expect(h.get("tri-protocol-version")).toBeNull();
    expect(h.get("tri-service-timeout")).toBe("1500");
    expect(h.get("triple-timeout-ms")).toBe("1500");
    expect(h.get("tri-service-version")).toBe("2.0.0");
    expect(h.get("tri-service-group")).toBe("blue");
    expect(h.get("x-app")).toBe("1");
    expect(h.get("x-call")).toBe("2");
  });

  it("keeps methods without NO_SIDE_EFFECTS, and streams, as POST with a body", async () => {
    const { client, sent } = recording();
    const unary = recording({}, "application/proto");
    await unary.client.unary({ text: "x" }).catch(() => {});
    expect(unary.sent[0]!.method).toBe("POST");
    expect(unary.sent[0]!.body).toBeInstanceOf(Uint8Array);
    expect(unary.sent[0]!.headers.get("content-type")).toBe("application/proto");

    // A server stream's answer here is not a stream; only the request form matters.
    await expect(client.serverStream({ count: 1 })[Symbol.asyncIterator]().next()).rejects.toThrow();
    expect(sent[0]!.method).toBe("POST");
    expect(sent[0]!.url).toBe(`${base}/triple.interop.v1.InteropService/ServerStream`);
  });

  it("falls back to POST when the URL would pass maxUrlBytes (default 8 KiB), GET up to it", async () => {
    expect(DEFAULT_MAX_URL_BYTES).toBe(8192);
    const { client, sent } = recording();
    await client.getStreamStats({ streamId: "x".repeat(9000) });
    expect(sent[0]!.method).toBe("POST");
    expect(fromBinary(StreamStatsRequestSchema, sent[0]!.body as Uint8Array).streamId).toHaveLength(9000);

    // The bound is inclusive: a URL of exactly maxUrlBytes is sent as GET, one byte more is POST.
    const probe = recording({ httpGet: httpGet({ maxUrlBytes: 100_000 }) });
    await probe.client.getStreamStats({ streamId: "y".repeat(60) });
    const length = probe.sent[0]!.url.length;
    for (const [max, method] of [[length, "GET"], [length - 1, "POST"]] as const) {
      const r = recording({ httpGet: httpGet({ maxUrlBytes: max }) });
      await r.client.getStreamStats({ streamId: "y".repeat(60) });
      expect(r.sent[0]!.method).toBe(method);
    }
  });

  it("sends a compressed message base64 with compression=, and no Content-Encoding header", async () => {
    const reverse: Compression = {
      name: "rev",
      compress: async (b) => b.slice().reverse(),
      decompress: async (b) => b.slice().reverse(),
    };
    const { client, sent } = recording({ format: json(), compression: { send: reverse, minBytes: 0 } }, "application/json");
    await client.getStreamStats({ streamId: "z" });
    const url = new URL(sent[0]!.url);
    expect(url.searchParams.get("compression")).toBe("rev");
    expect(url.searchParams.get("base64")).toBe("1");
    const text = new TextDecoder().decode(base64Decode(url.searchParams.get("message")!).reverse());
    expect(JSON.parse(text)).toEqual({ streamId: "z" });
    expect(sent[0]!.headers.get("content-encoding")).toBeNull();
  });

  it("reads the GET response like any unary response", async () => {
    const payload = toBinary(StreamStatsResponseSchema, create(StreamStatsResponseSchema, { known: true, consumed: 3 }));
    const fetch = (async () =>
      new Response(payload, { status: 200, headers: { "content-type": "application/proto" } })) as typeof globalThis.fetch;
    const client = createInteropServiceClient(createFetchTransport({ baseUrl: base, fetch, httpGet: httpGet() }));
    expect(await client.getStreamStats({})).toMatchObject({ known: true, consumed: 3 });
  });

  it("is a TypeError with Dubbo Java and dubbo-go (neither serves GET), accepted with dubboJs()", () => {
    expect(() => createFetchTransport({ baseUrl: base, protocol: dubboJava(), format: json(), httpGet: httpGet() })).toThrow(
      new TypeError(
        'httpGet works only with dubbo-js servers, not protocol "dubbo-java": Dubbo Java 3.3 answers GET with 500 and dubbo-go 3.3 with 405 (neither reads the query form); remove httpGet from this transport',
      ),
    );
    expect(() => createFetchTransport({ baseUrl: base, protocol: dubboGo(), httpGet: httpGet() })).toThrow(TypeError);
    expect(() => createFetchTransport({ baseUrl: base, protocol: dubboJs(), httpGet: httpGet() })).not.toThrow();
  });

  it("refuses a maxUrlBytes that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(() => httpGet({ maxUrlBytes: bad })).toThrow(TypeError);
    }
  });

  it("changes nothing without the option: every call is a POST", async () => {
    const { client, sent } = recording({ httpGet: undefined as never });
    await client.getStreamStats({});
    expect(sent[0]!.method).toBe("POST");
  });
});

function recordInto(sent: Sent[]): typeof globalThis.fetch {
  return (async (url: string, init: RequestInit) => {
    sent.push({ url, method: init.method ?? "GET", headers: new Headers(init.headers), body: init.body });
    return new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/proto" } });
  }) as typeof globalThis.fetch;
}
