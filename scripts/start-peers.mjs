// The Dubbo Java and dubbo-go servers for `npm start`. Both are optional: each is built (Maven, Go)
// and started only when its toolchain is on PATH, and the playground's own dubbo-js server works
// without them. A peer that cannot start leaves a reason the page shows beside its server choice.
//
// They are the test suite's peers (test/peers/java, test/peers/go), serving
// triple.interop.v1.InteropService and CamelInteropService, started by the same starters the tests
// use (test/setup/*-server.ts, loaded through tsx).
//
// PLAYGROUND_JAVA=0 / PLAYGROUND_GO=0 skip one; PLAYGROUND_JAVA_PORT / PLAYGROUND_GO_PORT choose
// its port (default: a free one).
//
// In front of each, when Deno is installed (and PLAYGROUND_WT is not 0), a gateway (gateway/) that
// speaks gRPC to it: the page's WebTransport and WebSocket paths to every call kind on Java and Go.

import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";

/** A gateway with a gRPC upstream in front of a peer; undefined (and a line saying why) when it cannot start. */
async function startGrpcGateway(root, load, upstream, prefix, log, name) {
  if (process.env.PLAYGROUND_WT === "0") return undefined;
  try {
    const { startGateway } = await load("test/gateway/gateway-process.ts");
    const gateway = await startGateway(["--upstream", upstream, "--upstream-protocol", "grpc", "--dev-cert", "--port", "0", "--ws-port", "0", "--quiet"]);
    return gateway;
  } catch (e) {
    log(`${name}: no gateway (${(e instanceof Error ? e.message : String(e)).split("\n")[0]}); the page reaches it over HTTP only.`);
    return undefined;
  }
}

/** Whether `cmd args` runs and exits 0 (a toolchain check that prints nothing). */
function runs(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/** Runs a peer's build.mjs, its output prefixed; resolves with an error message or undefined. */
function build(root, peer, prefix) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "test", "peers", peer, "build.mjs")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (chunk) => process.stderr.write(String(chunk).replace(/^(?=.)/gm, prefix));
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.once("error", (e) => resolve(`its build could not start: ${e.message}`));
    child.once("exit", (code, signal) =>
      resolve(code === 0 ? undefined : `its build failed (${signal ?? `exit code ${code}`}); see the ${prefix.trim()} lines`),
    );
  });
}

const PEERS = {
  java: {
    name: "Dubbo Java 3.3",
    skip: "PLAYGROUND_JAVA",
    portVar: "PLAYGROUND_JAVA_PORT",
    toolchain: () =>
      runs("java", ["-version"]) && runs("mvn", ["-v"])
        ? undefined
        : "Java 17 and Maven are not installed (apt-get install openjdk-17-jdk-headless maven)",
    starter: ["test/setup/java-server.ts", "startJavaServer"],
  },
  go: {
    name: "dubbo-go 3.3",
    skip: "PLAYGROUND_GO",
    portVar: "PLAYGROUND_GO_PORT",
    toolchain: () => (runs("go", ["version"]) ? undefined : "Go is not installed (https://go.dev/doc/install, or apt-get install golang)"),
    starter: ["test/setup/go-server.ts", "startGoServer"],
  },
};

/**
 * Builds and starts whichever peers can run here, both at once.
 *
 * @param {{ root: string, log: (msg: string) => void }} o
 * @returns {Promise<{
 *   running: Record<string, { url: string, gateway?: { url: string, certSha256: string, webSocketUrl: string }, stop: () => Promise<void> }>,
 *   missing: Record<string, string>,
 *   javaProxyPath: string,
 * }>} `javaProxyPath`: where the page's dev server forwards to the Java server (the tests' path).
 */
export async function startPeers({ root, log }) {
  const running = {};
  const missing = {};
  const load = (file) => tsImport(pathToFileURL(join(root, file)).href, import.meta.url);
  const { JAVA_PROXY_PATH } = await load("test/setup/java-proxy-path.ts");
  await Promise.all(
    Object.entries(PEERS).map(async ([key, p]) => {
      if (process.env[p.skip] === "0") return void (missing[key] = `${p.skip}=0`);
      const noToolchain = p.toolchain();
      if (noToolchain) {
        log(`${p.name}: not started (${noToolchain}); the page works without it.`);
        return void (missing[key] = noToolchain);
      }
      log(`${p.name}: building (the first build downloads its dependencies; later ones take seconds)…`);
      const failed = await build(root, key, `[${key}] `);
      if (failed) {
        log(`${p.name}: not started, ${failed}.`);
        return void (missing[key] = failed);
      }
      const rawPort = process.env[p.portVar];
      const port = rawPort ? Number(rawPort) : 0;
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        return void (missing[key] = `${p.portVar}=${rawPort} is not a port number`);
      }
      try {
        const [file, fn] = p.starter;
        const mod = await load(file);
        const server = await mod[fn]({ port, log: true });
        running[key] = server;
        const gateway = await startGrpcGateway(root, load, server.url, `[${key}-gateway] `, log, p.name);
        if (gateway) {
          running[key] = {
            url: server.url,
            gateway: { url: gateway.url, certSha256: gateway.certSha256, webSocketUrl: gateway.webSocketUrl },
            stop: () => Promise.allSettled([gateway.stop(), server.stop()]).then(() => {}),
          };
        }
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        log(`${p.name}: did not start: ${why}`);
        missing[key] = `it did not start: ${why.split("\n")[0]}`;
      }
    }),
  );
  return { running, missing, javaProxyPath: JAVA_PROXY_PATH };
}
