// Speed check for triple-es-gen (a figure to read, not a test threshold):
//
//   npm run bench:codegen          # or: node codegen/bench/speed.mjs [files] [services]
//
// Writes a synthetic corpus (default 200 .proto files in 20 packages, 50 of them with a service
// of 4 methods, one per call kind; the rest messages, enums and cross-file imports), runs the
// CLI on it once per target and prints the wall time of each run.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const fileCount = Number(process.argv[2] ?? 200);
const serviceCount = Number(process.argv[3] ?? 50);
const packageCount = 20;
const cli = fileURLToPath(new URL("../bin/triple-es-gen.js", import.meta.url));

/** Messages-only file `i`: a few scalars, a nested message, an enum, a timestamp, and a field typed by the previous file. */
function messagesFile(i) {
  const pkg = `bench.p${i % packageCount}`;
  const prev = i > 0 ? i - 1 : undefined;
  const lines = [
    'syntax = "proto3";',
    `package ${pkg};`,
    'import "google/protobuf/timestamp.proto";',
    ...(prev === undefined ? [] : [`import "p${prev % packageCount}/f${prev}.proto";`]),
    `// Messages of file ${i}.`,
    `message M${i} {`,
    "  string name = 1;",
    "  int64 id = 2;",
    "  repeated double values = 3;",
    "  map<string, string> labels = 4;",
    "  google.protobuf.Timestamp at = 5;",
    `  E${i} kind = 6;`,
    `  message Inner { bytes data = 1; bool flag = 2; }`,
    "  Inner inner = 7;",
    ...(prev === undefined ? [] : [`  bench.p${prev % packageCount}.M${prev} previous = 8;`]),
    "}",
    `enum E${i} { E${i}_UNSPECIFIED = 0; E${i}_A = 1; E${i}_B = 2; }`,
  ];
  return lines.join("\n") + "\n";
}

/** File `i` with a service whose methods take and return messages of the file before it. */
function serviceFile(i) {
  const base = messagesFile(i);
  const m = `M${i}`;
  return (
    base +
    [
      `// Service ${i}.`,
      `service S${i} {`,
      `  // Unary.`,
      `  rpc Get(${m}) returns (${m});`,
      `  rpc List(${m}) returns (stream ${m});`,
      `  rpc Upload(stream ${m}) returns (${m});`,
      `  rpc Chat(stream ${m}) returns (stream ${m});`,
      "}",
    ].join("\n") +
    "\n"
  );
}

const root = mkdtempSync(join(tmpdir(), "triple-es-bench-"));
try {
  const protos = join(root, "protos");
  const everyNth = Math.max(1, Math.floor(fileCount / serviceCount));
  let services = 0;
  for (let i = 0; i < fileCount; i++) {
    const dir = join(protos, `p${i % packageCount}`);
    mkdirSync(dir, { recursive: true });
    const withService = i % everyNth === 0 && services < serviceCount;
    if (withService) services++;
    writeFileSync(join(dir, `f${i}.proto`), withService ? serviceFile(i) : messagesFile(i));
  }
  console.log(`corpus: ${fileCount} .proto files, ${services} services (${services * 4} methods), ${packageCount} packages`);
  for (const target of ["ts", "js+dts"]) {
    const out = join(root, `gen-${target}`);
    const start = performance.now();
    const r = spawnSync(process.execPath, [cli, protos, "--out", out, "--target", target], { encoding: "utf8" });
    const ms = performance.now() - start;
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      process.exit(r.status ?? 1);
    }
    const written = r.stdout.split("\n").filter((l) => l !== "").length;
    console.log(`--target ${target}: ${written} files in ${(ms / 1000).toFixed(2)} s`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
