import { expect } from "vitest";
import { TripleError } from "triple-es";

/**
 * The TripleError that `p` rejects with. Fails the test when `p` resolves, or rejects with
 * anything else: every failure the SDK reports must be a TripleError.
 */
export async function caught(p: Promise<unknown>): Promise<TripleError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return e as TripleError;
  }
  throw new Error("expected the call to fail");
}
