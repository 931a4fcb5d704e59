// Load over one WebTransport session: 100 concurrent bidi streams carrying 10,000 messages each
// way in total (nothing lost, duplicated or reordered), and 500 sequential calls (the gateway
// serves raw QUIC streams, so no stream-release problem stalls a long-lived session).

import { afterAll, describe, expect, it } from "vitest";
import { gatewayTransport, interop } from "./support.js";

describe("WebTransport load on one session", () => {
  const transport = gatewayTransport();
  const client = interop(transport);
  afterAll(() => transport.close());

  it("100 concurrent bidi streams, 100 messages each way per stream: all echoed, in order, once", async () => {
    const STREAMS = 100;
    const PER_STREAM = 100;
    await client.unary({}); // the session is open; time the streams alone
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: STREAMS }, async (_, stream) => {
        const call = client.bidiStream.open();
        const tag = Uint8Array.of(stream, stream >> 8);
        const sending = (async () => {
          for (let seq = 0; seq < PER_STREAM; seq++) {
            if (!call.isReady) await call.ready;
            void call.send({ seq, payload: tag });
          }
          call.close();
        })();
        const seqs: number[] = [];
        let foreign = 0;
        const reader = call.responses.getReader();
        for (let r; !(r = await reader.read()).done; ) {
          seqs.push(r.value.seq);
          if (r.value.payload[0] !== tag[0] || r.value.payload[1] !== tag[1]) foreign++;
        }
        await sending;
        await call.trailer;
        return { seqs, foreign };
      }),
    );
    const ms = performance.now() - t0;
    let received = 0;
    for (const r of results) {
      received += r.seqs.length;
      expect(r.foreign).toBe(0);
      expect(r.seqs).toEqual(Array.from({ length: PER_STREAM }, (_, i) => i));
    }
    expect(received).toBe(STREAMS * PER_STREAM);
    expect(transport.sessionsOpened).toBe(1);
    console.log(
      `[wt load] ${STREAMS} concurrent bidi streams on one session: ${STREAMS * PER_STREAM} messages each way in ${ms.toFixed(0)} ms ` +
        `(${((STREAMS * PER_STREAM * 2) / (ms / 1000)).toFixed(0)} messages/s)`,
    );
  }, 60_000);

  it("more concurrent calls than the gateway's stream limit (100) wait for stream credit instead of failing", async () => {
    const t0 = performance.now();
    const texts = await Promise.all(Array.from({ length: 150 }, (_, i) => client.unary({ text: `c${i}`, delayMs: 200 }).then((r) => r.text)));
    expect(texts).toEqual(Array.from({ length: 150 }, (_, i) => `c${i}`));
    expect(transport.sessionsOpened).toBe(1);
    console.log(`[wt credit] 150 concurrent 200 ms calls with 100 streams allowed: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it("500 sequential calls on one session (unary, with a server stream every 10th)", async () => {
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < 500; i++) {
      if (i % 10 === 9) {
        const seqs: number[] = [];
        for await (const m of client.serverStream({ count: 3 })) seqs.push(m.seq);
        if (seqs.join() === "0,1,2") ok++;
      } else if ((await client.unary({ text: `n${i}` })).text === `n${i}`) {
        ok++;
      }
    }
    const ms = performance.now() - t0;
    expect(ok).toBe(500);
    expect(transport.sessionsOpened).toBe(1);
    console.log(`[wt sequential] 500 calls on one session in ${ms.toFixed(0)} ms (${(ms / 500).toFixed(1)} ms per call)`);
  }, 60_000);
});
