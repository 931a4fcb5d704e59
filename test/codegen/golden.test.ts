// Golden test: the corpus in protos/ is generated with the CLI and every *_triple.* file is
// compared with the committed copy in golden/<target>/. After an intended change to the output:
//
//   UPDATE_GOLDEN=1 npx vitest run test/codegen/golden.test.ts
//
// and review the diff of test/codegen/golden/ like any other code change.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCodegenBuilt } from "./support/build-codegen.js";
import { codegenTestDir, goldenDir, scratchDir } from "./support/paths.js";
import { runCli } from "./support/run-cli.js";

const update = process.env.UPDATE_GOLDEN === "1";

const targets = [
  { target: "ts", dir: "ts" },
  { target: "js+dts", dir: "js-dts" },
] as const;

beforeAll(() => ensureCodegenBuilt(), 120_000);

describe.each(targets)("golden output, --target $target", ({ target, dir }) => {
  it(`matches test/codegen/golden/${dir}`, () => {
    const out = scratchDir(`golden-${dir}`);
    const r = runCli(["protos", "--out", out, "--target", target], { cwd: codegenTestDir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const actual = tripleFiles(out);
    const expectedDir = join(goldenDir, dir);
    if (update) {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [rel, text] of actual) {
        mkdirSync(dirname(join(expectedDir, rel)), { recursive: true });
        writeFileSync(join(expectedDir, rel), text);
      }
      return;
    }
    const expected = tripleFiles(expectedDir);
    expect([...actual.keys()], "generated file set (UPDATE_GOLDEN=1 to accept)").toEqual([...expected.keys()]);
    for (const [rel, text] of actual) {
      expect(withoutVersion(text), `${rel} differs from the golden copy (UPDATE_GOLDEN=1 to accept)`).toBe(
        withoutVersion(expected.get(rel) ?? ""),
      );
    }
  });
});

it("writes nothing for a file without services", () => {
  const ts = tripleFiles(join(goldenDir, "ts"));
  expect([...ts.keys()]).not.toContain("acme/common/v1/types_triple.ts");
  expect([...ts.keys()]).toContain("acme/greet/v1/admin_triple.ts");
});

/** The generator's own files (not protoc-gen-es's), by path relative to `root`, sorted. */
function tripleFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/_triple\.(ts|js|d\.ts)$/.test(e.name)) files.set(relative(root, path), readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A release bump changes the version in every preamble; that alone is not a golden change. */
function withoutVersion(text: string): string {
  return text.replace(/(protoc-gen-triple-es) v\S+/g, "$1 v(version)");
}
