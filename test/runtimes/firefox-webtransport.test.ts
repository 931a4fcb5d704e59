// WebTransport from Firefox ESR to the gateway (test/webtransport/global-gateway.ts) with the
// certificate pinned by serverCertificateHashes, in a session that does NOT accept insecure
// certificates (the conformance run does, for the test server's self-signed HTTP/2 listener), so
// the hash alone is what lets Firefox in: the right hash works (unary and a full-duplex bidi
// ping-pong), a wrong one fails with the Unavailable a user gets.
import { expect, inject, it } from "vitest";
import { launchFirefox } from "./engines/firefox.js";
import { runPageIn } from "./engines/run-page.js";
import type { PinningResult } from "./engines/wt-pinning-page.js";

it("Firefox ESR reaches the gateway over WebTransport by certificate hash, and a wrong hash is Unavailable", async () => {
  const { url, certSha256 } = inject("wtGateway");
  const result = (await runPageIn("firefox", () => launchFirefox({ acceptInsecureCerts: false }), {
    entry: "wt-pinning-page.ts",
    javaUrl: inject("java").url,
    timeoutMs: 60_000,
    config: () => ({ url, certSha256 }),
  })) as PinningResult;
  console.log(`[firefox wt wrong hash] ${result.wrongHash.message}`);
  expect(result.rightHash).toEqual({ text: "pinned", pingPong: [0, 1, 2] });
  expect(result.wrongHash.code).toBe("unavailable");
  expect(result.wrongHash.message).toContain(url);
  expect(result.wrongHash.message).toMatch(/certificate does not match serverCertificateHashes \(BwcHBwcHBwcH/);
}, 240_000); // a hang-catcher: Firefox alone may take up to 180 s to start on a loaded machine
