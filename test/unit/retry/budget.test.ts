// The retry budget (gRPC's retryThrottling): retries stop at half the bucket, successes refill it.
import { describe, expect, it } from "vitest";
import { createRetryBudget } from "../../../src/retry/budget.js";

describe("createRetryBudget", () => {
  it("allows retries while more than half the tokens are left", () => {
    const b = createRetryBudget(10, 0.1);
    const allowed: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      b.onFailure();
      allowed.push(b.canRetry());
    }
    // 9, 8, 7, 6 tokens: yes; 5 (half): no; then 4, 3.
    expect(allowed).toEqual([true, true, true, true, false, false, false]);
  });

  it("is refilled by tokenRatio per success, exactly (thousandths), never above maxTokens", () => {
    const b = createRetryBudget(10, 0.1);
    for (let i = 0; i < 5; i++) b.onFailure(); // 5 tokens: throttled
    expect(b.canRetry()).toBe(false);
    for (let i = 0; i < 9; i++) b.onSuccess(); // 5.9
    expect(b.canRetry()).toBe(true);
    const full = createRetryBudget(2, 0.5);
    for (let i = 0; i < 100; i++) full.onSuccess();
    full.onFailure(); // 1 of 2: at half
    expect(full.canRetry()).toBe(false);
  });

  it("never goes below zero", () => {
    const b = createRetryBudget(4, 1);
    for (let i = 0; i < 20; i++) b.onFailure();
    b.onSuccess();
    b.onSuccess();
    expect(b.canRetry()).toBe(false); // 2 of 4
    b.onSuccess();
    expect(b.canRetry()).toBe(true);
  });
});
