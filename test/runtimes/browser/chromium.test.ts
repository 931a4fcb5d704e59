// Runs the conformance suite inside Debian's Chromium (vitest browser mode, project "chromium"):
// fetch over HTTP/1.1, and over HTTP/2 with TLS (the browser is started with
// --ignore-certificate-errors for the test server's self-signed certificate); WebTransport to the
// gateway of test/webtransport/global-gateway.ts (its certificate hash is passed, but that flag
// lets any certificate through: the "webtransport" project tests the pinning itself), and its
// WebSocket downstream; Java and Go through their gateways (gRPC upstream) over both paths.
import { expect, inject, it } from "vitest";
import { chromium } from "../../conformance/capabilities/chromium.js";
import { failureText, notes, summaryLine } from "../../conformance/report.js";
import { conformanceSuite } from "../../conformance/suite.js";
import { JAVA_PROXY_PATH } from "../../setup/java-proxy-path.js";

it("runs the conformance suite in Chromium", async () => {
  const dubbo = inject("dubbo");
  const { url, certSha256, webSocketUrl } = inject("wtGateway");
  const suite = conformanceSuite(chromium, {
    h1: { baseUrl: dubbo.h1 },
    h2: { baseUrl: dubbo.h2tls },
    wt: { url, certSha256 },
    ws: { webSocketUrl },
    gateways: inject("serverGateways"),
    // Java answers no CORS preflight: the page reaches it through the dev server, on its own origin.
    java: { baseUrl: `${location.origin}${JAVA_PROXY_PATH}` },
    go: { baseUrl: inject("go").url },
  });
  const version = /Chrom(?:e|ium)\/([\d.]+)/.exec(navigator.userAgent)?.[1] ?? navigator.userAgent;
  const result = await suite.run("chromium", `Chromium ${version}`);
  console.log([summaryLine(result), ...notes(result)].join("\n"));
  expect(failureText(result), `${result.failed} of ${result.total} conformance cases failed in chromium`).toBe("");
}, 180_000);

it("Java answers no CORS preflight: a cross-origin call fails, the same call through a same-origin proxy works", async () => {
  const { createClient, createFetchTransport, Code } = await import("triple-es");
  const { json } = await import("triple-es/json");
  const { dubboJava } = await import("triple-es/protocol-java");
  const { CamelInteropService } = await import("../../gen/triple/interop/v1/interop_pb.js");
  const client = (baseUrl: string) =>
    createClient(CamelInteropService, createFetchTransport({ baseUrl, protocol: dubboJava(), format: json() }));
  const crossOrigin = await client(inject("java").url)
    .unary({ text: "x" })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(crossOrigin).toMatchObject({ code: Code.Unavailable });
  expect((await client(`${location.origin}${JAVA_PROXY_PATH}`).unary({ text: "x" })).text).toBe("x");
});
