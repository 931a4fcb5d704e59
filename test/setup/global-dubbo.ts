// vitest globalSetup: starts the real dubbo-js server once per run and provides its URLs.
//
//   // vitest.config.ts:  test: { globalSetup: ["test/setup/global-dubbo.ts"] }
//   // in a test:         import { inject } from "vitest"; const { h2c } = inject("dubbo");
//
// Needs `npm run peers` once (installs test/peers/dubbo and generates its code).

import type { TestProject } from "vitest/node";

import { type DubboServerInfo, startDubboServer } from "./dubbo-server.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDubboServer();
  const info: DubboServerInfo = {
    h1: server.h1,
    h2c: server.h2c,
    h2tls: server.h2tls,
    certFile: server.certFile,
    keyFile: server.keyFile,
    certSha256: server.certSha256,
  };
  project.provide("dubbo", info);
  return async function teardown() {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The dubbo-js peer server started by test/setup/global-dubbo.ts. */
    dubbo: DubboServerInfo;
  }
}
