// The README's support table is the one the capability files give (see support-table.ts).
import { existsSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { END_MARKER, readmePath, START_MARKER, withSupportTable } from "./support-table.js";

it("README.md carries the support table generated from the capability files", () => {
  expect(existsSync(readmePath), "README.md is missing").toBe(true);
  const readme = readFileSync(readmePath, "utf8");
  const updated = withSupportTable(readme);
  expect(updated, `README.md needs a ${START_MARKER} … ${END_MARKER} section; then run \`npm run support-table\``).toBeDefined();
  expect(updated === readme, "README.md's support table is out of date: run `npm run support-table`").toBe(true);
});
