import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** test/codegen: the corpus, goldens and fixtures live here. */
export const codegenTestDir = join(repoRoot, "test", "codegen");
export const protosDir = join(codegenTestDir, "protos");
export const goldenDir = join(codegenTestDir, "golden");
export const fixturesDir = join(codegenTestDir, "fixtures");
export const cliBin = join(repoRoot, "codegen", "bin", "triple-es-gen.js");
export const pluginBin = join(repoRoot, "codegen", "bin", "protoc-gen-triple-es.js");

/**
 * A fresh, empty scratch directory under test/codegen/.out (git-ignored). It sits inside the
 * repository on purpose: generated code imports `@bufbuild/protobuf`, which only resolves from
 * a directory whose ancestors hold node_modules.
 */
export function scratchDir(name: string): string {
  const dir = join(codegenTestDir, ".out", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
