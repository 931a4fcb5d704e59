// The live frame log: direction, flags, length, decoded payload and time of every frame the
// inspecting fetch reports. Rendering is batched per animation frame and the table keeps the
// newest rows only, so a fast stream in the backpressure lab cannot flood the page.

import { fromBinary, type DescMethod } from "@bufbuild/protobuf";
import { h, mount } from "./dom.js";
import { findMethod } from "./descriptors.js";
import type { Frame } from "./inspect-fetch.js";
import { state } from "./state.js";

const MAX_ROWS = 300;
const SMALL = 16 * 1024;
/** Large payloads decoded per second at most; the rest show only their size. */
const LARGE_DECODES_PER_SECOND = 20;

interface Row {
  callId: number;
  time: number;
  dir: "out" | "in";
  what: string;
  length: number;
  payload: string;
  error: boolean;
}

export class FrameLog {
  private readonly body = h("tbody");
  private readonly counter = h("span", { class: "hint" });
  private readonly pending: Row[] = [];
  private scheduled = false;
  private paused = false;
  private total = 0;
  private readonly origin = performance.now();
  private largeBudget = { second: 0, used: 0 };

  constructor(host: HTMLElement) {
    const pause = h("button", {
      class: "small",
      onclick: () => {
        this.paused = !this.paused;
        pause.textContent = this.paused ? "Resume" : "Pause";
      },
    }, "Pause");
    mount(
      host,
      h("div", { class: "row" },
        pause,
        h("button", { class: "small", onclick: () => this.clear() }, "Clear"),
        this.counter,
      ),
      h("div", { class: "frame-scroll" },
        h("table", { class: "frames", id: "frames" },
          h("thead", {}, h("tr", {}, ["time", "call", "dir", "frame", "bytes", "payload"].map((c) => h("th", {}, c)))),
          this.body,
        ),
      ),
    );
  }

  /** The inspecting fetch's listener. */
  readonly add = (frame: Frame): void => {
    this.total++;
    state.framesLogged = this.total;
    if (this.paused) return;
    this.pending.push(this.describe(frame));
    if (this.pending.length > MAX_ROWS) this.pending.splice(0, this.pending.length - MAX_ROWS);
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
  };

  clear(): void {
    this.body.replaceChildren();
    this.pending.length = 0;
  }

  private flush(): void {
    this.scheduled = false;
    const rows = this.pending.splice(0);
    const fragment = document.createDocumentFragment();
    for (const r of rows) {
      fragment.append(
        h("tr", { class: `${r.dir}${r.error ? " error" : ""}` },
          h("td", { class: "num" }, ((r.time - this.origin) / 1000).toFixed(3)),
          h("td", { class: "num" }, `#${r.callId}`),
          h("td", {}, r.dir === "out" ? "→ out" : "← in"),
          h("td", {}, r.what),
          h("td", { class: "num" }, r.length),
          h("td", { class: "payload" }, r.payload),
        ),
      );
    }
    this.body.prepend(...[...fragment.childNodes].reverse());
    while (this.body.childElementCount > MAX_ROWS) this.body.lastElementChild!.remove();
    this.counter.textContent = `${this.total} frames seen; newest first, last ${MAX_ROWS} kept`;
  }

  private describe(f: Frame): Row {
    const method = findMethod(new URL(f.url).pathname.replace(/^\//, ""));
    const error = f.status !== undefined && f.status !== 200;
    let what: string;
    if (f.kind === "body") what = f.dir === "out" ? "unary request" : `unary response ${f.status ?? ""}`;
    else if (f.kind === "event") what = "SSE event";
    else what = `envelope flags=0x${(f.flags ?? 0).toString(16).padStart(2, "0")}${flagNames(f.flags ?? 0)}`;
    return {
      callId: f.callId,
      time: f.time,
      dir: f.dir,
      what,
      length: f.data.byteLength,
      payload: this.payload(f, method, error),
      error: error || ((f.flags ?? 0) & 2) !== 0 && /"error"/.test(text(f.data, 200)),
    };
  }

  private payload(f: Frame, method: DescMethod | undefined, error: boolean): string {
    const flags = f.flags ?? 0;
    if ((flags & 2) !== 0 || error) return text(f.data, 400) || "(empty)";
    if ((flags & 1) !== 0) return `(compressed, ${f.data.byteLength} bytes)`;
    if (f.kind === "event" || f.contentType.includes("json")) return text(f.data, 400);
    if (!method) return `(${f.data.byteLength} bytes, unknown method)`;
    if (f.data.byteLength > SMALL && !this.mayDecodeLarge()) {
      return `(${f.data.byteLength} bytes; large messages in fast streams are not all decoded)`;
    }
    try {
      const schema = f.dir === "out" ? method.input : method.output;
      return clip(summarize(fromBinary(schema, f.data)), 400);
    } catch (e) {
      return `(${f.data.byteLength} bytes, does not decode: ${(e as Error).message})`;
    }
  }

  private mayDecodeLarge(): boolean {
    const second = Math.floor(performance.now() / 1000);
    if (second !== this.largeBudget.second) this.largeBudget = { second, used: 0 };
    return this.largeBudget.used++ < LARGE_DECODES_PER_SECOND;
  }
}

function flagNames(flags: number): string {
  const names = [(flags & 1) !== 0 && "compressed", (flags & 2) !== 0 && "end-stream"].filter(Boolean);
  return names.length ? ` (${names.join(", ")})` : "";
}

const decoder = new TextDecoder();
function text(data: Uint8Array, max: number): string {
  return clip(decoder.decode(data.subarray(0, max + 4)), max);
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/** A message as compact JSON-ish text: bytes as their size, bigints as numbers. */
function summarize(message: object): string {
  return JSON.stringify(message, (k, v: unknown) =>
    k === "$typeName" ? undefined : typeof v === "bigint" ? Number(v) : v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v,
  );
}
