#!/usr/bin/env node
// Bundle size of a minimal binary unary client (npm run size): esbuild --bundle --minify
// (browser, ESM) of each entry in bench/size/, then gzip -9 and brotli -11 of the output.
// "over floor" is the gzip bytes above the protobuf-es v2 floor (create/toBinary/fromBinary +
// fetch): for triple-es that is the SDK's own code (target ≤ 3 KB), for connect-web ~15 KB.
// dubbo-web sits on protobuf-es v1, whose runtime is smaller than v2's: its "over floor" mixes
// the two protobuf generations.
//
//   node bench/size.mjs    prints a Markdown table; writes bench/out/size.{md,json}

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { bareImportsFrom, benchDir, esbuild, resolveFrom } from "./lib/build.mjs";

const entries = [
  ["floor", "protobuf-es v2 create/toBinary/fromBinary + fetch", "floor.ts", "root"],
  ["triple-es", "triple-es (generated-client style: createUnaryFn)", "triple-es.ts", "root"],
  ["triple-es createClient", "triple-es, generic createClient", "triple-es-create-client.ts", "root"],
  ["triple-es unary + server stream", "triple-es, generated-client style for a service with a unary and a server-streaming method", "triple-es-server-stream.ts", "root"],
  ["triple-es four kinds", "triple-es, generated-client style for a service with all four call kinds (one per-kind factory each)", "triple-es-four-kinds.ts", "root"],
  ["triple-es + json()", "triple-es with `triple-es/json` imported", "triple-es-json.ts", "root"],
  ["triple-es + gzip", "triple-es with `triple-es/gzip` imported", "triple-es-gzip.ts", "root"],
  ["triple-es + retry", "triple-es with `retryPolicy()` from `triple-es/retry` on the transport", "triple-es-retry.ts", "root"],
  ["triple-es + http-get", "triple-es with `triple-es/http-get` imported (httpGet())", "triple-es-http-get.ts", "root"],
  ["connect-web", "@connectrpc/connect-web 2.2 createConnectTransport (binary)", "connect-web.ts", "bench"],
  ["dubbo-web", "@apachedubbo/dubbo-web 3.0.0-alpha createDubboTransport (binary)", "dubbo-web.ts", "dubboWeb"],
];

async function measure(file, from) {
  const r = await esbuild.build({
    entryPoints: [join(benchDir, "size", file)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    plugins: [bareImportsFrom(resolveFrom[from])],
  });
  const code = r.outputFiles[0].contents;
  // Bytes per package/folder in the minified output, for the breakdown.
  const parts = {};
  for (const [path, info] of Object.entries(Object.values(r.metafile.outputs)[0].inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const k = m ? m[1] : path.includes("/gen/") || path.startsWith("gen/") ? "generated code" : path.replace(/^(\.\.\/)+/, "").split("/")[0];
    parts[k] = (parts[k] ?? 0) + info.bytesInOutput;
  }
  return {
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    parts,
  };
}

const rows = [];
for (const [name, what, file, from] of entries) rows.push({ name, what, file, ...(await measure(file, from)) });
const floor = rows.find((r) => r.name === "floor");
const kb = (b) => (b / 1000).toFixed(1);
const lines = [
  `Bundle size, esbuild ${esbuild.version} --bundle --minify (browser, ESM); gzip -9, brotli -11; KB = 1000 bytes.`,
  "",
  "| client | minified | gzip | brotli | gzip over floor |",
  "|---|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${kb(r.min)} KB | ${kb(r.gzip)} KB | ${kb(r.brotli)} KB | ${r === floor ? "—" : `${r.gzip >= floor.gzip ? "+" : ""}${kb(r.gzip - floor.gzip)} KB`} |`,
  ),
  "",
  "Entries (bench/size/): " + rows.map((r) => `${r.name}: ${r.what}`).join("; ") + ".",
  "",
  "Minified bytes by package:",
  ...rows.map(
    (r) =>
      `- ${r.name}: ` +
      Object.entries(r.parts)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${kb(v)} KB`)
        .join(", "),
  ),
];
const tri = rows.find((r) => r.name === "triple-es");
const json = rows.find((r) => r.name === "triple-es + json()");
const gz = rows.find((r) => r.name === "triple-es + gzip");
const four = rows.find((r) => r.name === "triple-es four kinds");
lines.push(
  "",
  `Target: triple-es's own code ≤ 3 KB gzip over the floor: ${tri.gzip - floor.gzip <= 3000 ? "MET" : "MISS"} (+${kb(tri.gzip - floor.gzip)} KB); ` +
    `all four call kinds ≤ 6 KB: ${four.gzip - floor.gzip <= 6000 ? "MET" : "MISS"} (+${kb(four.gzip - floor.gzip)} KB). ` +
    `JSON adds ${kb(json.gzip - tri.gzip)} KB gzip and gzip compression ${kb(gz.gzip - tri.gzip)} KB, only when imported.`,
);
const text = lines.join("\n");
process.stdout.write(text + "\n");
mkdirSync(join(benchDir, "out"), { recursive: true });
writeFileSync(join(benchDir, "out", "size.md"), text + "\n");
writeFileSync(join(benchDir, "out", "size.json"), JSON.stringify(rows, null, 1));
