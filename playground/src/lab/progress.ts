// Polls the server's side of a lab stream on its own connection: the playground server's
// BackpressureService.GetProgress, or the Java and Go servers' InteropService.GetStreamStats.

import type { Transport } from "triple-es";
import { createCamelInteropServiceClient } from "../../../test/gen/triple/interop/v1/interop_triple.js";
import { createBackpressureServiceClient } from "../../gen/ts/playground/v1/backpressure_triple.js";

/** What the server did with one stream, in the lab's terms. */
export interface ServerProgress {
  /** Messages the server handed to its transport (server stream). */
  produced: number;
  /** Messages the server read (client stream). */
  consumed: number;
  /** Whether the producer waits for the transport now; undefined when the server cannot tell. */
  producerWaiting: boolean | undefined;
}

/** One poll of a stream's progress; undefined while the server does not know the stream yet. */
export type ProgressSource = (streamId: string) => Promise<ServerProgress | undefined>;

const POLL_TIMEOUT_MS = 2000;

/** The playground's dubbo-js server: it also says when its producer waits (its isReady() is false). */
export function playgroundProgress(transport: Transport): ProgressSource {
  const client = createBackpressureServiceClient(transport);
  return async (streamId) => {
    const p = await client.getProgress({ streamId }, { timeoutMs: POLL_TIMEOUT_MS });
    return p.known ? { produced: Number(p.produced), consumed: Number(p.consumed), producerWaiting: p.producerWaiting } : undefined;
  };
}

/**
 * The Java and Go servers (test/peers/): CamelInteropService, the one both serve over plain HTTP.
 * They count what their producer handed on, not whether it waits.
 */
export function peerProgress(transport: Transport): ProgressSource {
  const client = createCamelInteropServiceClient(transport);
  return async (streamId) => {
    const s = await client.getStreamStats({ streamId }, { timeoutMs: POLL_TIMEOUT_MS });
    return s.known ? { produced: s.produced, consumed: s.consumed, producerWaiting: undefined } : undefined;
  };
}

export class ProgressPoller {
  private inFlight = false;
  latest: ServerProgress | undefined;

  constructor(private readonly source: ProgressSource, private readonly streamId: string) {}

  /** Starts one poll unless one is still running; `latest` holds the newest answer. */
  poll(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    this.source(this.streamId)
      .then((p) => {
        if (p) this.latest = p;
      })
      .catch(() => {})
      .finally(() => (this.inFlight = false));
  }

  /** One last, awaited poll (for the final numbers). */
  async final(): Promise<ServerProgress | undefined> {
    try {
      const p = await this.source(this.streamId);
      if (p) this.latest = p;
    } catch {
      // keep the last known numbers
    }
    return this.latest;
  }
}
