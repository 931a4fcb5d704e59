// Shared by the WebTransport browser tests: a transport to the gateway of
// test/webtransport/global-gateway.ts, the generated interop client, small helpers.

import { inject } from "vitest";
import { createWebTransportTransport, type TripleError, type Transport, type WebTransportTransport, type WebTransportTransportOptions } from "triple-es";
import { createInteropServiceClient, type InteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { caught } from "../../support/caught.js";

export { caught };

export function gatewayTransport(options: Partial<WebTransportTransportOptions> = {}): WebTransportTransport {
  const g = inject("wtGateway");
  return createWebTransportTransport({
    url: g.url,
    serverCertificateHashes: [{ algorithm: "sha-256", value: g.certSha256 }],
    ...options,
  });
}

export function interop(transport: Transport): InteropServiceClient {
  return createInteropServiceClient(transport);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counter = 0;
export const uniqueId = (name: string) => `wt-${name}-${Date.now().toString(36)}-${counter++}-${Math.random().toString(36).slice(2, 7)}`;

/**
 * Aborts a long server stream after its third message; resolves with the call's error and whether
 * the server's handler saw the cancel (GetStreamStats, polled).
 */
export async function cancelAfterThree(client: InteropServiceClient, name: string): Promise<{ error: TripleError; seenByServer: boolean }> {
  const streamId = uniqueId(name);
  const ac = new AbortController();
  let n = 0;
  const error = await caught(
    (async () => {
      for await (const _ of client.serverStream({ count: 100_000, delayMs: 5, streamId }, { signal: ac.signal })) {
        if (++n === 3) ac.abort();
      }
    })(),
  );
  return { error, seenByServer: (await statsWhen(client, streamId, (s) => s.cancelled)).cancelled };
}

/** Polls GetStreamStats until `until` holds or ~30 s pass; returns the last answer. */
export async function statsWhen(
  client: InteropServiceClient,
  streamId: string,
  until: (s: Awaited<ReturnType<InteropServiceClient["getStreamStats"]>>) => boolean,
) {
  let s = await client.getStreamStats({ streamId });
  // Up to 30 s: only a hang is caught by this bound; the caller asserts the condition.
  for (let i = 0; i < 600 && !until(s); i++) {
    await sleep(50);
    s = await client.getStreamStats({ streamId });
  }
  return s;
}

/** Polls until the producer's count stops moving for `quietMs`; returns the stats. */
export async function settled(client: InteropServiceClient, streamId: string, quietMs = 300, maxMs = 10_000) {
  const t0 = performance.now();
  let last = await client.getStreamStats({ streamId });
  let since = performance.now();
  while (performance.now() - t0 < maxMs) {
    await sleep(50);
    const now = await client.getStreamStats({ streamId });
    if (now.produced !== last.produced || now.consumed !== last.consumed) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) {
      return now;
    }
  }
  return last;
}
