import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { codeFromJavaStatus, javaErrorFromResponse, parseJavaError } from "../../../src/protocol-java/validate-response.js";

const none = new Headers();

describe("Java's error object", () => {
  it("takes the code from the code name in the message, not from the shared HTTP status", () => {
    const e = parseJavaError({ message: "FAILED_PRECONDITION : not yet", status: "400" }, none)!;
    expect(e.code).toBe(Code.FailedPrecondition);
    expect(e.rawMessage).toBe("not yet");
    expect(parseJavaError({ message: "OUT_OF_RANGE : x : y", status: "400" }, none)!.rawMessage).toBe("x : y");
    // Java spells code 1 as gRPC does.
    expect(parseJavaError({ message: "CANCELLED : gone", status: "499" }, none)).toMatchObject({ code: Code.Canceled, rawMessage: "gone" });
  });

  it("falls back to Java's own status table when the message names no code", () => {
    expect(parseJavaError({ message: "gone", status: "499" }, none)!.code).toBe(Code.Canceled);
    expect(parseJavaError({ message: "Request Timeout", status: "408" }, none)!.code).toBe(Code.DeadlineExceeded);
    expect(codeFromJavaStatus(504)).toBe(Code.DeadlineExceeded);
    expect(codeFromJavaStatus(501)).toBe(Code.Unimplemented);
    expect(codeFromJavaStatus(503)).toBe(Code.Unavailable);
  });

  it("explains Java's bare routing answer: rpc names in lowerCamel or the gateway", () => {
    const e = javaErrorFromResponse(404, new Headers({ "content-type": "application/json" }), '{"message":"Invoker not found","status":"404"}');
    expect(e.code).toBe(Code.Unimplemented);
    expect(e.rawMessage).toMatch(/lowerCamel.*rpc sayHello.*gateway/s);
  });

  it("reads the error of a stream that failed before its first event, sent as one SSE event", () => {
    const e = javaErrorFromResponse(403, new Headers({ "content-type": "text/event-stream" }), 'data:{"message":"PERMISSION_DENIED : no","status":"403"}\n\n');
    expect(e.code).toBe(Code.PermissionDenied);
    expect(e.rawMessage).toBe("no");
  });

  it("maps a proxy's HTML page by Java's status table and quotes it", () => {
    const e = javaErrorFromResponse(504, new Headers({ "content-type": "text/html" }), "<html><h1>504 Gateway Time-out</h1></html>");
    expect(e.code).toBe(Code.DeadlineExceeded);
    expect(e.rawMessage).toMatch(/HTTP 504 with text\/html body: <html><h1>504 Gateway Time-out/);
  });

  it("is not some other JSON", () => {
    expect(parseJavaError({ status: 7, message: "x" }, none)).toBeUndefined();
    expect(parseJavaError({ code: "internal" }, none)).toBeUndefined();
    expect(parseJavaError([], none)).toBeUndefined();
  });
});
