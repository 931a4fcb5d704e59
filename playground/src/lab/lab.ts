// The backpressure lab: controls, live numbers and plots for the receive side (server stream with
// a slow consumer) and the send side (client stream with isReady / ready()).

import { h, mount } from "../dom.js";
import type { FrameListener } from "../inspect-fetch.js";
import { baseUrl, labRunCounters, state, viaGateway, type LabView } from "../state.js";
import { LivePlot } from "./plot.js";
import { ReceiveRun } from "./receive-run.js";
import { runSend } from "./send-run.js";

const kib = (bytes: number) => `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KiB`;

const num = (id: string, value: number, min: number, max: number, step = 1) =>
  h("input", { id, type: "number", value, min, max, step, class: "narrow" });

export class Lab {
  private readonly v: LabView = state.lab;
  private abort: AbortController | undefined;
  private receive: ReceiveRun | undefined;

  // receive-side controls
  private readonly count = num("lab-count", 1000, 1, 1_000_000);
  private readonly chunk = num("lab-chunk", 262144, 0, 1_048_576, 1024);
  private readonly hwm = num("lab-hwm", 4, 0, 256);
  private readonly delay = h("input", { id: "lab-delay", type: "range", min: 0, max: 200, value: 20 });
  private readonly delayOut = h("output", {}, "20 ms");
  private readonly manual = h("input", { id: "lab-manual", type: "checkbox" });
  private readonly initial = num("lab-initial", 5, 0, 10_000);
  private readonly requestN = num("lab-request-n", 10, 1, 10_000);
  // send-side controls
  private readonly sendHwm = num("lab-send-hwm", 64, 1, 65536);
  private readonly sendCount = num("lab-send-count", 300, 1, 100_000);
  private readonly sendChunk = num("lab-send-chunk", 16384, 0, 1_048_576, 1024);
  private readonly serverDelay = h("input", { id: "lab-server-delay", type: "range", min: 0, max: 100, value: 10 });
  private readonly serverDelayOut = h("output", {}, "10 ms");
  private readonly respectReady = h("input", { id: "lab-respect-ready", type: "checkbox", checked: true });

  private readonly stats = h("div", { id: "lab-stats", class: "stats" });
  private readonly plotHost = h("div", { class: "plot" });
  private plot: LivePlot | undefined;
  private readonly startButton = h("button", { id: "lab-start", onclick: () => void this.start() }, "Start");
  private readonly stopButton = h("button", { id: "lab-stop", onclick: () => this.stop(), disabled: true }, "Stop");
  private readonly requestButton = h("button", {
    id: "lab-request",
    onclick: () => this.receive?.request(Number(this.requestN.value) || 1),
  }, "request(n)");

  constructor(
    private readonly host: HTMLElement,
    private readonly onFrame: FrameListener,
  ) {
    this.delay.addEventListener("input", () => {
      this.delayOut.textContent = `${this.delay.value} ms`;
      this.v.consumerDelayMs = Number(this.delay.value);
    });
    this.serverDelay.addEventListener("input", () => (this.serverDelayOut.textContent = `${this.serverDelay.value} ms`));
    this.render();
  }

  /** After the server choice changed: the explanation is per server (a running lab is left alone). */
  serverChanged(): void {
    if (!this.v.running) this.render();
  }

  setMode(mode: LabView["mode"]): void {
    if (this.v.running) return;
    this.v.mode = mode;
    this.render();
  }

