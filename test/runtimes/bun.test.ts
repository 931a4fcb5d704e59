// Runs the conformance suite inside Bun (bun@1 from npm; its fetch speaks HTTP/1.1 only).
import { inject, it } from "vitest";
import { parseResultLine } from "../conformance/report.js";
import { reportResult, runProcess, runtimeBinary } from "./runner.js";

it("runs the conformance suite in Bun", async () => {
  const bun = runtimeBinary("bun");
  const { h1, h2tls, certFile } = inject("dubbo");
  const { url, certSha256 } = inject("wtGateway");
  const wt = { url, certSha256 };
  const java = inject("java").url;
  const go = inject("go").url;
  const run = await runProcess(bun, ["test/runtimes/bun/main.ts", JSON.stringify({ h1, h2tls, certFile, wt, java, go })], {
    timeoutMs: 80_000,
    env: { NO_COLOR: "1" },
  });
  const result = parseResultLine(run.stdout);
  if (result === undefined) {
    throw new Error(`bun exited (${run.signal ?? run.code}) without results:\n${run.stdout}\n${run.stderr}`);
  }
  reportResult(result);
}, 90_000);
