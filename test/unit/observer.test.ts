// The StreamObserver API's Java semantics, against a scripted transport.
import { describe, expect, it, vi } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, TripleError, type HttpRequest, type HttpResponse, type Transport } from "triple-es";
import { encodeEnvelope } from "triple-es/internal";
import { createObserverClient, type ClientCallStreamObserver, type StreamObserver } from "triple-es/observer";
import { resolveTransportConfig } from "../../src/transport/config.js";
import { InteropService, ServerStreamResponseSchema } from "../gen/triple/interop/v1/interop_pb.js";

const END_OK = encodeEnvelope(2, new TextEncoder().encode("{}"));

/**
 * Lets every pending promise chain of an in-memory exchange run to quiescence: a few turns of the
 * event loop, with no timer and no clock. Only for fakes without I/O, where that is exact.
 */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

function transport(roundTrip: (req: HttpRequest) => Promise<HttpResponse>): Transport {
  return { ...resolveTransportConfig({ baseUrl: "http://fake.test" }), roundTrip, requestStreaming: "half-duplex" };
}

/** Answers every call with `n` ServerStreamResponse messages (after reading the whole request). */
function replying(n: number) {
  return transport(async (req) => {
    if (req.body instanceof ReadableStream) {
      const reader = req.body.getReader();
      while (!(await reader.read()).done);
    }
    const chunks = Array.from({ length: n }, (_, seq) =>
      encodeEnvelope(0, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq }))),
    );
    chunks.push(END_OK);
    let i = 0;
    return {
      status: 200,
      headers: new Headers({ "content-type": "application/connect+proto" }),
      body: new ReadableStream<Uint8Array>({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++]!) : c.close()) }),
    };
  });
}

function collector<T>() {
  const events: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const observer: StreamObserver<T> = {
    onNext: () => events.push("next"),
    onError: (e) => {
      events.push(`error ${e.code}`);
      done();
    },
    onCompleted: () => {
      events.push("completed");
      done();
    },
  };
  return { events, finished, observer };
}

describe("observer API", () => {
  it("configuration is accepted only in beforeStart", async () => {
    const service = createObserverClient(InteropService, replying(1));
    const c = collector();
    let requestStream!: ClientCallStreamObserver<unknown>;
    service.serverStream({}, { ...c.observer, beforeStart: (s) => (requestStream = s) });
    expect(() => requestStream.setOnReadyHandler(() => {})).toThrow(TripleError);
    expect(() => requestStream.disableAutoRequestWithInitial(1)).toThrow(/beforeStart/);
    expect(() => requestStream.disableAutoFlowControl()).toThrow(/beforeStart/);
    await c.finished;
  });

  it("onNext and onCompleted cannot be called in beforeStart", async () => {
    const service = createObserverClient(InteropService, replying(0));
    const c = collector();
    let thrown: unknown;
    service.bidiStream({
      ...c.observer,
      beforeStart(requestStream) {
        try {
          requestStream.onNext({ seq: 1 });
        } catch (e) {
          thrown = e;
        }
      },
    });
    expect(thrown).toBeInstanceOf(TripleError);
    expect((thrown as TripleError).code).toBe(Code.FailedPrecondition);
  });

  it("the onReady handler runs once when the call starts, and the request observer is the same stream", async () => {
    const service = createObserverClient(InteropService, replying(0));
    const c = collector();
    let runs = 0;
    let inBeforeStart: ClientCallStreamObserver<unknown> | undefined;
    const requestObserver = service.clientStream({
      ...c.observer,
      beforeStart(requestStream) {
        inBeforeStart = requestStream;
        requestStream.setOnReadyHandler(() => {
          runs++;
          requestStream.onCompleted();
        });
      },
    });
    expect(requestObserver).toBe(inBeforeStart);
    expect(runs).toBe(0); // not before start, not synchronously
    await c.finished;
    expect(runs).toBe(1);
  });

  it("disableAutoRequestWithInitial(n): n delivered, then one per request(1)", async () => {
    const service = createObserverClient(InteropService, replying(10));
    const c = collector();
    let stream!: ClientCallStreamObserver<unknown>;
    let seen = 0;
    service.serverStream(
      { count: 10 },
      {
        ...c.observer,
        beforeStart(requestStream) {
          stream = requestStream;
          requestStream.disableAutoRequestWithInitial(3);
        },
        onNext() {
          seen++;
        },
      },
    );
    await vi.waitFor(() => expect(seen).toBe(3));
    await settle();
    expect(seen).toBe(3);
    stream.request(2);
    await vi.waitFor(() => expect(seen).toBe(5));
    await settle();
    expect(seen).toBe(5);
    stream.request(5);
    await c.finished;
    expect(seen).toBe(10);
    expect(c.events).toEqual(["completed"]);
  });

  it("an onNext that throws cancels the call and reaches onError as Canceled", async () => {
    const service = createObserverClient(InteropService, replying(5));
    const c = collector();
    service.serverStream(
      {},
      {
        ...c.observer,
        onNext() {
          throw new Error("consumer bug");
        },
      },
    );
    await c.finished;
    expect(c.events).toEqual([`error ${Code.Canceled}`]);
  });

  it("cancel() on the request stream reaches onError as Canceled", async () => {
    const hang = transport(
      (req) => new Promise((_, reject) => req.signal.addEventListener("abort", () => reject(req.signal.reason))),
    );
    const service = createObserverClient(InteropService, hang);
    const c = collector();
    const requestStream = service.bidiStream(c.observer);
    requestStream.cancel("user gave up");
    await c.finished;
    expect(c.events).toEqual([`error ${Code.Canceled}`]);
  });
});
