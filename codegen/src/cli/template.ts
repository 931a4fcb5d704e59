import type { Command } from "./locate.js";

/** What varies between runs of the inline buf.gen template. */
export interface TemplateOptions {
  readonly outDir: string;
  readonly target: "ts" | "js+dts";
  readonly importExtension: "js" | "ts" | "none";
  readonly protocGenEs: Command;
  readonly protocGenTripleEs: Command;
}

/**
 * A buf.gen.yaml (v2) as a JSON string for `buf generate --template`, so nothing is written into
 * the user's directory. Both plugins get the same options so the `_triple` files import the
 * `_pb` files with the right extension. `strategy: all` runs each plugin once for the whole
 * input instead of once per directory, which is what keeps big trees fast.
 */
export function inlineTemplate(options: TemplateOptions): string {
  const opt = [`target=${options.target}`, `import_extension=${options.importExtension}`];
  const plugin = (command: Command) => ({
    local: [command.file, ...command.args],
    out: options.outDir,
    opt,
    strategy: "all",
  });
  return JSON.stringify({
    version: "v2",
    plugins: [plugin(options.protocGenEs), plugin(options.protocGenTripleEs)],
  });
}
