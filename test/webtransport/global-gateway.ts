// vitest globalSetup of the "webtransport" project (after test/setup/global-dubbo.ts): starts the
// Deno gateway (gateway/main.ts, --dev-cert) in front of the dubbo-js server's HTTP/2 + TLS
// listener and provides its URL and certificate hash as `wtGateway`, its WebSocket downstream
// (--ws-port), plus a UDP port where nothing listens (`deadUrl`), for the "no gateway" fault.

import { createSocket } from "node:dgram";
import type { TestProject } from "vitest/node";

import { startGateway } from "../gateway/gateway-process.js";

export interface WtGatewayInfo {
  /** e.g. https://127.0.0.1:PORT/ */
  url: string;
  /** base64 SHA-256 of the gateway's development certificate, for serverCertificateHashes. */
  certSha256: string;
  /** The WebSocket downstream, ws://127.0.0.1:PORT/ */
  webSocketUrl: string;
  /** https://127.0.0.1:PORT/ on a UDP port that was free a moment ago: no gateway there. */
  deadUrl: string;
}

/** A UDP port on 127.0.0.1 that nobody uses (bound, then released). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dubbo = project.getProvidedContext().dubbo;
  const gateway = await startGateway(["--upstream", dubbo.h2tls, "--upstream-ca", dubbo.certFile, "--dev-cert", "--port", "0", "--ws-port", "0"], {
    logFile: `gateway-dubbo-${project.name}.log`,
  });
  project.provide("wtGateway", {
    url: gateway.url,
    certSha256: gateway.certSha256,
    webSocketUrl: gateway.webSocketUrl!,
    deadUrl: `https://127.0.0.1:${await freeUdpPort()}/`,
  });
  return async () => {
    if (process.env.GATEWAY_TEST_LOG === "2") console.error(gateway.stderr.join("\n"));
    await gateway.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** test/webtransport/global-gateway.ts: the gateway in front of the dubbo-js server. */
    wtGateway: WtGatewayInfo;
  }
}
