import { readFileSync } from "node:fs";

/**
 * The package version, stamped into every generated file's preamble so a reader can tell which
 * generator wrote it. Read from the root package.json (two levels up from both `src/` and `dist/`)
 * rather than duplicated here, so a release bump cannot forget it.
 */
export const version: string = readVersion();

function readVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? `v${pkg.version}` : "v0.0.0";
}
