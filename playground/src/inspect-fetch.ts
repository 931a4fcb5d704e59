// A fetch that reports every frame it carries, for the frame log and the backpressure lab.
//
// It passes bodies through pull by pull: a response chunk is read from the network only when the
// SDK asks for it, so watching the wire never changes backpressure. Request bodies (client and
// bidi streams) are watched the same way, as the browser pulls them.

import { type Transport } from "triple-es";
import { EnvelopeParser } from "triple-es/internal";

export interface Frame {
  /** Which fetch call the frame belongs to (one per RPC). */
  callId: number;
  url: string;
  dir: "out" | "in";
  /**
   * "envelope": a 5-byte-prefixed stream message; "event": one Server-Sent Event's data (Dubbo
   * Java's server streams); "body": a whole unary body (no prefix).
   */
  kind: "envelope" | "event" | "body";
  /** Envelope flags (0x01 compressed, 0x02 end-of-stream); undefined for bare bodies. */
  flags: number | undefined;
  /** Payload bytes: a view that is only valid during the callback. */
  data: Uint8Array;
  /** HTTP status, for response frames. */
  status: number | undefined;
  /** The Content-Type of the body the frame is in. */
  contentType: string;
  /** milliseconds, performance.now() */
  time: number;
}

export type FrameListener = (frame: Frame) => void;

/** Sees every body chunk (its size) as it passes, before it is split into frames. */
export type ChunkListener = (dir: Frame["dir"], bytes: number) => void;

let nextCallId = 1;

/**
 * Wraps `base` (the page's fetch) so that `onFrame` sees every envelope both ways. Calls that
 * fail before a response are reported by fetch's own rejection, untouched.
 */
export function inspectingFetch(
  onFrame: FrameListener,
  onChunk?: ChunkListener,
  base: typeof fetch = fetch.bind(globalThis),
): typeof fetch {
  return async (input, init) => {
    const callId = nextCallId++;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    const streaming = (headers.get("content-type") ?? "").startsWith("application/connect+");
    const emit =
      (dir: Frame["dir"], status: number | undefined, contentType: string) =>
      (kind: Frame["kind"], flags: number | undefined, data: Uint8Array) =>
        onFrame({ callId, url, dir, kind, flags, data, status, contentType, time: performance.now() });
    const out = emit("out", undefined, headers.get("content-type") ?? "");

    let body = init?.body;
    if (body instanceof ReadableStream) {
      body = watch(body as ReadableStream<Uint8Array>, "envelopes", out, (n) => onChunk?.("out", n));
    } else if (body instanceof Uint8Array) {
      if (streaming) new EnvelopeParser().push(body, (e) => out("envelope", e.flags, e.data));
      else out("body", undefined, body);
    }
    const res = await base(input, { ...init, body } as RequestInit);
    if (res.body === null) return res;
    const type = res.headers.get("content-type") ?? "";
    const watched = watch(res.body, framing(type), emit("in", res.status, type), (n) => onChunk?.("in", n));
    return new Response(watched, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * The same watching for any transport (WebTransport has no fetch to wrap): the request body and
 * the response body of every round trip pass through `watch`, pull by pull.
 */
export function inspectingTransport(inner: Transport, onFrame: FrameListener, onChunk?: ChunkListener): Transport {
  return {
    ...inner,
    async roundTrip(req) {
      const callId = nextCallId++;
      const contentType = req.headers.get("content-type") ?? "";
      const streaming = contentType.startsWith("application/connect+");
      const emit =
        (dir: Frame["dir"], status: number | undefined, type: string) =>
        (kind: Frame["kind"], flags: number | undefined, data: Uint8Array) =>
          onFrame({ callId, url: req.url, dir, kind, flags, data, status, contentType: type, time: performance.now() });
      const out = emit("out", undefined, contentType);
      let body = req.body;
      if (body instanceof ReadableStream) {
        body = watch(body, "envelopes", out, (n) => onChunk?.("out", n));
      } else if (streaming) {
        new EnvelopeParser().push(body, (e) => out("envelope", e.flags, e.data));
      } else {
        out("body", undefined, body);
      }
      const res = await inner.roundTrip({ ...req, body });
      if (res.body === null) return res;
      const type = res.headers.get("content-type") ?? "";
      const watched = watch(res.body, framing(type), emit("in", res.status, type), (n) => onChunk?.("in", n));
      return { ...res, body: watched };
    },
  };
}

type Framing = "envelopes" | "events" | "body";

/** How a response body of this content type is cut into frames. */
function framing(contentType: string): Framing {
  if (contentType.startsWith("application/connect+")) return "envelopes";
  if (contentType.startsWith("text/event-stream")) return "events";
  return "body";
}

/**
 * Passes `body` through, reading one chunk per pull. Envelopes and events are reported as they
 * complete; a bare body is reported once, whole, when it ends.
 */
function watch(
  body: ReadableStream<Uint8Array>,
  framing: Framing,
  report: (kind: Frame["kind"], flags: number | undefined, data: Uint8Array) => void,
  chunk: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const parser = new EnvelopeParser({ readMaxBytes: 64 * 1024 * 1024 });
  const events = new EventSplitter((data) => report("event", undefined, data));
  const whole: Uint8Array[] = [];
  let broken = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await reader.read();
        if (r.done) {
          if (framing === "body") report("body", undefined, concat(whole));
          controller.close();
          return;
        }
        chunk(r.value.byteLength);
        if (framing === "envelopes" && !broken) {
          try {
            parser.push(r.value, (e) => report("envelope", e.flags, e.data));
          } catch {
            broken = true; // not Triple framing: the SDK will say so; the log just stops parsing
          }
        } else if (framing === "events") {
          events.push(r.value);
        } else if (framing === "body") {
          whole.push(r.value.slice());
        }
        controller.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Cuts a Server-Sent Events body into events for the log: an event ends at a blank line and its
 * data is its `data:` lines joined by newlines. Enough for watching; the SDK's own parser is strict.
 */
class EventSplitter {
  private text = "";
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  constructor(private readonly onEvent: (data: Uint8Array) => void) {}

  push(bytes: Uint8Array): void {
    this.text += this.decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, "\n");
    for (let end = this.text.indexOf("\n\n"); end >= 0; end = this.text.indexOf("\n\n")) {
      const block = this.text.slice(0, end);
      this.text = this.text.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
      if (data.length > 0) this.onEvent(this.encoder.encode(data.join("\n")));
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
