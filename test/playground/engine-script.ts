// The calls the playground e2e makes in Firefox ESR and WebKitGTK (test/playground/playground.test.ts),
// as the body of an async function run in the page (EngineSession.runPage): it clicks and types as
// a person would and returns what the page showed, as JSON, for the test to assert.
//
// No polling: the script waits for the page's ready attribute (playground/src/ready.ts) and for
// each state it expects by re-checking on every change the page makes to its DOM (a
// MutationObserver; every state change the script waits for is rendered). A generous timeout per
// wait only turns a hang into a failure that says where the page got stuck.

import { READY_ATTRIBUTE } from "../../playground/src/ready.js";

/** What the script returns (JSON). */
export interface EngineRun {
  readonly services: string[];
  /** The support table's WebTransport cell for unary calls: its label and its reason (title). */
  readonly webTransport: { label: string; why: string };
  readonly unary: { status: string; responses: unknown[]; text: string };
  readonly error: { status: string; code: number | undefined; text: string };
  /** dubbo-go over WebSocket: a bidi stream, each reply before the next request. */
  readonly goBidiWs: { status: string; responses: unknown[]; url: string; gatewayWs: string | undefined };
  /** Dubbo Java: a client stream over WebTransport (Firefox) or WebSocket (WebKitGTK). */
  readonly javaClientStream: { path: string; status: string; responses: unknown[]; error: string | undefined };
}

/** What the readiness script returns (JSON). */
export interface ReadyRun {
  readonly ready: boolean;
  readonly language: string;
  /** The lab's plot: "plot" when uPlot drew it, else the sentence the page shows instead. */
  readonly plot: string;
}

/** Only catches a hang: no wait of a working page comes near it. */
const WAIT_HANG_MS = 25_000;

/**
 * Helpers shared by the scripts: `until(what, done)` resolves once `done()` holds, checked now
 * and after every DOM change; `pageReady()` waits for READY_ATTRIBUTE.
 */
const HELPERS = `
  const pg = () => window.__playground;
  const where = () => pg() === undefined
    ? "no window.__playground; page: " + (document.body?.innerText ?? "").slice(0, 400)
    : JSON.stringify(pg().call ?? { ready: pg().ready, servers: pg().servers, h2: pg().h2Reachable, streams: pg().requestStreams }).slice(0, 600);
  const until = (what, done) => new Promise((resolve, reject) => {
    if (done()) return resolve();
    const observer = new MutationObserver(() => {
      if (!done()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error("stuck waiting for " + what + ": " + where()));
    }, ${WAIT_HANG_MS});
  });
  const pageReady = () => until("the page to be ready (" + ${JSON.stringify(READY_ATTRIBUTE)} + ")", () => document.documentElement.hasAttribute(${JSON.stringify(READY_ATTRIBUTE)}));`;

/** The script for one engine: WebKitGTK has no WebTransport, so it reaches Java over WebSocket. */
export function playgroundEngineScript(engine: "firefox" | "webkit"): string {
  return `${HELPERS}
  const click = (sel) => {
    const el = document.querySelector(sel);
    if (el === null) throw new Error("no element " + sel);
    el.click();
  };
  const fill = (sel, value) => {
    const el = document.querySelector(sel);
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const select = async (path) => {
    click('[data-method="' + path + '"]');
    await until("method " + path + " to be selected", () => pg().selected === path);
  };
  /** Starts a call with start() and resolves with it once it has ended. */
  const run = async (what, start) => {
    const before = pg().call;
    await start();
    await until(what + " to end", () => pg().call !== undefined && pg().call !== before && pg().call.status !== "running");
    return pg().call;
  };
  /** The support table's cell for unary calls in the column headed \`column\`. */
  const supportCell = (column) => {
    const table = document.querySelector("#support-table");
    const index = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent === column);
    const cell = table.querySelector("tbody tr").children[index];
    return { label: cell.textContent, why: cell.title };
  };
  await pageReady();
  const out = { services: pg().services, webTransport: supportCell("WebTransport") };

  await select("playground.v1.GreeterService/Greet");
  fill("#request-json", JSON.stringify({ name: "e2e", language: "LANGUAGE_SPANISH" }));
  let call = await run("the unary call", async () => click("#run"));
  out.unary = { status: call.status, responses: call.responses, text: document.querySelector("#responses").textContent };

  fill("#request-json", JSON.stringify({ name: "" }));
  call = await run("the failing unary call", async () => click("#run"));
  out.error = { status: call.status, code: call.error?.code, text: document.querySelector("#error-code").textContent };

  click("#server-go");
  click("#http-ws");
  click("#format-binary");
  await select("triple.interop.v1.InteropService/BidiStream");
  fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
  call = await run("Go's bidi stream over WebSocket", async () => {
    click("#send");
    await until("Go's first reply", () => pg().call?.responses.length === 1);
    click("#send");
    await until("Go's second reply", () => pg().call?.responses.length === 2);
    click("#close");
  });
  out.goBidiWs = { status: call.status, responses: call.responses, url: call.url, gatewayWs: pg().servers.go?.gateway?.webSocketUrl };

  const path = ${JSON.stringify(engine === "firefox" ? "wt" : "ws")};
  click("#server-java");
  click("#http-" + path);
  click("#format-binary");
  await select("triple.interop.v1.CamelInteropService/clientStream");
  fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
  call = await run("Java's client stream", async () => {
    click("#send");
    fill("#batch-size", "4");
    click("#send-batch");
    click("#close");
  });
  out.javaClientStream = { path, status: call.status, responses: call.responses, error: call.error?.message };
  return JSON.stringify(out);`;
}

/**
 * Waits for the page to be ready and reports the browser's language and the lab's plot: for a
 * browser whose language is no language tag (WebKitGTK under the C.UTF-8 locale reports "C"),
 * where uPlot cannot load.
 */
export function playgroundReadyScript(): string {
  return `${HELPERS}
  await pageReady();
  const plotHost = document.querySelector("#lab .plot");
  await until("the lab's plot or the reason it is missing", () => plotHost.querySelector(".uplot, #lab-plot-unavailable") !== null);
  const plot = plotHost.querySelector(".uplot") !== null ? "plot" : plotHost.querySelector("#lab-plot-unavailable").textContent;
  return JSON.stringify({ ready: pg().ready, language: navigator.language, plot });`;
}
