// A mock of the interop service shared by the in-memory and msw tests: every call kind, errors with
// metadata and details, headers and trailers, and counters the flow-control tests read.

import { Code, TripleError } from "triple-es";
import { delay, errorDetail, type ServiceImpl } from "triple-es/testing";
import { ErrorDetailSchema, InteropService } from "../../gen/triple/interop/v1/interop_pb.js";

/** What the handlers did, as a test can check it. */
export interface Probe {
  /** Server-stream / bidi responses the handler produced (resumed for). */
  produced: number;
  /** Client-stream / bidi requests the handler read. */
  consumed: number;
  /** The handler's signal fired, with this reason. */
  aborted: TripleError | undefined;
  /** Resolves the first time the handler's signal fires. */
  abortedOnce: Promise<TripleError>;
  /** The request headers the last call carried. */
  requestHeader: Headers | undefined;
  markAborted(reason: TripleError): void;
}

export function newProbe(): Probe {
  let resolve!: (e: TripleError) => void;
  const abortedOnce = new Promise<TripleError>((r) => (resolve = r));
  const probe: Probe = {
    produced: 0,
    consumed: 0,
    aborted: undefined,
    abortedOnce,
    requestHeader: undefined,
    markAborted(reason) {
      probe.aborted ??= reason;
      resolve(reason);
    },
  };
  return probe;
}

function watch(probe: Probe, signal: AbortSignal): void {
  signal.addEventListener("abort", () => probe.markAborted(signal.reason as TripleError), { once: true });
}

function failWith(spec: { code: number; message: string; metadata: Record<string, string>; detailReason: string }): TripleError {
  return new TripleError(spec.message, spec.code as Code, {
    metadata: spec.metadata,
    details: spec.detailReason === "" ? [] : [errorDetail(ErrorDetailSchema, { reason: spec.detailReason, retryAfterMs: 250 })],
  });
}

/** The handlers; `x-echo-*` request headers come back as headers and trailers, as the real peer does. */
export function interopImpl(probe: Probe): ServiceImpl<typeof InteropService> {
  const echo = (ctx: { requestHeader: Headers; responseHeader: Headers; responseTrailer: Headers }) => {
    probe.requestHeader = ctx.requestHeader;
    ctx.requestHeader.forEach((value, name) => {
      if (name.startsWith("x-echo-")) {
        ctx.responseHeader.set(name, value);
        ctx.responseTrailer.set(name, value);
      }
    });
  };
  return {
    async unary(req, ctx) {
      echo(ctx);
      watch(probe, ctx.signal);
      if (req.delayMs > 0) await delay(req.delayMs, ctx.signal);
      if (req.error) throw failWith(req.error);
      return { text: req.text, payload: req.payload, servedBy: "mock", timeoutMs: ctx.timeoutMs ?? 0 };
    },
    async *serverStream(req, ctx) {
      echo(ctx);
      watch(probe, ctx.signal);
      for (let seq = 0; seq < req.count; seq++) {
        if (req.error && seq === req.errorAfter) throw failWith(req.error);
        if (seq > 0 && req.delayMs > 0) await delay(req.delayMs, ctx.signal);
        probe.produced++;
        yield { seq, payload: new Uint8Array(req.size) };
      }
      if (req.error) throw failWith(req.error);
    },
    async clientStream(requests, ctx) {
      echo(ctx);
      watch(probe, ctx.signal);
      let count = 0;
      let bytes = 0n;
      let firstSeq = 0;
      let lastSeq = 0;
      let inOrder = true;
      for await (const m of requests) {
        probe.consumed++;
        if (count === 0) firstSeq = m.seq;
        else if (m.seq !== lastSeq + 1) inOrder = false;
        lastSeq = m.seq;
        count++;
        bytes += BigInt(m.payload.byteLength);
        if (m.error) throw failWith(m.error);
        if (m.holdId !== "") await new Promise(() => {}); // never reads on: the client's queue fills
      }
      return { count, bytes, firstSeq, lastSeq, inOrder };
    },
    async *bidiStream(requests, ctx) {
      echo(ctx);
      watch(probe, ctx.signal);
      for await (const m of requests) {
        probe.consumed++;
        if (m.error) throw failWith(m.error);
        if (m.delayMs > 0) await delay(m.delayMs, ctx.signal);
        probe.produced++;
        yield { seq: m.seq, payload: m.payload };
      }
    },
  };
}
