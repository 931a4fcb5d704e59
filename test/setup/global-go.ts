// vitest globalSetup: starts the real dubbo-go peer (test/peers/go) once per run and provides its URL.
//
//   // in a test:  import { inject } from "vitest"; const { url } = inject("go");
//
// Needs `npm run peers` once (builds test/peers/go/bin/peer).

import type { TestProject } from "vitest/node";

import { type GoServerInfo, startGoServer } from "./go-server.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startGoServer();
  project.provide("go", { url: server.url });
  return async function teardown() {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The dubbo-go peer server started by test/setup/global-go.ts. */
    go: GoServerInfo;
  }
}
