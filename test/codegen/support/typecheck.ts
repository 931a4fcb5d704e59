import ts from "typescript";
import { join, relative, resolve } from "node:path";
import { repoRoot } from "./paths.js";

/** The strictest settings a user's project is likely to have, on top of `strict`. */
const strictest: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  types: [],
  // The runtime from source, as the root tsconfig maps it.
  paths: { "triple-es": [join(repoRoot, "src", "index.ts")] },
};

/** Module settings: a bundler project, or plain Node ESM (what a js+dts consumer would use). */
export type ModuleMode = "bundler" | "nodenext";

/**
 * Type-checks `rootFiles` and returns the diagnostics in files under `onlyUnder`, formatted as
 * `file:line:col: message`. Diagnostics elsewhere (the runtime's own source) are the root
 * typecheck's business, and protoc-gen-es's `_pb` files are its own (it declares clashing keys
 * for `GetFoo` and `getFoo`, which the corpus has on purpose); here only this generator's output
 * and the fixture that uses it count.
 */
export function typeCheck(options: {
  rootFiles: readonly string[];
  onlyUnder: string;
  mode: ModuleMode;
  extra?: ts.CompilerOptions;
}): string[] {
  const moduleOptions: ts.CompilerOptions =
    options.mode === "bundler"
      ? { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }
      : { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  const program = ts.createProgram([...options.rootFiles], { ...strictest, ...moduleOptions, ...options.extra });
  const under = resolve(options.onlyUnder);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || (resolve(d.file.fileName).startsWith(under) && !isProtocGenEsFile(d.file.fileName)))
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (d.file === undefined || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${relative(under, d.file.fileName)}:${line + 1}:${character + 1}: ${text}`;
    });
}

function isProtocGenEsFile(fileName: string): boolean {
  return /_pb\.(ts|d\.ts|js)$/.test(fileName);
}
