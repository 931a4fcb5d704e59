// Opens one of this folder's test pages in a browser engine from a Node test: bundle the page,
// serve it (with the Java proxy), launch the engine, pass the configuration in the URL's hash,
// and read back the JSON the page publishes.

import { repoRoot } from "../runner.js";
import { bundlePage, servePage } from "./page-server.js";
import type { EngineSession } from "./session.js";

export interface PageRun {
  /** The page's entry point, relative to this folder, e.g. "conformance-page.ts". */
  readonly entry: string;
  /** The configuration, given the engine's version (the page reads it from `location.hash`). */
  readonly config: (version: string) => unknown;
  /** Where the page server forwards JAVA_PROXY_PATH/*. */
  readonly javaUrl: string;
  /** Only catches a page that hangs. */
  readonly timeoutMs: number;
}

/** Runs the page in the engine that `launch` starts and returns what it published, parsed; stops everything. */
export async function runPageIn(engine: string, launch: () => Promise<EngineSession>, run: PageRun): Promise<unknown> {
  const script = await bundlePage(`${repoRoot}/test/runtimes/engines/${run.entry}`);
  const server = await servePage(script, run.javaUrl);
  try {
    const session = await launch();
    try {
      const hash = encodeURIComponent(JSON.stringify(run.config(session.version)));
      const text = await session.runPage(`${server.url}#${hash}`, run.timeoutMs);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`${engine} returned no JSON: ${text}\n${session.log()}`);
      }
      if (typeof value === "object" && value !== null && "pageError" in value) {
        throw new Error(`${engine}: the page failed: ${String(value.pageError)}\n${session.log()}`);
      }
      return value;
    } finally {
      await session.close();
    }
  } finally {
    await server.close();
  }
}
