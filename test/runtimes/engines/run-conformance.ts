// Runs the conformance suite inside one browser engine from a Node test (./conformance-page.ts)
// against the servers of the node project's globalSetups, and reports it like every runtime.

import { inject } from "vitest";
import type { SuiteResult } from "../../conformance/harness.js";
import { reportResult } from "../runner.js";
import type { ConformancePageConfig } from "./conformance-page.js";
import { runPageIn } from "./run-page.js";
import type { EngineSession } from "./session.js";

/** Runs the whole suite (or the cases whose name contains CONFORMANCE_FILTER) in the engine. */
export async function runConformanceIn(
  engine: ConformancePageConfig["engine"],
  launch: () => Promise<EngineSession>,
  timeoutMs: number,
): Promise<SuiteResult> {
  const { h1, h2tls } = inject("dubbo");
  const { url, certSha256, webSocketUrl } = inject("wtGateway");
  const filter = process.env.CONFORMANCE_FILTER;
  const result = (await runPageIn(engine, launch, {
    entry: "conformance-page.ts",
    javaUrl: inject("java").url,
    timeoutMs,
    config: (version): ConformancePageConfig => ({
      engine,
      version,
      h1,
      h2tls,
      wt: { url, certSha256 },
      ws: { webSocketUrl },
      gateways: inject("serverGateways"),
      go: inject("go").url,
      ...(filter ? { filter } : {}),
    }),
  })) as SuiteResult;
  reportResult(result);
  return result;
}
