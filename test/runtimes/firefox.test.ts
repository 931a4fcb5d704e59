// Runs the conformance suite inside Debian's Firefox ESR, driven over WebDriver BiDi
// (puppeteer-core, no geckodriver): fetch over HTTP/1.1 and HTTP/2 with TLS (the session accepts
// the test server's self-signed certificate), WebTransport to the gateway of
// test/webtransport/global-gateway.ts with its certificate hash, Java through a same-origin proxy.
import { it } from "vitest";
import { launchFirefox } from "./engines/firefox.js";
import { runConformanceIn } from "./engines/run-conformance.js";

it("runs the conformance suite in Firefox ESR", async () => {
  await runConformanceIn("firefox", launchFirefox, 150_000);
}, 180_000);
