// vitest globalSetup of the "node" and "chromium" projects (after test/setup/global-java.ts and
// global-go.ts): a gateway in front of each of the Dubbo Java and dubbo-go peers, speaking gRPC to
// them (--upstream-protocol grpc), with both downstream paths (WebTransport and --ws-port), for the
// conformance suite's server axis through the gateway (test/conformance/gateway-servers.ts).
// Provided as `serverGateways`.

import type { TestProject } from "vitest/node";

import type { ServerGateway } from "../conformance/gateway-servers.js";
import { startGateway } from "../gateway/gateway-process.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const context = project.getProvidedContext();
  const [java, go] = await Promise.all(
    (["java", "go"] as const).map((server) =>
      startGateway(["--upstream", context[server].url, "--upstream-protocol", "grpc", "--dev-cert", "--port", "0", "--ws-port", "0"], {
        logFile: `gateway-${server}-${project.name}.log`,
      }),
    ),
  );
  const info = (g: typeof java): ServerGateway => ({ url: g!.url, certSha256: g!.certSha256, webSocketUrl: g!.webSocketUrl! });
  project.provide("serverGateways", { java: info(java), go: info(go) });
  return async () => {
    await Promise.all([java!.stop(), go!.stop()]);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** test/webtransport/global-server-gateways.ts: gateways in front of the Java and Go peers. */
    serverGateways: { java: ServerGateway; go: ServerGateway };
  }
}
