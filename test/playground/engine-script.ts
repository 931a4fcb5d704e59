// The calls the playground e2e makes in Firefox ESR and WebKitGTK (test/playground/playground.test.ts),
// as the body of an async function run in the page (EngineSession.runPage): it clicks and types as
// a person would and returns what the page showed, as JSON, for the test to assert.

/** What the script returns (JSON). */
export interface EngineRun {
  readonly services: string[];
  readonly unary: { status: string; responses: unknown[]; text: string };
  readonly error: { status: string; code: number | undefined; text: string };
  /** dubbo-go over WebSocket: a bidi stream, each reply before the next request. */
  readonly goBidiWs: { status: string; responses: unknown[]; url: string; gatewayWs: string | undefined };
  /** Dubbo Java: a client stream over WebTransport (Firefox) or WebSocket (WebKitGTK). */
  readonly javaClientStream: { path: string; status: string; responses: unknown[]; error: string | undefined };
}

/** The script for one engine: WebKitGTK has no WebTransport, so it reaches Java over WebSocket. */
export function playgroundEngineScript(engine: "firefox" | "webkit"): string {
  return `
  const pg = () => window.__playground;
  // Generous: only turns a hang into a failure that says where the page got stuck.
  const until = async (f) => {
    const end = Date.now() + 25000;
    for (;;) {
      if (f()) return;
      if (Date.now() > end) {
        const where = pg() === undefined ? "no window.__playground; page: " + document.body?.innerText?.slice(0, 400) : JSON.stringify(pg().call ?? { ready: pg().ready, servers: pg().servers, h2: pg().h2Reachable, streams: pg().requestStreams }).slice(0, 600);
        throw new Error("stuck at " + (window.__engineStep ?? "loading") + ": " + where);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
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
  const step = (what) => { window.__engineStep = what; console.log("[engine-script] " + what); };
  const select = async (path) => { click('[data-method="' + path + '"]'); await until(() => pg().selected === path); };
  const run = async (start) => {
    const before = pg().call?.startedAt;
    await start();
    await until(() => pg().call !== undefined && pg().call.startedAt !== before && pg().call.status !== "running");
    return pg().call;
  };
  await until(() => pg()?.ready === true);
  const out = { services: pg().services };

  step("unary");
  await select("playground.v1.GreeterService/Greet");
  fill("#request-json", JSON.stringify({ name: "e2e", language: "LANGUAGE_SPANISH" }));
  let call = await run(async () => click("#run"));
  out.unary = { status: call.status, responses: call.responses, text: document.querySelector("#responses").textContent };

  fill("#request-json", JSON.stringify({ name: "" }));
  call = await run(async () => click("#run"));
  out.error = { status: call.status, code: call.error?.code, text: document.querySelector("#error-code").textContent };

  step("go bidi over WebSocket");
  click("#server-go");
  click("#http-ws");
  click("#format-binary");
  await select("triple.interop.v1.InteropService/BidiStream");
  fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
  call = await run(async () => {
    click("#send");
    await until(() => pg().call?.responses.length === 1);
    click("#send");
    await until(() => pg().call?.responses.length === 2);
    click("#close");
  });
  out.goBidiWs = { status: call.status, responses: call.responses, url: call.url, gatewayWs: pg().servers.go?.gateway?.webSocketUrl };

  step("java client stream");
  const path = ${JSON.stringify(engine === "firefox" ? "wt" : "ws")};
  click("#server-java");
  click("#http-" + path);
  click("#format-binary");
  await select("triple.interop.v1.CamelInteropService/clientStream");
  fill("#request-json", JSON.stringify({ seq: "{{i}}" }));
  call = await run(async () => {
    click("#send");
    fill("#batch-size", "4");
    click("#send-batch");
    click("#close");
  });
  out.javaClientStream = { path, status: call.status, responses: call.responses, error: call.error?.message };
  return JSON.stringify(out);`;
}
