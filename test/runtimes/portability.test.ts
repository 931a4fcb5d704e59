// The SDK runs in browsers, Deno, Bun and workerd without shims: no Node-only globals or modules
// in src/, no RequestInit fields that a runtime rejects, and an ESM bundle that needs no Node.
// Checked on the TypeScript syntax tree, so comments and strings never count.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./runner.js";

const srcDir = join(repoRoot, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Globals that exist only in Node (or Node-compatible modes); a Worker without nodejs_compat has none. */
const nodeGlobals = new Set([
  "Buffer",
  "process",
  "require",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "global",
  "setImmediate",
  "clearImmediate",
]);

/** RequestInit fields that some runtime rejects: workerd throws "… is not implemented" for these. */
const rejectedInitFields = new Set(["mode", "credentials", "cache", "referrerPolicy", "integrity", "priority"]);

interface Finding {
  file: string;
  line: number;
  text: string;
}

/**
 * The optional peers of the opt-in entries, each allowed only inside its own entry's folder, so
 * no other module (and no bundle that skips the entry) can come to depend on it.
 */
const optionalPeers: Readonly<Record<string, string>> = { "src/testing/": "msw", "src/otel/": "@opentelemetry/api" };

function allowedImport(rel: string, spec: string): boolean {
  if (spec.startsWith(".") || spec.startsWith("@bufbuild/protobuf")) return true;
  return Object.entries(optionalPeers).some(([dir, peer]) => rel.startsWith(dir) && (spec === peer || spec.startsWith(`${peer}/`)));
}

function scan(file: string, text = readFileSync(file, "utf8")): { globals: Finding[]; imports: Finding[]; initFields: Finding[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const rel = relative(repoRoot, file);
  const at = (n: ts.Node): Finding => ({
    file: rel,
    line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
    text: n.getText(sf).slice(0, 80),
  });
  const globals: Finding[] = [];
  const imports: Finding[] = [];
  const initFields: Finding[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const spec = n.moduleSpecifier.text;
      if (!allowedImport(rel, spec)) imports.push(at(n));
    }
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) imports.push(at(n));
    if (ts.isIdentifier(n) && nodeGlobals.has(n.text)) {
      const p = n.parent;
      const isMemberName =
        (ts.isPropertyAccessExpression(p) && p.name === n) ||
        (ts.isPropertyAssignment(p) && p.name === n) ||
        (ts.isPropertySignature(p) && p.name === n) ||
        (ts.isPropertyDeclaration(p) && p.name === n) ||
        (ts.isMethodDeclaration(p) && p.name === n) ||
        ts.isImportSpecifier(p) ||
        (ts.isVariableDeclaration(p) && p.name === n) ||
        (ts.isParameter(p) && p.name === n);
      if (!isMemberName) globals.push(at(n));
    }
    if (file.includes(`${join("src", "transport")}`)) {
      if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && ts.isIdentifier(n.name) && rejectedInitFields.has(n.name.text)) {
        initFields.push(at(n));
      }
      if (ts.isPropertyAccessExpression(n) && rejectedInitFields.has(n.name.text) && ts.isBinaryExpression(n.parent) && n.parent.left === n) {
        initFields.push(at(n.parent));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { globals, imports, initFields };
}

describe("src/ runs without Node", () => {
  const files = sourceFiles(srcDir);
  const results = files.map((f) => scan(f));

  it("has source files to check, and the scanner finds what it looks for", () => {
    expect(files.length).toBeGreaterThan(10);
    const fixture = [
      'import { readFileSync } from "node:fs";',
      "// Buffer in a comment and 'process' in a string do not count",
      "const a = Buffer.from('x');",
      "const b = process.env.X;",
      "const init = { credentials: 'include', headers: {} };",
      "init.mode = 'cors';",
      "const ok = { buffer: 1 }.buffer;",
    ].join("\n");
    const r = scan(join(srcDir, "transport", "fixture.ts"), fixture);
    expect(r.imports.map((f) => f.line)).toEqual([1]);
    expect(r.globals.map((f) => f.text)).toEqual(["Buffer", "process"]);
    expect(r.initFields.map((f) => f.line)).toEqual([5, 6]);
  });

  it(`uses no Node-only globals (${[...nodeGlobals].join(", ")})`, () => {
    expect(results.flatMap((r) => r.globals)).toEqual([]);
  });

  it("imports nothing but its own modules and @bufbuild/protobuf", () => {
    expect(results.flatMap((r) => r.imports)).toEqual([]);
  });

  it(`sets no RequestInit field a runtime rejects (${[...rejectedInitFields].join(", ")})`, () => {
    // One exception, by design: `credentials` is set only when the user opts in to it
    // (createFetchTransport's `credentials` option), never by default.
    expect(results.flatMap((r) => r.initFields).map((f) => `${f.file}: ${f.text}`)).toEqual([
      "src/transport/fetch.ts: init.credentials = credentials",
    ]);
  });

  it("bundles as platform-neutral ESM (every entry point)", async () => {
    for (const entry of ["index.ts", "json.ts", "gzip.ts"]) {
      const out = await build({
        entryPoints: [join(srcDir, entry)],
        bundle: true,
        platform: "neutral",
        format: "esm",
        write: false,
        logLevel: "silent",
        external: ["@bufbuild/protobuf", "@bufbuild/protobuf/*"],
      });
      expect(out.errors).toEqual([]);
      expect(out.outputFiles[0]!.text).not.toMatch(/\brequire\(|from\s*["']node:/);
    }
  });
});
