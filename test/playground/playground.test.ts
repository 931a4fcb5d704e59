// End to end: `npm start` (scripts/start.mjs) with free ports, the page in Debian's Chromium, and
// the calls a person would make. Reads the page's state from `window.__playground`.
//
// Saves test-results/playground.png; with UPDATE_DOCS_SCREENSHOT=1 also docs/playground.png.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { LabView, PlaygroundState } from "../../playground/src/state.js";
import { launchFirefox } from "../runtimes/engines/firefox.js";
import type { EngineSession } from "../runtimes/engines/session.js";
import { launchWebKit, WEBKIT_DEFAULT_LOCALE } from "../runtimes/engines/webkit.js";
import { type EngineRun, playgroundEngineScript, playgroundReadyScript, type ReadyRun } from "./engine-script.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--ignore-certificate-errors",
];

let start: ChildProcess;
let browser: Browser;
let page: Page;
/** The page `npm start` serves (the engines below open it too). */
let playgroundUrl: string;
const startLog: string[] = [];
const pageErrors: string[] = [];

/** Starts `npm start`'s script with ephemeral ports; resolves with the one URL it prints. */
function startPlayground(): Promise<string> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PLAYGROUND_PORT: "0",
    PLAYGROUND_H1_PORT: "0",
    PLAYGROUND_H2_PORT: "0",
    PLAYGROUND_WATCH: "0",
  };
  delete env.NODE_OPTIONS;
  start = spawn(process.execPath, [join(root, "scripts", "start.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  start.stderr!.setEncoding("utf8");
  start.stderr!.on("data", (chunk: string) => startLog.push(chunk));
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL in time:\n${startLog.join("")}`)), 110_000);
    start.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before printing its URL:\n${startLog.join("")}`));
    });
    let out = "";
    start.stdout!.setEncoding("utf8");
    start.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolveUrl(url);
      }
    });
  });
}

const state = (): Promise<PlaygroundState> => page.evaluate(() => window.__playground);
const lab = (): Promise<LabView> => page.evaluate(() => window.__playground.lab);

async function selectMethod(path: string): Promise<void> {
  await page.click(`[data-method="${path}"]`);
  await page.waitForFunction((p) => window.__playground.selected === p, path);
}

/** Starts the lab's receive side: a server stream of `count` × `chunk` B, high-water mark 4, consumer delay 20 ms. */
async function startReceiveLab(count: number, chunk: number): Promise<void> {
  await page.click("#lab-mode-server-stream");
  await page.fill("#lab-count", String(count));
  await page.fill("#lab-chunk", String(chunk));
  await page.fill("#lab-hwm", "4");
  await page.$eval("#lab-delay", (el) => {
    (el as HTMLInputElement).value = "20";
    el.dispatchEvent(new Event("input"));
  });
  await page.click("#lab-start");
}

/** Stops the lab, if its run has not ended by itself, and waits until it is idle. */
async function stopLab(): Promise<void> {
  // A short run may end by itself while a loaded machine delays the click (Stop is then disabled and
  // page.click waits for it): press Stop in the page, in the same task that sees it enabled.
  await page.$eval("#lab-stop", (b) => {
    if (!(b as HTMLButtonElement).disabled) (b as HTMLButtonElement).click();
  });
  await page.waitForFunction(() => !window.__playground.lab.running, null, { timeout: 10_000 });
}

/**
 * Runs the lab's receive side (see {@link startReceiveLab}) until the consumer has taken
 * `consumed` messages, then stops it; resolves with the lab's numbers at that moment.
 */
async function receiveLab(count: number, chunk: number, consumed: number): Promise<LabView> {
  await startReceiveLab(count, chunk);
  // Wait for the consumer to be well under way, not for a time. A timeout only catches a hang, and
  // says where the lab stood (a stalled producer, an error, a consumer that never started).
  try {
    await page.waitForFunction((n) => window.__playground.lab.consumed >= n, consumed, { timeout: 90_000 });
  } catch (e) {
    const { samples: _samples, ...at } = await lab();
    throw new Error(`the lab's consumer did not reach ${consumed} messages: ${JSON.stringify(at)}`, { cause: e });
  }
  const v = await lab();
  await stopLab();
  return v;
}

