#!/usr/bin/env node
// `npm start`: the playground on this machine, with one URL to open.
//
//   1. makes what is missing (playground/server/prepare.mjs: the dubbo-js server's packages and
//      generated code, the page's generated code);
//   2. starts the real dubbo-js server (playground/server/server.ts): HTTP/1.1 and HTTP/2 over TLS;
//   3. starts the WebTransport gateway (gateway/, Deno from npm) in front of the HTTP/2 server, if
//      it can: optional, the page works without its "WebTransport" choice (PLAYGROUND_WT=0: never);
//   4. builds and starts the Dubbo Java and dubbo-go servers (scripts/start-peers.mjs) when Maven /
//      Go are installed: optional, the page offers each server it could start;
//   5. starts Vite for the page (playground/), which learns the servers' addresses from it and
//      forwards /__java to the Java server (it answers no CORS preflight);
//   6. prints the page's URL. Ctrl-C stops everything.
//
// Ports (127.0.0.1): PLAYGROUND_PORT (page, default 5173), PLAYGROUND_H1_PORT (default 50071),
// PLAYGROUND_H2_PORT (default 50072), PLAYGROUND_WT_PORT (gateway, UDP, default 50073; a free one
// when taken); 0 picks a free one. PLAYGROUND_WATCH=0 turns off Vite's file watching and reloads
// (for tests).

import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPeers } from "./start-peers.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const playground = join(root, "playground");
const HOST = "127.0.0.1";

const say = (msg) => process.stderr.write(`[playground] ${msg}\n`);

function fail(msg) {
  process.stderr.write(`\nnpm start: ${msg}\n\n`);
  process.exit(1);
}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name}=${raw} is not a port number.`);
  return n;
}

const ports = {
  page: portFromEnv("PLAYGROUND_PORT", 5173),
  h1: portFromEnv("PLAYGROUND_H1_PORT", 50071),
  h2: portFromEnv("PLAYGROUND_H2_PORT", 50072),
};
const wtPort = portFromEnv("PLAYGROUND_WT_PORT", 50073);
const envNames = { page: "PLAYGROUND_PORT", h1: "PLAYGROUND_H1_PORT", h2: "PLAYGROUND_H2_PORT" };
const what = { page: "the page (Vite)", h1: "the HTTP/1.1 server", h2: "the HTTP/2 server" };

/** Resolves when `port` can be bound on 127.0.0.1, rejects with the reason otherwise. */
function checkFree(port) {
  return new Promise((resolve, reject) => {
    if (port === 0) return resolve();
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

for (const key of Object.keys(ports)) {
  try {
    await checkFree(ports[key]);
  } catch (e) {
    fail(
      e.code === "EADDRINUSE"
        ? `port ${ports[key]} on ${HOST}, for ${what[key]}, is already in use (is another playground running?).\n` +
            `Stop whatever uses it, or choose another port: ${envNames[key]}=<port> npm start`
        : `cannot use port ${ports[key]} for ${what[key]}: ${e.message}`,
    );
  }
}

// 1. Whatever is missing.
try {
  const { prepare } = await import(join(playground, "server", "prepare.mjs"));
  prepare({ log: say });
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}

// 2. The dubbo-js server. Started as `node --import tsx` so the child's PID is the server itself.
const env = { ...process.env, PLAYGROUND_H1_PORT: String(ports.h1), PLAYGROUND_H2_PORT: String(ports.h2) };
delete env.NODE_OPTIONS;
const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
  cwd: join(playground, "server"),
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
let stopping = false;
/** The gateway's process once spawned (step 3): stopped with everything else. */
let gatewayChild;
server.stderr.setEncoding("utf8");
server.stderr.on("data", (chunk) => process.stderr.write(chunk.replace(/^(?=.)/gm, "[server] ")));

const servers = await new Promise((resolve) => {
  let buffered = "";
  const onExit = (code, signal) => fail(`the playground server stopped before it was ready (${signal ?? `exit code ${code}`}).`);
  server.once("exit", onExit);
  server.stdout.setEncoding("utf8");
  server.stdout.on("data", (chunk) => {
    buffered += chunk;
    const nl = buffered.indexOf("\n");
    if (nl < 0) return;
    server.off("exit", onExit);
    server.stdout.removeAllListeners("data");
    server.stdout.resume();
    try {
      resolve(JSON.parse(buffered.slice(0, nl)));
    } catch {
      fail(`the playground server printed something unexpected: ${buffered.slice(0, nl)}`);
    }
  });
});
server.once("exit", (code, signal) => {
  if (stopping) return;
  // Ctrl-C reaches the whole process group: the server may exit (cleanly) before this process
  // has handled its own SIGINT.
  if (code === 0) return void shutdown(0);
  process.stderr.write(`\nnpm start: the playground server stopped (${signal ?? `exit code ${code}`}); stopping.\n`);
  void shutdown(1);
});

// 3. The WebTransport gateway: optional, so any failure only leaves the choice out.
const gateway = await startGateway();
if (gateway === undefined) gatewayChild = undefined;

// 4. The Java and Go servers, when this machine can build them. The page reaches Java through
// Vite's same-origin proxy (JAVA_PROXY_PATH, reading JAVA_PEER_URL) and Go directly (it sends CORS).
const peers = await startPeers({ root, log: say });
const JAVA_PROXY_PATH = peers.javaProxyPath;
if (peers.running.java) process.env.JAVA_PEER_URL = peers.running.java.url;
process.env.PLAYGROUND_SERVERS = JSON.stringify({
  h1: servers.h1,
  h2: servers.h2,
  ...(gateway ? { wt: gateway.wt } : {}),
  ...(peers.running.java ? { java: { url: peers.running.java.url, path: JAVA_PROXY_PATH, gateway: peers.running.java.gateway } } : {}),
  ...(peers.running.go ? { go: { url: peers.running.go.url, gateway: peers.running.go.gateway } } : {}),
  missing: peers.missing,
});
const stopPeers = () => Promise.allSettled(Object.values(peers.running).map((p) => p.stop()));

/** Whether UDP `port` can be bound on 127.0.0.1 now. */
function udpFree(port) {
  return new Promise((resolve) => {
    const probe = createSocket("udp4");
    probe.once("error", () => resolve(false));
    probe.bind(port, HOST, () => probe.close(() => resolve(true)));
  });
}

/** Starts gateway/main.ts on Deno (a devDependency) with a development certificate; undefined if it cannot. */
async function startGateway() {
  if (process.env.PLAYGROUND_WT === "0") return undefined;
  const deno = join(root, "node_modules", ".bin", "deno");
  const skip = (why) => {
    say(`WebTransport: no gateway (${why}); the page works without the WebTransport choice.`);
    return undefined;
  };
  if (!existsSync(deno)) return skip("Deno is not installed: npm install");
  if (typeof servers.certFile !== "string") return skip("the server printed no certificate file");
  let port = wtPort;
  if (port !== 0 && !(await udpFree(port))) {
    say(`UDP port ${port} (PLAYGROUND_WT_PORT) is in use: the gateway takes a free one.`);
    port = 0;
  }
  // prettier-ignore
  const child = spawn(deno, [
    "run", "--config", join(root, "gateway", "deno.json"), "--unstable-net", "--allow-net", "--allow-read",
    join(root, "gateway", "main.ts"), "--upstream", servers.h2, "--upstream-ca", servers.certFile, "--dev-cert", "--ws-port", "0",
    "--hostname", HOST, "--port", String(port),
  ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  gatewayChild = child;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => process.stderr.write(chunk.replace(/^(?=.)/gm, "[gateway] ")));
  const info = await new Promise((resolve) => {
    let buffered = "";
    const timer = setTimeout(() => resolve(undefined), 20_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.once("error", () => resolve(undefined));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const nl = buffered.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffered.slice(0, nl)));
      } catch {
        resolve(undefined);
      }
    });
  });
  if (info === undefined || typeof info.url !== "string" || typeof info.certSha256 !== "string") {
    child.kill("SIGKILL");
    return skip("it did not start; see the [gateway] lines above");
  }
  child.stdout.resume();
  child.once("exit", (code, signal) => {
    if (!stopping) say(`the WebTransport gateway stopped (${signal ?? `exit code ${code}`}); WebTransport calls will fail.`);
  });
  return { child, wt: { url: info.url, certSha256: info.certSha256, ...(typeof info.webSocketUrl === "string" ? { webSocketUrl: info.webSocketUrl } : {}) } };
}

// 5. Vite, in this process.
let vite;
try {
  const { createServer } = await import("vite");
  vite = await createServer({
    configFile: join(playground, "vite.config.ts"),
    // PLAYGROUND_WATCH=0 (the e2e test): no file watching, no reloads while others edit src/.
    server: {
      port: ports.page,
      host: HOST,
      strictPort: true,
      ...(process.env.PLAYGROUND_WATCH === "0" ? { hmr: false, watch: null } : {}),
    },
  });
  await vite.listen();
} catch (e) {
  server.kill("SIGTERM");
  gatewayChild?.kill("SIGTERM");
  await stopPeers();
  fail(`cannot start the page's dev server: ${e instanceof Error ? e.message : String(e)}`);
}
const address = vite.httpServer?.address();
const url = `http://${HOST}:${typeof address === "object" && address ? address.port : ports.page}/`;

