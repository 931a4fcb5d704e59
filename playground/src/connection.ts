// The connection bar (which server: dubbo-js, Java or Go; HTTP/1.1 or HTTP/2; JSON or binary; the
// certificate's state) and the table of which call kinds work where in this browser.

import type { DescMethod } from "@bufbuild/protobuf";
import { probe, support } from "./capabilities.js";
import { h, mount } from "./dom.js";
import { peerSupport, serverAvailable, servers } from "./servers.js";
import { baseUrl, changed, directUrl, state, viaGateway, type FormatChoice, type HttpChoice, type ServerChoice } from "./state.js";

export class ConnectionBar {
  constructor(
    private readonly host: HTMLElement,
    private readonly matrixHost: HTMLElement,
    /** After the server choice changed (the method browser shows that server's services). */
    private readonly onServerChange: () => void,
  ) {}

  async checkH2(): Promise<void> {
    state.h2Reachable = undefined;
    this.render();
    state.h2Reachable = await probe(state.servers.h2);
    this.render();
    changed();
  }

  render(): void {
    const radio = <T extends string>(name: string, value: T, current: T, label: string, set: (v: T) => void, disabled = false) =>
      h("label", { class: "choice" },
        h("input", {
          type: "radio",
          name,
          value,
          id: `${name}-${value}`,
          checked: value === current,
          disabled,
          onchange: () => {
            set(value);
            this.render();
            changed();
          },
        }),
        label,
      );
    const serverRadio = (value: ServerChoice) =>
      radio<ServerChoice>("server", value, state.server, servers[value].label, (v) => {
        state.server = v;
        this.onServerChange();
      }, !serverAvailable(value));
    const missing = (["java", "go"] as const)
      .filter((k) => !serverAvailable(k))
      .map((k) => `${servers[k].label}: not started (${state.servers.missing?.[k] ?? "npm start starts it when its toolchain is installed"}).`);
    const serverRow = h("div", { class: "row" },
      h("strong", {}, "Server"),
      serverRadio("dubbo-js"),
      serverRadio("java"),
      serverRadio("go"),
      missing.length ? h("span", { class: "hint", id: "server-missing" }, missing.join(" ")) : null,
    );
    const h2 = state.servers.h2;
    const certNote =
      state.h2Reachable === undefined
        ? h("span", { class: "badge" }, "checking HTTP/2…")
        : state.h2Reachable
          ? h("span", { class: "badge ok", id: "h2-status" }, "HTTP/2 reachable")
          : h("span", { class: "cert-help", id: "h2-status" },
              h("span", { class: "badge bad" }, "HTTP/2: certificate not accepted"),
              " The HTTP/2 server uses a self-signed certificate (browsers speak HTTP/2 only over TLS). ",
              h("a", { href: `${h2}/`, target: "_blank", rel: "noopener" }, `Open ${h2}/`),
              ", accept the warning, then ",
              h("button", { class: "small", onclick: () => void this.checkH2() }, "Check again"),
            );
    const custom = h("input", {
      id: "custom-url",
      class: "url",
      placeholder: "https://your-server:port",
      value: state.customUrl,
      onchange: (e: Event) => {
        state.customUrl = (e.target as HTMLInputElement).value.trim();
        changed();
      },
    });
    const format = [
      h("strong", {}, "Format"),
      radio<FormatChoice>("format", "json", state.format, "JSON", (v) => (state.format = v)),
      radio<FormatChoice>("format", "binary", state.format, "binary", (v) => (state.format = v)),
    ];
    if (state.server !== "dubbo-js") {
      const peer = state.servers[state.server];
      const via = state.server === "java" ? ` → ${peer?.url ?? ""} (same-origin proxy: Java answers no CORS preflight)` : "";
      const gateway = peer?.gateway;
      if (!viaGateway() && state.http !== "h1") state.http = "h1";
      mount(
        this.host,
        serverRow,
        h("div", { class: "row" },
          h("strong", {}, "Path"),
          radio<HttpChoice>("http", "h1", state.http, `HTTP/1.1 (${directUrl(state.server)}${via})`, (v) => (state.http = v)),
          gateway ? radio<HttpChoice>("http", "wt", state.http, `WebTransport → gateway → gRPC (${gateway.url})`, (v) => (state.http = v)) : null,
          gateway?.webSocketUrl ? radio<HttpChoice>("http", "ws", state.http, `WebSocket → gateway → gRPC (${gateway.webSocketUrl})`, (v) => (state.http = v)) : null,
          gateway ? null : h("span", { class: "hint" }, " (no gateway: npm start starts one when Deno is installed)"),
          ...format,
        ),
        h("div", { class: "row" }, h("span", { id: "peer-url", class: "hint" }, `calls go to ${baseUrl()}`)),
      );
      this.renderMatrix();
      return;
    }
    mount(
      this.host,
      serverRow,
      h("div", { class: "row" },
        h("strong", {}, "HTTP"),
        radio<HttpChoice>("http", "h1", state.http, `1.1 (${state.servers.h1})`, (v) => (state.http = v)),
        radio<HttpChoice>("http", "h2", state.http, `2 over TLS (${h2})`, (v) => (state.http = v)),
        state.servers.wt
          ? radio<HttpChoice>("http", "wt", state.http, `WebTransport (${state.servers.wt.url})`, (v) => (state.http = v))
          : null,
        state.servers.wt?.webSocketUrl
          ? radio<HttpChoice>("http", "ws", state.http, `WebSocket (${state.servers.wt.webSocketUrl})`, (v) => (state.http = v))
          : null,
        radio<HttpChoice>("http", "custom", state.http, "custom", (v) => (state.http = v)),
        state.http === "custom" ? custom : null,
        ...format,
      ),
      h("div", { class: "row" }, certNote, state.servers.wt ? null : h("span", { class: "hint", id: "wt-status" },
        " WebTransport: no gateway (npm start starts one when Deno is installed: npm install).")),
    );
    this.renderMatrix();
  }

