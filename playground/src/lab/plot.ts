// A live time-series plot (uPlot, bundled): columns of numbers appended as samples arrive.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface SeriesSpec {
  label: string;
  color: string;
  /** "n" (messages, left axis), "small" (right axis) or "flag" (a 0/1 band at the bottom). */
  scale: "n" | "small" | "flag";
  dash?: number[];
}

export class LivePlot {
  private readonly plot: uPlot;
  private readonly columns: number[][];
  private pending = false;

  constructor(host: HTMLElement, title: string, series: SeriesSpec[], smallLabel: string) {
    this.columns = [[], ...series.map(() => [])];
    const stepped = uPlot.paths.stepped!({ align: 1 });
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
    this.plot = new uPlot(opts, this.columns as uPlot.AlignedData, host);
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(320, host.clientWidth - 8), height: 260 })).observe(host);
  }

  clear(): void {
    for (const c of this.columns) c.length = 0;
    this.plot.setData(this.columns as uPlot.AlignedData);
  }

  /** Appends one sample: t, then one value per series. Redraws at most once per frame. */
  push(values: number[]): void {
    values.forEach((v, i) => this.columns[i]?.push(v));
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.plot.setData(this.columns as uPlot.AlignedData);
      });
    }
  }
}
