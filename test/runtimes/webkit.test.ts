// Runs the conformance suite inside Debian's WebKitGTK (the engine of Safari), driven over W3C
// WebDriver (WebKitWebDriver from webkit2gtk-driver, MiniBrowser on an Xvfb display): fetch over
// HTTP/1.1 and HTTP/2 with TLS (the session accepts the test server's self-signed certificate);
// WebKitGTK has no WebTransport, which the suite asserts; Java through a same-origin proxy.
import { it } from "vitest";
import { runConformanceIn } from "./engines/run-conformance.js";
import { launchWebKit } from "./engines/webkit.js";

it("runs the conformance suite in WebKitGTK", async () => {
  await runConformanceIn("webkit", launchWebKit, 150_000);
}, 180_000);
