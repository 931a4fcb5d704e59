// retryPolicy's options: defaults, the cap of 5 attempts, and a TypeError for each bad value.
import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { MAX_ATTEMPTS_CAP, retryPolicy } from "triple-es/retry";

describe("retryPolicy options", () => {
  it("has gRPC-like defaults", () => {
    const o = retryPolicy().options;
    expect(o).toMatchObject({
      maxAttempts: 3,
      initialBackoffMs: 100,
      maxBackoffMs: 5000,
      backoffMultiplier: 2,
      jitter: "full",
      retryableCodes: [Code.Unavailable],
      force: false,
      attemptHeader: "tri-retry-attempt",
      budget: { maxTokens: 10, tokenRatio: 0.1 },
    });
  });

  it("caps maxAttempts at 5, as gRPC does", () => {
    expect(MAX_ATTEMPTS_CAP).toBe(5);
    expect(retryPolicy({ maxAttempts: 5 }).options.maxAttempts).toBe(5);
    expect(retryPolicy({ maxAttempts: 50 }).options.maxAttempts).toBe(5);
    expect(retryPolicy({ maxAttempts: 1 }).options.maxAttempts).toBe(1);
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts/],
    [{ maxAttempts: 2.5 }, /maxAttempts/],
    [{ initialBackoffMs: -1 }, /initialBackoffMs/],
    [{ initialBackoffMs: 200, maxBackoffMs: 100 }, /maxBackoffMs/],
    [{ backoffMultiplier: 0.5 }, /backoffMultiplier/],
    [{ jitter: "half" as never }, /jitter/],
    [{ retryableCodes: [99 as Code] }, /retryableCodes/],
    [{ attemptHeader: "X Attempt" }, /attemptHeader/],
    [{ budget: { maxTokens: 0 } }, /maxTokens/],
    [{ budget: { tokenRatio: 2 } }, /tokenRatio/],
  ])("refuses %j with a TypeError naming the option", (options, name) => {
    expect(() => retryPolicy(options)).toThrow(TypeError);
    expect(() => retryPolicy(options)).toThrow(name);
  });

  it("with() changes options and keeps the rest", () => {
    const base = retryPolicy({ maxAttempts: 4, initialBackoffMs: 10 });
    const forced = base.with({ force: true });
    expect(forced.options).toMatchObject({ maxAttempts: 4, initialBackoffMs: 10, force: true });
    expect(base.options.force).toBe(false);
  });
});
