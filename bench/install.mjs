#!/usr/bin/env node
// Installs what the benchmarks need and generates their code; run by `npm run bench`,
// `npm run bench:quick` and `npm run size` (idempotent: a hash of the inputs skips done work).
//
//   node bench/install.mjs           (--force: reinstall and regenerate)
//
// - bench/node_modules: the peers' client libraries, kept apart from the root package. bench/ is
//   an npm workspace root: @connectrpc/connect-web 2.x with its own protobuf-es v2 copy in
//   bench/node_modules, and bench/peers/dubbo-web (@apachedubbo/dubbo-web 3.0.0-alpha) with
//   protobuf-es v1 in bench/peers/dubbo-web/node_modules. One lockfile: bench/package-lock.json.
// - test/peers/dubbo: the real dubbo-js server (`npm run peers`); the bench server imports from it.
// - bench/gen/v2: protobuf-es v2 code for bench/protos (the root's buf + protoc-gen-es), used by
//   the triple-es and connect-web clients.
// - bench/gen/v1: protobuf-es v1 + apache-dubbo-es code (test/peers/dubbo's generators), used by
//   the bench server and the dubbo-web client.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, "..");
const dubboPeerDir = join(root, "test", "peers", "dubbo");
const protoDir = join(benchDir, "protos");
const genDir = join(benchDir, "gen");
const force = process.argv.includes("--force");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function log(msg) {
  process.stderr.write(`[bench:install] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  log(`${relative(root, cmd) || cmd} ${args.join(" ")}  (in ${relative(root, opts.cwd ?? root) || "."})`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    log(`failed: exit ${r.status ?? r.signal}`);
    process.exit(1);
  }
}

function listFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? listFiles(p, suffix) : name.endsWith(suffix) ? [p] : [];
    });
}

function hashFiles(files, extra = "") {
  const h = createHash("sha256").update(extra);
  for (const f of files) {
    h.update(relative(root, f)).update("\0");
    h.update(existsSync(f) ? readFileSync(f) : "<missing>").update("\0");
  }
  return h.digest("hex");
}

const readStamp = (f) => (existsSync(f) ? readFileSync(f, "utf8").trim() : undefined);

// 0. The root package's tools (buf, protoc-gen-es v2) come from `npm ci` in the root.
const rootBin = join(root, "node_modules", ".bin");
for (const tool of ["buf", "protoc-gen-es"]) {
  if (!existsSync(join(rootBin, tool))) {
    log(`node_modules/.bin/${tool} is missing: run \`npm ci\` in the repository root first`);
    process.exit(1);
  }
}

// 1. The real dubbo-js server (its own script is idempotent too).
run(process.execPath, [join(root, "test", "peers", "install.mjs"), ...(force ? ["--force"] : [])]);

// 2. bench/node_modules (workspace root + bench/peers/dubbo-web).
{
  const inputs = [join(benchDir, "package.json"), join(benchDir, "package-lock.json"), join(benchDir, "peers", "dubbo-web", "package.json")];
  const stamp = join(benchDir, "node_modules", ".triple-es-bench-stamp");
  const ok =
    existsSync(join(benchDir, "node_modules", "@connectrpc", "connect-web", "package.json")) &&
    existsSync(join(benchDir, "peers", "dubbo-web", "node_modules", "@apachedubbo", "dubbo-web", "package.json"));
  if (!force && ok && readStamp(stamp) === hashFiles(inputs)) {
    log("bench/node_modules up to date");
  } else {
    const ci = existsSync(join(benchDir, "package-lock.json"));
    run(npm, [ci ? "ci" : "install", "--no-audit", "--no-fund"], { cwd: benchDir });
    writeFileSync(stamp, hashFiles(inputs) + "\n");
  }
}

// 3. Generated code.
function generate(name, binDir, plugins, lockFile) {
  const out = join(genDir, name);
  const stamp = join(out, ".stamp");
  const template = JSON.stringify({ version: "v2", clean: true, plugins: plugins.map((p) => ({ ...p, out })) });
  const hash = hashFiles([lockFile, ...listFiles(protoDir, ".proto")], template);
  if (!force && readStamp(stamp) === hash) {
    log(`bench/gen/${name} up to date`);
    return;
  }
  rmSync(out, { recursive: true, force: true });
  run(join(binDir, "buf"), ["generate", protoDir, "--template", template], {
    cwd: benchDir,
    env: { ...process.env, PATH: binDir + delimiter + (process.env.PATH ?? "") },
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(stamp, hash + "\n");
  log(`generated ${listFiles(out, ".ts").map((f) => relative(benchDir, f)).join(", ")}`);
}

generate("v2", rootBin, [{ local: "protoc-gen-es", opt: ["target=ts"] }], join(root, "package-lock.json"));
generate(
  "v1",
  join(dubboPeerDir, "node_modules", ".bin"),
  [
    { local: "protoc-gen-es", opt: ["target=ts"] },
    { local: "protoc-gen-apache-dubbo-es", opt: ["target=ts"] },
  ],
  join(dubboPeerDir, "package-lock.json"),
);
