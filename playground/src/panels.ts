// The response view and the headers / trailers / error panels.

import { h, mount, pretty } from "./dom.js";
import { errorHint } from "./errors.js";
import type { CallView } from "./state.js";

export class ResponsePanels {
  private readonly list = h("div", { id: "responses", class: "responses" });
  private readonly status: HTMLElement;
  private readonly header = h("pre", { id: "response-headers", class: "kv" });
  private readonly trailer = h("pre", { id: "response-trailers", class: "kv" });
  private readonly error = h("div", { id: "error-panel", class: "error-panel" });
  private shown = 0;

  constructor(responseHost: HTMLElement, metaHost: HTMLElement, statusEl: HTMLElement) {
    this.status = statusEl;
    mount(responseHost, this.list);
    mount(
      metaHost,
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
    mount(this.error, h("span", { class: "hint" }, "none"));
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

function lines(obj: Record<string, string>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}
