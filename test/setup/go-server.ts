// Starts the real dubbo-go v3.3.2 peer (test/peers/go, built into test/peers/go/bin/peer) as a
// child process.
//
// The binary is spawned directly, so the child's PID is the server itself. Build it first with
// `npm run peers` (which runs test/peers/go/build.mjs; it needs Go on PATH).

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

const HOST = "127.0.0.1";
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

/**
 * A port that was free on 127.0.0.1 a moment ago. dubbo-go keeps running when it cannot bind,
 * so the peer checks the port itself and exits when it is taken; start() retries then.
 */
function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

function isInfo(v: unknown): v is GoServerInfo {
  return typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).url === "string";
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

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
  const log = opts.log ?? process.env.GO_PEER_LOG === "1";
  const timeoutMs = opts.startupTimeoutMs ?? 30_000;

  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.GO_PEER_PORT = String(port);

  const child = spawn(goPeerBin, [], {
    cwd: goPeerDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });

  // Keep the last lines of stderr for error messages; keep draining both pipes after startup.
  const stderrTail: string[] = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (log) process.stderr.write(chunk.replace(/^(?=.)/gm, "[go] "));
    stderrTail.push(...chunk.split("\n").filter((l) => l.length > 0));
    if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
  });
  const tail = () => (stderrTail.length ? `\n${stderrTail.join("\n")}` : "");

  // If this process goes away without calling stop(), do not leave the server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const info = await new Promise<GoServerInfo>((resolvePromise, reject) => {
    let buffered = "";
    let settled = false;
    const finish = (err: Error | undefined, value?: GoServerInfo) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      if (err) {
        process.off("exit", killOnExit);
        child.kill("SIGKILL");
        reject(err);
      } else {
        resolvePromise(value!);
      }
    };
    const timer = setTimeout(() => {
      finish(new Error(`The dubbo-go peer server did not report ready within ${timeoutMs} ms.${tail()}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      // Let the last stderr chunk arrive before reporting.
      setImmediate(() => {
        const text = `The dubbo-go peer server exited before it was ready (${signal ?? `exit code ${code}`}).${tail()}`;
        finish(stderrTail.some((l) => l.includes("is not free")) ? new PortTakenError(text) : new Error(text));
      });
    };
    const onError = (err: Error) => {
      finish(new Error(`Cannot start the dubbo-go peer server (${goPeerBin}): ${err.message}`));
    };
    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (settled) {
        if (log) process.stdout.write(chunk.replace(/^(?=.)/gm, "[go] "));
        return;
      }
      buffered += chunk;
      let nl: number;
      while (!settled && (nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (isInfo(parsed)) {
            finish(undefined, { url: parsed.url });
            return;
          }
        } catch {
          // not the ready line
        }
      }
    });
  });

  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  return {
    ...info,
    pid,
    stop() {
      stopping ??= (async () => {
        process.off("exit", killOnExit);
        const exited = waitForExit(child);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