// 6. The one URL.
process.stdout.write(`triple-es playground: ${url}\n`);
say(`dubbo-js server: ${servers.h1} (HTTP/1.1), ${servers.h2} (HTTP/2, self-signed certificate). Ctrl-C stops.`);
if (gateway) say(`WebTransport gateway: ${gateway.wt.url} (WebSocket ${gateway.wt.webSocketUrl ?? "-"}) → ${servers.h2} (certificate SHA-256 ${gateway.wt.certSha256}).`);
if (peers.running.java) say(`Dubbo Java server: ${peers.running.java.url} (the page uses ${url.replace(/\/$/, "")}${JAVA_PROXY_PATH}).`);
if (peers.running.go) say(`dubbo-go server: ${peers.running.go.url}.`);

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const exited = new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve();
    else server.once("exit", resolve);
  });
  server.kill("SIGTERM");
  const gatewayExited = new Promise((resolve) => {
    const g = gatewayChild;
    if (g === undefined || g.exitCode !== null || g.signalCode !== null) resolve();
    else g.once("exit", resolve);
  });
  gatewayChild?.kill("SIGTERM");
  const force = setTimeout(() => {
    server.kill("SIGKILL");
    gatewayChild?.kill("SIGKILL");
  }, 3000);
  await Promise.allSettled([vite?.close(), exited, gatewayExited, stopPeers()]);
  clearTimeout(force);
  process.exit(code);
}
process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));
process.once("exit", () => {
  if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  const g = gatewayChild;
  if (g !== undefined && g.exitCode === null && g.signalCode === null) g.kill("SIGKILL");
});
