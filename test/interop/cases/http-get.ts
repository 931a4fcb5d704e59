// httpGet (triple-es/http-get) against the real dubbo-js server, written once and run by Node
// (test/interop/http-get.test.ts) and by Chromium (test/browser/http-get.test.ts). The peer says
// which HTTP method reached it in `x-request-method` (test/peers/dubbo/server.ts).
import { describe, expect, it } from "vitest";
import { gzip } from "triple-es/gzip";
import { httpGet } from "triple-es/http-get";
import { json } from "triple-es/json";
import { collect, streamId, type InteropEnv } from "./env.js";

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

/** Calls `fn` with an onHeader option and returns its result and the method the server saw. */
async function seen<T>(fn: (opts: { onHeader(h: Headers): void }) => Promise<T>): Promise<{ result: T; method: string | null }> {
  let method: string | null = null;
  const result = await fn({ onHeader: (h) => (method = h.get("x-request-method")) });
  return { result, method };
}

export function httpGetCases(env: InteropEnv): void {
  describe.each(env.listeners)(`httpGet in ${env.runtime} over %s`, (listener) => {
    describe.each(formats)("%s", (_, format) => {
      const get = env.client(listener, { httpGet: httpGet(), ...(format ? { format } : {}) });

      it("sends a NO_SIDE_EFFECTS method as GET and reads the real answer", async () => {
        const id = streamId(env, `get-${listener}`);
        await collect(env.client(listener).serverStream({ count: 3, streamId: id }));
        const { result, method } = await seen((o) => get.getStreamStats({ streamId: id }, o));
        expect(method).toBe("GET");
        expect(result).toMatchObject({ known: true, produced: 3, finished: true });
      });

      it("keeps the text of the message through the URL (non-ASCII, URL syntax)", async () => {
        const id = streamId(env, `ü &=#?/+%-${listener}`);
        await collect(env.client(listener).serverStream({ count: 1, streamId: id }));
        const { result, method } = await seen((o) => get.getStreamStats({ streamId: id }, o));
        expect(method).toBe("GET");
        expect(result.known).toBe(true);
      });

      it("sends metadata and a deadline as headers on the GET", async () => {
        const { method } = await seen((o) =>
          get.getStreamStats({ streamId: "unknown" }, { ...o, timeoutMs: 5000, headers: { "x-echo-get": "yes" } }),
        );
        expect(method).toBe("GET");
        let echoed: string | null = null;
        await get.getStreamStats({}, { headers: { "x-echo-get": "yes" }, onHeader: (h) => (echoed = h.get("x-echo-get")) });
        expect(echoed).toBe("yes");
      });

      it("falls back to POST for a URL over the bound, and the call still succeeds", async () => {
        const long = `${streamId(env, "long")}-${"x".repeat(9000)}`;
        const { result, method } = await seen((o) => get.getStreamStats({ streamId: long }, o));
        expect(method).toBe("POST");
        expect(result.known).toBe(false);
      });

      it("keeps methods without the marking as POST", async () => {
        const { result, method } = await seen((o) => get.unary({ text: "post" }, o));
        expect(method).toBe("POST");
        expect(result.requestHeaders["content-type"]).toBe(format ? "application/json" : "application/proto");
      });

      it("sends a gzip-compressed message as base64 with compression=gzip", async () => {
        const id = streamId(env, `gz-${listener}`);
        await collect(env.client(listener).serverStream({ count: 2, streamId: id }));
        const gz = env.client(listener, {
          httpGet: httpGet(),
          compression: { send: gzip, minBytes: 0 },
          ...(format ? { format } : {}),
        });
        const { result, method } = await seen((o) => gz.getStreamStats({ streamId: id }, o));
        expect(method).toBe("GET");
        expect(result).toMatchObject({ known: true, produced: 2 });
      });

      it("gets no Cache-Control, ETag or Last-Modified from dubbo-js: a cache keeps nothing unless the server says so", async () => {
        let h = new Headers();
        await get.getStreamStats({}, { onHeader: (x) => (h = x) });
        expect(h.get("x-request-method")).toBe("GET");
        expect([h.get("cache-control"), h.get("etag"), h.get("last-modified"), h.get("expires")]).toEqual([null, null, null, null]);
      });
    });
  });
}
