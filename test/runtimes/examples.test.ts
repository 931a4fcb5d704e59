// The examples in examples/ work as their READMEs say, against the real dubbo-js server:
// the Cloudflare Worker in workerd, the Deno script in Deno, the Vite web app built and used in Chromium.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { describe, expect, inject, it } from "vitest";
import { repoRoot, runProcess, runtimeBinary } from "./runner.js";
import { launchDebianChromium, serveDirectory } from "./static-site.js";
import { bundleWorker, serveWorker } from "./workerd.js";

const examples = join(repoRoot, "examples");

describe("examples", () => {
  it("every example has a README of three lines or fewer", () => {
    for (const name of ["cloudflare-worker", "deno", "vite-web"]) {
      const lines = readFileSync(join(examples, name, "README.md"), "utf8").trimEnd().split("\n");
      expect(lines.length, `examples/${name}/README.md`).toBeLessThanOrEqual(3);
    }
  });

  it("cloudflare-worker: the Worker calls the Triple service from workerd", async () => {
    const { h1 } = inject("dubbo");
    const worker = await serveWorker(await bundleWorker(join(examples, "cloudflare-worker/src/worker.ts")), {
      TRIPLE_URL: h1,
    });
    try {
      const res = await fetch(`${worker.url}/?text=from-the-edge`);
      const body = await res.text();
      expect(res.status, body + worker.log()).toBe(200);
      expect(JSON.parse(body)).toEqual({ text: "from-the-edge", servedBy: "default", stream: [0, 1, 2] });
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it("deno: the script calls the Triple service", async () => {
    const { h1 } = inject("dubbo");
    const run = await runProcess(
      runtimeBinary("deno"),
      ["run", "--quiet", "--no-prompt", "--config=examples/deno/deno.json", "--allow-net=127.0.0.1", "examples/deno/main.ts", h1],
      { timeoutMs: 30_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual([
      "unary: hello from Deno (served by default)",
      "stream: message 0",
      "stream: message 1",
      "stream: message 2",
      "error: NotFound: no such greeting",
    ]);
  }, 120_000);

  it("vite-web: the app builds, and in Chromium it calls the Triple service", async () => {
    const { h1 } = inject("dubbo");
    const outDir = mkdtempSync(join(tmpdir(), "triple-es-vite-web-"));
    const browser = await launchDebianChromium();
    let site: Awaited<ReturnType<typeof serveDirectory>> | undefined;
    try {
      await build({
        root: join(examples, "vite-web"),
        configFile: join(examples, "vite-web", "vite.config.ts"),
        logLevel: "silent",
        build: { outDir, emptyOutDir: true },
      });
      site = await serveDirectory(outDir);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${site.url}?server=${encodeURIComponent(h1)}`);
      await page.fill("#text", "from the browser");
      await page.click("#send");
      await page.waitForFunction(() => /done|error/.test(document.querySelector("#out")?.textContent ?? ""), null, {
        timeout: 10_000,
      });
      expect(errors).toEqual([]);
      expect((await page.textContent("#out"))?.trim().split("\n")).toEqual([
        "unary: from the browser",
        "stream: message 0",
        "stream: message 1",
        "stream: message 2",
        "done",
      ]);
    } finally {
      await browser.close();
      await site?.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 180_000);
});
