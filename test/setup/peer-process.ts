// Starting a peer server as a child process for the tests, once for all three peers (dubbo-js,
// Dubbo Java, dubbo-go): spawn it, wait for its one JSON ready line on stdout, keep the tail of its
// stderr for error messages, kill it if this process exits first, and stop it by PID.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

export interface PeerProcessOptions<T> {
  /** For messages, e.g. "the dubbo-go peer server". */
  readonly name: string;
  /** Prefix of forwarded output lines, e.g. "[go] ". */
  readonly logPrefix: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** Forward the child's output after startup (and its stderr from the start). */
  readonly log: boolean;
  readonly startupTimeoutMs: number;
  /** The ready line's content, or undefined when a JSON line is not it. */
  readonly readyLine: (parsed: unknown) => T | undefined;
  /** Added to the message when the program cannot be started (a missing binary, say). */
  readonly spawnErrorHint?: (err: NodeJS.ErrnoException) => string;
  /** The error for an exit before ready, given the stderr tail (default: a plain Error). */
  readonly exitError?: (message: string, stderrTail: readonly string[]) => Error;
}

/** A running peer: what its ready line said, its PID, and how to stop it. */
export interface PeerProcess<T> {
  readonly info: T;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new Error("no free port"))));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts the peer and resolves once it printed its ready line; rejects with its stderr's tail. */
export async function startPeerProcess<T>(o: PeerProcessOptions<T>): Promise<PeerProcess<T>> {
  const prefix = (chunk: string) => chunk.replace(/^(?=.)/gm, o.logPrefix);
  const child = spawn(o.command, o.args, { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"] });

  // Keep the last lines of stderr for error messages; keep draining both pipes after startup.
  const stderrTail: string[] = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (o.log) process.stderr.write(prefix(chunk));
    stderrTail.push(...chunk.split("\n").filter((l) => l.length > 0));
    if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
  });
  const tail = () => (stderrTail.length ? `\n${stderrTail.join("\n")}` : "");

  // If this process goes away without calling stop(), do not leave the server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const info = await new Promise<T>((resolvePromise, reject) => {
    let buffered = "";
    let settled = false;
    const finish = (err: Error | undefined, value?: T) => {
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
      finish(new Error(`${capitalize(o.name)} did not report ready within ${o.startupTimeoutMs} ms.${tail()}`));
    }, o.startupTimeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      // Let the last stderr chunk arrive before reporting.
      setImmediate(() => {
        const message = `${capitalize(o.name)} exited before it was ready (${signal ?? `exit code ${code}`}).${tail()}`;
        finish(o.exitError ? o.exitError(message, stderrTail) : new Error(message));
      });
    };
    const onError = (err: NodeJS.ErrnoException) => {
      finish(new Error(`Cannot start ${o.name}: ${err.message}${o.spawnErrorHint?.(err) ?? ""}`));
    };
    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (settled) {
        if (o.log) process.stdout.write(prefix(chunk));
        return;
      }
      buffered += chunk;
      let nl: number;
      while (!settled && (nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        let ready: T | undefined;
        try {
          ready = o.readyLine(JSON.parse(line));
        } catch {
          // not the ready line
        }
        if (ready !== undefined) finish(undefined, ready);
      }
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    info,
    pid: child.pid!,
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

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
