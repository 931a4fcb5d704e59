import { reportCallbackError } from "../report-callback-error.js";

/**
 * How far a call's request body has gone, as reported to `onUploadProgress`. Byte counts are of
 * the request body as the transport sends it: a unary call's bare message, a stream's Triple
 * envelopes (5-byte prefix + message, after compression); never the HTTP or mapping framing.
 */
export interface UploadProgress {
  /**
   * Request body bytes handed to the network so far: a unary call's (or a one-body client
   * stream's) whole body once, when it is given to the transport; a streamed body's chunks as the
   * transport takes them (fetch: as it pulls them from the body stream; WebTransport: as the QUIC
   * stream accepts them; WebSocket: as the gateway's window lets them onto the socket).
   */
  readonly sentBytes: number;
  /**
   * The whole body's size, once known: from the first report of a one-body upload, and on the
   * last report of a streamed body (the request side ended), where it equals `sentBytes`.
   */
  readonly totalBytes?: number;
  /**
   * Body bytes the far side has taken, where the transport can know it: over the WebSocket
   * transport, what the gateway granted back as send window (it takes bytes as its upstream reads
   * them, and grants them back in batches of a quarter of its window, 64 KiB by default), never
   * above `sentBytes`. Absent over fetch (no API reports it) and WebTransport (QUIC flow control
   * is not visible to a page).
   */
  readonly acknowledgedBytes?: number;
}

/** The `onUploadProgress` call option. */
export type UploadProgressHandler = (progress: UploadProgress) => void;

/**
 * Reports a body handed over whole (unary calls, one-body client streams): once, complete.
 * Called just before the transport gets the body.
 */
export function reportWholeBody(handler: UploadProgressHandler | undefined, bytes: Uint8Array): void {
  if (handler !== undefined) notify(handler, { sentBytes: bytes.byteLength, totalBytes: bytes.byteLength });
}

/**
 * Calls the handler as an event listener is called: an exception it throws is reported (see
 * {@link reportCallbackError}) and does not fail the upload.
 */
function notify(handler: UploadProgressHandler, progress: UploadProgress): void {
  try {
    handler(progress);
  } catch (e) {
    reportCallbackError(e, "an onUploadProgress handler");
  }
}

/** A streamed body that counts what the transport takes from it, and what it reports acknowledged. */
export interface MeteredBody {
  readonly body: ReadableStream<Uint8Array>;
  /** For the transport: the far side has taken this many body bytes in all (a running total). */
  acknowledge(totalBytes: number): void;
}

/**
 * Wraps a streamed request body so that every chunk the transport pulls is reported (once per
 * chunk: the write queue batches messages into chunks of up to 64 KiB, so reports are never per
 * byte or per small message), and its end with `totalBytes`. Numbers only grow: an
 * acknowledgement is capped at what was sent, a repeated one is not reported.
 */
export function meterBody(body: ReadableStream<Uint8Array>, handler: UploadProgressHandler): MeteredBody {
  const reader = body.getReader();
  let sent = 0;
  let acked: number | undefined;
  let total: number | undefined;
  const report = () =>
    notify(handler, {
      sentBytes: sent,
      ...(total !== undefined ? { totalBytes: total } : {}),
      ...(acked !== undefined ? { acknowledgedBytes: acked } : {}),
    });
  return {
    body: new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const r = await reader.read();
          if (r.done) {
            controller.close();
            total = sent;
            report();
            return;
          }
          controller.enqueue(r.value);
          sent += r.value.byteLength;
          report();
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    ),
    acknowledge(totalBytes) {
      const next = Math.min(totalBytes, sent);
      if (next > (acked ?? 0)) {
        acked = next;
        report();
      }
    },
  };
}