  private renderMatrix(): void {
    const kinds: DescMethod["methodKind"][] = ["unary", "server_streaming", "client_streaming", "bidi_streaming"];
    const names = { unary: "unary", server_streaming: "server stream", client_streaming: "client stream", bidi_streaming: "bidi" };
    if (state.server !== "dubbo-js") {
      const peerCell = (kind: DescMethod["methodKind"]) => {
        const s = peerSupport(kind, state.format)!;
        return h("td", { class: s.ok ? "yes" : "no", title: s.why }, `${s.ok ? "✓" : "✗"} ${s.label}`);
      };
      mount(
        this.matrixHost,
        h("table", { class: "matrix", id: "support-table" },
          h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, `${servers[state.server].label}, ${viaGateway() ? (state.http === "ws" ? "WebSocket → gRPC" : "WebTransport → gRPC") : "HTTP/1.1"} (${state.format === "json" ? "JSON" : "binary"})`))),
          h("tbody", {}, kinds.map((k) => h("tr", {}, h("th", {}, names[k]), peerCell(k)))),
        ),
        h("ul", { class: "hint why" },
          h("li", {}, "Over HTTP, Dubbo Java 3.3 serves unary JSON and server streams (as Server-Sent Events); dubbo-go serves unary calls, JSON or binary. Both carry every other stream only over gRPC."),
          h("li", {}, "Through the gateway (WebTransport or WebSocket) the gateway speaks gRPC to the server: every call kind, bidi full duplex. Java takes binary only there."),
          h("li", {}, "Where a kind cannot work, the SDK fails the call with Unimplemented before sending, with a sentence saying why: try it."),
          h("li", {}, "Hover a cell for the reason."),
        ),
      );
      return;
    }
    const cell = (kind: DescMethod["methodKind"], http: HttpChoice) => {
      const s = support(kind, http);
      return h("td", { class: s.ok ? "yes" : "no", title: s.why }, `${s.ok ? "✓" : "✗"} ${s.label}`);
    };
    mount(
      this.matrixHost,
      h("table", { class: "matrix", id: "support-table" },
        h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "HTTP/1.1"), h("th", {}, "HTTP/2 (TLS)"), h("th", {}, "WebTransport"), h("th", {}, "WebSocket"))),
        h("tbody", {}, kinds.map((k) => h("tr", {}, h("th", {}, names[k]), cell(k, "h1"), cell(k, "h2"), cell(k, "wt"), cell(k, "ws")))),
      ),
      h("ul", { class: "hint why" },
        h("li", {}, "JSON and binary work for every kind; binary is smaller (bytes fields are not base64)."),
        h("li", {}, "Browsers use HTTP/2 only over TLS, so the HTTP/2 server needs its certificate accepted once."),
        h("li", {}, state.requestStreams
          ? "This browser can stream request bodies, but only over HTTP/2 (Chromium), and half duplex: the response is readable only after the request body ends."
          : "This browser cannot stream request bodies at all: client and bidi streams need Chromium over HTTP/2."),
        h("li", {}, "WebTransport goes through the gateway (gateway/, Deno) to the HTTP/2 server: full duplex, with its development certificate pinned by hash."),
        h("li", {}, "Hover a cell for the reason."),
      ),
    );
  }
}
