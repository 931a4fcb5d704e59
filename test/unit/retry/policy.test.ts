// The retry loop end to end through a client: a transport that fails a chosen number of attempts
// in front of the in-memory server (triple-es/testing), fake timers for every wait.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Code, createClient, createTransport, TripleError, type HttpResponse } from "triple-es";
import { retryPolicy, type TripleRetryPolicy } from "triple-es/retry";
import { createInMemoryTransport } from "triple-es/testing";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { caught } from "../../support/caught.js";

/** How the front of the transport fails an attempt. */
type Failure = "reset" | { status: number; headers?: Record<string, string> };

interface Flaky {
  client: ReturnType<typeof createClient<typeof InteropService>>;
  /** The attempt header of every attempt that reached the transport, in order. */
  seen: (string | null)[];
  /** The deadline header (`tri-service-timeout`) of every attempt, in order. */
  timeouts: (string | null)[];
  /** Server-stream attempts the handler saw (the transport's failures never reach it). */
  streamsServed: number;
}

/**
 * A client whose transport fails its first `failures` attempts (a reset before any response, or
 * an HTTP error such as a 503 with Retry-After), then passes them to the in-memory server.
 * `streamFailsBeforeFirst`: the handler's first N server streams fail before their first message.
 */
function flaky(
  failures: number,
  how: Failure,
  retry: TripleRetryPolicy | undefined,
  server: { streamFailsBeforeFirst?: number; streamFailsAfterFirst?: boolean } = {},
): Flaky {
  const state: Flaky = { client: undefined as never, seen: [], timeouts: [], streamsServed: 0 };
  const inner = createInMemoryTransport(InteropService, {
    unary: async (req) => ({ text: req.text }),
    releaseHold: async () => ({ wasWaiting: false }),
    async *serverStream(req) {
      const n = ++state.streamsServed;
      if (n <= (server.streamFailsBeforeFirst ?? 0)) throw new TripleError("warming up", Code.Unavailable);
      for (let seq = 0; seq < req.count; seq++) {
        yield { seq };
        if (server.streamFailsAfterFirst) throw new TripleError("lost the backend", Code.Unavailable);
      }
    },
    async clientStream(requests) {
      let count = 0;
      for await (const _ of requests) count++;
      return { count };
    },
  });
  const transport = createTransport({
    baseUrl: "http://in-memory.invalid",
    requestStreaming: "full-duplex",
    ...(retry ? { retry } : {}),
    async roundTrip(req): Promise<HttpResponse> {
      state.seen.push(req.headers.get("tri-retry-attempt"));
      state.timeouts.push(req.headers.get("tri-service-timeout"));
      if (state.seen.length <= failures) {
        if (how === "reset") throw new TripleError("cannot reach the server: connection reset", Code.Unavailable);
        return { status: how.status, headers: new Headers(how.headers), body: null };
      }
      return inner.roundTrip(req);
    },
  });
  state.client = createClient(InteropService, transport);
  return state;
}

