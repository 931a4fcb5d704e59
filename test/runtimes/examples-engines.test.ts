// The examples' Vite web app (examples/vite-web) in Firefox ESR and WebKitGTK, as
// test/runtimes/examples.test.ts does in Chromium: built with Vite, served from 127.0.0.1, the
// form submitted in the page, the unary reply and the server stream shown, against the real
// dubbo-js server.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { describe, expect, inject, it } from "vitest";
import { launchFirefox } from "./engines/firefox.js";
import { serveDirectory } from "./engines/page-server.js";
import type { EngineSession } from "./engines/session.js";
import { launchWebKit } from "./engines/webkit.js";
import { repoRoot } from "./runner.js";

const engines: [string, () => Promise<EngineSession>][] = [
  ["Firefox ESR", launchFirefox],
  ["WebKitGTK", launchWebKit],
];

/**
 * Fills the form, submits it, and waits until the output says it is done (or failed): checked on
 * every change the app makes to the output, not on a timer.
 */
const SUBMIT_AND_WAIT = `
  const out = document.querySelector("#out");
  const finished = () => /done|error/.test(out.textContent ?? "");
  const result = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (finished()) {
        observer.disconnect();
        resolve(out.textContent);
      }
    });
    observer.observe(out, { childList: true, characterData: true, subtree: true });
  });
  document.querySelector("#text").value = "from the browser";
  document.querySelector("#send").click();
  return finished() ? out.textContent : await result;`;

describe.each(engines)("vite-web in %s", (_name, launch) => {
  it("the built app calls the Triple service", async () => {
    const { h1 } = inject("dubbo");
    const outDir = mkdtempSync(join(tmpdir(), "triple-es-vite-web-"));
    const root = join(repoRoot, "examples", "vite-web");
    try {
      await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "silent", build: { outDir, emptyOutDir: true } });
      const server = await serveDirectory(outDir);
      try {
        const session = await launch();
        try {
          const text = await session.runPage(`${server.url}?server=${encodeURIComponent(h1)}`, 60_000, SUBMIT_AND_WAIT);
          expect(text.trim().split("\n"), session.log()).toEqual([
            "unary: from the browser",
            "stream: message 0",
            "stream: message 1",
            "stream: message 2",
            "done",
          ]);
        } finally {
          await session.close();
        }
      } finally {
        await server.close();
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 180_000);
});
