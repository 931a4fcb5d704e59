// Faults a WebTransport client meets, each a TripleError with a code and a sentence that names the
// gateway's URL: no gateway, a wrong certificate hash, a gateway killed (SIGKILL: the session is
// lost after the QUIC idle timeout) or stopped (SIGTERM: calls end in-band) mid-stream; and the
// next call after each opens a new session by itself.

import { describe, expect, inject, it } from "vitest";
import { commands } from "vitest/browser";
import { Code, createWebTransportTransport } from "triple-es";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { caught, gatewayTransport, interop } from "./support.js";

/** A gateway of this test's own, on a certificate that survives restarts (the dubbo peer's: ECDSA P-256, 10 days). */
async function ownGateway(port = 0) {
  const dubbo = inject("dubbo");
  return commands.wtStartGateway({
    upstream: dubbo.h2tls,
    upstreamCa: dubbo.certFile,
    cert: dubbo.certFile,
    key: dubbo.keyFile,
    port,
    idleTimeoutMs: 1500,
  });
}

describe("WebTransport faults", () => {
  it("no gateway: Unavailable, naming the URL", async () => {
    const { deadUrl, certSha256 } = inject("wtGateway");
    const transport = createWebTransportTransport({ url: deadUrl, serverCertificateHashes: [{ algorithm: "sha-256", value: certSha256 }] });
    const err = await caught(interop(transport).unary({}));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.message).toContain(deadUrl);
    expect(err.message).toMatch(/no gateway is listening there/);
    console.log(`[wt no gateway] ${err.message}`);
  });

  it("a wrong certificate hash: Unavailable, naming the URL and pointing at serverCertificateHashes; each call tries again", async () => {
    const { url } = inject("wtGateway");
    const wrong = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    const transport = createWebTransportTransport({ url, serverCertificateHashes: [{ algorithm: "sha-256", value: wrong }] });
    const client = interop(transport);
    const err = await caught(client.unary({}));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.message).toContain(url);
    expect(err.message).toMatch(/certificate does not match serverCertificateHashes \(BwcHBwcHBwcH/);
    expect(err.message).toMatch(/certSha256/);
    console.log(`[wt wrong hash] ${err.message}`);
    await caught(client.serverStream.open({ count: 1 }).trailer);
    expect(transport.sessionsOpened).toBe(2);
  });

  it("a bad hash value is a TypeError at creation", () => {
    expect(() => gatewayTransport({ serverCertificateHashes: [{ algorithm: "sha-256", value: "not a hash!" }] })).toThrow(TypeError);
    expect(() => createWebTransportTransport({ url: "http://127.0.0.1:1/" })).toThrow(/https/);
  });

  it("gateway killed mid-stream: the call fails with Unavailable; while it is down calls fail naming the URL; once it is back the next call reconnects", async () => {
    const first = await ownGateway();
    const transport = createWebTransportTransport({
      url: first.url,
      serverCertificateHashes: [{ algorithm: "sha-256", value: inject("dubbo").certSha256 }],
    });
    const client = createInteropServiceClient(transport);
    const call = client.serverStream.open({ count: 1000, delayMs: 100 });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    expect((await reader.read()).value?.seq).toBe(1);
    expect(transport.connected).toBe(true);

    await commands.wtStopGateway(first.id, "SIGKILL");
    const t0 = performance.now();
    let err;
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch (e) {
      err = e;
    }
    const detectMs = performance.now() - t0;
    expect(err).toBeDefined();
    expect((err as { code?: unknown }).code).toBe(Code.Unavailable);
    expect(String(err)).toContain(first.url);
    expect(transport.connected).toBe(false);
    console.log(`[wt gateway killed] the call failed ${detectMs.toFixed(0)} ms after SIGKILL (QUIC idle timeout 1500 ms): ${String(err)}`);

    const down = await caught(client.unary({}));
    expect(down.code).toBe(Code.Unavailable);
    expect(down.message).toContain(first.url);

    const second = await ownGateway(first.port);
    try {
      const res = await client.unary({ text: "back" });
      expect(res.text).toBe("back");
      expect(transport.sessionsOpened).toBe(3);

      // SIGTERM: the gateway ends its calls in-band (an end-stream error) before it goes.
      const bidi = client.bidiStream.open();
      const r = bidi.responses.getReader();
      void bidi.send({ seq: 7 });
      expect((await r.read()).value?.seq).toBe(7);
      await commands.wtStopGateway(second.id, "SIGTERM");
      const stopped = await caught(r.read());
      expect(stopped.code).toBe(Code.Unavailable);
      expect(stopped.message).toMatch(/gateway shutting down/);
    } finally {
      await commands.wtStopGateway(second.id, "SIGKILL");
      transport.close();
    }
  }, 30_000);
});
