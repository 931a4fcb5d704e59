// A live time-series plot (uPlot, bundled): columns of numbers appended as samples arrive.
//
// uPlot is loaded on first use, not imported statically: its module formats numbers for the
// browser's language as it loads (`new Intl.NumberFormat(navigator.language)`), which throws a
// RangeError where navigator.language is not a language tag (WebKitGTK run under the C.UTF-8
// locale, Debian's default, reports "C"). A static import would stop every module of the page from
// running; loaded here, that failure only leaves the lab without its plot, and says why.

import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h, mount } from "../dom.js";

export interface SeriesSpec {
  label: string;
  color: string;
  /** "n" (messages, left axis), "small" (right axis) or "flag" (a 0/1 band at the bottom). */
  scale: "n" | "small" | "flag";
  dash?: number[];
}

let uPlotModule: Promise<typeof uPlot> | undefined;
/** The plot each host shows last: a plot replaced while uPlot was loading never draws. */
const currentPlot = new WeakMap<HTMLElement, LivePlot>();

/** uPlot's constructor, loaded once for every plot of the page. */
function loadUPlot(): Promise<typeof uPlot> {
  uPlotModule ??= import("uplot").then((m) => m.default);
  return uPlotModule;
}

/** Why the plot could not load, as one sentence naming the cause and the fix. */
export function plotUnavailableText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const language = typeof navigator === "undefined" ? "" : navigator.language;
  const badLanguage = (() => {
    try {
      Intl.getCanonicalLocales(language);
      return false;
    } catch {
      return true;
    }
  })();
  return badLanguage
    ? `No plot: uPlot could not load (${message}) because this browser reports the language "${language}", which is not a language tag (WebKitGTK does under the C.UTF-8 locale); start the browser with a real locale, e.g. LANG=en_US.UTF-8. The numbers above still update.`
    : `No plot: uPlot could not load (${message}). The numbers above still update.`;
}

export class LivePlot {
  private plot: uPlot | undefined;
  private readonly columns: number[][];
  private pending = false;

  constructor(host: HTMLElement, title: string, series: SeriesSpec[], smallLabel: string) {
    this.columns = [[], ...series.map(() => [])];
    currentPlot.set(host, this);
    loadUPlot().then(
      (UPlot) => {
        if (currentPlot.get(host) === this) this.create(UPlot, host, title, series, smallLabel);
      },
      (error: unknown) => {
        if (currentPlot.get(host) === this) mount(host, h("p", { class: "hint warn", id: "lab-plot-unavailable" }, plotUnavailableText(error)));
      },
    );
  }

  private create(UPlot: typeof uPlot, host: HTMLElement, title: string, series: SeriesSpec[], smallLabel: string): void {
    const stepped = UPlot.paths.stepped!({ align: 1 });
    const opts: uPlot.Options = {
      title,
      width: Math.max(320, host.clientWidth - 8),
      height: 260,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false },
        n: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max * 1.1))] },
        small: { range: (_u, _min, max) => [0, Math.max(8, Math.ceil(max * 1.25))] },
        flag: { range: [0, 6] },
      },
      axes: [
        { label: "seconds", size: 40 },
        { scale: "n", label: "messages", size: 60 },
        { scale: "small", side: 1, label: smallLabel, grid: { show: false }, size: 50 },
      ],
      series: [
        { label: "t (s)", value: (_u, v) => (v == null ? "–" : v.toFixed(1)) },
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.scale === "n" ? 2 : 1.25,
            scale: s.scale,
            points: { show: false },
            ...(s.dash ? { dash: s.dash } : {}),
            ...(s.scale === "flag" ? { paths: stepped, fill: `${s.color}33` } : {}),
          }),
        ),
      ],
    };
    // Samples pushed while uPlot loaded are in the columns already.
    const plot = new UPlot(opts, this.columns as uPlot.AlignedData, host);
    this.plot = plot;
    new ResizeObserver(() => plot.setSize({ width: Math.max(320, host.clientWidth - 8), height: 260 })).observe(host);
  }

  clear(): void {
    for (const c of this.columns) c.length = 0;
    this.plot?.setData(this.columns as uPlot.AlignedData);
  }

  /** Appends one sample: t, then one value per series. Redraws at most once per frame. */
  push(values: number[]): void {
    values.forEach((v, i) => this.columns[i]?.push(v));
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.plot?.setData(this.columns as uPlot.AlignedData);
      });
    }
  }
}
