// Small helpers the conformance cases share: awaiting a call's TripleError, draining streams,
// and checking a refusal against its capability entry.

import { Code, codeToString, TripleError, type CallOptions } from "triple-es";
import { withGrowingDeadline } from "../support/growing-deadline.js";
import type { Unsupported } from "./capabilities.js";
import { assert, rejection } from "./harness.js";

/** The TripleError that `p` rejects with. */
export async function tripleError(p: Promise<unknown>): Promise<TripleError> {
  const e = await rejection(p);
  if (!(e instanceof TripleError)) assert.fail(`expected a TripleError, got ${String(e)}`);
  return e;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of it) out.push(m);
  return out;
}

/** Iterates until the stream fails; the messages before the failure go into `received`. */
export async function streamError<T>(it: AsyncIterable<T>, received: T[] = []): Promise<TripleError> {
  return tripleError(
    (async () => {
      for await (const m of it) received.push(m);
    })(),
  );
}

export async function expectUnsupported(p: Promise<unknown>, caps: Unsupported): Promise<string> {
  const err = await tripleError(p);
  assert.equal(
    err.code,
    caps.code,
    `code (expected ${codeToString(caps.code)}, got ${codeToString(err.code)}: ${err.message})`,
  );
  assert.includes(err.message, caps.message, "error message");
  return err.message;
}

/**
 * Reads `read()` until `done` holds for what it returns, pausing briefly between reads, and
 * returns that value. No bound of its own: the test's timeout catches a server that never gets there.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The one server-stream method {@link deadlineMidStream} needs of the interop client. */
interface DelayedServerStream {
  serverStream(request: { count: number; delayMs: number }, options: CallOptions): AsyncIterable<unknown>;
}

/**
 * The "DeadlineExceeded mid-stream" case: the server sends its first message at once, then waits
 * far past the deadline, so the call is mid-stream when the deadline fires and exactly one message
 * has arrived. The deadline grows from 2 s while a busy machine delivers nothing before it (see
 * withGrowingDeadline). Returns the case's note: the deadline it took, when it had to grow.
 */
export async function deadlineMidStream(c: DelayedServerStream): Promise<string | undefined> {
  const { err, received, timeoutMs } = await withGrowingDeadline(async (timeoutMs) => {
    const got: unknown[] = [];
    const err = await streamError(c.serverStream({ count: 2, delayMs: 60_000 }, { timeoutMs }), got);
    return { err, received: got.length };
  });
  assert.equal(err.code, Code.DeadlineExceeded, "code");
  assert.equal(received, 1, "messages before the deadline");
  return timeoutMs > 2_000 ? `deadline grown to ${timeoutMs} ms before the first message came in time` : undefined;
}
