#!/usr/bin/env node
// Runs the benchmarks: raw fetch, triple-es, connect-web and dubbo-web against one bench server
// (the real dubbo-node adapter, plus the pre-encoded producer), each run in its own process,
// interleaved A B C D (the order rotates every round), medians over the rounds, ratios to raw
// fetch and connect-web measured in the same run.
//
//   node bench/run.mjs            full run (npm run bench; ~4 min on 2 cores)
//   node bench/run.mjs --quick    small counts, 3 rounds, one process per client per round
//                                 running every scenario (npm run bench:quick; < 1 min)
//   options: --rounds N   --only key1,key2 (scenario keys below)   --clients raw,triple,...
//
// Prints a Markdown table and writes bench/out/results-{full,quick}.{md,json}.
// Run `node bench/install.mjs` first (the npm scripts do).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { benchDir, buildAll, clients } from "./lib/build.mjs";
import { runClient, startServer } from "./lib/server.mjs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes("--quick");
const rounds = Number(opt("--rounds") ?? (quick ? 3 : 5));
const onlyKeys = opt("--only")?.split(",");
const clientKeys = opt("--clients")?.split(",") ?? Object.keys(clients);

const KiB64 = 65536;
const ALL = ["raw", "triple", "connect", "dubbo"];
const STREAMING_UPLOAD = ["raw", "triple"]; // connect-web and dubbo-web cannot stream a request body

/**
 * The scenarios. `rows` are the table lines each produces: metric key, title, and whether higher
 * is better (↑) or lower (↓).
 */
