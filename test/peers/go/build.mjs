#!/usr/bin/env node
// Builds the dubbo-go peer (test/peers/go) into test/peers/go/bin/peer.
//
//   node test/peers/go/build.mjs          skip when nothing changed since the last build
//   node test/peers/go/build.mjs --force  build anyway
//
// Plain Node, no dependencies, idempotent: a stamp in bin/ records a hash of go.mod, go.sum,
// every *.go file (gen/ included) and the Go version; `go build -o bin/peer .` runs only when it
// differs or bin/peer is missing. The generated code in gen/ is committed (see README.md), so a
// build needs only Go and the Go module proxy.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const goDir = dirname(fileURLToPath(import.meta.url));
const binDir = join(goDir, "bin");
const peerBin = join(binDir, process.platform === "win32" ? "peer.exe" : "peer");
const stampFile = join(binDir, ".build-stamp");
const force = process.argv.includes("--force");

function log(msg) {
  process.stderr.write(`[go-peer] ${msg}\n`);
}

function goFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "bin" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...goFiles(p));
    else if (name.endsWith(".go")) out.push(p);
  }
  return out;
}

function inputsHash(goVersion) {
  const h = createHash("sha256");
  h.update(`${goVersion}\0`);
  for (const f of [join(goDir, "go.mod"), join(goDir, "go.sum"), ...goFiles(goDir)]) {
    h.update(relative(goDir, f).split("\\").join("/"));
    h.update("\0");
    h.update(existsSync(f) ? readFileSync(f) : "<missing>");
    h.update("\0");
  }
  return h.digest("hex");
}

function readStamp() {
  try {
    return readFileSync(stampFile, "utf8").trim();
  } catch {
    return undefined;
  }
}

const version = spawnSync("go", ["env", "GOVERSION"], { cwd: goDir, encoding: "utf8" });
if (version.error || version.status !== 0) {
  log(
    version.error?.code === "ENOENT"
      ? "`go` was not found: install Go 1.26 (https://go.dev/dl) and put it on PATH"
      : `\`go env GOVERSION\` failed: ${(version.stderr || version.error?.message || "").trim()}`,
  );
  process.exit(1);
}
const goVersion = version.stdout.trim();

const hash = inputsHash(goVersion);
if (!force && existsSync(peerBin) && readStamp() === hash) {
  log(`bin/peer is up to date (${goVersion})`);
  process.exit(0);
}

mkdirSync(binDir, { recursive: true });
rmSync(stampFile, { force: true });
// -mod=readonly: a build never changes go.mod / go.sum (go.sum is committed);
// -buildvcs=false: no VCS stamping (works in any checkout, e.g. a CI clone or a tarball).
const args = ["build", "-mod=readonly", "-buildvcs=false", "-o", relative(goDir, peerBin), "."];
log(`go ${args.join(" ")}  (${goVersion}; the first build downloads modules and can take minutes)`);
const started = Date.now();
const r = spawnSync("go", args, { cwd: goDir, stdio: ["ignore", "inherit", "inherit"] });
if (r.error || r.status !== 0) {
  log(`go build failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  process.exit(1);
}
writeFileSync(stampFile, `${hash}\n`);
log(`built bin/peer in ${((Date.now() - started) / 1000).toFixed(1)} s`);
