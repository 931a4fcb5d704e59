// Starts the bundled bench server (bench/server/server.ts) as a child process and waits for its
// ready line. The child is node itself (no wrapper), so its PID is the server's.

import { spawn } from "node:child_process";
import { benchDir } from "./build.mjs";

export function startServer(bundle) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [bundle], { cwd: benchDir, env, stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => fail(new Error("bench server did not start within 20 s")), 20_000);
    const fail = (e) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${e.message}\n${stderr}`));
    };
    child.once("exit", (code, sig) => fail(new Error(`bench server exited (${sig ?? code})`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const urls = JSON.parse(buf.slice(0, nl));
      resolve({
        urls,
        pid: child.pid,
        stderr: () => stderr,
        stop() {
          process.off("exit", killOnExit);
          if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
          return new Promise((r) => {
            const t = setTimeout(() => child.kill("SIGKILL"), 3000);
            child.once("exit", () => {
              clearTimeout(t);
              r();
            });
            child.kill("SIGTERM");
          });
        },
      });
    });
  });
}

/** Runs one client process for one job; resolves with its JSON result line. */
export function runClient(bundle, job, { timeoutMs = 180_000, nodeArgs = [] } = {}) {
  const env = { ...process.env, BENCH_JOB: JSON.stringify(job) };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ["--expose-gc", ...nodeArgs, bundle], {
    cwd: benchDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (err = (err + d).slice(-4000)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, sig) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ ok: false, error: `client exited (${sig ?? code}) without a result${sig === "SIGKILL" ? " (timed out)" : ""}: ${err.trim().slice(-600)}` });
      }
    });
  });
}
