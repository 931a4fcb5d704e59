// Renders the README's support table (runtime × server × transport × call kind) from the capability files
// in test/conformance/capabilities/, which the conformance suite asserts in each runtime, so the
// docs say exactly what is tested.
//
//   npm run support-table            rewrites the README section between the markers
//   npm run support-table -- --check exits 1 when the README section is out of date

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { codeToString } from "triple-es";
import {
  callKindLabels,
  serverLabels,
  transportLabels,
  type CallKind,
  type OtherServer,
  type RuntimeCapabilities,
  type ServerCapabilities,
  type Support,
  type TransportName,
} from "../conformance/capabilities.js";
import { allRuntimes } from "../conformance/capabilities/index.js";

export const START_MARKER = "<!-- support-table:start -->";
export const END_MARKER = "<!-- support-table:end -->";

const kinds: CallKind[] = ["unary", "serverStream", "clientStream", "bidi"];
const transports: TransportName[] = ["h1", "h2", "wt", "ws"];

function cell(s: Support): string {
  if (!s.supported) return `❌ \`${codeToString(s.code)}\``;
  const extra = [s.duplex ? `${s.duplex} duplex` : "", s.upload === "buffered" ? "buffered" : ""].filter(Boolean);
  return extra.length ? `✅ ${extra.join(", ")}` : "✅";
}

/** The note of a row: one reason when every kind fails alike, else each kind's reason or note. */
function rowNotes(caps: Record<CallKind, Support>): string[] {
  const whys = kinds.map((k) => caps[k]).flatMap((s) => (s.supported ? [] : [s.why]));
  if (whys.length === kinds.length && new Set(whys).size === 1) return [whys[0]!];
  return kinds.flatMap((k) => {
    const s = caps[k];
    if (!s.supported) return [`${callKindLabels[k]}: ${s.why}`];
    return s.note ? [`${callKindLabels[k]}: ${s.note}`] : [];
  });
}

const protocolNames: Record<OtherServer, string> = { java: "`dubboJava()`", go: "`dubboGo()`" };

function rows(rt: RuntimeCapabilities): string[] {
  const out: string[] = [];
  const dubboJs = serverLabels["dubbo-js"];
  for (const t of transports) {
    const caps = rt.transports[t];
    if (caps !== undefined) {
      const notes = rowNotes(caps);
      if (caps.note !== undefined) notes.unshift(caps.note);
      out.push(`| ${rt.label} | ${dubboJs} | ${transportLabels[t]} | ${kinds.map((k) => cell(caps[k])).join(" | ")} | ${notes.join("; ")} |`);
    } else if (t !== "wt" && t !== "ws" && rt.unavailable?.[t] !== undefined) {
      out.push(`| ${rt.label} | ${dubboJs} | ${transportLabels[t]} | ${kinds.map(() => "—").join(" | ")} | ${rt.unavailable[t]} |`);
    }
  }
  for (const server of ["java", "go"] as const) {
    const caps = rt.servers[server];
    const notes = rowNotes(caps);
    if (caps.note !== undefined) notes.unshift(caps.note);
    const transport = `HTTP/1.1, ${protocolNames[server]}`;
    out.push(`| ${rt.label} | ${serverLabels[server]} | ${transport} | ${kinds.map((k) => cell(caps[k])).join(" | ")} | ${notes.join("; ")} |`);
  }
  for (const path of ["wt", "ws"] as const) {
    const servers = rt.viaGateway?.[path];
    if (servers === undefined) continue;
    for (const server of ["java", "go"] as const) {
      const caps = servers[server];
      const notes = [...rowNotes(caps), ...gatewayNotes(caps)];
      const transport = `${transportLabels[path]}, gRPC upstream`;
      out.push(`| ${rt.label} | ${serverLabels[server]} | ${transport} | ${kinds.map((k) => cell(caps[k])).join(" | ")} | ${notes.join("; ")} |`);
    }
  }
  return out;
}

/** What the suite asserts about a server through the gateway beyond the call kinds. */
function gatewayNotes(caps: ServerCapabilities): string[] {
  if (!caps.unary.supported) return [];
  const notes: string[] = [];
  if (caps.json !== undefined && !caps.json.supported) notes.push(`JSON: ❌ \`${codeToString(caps.json.code)}\` (${caps.json.why})`);
  if (caps.producerLeadMiB === "unbounded") notes.push("a paused consumer does not hold its producer back (it queues in the server)");
  else notes.push("a paused consumer stops its producer (credits, HTTP/2 flow control)");
  if (caps.abortedUploadSeenAs === "end of input") notes.push("an aborted client stream reaches its handler as an orderly end of input");
  if (caps.abortedUploadSeenAs === "either") notes.push("an aborted client stream reaches its handler as a cancel or as an end of input");
  return notes;
}

/** The Markdown that goes between the markers. */
export function renderSupportTable(runtimes: readonly RuntimeCapabilities[] = allRuntimes): string {
  return [
    "| Runtime | Server | Transport | Unary | Server stream | Client stream | Bidi stream | Notes |",
    "|---|---|---|---|---|---|---|---|",
    ...runtimes.flatMap(rows),
    "",
    "✅ works; ❌ fails with that `TripleError` code and a message saying why; — the runtime's fetch cannot speak it (over TLS it falls back to HTTP/1.1).",
    "WebTransport and WebSocket go through the gateway (`gateway/`, docs/webtransport.md, docs/websocket.md), which calls",
    "dubbo-js over HTTP/2 and Java and Go over gRPC (`--upstream-protocol grpc`: every call kind).",
    "Java and Go are reached over HTTP/1.1 with their protocol (see \"Which protocol for which server\"); what they serve only",
    "over gRPC fails before sending, naming the gateway. Every cell is asserted by the conformance suite (`test/conformance/`)",
    "running inside that runtime against the real server (dubbo-js 3.0.0-alpha, Dubbo Java 3.3.6, dubbo-go 3.3.2) in `npm test`.",
    "Generated from `test/conformance/capabilities/` by `npm run support-table`.",
  ].join("\n");
}

/** The README with its marked section replaced; undefined when the markers are missing. */
export function withSupportTable(readme: string, table = renderSupportTable()): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

export const readmePath = join(fileURLToPath(new URL("../..", import.meta.url)), "README.md");

function main(): void {
  const check = process.argv.includes("--check");
  const table = renderSupportTable();
  if (!existsSync(readmePath)) {
    console.error(`README.md not found; add a section\n${START_MARKER}\n${END_MARKER}\nand run again. The table:\n\n${table}`);
    process.exit(1);
  }
  const readme = readFileSync(readmePath, "utf8");
  const updated = withSupportTable(readme, table);
  if (updated === undefined) {
    console.error(`README.md has no ${START_MARKER} … ${END_MARKER} section. The table:\n\n${table}`);
    process.exit(1);
  }
  if (updated === readme) {
    console.log("README.md support table is up to date.");
    return;
  }
  if (check) {
    console.error("README.md support table is out of date: run `npm run support-table`.");
    process.exit(1);
  }
  writeFileSync(readmePath, updated);
  console.log("README.md support table updated.");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
