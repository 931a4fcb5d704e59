// The generated code must compile in a user's strictest project, for both targets: `ts` as a
// bundler project compiles it, `js+dts` as plain Node ESM consumes it. fixtures/consumer.ts calls
// every generated client and holds @ts-expect-error lines that must stay errors.
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCodegenBuilt } from "./support/build-codegen.js";
import { codegenTestDir, fixturesDir, scratchDir } from "./support/paths.js";
import { runCli } from "./support/run-cli.js";
import { typeCheck } from "./support/typecheck.js";

beforeAll(() => ensureCodegenBuilt(), 120_000);

/** Generates the corpus into `<scratch>/gen` and puts the consumer fixture next to it. */
function generate(name: string, target: "ts" | "js+dts"): string {
  const dir = scratchDir(name);
  const r = runCli(["protos", "--out", join(dir, "gen"), "--target", target], { cwd: codegenTestDir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  copyFileSync(join(fixturesDir, "consumer.ts"), join(dir, "consumer.ts"));
  return dir;
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

describe("tsc --strict --noUncheckedIndexedAccess --exactOptionalPropertyTypes", () => {
  it("compiles the ts target and a consumer of it (bundler resolution)", () => {
    const dir = generate("typecheck-ts", "ts");
    const roots = [...filesUnder(join(dir, "gen"), ".ts"), join(dir, "consumer.ts")];
    expect(typeCheck({ rootFiles: roots, onlyUnder: dir, mode: "bundler" })).toEqual([]);
  });

  it("compiles the ts target with .ts import extensions (Deno style)", () => {
    const dir = scratchDir("typecheck-ts-ext");
    const r = runCli(["protos", "--out", join(dir, "gen"), "--import-extension", "ts"], { cwd: codegenTestDir });
    expect(r.code).toBe(0);
    const roots = filesUnder(join(dir, "gen"), ".ts");
    expect(typeCheck({ rootFiles: roots, onlyUnder: dir, mode: "bundler", extra: { allowImportingTsExtensions: true } })).toEqual(
      [],
    );
  });

  it("compiles the js+dts declarations and a consumer of them (Node ESM resolution)", () => {
    const dir = generate("typecheck-dts", "js+dts");
    const roots = [...filesUnder(join(dir, "gen"), ".d.ts"), join(dir, "consumer.ts")];
    expect(typeCheck({ rootFiles: roots, onlyUnder: dir, mode: "nodenext" })).toEqual([]);
  });

  it("checks the js+dts JavaScript: every import names a real export", () => {
    const dir = generate("typecheck-js", "js+dts");
    const roots = filesUnder(join(dir, "gen"), "_triple.js");
    const diagnostics = typeCheck({
      rootFiles: roots,
      onlyUnder: dir,
      mode: "nodenext",
      // Plain JavaScript cannot say `methods[0]!`; what this checks is the imports.
      extra: { allowJs: true, checkJs: true, noImplicitAny: false, noUncheckedIndexedAccess: false },
    });
    expect(diagnostics).toEqual([]);
  });
});