/** Waits 50 ms, 100 ms, 200 ms … (random fixed at 0.5 under full jitter): easy to step through. */
const policy = (extra: Parameters<typeof retryPolicy>[0] = {}) =>
  retryPolicy({ initialBackoffMs: 100, random: () => 0.5, ...extra });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("unary retries", () => {
  it("retries an IDEMPOTENT method after each backoff and succeeds, numbering the attempts", async () => {
    const f = flaky(2, "reset", policy({ maxAttempts: 3 }));
    const call = f.client.unary({ text: "hi" });
    await vi.advanceTimersByTimeAsync(49);
    expect(f.seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // first wait: 0.5 × 100
    expect(f.seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(f.seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // second wait: 0.5 × 200
    expect((await call).text).toBe("hi");
    expect(f.seen).toEqual(["1", "2", "3"]);
  });

  it("each repeated attempt sends what is left of the deadline, not the whole of it again", async () => {
    const f = flaky(2, "reset", policy({ maxAttempts: 3 }));
    const call = f.client.unary({ text: "hi" }, { timeoutMs: 5000 });
    await vi.advanceTimersByTimeAsync(150); // waits of 50 and 100 ms
    expect((await call).text).toBe("hi");
    expect(f.timeouts).toEqual(["5000", "4950", "4850"]);
  });

  it("gives up at maxAttempts with the last attempt's code and says how many were made", async () => {
    const f = flaky(10, { status: 503 }, policy({ maxAttempts: 3 }));
    const call = caught(f.client.unary({}));
    await vi.advanceTimersByTimeAsync(1000);
    const e = await call;
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toMatch(/HTTP 503.*\(3 attempts made; no more: the policy allows 3\)/);
    expect(f.seen).toEqual(["1", "2", "3"]);
  });

  it("never makes more than 5 attempts, whatever maxAttempts says", async () => {
    const f = flaky(10, "reset", policy({ maxAttempts: 9, budget: false }));
    const call = caught(f.client.unary({}));
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await call).rawMessage).toContain("5 attempts made");
    expect(f.seen).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("does not retry a code outside retryableCodes", async () => {
    const f = flaky(1, { status: 403 }, policy());
    const e = await caught(f.client.unary({}));
    expect(e.code).toBe(Code.PermissionDenied);
    expect(e.rawMessage).not.toContain("attempt");
    expect(f.seen).toEqual(["1"]);
  });

  it("waits as long as Retry-After says, instead of the backoff", async () => {
    const f = flaky(1, { status: 503, headers: { "retry-after": "2" } }, policy());
    const call = f.client.unary({ text: "later" });
    await vi.advanceTimersByTimeAsync(1999);
    expect(f.seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call).text).toBe("later");
    expect(f.seen).toHaveLength(2);
  });

  it("gives up at once when the server asks to wait past the deadline", async () => {
    const f = flaky(1, { status: 503, headers: { "retry-after": "10" } }, policy());
    const e = await caught(f.client.unary({}, { timeoutMs: 5000 }));
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toContain("1 attempt made; no more: the server asks to wait 10000 ms, past the call's deadline");
    expect(f.seen).toHaveLength(1);
  });

  it("does not retry when the pushback is negative or malformed", async () => {
    const f = flaky(1, { status: 503, headers: { "grpc-retry-pushback-ms": "-1" } }, policy());
    const e = await caught(f.client.unary({}));
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toContain('1 attempt made; no more: the server\'s grpc-retry-pushback-ms is "-1"');
    expect(f.seen).toHaveLength(1);
  });

  it("an abort during a backoff ends the call at once with Canceled, and nothing more is sent", async () => {
    const f = flaky(10, "reset", policy());
    const abort = new AbortController();
    const call = caught(f.client.unary({}, { signal: abort.signal }));
    await vi.advanceTimersByTimeAsync(10); // inside the first wait (50 ms)
    abort.abort();
    const e = await call;
    expect(e.code).toBe(Code.Canceled);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.seen).toHaveLength(1);
  });

  it("the deadline covers every attempt: it ends a backoff with DeadlineExceeded", async () => {
    const f = flaky(10, "reset", policy({ maxAttempts: 5 }));
    const call = caught(f.client.unary({}, { timeoutMs: 120 }));
    // attempt 1 at 0, wait 50, attempt 2 at 50, wait 100: the deadline at 120 falls inside it.
    await vi.advanceTimersByTimeAsync(120);
    const e = await call;
    expect(e.code).toBe(Code.DeadlineExceeded);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.seen).toHaveLength(2);
  });

  it("does not retry a method without an idempotency level, and sends no attempt header", async () => {
    const f = flaky(1, "reset", policy());
    const e = await caught(f.client.releaseHold({ holdId: "x" }));
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toBe("cannot reach the server: connection reset");
    expect(f.seen).toEqual([null]);
  });

  it("retries it when the call forces it (with(), same budget)", async () => {
    const retry = policy();
    const f = flaky(1, "reset", retry);
    const call = f.client.releaseHold({ holdId: "x" }, { retry: retry.with({ force: true }) });
    await vi.advanceTimersByTimeAsync(50);
    expect((await call).wasWaiting).toBe(false);
    expect(f.seen).toEqual(["1", "2"]);
  });

  it("retry: false on a call turns the transport's policy off for it", async () => {
    const f = flaky(1, "reset", policy());
    expect((await caught(f.client.unary({}, { retry: false }))).code).toBe(Code.Unavailable);
    expect(f.seen).toEqual([null]);
  });

  it("a call's own policy works on a transport without one", async () => {
    const f = flaky(1, "reset", undefined);
    const call = f.client.unary({ text: "own" }, { retry: policy({ attemptHeader: false }) });
    await vi.advanceTimersByTimeAsync(50);
    expect((await call).text).toBe("own");
    expect(f.seen).toEqual([null, null]);
  });
});

describe("the retry budget", () => {
  it("stops retrying once half the transport's tokens are spent, per transport", async () => {
    const retry = policy({ maxAttempts: 5, budget: { maxTokens: 4, tokenRatio: 0.5 } });
    const f = flaky(100, "reset", retry);
    // 4 tokens: failure → 3 (retry), failure → 2 (half: stop).
    const first = caught(f.client.unary({}));
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await first).rawMessage).toContain("2 attempts made; no more: the transport's retry budget is spent");
    // 2 → 1: no retry at all now.
    const second = caught(f.client.unary({}));
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await second).rawMessage).toContain("1 attempt made");
    expect(f.seen).toHaveLength(3);
    // Another transport given the same policy has its own full bucket.
    const other = flaky(100, "reset", retry);
    const third = caught(other.client.unary({}));
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await third).rawMessage).toContain("2 attempts made");
  });
});

describe("server-stream retries", () => {
  it("retries a failure before the response head", async () => {
    const f = flaky(1, { status: 503 }, policy());
    const got: number[] = [];
    const done = (async () => {
      for await (const m of f.client.serverStream({ count: 3 })) got.push(m.seq);
    })();
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(got).toEqual([0, 1, 2]);
    expect(f.seen).toEqual(["1", "2"]);
  });

  it("retries a failure after the head but before the first message", async () => {
    const f = flaky(0, "reset", policy(), { streamFailsBeforeFirst: 1 });
    const got: number[] = [];
    const done = (async () => {
      for await (const m of f.client.serverStream({ count: 2 })) got.push(m.seq);
    })();
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(got).toEqual([0, 1]);
    expect(f.streamsServed).toBe(2);
  });

  it("never retries once a message reached the caller", async () => {
    const f = flaky(0, "reset", policy(), { streamFailsAfterFirst: true });
    const got: number[] = [];
    const e = await caught(
      (async () => {
        for await (const m of f.client.serverStream({ count: 3 })) got.push(m.seq);
      })(),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toBe("lost the backend");
    expect(got).toEqual([0]);
    expect(f.streamsServed).toBe(1);
    expect(f.seen).toEqual(["1"]);
  });
});

describe("client streams", () => {
  it("are never retried, even on a transport with a policy", async () => {
    const f = flaky(1, "reset", policy({ force: true }));
    const e = await caught(f.client.clientStream([{ seq: 1 }]));
    expect(e.code).toBe(Code.Unavailable);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.seen).toEqual([null]);
  });
});
