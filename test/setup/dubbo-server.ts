// Starts the real @apachedubbo/dubbo-node server (test/peers/dubbo/server.ts) as a child process.
//
// The server runs from test/peers/dubbo with that folder's own node_modules (protobuf-es v1), via
// `node --import tsx server.ts`, so the child's PID is the server itself (the tsx CLI would add a
// wrapper process). Install it first with `npm run peers`.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startPeerProcess } from "./peer-process.js";

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

export async function startDubboServer(opts: StartDubboServerOptions = {}): Promise<DubboServer> {
  assertInstalled();
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  env.DUBBO_H1_PORT = String(opts.h1Port ?? 0);
  env.DUBBO_H2C_PORT = String(opts.h2cPort ?? 0);
  env.DUBBO_H2TLS_PORT = String(opts.h2tlsPort ?? 0);
  if (opts.certDir !== undefined) env.DUBBO_CERT_DIR = resolve(opts.certDir);
  // The child must not inherit a loader or options meant for this process (vitest, tsx, …).
  delete env.NODE_OPTIONS;
  const peer = await startPeerProcess<DubboServerInfo>({
    name: "the dubbo-js peer server",
    logPrefix: "[dubbo] ",
    command: process.execPath,
    args: ["--import", "tsx", "server.ts"],
    cwd: dubboPeerDir,
    env,
    log: opts.log ?? process.env.DUBBO_PEER_LOG === "1",
    startupTimeoutMs: opts.startupTimeoutMs ?? 30_000,
    readyLine: (v) => (isInfo(v) ? v : undefined),
  });
  return { ...peer.info, pid: peer.pid, stop: peer.stop };
}
