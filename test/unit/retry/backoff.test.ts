// The backoff: an exponential ceiling capped at maxBackoffMs, and the wait drawn below it.
import { describe, expect, it } from "vitest";
import { retryPolicy } from "triple-es/retry";
import { backoffMs } from "../../../src/retry/backoff.js";
import { seeded as seededRandom } from "../../support/seeded.js";

describe("backoffMs", () => {
  it("grows by the multiplier up to maxBackoffMs (ceilings seen with random → 1)", () => {
    const options = retryPolicy({ initialBackoffMs: 100, backoffMultiplier: 2, maxBackoffMs: 1000, random: () => 1 - Number.EPSILON }).options;
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => Math.round(backoffMs(n, options)));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("full jitter: the wait is random × ceiling, so 0 is possible", () => {
    const options = retryPolicy({ initialBackoffMs: 100, random: () => 0 }).options;
    expect(backoffMs(1, options)).toBe(0);
    const half = retryPolicy({ initialBackoffMs: 100, random: () => 0.5 }).options;
    expect(backoffMs(2, half)).toBe(100);
  });

  it("equal jitter: the wait is between half the ceiling and the ceiling", () => {
    const low = retryPolicy({ initialBackoffMs: 100, jitter: "equal", random: () => 0 }).options;
    expect(backoffMs(1, low)).toBe(50);
    expect(backoffMs(3, low)).toBe(200);
  });

  it("stays within its bounds for a seeded random, the same sequence on every run", () => {
    for (const jitter of ["full", "equal"] as const) {
      const options = retryPolicy({ initialBackoffMs: 100, maxBackoffMs: 800, jitter, random: seededRandom(42) }).options;
      const waits: number[] = [];
      for (let i = 0; i < 200; i++) {
        const failed = (i % 5) + 1;
        const ceiling = Math.min(100 * 2 ** (failed - 1), 800);
        const w = backoffMs(failed, options);
        expect(w).toBeGreaterThanOrEqual(jitter === "full" ? 0 : ceiling / 2);
        expect(w).toBeLessThan(ceiling);
        waits.push(w);
      }
      const again = retryPolicy({ initialBackoffMs: 100, maxBackoffMs: 800, jitter, random: seededRandom(42) }).options;
      expect(waits.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((n) => backoffMs(n, again)));
    }
  });
});
