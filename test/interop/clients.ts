import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { createFetchTransport, type FetchTransportOptions } from "triple-es";
// The clients come from our own generator (protoc-gen-triple-es), as users' clients do.
import { createInteropServiceClient } from "../gen/triple/interop/v1/interop_triple.js";
import { undiciH2 } from "../support/undici-h2.js";

/**
 * How the tests reach the real dubbo-js server: Node's global fetch over HTTP/1.1, or undici's
 * fetch with HTTP/2 enabled over TLS (Node's global fetch never negotiates h2 by itself).
 */
export type Listener = "h1" | "h2";

let h2: ReturnType<typeof undiciH2> | undefined;

/** A fetch that speaks HTTP/2 to the test server's h2+TLS listener, trusting its certificate. */
export function h2Fetch(): typeof globalThis.fetch {
  h2 ??= undiciH2(readFileSync(inject("dubbo").certFile));
  return h2.fetch;
}

/** The base URL of a listener. */
export function baseUrl(listener: Listener): string {
  const dubbo = inject("dubbo");
  return listener === "h1" ? dubbo.h1 : dubbo.h2tls;
}

/** A client of the interop service over the given listener. */
export function interopClient(
  listener: Listener,
  options: Partial<FetchTransportOptions> = {},
  clientOptions: { version?: string; group?: string } = {},
) {
  const transport = createFetchTransport({
    baseUrl: baseUrl(listener),
    ...(listener === "h2" ? { fetch: h2Fetch() } : {}),
    ...options,
  });
  return createInteropServiceClient(transport, clientOptions);
}

/** Polls the server's record of a stream until `until` holds or the time is up. */
export async function streamStats(listener: Listener, streamId: string) {
  return interopClient(listener).getStreamStats({ streamId });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
