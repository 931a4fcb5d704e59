#!/usr/bin/env node
// Builds the Dubbo Java 3.3.6 peer (test/peers/java) with Maven: generated protobuf + Triple stubs
// from test/protos, compiled classes in target/classes, runtime jars in target/lib.
//
//   node test/peers/java/build.mjs [--force]
//
// Idempotent: a SHA-256 of pom.xml, src/ and the proto is kept in target/.build-stamp; when it
// matches (and the outputs exist) Maven is not run. Needs Java 17 and Maven on PATH; a fresh
// ~/.m2 is filled from Maven Central (about 90 MB).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const protoRoot = join(here, "..", "..", "protos");
const proto = join(protoRoot, "triple", "interop", "v1", "interop.proto");
const stampFile = join(here, "target", ".build-stamp");
const mainClass = join(here, "target", "classes", "interop", "Main.class");
const libDir = join(here, "target", "lib");
const force = process.argv.includes("--force");
const started = Date.now();
const log = (msg) => process.stderr.write(`java peer: ${msg}\n`);

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

function stamp() {
  const h = createHash("sha256");
  for (const f of [join(here, "pom.xml"), ...files(join(here, "src")), proto]) {
    h.update(relative(here, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  return h.digest("hex");
}

function have(cmd) {
  const r = spawnSync(cmd, ["-version"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

const want = stamp();
const built =
  existsSync(stampFile) &&
  readFileSync(stampFile, "utf8").trim() === want &&
  existsSync(mainClass) &&
  existsSync(libDir) &&
  readdirSync(libDir).some((f) => f.startsWith("dubbo-"));
if (built && !force) {
  log(`up to date (${Date.now() - started} ms)`);
  process.exit(0);
}

if (!have("java") || !have("mvn")) {
  process.stderr.write(
    "java peer: install Java 17 and Maven: apt-get install -y openjdk-17-jdk-headless maven\n",
  );
  process.exit(1);
}

log("building with Maven (mvn -q -B -DskipTests package)…");
// `clean` too: a stale generated source or class of a removed file must not survive.
const args = ["-q", "-B", "-DskipTests", "clean", "package", ...process.argv.slice(2).filter((a) => a.startsWith("-D"))];
const r = spawnSync("mvn", args, { cwd: here, stdio: ["ignore", process.stderr, "inherit"] });
if (r.error || r.status !== 0) {
  log(`mvn failed (${r.error ? r.error.message : `exit code ${r.status}`}) after ${Date.now() - started} ms`);
  process.exit(1);
}
if (!existsSync(mainClass)) {
  log(`mvn succeeded but ${relative(here, mainClass)} is missing`);
  process.exit(1);
}
mkdirSync(dirname(stampFile), { recursive: true });
writeFileSync(stampFile, `${want}\n`);
log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
