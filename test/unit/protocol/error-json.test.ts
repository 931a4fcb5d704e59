import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { errorFromHttpResponse, parseErrorJson } from "../../../src/protocol/error-json.js";
import { codeFromHttpStatus } from "../../../src/protocol/http-status.js";

const json = { "content-type": "application/json" };

describe("parseErrorJson", () => {
  it.each([
    ["dubbo-js numeric status", { status: 7, message: "no" }, Code.PermissionDenied],
    ["dubbo-go / Connect string code", { code: "permission_denied", message: "no" }, Code.PermissionDenied],
    ["Connect numeric code", { code: 5, message: "no" }, Code.NotFound],
    ["Java digit-string status (HTTP 500)", { status: "500", message: "no" }, Code.Unknown],
    ["Java digit-string status (HTTP 404)", { status: "404", message: "no" }, Code.Unimplemented],
    ["Java digit-string status (HTTP 503)", { status: "503", message: "no" }, Code.Unavailable],
  ])("reads the %s shape", (_, body, code) => {
    const err = parseErrorJson(body, new Headers({ "x-a": "1" }));
    expect(err?.code).toBe(code);
    expect(err?.rawMessage).toBe("no");
    expect(err?.metadata.get("x-a")).toBe("1");
  });

  it.each([[null], [[]], ["text"], [{ status: 99 }], [{ code: "nope" }], [{ message: "only" }]])(
    "returns undefined for %j",
    (value) => {
      expect(parseErrorJson(value, new Headers())).toBeUndefined();
    },
  );

  it("decodes details, padded or not, with or without the type URL prefix", () => {
    const err = parseErrorJson(
      {
        status: 3,
        message: "bad",
        details: [
          { type: "a.B", value: "AQID" },
          { type: "type.googleapis.com/a.C", value: "AQI", debug: { x: 1 } },
          { type: "a.D", value: 42 },
        ],
      },
      new Headers(),
    );
    expect(err?.details).toEqual([
      { type: "a.B", value: Uint8Array.of(1, 2, 3) },
      { type: "a.C", value: Uint8Array.of(1, 2), debug: { x: 1 } },
    ]);
  });
});

describe("errorFromHttpResponse", () => {
  it("uses a JSON error body when there is one", () => {
    const err = errorFromHttpResponse(500, new Headers(json), '{"status":13,"message":"boom"}');
    expect(err.code).toBe(Code.Internal);
    expect(err.message).toBe("[internal] boom");
  });

  it("maps a proxy's HTML 502 to Unavailable and quotes it", () => {
    const err = errorFromHttpResponse(
      502,
      new Headers({ "content-type": "text/html" }),
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    expect(err.code).toBe(Code.Unavailable);
    expect(err.message).toContain("HTTP 502");
    expect(err.message).toContain("502 Bad Gateway");
  });

  it("maps an empty 404 to Unimplemented", () => {
    const err = errorFromHttpResponse(404, new Headers(), "");
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.message).toMatch(/HTTP 404 with an empty body/);
  });

  it("falls back to the status for JSON in an unknown shape", () => {
    expect(errorFromHttpResponse(429, new Headers(json), '{"error":"slow down"}').code).toBe(Code.Unavailable);
  });
});

describe("codeFromHttpStatus", () => {
  it.each([
    [400, Code.InvalidArgument],
    [401, Code.Unauthenticated],
    [403, Code.PermissionDenied],
    [404, Code.Unimplemented],
    [408, Code.DeadlineExceeded],
    [409, Code.Aborted],
    [412, Code.FailedPrecondition],
    [413, Code.ResourceExhausted],
    [415, Code.Internal],
    [429, Code.Unavailable],
    [431, Code.ResourceExhausted],
    [502, Code.Unavailable],
    [503, Code.Unavailable],
    [504, Code.Unavailable],
    [500, Code.Unknown],
    [418, Code.Unknown],
  ])("%i → %s", (status, code) => {
    expect(codeFromHttpStatus(status)).toBe(code);
  });
});
