// Node side: start the Deno gateway (gateway/main.ts) as a child process and wait for its ready line.

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const denoBin = join(repoRoot, "node_modules", ".bin", "deno");

export interface GatewayInfo {
  url: string;
  port: number;
  certSha256: string;
  upstream: string;
  /** With --ws-port: the WebSocket downstream, e.g. ws://127.0.0.1:PORT/ */
  webSocketUrl?: string;
}

export interface GatewayChild extends GatewayInfo {
  /** The gateway's last {@link STDERR_LINES_KEPT} log lines (one per session and, without --quiet, per call). */
  readonly stderr: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Lines of the gateway's log kept in memory: a test reads the recent ones; the whole log goes to `logFile`. */
export const STDERR_LINES_KEPT = 5_000;

export interface StartGatewayOptions {
  /** How long to wait for the ready line. */
  readonly timeoutMs?: number;
  /**
   * A file under test-results/ that receives the whole log, for the gateways that live through a
   * whole run: when a call fails there, the gateway's side of the story is still on disk.
   */
  readonly logFile?: string;
}

export async function startGateway(args: string[], { timeoutMs = 30_000, logFile }: StartGatewayOptions = {}): Promise<GatewayChild> {
  const child: ChildProcess = spawn(denoBin, [
    "run", "--config", join(repoRoot, "gateway", "deno.json"), "--unstable-net", "--allow-net", "--allow-read",
    join(repoRoot, "gateway", "main.ts"), ...args,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  let file: ReturnType<typeof createWriteStream> | undefined;
  if (logFile !== undefined) {
    // Project names such as "chromium (chromium)" become plain file names.
    const path = join(repoRoot, "test-results", logFile.replace(/[^\w.]+/g, "-").replace(/-(?=\.|$)/g, ""));
    mkdirSync(dirname(path), { recursive: true });
    file = createWriteStream(path);
  }
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr.push(...chunk.split("\n").filter((l) => l.length > 0));
    if (stderr.length > STDERR_LINES_KEPT) stderr.splice(0, stderr.length - STDERR_LINES_KEPT);
    file?.write(chunk);
    if (process.env.GATEWAY_TEST_LOG === "1") process.stderr.write(chunk.replace(/^(?=.)/gm, "[gateway] "));
  });
  child.once("exit", () => file?.end());
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const info = await new Promise<GatewayInfo>((resolvePromise, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`gateway not ready in ${timeoutMs} ms\n${stderr.join("\n")}`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before it was ready\n${stderr.join("\n")}`));
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(buf.slice(0, nl)) as GatewayInfo);
      }
    });
  });
  return {
    ...info,
    stderr,
    stop(signal: NodeJS.Signals = "SIGTERM") {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((r) => {
        child.once("exit", () => r());
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      });
    },
  };
}