  private render(): void {
    const mode = this.v.mode;
    const tab = (m: LabView["mode"], label: string) =>
      h("button", { id: `lab-mode-${m}`, class: `tab${mode === m ? " active" : ""}`, onclick: () => this.setMode(m) }, label);
    const controls =
      mode === "server-stream"
        ? [
            h("label", {}, "messages ", this.count),
            h("label", {}, "chunk bytes ", this.chunk),
            h("label", { title: "OpenOptions.receiveHighWaterMarkMessages: parsed responses that may wait for the reader" }, "response high-water mark ", this.hwm),
            h("label", { class: "slider" }, "consumer delay ", this.delay, this.delayOut),
            h("label", { title: "Dubbo: disableAutoRequestWithInitial(n), then request(n)" }, this.manual, " manual flow control, initial ", this.initial),
            h("span", {}, this.requestN, this.requestButton),
          ]
        : [
            h("label", {}, "messages ", this.sendCount),
            h("label", {}, "chunk bytes ", this.sendChunk),
            h("label", { title: "OpenOptions.sendHighWaterMarkBytes: queued request bytes at which isReady turns false" }, "send high-water mark (KiB) ", this.sendHwm),
            h("label", { class: "slider" }, "server read delay ", this.serverDelay, this.serverDelayOut),
            h("label", { title: "Dubbo: while (isReady()) onNext(...), resumed by the onReady handler" }, this.respectReady, " send only while isReady (await ready())"),
          ];
    const explain =
      mode === "server-stream" && state.server === "java"
        ? "CamelInteropService.serverStream on Dubbo Java 3.3, as Server-Sent Events through the page's origin. The SDK reads events only as the consumer pulls, so buffered (read, not yet consumed) stays within the response high-water mark plus the rest of one network read. Java's producer does not wait for a slow reader: it hands every message to its network layer, which queues what the connection does not take, so produced (from getStreamStats) runs ahead to the end while the browser reads ahead and the consumer takes its time. Java gives no server-side waiting signal."
        : mode === "server-stream" && state.server === "go"
          ? "dubbo-go serves streams only over gRPC: the SDK refuses this stream with Unimplemented before sending. Choose dubbo-js or Java for the receive side."
          : state.server !== "dubbo-js" && mode === "client-stream"
            ? "Dubbo Java 3.3 and dubbo-go carry client streams only over gRPC: the SDK refuses this stream with Unimplemented before sending. Choose dubbo-js for the send side."
            : mode === "server-stream"
        ? "BackpressureService.ServerStream: the server produces as fast as the transport takes messages. The SDK reads the response body only when the consumer pulls, so a slow consumer leaves bytes unread: the browser keeps reading ahead (Chromium buffers about 64 MB of a fetch body, measured here), then HTTP/2 or TCP flow control stops the server and its producer waits (the server's isReady() is false). Buffered (read from the body, not yet consumed) stays within the response high-water mark plus the rest of one network read; produced − consumed levels off at the browser's read-ahead (≈ 250 messages of 256 KiB) instead of growing."
        : "BackpressureService.ClientStream: the server reads one message per 'server read delay'. The request body is pulled by the browser only as the server's HTTP/2 window allows, so sent − written (queued in the client) grows to the high-water mark and isReady turns false; a producer that awaits ready() keeps the queue bounded. Untick the box to see the queue grow without bound. Client streams need HTTP/2: this mode always uses the HTTP/2 server.";
    this.plotHost.replaceChildren();
    this.plot =
      mode === "server-stream"
        ? new LivePlot(this.plotHost, "server stream: produced vs consumed vs buffered", [
            { label: "produced (server)", color: "#d9480f", scale: "n" },
            { label: "read from the body (SDK)", color: "#1971c2", scale: "n", dash: [6, 4] },
            { label: "consumed (app)", color: "#2f9e44", scale: "n" },
            { label: "buffered in client (right axis)", color: "#9c36b5", scale: "small" },
            { label: "server waiting (isReady=false)", color: "#868e96", scale: "flag" },
          ], "buffered")
        : new LivePlot(this.plotHost, "client stream: sent vs written vs read by the server, and isReady", [
            { label: "sent (app)", color: "#d9480f", scale: "n" },
            { label: "written (into the request body)", color: "#1971c2", scale: "n", dash: [6, 4] },
            { label: "read by server", color: "#2f9e44", scale: "n" },
            { label: "queued in client (right axis)", color: "#9c36b5", scale: "small" },
            { label: "isReady", color: "#868e96", scale: "flag" },
          ], "queued");
    mount(
      this.host,
      h("div", { class: "row" }, tab("server-stream", "Receive side: server stream"), tab("client-stream", "Send side: client stream")),
      h("p", { class: "hint" }, explain),
      h("div", { class: "row controls" }, controls, this.startButton, this.stopButton),
      this.stats,
      this.plotHost,
    );
    this.renderStats();
  }