/**
 * Waits until the frame log shows `text`. The log renders on the next animation frame, and a bare
 * body is logged once the SDK has read it to its end, which may come after the call is done.
 */
async function framesLogShows(text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector("#frames")?.textContent?.includes(t) === true, text, { timeout: 20_000 });
}

async function waitCallDone(): Promise<PlaygroundState["call"]> {
  await page.waitForFunction(() => window.__playground.call !== undefined && window.__playground.call.status !== "running", null, {
    timeout: 20_000,
  });
  return (await state()).call;
}

beforeAll(async () => {
  const url = (playgroundUrl = await startPlayground());
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1500, height: 1300 } });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__playground?.ready === true, null, { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (start && start.exitCode === null && start.signalCode === null) {
    const exited = new Promise((r) => start.once("exit", r));
    start.kill("SIGINT"); // what Ctrl-C does: stops the dubbo-js server and Vite
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (start.exitCode === null && start.signalCode === null) start.kill("SIGKILL");
  }
});

// Each case's timeout only catches a hang: the lab cases wait (up to 60 s) for the consumer, not for
// a time, and a loaded machine took over 30 s for one of them.
describe("playground page", { timeout: 120_000 }, () => {
  it("loads the services and finds the HTTP/2 server", async () => {
    const s = await state();
    expect(s.services).toEqual(["playground.v1.GreeterService", "playground.v1.BackpressureService"]);
    expect(s.h2Reachable).toBe(true);
    expect(s.requestStreams).toBe(true);
    expect(await page.textContent("#support-table")).toContain("half duplex");
  });

  it("loads a descriptor set and lists its services", async () => {
    await page.setInputFiles("#descriptor-file", join(root, "playground", "gen", "playground.binpb"));
    await page.waitForFunction(() => document.querySelector("#descriptor-status")?.textContent?.startsWith("Loaded"));
    expect(await page.textContent("#descriptor-status")).toBe("Loaded playground.binpb: 2 service(s).");
    expect(await page.textContent("#method-browser")).toContain("playground.binpb");
  });

  it("runs a unary call and renders the response, headers and trailers", async () => {
    await selectMethod("playground.v1.GreeterService/Greet");
    await page.fill("#request-json", JSON.stringify({ name: "e2e", language: "LANGUAGE_SPANISH" }));
    await page.click("#run");
    const call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(await page.textContent("#responses")).toContain("Hola, e2e!");
    expect(call?.trailer["x-greeted"]).toBe("e2e");
    expect(await page.textContent("#response-headers")).toContain("x-greeter: playground");
    await framesLogShows("unary response 200");
    expect(await page.textContent("#curl-snippet")).toContain("playground.v1.GreeterService/Greet");
    // onUploadProgress: a unary body is reported once, whole.
    expect(call?.upload?.sentBytes).toBeGreaterThan(0);
    expect(call?.upload?.totalBytes).toBe(call?.upload?.sentBytes);
    expect(await page.textContent("#upload-progress")).toMatch(/^[\d.]+ KiB sent of [\d.]+ KiB$/);
  });

  it("shows validation errors inline", async () => {
    await page.fill("#request-json", '{ "name": "x", "delayMs": "soon" }');
    await page.waitForFunction(() => document.querySelector(".problem")?.textContent?.includes("line"));
    expect(await page.textContent(".problem")).toMatch(/line 1: .*delay/);
    await page.fill("#request-json", '{ "name": "x" }');
    await page.waitForFunction(() => document.querySelector(".problem")?.textContent?.startsWith("✓"));
  });

  it("shows an error's code, message and details", async () => {
    await page.fill("#request-json", JSON.stringify({ name: "" }));
    await page.click("#run");
    const call = await waitCallDone();
    expect(call?.status).toBe("error");
    expect(call?.error?.code).toBe(3);
    expect(await page.textContent("#error-code")).toBe("invalid_argument");
    expect(await page.textContent("#error-message")).toBe("name must not be empty");
    expect(await page.textContent("#error-panel")).toContain("EMPTY_NAME");
  });

  it("runs a client stream over HTTP/2, sending one message and then a batch", async () => {
    await page.click("#http-h2");
    await selectMethod("playground.v1.GreeterService/GreetMany");
    await page.fill("#request-json", JSON.stringify({ name: "n{{i}}" }));
    await page.click("#send");
    await page.fill("#batch-size", "2");
    await page.click("#send-batch");
    await page.click("#close");
    const call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(call?.sent).toBe(3);
    expect(call?.responses).toEqual([
      { greeting: "Hello, n0, n1, n2!", count: 3, names: ["n0", "n1", "n2"], httpVersion: "2.0" },
    ]);
    // Resource Timing reports the HTTP version a moment after the body ends: wait for that report.
    await page.waitForFunction(() => window.__playground.call?.protocol !== "", null, { timeout: 20_000 });
    expect((await state()).call?.protocol).toBe("h2");
    // The streamed body's last progress report carries its total: every byte was handed over.
    expect(call?.upload?.totalBytes).toBe(call?.upload?.sentBytes);
    expect(call?.upload?.sentBytes).toBeGreaterThan(3 * 5);
    expect(await page.evaluate(() => (document.querySelector("#upload-bar") as HTMLProgressElement).value)).toBe(1);
  });

  it("keeps the send side bounded: isReady turns false and the queue stays under its high-water mark", async () => {
    await page.click("#format-binary");
    await page.click("#lab-mode-client-stream");
    await page.fill("#lab-send-count", "120");
    await page.fill("#lab-send-chunk", "16384");
    await page.fill("#lab-send-hwm", "64");
    await page.click("#lab-start");
    await page.waitForFunction(() => !window.__playground.lab.running && window.__playground.lab.status !== "running", null, {
      timeout: 30_000,
    });
    const v = await lab();
    expect(v.error).toBeUndefined();
    expect(v.status).toBe("finished");
    expect(v.result).toMatchObject({ totalChunks: "120" });
    expect(v.notReadyTransitions).toBeGreaterThan(0);
    expect(v.sendSamples.some((s) => !s.isReady)).toBe(true);
    // Queued request bytes stay within the high-water mark plus one message.
    expect(v.maxBufferedAmount).toBeLessThanOrEqual(64 * 1024 + 16384 + 64);
  });

  it("keeps a slow consumer's server stream bounded: buffered and produced − consumed level off", async () => {
    await startReceiveLab(1000, 262144);
    // Events, not a clock: first the server reports its producer held back by flow control (with
    // the consumer well under way) and the lag has set no new high for 10 samples (the browser's
    // read-ahead is full: under load a first hold-back came while it was still filling, at a lag of
    // 47 that then rose to 254), then 30 more samples (3 s of the lab's 100 ms sampling), so the lag
    // can be compared from the moment the producer was held back to the end.
    await page.waitForFunction(
      () => {
        const lab = window.__playground.lab;
        if (lab.serverWaitingSamples === 0 || lab.consumed <= 50 || lab.samples.length <= 10) return false;
        const lags = lab.samples.map((x) => x.produced - x.consumed);
        return Math.max(...lags.slice(-10)) <= Math.max(...lags.slice(0, -10));
      },
      null,
      { timeout: 60_000 },
    );
    const held = await lab();
    await page.waitForFunction((n) => window.__playground.lab.samples.length >= n + 30, held.samples.length, { timeout: 60_000 });
    const v = await lab();
    await stopLab();

    expect(v.error).toBeUndefined();
    expect(v.status).toBe("running");
    // Buffered in the client: the response high-water mark, the message being pulled, and the
    // rest of one network read (a read can carry several of these 256 KiB messages).
    const perRead = Math.ceil(v.maxReadBytes / 262144);
    expect(v.maxBuffered).toBeLessThanOrEqual(v.highWaterMark + 1 + perRead);
    // The server stopped far short of the 1000 messages: flow control held it back.
    expect(v.produced).toBeLessThan(1000);
    expect(v.serverWaitingSamples).toBeGreaterThan(0);
    // produced − consumed is bounded (the browser reads ~64 MB = ~250 of these ahead) ...
    for (const s of v.samples) expect(s.produced - s.consumed).toBeLessThan(400);
    // ... and levels off instead of growing with time: once the producer was held back, the lag
    // never passes the most it had been before plus the client's buffers (high-water mark and the
    // messages of one network read), however long the consumer runs.
    const lag = (x: { produced: number; consumed: number }) => x.produced - x.consumed;
    const before = Math.max(...held.samples.map(lag));
    const after = v.samples.slice(held.samples.length).map(lag);
    expect(after.length).toBeGreaterThanOrEqual(30);
    expect(Math.max(...after)).toBeLessThanOrEqual(before + v.highWaterMark + 1 + perRead);
  });

  it("starts the Java and Go servers and offers them", async () => {
    const s = await state();
    // npm start starts each when its toolchain is installed (.ci/run installs both).
    expect(s.servers.missing ?? {}, "npm start could not start the Java or Go server: install Java 17 + Maven and Go, then npm run peers").toEqual({});
    expect(s.servers.java?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.servers.go?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("calls Dubbo Java over JSON, through the page's origin", async () => {
    await page.click("#server-java");
    await page.waitForFunction(() => window.__playground.selected === "triple.interop.v1.CamelInteropService/unary");
    // The Java server's one HTTP service, then the descriptor set loaded above (offered for every server).
    const services = (await state()).services;
    expect(services[0]).toBe("triple.interop.v1.CamelInteropService");
    expect(services).not.toContain("triple.interop.v1.InteropService");
    await page.click("#format-json");
    await page.fill("#request-json", JSON.stringify({ text: "from the playground" }));
    await page.click("#run");
    const call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(call?.url).toBe(`${new URL(page.url()).origin}/__java/triple.interop.v1.CamelInteropService/unary`);
    expect(call?.responses).toEqual([expect.objectContaining({ text: "from the playground" })]);
    expect(await page.textContent("#support-table")).toContain("gRPC only");
    expect(await page.textContent("#curl-snippet")).toContain("content-type: application/json");
    expect(await page.textContent("#ts-snippet")).toContain("protocol: dubboJava()");
  });

  it("shows Java's refusals as the SDK's Unimplemented: binary, and a client stream", async () => {
    await page.click("#format-binary");
    await page.click("#run");
    let call = await waitCallDone();
    expect(call?.error?.code).toBe(12);
    expect(call?.error?.message).toContain("takes only JSON");
    await page.click("#format-json");
    await selectMethod("triple.interop.v1.CamelInteropService/clientStream");
    await page.fill("#request-json", JSON.stringify({ seq: 1 }));
    // The SDK refuses before sending: the call fails at its first send.
    await page.click("#send");
    call = await waitCallDone();
    expect(call?.status).toBe("error");
    expect(call?.error?.code).toBe(12);
    expect(call?.error?.message).toContain("only over gRPC");
    // No hint about a missing route: nothing reached the server.
    expect(await page.textContent("#error-panel")).not.toContain("HTTP 404");
  });

  it("reads Java's SSE server stream in the lab: the SDK stays bounded while Java's producer runs ahead", async () => {
    const v = await receiveLab(200, 65536, 60);

    expect(v.error).toBeUndefined();
    expect(v.status).toBe("running");
    // SSE events were counted as read off the body, and the plot got samples with the server's count.
    expect(v.received).toBeGreaterThanOrEqual(v.consumed);
    expect(v.samples.length).toBeGreaterThan(0);
    const perRead = Math.ceil(v.maxReadBytes / 65536) + 1;
    expect(v.maxBuffered).toBeLessThanOrEqual(v.highWaterMark + 1 + perRead);
    // Java's producer does not wait for the reader: it is ahead of the consumer.
    expect(v.produced).toBeGreaterThan(v.consumed);
    await framesLogShows("SSE event");
  });

  it("calls dubbo-go in binary, directly (it sends CORS headers), and refuses its streams", async () => {
    await page.click("#server-go");
    await page.waitForFunction(() => window.__playground.selected === "triple.interop.v1.InteropService/Unary");
    await page.click("#format-binary");
    await page.fill("#request-json", JSON.stringify({ text: "to go" }));
    await page.click("#run");
    let call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(call?.url.startsWith((await state()).servers.go!.url)).toBe(true);
    expect(call?.responses).toEqual([expect.objectContaining({ text: "to go" })]);
    await selectMethod("triple.interop.v1.InteropService/ServerStream");
    await page.fill("#request-json", JSON.stringify({ count: 2 }));
    await page.click("#run");
    call = await waitCallDone();
    expect(call?.error?.code).toBe(12);
    expect(call?.error?.message).toContain("gRPC");
    await page.click("#server-dubbo-js");
    await page.waitForFunction(() => window.__playground.selected === "playground.v1.GreeterService/Greet");
  });

  it("reaches every call kind on Java and Go through the gateway (WebTransport, WebSocket)", async () => {
    const s = await state();
    expect(s.servers.java?.gateway?.url, "npm start starts a gateway in front of Java when Deno is installed").toBeTruthy();
    expect(s.servers.go?.gateway?.webSocketUrl).toMatch(/^ws:\/\//);
    // Java over WebTransport: a client stream, binary (Java takes no JSON over gRPC).
    await page.click("#server-java");
    await page.click("#http-wt");
    await page.click("#format-binary");
    await selectMethod("triple.interop.v1.CamelInteropService/clientStream");
    await page.fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
    await page.click("#send");
    await page.fill("#batch-size", "4");
    await page.click("#send-batch");
    await page.click("#close");
    let call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(call?.url.startsWith((await state()).servers.java!.gateway!.url.replace(/\/$/, ""))).toBe(true);
    expect(call?.responses).toEqual([expect.objectContaining({ count: 5, inOrder: true })]);
    // Go over WebSocket: bidi, replies while the request side is open.
    await page.click("#server-go");
    await page.click("#http-ws");
    await selectMethod("triple.interop.v1.InteropService/BidiStream");
    await page.fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
    await page.click("#send");
    await page.waitForFunction(() => window.__playground.call?.responses.length === 1);
    await page.click("#send");
    await page.waitForFunction(() => window.__playground.call?.responses.length === 2);
    await page.click("#close");
    call = await waitCallDone();
    expect(call?.status).toBe("ok");
    expect(call?.responses).toEqual([{}, { seq: 1 }]); // proto JSON leaves seq 0 out
    expect(await page.textContent("#ts-snippet")).toContain("createWebSocketTransport");
  });

  it("plots dubbo-go's server stream over WebSocket: the call's credits hold the producer back", async () => {
    const v = await receiveLab(1000, 65536, 60);
    expect(v.error).toBeUndefined();
    expect(v.samples.length).toBeGreaterThan(0);
    const perRead = Math.ceil(v.maxReadBytes / 65536) + 1;
    expect(v.maxBuffered).toBeLessThanOrEqual(v.highWaterMark + 1 + perRead);
    // The producer is held to the credits (16 messages), the gateway and HTTP/2 windows, not the
    // browser's read-ahead: nowhere near the 1000 a fetch in Chromium would let it run.
    expect(v.produced).toBeLessThan(1000);
    expect(v.maxLag).toBeLessThan(200);
    console.log(`[playground go ws] lab: consumed ${v.consumed}, produced ${v.produced}, max lead ${v.maxLag} × 64 KiB, max buffered ${v.maxBuffered}`);
    await page.click("#server-dubbo-js");
    await page.click("#http-h1");
    await page.click("#format-json");
  });

  it("saves a screenshot", async () => {
    await page.click("#http-h1");
    await page.click("#format-json");
    await selectMethod("playground.v1.GreeterService/GreetStream");
    await page.fill("#request-json", JSON.stringify({ name: "playground", count: 4, intervalMs: 50 }, null, 2));
    await page.click("#run");
    const call = await waitCallDone();
    expect(call?.responses).toHaveLength(4);
    expect(pageErrors).toEqual([]);
    mkdirSync(join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: join(root, "test-results", "playground.png"), fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === "1") {
      mkdirSync(join(root, "docs"), { recursive: true });
      await page.screenshot({ path: join(root, "docs", "playground.png"), fullPage: true });
    }
  });
});

// The same page in Firefox ESR and WebKitGTK (Debian's, test/runtimes/engines/), on the playground
// `npm start` started above: a unary call, an error, dubbo-go's bidi over WebSocket, and Java's
// client stream through the gateway, over WebTransport in Firefox and over WebSocket in WebKitGTK,
// which has no WebTransport: there the page must say so.
const engines: [string, "firefox" | "webkit", () => Promise<EngineSession>][] = [
  ["Firefox ESR", "firefox", launchFirefox],
  ["WebKitGTK", "webkit", launchWebKit],
];

describe.each(engines)("playground page in %s", (_label, engine, launch) => {
  it("a unary call, an error, Go's bidi over WebSocket and Java's client stream through the gateway", async () => {
    const session = await launch();
    try {
      const text = await session.runPage(playgroundUrl, 60_000, playgroundEngineScript(engine));
      const r = JSON.parse(text) as EngineRun | { pageError: string };
      if ("pageError" in r) throw new Error(`${engine}: ${r.pageError}\n${session.log()}`);
      expect(r.services).toEqual(["playground.v1.GreeterService", "playground.v1.BackpressureService"]);
      if (engine === "webkit") {
        expect(r.webTransport.label).toBe("✗ no WebTransport");
        expect(r.webTransport.why).toContain("This browser has no WebTransport (WebKitGTK, Safari before 26.4)");
      } else {
        expect(r.webTransport.label).toBe("✓ works");
      }
      expect(r.unary.status).toBe("ok");
      expect(r.unary.text).toContain("Hola, e2e!");
      expect([r.error.status, r.error.code, r.error.text]).toEqual(["error", 3, "invalid_argument"]);
      expect(r.goBidiWs.status).toBe("ok");
      expect(r.goBidiWs.responses).toEqual([{}, { seq: 1 }]); // proto JSON leaves seq 0 out
      expect(r.goBidiWs.gatewayWs).toMatch(/^ws:\/\//);
      expect([r.javaClientStream.path, r.javaClientStream.status, r.javaClientStream.error]).toEqual([engine === "firefox" ? "wt" : "ws", "ok", undefined]);
      expect(r.javaClientStream.responses).toEqual([expect.objectContaining({ count: 5, inOrder: true })]);
    } finally {
      await session.close();
    }
  }, 120_000);
});

// WebKitGTK under Debian's default locale (C.UTF-8) reports navigator.language "C", on which
// uPlot's module throws as it loads (RangeError: invalid language tag). The page must still work
// and say why the lab has no plot; under a real locale the plot is drawn.
describe("playground page in WebKitGTK, by locale", () => {
  it.each([
    ["C.UTF-8", "C", /^No plot: uPlot could not load \(RangeError: .*"C".*LANG=en_US\.UTF-8/],
    [WEBKIT_DEFAULT_LOCALE, "en-US", /^plot$/],
  ])("under %s: the page gets ready and the lab shows its plot or why not", async (locale, language, plot) => {
    const session = await launchWebKit({ locale });
    try {
      const r = JSON.parse(await session.runPage(playgroundUrl, 60_000, playgroundReadyScript())) as ReadyRun | { pageError: string };
      if ("pageError" in r) throw new Error(`webkit (${locale}): ${r.pageError}\n${session.log()}`);
      expect(r.ready).toBe(true);
      expect(r.language).toBe(language);
      expect(r.plot).toMatch(plot);
    } finally {
      await session.close();
    }
  }, 60_000);
});
