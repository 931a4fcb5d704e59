// Starts the real @apachedubbo/dubbo-node server (test/peers/dubbo/server.ts) as a child process.
//
// The server runs from test/peers/dubbo with that folder's own node_modules (protobuf-es v1), via
// `node --import tsx server.ts`, so the child's PID is the server itself (the tsx CLI would add a
// wrapper process). Install it first with `npm run peers`.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The URLs and certificate of a running dubbo-js peer server (all JSON-serializable). */
export interface DubboServerInfo {
  /** HTTP/1.1, e.g. "http://127.0.0.1:40001" */
  h1: string;
  /** HTTP/2 with prior knowledge (cleartext), e.g. "http://127.0.0.1:40002" */
  h2c: string;
  /** HTTP/2 over TLS (HTTP/1.1 also accepted via ALPN), e.g. "https://127.0.0.1:40003" */
  h2tls: string;
  /** PEM certificate of h2tls (ECDSA P-256, valid 10 days, SAN IP:127.0.0.1, DNS:localhost) */
  certFile: string;
  /** PEM private key of h2tls */
  keyFile: string;
  /** Base64 of the SHA-256 of the certificate's DER (for WebTransport serverCertificateHashes) */
  certSha256: string;
}

export interface DubboServer extends DubboServerInfo {
  /** The server's process id. */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface StartDubboServerOptions {
  /** Ports on 127.0.0.1; 0 or unset picks an ephemeral port. */
  h1Port?: number;
  h2cPort?: number;
  h2tlsPort?: number;
  /** Where cert.pem, key.pem and cert.sha256 are kept (default test/peers/.certs). */
  certDir?: string;
  /** How long to wait for the ready line (default 30 s). */
  startupTimeoutMs?: number;
  /** Forward the server's stderr to this process's stderr (default: only when DUBBO_PEER_LOG=1). */
  log?: boolean;
  /** Extra environment variables for the server. */
  env?: Record<string, string>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dubboPeerDir = join(repoRoot, "test", "peers", "dubbo");

function assertInstalled(): void {
  const required = [
    join(dubboPeerDir, "node_modules", "tsx", "package.json"),
    join(dubboPeerDir, "node_modules", "@apachedubbo", "dubbo-node", "package.json"),
    join(dubboPeerDir, "gen", "triple", "interop", "v1", "interop_dubbo.ts"),
    join(dubboPeerDir, "gen", "triple", "interop", "v1", "interop_pb.ts"),
  ];
  const missing = required.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `The dubbo-js peer server is not installed: run \`npm run peers\` first ` +
        `(missing ${missing.map((f) => f.slice(repoRoot.length + 1)).join(", ")}).`,
    );
  }
}

function isInfo(v: unknown): v is DubboServerInfo {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return ["h1", "h2c", "h2tls", "certFile", "keyFile", "certSha256"].every(
    (k) => typeof o[k] === "string",
  );
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startDubboServer(opts: StartDubboServerOptions = {}): Promise<DubboServer> {
  assertInstalled();
  const log = opts.log ?? process.env.DUBBO_PEER_LOG === "1";
  const timeoutMs = opts.startupTimeoutMs ?? 30_000;

  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.DUBBO_H1_PORT = String(opts.h1Port ?? 0);
  env.DUBBO_H2C_PORT = String(opts.h2cPort ?? 0);
  env.DUBBO_H2TLS_PORT = String(opts.h2tlsPort ?? 0);
  if (opts.certDir !== undefined) env.DUBBO_CERT_DIR = resolve(opts.certDir);
  // The child must not inherit a loader or options meant for this process (vitest, tsx, …).
  delete env.NODE_OPTIONS;

  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: dubboPeerDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });

  // Keep the last lines of stderr for error messages; keep draining both pipes after startup.
  const stderrTail: string[] = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    if (log) process.stderr.write(chunk.replace(/^(?=.)/gm, "[dubbo] "));
    stderrTail.push(...chunk.split("\n").filter((l) => l.length > 0));
    if (stderrTail.length > 40) stderrTail.splice(0, stderrTail.length - 40);
  });
  const tail = () => (stderrTail.length ? `\n${stderrTail.join("\n")}` : "");

  // If this process goes away without calling stop(), do not leave the server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const info = await new Promise<DubboServerInfo>((resolvePromise, reject) => {
    let buffered = "";
    let settled = false;
    const finish = (err: Error | undefined, value?: DubboServerInfo) => {
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
      finish(new Error(`The dubbo-js peer server did not report ready within ${timeoutMs} ms.${tail()}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      // Let the last stderr chunk arrive before reporting.
      setImmediate(() =>
        finish(
          new Error(
            `The dubbo-js peer server exited before it was ready (${signal ?? `exit code ${code}`}).${tail()}`,
          ),
        ),
      );
    };
    const onError = (err: Error) => {
      finish(new Error(`Cannot start the dubbo-js peer server: ${err.message}`));
    };
    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (settled) {
        if (log) process.stdout.write(chunk.replace(/^(?=.)/gm, "[dubbo] "));
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
            finish(undefined, parsed);
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
