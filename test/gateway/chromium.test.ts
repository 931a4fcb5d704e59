// Chromium smoke test: the browser's own WebTransport → the Deno gateway (--dev-cert, pinned by
// serverCertificateHashes) → the dubbo-js peer. Raw mapping-v1 frames written by hand in the page.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";

import { type GatewayChild, startGateway } from "./gateway-process.js";

const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

let browser: Browser;
let gateway: GatewayChild;
let page: Server;
let pageUrl: string;

beforeAll(async () => {
  const dubbo = inject("dubbo");
  gateway = await startGateway(["--upstream", dubbo.h2tls, "--upstream-ca", dubbo.certFile, "--dev-cert", "--port", "0"]);
  // A page on http://127.0.0.1 is a secure context, which WebTransport requires.
  page = createServer((_req, res) => res.end("<!doctype html><title>wt</title>"));
  await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
  pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await new Promise((r) => page?.close(r));
});

/** Runs in the page: hand-written mapping-v1 calls over the browser's WebTransport. */
async function inPage(args: { url: string; hash: string; badHash: string; deadUrl: string }) {
  const te = new TextEncoder();
  const td = new TextDecoder();
  const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const concat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const frame = (flags: number, bytes: Uint8Array) => {
    const out = new Uint8Array(5 + bytes.length);
    out[0] = flags;
    new DataView(out.buffer).setUint32(1, bytes.length);
    out.set(bytes, 5);
    return out;
  };
  const json = (flags: number, obj: unknown) => frame(flags, te.encode(JSON.stringify(obj)));
  const head = (method: string, ct: string) =>
    json(0, { v: 1, path: `/triple.interop.v1.InteropService/${method}`, headers: { "content-type": ct, "tri-protocol-version": "1.0.0" } });

  class Reader {
    r: ReadableStreamDefaultReader<Uint8Array>;
    buf = new Uint8Array(0);
    done = false;
    constructor(s: ReadableStream<Uint8Array>) {
      this.r = s.getReader();
    }
    async fill(n: number) {
      while (this.buf.length < n && !this.done) {
        const x = await this.r.read();
        if (x.done) this.done = true;
        else this.buf = concat(this.buf, x.value);
      }
      return this.buf.length >= n;
    }
    take(n: number) {
      const out = this.buf.slice(0, n);
      this.buf = this.buf.slice(n);
      return out;
    }
    async frame() {
      if (!(await this.fill(5))) return null;
      const len = new DataView(this.buf.buffer, this.buf.byteOffset).getUint32(1);
      await this.fill(5 + len);
      const f = this.take(5 + len);
      return { flags: f[0]!, json: () => JSON.parse(td.decode(f.subarray(5))) };
    }
    async rest() {
      while (!this.done) await this.fill(this.buf.length + 1);
      return td.decode(this.take(this.buf.length));
    }
  }

  /** Chromium implements the older constructor, WebTransportError({ message, streamErrorCode }). */
  const wtError = (message: string, streamErrorCode: number): Error => {
    const Ctor = WebTransportError as unknown as new (...a: unknown[]) => Error;
    try {
      return new Ctor(message, { streamErrorCode });
    } catch {
      return new Ctor({ message, streamErrorCode });
    }
  };

  const out: Record<string, unknown> = {};
  const wt = new WebTransport(args.url, { serverCertificateHashes: [{ algorithm: "sha-256", value: b64(args.hash) }] });
  await wt.ready;

  async function unary(obj: unknown) {
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    await w.write(concat(head("Unary", "application/json"), json(0, obj), json(2, {})));
    await w.close();
    const r = new Reader(s.readable);
    const h = (await r.frame())!.json();
    return { status: h.status as number, body: JSON.parse(await r.rest()) };
  }
  async function stats(streamId: string) {
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    await w.write(concat(head("GetStreamStats", "application/json"), json(0, { streamId })));
    await w.close();
    const r = new Reader(s.readable);
    await r.frame();
    return JSON.parse(await r.rest());
  }
  async function waitCancelled(streamId: string) {
    const t0 = performance.now();
    for (;;) {
      const s = await stats(streamId);
      if (s.cancelled || performance.now() - t0 > 30_000) return { cancelled: !!s.cancelled, ms: Math.round(performance.now() - t0) };
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  out.unary = await unary({ text: "from chromium" });

  // Server stream: 5 envelopes and the end-of-stream frame.
  {
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    await w.write(concat(head("ServerStream", "application/connect+json"), json(0, { count: 5 })));
    await w.close();
    const r = new Reader(s.readable);
    const h = (await r.frame())!.json();
    const flags: number[] = [];
    for (let f; (f = await r.frame());) flags.push(f.flags);
    out.serverStream = { status: h.status, flags };
  }

  // Full duplex: 200 messages, each sent after the previous reply.
  {
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    const r = new Reader(s.readable);
    const t0 = performance.now();
    await w.write(concat(head("BidiStream", "application/connect+json"), json(0, { seq: 0 })));
    await r.frame(); // head
    let ok = 0;
    for (let i = 0; i < 200; i++) {
      const f = (await r.frame())!;
      if ((f.json().seq ?? 0) === i) ok++;
      if (i < 199) await w.write(json(0, { seq: i + 1 }));
    }
    const ms = performance.now() - t0;
    await w.write(json(2, {}));
    await w.close();
    const end = (await r.frame())!;
    out.pingPong = { ok, ms: Math.round(ms), endFlags: end.flags, fin: (await r.frame()) === null };
  }

  // Cancel 1: bidi, the client resets its send side with code 1 (RESET_STREAM) and stops reading.
  {
    const id = `chromium-reset-${Math.random()}`;
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    const r = new Reader(s.readable);
    await w.write(concat(head("BidiStream", "application/connect+json"), json(0, { seq: 1, streamId: id })));
    await r.frame();
    await r.frame();
    await w.abort(wtError("cancel", 1));
    await r.r.cancel(wtError("cancel", 1));
    out.cancelReset = await waitCancelled(id);
  }

  // Cancel 2: server stream after the half-close, the client stops reading with code 4.
  {
    const id = `chromium-stop-${Math.random()}`;
    const s = await wt.createBidirectionalStream();
    const w = s.writable.getWriter();
    const r = new Reader(s.readable);
    await w.write(concat(head("ServerStream", "application/connect+json"), json(0, { count: 1000, delayMs: 20, streamId: id }), json(2, {})));
    await w.close();
    await r.frame();
    await r.frame();
    await r.r.cancel(wtError("deadline", 4));
    out.cancelStop = await waitCancelled(id);
  }

  // 500 sequential calls on one session.
  {
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < 500; i++) if ((await unary({ text: `n${i}` })).body.text === `n${i}`) ok++;
    out.sequential500 = { ok, ms: Math.round(performance.now() - t0) };
  }
  wt.close();

  // Faults seen by the browser: a wrong certificate hash, and no gateway at all.
  for (const [key, url, hash] of [["wrongHash", args.url, args.badHash], ["noGateway", args.deadUrl, args.hash]] as const) {
    const t0 = performance.now();
    try {
      const bad = new WebTransport(url, { serverCertificateHashes: [{ algorithm: "sha-256", value: b64(hash) }] });
      bad.closed.catch(() => {});
      await bad.ready;
      out[key] = "connected (unexpected)";
    } catch (e) {
      out[key] = `${(e as Error).name}: ${(e as Error).message} (${Math.round(performance.now() - t0)} ms)`;
    }
  }
  return out;
}

test("chromium: WebTransport through the gateway (unary, server stream, ping-pong, cancel, 500 calls)", async () => {
  const p = await browser.newPage();
  try {
    await p.goto(pageUrl);
    const badHash = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    const result = await p.evaluate(inPage, {
      url: gateway.url,
      hash: gateway.certSha256,
      badHash,
      deadUrl: "https://127.0.0.1:9/",
    });
    console.log(`chromium results: ${JSON.stringify(result)}`);
    expect(result.unary).toMatchObject({ status: 200, body: { text: "from chromium" } });
    expect(result.serverStream).toEqual({ status: 200, flags: [0, 0, 0, 0, 0, 2] });
    expect(result.pingPong).toMatchObject({ ok: 200, endFlags: 2, fin: true });
    expect(result.cancelReset).toMatchObject({ cancelled: true });
    expect(result.cancelStop).toMatchObject({ cancelled: true });
    expect(result.sequential500).toMatchObject({ ok: 500 });
    expect(String(result.wrongHash)).toMatch(/WebTransportError/);
    expect(String(result.noGateway)).toMatch(/WebTransportError/);
    // Chromium's stream error codes reach the gateway through the HTTP/3 code mapping.
    expect(gateway.stderr.some((l) => /canceled \(client reset the stream \(code 1\)\)/.test(l))).toBe(true);
    expect(gateway.stderr.some((l) => /canceled \(client stopped reading \(code 4\)\)/.test(l))).toBe(true);
  } finally {
    await p.close();
  }
}, 120_000);

test("chromium: gateway killed mid-stream (SIGKILL) and stopped mid-stream (SIGTERM)", async () => {
  const dubbo = inject("dubbo");
  const p = await browser.newPage();
  const results: Record<string, unknown> = {};
  try {
    await p.goto(pageUrl);
    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      const g = await startGateway(["--upstream", dubbo.h2tls, "--upstream-ca", dubbo.certFile, "--dev-cert", "--port", "0"]);
      // Open a slow server stream and read its head and first message.
      await p.evaluate(async ({ url, hash }) => {
        const te = new TextEncoder();
        const frame = (flags: number, obj: unknown) => {
          const b = te.encode(JSON.stringify(obj));
          const out = new Uint8Array(5 + b.length);
          out[0] = flags;
          new DataView(out.buffer).setUint32(1, b.length);
          out.set(b, 5);
          return out;
        };
        const wt = new WebTransport(url, { serverCertificateHashes: [{ algorithm: "sha-256", value: Uint8Array.from(atob(hash), (c) => c.charCodeAt(0)) }] });
        await wt.ready;
        const s = await wt.createBidirectionalStream();
        const w = s.writable.getWriter();
        await w.write(frame(0, { v: 1, path: "/triple.interop.v1.InteropService/ServerStream", headers: { "content-type": "application/connect+json" } }));
        await w.write(frame(0, { count: 1000, delayMs: 200 }));
        await w.close();
        const r = s.readable.getReader();
        await r.read();
        const g = globalThis as unknown as Record<string, unknown>;
        g.__wt = wt;
        g.__reader = r;
      }, { url: g.url, hash: g.certSha256 });
      const t0 = Date.now();
      const outcome = p.evaluate(async () => {
        const g = globalThis as unknown as { __reader: ReadableStreamDefaultReader<Uint8Array>; __wt: WebTransport };
        const t = performance.now();
        const tail: number[] = [];
        let how = "";
        try {
          for (;;) {
            const x = await g.__reader.read();
            if (x.done) {
              how = "FIN";
              break;
            }
            tail.push(...x.value);
          }
        } catch (e) {
          how = `${(e as Error).name}: ${(e as Error).message}`;
        }
        // the last frame, if it is an end-of-stream frame
        let end = "";
        for (let i = 0; i + 5 <= tail.length;) {
          const len = new DataView(Uint8Array.from(tail).buffer).getUint32(i + 1);
          if (tail[i] === 2) end = new TextDecoder().decode(Uint8Array.from(tail.slice(i + 5, i + 5 + len)));
          i += 5 + len;
        }
        const closed = await Promise.race([
          g.__wt.closed.then((i) => `closed ${JSON.stringify(i)}`, (e) => `closed with ${(e as Error).message}`),
          new Promise((r) => setTimeout(() => r("not closed"), 100)),
        ]);
        return { how, end, readMs: Math.round(performance.now() - t), closed };
      });
      await new Promise((r) => setTimeout(r, 100));
      await g.stop(signal);
      results[signal] = { ...(await outcome), sinceSignalMs: Date.now() - t0 };
    }
    console.log(`chromium gateway-stop results: ${JSON.stringify(results)}`);
    expect((results.SIGTERM as { end: string }).end).toMatch(/"code":"unavailable"/);
    expect((results.SIGKILL as { how: string }).how).toMatch(/Error/);
  } finally {
    await p.close();
  }
}, 120_000);
