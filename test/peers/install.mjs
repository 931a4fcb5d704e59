#!/usr/bin/env node
// Installs the real peer servers used by the interop tests and generates their code.
//
//   node test/peers/install.mjs          (or: npm run peers)
//   node test/peers/install.mjs --force  (reinstall and regenerate)
//   node test/peers/install.mjs --dubbo-only  (only the dubbo-js peer: the playground's default
//                                              server, which needs neither Maven nor Go)
//
// test/peers/dubbo has its own package.json / package-lock.json / node_modules so that its
// @bufbuild/protobuf v1 never meets the root package's protobuf-es v2. This script is plain Node
// (no dependencies) and idempotent: it records a hash of its inputs and skips work that is
// already done.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const peersDir = dirname(fileURLToPath(import.meta.url));
const dubboDir = join(peersDir, "dubbo");
const protoDir = join(peersDir, "..", "protos");
const force = process.argv.includes("--force");
const dubboOnly = process.argv.includes("--dubbo-only");

const nodeModules = join(dubboDir, "node_modules");
const installStamp = join(nodeModules, ".triple-es-install-stamp");
const genDir = join(dubboDir, "gen");
const genStamp = join(genDir, ".triple-es-gen-stamp");

function log(msg) {
  process.stderr.write(`[peers] ${msg}\n`);
}

function hashFiles(files) {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(relative(peersDir, f));
    h.update("\0");
    h.update(existsSync(f) ? readFileSync(f) : "<missing>");
    h.update("\0");
  }
  return h.digest("hex");
}

function listFiles(dir, suffix) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

function readStamp(file) {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

function run(cmd, args, opts = {}) {
  log(`${cmd} ${args.join(" ")}  (in ${relative(process.cwd(), opts.cwd ?? process.cwd()) || "."})`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    log(`failed: ${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// 1. Dependencies of test/peers/dubbo.
const lockFile = join(dubboDir, "package-lock.json");
const depsHash = hashFiles([join(dubboDir, "package.json"), lockFile]);
const binOk = existsSync(join(nodeModules, ".bin", "buf")) && existsSync(join(nodeModules, ".bin", "tsx"));
if (!force && binOk && readStamp(installStamp) === depsHash) {
  log("test/peers/dubbo: dependencies up to date");
} else {
  const args = existsSync(lockFile)
    ? ["ci", "--no-audit", "--no-fund"]
    : ["install", "--no-audit", "--no-fund"];
  run(npm, args, { cwd: dubboDir });
  // `npm install` may have written the lock file: hash again.
  writeFileSync(installStamp, hashFiles([join(dubboDir, "package.json"), lockFile]) + "\n");
}

// buf ships its binary in an optional platform package; its postinstall only links it, and npm 11
// does not run install scripts unless allowed. The JS launcher finds the binary on its own: check.
const binDir = join(nodeModules, ".bin");
const bufBin = join(binDir, process.platform === "win32" ? "buf.cmd" : "buf");
{
  const r = spawnSync(bufBin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) {
    log(`buf does not run (${r.error?.message ?? r.stderr.trim()}); try: node test/peers/install.mjs --force`);
    process.exit(1);
  }
}

// 2. Code generation (protobuf-es v1 + apache-dubbo-es) from test/protos into test/peers/dubbo/gen.
const genInputs = [
  join(dubboDir, "buf.gen.yaml"),
  join(dubboDir, "package-lock.json"),
  ...listFiles(protoDir, ".proto"),
];
const genHash = hashFiles(genInputs);
if (!force && readStamp(genStamp) === genHash) {
  log("test/peers/dubbo/gen: generated code up to date");
} else {
  rmSync(genDir, { recursive: true, force: true });
  run(bufBin, ["generate", protoDir, "--template", join(dubboDir, "buf.gen.yaml")], {
    cwd: dubboDir,
    env: { ...process.env, PATH: binDir + delimiter + (process.env.PATH ?? "") },
  });
  mkdirSync(genDir, { recursive: true });
  writeFileSync(genStamp, genHash + "\n");
  log(`generated ${listFiles(genDir, ".ts").map((f) => relative(dubboDir, f)).join(", ")}`);
}

// 3. The Dubbo Java 3.3 and dubbo-go 3.3 peers: Maven and Go builds, each skipped when nothing
// changed since its last build. A missing `mvn`/`java` or `go` fails with how to install it.
for (const peer of dubboOnly ? [] : ["java", "go"]) {
  run(process.execPath, [join(peersDir, peer, "build.mjs"), ...(force ? ["--force"] : [])]);
}
