// vitest globalSetup: starts the real Dubbo Java 3.3.6 peer (test/peers/java) once per run and
// provides its URL; also sets JAVA_PEER_URL for the browser projects' same-origin proxy
// (test/setup/java-proxy.ts), which runs in this process.
//
//   // in a test:  import { inject } from "vitest"; const { url } = inject("java");
//
// Needs `npm run peers` once (builds test/peers/java with Maven).

import type { TestProject } from "vitest/node";

import { type JavaServerInfo, startJavaServer } from "./java-server.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startJavaServer();
  process.env.JAVA_PEER_URL = server.url;
  project.provide("java", { url: server.url });
  return async function teardown() {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The Dubbo Java peer server started by test/setup/global-java.ts. */
    java: JavaServerInfo;
  }
}
