// Clients of the real dubbo-js server (test/setup/global-dubbo.ts) from a real Chromium page.
//
// The vitest page is served from its own origin (http://localhost:<vitest port>), so every call
// here is cross-origin: CORS preflights happen, and the server's permissive CORS headers
// (`access-control-expose-headers: *`) decide which response headers the client can see.

import { inject } from "vitest";
import { createFetchTransport, type FetchTransportOptions } from "triple-es";
import { createInteropServiceClient } from "../gen/triple/interop/v1/interop_triple.js";

/** "h1": plain http://127.0.0.1 (HTTP/1.1); "h2": https://127.0.0.1 (ALPN h2, self-signed cert). */
export type Listener = "h1" | "h2";
export const listeners: Listener[] = ["h1", "h2"];

export function baseUrl(listener: Listener): string {
  const dubbo = inject("dubbo");
  return listener === "h1" ? dubbo.h1 : dubbo.h2tls;
}

/** A client of the interop service over the page's own fetch (Chromium's network stack). */
export function interopClient(
  listener: Listener,
  options: Partial<FetchTransportOptions> = {},
  clientOptions: { version?: string; group?: string } = {},
) {
  return createInteropServiceClient(createFetchTransport({ baseUrl: baseUrl(listener), ...options }), clientOptions);
}

export function streamStats(listener: Listener, streamId: string) {
  return interopClient(listener).getStreamStats({ streamId });
}

/** Polls the server's record of a stream until `until` holds (or ~30 s pass: a hang-catcher); returns the last one. */
export async function waitForStats(
  listener: Listener,
  streamId: string,
  until: (s: Awaited<ReturnType<typeof streamStats>>) => boolean,
) {
  let stats = await streamStats(listener, streamId);
  for (let i = 0; i < 600 && !until(stats); i++) {
    await sleep(50);
    stats = await streamStats(listener, streamId);
  }
  return stats;
}

/**
 * The protocol Chromium used for the last request to `url` ("h2", "http/1.1"), from Resource
 * Timing; "" when the browser does not expose it for that cross-origin entry.
 */
export function nextHopProtocol(url: string): string {
  const entries = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
  const mine = entries.filter((e) => e.name.startsWith(url));
  return mine.at(-1)?.nextHopProtocol ?? "";
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let nextId = 0;
/** A stream id unique to this page load, for GetStreamStats. */
export const streamId = (name: string) => `browser-${name}-${Date.now().toString(36)}-${nextId++}`;
