import { describe, expect, it } from "vitest";
import { interopClient, type Listener } from "./clients.js";
import { manualCredits } from "./flow-control-scenarios.js";

const listeners: Listener[] = ["h1", "h2"];

describe.each(listeners)("manual receive credits over %s", (listener) => {
  it("server stream of 1,000 with initialRequest 5 then request(1) per message: never more delivered than granted; the producer's lead stays bounded", async () => {
    const r = await manualCredits(interopClient(listener), { count: 1000, size: 64 * 1024, initialRequest: 5, sampleEvery: 50 });
    console.log(
      `[credits ${listener}] ${r.count} × ${r.size / 1024} KiB, initialRequest ${r.initialRequest}: ` +
        `producer lead ${r.leadWhilePaused} messages (${((r.leadWhilePaused * r.size) / 1048576).toFixed(1)} MiB) while the consumer held its credits, ` +
        `max ${r.maxLead} sampled while streaming; delivered ${r.delivered} with ${r.granted} granted`,
    );
    expect(r.delivered).toBe(1000);
    expect(r.leadWhilePaused).toBeLessThan(r.count / 4);
  });
});
