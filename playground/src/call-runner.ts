// Runs the selected method with the editor's request: unary, server stream, or a client / bidi
// stream to which messages are sent one by one or in batches, then closed.

import { toJson, type DescMethod, type Message } from "@bufbuild/protobuf";
import { type CallOptions } from "triple-es";
import { createMethodFn } from "triple-es/internal";
import { support } from "./capabilities.js";
import { methodPath, typeRegistry } from "./descriptors.js";
import { h, headersToObject, mount } from "./dom.js";
import { errorView } from "./errors.js";
import { hasOpenApi, openCall, type FlowCall } from "./flow.js";
import type { FrameListener } from "./inspect-fetch.js";
import type { ResponsePanels } from "./panels.js";
import type { RequestEditor } from "./request-editor.js";
import type { SnippetInput } from "./snippets.js";
import { peerSupport } from "./servers.js";
import { baseUrl, currentGateway, directUrl, state, viaGateway, type CallView } from "./state.js";
import { watchNextHopProtocol } from "./resource-timing.js";
import { makeTransport } from "./transport.js";

export class CallRunner {
  private method: DescMethod | undefined;
  private abort: AbortController | undefined;
  private stream: FlowCall | undefined;
  /** The open stream was half-closed: no more sends, waiting for the response. */
  private closed = false;
  /** Stops watching Resource Timing for the previous call's HTTP version. */
  private unwatchProtocol: () => void = () => {};
  private readonly timeout = h("input", {
    id: "timeout-ms", type: "number", min: 0, placeholder: "none", class: "narrow", oninput: () => this.onUpdate(),
  });
  private readonly metadata = h("textarea", {
    id: "metadata", rows: 2, spellcheck: false, placeholder: "x-user: alice", oninput: () => this.onUpdate(),
  });
  private readonly batch = h("input", { id: "batch-size", type: "number", min: 1, value: 5, class: "narrow" });
  private readonly supportLine = h("p", { id: "call-support", class: "hint" });
  private readonly buttons = h("div", { class: "row" });

  constructor(
    private readonly host: HTMLElement,
    private readonly editor: RequestEditor,
    private readonly panels: ResponsePanels,
    private readonly onFrame: FrameListener,
    private readonly onUpdate: () => void,
  ) {}

  setMethod(method: DescMethod): void {
    this.cancel();
    this.method = method;
    this.editor.setSchema(method.input);
    this.render();
  }

  /** Re-renders the buttons and the support line (after a connection change, too). */
  render(): void {
    const m = this.method;
    if (!m) return;
    const s =
      peerSupport(m.methodKind, state.format) ??
      support(m.methodKind, state.http === "custom" ? (state.customUrl.startsWith("https:") ? "h2" : "h1") : state.http);
    this.supportLine.textContent = `${s.ok ? "✓" : "✗"} ${s.label}: ${s.why}`;
    this.supportLine.className = `hint ${s.ok ? "" : "warn"}`;
    const open = this.stream !== undefined;
    const running = state.call?.status === "running";
    const b = (id: string, label: string, onclick: () => void, disabled = false) =>
      h("button", { id, onclick, disabled }, label);
    if (m.methodKind === "unary" || m.methodKind === "server_streaming") {
      mount(this.buttons, b("run", "Run", () => void this.run()), b("cancel", "Cancel", () => this.cancel(), !running));
    } else {
      mount(
        this.buttons,
        b("send", open ? "Send" : "Start + send", () => this.send(1), this.closed),
        b("send-batch", "Send batch", () => this.send(Number(this.batch.value) || 1), this.closed),
        this.batch,
        b("close", "Close", () => this.close(), !open || this.closed),
        b("cancel", "Cancel", () => this.cancel(), !running),
      );
    }
    mount(
      this.host,
      this.buttons,
      this.supportLine,
      h("div", { class: "row" },
        h("label", {}, "Timeout (ms) ", this.timeout),
        h("label", { class: "grow" }, "Metadata ", this.metadata),
      ),
    );
  }

  private headers(): Headers {
    const headers = new Headers();
    for (const line of this.metadata.value.split("\n")) {
      const at = line.indexOf(":");
      if (at > 0) {
        try {
          headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
        } catch {
          // an invalid header name or value: skipped (the browser would refuse it)
        }
      }
    }
    return headers;
  }

  private timeoutMs(): number | undefined {
    const ms = Number(this.timeout.value);
    return ms > 0 ? ms : undefined;
  }

  /** What the snippets show: the method, the editor's request(s) and the connection settings. */
  snapshot(): SnippetInput | undefined {
    const method = this.method;
    if (!method) return undefined;
    const count = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming" ? 3 : 1;
    const messages: Message[] = [];
    for (let i = 0; i < count; i++) {
      const parsed = this.editor.read(i);
      if (!parsed.ok) return undefined;
      messages.push(parsed.message);
    }
    return {
      method,
      messages,
      // curl cannot speak the gateway's mappings: it calls the server itself.
      baseUrl: !viaGateway() ? baseUrl() : state.server === "dubbo-js" ? state.servers.h2 : directUrl(state.server),
      webTransport: viaGateway() && state.http === "wt" ? currentGateway() : undefined,
      webSocketUrl: viaGateway() && state.http === "ws" ? currentGateway()?.webSocketUrl : undefined,
      server: state.server,
      format: state.format,
      headers: this.headers(),
      timeoutMs: this.timeoutMs(),
      openApi: (() => {
        try {
          return hasOpenApi(method, this.transport());
        } catch {
          return false;
        }
      })(),
    };
  }

