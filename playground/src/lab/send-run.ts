// Backpressure lab, send side: a client stream whose producer sends only while the call is ready
// (or, to compare, ignores readiness), to a server that waits `serverDelay` ms per message it reads.
// Samples: what the app sent, what the browser took into the request body (written), what the
// server read (GetProgress), the messages queued in the client (sent − written) and isReady.

import { BackpressureService, type StreamResponse } from "../../gen/ts/playground/v1/backpressure_pb.js";
import { errorView } from "../errors.js";
import { openCall } from "../flow.js";
import type { Frame, FrameListener } from "../inspect-fetch.js";
import type { LabView } from "../state.js";
import { makeTransport } from "../transport.js";
import { toJson } from "@bufbuild/protobuf";
import { playgroundProgress, ProgressPoller } from "./progress.js";

export interface SendSettings {
  baseUrl: string;
  progressUrl: string;
  format: "json" | "binary";
  count: number;
  chunkSize: number;
  /** Bytes queued at which isReady turns false. */
  highWaterMarkBytes: number;
  /** false: send everything at once, whatever isReady says (to see the queue grow). */
  respectReady: boolean;
  serverDelayMs: () => number;
  onFrame: FrameListener;
  onSample: () => void;
  signal: AbortSignal;
}

const SAMPLE_MS = 50;

export async function runSend(v: LabView, s: SendSettings): Promise<void> {
  const streamId = `lab-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const countFrame = (f: Frame) => {
    if (f.dir === "out" && f.kind === "envelope") v.written++;
    s.onFrame(f);
  };
  const transport = makeTransport({ baseUrl: s.baseUrl, format: s.format, onFrame: countFrame });
  const poller = new ProgressPoller(playgroundProgress(makeTransport({ baseUrl: s.progressUrl, format: "binary", server: "dubbo-js" })), streamId);
  const method = BackpressureService.method.clientStream;
  const call = openCall(method, transport, {
    sendHighWaterMark: s.highWaterMarkBytes,
    responseHighWaterMark: 1,
    call: { signal: s.signal },
  });
  v.api = call.api;
  const started = performance.now();
  const sample = () => {
    const p = poller.latest;
    if (p) v.serverConsumed = Number(p.consumed);
    v.queued = v.sent - v.written;
    v.maxQueued = Math.max(v.maxQueued, v.queued);
    v.isReady = call.isReady();
    v.bufferedAmount = call.bufferedAmount();
    v.maxBufferedAmount = Math.max(v.maxBufferedAmount, v.bufferedAmount);
    v.requestMode = call.requestMode();
    v.sendSamples.push({
      t: (performance.now() - started) / 1000,
      sent: v.sent,
      written: v.written,
      serverConsumed: v.serverConsumed,
      queued: v.queued,
      isReady: v.isReady,
    });
    if (v.sendSamples.length > 6000) v.sendSamples.splice(0, v.sendSamples.length - 6000);
    s.onSample();
  };
  const timer = setInterval(() => {
    poller.poll();
    sample();
  }, SAMPLE_MS);
  const data = new Uint8Array(s.chunkSize);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  try {
    let wasReady = true;
    for (let seq = 0; seq < s.count && !s.signal.aborted; seq++) {
      const ready = call.isReady();
      if (wasReady && !ready) v.notReadyTransitions++;
      wasReady = ready;
      if (s.respectReady && !ready) {
        await call.ready(); // the onReady moment: the queue drained below the high-water mark
        wasReady = true;
      }
      call.send({
        sequenceNumber: BigInt(seq),
        data,
        timestamp: BigInt(Date.now()),
        streamId,
        consumeDelayMs: s.serverDelayMs(),
      });
      v.sent++;
      // Let the page breathe (and the transport pull) between sends.
      if (seq % 8 === 7) await new Promise((r) => setTimeout(r, 0));
    }
    call.close();
    const reader = call.responses.getReader();
    const r = await reader.read();
    if (!r.done) v.result = toJson(method.output, r.value as StreamResponse);
    v.status = s.signal.aborted ? "stopped" : "finished";
  } catch (e) {
    if (s.signal.aborted) v.status = "stopped";
    else {
      v.error = errorView(e);
      v.status = `failed: ${v.error.codeName}`;
    }
  } finally {
    clearInterval(timer);
    await poller.final();
    sample();
  }
}
