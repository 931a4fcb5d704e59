// Runs the Deno gateway suite (test/gateway/*_test.ts) from vitest, against the dubbo-js
// peer that test/setup/global-dubbo.ts started, and prints the numbers it measured.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, inject, test } from "vitest";

import { denoBin, repoRoot } from "./gateway-process.js";

test("gateway: Deno WebTransport client → gateway → dubbo-js (deno test)", async () => {
  const dubbo = inject("dubbo");
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(denoBin, [
      "test", "-A", "--unstable-net", "--v8-flags=--expose-gc", "--no-prompt",
      "--config", join(repoRoot, "gateway", "deno.json"),
      join(repoRoot, "test", "gateway", "gateway_test.ts"),
      join(repoRoot, "test", "gateway", "grpc_status_test.ts"),
      join(repoRoot, "test", "gateway", "upstream_keepalive_test.ts"),
    ], {
      cwd: repoRoot,
      env: { ...process.env, DUBBO_INFO: JSON.stringify(dubbo), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    child.once("exit", (c) => resolve({ code: c, output: out }));
  });
  const report = /GATEWAY_REPORT (.*)/.exec(output);
  if (report) console.log(`gateway numbers: ${report[1]}`);
  if (code !== 0) console.log(output);
  expect(code).toBe(0);
}, 180_000);
