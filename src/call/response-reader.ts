import { Code } from "../code.js";
import { TripleError } from "../errors.js";

/**
 * The ways a call's responses can be read: the `responses` stream, the single `response` of a
 * client stream, or `read()` directly (the async-iterable forms).
 */
export type ResponseReaderName = "responses" | "response" | "read()";

/**
 * The error a second reader of one call gets. A call's responses are one sequence read once:
 * two readers pulling from it would each get part of it (a message lost to the other) or wait for
 * one the other took (a hang). The first reader keeps the call; the second fails at once, clearly,
 * and the call goes on untouched.
 */
export function secondReaderError(first: ResponseReaderName, second: ResponseReaderName): TripleError {
  return new TripleError(
    `the call's responses are already read through ${first}; ${second} cannot read them too (read one or the other)`,
    Code.FailedPrecondition,
  );
}
