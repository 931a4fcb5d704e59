import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { codegenTestDir, repoRoot } from "./paths.js";

const codegenDir = join(repoRoot, "codegen");
const entryPoints = ["triple-es-gen.js", "protoc-gen-triple-es.js"].map((f) => join(codegenDir, "dist", "codegen", "src", f));
// Kept in the tests' scratch directory, not in codegen/dist, so the published package stays clean.
const scratch = join(codegenTestDir, ".out");
const stampFile = join(scratch, "codegen-source.sha256");
const lockDir = join(scratch, "codegen-build.lock");

/**
 * Makes sure codegen/dist matches codegen/src, compiling it if not, so `npm test` works from a
 * clean clone and after every edit. Test files run in parallel workers, so the build is guarded
 * by a lock directory (mkdir is atomic); whoever gets it builds, the others wait and re-check.
 */
export function ensureCodegenBuilt(): void {
  const hash = sourceHash();
  if (builtHash() === hash) return;
  acquireLock();
  try {
    if (builtHash() === hash) return;
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", join(codegenDir, "tsconfig.json")], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`building codegen failed:\n${r.stdout}${r.stderr}`);
    writeFileSync(stampFile, hash);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function builtHash(): string | undefined {
  if (!entryPoints.every((f) => existsSync(f)) || !existsSync(stampFile)) return undefined;
  return readFileSync(stampFile, "utf8");
}

/** A hash of every input of the build, so a stale dist is rebuilt whatever the timestamps say. */
function sourceHash(): string {
  const h = createHash("sha256");
  const files = [join(codegenDir, "tsconfig.json"), join(repoRoot, "src", "method-names.ts"), ...listTs(join(codegenDir, "src"))];
  for (const file of files) h.update(file).update("\0").update(readFileSync(file)).update("\0");
  return h.digest("hex");
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

function acquireLock(): void {
  mkdirSync(scratch, { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    // A lock left by a killed run is older than any real build.
    const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 60_000) rmSync(lockDir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}
