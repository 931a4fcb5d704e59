// The playground's "WebTransport" choice end to end: `npm start` (scripts/start.mjs) starts the
// gateway in front of its HTTP/2 server, and the page in Debian's Chromium runs calls over it:
// a bidi chat whose replies arrive before the request side is closed (full duplex), a unary call,
// the frame log, the TypeScript snippet naming createWebTransportTransport, and the lab's client
// stream with isReady following QUIC flow control.

import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";

import type { PlaygroundState } from "../../playground/src/state.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let start: ChildProcess;
let browser: Browser;
let page: Page;
const log: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PLAYGROUND_PORT: "0",
    PLAYGROUND_H1_PORT: "0",
    PLAYGROUND_H2_PORT: "0",
    PLAYGROUND_WT_PORT: "0",
    PLAYGROUND_WATCH: "0",
    // This file is about WebTransport: the Java and Go servers are tested in test/playground.
    PLAYGROUND_JAVA: "0",
    PLAYGROUND_GO: "0",
  };
  delete env.NODE_OPTIONS;
  start = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  start.stderr!.setEncoding("utf8").on("data", (c: string) => log.push(c));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL:\n${log.join("")}`)), 110_000);
    start.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${log.join("")}`)));
    let out = "";
    start.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__playground?.ready === true, null, { timeout: 30_000 });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (start && start.exitCode === null && start.signalCode === null) {
    const exited = new Promise((r) => start.once("exit", r));
    start.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (start.exitCode === null && start.signalCode === null) start.kill("SIGKILL");
  }
});

const state = (): Promise<PlaygroundState> => page.evaluate(() => window.__playground);

async function select(path: string) {
  await page.click(`[data-method="${path}"]`);
  await page.waitForFunction((p) => window.__playground.selected === p, path);
}

it("npm start runs the gateway; the page offers WebTransport and runs a full-duplex chat and a unary call over it", async () => {
  const s = await state();
  expect(s.servers.wt?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  expect(log.join("")).toContain("WebTransport gateway: https://127.0.0.1:");
  expect(await page.textContent("#support-table")).toContain("full duplex");

  await page.click("#http-wt");
  await select("playground.v1.GreeterService/Chat");
  await page.fill("#request-json", JSON.stringify({ text: "hi {{i}}" }));
  await page.click("#send");
  // The reply arrives while the request side is still open: impossible over fetch.
  await page.waitForFunction(() => window.__playground.call?.responses.length === 1, null, { timeout: 10_000 }).catch(async (e) => {
    console.log(`call: ${JSON.stringify((await state()).call)}\nnpm start:\n${log.join("")}`);
    throw e;
  });
  expect((await state()).call?.status).toBe("running");
  await page.click("#send");
  await page.waitForFunction(() => window.__playground.call?.responses.length === 2, null, { timeout: 10_000 });
  await page.click("#close");
  await page.waitForFunction(() => window.__playground.call?.status !== "running", null, { timeout: 10_000 });
  const chat = (await state()).call;
  expect(chat?.status).toBe("ok");
  expect(chat?.responses.map((r) => (r as { text?: string }).text)).toEqual(["you said: hi 0", "you said: hi 1"]);
  expect(await page.textContent("#ts-snippet")).toContain("createWebTransportTransport");
  expect(await page.textContent("#frames")).toContain("you said: hi 1");

  await select("playground.v1.GreeterService/Greet");
  await page.fill("#request-json", JSON.stringify({ name: "wt" }));
  await page.click("#run");
  await page.waitForFunction(() => window.__playground.call?.status !== "running", null, { timeout: 10_000 });
  const greet = (await state()).call;
  expect(greet?.status).toBe("ok");
  expect(JSON.stringify(greet?.responses)).toContain("wt");
  expect(pageErrors).toEqual([]);
}, 60_000);

it("the backpressure lab's client stream over WebTransport: isReady follows QUIC flow control", async () => {
  await page.click("#format-binary");
  await page.click("#lab-mode-client-stream");
  await page.fill("#lab-send-count", "60");
  await page.fill("#lab-send-chunk", "65536");
  await page.fill("#lab-send-hwm", "64");
  await page.click("#lab-start");
  await page.waitForFunction(() => !window.__playground.lab.running && window.__playground.lab.status !== "running", null, {
    timeout: 30_000,
  });
  const v = await page.evaluate(() => window.__playground.lab);
  expect(v.error).toBeUndefined();
  expect(v.status).toBe("finished");
  expect(v.requestMode).toBe("streaming");
  expect(v.notReadyTransitions).toBeGreaterThan(0);
  expect(v.maxBufferedAmount).toBeLessThanOrEqual(64 * 1024 + 65536 + 64);
  expect(pageErrors).toEqual([]);
}, 60_000);
