import { existsSync, readFileSync } from "node:fs";

/**
 * The generator's version, stamped into every generated file's preamble so a reader can tell which
 * generator wrote it. Read from the generator's own package.json rather than duplicated here, so a
 * release bump cannot forget it: the nearest one above this module (`codegen/src/` when run from
 * source, `dist/codegen/src/` when built).
 */
export const version: string = readVersion();

function readVersion(): string {
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    const candidate = new URL("package.json", dir);
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { version?: unknown };
      return typeof pkg.version === "string" ? `v${pkg.version}` : "v0.0.0";
    }
    if (new URL("../", dir).href === dir.href) return "v0.0.0";
  }
}
