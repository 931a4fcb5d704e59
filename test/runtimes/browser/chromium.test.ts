// Runs the conformance suite inside Debian's Chromium (vitest browser mode, project "chromium"):
// fetch over HTTP/1.1, and over HTTP/2 with TLS (the browser is started with
// --ignore-certificate-errors for the test server's self-signed certificate); WebTransport to the
// gateway of test/webtransport/global-gateway.ts (its certificate hash is passed, but that flag
// lets any certificate through: the "webtransport" project tests the pinning itself).
import { expect, inject, it } from "vitest";
import { chromium } from "../../conformance/capabilities/chromium.js";
import { failureText, notes, summaryLine } from "../../conformance/report.js";
import { conformanceSuite } from "../../conformance/suite.js";

it("runs the conformance suite in Chromium", async () => {
  const dubbo = inject("dubbo");
  const { url, certSha256 } = inject("wtGateway");
  const suite = conformanceSuite(chromium, {
    h1: { baseUrl: dubbo.h1 },
    h2: { baseUrl: dubbo.h2tls },
    wt: { url, certSha256 },
  });
  const version = /Chrom(?:e|ium)\/([\d.]+)/.exec(navigator.userAgent)?.[1] ?? navigator.userAgent;
  const result = await suite.run("chromium", `Chromium ${version}`);
  console.log([summaryLine(result), ...notes(result)].join("\n"));
  expect(failureText(result), `${result.failed} of ${result.total} conformance cases failed in chromium`).toBe("");
}, 90_000);
