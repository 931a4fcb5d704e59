// Runs the conformance suite in this Node process: the global fetch over HTTP/1.1, and undici's
// fetch with allowH2 over TLS (Node's global fetch never negotiates HTTP/2 by itself); WebTransport
// to the gateway (test/webtransport/global-gateway.ts) fails as Node has none.
import { readFileSync } from "node:fs";
import { inject, it } from "vitest";
import { node } from "../conformance/capabilities/node.js";
import { conformanceSuite } from "../conformance/suite.js";
import { reportResult } from "./runner.js";
import { undiciH2 } from "../support/undici-h2.js";

it("runs the conformance suite in Node", async () => {
  const dubbo = inject("dubbo");
  const java = inject("java");
  const go = inject("go");
  const { url, certSha256 } = inject("wtGateway");
  const h2 = undiciH2(readFileSync(dubbo.certFile));
  try {
    const suite = conformanceSuite(node, {
      h1: { baseUrl: dubbo.h1 },
      h2: { baseUrl: dubbo.h2tls, fetch: h2.fetch },
      wt: { url, certSha256 },
      java: { baseUrl: java.url },
      go: { baseUrl: go.url },
    });
    reportResult(await suite.run("node", `Node ${process.version}`));
  } finally {
    await h2.close();
  }
}, 90_000);
