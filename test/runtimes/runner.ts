// Node-side helpers for the runners that execute the conformance suite inside other runtimes:
// find the runtime's binary (with an install hint), spawn it with a time limit, report results.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SuiteResult } from "../conformance/harness.js";
import { failureText, notes, summaryLine } from "../conformance/report.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const installHints: Record<string, string> = {
  deno: "`npm install` (devDependency `deno`, binary from @deno/linux-x64-glibc)",
  bun: "`npm install` (devDependency `bun`, binary from @oven/bun-linux-x64)",
  workerd: "`npm install` (devDependency `workerd`, binary from @cloudflare/workerd-linux-64)",
  esbuild: "`npm install` (esbuild comes with vite)",
};

/** The path of a runtime binary installed from npm; throws with an install hint when it is missing. */
export function runtimeBinary(name: "deno" | "bun" | "workerd" | "esbuild"): string {
  const bin = join(repoRoot, "node_modules", ".bin", name);
  if (!existsSync(bin)) {
    throw new Error(`${name} is not installed (${bin} is missing): run ${installHints[name]}.`);
  }
  return bin;
}

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion; SIGKILLs it (by its own pid) when it outlives `timeoutMs`. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NODE_OPTIONS: undefined, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      stderr += `\n[runner] killed after ${options.timeoutMs} ms`;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A free TCP port on 127.0.0.1 (for servers such as workerd that take a fixed address). */
export { freePort } from "../setup/peer-process.js";

/**
 * Prints the runtime's pass count (and the notes of passing cases), then fails with every
 * failing case when there is one.
 */
export function reportResult(result: SuiteResult): void {
  console.log([summaryLine(result), ...notes(result)].join("\n"));
  const failures = failureText(result);
  if (failures !== "") {
    throw new Error(`${result.failed} of ${result.total} conformance cases failed in ${result.runtime}:\n${failures}`);
  }
}
