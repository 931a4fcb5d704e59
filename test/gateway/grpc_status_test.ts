// Unit tests of gateway/grpc-status.ts: how a gRPC answer's status becomes the Triple error, for
// the shapes the real servers send (see test/webtransport/browser/grpc-upstream.test.ts for the
// same against Dubbo Java and dubbo-go) and the ones they do not (details in a google.rpc.Status).

import { assertEquals } from "./assert.ts";
import { atDeadline, decodeStatusDetails, encodeGrpcTimeout, grpcOutcome, requestTimeoutMs } from "../../gateway/grpc-status.ts";

Deno.test("status 0 is success, in the trailers or trailers-only", () => {
  assertEquals(grpcOutcome(200, {}, { "grpc-status": "0" }), null);
  assertEquals(grpcOutcome(200, { "grpc-status": "0" }, undefined), null);
});

Deno.test("dubbo-go: percent-encoded message in the trailers", () => {
  const e = grpcOutcome(200, {}, { "grpc-status": "5", "grpc-message": "%C3%BCn%C3%AFcode 100%25 fail" });
  assertEquals(e, { code: "not_found", message: "ünïcode 100% fail", details: [] });
});

Deno.test("Java: trailers-only :status 500 with the code name in front of a raw message", () => {
  const e = grpcOutcome(500, { "grpc-status": "5", "grpc-message": "NOT_FOUND : 100% raw ü" }, undefined);
  assertEquals(e, { code: "not_found", message: "100% raw ü", details: [] });
  const c = grpcOutcome(500, { "grpc-status": "1", "grpc-message": "CANCELLED : gone" }, undefined);
  assertEquals(c?.message, "gone");
});

Deno.test("Java: a deadline is :status 408 with UNKNOWN", () => {
  assertEquals(grpcOutcome(408, { "grpc-status": "2", "grpc-message": "Request Timeout" }, undefined)?.code, "deadline_exceeded");
});

Deno.test("Java: a CANCELLED after the call's deadline passed is the deadline; before it, or another code, stays as it is", () => {
  const cancelled = grpcOutcome(500, { "grpc-status": "1", "grpc-message": "CANCELLED : call cancelled: null" }, undefined);
  assertEquals(atDeadline(cancelled, true)?.code, "deadline_exceeded");
  assertEquals(atDeadline(cancelled, true)?.message, "the call's deadline passed (upstream answered CANCELLED: call cancelled: null)");
  assertEquals(atDeadline(cancelled, false), cancelled);
  const notFound = grpcOutcome(200, {}, { "grpc-status": "5", "grpc-message": "x" });
  assertEquals(atDeadline(notFound, true), notFound);
  assertEquals(atDeadline(null, true), null);
});

Deno.test("no grpc-status: the HTTP status says it (dubbo-go's unknown method is a 404)", () => {
  assertEquals(grpcOutcome(404, { "content-type": "text/plain" }, undefined)?.code, "unimplemented");
  assertEquals(grpcOutcome(503, {}, undefined)?.code, "unavailable");
  assertEquals(grpcOutcome(200, {}, {})?.code, "internal");
});

Deno.test("details from grpc-status-details-bin (google.rpc.Status with one Any)", () => {
  // Status{code: 9, message: "m", details: [Any{type_url: "type.googleapis.com/x.Y", value: 0x08 0x01}]}
  const typeUrl = new TextEncoder().encode("type.googleapis.com/x.Y");
  const any = [0x0a, typeUrl.length, ...typeUrl, 0x12, 2, 0x08, 0x01];
  const status = Uint8Array.from([0x08, 9, 0x12, 1, 0x6d, 0x1a, any.length, ...any]);
  const b64 = btoa(String.fromCharCode(...status)).replace(/=+$/, "");
  assertEquals(decodeStatusDetails(b64), [{ type: "x.Y", value: "CAE" }]);
  const e = grpcOutcome(200, {}, { "grpc-status": "9", "grpc-message": "m", "grpc-status-details-bin": b64 });
  assertEquals(e?.details, [{ type: "x.Y", value: "CAE" }]);
});

Deno.test("undecodable details are dropped, the status stays", () => {
  assertEquals(decodeStatusDetails("!!!"), []);
  assertEquals(decodeStatusDetails(btoa("\x1a\x05ab")), []);
});

Deno.test("deadlines: read from every dialect's header, written as grpc-timeout", () => {
  assertEquals(requestTimeoutMs({ "tri-service-timeout": "3000" }), 3000);
  assertEquals(requestTimeoutMs({ "triple-timeout-ms": "250" }), 250);
  assertEquals(requestTimeoutMs({ "grpc-timeout": "2S" }), 2000);
  assertEquals(requestTimeoutMs({ "tri-service-timeout": "soon" }), undefined);
  assertEquals(encodeGrpcTimeout(300), "300m");
  assertEquals(encodeGrpcTimeout(123_456_789), "123457S");
});
