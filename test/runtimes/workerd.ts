// Serving a Worker with `workerd serve` for tests: bundle with esbuild, write a capnp config with
// an `internet` service that may reach 127.0.0.1, start workerd on a free port, stop it by pid.
// No nodejs_compat flag: the SDK must run on the plain Workers runtime.

import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { freePort, repoRoot, runtimeBinary } from "./runner.js";

/** The date the Workers runtime behaves as of; workerd 1.20261117 supports it. */
export const COMPATIBILITY_DATE = "2026-01-01";

const src = (p: string) => join(repoRoot, "src", p);

export interface RunningWorker {
  readonly url: string;
  readonly version: string;
  /** workerd's stderr so far (for error messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Bundles `entry` as an ES module Worker, with "triple-es" resolved to the SDK's sources. */
export async function bundleWorker(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: {
      "triple-es/json": src("json.ts"),
      "triple-es/gzip": src("gzip.ts"),
      "triple-es/websocket": src("websocket.ts"),
      "triple-es/protocol-java": src("protocol-java/index.ts"),
      "triple-es/protocol-go": src("protocol-go/index.ts"),
      "triple-es": src("index.ts"),
    },
  });
  return out.outputFiles[0]!.text;
}

/** Starts workerd serving `workerJs`; resolves once it accepts requests. */
export async function serveWorker(
  workerJs: string,
  bindings: Record<string, string> = {},
  options: { trustCertFile?: string } = {},
): Promise<RunningWorker> {
  const workerd = runtimeBinary("workerd");
  const dir = mkdtempSync(join(tmpdir(), "triple-es-workerd-"));
  const port = await freePort();
  writeFileSync(join(dir, "worker.js"), workerJs);
  // Outbound TLS trusts the system's CAs plus, for the test server, its self-signed certificate.
  let tlsOptions = "";
  if (options.trustCertFile !== undefined) {
    copyFileSync(options.trustCertFile, join(dir, "trusted.pem"));
    tlsOptions = `, tlsOptions = (trustedCertificates = [embed "trusted.pem"])`;
  }
  const textBindings = Object.entries(bindings)
    .map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`)
    .join(", ");
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"]${tlsOptions})),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [${textBindings}],
  globalOutbound = "internet",
);
`,
  );
  const version = await new Promise<string>((resolve) => {
    const p = spawn(workerd, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    p.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    p.once("close", () => resolve(out.trim()));
    p.once("error", () => resolve("workerd"));
  });
  const child: ChildProcess = spawn(workerd, ["serve", join(dir, "config.capnp")], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`workerd exited (${child.exitCode}) before serving:\n${stderr}`);
    }
    try {
      await (await fetch(url, { method: "GET" })).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`workerd did not start serving ${url} within 15 s:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { url, version, log: () => stderr, stop };
}
