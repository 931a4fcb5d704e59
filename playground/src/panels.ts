// The response view and the headers / trailers / error panels.

import { h, mount, pretty } from "./dom.js";
import { errorHint } from "./errors.js";
import type { UploadProgress } from "triple-es";
import type { CallView } from "./state.js";

export class ResponsePanels {
  private readonly list = h("div", { id: "responses", class: "responses" });
  private readonly status: HTMLElement;
  private readonly header = h("pre", { id: "response-headers", class: "kv" });
  private readonly trailer = h("pre", { id: "response-trailers", class: "kv" });
  private readonly error = h("div", { id: "error-panel", class: "error-panel" });
  /** Upload progress of the request body (unary, client stream, bidi): a bar and one line. */
  private readonly uploadBar = h("progress", { id: "upload-bar", max: 1, value: 0 });
  private readonly uploadLine = h("span", { id: "upload-progress", class: "hint" }, "nothing sent yet");
  private shown = 0;

  constructor(responseHost: HTMLElement, metaHost: HTMLElement, statusEl: HTMLElement) {
    this.status = statusEl;
    mount(responseHost, this.list);
    mount(
      metaHost,
      h("h3", {}, "Upload"),
      h("div", { class: "row" }, this.uploadBar, this.uploadLine),
      h("h3", {}, "Error"),
      this.error,
      h("h3", {}, "Response headers"),
      this.header,
      h("h3", {}, "Trailers"),
      this.trailer,
    );
  }

  reset(): void {
    this.shown = 0;
    this.list.replaceChildren();
    this.header.textContent = "";
    this.trailer.textContent = "";
    this.uploadBar.removeAttribute("value"); // indeterminate until the first report
    this.uploadLine.textContent = "nothing sent yet";
    mount(this.error, h("span", { class: "hint" }, "none"));
  }

  private renderUpload(p: UploadProgress): void {
    this.uploadLine.textContent = uploadText(p);
    // Until the total is known (a stream still sending) the bar stays indeterminate.
    if (p.totalBytes !== undefined && p.totalBytes > 0) this.uploadBar.value = p.sentBytes / p.totalBytes;
    else if (p.totalBytes === 0) this.uploadBar.value = 1;
  }

  /** Renders what changed in `call` since the last render. */
  render(call: CallView): void {
    const took = call.endedAt !== undefined ? ` in ${Math.round(call.endedAt - call.startedAt)} ms` : "";
    this.status.textContent = `${call.status}${took}${call.sent ? ` · ${call.sent} sent` : ""} · ${call.responses.length} received`;
    this.status.className = `status ${call.status}`;
    const MAX = 200;
    for (; this.shown < call.responses.length; this.shown++) {
      if (this.shown >= MAX) {
        if (this.shown === MAX) this.list.append(h("p", { class: "hint" }, `… only the first ${MAX} responses are shown`));
        continue;
      }
      this.list.append(
        h("div", { class: "response" },
          h("span", { class: "seq" }, `#${this.shown + 1}`),
          h("pre", {}, JSON.stringify(call.responses[this.shown], null, 2)),
        ),
      );
    }
    if (call.upload !== undefined) this.renderUpload(call.upload);
    this.header.textContent = lines(call.header);
    this.trailer.textContent = lines(call.trailer);
    if (call.error) {
      const e = call.error;
      const hint = errorHint(e, call);
      mount(
        this.error,
        h("div", { class: "code" }, h("span", { id: "error-code", class: "badge bad" }, e.codeName), ` code ${e.code}`),
        h("p", { id: "error-message" }, e.message),
        hint ? h("p", { class: "hint warn" }, hint) : null,
        e.details.length ? h("pre", {}, pretty(e.details)) : null,
        Object.keys(e.metadata).length ? h("pre", { class: "kv" }, lines(e.metadata)) : null,
      );
    }
  }
}

/** "12.0 KiB sent of 48.0 KiB · 8.0 KiB acknowledged": what onUploadProgress reported last. */
export function uploadText(p: UploadProgress): string {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const of = p.totalBytes !== undefined ? ` of ${kib(p.totalBytes)}` : "";
  const acked = p.acknowledgedBytes !== undefined ? ` · ${kib(p.acknowledgedBytes)} acknowledged` : "";
  return `${kib(p.sentBytes)} sent${of}${acked}`;
}

function lines(obj: Record<string, string>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}
