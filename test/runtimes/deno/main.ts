// Runs the conformance suite inside Deno. Started by test/runtimes/deno.test.ts:
//   deno run --config test/runtimes/deno/deno.json --allow-net=127.0.0.1 --allow-read main.ts '<json>'
// with {"h1": url, "h2tls": url, "certFile": path, "wt": {"url", "certSha256"}, "ws": {"webSocketUrl"},
// "java": url, "go": url, "gateways": {"java"|"go": {"url", "certSha256", "webSocketUrl"}}}; prints one
// RESULT_MARKER line. deno.json turns on "unstable": ["net"] for Deno's WebTransport class.
//
// The SDK's TypeScript sources are imported directly (deno.json maps "triple-es" to src/); they
// use `.js` specifiers for `.ts` files, as TypeScript's own resolution wants, hence sloppy imports.
import { deno } from "../../conformance/capabilities/deno.js";
import { RESULT_MARKER } from "../../conformance/report.js";
import type { ServerGateway } from "../../conformance/gateway-servers.js";
import { conformanceSuite, type GatewayEndpoint, type WebSocketEndpoint } from "../../conformance/suite.js";

declare const Deno: {
  args: string[];
  version: { deno: string };
  readTextFileSync(path: string): string;
  createHttpClient(options: { caCerts: string[] }): { close(): void };
};

const config = JSON.parse(Deno.args[0]!) as {
  h1: string;
  h2tls: string;
  certFile: string;
  wt: GatewayEndpoint;
  ws: WebSocketEndpoint;
  java: string;
  go: string;
  gateways: { java: ServerGateway; go: ServerGateway };
  filter?: string;
};
// HTTP/2 over TLS: Deno negotiates h2 by ALPN; the client trusts the test server's certificate.
const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(config.certFile)] });
const h2Fetch = ((url: string, init?: RequestInit) => fetch(url, { ...init, client } as RequestInit)) as typeof fetch;

const suite = conformanceSuite(deno, {
  h1: { baseUrl: config.h1 },
  h2: { baseUrl: config.h2tls, fetch: h2Fetch },
  wt: config.wt,
  ws: config.ws,
  java: { baseUrl: config.java },
  go: { baseUrl: config.go },
  gateways: config.gateways,
});
const result = await suite.run("deno", `Deno ${Deno.version.deno}`, config.filter ? { filter: config.filter } : {});
client.close();
console.log(RESULT_MARKER + JSON.stringify(result));
