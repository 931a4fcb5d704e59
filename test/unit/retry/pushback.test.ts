// Server pushback: grpc-retry-pushback-ms and Retry-After (seconds or an HTTP date).
import { describe, expect, it } from "vitest";
import { pushbackOf } from "../../../src/retry/pushback.js";

const now = Date.parse("Sun, 06 Dec 2026 03:00:00 GMT");
const of = (init: Record<string, string>) => pushbackOf(new Headers(init), now);

describe("pushbackOf", () => {
  it("none without either header", () => {
    expect(of({})).toEqual({ kind: "none" });
  });
  it("grpc-retry-pushback-ms: a non-negative integer is the wait", () => {
    expect(of({ "grpc-retry-pushback-ms": "250" })).toEqual({ kind: "wait", ms: 250 });
    expect(of({ "grpc-retry-pushback-ms": "0" })).toEqual({ kind: "wait", ms: 0 });
  });
  it.each(["-1", "abc", "1.5", ""])("grpc-retry-pushback-ms %j means do not retry", (v) => {
    expect(of({ "grpc-retry-pushback-ms": v }).kind).toBe("stop");
  });
  it("Retry-After in seconds", () => {
    expect(of({ "retry-after": "2" })).toEqual({ kind: "wait", ms: 2000 });
  });
  it("Retry-After as an HTTP date, in the future or the past (then at once)", () => {
    expect(of({ "retry-after": "Sun, 06 Dec 2026 03:00:03 GMT" })).toEqual({ kind: "wait", ms: 3000 });
    expect(of({ "retry-after": "Sun, 06 Dec 2026 02:59:00 GMT" })).toEqual({ kind: "wait", ms: 0 });
  });
  it.each(["-1", "soon", "1.5", "5s"])("Retry-After %j means do not retry", (v) => {
    const p = of({ "retry-after": v });
    expect(p.kind).toBe("stop");
    if (p.kind === "stop") expect(p.why).toContain(v);
  });
  it("grpc-retry-pushback-ms wins over Retry-After", () => {
    expect(of({ "grpc-retry-pushback-ms": "10", "retry-after": "5" })).toEqual({ kind: "wait", ms: 10 });
  });
});
