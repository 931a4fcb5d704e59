// The page that measures an engine's fetch read-ahead (test/runtimes/read-ahead.test.ts): for
// each route, a consumer reads 5 messages of a long server stream and stops; the page then
// follows the real server's producer (GetStreamStats) until it finishes the whole stream, which
// only happens if the engine reads everything ahead of the paused consumer.

import { createClient, createFetchTransport } from "triple-es";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { RESULT_GLOBAL } from "./session.js";

export interface ReadAheadRoute {
  readonly name: string;
  /** Where the stream is read from (the server, or the no-store proxy in front of it). */
  readonly url: string;
  /** Where the producer's count is read (the server itself). */
  readonly statsUrl: string;
}

export interface ReadAheadConfig {
  readonly routes: readonly ReadAheadRoute[];
  /** Messages of 64 KiB in each stream. */
  readonly count: number;
  /** Per route, only catches a producer that stops short: then the page reports how far it got. */
  readonly routeTimeoutMs: number;
}

export interface ReadAheadResult {
  readonly name: string;
  /** The response's Cache-Control header, as the page saw it. */
  readonly cacheControl: string | null;
  /** Messages the producer had sent when it finished (or when the route timed out). */
  readonly produced: number;
  readonly finished: boolean;
  /** Milliseconds from the pause until the producer finished. */
  readonly ms: number;
}

const PAUSED_AT = 5;

async function measure(route: ReadAheadRoute, config: ReadAheadConfig): Promise<ReadAheadResult> {
  const streamId = `read-ahead-${route.name}-${Math.random().toString(36).slice(2)}`;
  const client = createClient(InteropService, createFetchTransport({ baseUrl: route.url }));
  const stats = createClient(InteropService, createFetchTransport({ baseUrl: route.statsUrl }));
  let cacheControl: string | null = null;
  const it = client
    .serverStream({ count: config.count, size: 64 * 1024, streamId }, { onHeader: (h) => (cacheControl = h.get("cache-control")) })
    [Symbol.asyncIterator]();
  for (let i = 0; i < PAUSED_AT; i++) await it.next();
  const paused = Date.now();
  let s = await stats.getStreamStats({ streamId });
  while (!s.finished && Date.now() - paused < config.routeTimeoutMs) {
    await new Promise((r) => setTimeout(r, 100));
    s = await stats.getStreamStats({ streamId });
  }
  await it.return?.();
  return { name: route.name, cacheControl, produced: s.produced, finished: s.finished, ms: Date.now() - paused };
}

const config = JSON.parse(decodeURIComponent(location.hash.slice(1))) as ReadAheadConfig;
(globalThis as Record<string, unknown>)[RESULT_GLOBAL] = (async () => {
  const results: ReadAheadResult[] = [];
  for (const route of config.routes) results.push(await measure(route, config));
  return JSON.stringify(results);
})();
