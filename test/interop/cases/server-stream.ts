// Server streams against the real dubbo-js server, written once and run by Node (test/interop/)
// and by Chromium (test/browser/).
import { describe, expect, it } from "vitest";
import { Code, appendBinaryHeader, getBinaryHeader } from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { ErrorDetailSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { collect, failure, streamId, waitForStats, type InteropEnv } from "./env.js";
import { GROWING_DEADLINE_CASE_MS, withGrowingDeadline } from "../../support/growing-deadline.js";

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

export function serverStreamCases(env: InteropEnv): void {
  describe.each(env.listeners)(`server stream in ${env.runtime} over %s`, (listener) => {
    describe.each(formats)("%s", (_, format) => {
      const client = env.client(listener, format ? { format } : {});

      it("delivers every message in order", async () => {
        const msgs = await collect(client.serverStream({ count: 200, size: 100 }));
        expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
        expect(msgs.every((m) => m.payload.byteLength === 100 && m.payload[99] === 99)).toBe(true);
      });

      it("delivers the messages sent before an error, then the error with code, message, metadata and details", async () => {
        const received: { seq: number }[] = [];
        const err = await failure(
          client.serverStream({
            count: 10,
            errorAfter: 3,
            error: { code: Code.ResourceExhausted, message: "too much", metadata: { "x-m": "v" }, detailReason: "r" },
          }),
          received,
        );
        expect(received.map((m) => m.seq)).toEqual([0, 1, 2]);
        expect(err.code).toBe(Code.ResourceExhausted);
        expect(err.rawMessage).toBe("too much");
        expect(err.metadata.get("x-m")).toBe("v");
        expect(err.findDetails(ErrorDetailSchema)[0]?.reason).toBe("r");
      });

      it("delivers an error raised before the first message", async () => {
        const err = await failure(client.serverStream({ count: 5, errorAfter: 0, error: { code: Code.NotFound, message: "none" } }));
        expect(err.code).toBe(Code.NotFound);
        expect(err.rawMessage).toBe("none");
      });
    });

    const client = env.client(listener);

    it.each(Array.from({ length: 16 }, (_, i) => i + 1))("delivers status code %i mid-stream", async (code) => {
      const received: unknown[] = [];
      const err = await failure(client.serverStream({ count: 2, errorAfter: 1, error: { code, message: `c${code}` } }), received);
      expect(received).toHaveLength(1);
      expect(err.code).toBe(code);
      expect(err.rawMessage).toBe(`c${code}`);
    });

    it("returns response headers and trailers (end-stream metadata), including -bin values", async () => {
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      const headers = new Headers({ "x-echo-k": "v" });
      appendBinaryHeader(headers, "x-echo-b-bin", Uint8Array.of(0, 255, 7));
      await collect(client.serverStream({ count: 2 }, { headers, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) }));
      expect(header?.get("x-echo-k")).toBe("v");
      expect(header?.get("content-type")).toBe("application/connect+proto");
      expect(trailer?.get("x-echo-k")).toBe("v");
      expect(Array.from(getBinaryHeader(trailer!, "x-echo-b-bin")!)).toEqual([0, 255, 7]);
    });

    it("reads gzip-compressed messages (the server compresses those over 1 KiB)", async () => {
      const gz = env.client(listener, { compression: { accept: [gzip] } });
      let header: Headers | undefined;
      const msgs = await collect(gz.serverStream({ count: 20, size: 4096 }, { onHeader: (h) => (header = h) }));
      expect(header?.get("connect-content-encoding")).toBe("gzip");
      expect(msgs).toHaveLength(20);
      expect(msgs[19]!.payload[4095]).toBe(4095 & 0xff);
    });

    it("fails with DeadlineExceeded when the deadline passes mid-stream", async () => {
      // The first message at once, the second long after the deadline: mid-stream, one message
      // (the deadline grows from 2 s while a busy machine delivers nothing before it).
      const { err, received } = await withGrowingDeadline(async (timeoutMs) => {
        const got: unknown[] = [];
        const err = await failure(client.serverStream({ count: 2, delayMs: 60_000 }, { timeoutMs }), got);
        return { err, received: got.length };
      });
      expect(err.code).toBe(Code.DeadlineExceeded);
      expect(received).toBe(1);
    }, GROWING_DEADLINE_CASE_MS);

    it("ends as Canceled on abort mid-stream, and the server sees the cancel", async () => {
      const id = streamId(env, `abort-${listener}`);
      const ac = new AbortController();
      const received: unknown[] = [];
      const err = await failure(
        (async function* () {
          for await (const m of client.serverStream({ count: 1000, delayMs: 20, streamId: id }, { signal: ac.signal })) {
            if (received.length === 4) ac.abort();
            yield m;
          }
        })(),
        received,
      );
      expect(err.code).toBe(Code.Canceled);
      const stats = await waitForStats(env, listener, id, (s) => s.cancelled);
      expect(stats.cancelled).toBe(true);
      expect(stats.finished).toBe(false);
      // Stopped short of its 1,000 messages; how far short depends on how long the cancel took to
      // travel (a message every 20 ms meanwhile), so that is the bound.
      expect(stats.produced).toBeLessThan(1000);
    });

    it("cancels the call on the server when the loop breaks early", async () => {
      const id = streamId(env, `break-${listener}`);
      let n = 0;
      for await (const _ of client.serverStream({ count: 1000, delayMs: 10, streamId: id })) {
        if (++n === 3) break;
      }
      const stats = await waitForStats(env, listener, id, (s) => s.cancelled);
      expect(stats.cancelled).toBe(true);
      expect(stats.finished).toBe(false);
    });

    it("interceptors see the request headers and can transform the responses without breaking the pull", async () => {
      const seen: number[] = [];
      const ic = env.client(listener, {
        interceptors: [
          (next) => async (req) => {
            req.header.set("x-echo-intercepted", "yes");
            const res = await next(req);
            if (!res.stream) return res;
            res.messages = res.messages.pipeThrough(
              new TransformStream({
                transform(m, c) {
                  seen.push((m as unknown as { seq: number }).seq);
                  c.enqueue(m);
                },
              }),
            );
            return res;
          },
        ],
      });
      let trailer: Headers | undefined;
      const msgs = await collect(ic.serverStream({ count: 5 }, { onTrailer: (t) => (trailer = t) }));
      expect(msgs).toHaveLength(5);
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      expect(trailer?.get("x-echo-intercepted")).toBe("yes");
    });
  });
}
