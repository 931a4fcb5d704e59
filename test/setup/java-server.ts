// Starts the real Dubbo Java 3.3.6 Triple server (test/peers/java) as a child process.
//
// The peer is a plain JVM started as `java -cp 'target/classes:target/lib/*' interop.Main`, so the
// child's PID is the server itself. Build it first with `npm run peers` (test/peers/java/build.mjs).
//
// It serves triple.interop.v1.CamelInteropService (plain HTTP: JSON unary, SSE server streams;
// HTTP/1.1 and h2c) and triple.interop.v1.InteropService (gRPC only; over HTTP every path is 404
// "Invoker not found") on one port. Dubbo binds that port on all interfaces whatever host it is
// given; the URL it reports is 127.0.0.1.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The URL of a running Java peer (JSON-serializable). */
export interface JavaServerInfo {
  /** HTTP/1.1, h2c (prior knowledge) and gRPC on one port, e.g. "http://127.0.0.1:40001" */
  url: string;
}

export interface JavaServer extends JavaServerInfo {
  /** The server's process id (the JVM). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartJavaServerOptions {
  /** Port on 127.0.0.1; unset or 0 picks a free one. */
  port?: number;
  /** Also register version 2.0.0 / group blue. Dubbo 3.3.6 then sends every plain-HTTP request to
   *  that registration (served_by "2.0.0/blue") whatever TRI-Service-Group/-Version say; gRPC routes
   *  by those headers correctly. Default false. */
  withGroup?: boolean;
  /** Configure CORS (allow any origin). Default true. */
  cors?: boolean;
  /** How long to wait for the ready line (default 60 s). */
  startupTimeoutMs?: number;
  /** Forward the server's stderr to this process's stderr (default: only when JAVA_PEER_LOG=1). */
  log?: boolean;
  /** Extra environment variables for the server (e.g. JAVA_PEER_LOG_LEVEL: "info"). */
  env?: Record<string, string>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const javaPeerDir = join(repoRoot, "test", "peers", "java");
const MAIN_CLASS = "interop.Main";

function assertBuilt(): void {
  const mainClass = join(javaPeerDir, "target", "classes", "interop", "Main.class");
  const libDir = join(javaPeerDir, "target", "lib");
  const missing: string[] = [];
  if (!existsSync(mainClass)) missing.push(mainClass);
  if (!existsSync(libDir) || !readdirSync(libDir).some((f) => f.startsWith("dubbo-"))) {
    missing.push(join(libDir, "dubbo-*.jar"));
  }
  if (missing.length > 0) {
    throw new Error(
      `The Dubbo Java peer server is not built: run \`npm run peers\` first ` +
        `(or node test/peers/java/build.mjs; missing ${missing
          .map((f) => f.slice(repoRoot.length + 1))
          .join(", ")}).`,
    );
  }
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

function isInfo(v: unknown): v is JavaServerInfo {
  return typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).url === "string";
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startJavaServer(opts: StartJavaServerOptions = {}): Promise<JavaServer> {
  assertBuilt();
  const log = opts.log ?? process.env.JAVA_PEER_LOG === "1";
  const timeoutMs = opts.startupTimeoutMs ?? 60_000;
  const port = opts.port || (await freePort());

  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.JAVA_PEER_PORT = String(port);
  env.JAVA_PEER_GROUP = opts.withGroup ? "1" : "0";
  env.JAVA_PEER_CORS = opts.cors === false ? "0" : "1";
  // Options meant for another JVM (or for this Node process) must not reach the peer.
  delete env.JAVA_TOOL_OPTIONS;
  delete env.NODE_OPTIONS;

  const child = spawn("java", ["-cp", "target/classes:target/lib/*", MAIN_CLASS], {
    cwd: javaPeerDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });

  // Keep the last lines of stderr for error messages; keep draining both pipes after startup.
  const stderrTail: string[] = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (log) process.stderr.write(chunk.replace(/^(?=.)/gm, "[java] "));
    stderrTail.push(...chunk.split("\n").filter((l) => l.length > 0));
    if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
  });
  const tail = () => (stderrTail.length ? `\n${stderrTail.join("\n")}` : "");

  // If this process goes away without calling stop(), do not leave the server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const info = await new Promise<JavaServerInfo>((resolvePromise, reject) => {
    let buffered = "";
    let settled = false;
    const finish = (err: Error | undefined, value?: JavaServerInfo) => {
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
      finish(new Error(`The Dubbo Java peer server did not report ready within ${timeoutMs} ms.${tail()}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      // Let the last stderr chunk arrive before reporting.
      setImmediate(() =>
        finish(
          new Error(
            `The Dubbo Java peer server exited before it was ready (${signal ?? `exit code ${code}`}).${tail()}`,
          ),
        ),
      );
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === "ENOENT"
          ? " (`java` is not on PATH: apt-get install -y openjdk-17-jdk-headless maven, then `npm run peers`)"
          : "";
      finish(new Error(`Cannot start the Dubbo Java peer server: ${err.message}${hint}`));
    };
    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (settled) {
        if (log) process.stdout.write(chunk.replace(/^(?=.)/gm, "[java] "));
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
