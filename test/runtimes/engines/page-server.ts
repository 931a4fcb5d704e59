// Serves a test page to Firefox and WebKit on http://127.0.0.1:PORT (a secure context, so
// WebTransport is exposed): the page's script bundled by esbuild with "triple-es" resolved to the
// SDK's sources, and the Dubbo Java peer on the page's own origin (Java 3.3 answers no CORS
// preflight), as the Vite dev server does for Chromium (test/setup/java-proxy.ts). Also serves a
// built app's directory (serveDirectory: the examples' Vite app).

import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { build } from "esbuild";
import { forwardToJava } from "../../setup/java-proxy.js";
import { JAVA_PROXY_PATH } from "../../setup/java-proxy-path.js";
import { repoRoot } from "../runner.js";

const src = (p: string) => join(repoRoot, "src", p);

/** Bundles a browser entry point into one ES module, "triple-es" imports resolved to src/. */
export async function bundlePage(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: {
      "triple-es/json": src("json.ts"),
      "triple-es/gzip": src("gzip.ts"),
      "triple-es/observer": src("observer.ts"),
      "triple-es/websocket": src("websocket.ts"),
      "triple-es/protocol-java": src("protocol-java/index.ts"),
      "triple-es/protocol-go": src("protocol-go/index.ts"),
      "triple-es/protocol-triple": src("protocol-triple/index.ts"),
      "triple-es": src("index.ts"),
    },
  });
  return out.outputFiles[0]!.text;
}

export interface PageServer {
  /** http://127.0.0.1:PORT/ : the page; its script reads its configuration from the URL's hash. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `script` as the page's module, and JAVA_PROXY_PATH/* to the Java peer at `javaUrl`. */
export async function servePage(script: string, javaUrl: string): Promise<PageServer> {
  const html = `<!doctype html><meta charset="utf-8"><title>triple-es</title><script type="module" src="/page.js"></script>`;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === JAVA_PROXY_PATH || path.startsWith(`${JAVA_PROXY_PATH}/`)) {
      req.url = path.slice(JAVA_PROXY_PATH.length) || "/";
      forwardToJava(req, res, javaUrl);
    } else if (path === "/page.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(script);
    } else if (path === "/" || path.startsWith("/?")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves the files of a built app (e.g. `vite build`'s outDir) on http://127.0.0.1:PORT/. */
export async function serveDirectory(dir: string): Promise<PageServer> {
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
