import { describe, expect, it } from "vitest";
import { Code, TripleError } from "triple-es";
import { interopClient } from "./clients.js";
import { bidiLockstep, bidiPipelined, bidiRefused } from "./flow-control-scenarios.js";

describe("bidi over h1 (Node fetch)", () => {
  it("fails with Unimplemented naming HTTP/2 and WebTransport (the server answers 505)", async () => {
    const err = await bidiRefused(interopClient("h1"));
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.message).toMatch(/505/);
  });
});

describe("bidi over h2 (undici with allowH2: full duplex)", () => {
  it("echoes 10,000 messages in lockstep: each reply arrives before the next request is sent", async () => {
    const r = await bidiLockstep(interopClient("h2"), 10_000);
    expect(r.echoedBeforeClose).toBe(10_000);
  });

  it("echoes 10,000 messages pipelined, with the onReady send loop and pull-based responses", async () => {
    const r = await bidiPipelined(interopClient("h2"), 10_000, 256);
    console.log(`[bidi h2 pipelined] ${r.received} echoed, ${r.repliesBeforeClose} before the request side closed; send queue max ${r.maxQueued} bytes`);
    expect(r.received).toBe(10_000);
  });

  it("the async-iterable form echoes, and leaving the loop early cancels the call", async () => {
    const client = interopClient("h2");
    async function* requests() {
      for (let seq = 0; seq < 100; seq++) yield { seq };
    }
    const seen: number[] = [];
    for await (const r of client.bidiStream(requests())) seen.push(r.seq);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));

    let n = 0;
    async function* endless() {
      for (let seq = 0; ; seq++) yield { seq };
    }
    for await (const r of client.bidiStream(endless())) {
      expect(r.seq).toBe(n++);
      if (n === 10) break;
    }
    expect(n).toBe(10);
  });

  it("reports a server error after the responses before it", async () => {
    const client = interopClient("h2");
    const call = client.bidiStream.open();
    void call.send({ seq: 0 });
    void call.send({ seq: 1 });
    void call.send({ seq: 2, error: { code: Code.ResourceExhausted, message: "enough" } });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    expect((await reader.read()).value?.seq).toBe(1);
    const err = await reader.read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.ResourceExhausted);
    await expect(call.trailer).rejects.toMatchObject({ code: Code.ResourceExhausted });
    // Sending after the server ended fails, never silently.
    await expect(call.send({ seq: 3 })).rejects.toBeInstanceOf(TripleError);
  });
});
