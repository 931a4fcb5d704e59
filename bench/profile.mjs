#!/usr/bin/env node
// CPU profile of one client on one scenario, summarised by function and by source file.
//
//   node bench/profile.mjs                          triple-es, 64 B server stream, pre-encoded producer
//   node bench/profile.mjs --client connect         another client (raw, triple, connect, dubbo)
//   node bench/profile.mjs --scenario ss64k         64 KiB messages (also ss64, unary, unary16, cs64,
//                                                   cs64async, cs64open)
//   npm run bench:profile                           (the first form)
//
// The client bundle is unminified and has a source map, so each sample is attributed to the
// source file and line it came from. The raw profile is written to
// bench/out/prof/ (open it in Chrome DevTools → Performance, or speedscope).

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { SourceMap } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { benchDir, buildAll } from "./lib/build.mjs";
import { runClient, startServer } from "./lib/server.mjs";

const args = process.argv.slice(2);
const opt = (n, d) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : d;
};
const client = opt("--client", "triple");
const scenario = opt("--scenario", "ss64pre");
const top = Number(opt("--top", "25"));

const jobs = {
  ss64pre: { scenario: "server-stream", server: "pre", count: 50_000, size: 64, reps: 20 },
  ss64: { scenario: "server-stream", server: "dubbo", count: 50_000, size: 64, reps: 4 },
  ss64k: { scenario: "server-stream", server: "pre", count: 1000, size: 65536, reps: 10 },
  unary: { scenario: "unary", server: "dubbo", size: 64, concurrency: 1, calls: 3000 },
  unary16: { scenario: "unary", server: "dubbo", size: 64, concurrency: 16, calls: 6000 },
  cs64: { scenario: "client-stream", server: "dubbo", count: 50_000, size: 64, mode: "iterable" },
  cs64async: { scenario: "client-stream", server: "dubbo", count: 300_000, size: 64, mode: "async" },
  cs64open: { scenario: "client-stream", server: "dubbo", count: 300_000, size: 64, mode: "open" },
};

const profDir = join(benchDir, "out", "prof");
rmSync(profDir, { recursive: true, force: true });
mkdirSync(profDir, { recursive: true });

const bundles = await buildAll();
const server = await startServer(bundles.server);
let result;
try {
  const urls = { dubbo: server.urls.dubboH1, pre: server.urls.preH1, control: server.urls.control };
  result = await runClient(bundles.clients[client], { ...jobs[scenario], urls }, {
    nodeArgs: ["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-interval", "200"],
  });
} finally {
  await server.stop();
}
console.log(`${client} / ${scenario}: ${JSON.stringify(result)}`);

const file = readdirSync(profDir)
  .filter((f) => f.endsWith(".cpuprofile"))
  .map((f) => join(profDir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!file) throw new Error("no profile written");
const profile = JSON.parse(readFileSync(file, "utf8"));

// Source positions from the bundle's source map.
const bundle = bundles.clients[client];
const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, "utf8")));
const bundleUrl = pathToFileURL(bundle).href;
const where = new Map();
function position(frame) {
  const k = `${frame.functionName}@${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
  let p = where.get(k);
  if (p) return p;
  if (frame.url !== bundleUrl) {
    const file = !frame.url ? (frame.functionName.startsWith("(") ? frame.functionName : "(native)") : frame.url.replace(/^file:\/\//, "");
    p = { file, line: frame.url ? frame.lineNumber + 1 : 0 };
  } else {
    const e = map.findEntry(frame.lineNumber, frame.columnNumber);
    const file = (e.originalSource ?? "(bundle)").replace(/^(\.\.\/)+/, "").replace(/^.*\/node_modules\//, "node_modules/");
    p = { file, line: (e.originalLine ?? frame.lineNumber) + 1 };
  }
  where.set(k, p);
  return p;
}
const moduleOf = (frame) => position(frame).file;

// Self time per node from the samples.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id).callFrame.functionName === "(idle)").reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const key = (n) => {
  const p = position(n.callFrame);
  return `${n.callFrame.functionName || "(anonymous)"}  ${p.file}${p.line ? `:${p.line}` : ""}`;
};
const fnSelf = new Map();
const modSelf = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  if (n.callFrame.functionName === "(idle)") continue;
  fnSelf.set(key(n), (fnSelf.get(key(n)) ?? 0) + t);
  const m = moduleOf(n.callFrame);
  modSelf.set(m, (modSelf.get(m) ?? 0) + t);
}

// Inclusive time for functions of the SDK's own source (src/…), counted once per stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!moduleOf(n.callFrame).startsWith("src/")) continue;
    const k = key(n);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + t);
  }
}

const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)} %`;
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(t)}  ${k}`);
};
console.log(`\nprofile: ${file.slice(benchDir.length + 1)}; busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms (percentages of busy time)`);
show("self time by source file", modSelf, 20);
show(`self time by function (top ${top})`, fnSelf, top);
show("inclusive time of src/ functions", incl, 20);
