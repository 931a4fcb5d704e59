// Starts the real dubbo-go v3.3.2 peer (test/peers/go, built into test/peers/go/bin/peer) as a
// child process.
//
// The binary is spawned directly, so the child's PID is the server itself. Build it first with
// `npm run peers` (which runs test/peers/go/build.mjs; it needs Go on PATH).

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startPeerProcess } from "./peer-process.js";

/** The URL of a running dubbo-go peer server (JSON-serializable). */
export interface GoServerInfo {
  /** HTTP/1.1 and h2c (prior knowledge) on one port, e.g. "http://127.0.0.1:40001" */
  url: string;
}

export interface GoServer extends GoServerInfo {
  /** The server's process id. */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartGoServerOptions {
  /** Port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** How long to wait for the ready line (default 30 s). */
  startupTimeoutMs?: number;
  /** Forward the server's stderr to this process's stderr (default: only when GO_PEER_LOG=1). */
  log?: boolean;
  /** Extra environment variables for the server (e.g. GO_PEER_LOG_LEVEL: "info"). */
  env?: Record<string, string>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const goPeerDir = join(repoRoot, "test", "peers", "go");
export const goPeerBin = join(goPeerDir, "bin", process.platform === "win32" ? "peer.exe" : "peer");

function assertBuilt(): void {
  if (!existsSync(goPeerBin)) {
    throw new Error(
      `The dubbo-go peer server is not built: run \`npm run peers\` first ` +
        `(missing ${goPeerBin.slice(repoRoot.length + 1)}; building it needs Go on PATH).`,
    );
  }
}

function isInfo(v: unknown): v is GoServerInfo {
  return typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).url === "string";
}

/** dubbo-go keeps running when it cannot bind, so the peer checks its port and exits when taken. */
class PortTakenError extends Error {}

export async function startGoServer(opts: StartGoServerOptions = {}): Promise<GoServer> {
  assertBuilt();
  // With a picked port, another process may take it between the check and the bind: retry.
  const attempts = opts.port ? 1 : 3;
  for (let i = 1; ; i++) {
    const port = opts.port || (await freePort());
    try {
      return await startOnce(port, opts);
    } catch (err) {
      if (!(err instanceof PortTakenError) || i >= attempts) throw err;
    }
  }
}

async function startOnce(port: number, opts: StartGoServerOptions): Promise<GoServer> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.GO_PEER_PORT = String(port);
  const peer = await startPeerProcess<GoServerInfo>({
    name: "the dubbo-go peer server",
    logPrefix: "[go] ",
    command: goPeerBin,
    args: [],
    cwd: goPeerDir,
    env,
    log: opts.log ?? process.env.GO_PEER_LOG === "1",
    startupTimeoutMs: opts.startupTimeoutMs ?? 30_000,
    readyLine: (v) => (isInfo(v) ? { url: v.url } : undefined),
    exitError: (message, stderrTail) =>
      stderrTail.some((l) => l.includes("is not free")) ? new PortTakenError(message) : new Error(message),
  });
  return { ...peer.info, pid: peer.pid, stop: peer.stop };
}
