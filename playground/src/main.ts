// The playground page: wires the panels together. Each module owns one part of the page.

import "./style.css";
import sampleSetUrl from "../gen/playground.binpb?url";
import { detectRequestStreams, probe } from "./capabilities.js";
import { CallRunner } from "./call-runner.js";
import { ConnectionBar } from "./connection.js";
import { loadDescriptorSet } from "./descriptors.js";
import { byId, h, mount } from "./dom.js";
import { FrameLog } from "./frame-log.js";
import { Lab } from "./lab/lab.js";
import { MethodBrowser } from "./method-browser.js";
import { ResponsePanels } from "./panels.js";
import { RequestEditor } from "./request-editor.js";
import { Snippets } from "./snippets.js";
import { currentServer } from "./servers.js";
import { markPageReady } from "./ready.js";
import { onChange, state, type Servers } from "./state.js";
import { typeRegistry } from "./descriptors.js";

async function loadServers(): Promise<Servers | undefined> {
  try {
    const res = await fetch("/__playground/config.json", { cache: "no-store" });
    const servers = (await res.json()) as Partial<Servers>;
    if (typeof servers.h1 === "string" && typeof servers.h2 === "string") {
      const { wt, java, go } = servers;
      const hasWt = typeof wt?.url === "string" && typeof wt.certSha256 === "string";
      return {
        h1: servers.h1,
        h2: servers.h2,
        ...(hasWt ? { wt } : {}),
        ...(typeof java?.url === "string" && typeof java.path === "string" ? { java } : {}),
        ...(typeof go?.url === "string" ? { go } : {}),
        missing: servers.missing ?? {},
      };
    }
  } catch {
    // shown below
  }
  return undefined;
}

async function main(): Promise<void> {
  const servers = await loadServers();
  if (!servers) {
    mount(byId("connection"), h("span", { class: "badge bad" }, "No servers: start the page with `npm start`."));
  }
  state.servers = servers ?? { h1: "http://127.0.0.1:0", h2: "https://127.0.0.1:0" };
  state.requestStreams = detectRequestStreams();

  const frames = new FrameLog(byId("frame-log"));
  const editor = new RequestEditor(byId("request-editor"), typeRegistry);
  const panels = new ResponsePanels(byId("response-view"), byId("meta-panels"), byId("call-status"));
  const snippets = new Snippets(byId("snippets"));
  const runner = new CallRunner(byId("call-controls"), editor, panels, frames.add, () => snippets.update(runner.snapshot()));
  const browser = new MethodBrowser(byId("method-browser"), (method) => {
    byId("method-title").textContent = `${method.parent.name}.${method.name}`;
    runner.setMethod(method);
    snippets.update(runner.snapshot());
  });
  const lab = new Lab(byId("lab"), frames.add);
  const connection = new ConnectionBar(byId("connection"), byId("support-matrix"), () => {
    // The method browser shows the chosen server's services: select its first method.
    browser.select(currentServer().firstMethod);
    lab.serverChanged();
  });

  editor.textarea.addEventListener("input", () => snippets.update(runner.snapshot()));
  onChange(() => {
    runner.render();
    snippets.update(runner.snapshot());
  });

  byId<HTMLAnchorElement>("sample-set").href = sampleSetUrl;
  byId<HTMLInputElement>("descriptor-file").addEventListener("change", async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const status = byId("descriptor-status");
    try {
      const source = loadDescriptorSet(file.name, new Uint8Array(await file.arrayBuffer()));
      status.textContent = `Loaded ${file.name}: ${source.services.length} service(s).`;
      status.className = "hint";
      browser.render();
    } catch (err) {
      status.textContent = `Cannot read ${file.name} as a FileDescriptorSet: ${(err as Error).message}`;
      status.className = "hint warn";
    }
  });

  connection.render();
  browser.render();
  browser.select(currentServer().firstMethod);
  if (servers) {
    state.h2Reachable = await probe(servers.h2);
    connection.render();
    runner.render();
  }
  state.ready = true;
  markPageReady();
}

void main();
