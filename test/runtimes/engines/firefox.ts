// Debian's Firefox ESR driven over WebDriver BiDi by puppeteer-core (no geckodriver: Firefox
// speaks BiDi itself on its remote-debugging port). Never a downloaded browser.

import puppeteer, { type Browser } from "puppeteer-core";
import { requireDebianBinary } from "./debian.js";
import { AWAIT_RESULT_SOURCE, type EngineSession } from "./session.js";

export const FIREFOX_PATH = "/usr/bin/firefox-esr";

/**
 * Starts headless Firefox ESR. `acceptInsecureCerts` lets fetch reach the test server's
 * self-signed HTTP/2 listener (what Chromium gets from --ignore-certificate-errors); WebTransport
 * still checks its certificate against `serverCertificateHashes` — or so it must: the
 * pinning test (test/runtimes/firefox-webtransport.test.ts) turns `acceptInsecureCerts` off.
 */
export async function launchFirefox(options: { acceptInsecureCerts?: boolean } = {}): Promise<EngineSession> {
  const executablePath = requireDebianBinary(FIREFOX_PATH, "firefox-esr", "Firefox ESR");
  const browser: Browser = await puppeteer.launch({
    browser: "firefox",
    executablePath,
    headless: true,
    acceptInsecureCerts: options.acceptInsecureCerts ?? true,
    // The page's own wait is the timeout that matters; this one only bounds a single command.
    protocolTimeout: 600_000,
    // Puppeteer's default of 30 s for Firefox to print its endpoint is too short on a loaded
    // machine (seen once under test:under-load); this only catches a Firefox that never starts.
    timeout: 180_000,
    extraPrefsFirefox: {
      // No captive-portal, update or telemetry traffic on a machine without a network.
      "network.captive-portal-service.enabled": false,
      "app.update.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
    },
  });
  const lines: string[] = [];
  const version = (await browser.version()).replace(/^firefox\//i, "Firefox ");
  return {
    version,
    async runPage(url, timeoutMs, source = AWAIT_RESULT_SOURCE) {
      const page = await browser.newPage();
      page.on("console", (m) => lines.push(`[${m.type()}] ${m.text()}`));
      page.on("pageerror", (e) => lines.push(`[pageerror] ${String(e)}`));
      await page.goto(url);
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        return await Promise.race([
          page.evaluate(`(async () => {${source}})()`) as Promise<string>,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the page gave no result within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await page.close().catch(() => {});
      }
    },
    log: () => lines.join("\n"),
    async close() {
      await browser.close().catch(() => browser.process()?.kill("SIGKILL"));
    },
  };
}
