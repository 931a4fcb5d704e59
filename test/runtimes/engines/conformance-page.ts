// The page that runs the conformance suite inside Firefox or WebKit (bundled by ./page-server.ts).
// Its configuration comes in the URL's hash as JSON; it publishes the SuiteResult, as JSON, as the
// promise globalThis[RESULT_GLOBAL] that the driver awaits.

import { firefox } from "../../conformance/capabilities/firefox.js";
import { webkit } from "../../conformance/capabilities/webkit.js";
import type { ServerGateway } from "../../conformance/gateway-servers.js";
import { conformanceSuite, type GatewayEndpoint, type WebSocketEndpoint } from "../../conformance/suite.js";
import { JAVA_PROXY_PATH } from "../../setup/java-proxy-path.js";
import { RESULT_GLOBAL } from "./session.js";

/** What the runner passes (test/runtimes/firefox.test.ts, webkit.test.ts). */
export interface ConformancePageConfig {
  readonly engine: "firefox" | "webkit";
  readonly version: string;
  readonly h1: string;
  readonly h2tls: string;
  readonly wt: GatewayEndpoint;
  readonly ws: WebSocketEndpoint;
  readonly go: string;
  readonly gateways: { readonly java: ServerGateway; readonly go: ServerGateway };
  readonly filter?: string;
}

const config = JSON.parse(decodeURIComponent(location.hash.slice(1))) as ConformancePageConfig;
const caps = { firefox, webkit }[config.engine];
const suite = conformanceSuite(caps, {
  h1: { baseUrl: config.h1 },
  h2: { baseUrl: config.h2tls },
  wt: config.wt,
  ws: config.ws,
  gateways: config.gateways,
  // Java answers no CORS preflight: the page reaches it on its own origin, through the page server.
  java: { baseUrl: `${location.origin}${JAVA_PROXY_PATH}` },
  go: { baseUrl: config.go },
});
(globalThis as Record<string, unknown>)[RESULT_GLOBAL] = suite
  .run(config.engine, config.version, config.filter !== undefined ? { filter: config.filter } : {})
  .then((r) => JSON.stringify(r));
