// Turning a SuiteResult into the lines a runner prints; shared by every runner, browser included.
import type { SuiteResult } from "./harness.js";

/** Prefix of the one stdout line a spawned runtime prints with its results. */
export const RESULT_MARKER = "@@triple-es-conformance ";

/** One line: "deno (Deno 2.9.6): 61/61 passed in 4.2 s". */
export function summaryLine(r: SuiteResult): string {
  return `[conformance] ${r.runtime} (${r.runtimeVersion}): ${r.passed}/${r.total} passed in ${(r.ms / 1000).toFixed(1)} s`;
}

/** The notes passing cases reported (measurements, the errors users see for unsupported combinations). */
export function notes(r: SuiteResult): string[] {
  return r.results.filter((c) => c.ok && c.note !== undefined).map((c) => `  ${c.name}: ${c.note}`);
}

/** Every failure with its error, indented; empty when all passed. */
export function failureText(r: SuiteResult): string {
  return r.results
    .filter((c) => !c.ok)
    .map((c) => `✗ ${r.runtime} › ${c.name}\n${(c.error ?? "").replace(/^/gm, "    ")}`)
    .join("\n");
}

/** Reads the results line out of a runtime's stdout. */
export function parseResultLine(stdout: string): SuiteResult | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_MARKER.length)) as SuiteResult);
}