  private renderStats(): void {
    const v = this.v;
    const item = (id: string, label: string, value: string | number, note = "") =>
      h("span", { class: "stat", id }, h("b", {}, String(value)), ` ${label}`, note ? h("small", {}, ` ${note}`) : null);
    const common = [
      item("lab-status", "", v.status),
      item("lab-api", "", v.api || "—", "flow-control API"),
    ];
    mount(
      this.stats,
      v.mode === "server-stream"
        ? [
            ...common,
            item("lab-produced", "produced", v.produced),
            item("lab-received", "received", v.received),
            item("lab-consumed", "consumed", v.consumed),
            item("lab-buffered", "buffered", v.buffered, `max ${v.maxBuffered}, HWM ${v.highWaterMark}, largest read ${kib(v.maxReadBytes)}`),
            item("lab-lag", "produced − consumed", v.produced - v.consumed, `max ${v.maxLag}`),
            item("lab-waiting", "server waiting", v.serverWaiting ? "yes" : "no"),
          ]
        : [
            ...common,
            item("lab-sent", "sent", v.sent),
            item("lab-written", "written", v.written),
            item("lab-server-consumed", "read by server", v.serverConsumed),
            item("lab-queued", "queued", v.queued, `messages, max ${v.maxQueued}`),
            item("lab-buffered-amount", "bufferedAmount", kib(v.bufferedAmount), `max ${kib(v.maxBufferedAmount)}, HWM ${kib(v.sendHighWaterMark)}`),
            item("lab-request-mode", "", v.requestMode || "—", "request mode"),
            item("lab-ready", "isReady", String(v.isReady), `${v.notReadyTransitions}× false`),
            v.result ? item("lab-result", "", JSON.stringify(v.result)) : null,
          ],
      v.error ? h("p", { class: "bad" }, `${v.error.codeName}: ${v.error.message}`) : null,
    );
  }

  private onSample = (): void => {
    const v = this.v;
    if (v.mode === "server-stream") {
      const s = v.samples.at(-1);
      if (s) this.plot?.push([s.t, s.produced, s.received, s.consumed, s.buffered, v.serverWaiting ? 1 : 0]);
    } else {
      const s = v.sendSamples.at(-1);
      if (s) this.plot?.push([s.t, s.sent, s.written, s.serverConsumed, s.queued, s.isReady ? 1 : 0]);
    }
    this.renderStats();
  };

  private reset(): void {
    Object.assign(this.v, {
      ...labRunCounters(),
      running: true,
      status: "running",
      highWaterMark: Number(this.hwm.value),
      sendHighWaterMark: Number(this.sendHwm.value) * 1024,
      consumerDelayMs: Number(this.delay.value),
    } satisfies Partial<LabView>);
    this.plot?.clear();
  }

  async start(): Promise<void> {
    if (this.v.running) return;
    this.reset();
    this.abort = new AbortController();
    this.startButton.disabled = true;
    this.stopButton.disabled = false;
    const common = {
      progressUrl: state.servers.h1,
      format: state.format,
      highWaterMark: Number(this.hwm.value),
      onFrame: this.onFrame,
      onSample: this.onSample,
      signal: this.abort.signal,
    };
    try {
      if (this.v.mode === "server-stream") {
        this.receive = new ReceiveRun(this.v);
        await this.receive.run({
          ...common,
          server: state.server,
          baseUrl: baseUrl(),
          count: Number(this.count.value),
          chunkSize: Number(this.chunk.value),
          initialRequest: this.manual.checked ? Number(this.initial.value) : undefined,
          delayMs: () => Number(this.delay.value),
        });
      } else {
        await runSend(this.v, {
          ...common,
          // Client streams need a streaming upload: HTTP/2, or WebTransport when chosen.
          // (On the Java and Go servers the SDK refuses client streams with Unimplemented: shown as is.)
          baseUrl: viaGateway() || state.server !== "dubbo-js" ? baseUrl() : state.servers.h2,
          count: Number(this.sendCount.value),
          chunkSize: Number(this.sendChunk.value),
          highWaterMarkBytes: Number(this.sendHwm.value) * 1024,
          respectReady: this.respectReady.checked,
          serverDelayMs: () => Number(this.serverDelay.value),
        });
      }
    } finally {
      this.v.running = false;
      this.receive = undefined;
      this.startButton.disabled = false;
      this.stopButton.disabled = true;
      this.renderStats();
    }
  }

  stop(): void {
    this.abort?.abort();
  }
}
