// A Cloudflare Worker that runs the conformance suite inside workerd. test/runtimes/workerd.test.ts
// bundles it with esbuild, serves it with `workerd serve` (outbound fetch through an `internet`
// service that allows local addresses and trusts the test certificate) and POSTs
// {"h1", "h2tls", "wt", "java", "go", "version"} to it (wt: the WebTransport gateway, which Workers cannot
// reach: they have no WebTransport); the answer is the SuiteResult as JSON.
import { workerd } from "../../conformance/capabilities/workerd.js";
import { conformanceSuite, type GatewayEndpoint } from "../../conformance/suite.js";

interface Config {
  h1: string;
  h2tls: string;
  wt: GatewayEndpoint;
  java: string;
  go: string;
  version?: string;
  filter?: string;
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST a JSON config to run the suite\n", { status: 405 });
    const config = (await request.json()) as Config;
    const suite = conformanceSuite(workerd, {
      h1: { baseUrl: config.h1 },
      h2: { baseUrl: config.h2tls },
      wt: config.wt,
      java: { baseUrl: config.java },
      go: { baseUrl: config.go },
    });
    const result = await suite.run(
      "workerd",
      `${navigator.userAgent}${config.version ? `, ${config.version}` : ""}`,
      config.filter ? { filter: config.filter } : {},
    );
    return Response.json(result);
  },
};
