// Runs the conformance suite inside Deno (deno@2 from npm) against the real dubbo-js server:
// HTTP/1.1, HTTP/2 over TLS (Deno's fetch is full duplex there), and WebTransport (Deno's own
// class, --unstable-net in deno.json) and WebSocket through the gateway of
// test/webtransport/global-gateway.ts; Java and Go through their gateways (gRPC upstream) over both.
import { inject, it } from "vitest";
import { parseResultLine } from "../conformance/report.js";
import { reportResult, runProcess, runtimeBinary } from "./runner.js";

it("runs the conformance suite in Deno", async () => {
  const deno = runtimeBinary("deno");
  const { h1, h2tls, certFile } = inject("dubbo");
  const { url, certSha256, webSocketUrl } = inject("wtGateway");
  const java = inject("java").url;
  const go = inject("go").url;
  const run = await runProcess(
    deno,
    [
      "run",
      "--quiet",
      "--no-prompt",
      "--config=test/runtimes/deno/deno.json",
      "--allow-net=127.0.0.1",
      `--allow-read`,
      "test/runtimes/deno/main.ts",
      JSON.stringify({ h1, h2tls, certFile, wt: { url, certSha256 }, ws: { webSocketUrl }, java, go, gateways: inject("serverGateways"), filter: process.env.CONFORMANCE_FILTER }),
    ],
    { timeoutMs: 170_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
  );
  const result = parseResultLine(run.stdout);
  if (result === undefined) {
    throw new Error(`deno exited (${run.signal ?? run.code}) without results:\n${run.stdout}\n${run.stderr}`);
  }
  reportResult(result);
}, 180_000);
