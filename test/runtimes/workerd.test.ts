// Runs the conformance suite inside Cloudflare's workerd (from npm), as a Worker served with
// `workerd serve`; the Worker's outbound fetch reaches the dubbo-js server over HTTP/1.1.
import { join } from "node:path";
import { inject, it } from "vitest";
import type { SuiteResult } from "../conformance/harness.js";
import { reportResult, repoRoot } from "./runner.js";
import { bundleWorker, serveWorker } from "./workerd.js";

it("runs the conformance suite in workerd", async () => {
  const { h1, h2tls, certFile } = inject("dubbo");
  const { url, certSha256 } = inject("wtGateway");
  const java = inject("java").url;
  const go = inject("go").url;
  const worker = await serveWorker(await bundleWorker(join(repoRoot, "test/runtimes/workerd/worker.ts")), {}, {
    trustCertFile: certFile,
  });
  try {
    const res = await fetch(worker.url, { method: "POST", body: JSON.stringify({ h1, h2tls, wt: { url, certSha256 }, java, go, version: worker.version }) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`the worker answered ${res.status}: ${text}\n${worker.log()}`);
    reportResult(JSON.parse(text) as SuiteResult);
  } finally {
    await worker.stop();
  }
}, 90_000);
