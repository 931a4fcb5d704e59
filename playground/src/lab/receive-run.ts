// Backpressure lab, receive side: a server stream read by a consumer that takes `delay` ms per
// message. Samples, every 100 ms: what the server produced (its progress call), what the client
// read off the network (envelopes or SSE events the inspecting fetch passed up), what the app
// consumed, and the difference between the last two: the messages buffered inside the client.
//
// Against the playground's dubbo-js server the stream is BackpressureService.ServerStream; against
// the Java server (SSE) and the Go server it is the interop peers' serverStream.

import type { DescMethod, DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { Transport } from "triple-es";
import { CamelInteropService } from "../../../test/gen/triple/interop/v1/interop_pb.js";
import { BackpressureService } from "../../gen/ts/playground/v1/backpressure_pb.js";
import { sleep } from "../dom.js";
import { errorView } from "../errors.js";
import { openCall, type FlowCall } from "../flow.js";
import type { Frame, FrameListener } from "../inspect-fetch.js";
import { directUrl, type LabView, type ServerChoice } from "../state.js";
import { makeTransport } from "../transport.js";
import { peerProgress, playgroundProgress, ProgressPoller, type ProgressSource, type ServerProgress } from "./progress.js";

export interface ReceiveSettings {
  server: ServerChoice;
  baseUrl: string;
  /** Where the playground server's progress calls go (dubbo-js; the peers answer on baseUrl). */
  progressUrl: string;
  format: "json" | "binary";
  count: number;
  chunkSize: number;
  highWaterMark: number;
  /** Manual flow control: the initial request(n); undefined for automatic. */
  initialRequest: number | undefined;
  /** Read on every message, so the slider acts at once. */
  delayMs: () => number;
  onFrame: FrameListener;
  onSample: () => void;
  signal: AbortSignal;
}

const SAMPLE_MS = 100;

interface Target {
  method: DescMethod;
  request: MessageInitShape<DescMessage>;
  progress: ProgressSource;
}

/** The stream to read and where its progress comes from, for the chosen server. */
function target(s: ReceiveSettings, streamId: string): Target {
  if (s.server === "dubbo-js") {
    const progress = makeTransport({ baseUrl: s.progressUrl, format: "binary", server: "dubbo-js" });
    return {
      method: BackpressureService.method.serverStream,
      request: { count: s.count, chunkSize: s.chunkSize, streamId },
      progress: playgroundProgress(progress),
    };
  }
  // The progress calls go straight to the server over HTTP, JSON in its dialect (whichever path
  // the stream takes: HTTP, or the gateway's WebTransport or WebSocket).
  const progress: Transport = makeTransport({ baseUrl: directUrl(s.server), format: "json", server: s.server });
  return {
    method: CamelInteropService.method.serverStream,
    request: { count: s.count, size: s.chunkSize, streamId },
    progress: peerProgress(progress),
  };
}

export class ReceiveRun {
  private call: FlowCall | undefined;

  constructor(private readonly view: LabView) {}

  /** Manual mode: allow n more messages. */
  request(n: number): void {
    this.call?.request(n);
  }

  async run(s: ReceiveSettings): Promise<void> {
    const v = this.view;
    const streamId = `lab-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const countFrame = (f: Frame) => {
      const message = f.kind === "event" || (f.kind === "envelope" && ((f.flags ?? 0) & 2) === 0);
      if (f.dir === "in" && message) v.received++;
      s.onFrame(f);
    };
    const transport = makeTransport({
      baseUrl: s.baseUrl,
      format: s.format,
      onFrame: countFrame,
      onChunk: (dir, bytes) => {
        if (dir === "in") v.maxReadBytes = Math.max(v.maxReadBytes, bytes);
      },
    });
    const t = target(s, streamId);
    const poller = new ProgressPoller(t.progress, streamId);
    const call = openCall(t.method, transport, {
      request: t.request,
      responseHighWaterMark: s.highWaterMark,
      ...(s.initialRequest !== undefined ? { initialRequest: s.initialRequest } : {}),
      call: { signal: s.signal },
    });
    this.call = call;
    v.api = call.api;
    const started = performance.now();
    const sample = (p: ServerProgress | undefined) => {
      if (p) {
        v.produced = p.produced;
        v.serverWaiting = p.producerWaiting ?? false;
        if (p.producerWaiting) v.serverWaitingSamples++;
      }
      v.buffered = v.received - v.consumed;
      v.maxBuffered = Math.max(v.maxBuffered, v.buffered);
      v.maxLag = Math.max(v.maxLag, v.produced - v.consumed);
      v.samples.push({
        t: (performance.now() - started) / 1000,
        produced: v.produced,
        received: v.received,
        consumed: v.consumed,
        buffered: v.buffered,
      });
      if (v.samples.length > 3000) v.samples.splice(0, v.samples.length - 3000);
      s.onSample();
    };
    const timer = setInterval(() => {
      poller.poll();
      sample(poller.latest);
    }, SAMPLE_MS);
    try {
      const reader = call.responses.getReader();
      s.signal.addEventListener("abort", () => reader.cancel(s.signal.reason).catch(() => {}), { once: true });
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        v.consumed++;
        v.buffered = v.received - v.consumed;
        await sleep(s.delayMs(), s.signal);
        if (s.signal.aborted) break;
      }
      v.status = s.signal.aborted ? "stopped" : "finished";
    } catch (e) {
      if (s.signal.aborted) v.status = "stopped";
      else {
        v.error = errorView(e);
        v.status = `failed: ${v.error.codeName}`;
      }
    } finally {
      clearInterval(timer);
      sample(await poller.final());
      this.call = undefined;
    }
  }
}
