// Starts the real Dubbo Java 3.3.6 Triple server (test/peers/java) as a child process.
//
// The peer is a plain JVM started as `java -cp 'target/classes:target/lib/*' interop.Main`, so the
// child's PID is the server itself. Build it first with `npm run peers` (test/peers/java/build.mjs).
//
// It serves triple.interop.v1.CamelInteropService (plain HTTP: JSON unary, SSE server streams;
// HTTP/1.1 and h2c) and triple.interop.v1.InteropService (gRPC only; over HTTP every path is 404
// "Invoker not found") on one port. Dubbo binds that port on all interfaces whatever host it is
// given; the URL it reports is 127.0.0.1.

import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startPeerProcess } from "./peer-process.js";

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

export async function startJavaServer(opts: StartJavaServerOptions = {}): Promise<JavaServer> {
  assertBuilt();
  const port = opts.port || (await freePort());
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.JAVA_PEER_PORT = String(port);
  env.JAVA_PEER_GROUP = opts.withGroup ? "1" : "0";
  env.JAVA_PEER_CORS = opts.cors === false ? "0" : "1";
  // Options meant for another JVM (or for this Node process) must not reach the peer.
  delete env.JAVA_TOOL_OPTIONS;
  delete env.NODE_OPTIONS;
  const peer = await startPeerProcess<JavaServerInfo>({
    name: "the Dubbo Java peer server",
    logPrefix: "[java] ",
    command: "java",
    args: ["-cp", "target/classes:target/lib/*", MAIN_CLASS],
    cwd: javaPeerDir,
    env,
    log: opts.log ?? process.env.JAVA_PEER_LOG === "1",
    startupTimeoutMs: opts.startupTimeoutMs ?? 60_000,
    readyLine: (v) => (isInfo(v) ? { url: v.url } : undefined),
    spawnErrorHint: (err) =>
      err.code === "ENOENT" ? " (`java` is not on PATH: apt-get install -y openjdk-17-jdk-headless maven, then `npm run peers`)" : "",
  });
  return { ...peer.info, pid: peer.pid, stop: peer.stop };
}

function isInfo(v: unknown): v is JavaServerInfo {
  return typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).url === "string";
}
