// The SDK inside Deno (test/webtransport/deno/gateway-paths.ts) through the gateway over
// WebTransport and WebSocket to the real dubbo-js (Triple upstream), Dubbo Java 3.3.6 and dubbo-go
// 3.3.2 (gRPC upstream) servers: every call kind, errors, deadline, cancel seen by the server.

import { describe, expect, inject, it } from "vitest";
import { startGateway } from "../gateway/gateway-process.js";
import { runProcess, runtimeBinary } from "../runtimes/runner.js";

const servers = ["dubbo-js", "java", "go"] as const;

describe.each(servers)("Deno → gateway → %s", (server) => {
  it("WebTransport and WebSocket: every call kind, a ping-pong of 1,000, errors, deadline, cancel", async () => {
    const upstream =
      server === "dubbo-js"
        ? ["--upstream", inject("dubbo").h2tls, "--upstream-ca", inject("dubbo").certFile]
        : ["--upstream", inject(server).url, "--upstream-protocol", "grpc"];
    const gateway = await startGateway([...upstream, "--dev-cert", "--port", "0", "--ws-port", "0", "--quiet"]);
    try {
      const run = await runProcess(
        runtimeBinary("deno"),
        [
          "run", "--quiet", "--no-prompt", "--config=test/webtransport/deno/deno.json", "--allow-net=127.0.0.1", "--allow-read",
          "test/webtransport/deno/gateway-paths.ts",
          JSON.stringify({ url: gateway.url, certSha256: gateway.certSha256, webSocketUrl: gateway.webSocketUrl, server }),
        ],
        { timeoutMs: 90_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
      );
      const line = /GATEWAY_PATHS_RESULT (.*)/.exec(run.stdout);
      if (line === null || run.code !== 0) {
        throw new Error(`deno exited (${run.signal ?? run.code}):\n${run.stdout}\n${run.stderr}\n${gateway.stderr.slice(-20).join("\n")}`);
      }
      console.log(`[deno gateway ${server}] ${line[1]}`);
      expect(JSON.parse(line[1]!).server).toBe(server);
    } finally {
      await gateway.stop();
    }
  }, 120_000);
});
