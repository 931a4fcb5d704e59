import type { TripleError } from "../errors.js";

/**
 * A stream's trailer promise and its two settlers, for a dialect's body reader to settle at the
 * end of the body. Marked handled: nobody is obliged to look at the trailer, and its failure is
 * reported through the messages too.
 */
export function trailerPromise(): { trailer: Promise<Headers>; settle: (trailer: Headers) => void; fail: (error: TripleError) => void } {
  let settle!: (trailer: Headers) => void;
  let fail!: (error: TripleError) => void;
  const trailer = new Promise<Headers>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  trailer.catch(() => {});
  return { trailer, settle, fail };
}

/** Something messages are read from one at a time: a {@link StreamBodyReader} or a stream's reader. */
export interface MessageReader<T> {
  read(): Promise<ReadableStreamReadResult<T>>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A pull-based ReadableStream over a message reader: each pull reads one message, and the queue
 * holds at most `highWaterMark` parsed messages. Errors surface after the queued messages,
 * because the reader reports a failure only once everything before it was read.
 */
export function messageStream<T>(reader: MessageReader<T>, highWaterMark: number): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          const r = await reader.read();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          controller.error(e);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    new CountQueuingStrategy({ highWaterMark }),
  );
}