const scenarios = [
  {
    key: "unary-seq",
    job: { scenario: "unary", server: "dubbo", size: 64, concurrency: 1, calls: quick ? 150 : 2000 },
    rows: [
      ["callsPerSec", "unary sequential, 64 B (calls/s)", "↑"],
      ["cpuUsPerCall", "client CPU per unary call, sequential (µs)", "↓"],
    ],
  },
  {
    key: "unary-c16",
    job: { scenario: "unary", server: "dubbo", size: 64, concurrency: 16, calls: quick ? 300 : 4000 },
    rows: [
      ["callsPerSec", "unary concurrency 16, 64 B (calls/s)", "↑"],
      ["cpuUsPerCall", "client CPU per unary call, concurrency 16 (µs)", "↓"],
    ],
  },
  {
    key: "ss64",
    job: { scenario: "server-stream", server: "dubbo", count: quick ? 10_000 : 50_000, size: 64, reps: 1 },
    rows: [
      ["msgsPerSec", `server stream ${quick ? "10k" : "50k"} × 64 B, dubbo-node handler (msgs/s)`, "↑"],
      ["cpuUsPerMsg", "client CPU per 64 B message, dubbo-node handler (µs)", "↓"],
    ],
  },
  {
    key: "ss64pre",
    job: { scenario: "server-stream", server: "pre", count: 50_000, size: 64, reps: quick ? 3 : 7 },
    rows: [
      ["msgsPerSec", "the same bytes from the pre-encoded producer (msgs/s)", "↑"],
      ["cpuUsPerMsg", "client CPU per 64 B message, pre-encoded (µs)", "↓"],
    ],
  },
  {
    key: "ss64k",
    job: { scenario: "server-stream", server: "dubbo", count: quick ? 300 : 1000, size: KiB64, reps: quick ? 1 : 3 },
    rows: [
      ["MBps", `server stream ${quick ? "300" : "1,000"} × 64 KiB, dubbo-node handler (MB/s)`, "↑"],
      ["cpuUsPerMsg", "client CPU per 64 KiB message, dubbo-node handler (µs)", "↓"],
    ],
  },
  {
    key: "ss64kpre",
    job: { scenario: "server-stream", server: "pre", count: quick ? 300 : 1000, size: KiB64, reps: quick ? 3 : 7 },
    rows: [
      ["MBps", "the same bytes from the pre-encoded producer (MB/s)", "↑"],
      ["cpuUsPerMsg", "client CPU per 64 KiB message, pre-encoded (µs)", "↓"],
    ],
  },
  {
    key: "cs64",
    clients: STREAMING_UPLOAD,
    job: { scenario: "client-stream", server: "dubbo", count: quick ? 10_000 : 50_000, size: 64, mode: "iterable" },
    rows: [
      ["msgsPerSec", `client stream ${quick ? "10k" : "50k"} × 64 B, requests from an iterable (msgs/s)`, "↑"],
      ["cpuUsPerMsg", "client CPU per client-stream message (µs)", "↓"],
      ["firstCallCpuUsPerMsg", "the same, first full-size call of the process (µs)", "↓"],
    ],
  },
  {
    key: "cs64async",
    clients: ["triple"],
    rawFrom: "cs64",
    job: { scenario: "client-stream", server: "dubbo", count: quick ? 10_000 : 50_000, size: 64, mode: "async" },
    rows: [
      ["msgsPerSec", "client stream, requests from an async generator (msgs/s)", "↑"],
      ["cpuUsPerMsg", "client CPU per client-stream message, async generator (µs)", "↓"],
      ["firstCallCpuUsPerMsg", "the same, first full-size call of the process (µs)", "↓"],
    ],
  },
  {
    key: "cs64open",
    clients: ["triple"],
    rawFrom: "cs64", // the raw fetch figure of the row above, not measured twice
    job: { scenario: "client-stream", server: "dubbo", count: quick ? 10_000 : 50_000, size: 64, mode: "open" },
    rows: [
      ["msgsPerSec", "client stream, triple-es `open()` call API + write queue (msgs/s)", "↑"],
      ["cpuUsPerMsg", "client CPU per client-stream message, `open()` (µs)", "↓"],
      ["firstCallCpuUsPerMsg", "the same, first full-size call of the process (µs)", "↓"],
    ],
  },
  // The second and third servers: the interop tests' Dubbo Java 3.3.6 and dubbo-go 3.3.2 peers,
  // each in its own dialect, so the cost of each dialect is measured beside dubbo-js's.
  {
    key: "java-unary",
    peer: "java",
    job: { scenario: "unary", server: "java", size: 64, concurrency: 1, calls: quick ? 150 : 2000 },
    rows: [
      ["callsPerSec", "Java peer: unary JSON, sequential, 64 B (calls/s)", "↑"],
      ["cpuUsPerCall", "Java peer: client CPU per unary JSON call (µs)", "↓"],
    ],
  },
  {
    key: "go-unary",
    peer: "go",
    job: { scenario: "unary", server: "go", size: 64, concurrency: 1, calls: quick ? 150 : 2000 },
    rows: [
      ["callsPerSec", "Go peer: unary binary, sequential, 64 B (calls/s)", "↑"],
      ["cpuUsPerCall", "Go peer: client CPU per unary binary call (µs)", "↓"],
    ],
  },
  {
    key: "go-unary-c16",
    peer: "go",
    job: { scenario: "unary", server: "go", size: 64, concurrency: 16, calls: quick ? 300 : 4000 },
    rows: [
      ["callsPerSec", "Go peer: unary binary, concurrency 16 (calls/s)", "↑"],
      ["cpuUsPerCall", "Go peer: client CPU per call, concurrency 16 (µs)", "↓"],
    ],
  },
  {
    key: "java-ss64",
    peer: "java",
    job: { scenario: "server-stream", server: "java", count: quick ? 2000 : 20_000, size: 64, reps: quick ? 1 : 3 },
    rows: [
      ["msgsPerSec", `Java peer: SSE server stream ${quick ? "2k" : "20k"} × 64 B, JSON (msgs/s)`, "↑"],
      ["cpuUsPerMsg", "Java peer: client CPU per 64 B SSE message (µs)", "↓"],
    ],
  },
  {
    key: "java-ss64k",
    peer: "java",
    job: { scenario: "server-stream", server: "java", count: quick ? 100 : 500, size: KiB64, reps: quick ? 1 : 3 },
    rows: [
      ["MBps", `Java peer: SSE server stream ${quick ? "100" : "500"} × 64 KiB, JSON (MB/s of payload)`, "↑"],
      ["cpuUsPerMsg", "Java peer: client CPU per 64 KiB SSE message (µs)", "↓"],
    ],
  },
  {
    key: "slow",
    job: { scenario: "slow-consumer", server: "dubbo", count: quick ? 400 : 2000, size: KiB64, slowFirst: 200, slowDelayMs: 2 },
    rows: [
      ["lead", `slow consumer ${quick ? "400" : "2,000"} × 64 KiB (2 ms × first 200): producer lead (msgs)`, "↓"],
      // In --quick the process has run other scenarios before: its RSS says little.
      ...(quick ? [] : [["rssGrowthMB", "slow consumer: client peak RSS growth (MB)", "↓"]]),
    ],
  },
  {
    // The same with a 4× longer stream: RSS must not grow with the stream's length.
    key: "slowLong",
    full: true,
    job: { scenario: "slow-consumer", server: "dubbo", count: 8000, size: KiB64, slowFirst: 200, slowDelayMs: 2 },
    rows: [["rssGrowthMB", "slow consumer, 8,000 × 64 KiB: client peak RSS growth (MB)", "↓"]],
  },
]
  .filter((s) => !(quick && s.full)).filter((s) => !onlyKeys || onlyKeys.includes(s.key));

