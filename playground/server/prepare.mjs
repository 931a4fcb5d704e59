#!/usr/bin/env node
// Makes everything the playground needs that is not in git, and only what is missing or stale:
//
//   1. the dubbo-js server's packages: test/peers/install.mjs (npm ci in test/peers/dubbo), linked
//      here as playground/server/node_modules, so the server's protobuf-es v1 never meets the
//      page's v2;
//   2. the server's code (protobuf-es v1 + protoc-gen-apache-dubbo-es) in playground/server/gen;
//   3. the page's code (protobuf-es v2 messages and typed clients, from the project's codegen CLI
//      triple-es-gen) in playground/gen/ts, and a FileDescriptorSet of playground/protos in
//      playground/gen/playground.binpb (offered by the page as a sample for "load descriptor set").
//
//   node playground/server/prepare.mjs [--force]
//
// Plain Node, no dependencies; used by scripts/start.mjs and the e2e test. Idempotent (hash stamps).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = dirname(fileURLToPath(import.meta.url));
const playgroundDir = dirname(serverDir);
const root = dirname(playgroundDir);
const protoDir = join(playgroundDir, "protos");
const peerDir = join(root, "test", "peers", "dubbo");

function files(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? files(p, suffix) : name.endsWith(suffix) ? [p] : [];
    });
}

function hash(inputs, extra = "") {
  const h = createHash("sha256").update(extra);
  for (const f of inputs) h.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

const readStamp = (f) => (existsSync(f) ? readFileSync(f, "utf8").trim() : undefined);

function run(log, cmd, args, opts = {}) {
  const shown = cmd === process.execPath ? "node" : relative(root, cmd);
  log(`${shown} ${args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${shown} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

/** Generates with `buf generate` into `out` unless the stamp says the same inputs made it already. */
function generate(log, { force, binDir, out, template, extraStamp = "" }) {
  const stampFile = join(out, ".playground-gen-stamp");
  const stamp = hash([...files(protoDir, ".proto")], JSON.stringify(template) + extraStamp);
  if (!force && readStamp(stampFile) === stamp) return false;
  rmSync(out, { recursive: true, force: true });
  run(log, join(binDir, "buf"), ["generate", protoDir, "--template", JSON.stringify(template)], {
    cwd: root,
    env: { ...process.env, PATH: binDir + delimiter + (process.env.PATH ?? "") },
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(stampFile, stamp + "\n");
  return true;
}

/**
 * @param {{ force?: boolean, log?: (msg: string) => void }} [options]
 */
export function prepare(options = {}) {
  const force = options.force ?? false;
  const log = options.log ?? ((msg) => process.stderr.write(`[playground] ${msg}\n`));

  const rootBin = join(root, "node_modules", ".bin");
  if (!existsSync(join(rootBin, "protoc-gen-es")) || !existsSync(join(root, "node_modules", "vite"))) {
    throw new Error("the root packages are not installed: run `npm install` in the repository root first");
  }

  // 1. The dubbo-js server's packages (the interop peer's folder), linked into this folder.
  run(log, process.execPath, [join(root, "test", "peers", "install.mjs"), "--dubbo-only"], { cwd: root });
  const link = join(serverDir, "node_modules");
  let linked = false;
  try {
    linked = lstatSync(link).isSymbolicLink() || lstatSync(link).isDirectory();
  } catch {
    linked = false;
  }
  if (!linked) {
    symlinkSync(relative(serverDir, join(peerDir, "node_modules")), link, "dir");
    log("linked playground/server/node_modules → test/peers/dubbo/node_modules");
  }

  // 2. The server's code: protobuf-es v1 + apache-dubbo-es, with the peer's plugins.
  const peerLock = join(peerDir, "package-lock.json");
  if (
    generate(log, {
      force,
      binDir: join(peerDir, "node_modules", ".bin"),
      out: join(serverDir, "gen"),
      extraStamp: existsSync(peerLock) ? readFileSync(peerLock, "utf8") : "",
      template: {
        version: "v2",
        plugins: [
          { local: "protoc-gen-es", out: relative(root, join(serverDir, "gen")), opt: ["target=ts"] },
          { local: "protoc-gen-apache-dubbo-es", out: relative(root, join(serverDir, "gen")), opt: ["target=ts"] },
        ],
      },
    })
  ) {
    log("generated playground/server/gen (protobuf-es v1, dubbo-js)");
  }

  // 3. The page's code: protobuf-es v2 messages and typed Triple clients from the project's own
  //    codegen (triple-es-gen), plus a descriptor set of playground/protos.
  const pageGen = join(playgroundDir, "gen");
  const cli = join(root, "codegen", "bin", "triple-es-gen.js");
  const codegenDist = join(root, "codegen", "dist");
  if (!existsSync(join(codegenDist, "codegen", "src", "triple-es-gen.js"))) {
    run(log, join(rootBin, "tsc"), ["-p", join(root, "codegen", "tsconfig.json")], { cwd: root });
  }
  const stampFile = join(pageGen, ".playground-gen-stamp");
  const stamp = hash([...files(protoDir, ".proto"), ...files(codegenDist, ".js")], "triple-es-gen");
  if (force || readStamp(stampFile) !== stamp || !existsSync(join(pageGen, "playground.binpb"))) {
    rmSync(pageGen, { recursive: true, force: true });
    run(
      log,
      process.execPath,
      [cli, protoDir, "--out", join(pageGen, "ts"), "--descriptor-set", join(pageGen, "playground.binpb")],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
    );
    writeFileSync(stampFile, stamp + "\n");
    log("generated playground/gen (triple-es-gen: messages, clients, playground.binpb)");
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    prepare({ force: process.argv.includes("--force") });
  } catch (e) {
    process.stderr.write(`[playground] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
