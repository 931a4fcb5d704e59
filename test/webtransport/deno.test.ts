// The SDK's WebTransport transport inside Deno (test/webtransport/deno/main.ts), through a gateway
// of its own, against the dubbo-js server of test/setup/global-dubbo.ts.

import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { type GatewayChild, startGateway } from "../gateway/gateway-process.js";
import { runProcess, runtimeBinary } from "../runtimes/runner.js";

let gateway: GatewayChild;

beforeAll(async () => {
  const dubbo = inject("dubbo");
  gateway = await startGateway(["--upstream", dubbo.h2tls, "--upstream-ca", dubbo.certFile, "--dev-cert", "--port", "0", "--quiet"]);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
});

it("runs a subset of the WebTransport calls in Deno (its WebTransport class: end frame, cancel frame, fresh sessions)", async () => {
  const run = await runProcess(
    runtimeBinary("deno"),
    [
      "run",
      "--quiet",
      "--no-prompt",
      "--config=test/webtransport/deno/deno.json",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "test/webtransport/deno/main.ts",
      JSON.stringify({ url: gateway.url, certSha256: gateway.certSha256 }),
    ],
    { timeoutMs: 60_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
  );
  const line = /WT_DENO_RESULT (.*)/.exec(run.stdout);
  if (line === null || run.code !== 0) {
    throw new Error(`deno exited (${run.signal ?? run.code}):\n${run.stdout}\n${run.stderr}\n${gateway.stderr.slice(-20).join("\n")}`);
  }
  console.log(`[wt deno] ${line[1]}`);
  expect(JSON.parse(line[1]!).sessionsOpened).toBeGreaterThanOrEqual(2);
}, 90_000);