/** Starts the Java and Go peers that `wanted` names, with the interop tests' starters; skips (with a note) any not built. */
async function startPeers(bundle, wanted) {
  const out = {};
  if (wanted.size === 0) return out;
  const { startJavaServer, startGoServer } = await import(bundle);
  const starters = { java: startJavaServer, go: startGoServer };
  await Promise.all(
    [...wanted].map(async (name) => {
      try {
        out[name] = await starters[name]();
        process.stderr.write(`[bench] ${name} peer ${out[name].url}\n`);
      } catch (e) {
        process.stderr.write(`[bench] ${name} peer not started, its rows are skipped: ${String(e.message ?? e).split("\n")[0]}\n`);
      }
    }),
  );
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function fmt(v) {
  if (v === undefined) return "n/a";
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main() {
  const from = opt("--render");
  if (from !== undefined) {
    // Re-renders the table of a saved run (bench/out/results-*.json) with this file's rules.
    const saved = JSON.parse(readFileSync(from, "utf8"));
    render({ started: new Date(saved.started), rounds: saved.rounds, load0: saved.load[0], load1: saved.load[1], results: saved.results, t0: performance.now() });
    return;
  }
  const started = new Date();
  const load0 = loadavg()[0];
  process.stderr.write(`[bench] building bundles (esbuild) …\n`);
  const bundles = await buildAll();
  const server = await startServer(bundles.server);
  process.stderr.write(`[bench] server ${JSON.stringify(server.urls)}\n`);
  const urls = { dubbo: server.urls.dubboH1, pre: server.urls.preH1, control: server.urls.control };
  // The Java and Go peers, when built (`npm run peers`); their rows are skipped otherwise.
  const peers = await startPeers(bundles.peers, new Set(scenarios.map((s) => s.peer).filter(Boolean)));
  for (const [name, p] of Object.entries(peers)) urls[name] = p.url;

  // results[scenarioKey][client] = [{metrics} | {error} | {unsupported}]
  const results = {};
  let failures = 0;
  const t0 = performance.now();
  try {
    const record = (r, sc, c, res) => {
      ((results[sc.key] ??= {})[c] ??= []).push(res);
      if (!res.ok && !res.unsupported) {
        failures++;
        process.stderr.write(`[bench] FAIL round ${r + 1} ${sc.key} ${c}: ${res.error}\n`);
      }
    };
    const takes = (sc, c) => (sc.clients ?? ALL).includes(c) && clientKeys.includes(c) && (!sc.peer || urls[sc.peer] !== undefined);
    // Rotate the order each round so no client always runs right after the same other one.
    const rotate = (names, r) => names.map((_, i) => names[(i + r) % names.length]);
    // The JVM compiles its hot paths over the first thousands of requests (unary JSON: 8 ms a call
    // at first, 3 ms warm): warm the peers with one untimed raw fetch run of each of their
    // scenarios, so the first client of round 1 does not pay for it.
    for (const sc of scenarios.filter((s) => s.peer && urls[s.peer] !== undefined)) {
      const res = await runClient(bundles.clients.raw, { ...sc.job, urls });
      if (!res.ok) process.stderr.write(`[bench] ${sc.key} warm-up: ${res.error ?? res.unsupported}\n`);
    }
    for (let r = 0; r < rounds; r++) {
      if (quick) {
        // One process per client per round, running every scenario in turn: A B C D.
        for (const c of rotate(ALL.filter((c) => clientKeys.includes(c)), r)) {
          const mine = scenarios.filter((sc) => takes(sc, c));
          const res = await runClient(bundles.clients[c], mine.map((sc) => ({ ...sc.job, urls })));
          mine.forEach((sc, i) => record(r, sc, c, Array.isArray(res) ? res[i] : res));
        }
      } else {
        // One process per scenario per client: A B C D for each scenario.
        for (const sc of scenarios) {
          for (const c of rotate(ALL.filter((c) => takes(sc, c)), r)) {
            record(r, sc, c, await runClient(bundles.clients[c], { ...sc.job, urls }));
          }
        }
      }
      process.stderr.write(`[bench] round ${r + 1}/${rounds} done (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    await server.stop();
    await Promise.all(Object.values(peers).map((p) => p.stop()));
  }
  const load1 = loadavg()[0];
  render({ started, rounds, load0, load1, results, t0 });
  if (failures > 0) {
    process.stderr.write(`[bench] ${failures} run(s) failed their checks\n`);
    process.exitCode = 1;
  }
}

/** Medians, ratios, spread; prints the table and writes bench/out/results-*.{md,json}. */
function render({ started, rounds, load0, load1, results, t0 }) {
  const failed = [];
  const table = [];
  for (const sc of scenarios) {
    for (const [metric, title, dir] of sc.rows) {
      const row = { key: sc.key, metric, title, dir, med: {}, spread: {}, note: {} };
      if (sc.rawFrom) {
        const ref = table.find((t) => t.key === sc.rawFrom && t.metric === metric);
        if (ref?.med.raw !== undefined) row.med.raw = ref.med.raw;
      }
      for (const c of ALL) {
        const runs = results[sc.key]?.[c];
        if (!runs) continue;
        const ok = runs.filter((x) => x.ok).map((x) => x.metrics[metric]);
        if (ok.length > 0 && ok.length * 2 > runs.length) {
          // A minority of failed runs (the Java peer sometimes answers raw fetch with bytes that are
          // not HTTP/1.1) does not void the rest: the median is over the runs that passed, marked.
          row.med[c] = median(ok);
          row.spread[c] = row.med[c] === 0 ? 0 : (Math.max(...ok) - Math.min(...ok)) / Math.abs(row.med[c]);
          if (ok.length < runs.length) {
            row.partial = { ...row.partial, [c]: `${ok.length}/${runs.length}` };
            const bad = runs.find((x) => !x.ok);
            if (!failed.some((f) => f.startsWith(`${sc.key} ${c}:`))) failed.push(`${sc.key} ${c}: ${bad.error}`);
          }
        } else {
          const bad = runs.find((x) => !x.ok);
          row.note[c] = bad?.unsupported ? "n/a" : "FAIL";
        }
      }
      table.push(row);
    }
  }

  const cell = (row, c) => {
    if (row.med[c] === undefined) return row.note[c] ?? "—";
    const v = row.med[c];
    const rs = [];
    if (c !== "raw" && row.med.raw) rs.push(`${(v / row.med.raw).toFixed(2)}× raw`);
    if (c !== "connect" && c !== "raw" && row.med.connect) rs.push(`${(v / row.med.connect).toFixed(2)}× cw`);
    const part = row.partial?.[c] ? ` [${row.partial[c]} runs]` : "";
    return (rs.length ? `${fmt(v)} (${rs.join(", ")})` : fmt(v)) + part;
  };
  const shown = ALL.filter((c) => clientKeys.includes(c));
  const lines = [];
  lines.push(
    `${quick ? "Quick run" : "Full run"}: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, ` +
      `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), ${rounds} rounds, medians; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}.`,
  );
  lines.push("");
  lines.push(`| scenario | ${shown.map((c) => clients[c].label).join(" | ")} | spread |`);
  lines.push(`|---|${shown.map(() => "---:").join("|")}|---:|`);
  for (const row of table) {
    const spread = Math.max(0, ...Object.values(row.spread));
    lines.push(`| ${row.dir} ${row.title} | ${shown.map((c) => cell(row, c)).join(" | ")} | ${(spread * 100).toFixed(0)} % |`);
  }
  if (failed.length > 0) {
    lines.push("");
    lines.push("Failed runs (the row's median is over the others):");
    for (const f of failed) lines.push(`- ${f}`);
  }
  lines.push("");
  lines.push(...targets(table));
  const text = lines.join("\n");
  process.stdout.write(`\n${text}\n`);
  if (load0 > 1.5 || load1 > 1.5) {
    process.stdout.write(`\nNote: the load average was above 1.5: other work shared the 2 cores; ratios are more reliable than absolute figures.\n`);
  }
  const outDir = join(benchDir, "out");
  mkdirSync(outDir, { recursive: true });
  const name = `results-${quick ? "quick" : "full"}`;
  writeFileSync(join(outDir, `${name}.md`), text + "\n");
  writeFileSync(
    join(outDir, `${name}.json`),
    JSON.stringify({ started, node: process.version, cores: cpus().length, rounds, load: [load0, load1], scenarios, results, table }, null, 1),
  );
  process.stderr.write(`[bench] wrote bench/out/${name}.md and .json (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

/** The targets, checked against this run's medians. */
function targets(table) {
  const get = (key, metric) => table.find((r) => r.key === key && r.metric === metric)?.med ?? {};
  const out = ["Targets (triple-es, this run):", ""];
  const line = (ok, text) => out.push(`- ${ok === undefined ? "n/a " : ok ? "MET " : "MISS"} ${text}`);
  const ratio = (a, b) => (a !== undefined && b ? a / b : undefined);
  const pct = (x) => (x === undefined ? "n/a" : `${(x * 100).toFixed(0)} %`);
  const x = (v) => (v === undefined ? "n/a" : `${v.toFixed(2)}×`);

  const pre = get("ss64pre", "msgsPerSec");
  const preCpu = get("ss64pre", "cpuUsPerMsg");
  const vsCw = ratio(pre.triple, pre.connect);
  const vsRaw = ratio(pre.triple, pre.raw);
  const cpuVsCw = ratio(preCpu.connect, preCpu.triple);
  line(vsCw === undefined ? undefined : vsCw >= 1.5 && vsRaw >= 0.7,
    `server stream 64 B (pre-encoded producer): ${x(vsCw)} connect-web msgs/s (≥ 1.5×), ${pct(vsRaw)} of raw fetch (≥ 70 %); CPU per message ${x(cpuVsCw)} less than connect-web`);
  const big = get("ss64kpre", "MBps");
  const bigD = get("ss64k", "MBps");
  const bigRaw = ratio(big.triple, big.raw);
  line(bigRaw === undefined ? undefined : bigRaw >= 0.9,
    `server stream 64 KiB: ${pct(bigRaw)} of raw fetch MB/s with the pre-encoded producer (≥ 90 %), ${pct(ratio(bigD.triple, bigD.raw))} through the dubbo-node handler`);
  const us = get("unary-seq", "callsPerSec");
  const uc = get("unary-c16", "callsPerSec");
  const s1 = ratio(us.triple, us.connect);
  const s16 = ratio(uc.triple, uc.connect);
  line(s1 === undefined ? undefined : s1 >= 0.98 && s16 >= 0.98,
    `unary ≥ connect-web: sequential ${x(s1)}, concurrency 16 ${x(s16)} (within the 1–3 % noise counts as equal)`);
  const uc16cpu = get("unary-c16", "cpuUsPerCall");
  const cpu16 = ratio(uc16cpu.triple, uc16cpu.connect);
  line(cpu16 === undefined ? undefined : cpu16 <= 1.02,
    `unary concurrency 16: client CPU per call ${x(cpu16)} connect-web's (≤ 1×, within 2 % counts as equal)`);
  for (const [key, what] of [["cs64", "sync iterable"], ["cs64async", "async generator"], ["cs64open", "open() + send()"]]) {
    const rate = get(key, "msgsPerSec");
    const cpu = get(key, "cpuUsPerMsg");
    const cpu1 = get(key, "firstCallCpuUsPerMsg");
    const rawRate = get("cs64", "msgsPerSec").raw;
    const rawCpu = get("cs64", "cpuUsPerMsg").raw;
    const rawCpu1 = get("cs64", "firstCallCpuUsPerMsg").raw;
    const r = ratio(rate.triple, rawRate);
    const c = ratio(cpu.triple, rawCpu);
    const c1 = ratio(cpu1.triple, rawCpu1);
    line(r === undefined ? undefined : r >= 0.7 && c <= 2,
      `client stream 64 B, ${what}: ${x(r)} raw msgs/s (≥ 0.7×); CPU per message ${x(c)} raw's (≤ 2×; ${x(c1)} on the first call of a process)`);
  }
  const lead = get("slow", "lead");
  const rss = get("slow", "rssGrowthMB");
  const rssLong = get("slowLong", "rssGrowthMB");
  const peerLead = Math.max(...["raw", "connect", "dubbo"].map((c) => lead[c] ?? 0));
  // Bounded: no more than the peers (whose lead is the kernel's and the runtime's buffers) plus
  // a few messages; flat: a 4× longer stream grows RSS by less than half again (+5 MB of GC slack).
  const bounded = lead.triple !== undefined ? lead.triple <= peerLead * 1.25 + 4 : undefined;
  const flat = rssLong.triple !== undefined ? rssLong.triple <= rss.triple * 1.5 + 5 : true;
  line(bounded === undefined ? undefined : bounded && flat,
    `slow consumer: lead ${fmt(lead.triple)} msgs vs ${fmt(lead.raw)} for raw fetch (the transport's buffers)` +
      (rss.triple === undefined ? "; RSS only in the full run" : `; RSS growth ${fmt(rss.triple)} MB`) +
      (rssLong.triple !== undefined ? `, ${fmt(rssLong.triple)} MB for a 4× longer stream` : ""));
  out.push("- bundle size: see `npm run size`");
  return out;
}

main().catch((e) => {
  process.stderr.write(`[bench] ${e.stack ?? e}\n`);
  process.exit(1);
});
