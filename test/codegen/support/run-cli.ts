import { spawnSync } from "node:child_process";
import { cliBin } from "./paths.js";

/** What one run of a command printed and returned. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `triple-es-gen` exactly as a user's `npx` would: its bin file on plain Node. */
export function runCli(args: readonly string[], options: { cwd: string }): RunResult {
  const r = spawnSync(process.execPath, [cliBin, ...args], { cwd: options.cwd, encoding: "utf8" });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