  private callOptions(call: CallView, signal: AbortSignal): CallOptions {
    const timeoutMs = this.timeoutMs();
    return {
      signal,
      headers: this.headers(),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      onHeader: (hd) => this.update(call, () => (call.header = headersToObject(hd))),
      onTrailer: (t) => this.update(call, () => (call.trailer = headersToObject(t))),
      // Reported once per body chunk at most (never per byte), so each report can re-render.
      onUploadProgress: (p) => this.update(call, () => (call.upload = { ...p })),
    };
  }

  private begin(method: DescMethod): { call: CallView; signal: AbortSignal } {
    this.abort = new AbortController();
    const url = `${baseUrl()}/${methodPath(method)}`;
    state.call = {
      method: methodPath(method),
      kind: method.methodKind,
      status: "running",
      responses: [],
      sent: 0,
      header: {},
      trailer: {},
      error: undefined,
      startedAt: performance.now(),
      endedAt: undefined,
      url,
      protocol: "",
      httpStatus: undefined,
      requests: [],
    };
    const call = state.call;
    this.unwatchProtocol();
    this.unwatchProtocol = watchNextHopProtocol(url, call.startedAt, (protocol) => this.update(call, () => (call.protocol = protocol)));
    this.panels.reset();
    this.update(call, () => {});
    return { call, signal: this.abort.signal };
  }

  private transport() {
    return makeTransport({
      baseUrl: baseUrl(),
      format: state.format,
      onFrame: (frame) => {
        if (frame.dir === "in" && state.call !== undefined) state.call.httpStatus = frame.status;
        this.onFrame(frame);
      },
    });
  }

  private received(call: CallView, method: DescMethod, message: Message): void {
    this.update(call, () => call.responses.push(toJson(method.output, message, { registry: typeRegistry() })));
  }

  private finish(call: CallView, error?: unknown): void {
    if (error !== undefined) {
      call.error = errorView(error);
      call.status = call.error.code === 1 ? "cancelled" : "error";
    } else if (call.status === "running") {
      call.status = "ok";
    }
    call.endedAt = performance.now();
    this.stream = undefined;
    this.closed = false;
    this.update(call, () => {});
    this.render();
  }

  /** Unary and server-stream calls. */
  async run(): Promise<void> {
    const method = this.method;
    if (!method) return;
    const parsed = this.editor.read(0);
    if (!parsed.ok) return;
    this.cancel();
    const { call, signal } = this.begin(method);
    call.requests.push(parsed.json);
    this.render();
    const options = this.callOptions(call, signal);
    try {
      const transport = this.transport();
      const fn = createMethodFn(method, transport) as (
        req: unknown,
        opts: CallOptions,
      ) => Promise<Message> | AsyncIterable<Message>;
      if (method.methodKind === "unary") {
        this.received(call, method, await (fn(parsed.message, options) as Promise<Message>));
      } else {
        for await (const m of fn(parsed.message, options) as AsyncIterable<Message>) this.received(call, method, m);
      }
      this.finish(call);
    } catch (e) {
      this.finish(call, e);
    }
  }

  /** Client and bidi streams: opens the call on first use, then sends `count` messages. */
  send(count: number): void {
    const method = this.method;
    if (!method) return;
    const first = state.call?.sent ?? 0;
    const messages = [];
    for (let i = 0; i < count; i++) {
      const parsed = this.editor.read(this.stream ? first + i : i);
      if (!parsed.ok) return;
      messages.push(parsed);
    }
    if (!this.stream) this.openStream(method);
    const call = state.call!;
    if (!this.stream) return; // it could not start: the error is shown
    for (const m of messages) {
      this.stream.send(m.message);
      call.requests.push(m.json);
      call.sent++;
    }
    this.update(call, () => {});
  }

  private openStream(method: DescMethod): void {
    const { call, signal } = this.begin(method);
    let stream: FlowCall;
    try {
      stream = openCall(method, this.transport(), { responseHighWaterMark: 16, call: this.callOptions(call, signal) });
    } catch (e) {
      this.finish(call, e);
      return;
    }
    this.stream = stream;
    this.closed = false;
    this.render();
    void (async () => {
      try {
        const reader = stream.responses.getReader();
        for (;;) {
          const r = await reader.read();
          if (r.done) break;
          this.received(call, method, r.value);
        }
        await stream.trailer.catch(() => {});
        this.finish(call);
      } catch (e) {
        this.finish(call, e);
      }
    })();
  }

  close(): void {
    if (!this.stream || this.closed) return;
    this.closed = true;
    this.stream.close();
    this.render();
  }

  cancel(): void {
    this.stream?.cancel();
    this.abort?.abort();
    this.stream = undefined;
    this.closed = false;
  }

  private update(call: CallView, change: () => void): void {
    change();
    if (call !== state.call) return; // a newer call owns the panels
    this.panels.render(call);
    this.onUpdate();
  }
}
