// Browser commands of the "webtransport" project (vite.config.ts): the browser tests start, kill
// and restart their own gateways through these, since faults need a gateway they may break.
//
//   import { commands } from "vitest/browser";
//   const g = await commands.wtStartGateway({ upstream, upstreamCa, cert, key, idleTimeoutMs });
//   await commands.wtStopGateway(g.id, "SIGKILL");

import type { BrowserCommand } from "vitest/node";

import { type GatewayChild, startGateway } from "../gateway/gateway-process.js";
import { freePort } from "../setup/peer-process.js";
import { type GoServer, startGoServer } from "../setup/go-server.js";

export interface WtGatewayStart {
  upstream: string;
  /** PEM CA file for an https upstream. */
  upstreamCa?: string;
  /** "grpc" for the Java and Go peers (h2c); default "triple". */
  upstreamProtocol?: "triple" | "grpc";
  /** The gateway's own deadline per call (--max-call-ms). */
  maxCallMs?: number;
  /** Also serve the WebSocket downstream (--ws-port; 0 picks a port). */
  wsPort?: number;
  /** --allow-origin values for the WebSocket downstream. */
  allowOrigins?: string[];
  /** PEM files; without them the gateway makes a --dev-cert. */
  cert?: string;
  key?: string;
  port?: number;
  idleTimeoutMs?: number;
}

export interface WtStartedGateway {
  id: number;
  url: string;
  port: number;
  certSha256: string;
  /** With wsPort: the gateway's WebSocket URL. */
  webSocketUrl?: string | undefined;
}

const running = new Map<number, GatewayChild>();
let nextId = 1;

const wtStartGateway: BrowserCommand<[WtGatewayStart]> = async (_ctx, o) => {
  const args = ["--upstream", o.upstream, "--port", String(o.port ?? 0)];
  if (o.upstreamCa !== undefined) args.push("--upstream-ca", o.upstreamCa);
  if (o.upstreamProtocol !== undefined) args.push("--upstream-protocol", o.upstreamProtocol);
  if (o.maxCallMs !== undefined) args.push("--max-call-ms", String(o.maxCallMs));
  if (o.wsPort !== undefined) args.push("--ws-port", String(o.wsPort));
  for (const origin of o.allowOrigins ?? []) args.push("--allow-origin", origin);
  if (o.cert !== undefined && o.key !== undefined) args.push("--cert", o.cert, "--key", o.key);
  else args.push("--dev-cert");
  if (o.idleTimeoutMs !== undefined) args.push("--idle-timeout-ms", String(o.idleTimeoutMs));
  const child = await startGateway(args);
  const id = nextId++;
  running.set(id, child);
  return { id, url: child.url, port: child.port, certSha256: child.certSha256, webSocketUrl: child.webSocketUrl } satisfies WtStartedGateway;
};

const wtStopGateway: BrowserCommand<[number, "SIGKILL" | "SIGTERM"]> = async (_ctx, id, signal) => {
  const child = running.get(id);
  running.delete(id);
  await child?.stop(signal);
};

/** The gateway's stderr lines (one per session and call), for checks on what it saw. */
const wtGatewayLog: BrowserCommand<[number]> = (_ctx, id) => running.get(id)?.stderr.slice() ?? [];

const goPeers = new Map<number, GoServer>();

/** A dubbo-go peer of the test's own, for faults that kill the upstream. */
const goPeerStart: BrowserCommand<[]> = async () => {
  const server = await startGoServer();
  goPeers.set(server.pid, server);
  return { pid: server.pid, url: server.url };
};

/** Kills a peer started by goPeerStart (SIGKILL: no goodbye on its connections). */
const goPeerKill: BrowserCommand<[number]> = async (_ctx, pid) => {
  const server = goPeers.get(pid);
  goPeers.delete(pid);
  if (server === undefined) return;
  process.kill(pid, "SIGKILL");
  await server.stop();
};

/** An http:// URL on a TCP port where nothing listens (a moment ago). */
const deadHttpUrl: BrowserCommand<[]> = async () => `http://127.0.0.1:${await freePort()}`;

export const webTransportCommands = { wtStartGateway, wtStopGateway, wtGatewayLog, goPeerStart, goPeerKill, deadHttpUrl };

declare module "vitest/browser" {
  interface BrowserCommands {
    wtStartGateway(options: WtGatewayStart): Promise<WtStartedGateway>;
    wtStopGateway(id: number, signal: "SIGKILL" | "SIGTERM"): Promise<void>;
    wtGatewayLog(id: number): Promise<string[]>;
    goPeerStart(): Promise<{ pid: number; url: string }>;
    goPeerKill(pid: number): Promise<void>;
    deadHttpUrl(): Promise<string>;
  }
}
