import { describe, expect, it } from "vitest";
import { Code, TripleError, createFetchTransport } from "triple-es";
import { createObserverClient } from "triple-es/observer";
import { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { baseUrl, h2Fetch, type Listener } from "./clients.js";
import { observerBidiBoth, observerClientStream, observerServerStreamManual } from "./flow-control-scenarios.js";

const transportFor = (listener: Listener) =>
  createFetchTransport({ baseUrl: baseUrl(listener), ...(listener === "h2" ? { fetch: h2Fetch() } : {}) });

describe.each(["h1", "h2"] as Listener[])("the backpressure document's client examples over %s", (listener) => {
  it("client stream with setOnReadyHandler in beforeStart (50 × 1 KiB)", async () => {
    const lines: string[] = [];
    const res = await observerClientStream(transportFor(listener), (l) => lines.push(l));
    expect(res.count).toBe(50);
    expect(lines).toEqual(["Server received: 50 chunks"]);
  });

  it("server stream with disableAutoRequestWithInitial(5) + request(1) per onNext (30 messages)", async () => {
    const r = await observerServerStreamManual(transportFor(listener));
    expect(r.receivedCount).toBe(30);
  });
});

describe("bidi with both (send onReady loop + manual receive credits)", () => {
  it("over h2: 50 × 1 KiB echoed, never beyond the credits", async () => {
    const r = await observerBidiBoth(transportFor("h2"));
    expect(r.receivedCount).toBe(50);
  });

  it("over h1: onError with Unimplemented", async () => {
    const err = await observerBidiBoth(transportFor("h1")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.Unimplemented);
  });
});

describe("observer methods", () => {
  it("unary: onNext then onCompleted", async () => {
    const service = createObserverClient(InteropService, transportFor("h1"));
    const events: string[] = [];
    await new Promise<void>((resolve) =>
      service.unary(
        { text: "hi" },
        {
          onNext: (r) => events.push(`next ${r.text}`),
          onError: (e) => (events.push(`error ${e.code}`), resolve()),
          onCompleted: () => (events.push("completed"), resolve()),
        },
      ),
    );
    expect(events).toEqual(["next hi", "completed"]);
  });

  it("a server error reaches onError with its code, after the messages before it", async () => {
    const service = createObserverClient(InteropService, transportFor("h2"));
    const seqs: number[] = [];
    const err = await new Promise<TripleError>((resolve, reject) =>
      service.serverStream(
        { count: 5, errorAfter: 2, error: { code: Code.DataLoss, message: "gone" } },
        { onNext: (r) => seqs.push(r.seq), onError: resolve, onCompleted: () => reject(new Error("completed")) },
      ),
    );
    expect(seqs).toEqual([0, 1]);
    expect(err.code).toBe(Code.DataLoss);
  });
});
