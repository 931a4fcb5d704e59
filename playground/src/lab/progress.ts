// Polls the server's side of a lab stream (BackpressureService.GetProgress) on its own connection.

import type { Transport } from "triple-es";
import type { Progress } from "../../gen/ts/playground/v1/backpressure_pb.js";
import { createBackpressureServiceClient } from "../../gen/ts/playground/v1/backpressure_triple.js";

export class ProgressPoller {
  private readonly client;
  private inFlight = false;
  latest: Progress | undefined;

  constructor(transport: Transport, private readonly streamId: string) {
    this.client = createBackpressureServiceClient(transport);
  }

  /** Starts one poll unless one is still running; `latest` holds the newest answer. */
  poll(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    this.client
      .getProgress({ streamId: this.streamId }, { timeoutMs: 2000 })
      .then((p) => {
        if (p.known) this.latest = p;
      })
      .catch(() => {})
      .finally(() => (this.inFlight = false));
  }

  /** One last, awaited poll (for the final numbers). */
  async final(): Promise<Progress | undefined> {
    try {
      const p = await this.client.getProgress({ streamId: this.streamId }, { timeoutMs: 2000 });
      if (p.known) this.latest = p;
    } catch {
      // keep the last known numbers
    }
    return this.latest;
  }
}
