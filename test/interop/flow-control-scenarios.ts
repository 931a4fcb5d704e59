// Streaming and flow-control scenarios against the real dubbo-js interop server, written once for
// every runtime: they use only web APIs, "triple-es", "triple-es/observer" and the generated
// interop code (no node:*, no vitest), take the client (and whatever they need from the runner)
// as arguments, throw on a broken rule, and return what they measured so each runner can
// assert on it and print it. The Node runner is test/interop/*.test.ts; Chromium and Deno
// runners import the same functions with their own transports.

import { Code, TripleError, type Client, type ClientStreamCall, type Transport } from "triple-es";
import { createObserverClient, type ClientCallStreamObserver, type ClientResponseObserver } from "triple-es/observer";
import type { MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import {
  InteropService,
  type BidiRequestSchema,
  type BidiResponseSchema,
  type ClientStreamRequestSchema,
  type ClientStreamResponseSchema,
  type ServerStreamRequestSchema,
  type ServerStreamResponseSchema,
  type StreamStatsResponseSchema,
} from "../gen/triple/interop/v1/interop_pb.js";

export type InteropClient = Client<typeof InteropService>;

/** A broken rule: scenarios throw these; runners let them fail the test. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let idCounter = 0;
/** A stream id unique in this run (the server keys its statistics by it). */
export function uniqueId(name: string): string {
  return `${name}-${Date.now().toString(36)}-${(idCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls the server's record of a stream until its producer count stops moving; returns it. */
export async function settledStats(client: InteropClient, streamId: string, rounds = 40, everyMs = 100) {
  let last = await client.getStreamStats({ streamId });
  for (let i = 0; i < rounds; i++) {
    await pause(everyMs);
    const now = await client.getStreamStats({ streamId });
    if (now.produced === last.produced && now.consumed === last.consumed && now.cancelled === last.cancelled) return now;
    last = now;
  }
  return last;
}

/** Polls the server's record of a stream until `until` holds (or gives up and returns the last). */
export async function statsWhen(
  client: InteropClient,
  streamId: string,
  until: (s: MessageShape<typeof StreamStatsResponseSchema>) => boolean,
  rounds = 100,
) {
  let s = await client.getStreamStats({ streamId });
  for (let i = 0; i < rounds && !until(s); i++) {
    await pause(50);
    s = await client.getStreamStats({ streamId });
  }
  return s;
}

// -------------------------------------------------------------------------------------------
// Request bodies, observed on the wire.

/** Counts what a fetch's streaming request body hands to the network. */
export interface BodyTap {
  /** Chunks and bytes of every streaming body sent through this fetch so far. */
  chunks: number;
  bytes: number;
  /** Streaming bodies seen. */
  bodies: number;
  /** Settles when the last streaming body ended: "closed", or "errored" / "cancelled" with the reason. */
  lastEnd: Promise<{ how: "closed" | "errored" | "cancelled"; reason?: unknown }>;
}

/**
 * Wraps a fetch so that streaming request bodies are counted chunk by chunk as the network takes
 * them. The wrapper has a high-water mark of 0, so it adds no buffering of its own.
 */
export function tapFetch(inner: typeof fetch): { fetch: typeof fetch; tap: BodyTap } {
  const tap: BodyTap = { chunks: 0, bytes: 0, bodies: 0, lastEnd: new Promise(() => {}) };
  const wrapped = ((input: RequestInfo | URL, init?: RequestInit) => {
    const body = init?.body;
    if (!(body instanceof ReadableStream)) return inner(input, init);
    tap.bodies++;
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    let settle!: (v: { how: "closed" | "errored" | "cancelled"; reason?: unknown }) => void;
    tap.lastEnd = new Promise((r) => (settle = r));
    // How the SDK's body ended, also when the fetch stops pulling without cancelling (undici 7
    // over HTTP/2 leaves an aborted request's body so): the first way it ended is kept.
    reader.closed.then(
      () => settle({ how: "closed" }),
      (e: unknown) => settle({ how: "errored", reason: e }),
    );
    const counted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const r = await reader.read();
            if (r.done) {
              settle({ how: "closed" });
              controller.close();
              return;
            }
            tap.chunks++;
            tap.bytes += r.value.byteLength;
            controller.enqueue(r.value);
          } catch (e) {
            settle({ how: "errored", reason: e });
            controller.error(e);
          }
        },
        cancel(reason) {
          settle({ how: "cancelled", reason });
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return inner(input, { ...init, body: counted } as RequestInit);
  }) as typeof fetch;
  return { fetch: wrapped, tap };
}

// -------------------------------------------------------------------------------------------
// Client streaming.

type UploadCall = ClientStreamCall<typeof ClientStreamRequestSchema, typeof ClientStreamResponseSchema>;

/**
 * Uploads `count` sequence-numbered messages with the call API ("if not ready, await ready; send")
 * and checks that the server got all of them, in order, no duplicates.
 */
export async function uploadSequence(client: InteropClient, count: number, payloadSize = 0) {
  const call = client.clientStream.open();
  const payload = new Uint8Array(payloadSize);
  for (let seq = 0; seq < count; seq++) {
    if (!call.isReady) await call.ready;
    void call.send({ seq, payload });
  }
  call.close();
  const res = await call.response;
  check(res.count === count, `server counted ${res.count} of ${count}`);
  check(res.inOrder, "server saw the messages out of order (or duplicated)");
  check(res.firstSeq === 0 && res.lastSeq === count - 1, `seq range ${res.firstSeq}..${res.lastSeq}`);
  return { response: res, requestMode: call.requestMode };
}

/** The same upload through the async-iterable form, fed by an async generator. */
export async function uploadSequenceIterable(client: InteropClient, count: number) {
  async function* requests() {
    for (let seq = 0; seq < count; seq++) yield { seq };
  }
  const res = await client.clientStream(requests());
  check(res.count === count && res.inOrder && res.lastSeq === count - 1, `iterable upload: ${res.count}, inOrder=${res.inOrder}`);
  return res;
}

/**
 * A server that stops reading after the first message (until released) and then reads slowly:
 * the client sends with the observer-style loop ("onReady: while isReady, send") and records the
 * queue. The hold is released only once the client saw `isReady` false, so the scenario does not
 * depend on timing. Checks: the queue never held more than the high-water mark plus one
 * message; readiness went false and came back (onReady fired again); all arrived in order.
 */
export async function slowReader(
  client: InteropClient,
  options: { count: number; size: number; highWaterMark: number; readDelayMs: number },
) {
  const { count, size, highWaterMark, readDelayMs } = options;
  const holdId = uniqueId("hold");
  const streamId = uniqueId("slow");
  const call: UploadCall = client.clientStream.open({ sendHighWaterMarkBytes: highWaterMark });
  const payload = new Uint8Array(size);
  let sent = 0;
  let maxQueued = 0;
  let onReadyRuns = 0;
  let notReadyTimes = 0;
  let released: Promise<unknown> | undefined;
  let messageBytes = 0;
  await new Promise<void>((resolve, reject) => {
    call.ready.catch(reject);
    call.onReady(() => {
      onReadyRuns++;
      while (call.isReady && sent < count) {
        const seq = sent++;
        void call.send({ seq, payload, streamId, holdId: seq === 0 ? holdId : "", readDelayMs: seq === 0 ? readDelayMs : 0 });
        if (messageBytes === 0) messageBytes = call.bufferedAmount;
        maxQueued = Math.max(maxQueued, call.bufferedAmount);
      }
      if (sent >= count) {
        call.close();
        resolve();
        return;
      }
      notReadyTimes++;
      // The queue is full: only now may the server start reading.
      released ??= client.releaseHold({ holdId });
    });
  });
  await released;
  const res = await call.response;
  check(res.count === count && res.inOrder, `slow reader got ${res.count} of ${count}, inOrder=${res.inOrder}`);
  // One message's envelope: what the first send queued (5-byte prefix + encoding), or an upper bound.
  const oneMessage = Math.max(messageBytes, size + 64);
  check(maxQueued <= highWaterMark + oneMessage, `queued ${maxQueued} bytes > high-water mark ${highWaterMark} + one message ${oneMessage}`);
  check(notReadyTimes >= 1, "isReady never went false");
  check(onReadyRuns >= 2, "onReady did not fire again after the queue drained");
  return { maxQueued, highWaterMark, oneMessage, onReadyRuns, notReadyTimes, count, size };
}

/**
 * Cancels an upload while the server holds its reading: pending sends reject with Canceled, the
 * queue is emptied, the request body stream ends (errored or cancelled), and the server's
 * handler sees the cancel.
 */
export async function cancelMidUpload(client: InteropClient, tap: BodyTap, options: { size: number; highWaterMark: number }) {
  const holdId = uniqueId("hold");
  const streamId = uniqueId("cancel");
  const call: UploadCall = client.clientStream.open({ sendHighWaterMarkBytes: options.highWaterMark });
  const payload = new Uint8Array(options.size);
  const sends: Promise<void>[] = [];
  let seq = 0;
  sends.push(call.send({ seq: seq++, payload, streamId, holdId }));
  // Fill until the transport stops taking bytes (the server is not reading).
  while (true) {
    if (call.isReady) {
      sends.push(call.send({ seq: seq++, payload }));
      continue;
    }
    const stillQueued = call.bufferedAmount;
    await Promise.race([call.ready, pause(300)]);
    if (!call.isReady && call.bufferedAmount === stillQueued) break;
  }
  // Some more that cannot be taken now.
  for (let i = 0; i < 3; i++) sends.push(call.send({ seq: seq++, payload }));
  const queuedBefore = call.bufferedAmount;
  const bodyEnd = tap.lastEnd;
  call.cancel();
  const outcomes = await Promise.allSettled(sends);
  const rejected = outcomes.filter((o) => o.status === "rejected") as PromiseRejectedResult[];
  check(rejected.length >= 3, `only ${rejected.length} sends rejected`);
  for (const r of rejected) {
    check(r.reason instanceof TripleError && r.reason.code === Code.Canceled, `a pending send rejected with ${String(r.reason)}`);
  }
  check(call.bufferedAmount === 0, `the queue still holds ${call.bufferedAmount} bytes`);
  const err = await call.response.then(
    () => undefined,
    (e: unknown) => e,
  );
  check(err instanceof TripleError && err.code === Code.Canceled, `the response failed with ${String(err)}`);
  const end = await bodyEnd;
  check(end.how !== "closed", "the request body ended normally after a cancel");
  // Over HTTP/2 the server sees the cancel at once (RST_STREAM). Over HTTP/1.1 the client closes
  // the connection, but TCP delivers that close only after the bytes already sent: a server that
  // is not reading sees it once it reads again. So the hold is released after the cancel.
  const seenBeforeRelease = (await statsWhen(client, streamId, (s) => s.cancelled, 10)).cancelled;
  await client.releaseHold({ holdId });
  const stats = await statsWhen(client, streamId, (s) => s.cancelled);
  check(stats.cancelled, "the server did not see the cancel");
  return { sent: seq, rejected: rejected.length, queuedBefore, bodyEnd: end.how, seenBeforeRelease, serverConsumed: stats.consumed };
}

/**
 * Sends `count` small messages in one synchronous burst ("while isReady, send") and returns how
 * many chunks the request body reached the network in.
 */
export async function batchedBurst(client: InteropClient, tap: BodyTap, count: number) {
  const before = tap.chunks;
  const call = client.clientStream.open();
  let seq = 0;
  while (seq < count) {
    if (!call.isReady) await call.ready;
    while (call.isReady && seq < count) void call.send({ seq: seq++ });
  }
  call.close();
  const res = await call.response;
  check(res.count === count && res.inOrder, "burst upload incomplete");
  return { messages: count, chunks: tap.chunks - before };
}

/** The same messages through the async-iterable form, one `await` per message. */
export async function batchedIterable(client: InteropClient, tap: BodyTap, count: number) {
  const before = tap.chunks;
  async function* requests() {
    for (let seq = 0; seq < count; seq++) yield { seq };
  }
  const res = await client.clientStream(requests());
  check(res.count === count && res.inOrder, "iterable upload incomplete");
  return { messages: count, chunks: tap.chunks - before };
}

// -------------------------------------------------------------------------------------------
// Bidi.

/** A bidi call that cannot work here fails with Unimplemented, naming HTTP/2 and WebTransport. */
export async function bidiRefused(client: InteropClient) {
  const call = client.bidiStream.open();
  void call.send({ seq: 0 });
  const err = await call.trailer.then(
    () => undefined,
    (e: unknown) => e,
  );
  check(err instanceof TripleError, `expected a TripleError, got ${String(err)}`);
  check(err.code === Code.Unimplemented, `expected Unimplemented, got ${err.message}`);
  check(/HTTP\/2/.test(err.message) && /WebTransport/.test(err.message), `the message names no way out: ${err.message}`);
  // The iterable form fails the same way.
  let iterErr: unknown;
  try {
    for await (const _ of client.bidiStream([{ seq: 0 }])) void _;
  } catch (e) {
    iterErr = e;
  }
  check(iterErr instanceof TripleError && iterErr.code === Code.Unimplemented, `iterable bidi: ${String(iterErr)}`);
  return err;
}

/**
 * Bidi echo in lockstep: send one, wait for its echo, send the next. Only a full-duplex transport
 * passes (each reply arrives while the request side is still open).
 */
export async function bidiLockstep(client: InteropClient, count: number) {
  const call = client.bidiStream.open();
  const reader = call.responses.getReader();
  for (let seq = 0; seq < count; seq++) {
    void call.send({ seq });
    const r = await reader.read();
    check(!r.done && r.value.seq === seq, `echo ${seq}: got ${r.done ? "end" : r.value.seq}`);
  }
  call.close();
  const end = await reader.read();
  check(end.done === true, "more responses than requests");
  await call.trailer;
  return { echoedBeforeClose: count };
}

/**
 * Bidi echo, pipelined with flow control on both sides: the sender loops "while isReady, send"
 * from onReady; the reader reads as it pleases. Checks every echo, in order.
 */
export async function bidiPipelined(client: InteropClient, count: number, payloadSize = 0) {
  const call = client.bidiStream.open();
  const payload = new Uint8Array(payloadSize);
  let sent = 0;
  let repliesBeforeClose = -1;
  let received = 0;
  call.onReady(() => {
    while (call.isReady && sent < count) void call.send({ seq: sent++, payload });
    if (sent >= count && repliesBeforeClose < 0) {
      repliesBeforeClose = received;
      call.close();
    }
  });
  const reader = call.responses.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    check(r.value.seq === received, `echo ${received}: got ${r.value.seq}`);
    received++;
  }
  await call.trailer;
  check(received === count, `received ${received} of ${count}`);
  return { received, repliesBeforeClose, maxQueued: (call as unknown as { maxBufferedAmount: number }).maxBufferedAmount };
}

// -------------------------------------------------------------------------------------------
// Manual receive credits.

/**
 * Server stream of `count` messages with `initialRequest` credits and `request(1)` per message.
 * Checks that no response is delivered beyond the credits granted (a read waits for a credit),
 * and measures how far the server's producer runs ahead of what was delivered.
 */
export async function manualCredits(
  client: InteropClient,
  options: { count: number; size: number; initialRequest: number; sampleEvery: number },
) {
  const { count, size, initialRequest } = options;
  const streamId = uniqueId("credits");
  const call = client.serverStream.open({ count, size, streamId }, { initialRequest });
  try {
    return await creditsRun(client, call, streamId, options);
  } finally {
    call.cancel("scenario over"); // a no-op when the call completed; stops it when a check failed
  }
}

async function creditsRun(
  client: InteropClient,
  call: ReturnType<InteropClient["serverStream"]["open"]>,
  streamId: string,
  options: { count: number; size: number; initialRequest: number; sampleEvery: number },
) {
  const { count, size, initialRequest, sampleEvery } = options;
  const reader = call.responses.getReader();
  let granted = initialRequest;
  let delivered = 0;
  const read = async () => {
    const r = await reader.read();
    if (!r.done) {
      delivered++;
      check(delivered <= granted, `delivered ${delivered} with only ${granted} granted`);
      check(r.value.seq === delivered - 1, `message ${delivered - 1} arrived as seq ${r.value.seq}`);
    }
    return r;
  };
  for (let i = 0; i < initialRequest; i++) await read();
  // No credit left: a read must wait, however long, and the producer must stop.
  let extra = false;
  const pending = read().then((r) => {
    extra = true;
    return r;
  });
  const paused = await settledStats(client, streamId);
  check(!extra, "a response was delivered without a credit");
  const leadWhilePaused = paused.produced - delivered;
  check(paused.produced < count, `the producer ran to the end (${paused.produced}) with ${granted} credits`);
  granted++;
  call.request(1);
  await pending;
  let maxLead = leadWhilePaused;
  for (;;) {
    granted++;
    call.request(1);
    const r = await read();
    if (r.done) break;
    if (delivered % sampleEvery === 0) {
      const s = await client.getStreamStats({ streamId });
      maxLead = Math.max(maxLead, s.produced - delivered);
    }
  }
  await call.trailer;
  check(delivered === count, `delivered ${delivered} of ${count}`);
  return { count, size, initialRequest, leadWhilePaused, maxLead, delivered, granted };
}

// -------------------------------------------------------------------------------------------
// The backpressure document's client examples (Dubbo 3.3.7, "Triple protocol backpressure"),
// translated line for line to the observer API.

type DataChunkIn = MessageInitShape<typeof ClientStreamRequestSchema>;
type StreamResponse = MessageShape<typeof ClientStreamResponseSchema>;

/** testClientStreamWithOnReadyHandler: 50 × 1 KiB through setOnReadyHandler in beforeStart. */
export async function observerClientStream(transport: Transport, log: (line: string) => void = () => {}) {
  const service = createObserverClient(InteropService, transport);
  const sendCount = 50;
  let latch!: () => void;
  const done = new Promise<void>((r) => (latch = r));
  let sent = 0;
  let sendCompleted = false;
  const data = new Uint8Array(1024);
  let received: StreamResponse | undefined;
  let failure: unknown;

  // Configure backpressure in beforeStart, before the stream starts.
  const responseObserver: ClientResponseObserver<DataChunkIn, StreamResponse> = {
    beforeStart(requestStream: ClientCallStreamObserver<DataChunkIn>) {
      // Disable automatic flow control to control sending by hand.
      requestStream.disableAutoFlowControl();

      // The onReadyHandler: called when the stream is ready.
      requestStream.setOnReadyHandler(() => {
        while (requestStream.isReady() && sent < sendCount && !sendCompleted) {
          const seq = sent++;
          requestStream.onNext({ seq, payload: data });
        }

        if (sent >= sendCount && !sendCompleted) {
          sendCompleted = true;
          requestStream.onCompleted();
        }
      });
    },

    onNext(response) {
      received = response;
      log(`Server received: ${response.count} chunks`);
    },

    onError(throwable) {
      failure = throwable;
      latch();
    },

    onCompleted() {
      latch();
    },
  };

  // Start the stream: beforeStart() is called inside.
  const requestObserver = service.clientStream(responseObserver);
  void requestObserver;

  await done;
  if (failure !== undefined) throw failure;
  check(received !== undefined && received.count === sendCount && received.inOrder, "client stream: server did not get all 50");
  check(received.bytes === BigInt(sendCount * 1024), `client stream: ${received.bytes} bytes`);
  return received;
}

type StreamRequest = MessageInitShape<typeof ServerStreamRequestSchema>;
type DataChunk = MessageShape<typeof ServerStreamResponseSchema>;

/** testServerStreamWithManualRequest: 30 messages, disableAutoRequestWithInitial(5), request(1) per onNext. */
export async function observerServerStreamManual(transport: Transport) {
  const service = createObserverClient(InteropService, transport);
  const requestCount = 30;
  const initialRequest = 5;
  let latch!: () => void;
  const done = new Promise<void>((r) => (latch = r));
  let receivedCount = 0;
  // Extra bookkeeping for the checks (not in the original): credits granted vs messages seen.
  let granted = initialRequest;
  let maxOverdraft = 0;
  let failure: unknown;

  const request: StreamRequest = { count: requestCount, size: 1024 };

  // Configure receive backpressure with a ClientResponseObserver.
  const responseObserver: ClientResponseObserver<StreamRequest, DataChunk> & {
    requestStream?: ClientCallStreamObserver<StreamRequest> | undefined;
  } = {
    // Keep the requestStream so that onNext can call request().
    requestStream: undefined,

    beforeStart(requestStream) {
      this.requestStream = requestStream;
      // Disable automatic requests and set the initial request count.
      requestStream.disableAutoRequestWithInitial(initialRequest);
    },

    onNext(chunk) {
      const count = ++receivedCount;
      maxOverdraft = Math.max(maxOverdraft, count - granted);
      check(chunk.seq === count - 1, `seq ${chunk.seq} at ${count}`);

      // Done with this message: ask for the next one. This is what paces the receiving.
      if (this.requestStream !== undefined) {
        granted++;
        this.requestStream.request(1);
      }
    },

    onError(throwable) {
      failure = throwable;
      latch();
    },

    onCompleted() {
      latch();
    },
  };

  // Start the stream.
  service.serverStream(request, responseObserver);

  await done;
  if (failure !== undefined) throw failure;
  check(receivedCount === requestCount, `server stream: ${receivedCount} of ${requestCount}`);
  check(maxOverdraft <= 0, `delivered ${maxOverdraft} beyond the credits`);
  return { receivedCount, granted };
}

type BidiIn = MessageInitShape<typeof BidiRequestSchema>;
type BidiOut = MessageShape<typeof BidiResponseSchema>;

/**
 * Bidi with both: the send side of the client-stream example and the receive side of the
 * server-stream example on one call (the document shows this combination on the server).
 */
export async function observerBidiBoth(transport: Transport, sendCount = 50) {
  const service = createObserverClient(InteropService, transport);
  const initialRequest = 5;
  let latch!: () => void;
  const done = new Promise<void>((r) => (latch = r));
  let sent = 0;
  let sendCompleted = false;
  let receivedCount = 0;
  let granted = initialRequest;
  let maxOverdraft = 0;
  let failure: unknown;
  const data = new Uint8Array(1024);

  const responseObserver: ClientResponseObserver<BidiIn, BidiOut> & { requestStream?: ClientCallStreamObserver<BidiIn> | undefined } = {
    requestStream: undefined,

    beforeStart(requestStream) {
      this.requestStream = requestStream;
      // === receive backpressure ===
      requestStream.disableAutoRequestWithInitial(initialRequest);
      // === send backpressure ===
      requestStream.setOnReadyHandler(() => {
        while (requestStream.isReady() && sent < sendCount && !sendCompleted) {
          const seq = sent++;
          requestStream.onNext({ seq, payload: data });
        }
        if (sent >= sendCount && !sendCompleted) {
          sendCompleted = true;
          requestStream.onCompleted();
        }
      });
    },

    onNext(chunk) {
      const count = ++receivedCount;
      maxOverdraft = Math.max(maxOverdraft, count - granted);
      check(chunk.seq === count - 1, `bidi echo ${chunk.seq} at ${count}`);
      if (this.requestStream !== undefined) {
        granted++;
        this.requestStream.request(1);
      }
    },

    onError(throwable) {
      failure = throwable;
      latch();
    },

    onCompleted() {
      latch();
    },
  };

  service.bidiStream(responseObserver);

  await done;
  if (failure !== undefined) throw failure;
  check(receivedCount === sendCount, `bidi: ${receivedCount} of ${sendCount}`);
  check(maxOverdraft <= 0, `bidi delivered ${maxOverdraft} beyond the credits`);
  return { sent, receivedCount };
}
