import { describe, expect, it } from "vitest";
import { binaryFormat } from "../../../src/format/binary.js";
import { json } from "../../../src/json.js";
import { gzip } from "../../../src/gzip.js";
import { encodeTimeout } from "../../../src/protocol/request-headers.js";
import { requestHeaders } from "../../../src/protocol-triple/headers.js";

const base = {
  format: binaryFormat,
  timeoutMs: undefined,
  version: undefined,
  group: undefined,
  sendCompression: undefined,
  acceptCompression: [],
  defaults: new Headers(),
  call: undefined,
};

describe("requestHeaders", () => {
  it("sets the unary content type and protocol version", () => {
    const h = requestHeaders({ ...base, kind: "unary" as const });
    expect(h.get("content-type")).toBe("application/proto");
    expect(h.get("tri-protocol-version")).toBe("1.0.0");
    expect(h.has("tri-service-timeout")).toBe(false);
    expect(h.has("tri-service-version")).toBe(false);
    expect(h.has("tri-service-group")).toBe(false);
  });

  it("uses the enveloped content types for streams, in both formats", () => {
    expect(requestHeaders({ ...base, kind: "server_streaming" as const }).get("content-type")).toBe("application/connect+proto");
    expect(requestHeaders({ ...base, kind: "server_streaming" as const, format: json() }).get("content-type")).toBe("application/connect+json");
    expect(requestHeaders({ ...base, kind: "unary" as const, format: json() }).get("content-type")).toBe("application/json");
  });

  it("sends timeout, version and group for every call kind", () => {
    for (const kind of ["unary", "server_streaming", "client_streaming", "bidi_streaming"] as const) {
      const h = requestHeaders({ ...base, kind, timeoutMs: 1500.2, version: "2.0.0", group: "blue" });
      expect(h.get("tri-service-timeout")).toBe("1501");
      expect(h.get("triple-timeout-ms")).toBe("1501");
      expect(h.get("tri-service-version")).toBe("2.0.0");
      expect(h.get("tri-service-group")).toBe("blue");
    }
  });

  it("lets call headers win over transport headers but never over protocol headers", () => {
    const h = requestHeaders({
      ...base,
      kind: "unary" as const,
      defaults: new Headers({ "x-a": "transport", "x-b": "transport" }),
      call: { "x-a": "call", "content-type": "text/plain" },
    });
    expect(h.get("x-a")).toBe("call");
    expect(h.get("x-b")).toBe("transport");
    expect(h.get("content-type")).toBe("application/proto");
  });

  it("negotiates stream compression with the Connect headers", () => {
    const h = requestHeaders({ ...base, kind: "server_streaming" as const, sendCompression: gzip, acceptCompression: [gzip] });
    expect(h.get("connect-content-encoding")).toBe("gzip");
    expect(h.get("connect-accept-encoding")).toBe("gzip");
  });

  it("clamps the timeout to 1..10 digits", () => {
    expect(encodeTimeout(0)).toBe("1");
    expect(encodeTimeout(1e12)).toBe("9999999999");
  });
});
