import { spawn } from "node:child_process";
import type { Command } from "./locate.js";

/**
 * Runs buf with the given arguments and resolves with its exit code. buf's stderr goes straight
 * to ours: its compile errors are already `file:line:col:message` lines that editors and CI
 * annotate, so rewording them would only lose information.
 */
export function runBuf(buf: Command, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(buf.file, [...buf.args, ...args], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
