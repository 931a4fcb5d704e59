// A Vite plugin for the browser tests: forwards JAVA_PROXY_PATH/* on the dev server's own origin to
// the Dubbo Java peer, streaming both ways (an SSE response is passed on as it arrives). Java 3.3
// answers no CORS preflight, so this is how a web app reaches it: a same-origin proxy (here Vite's
// dev server; in production the app's reverse proxy). The peer's URL is read per request from
// JAVA_PEER_URL, which test/setup/global-java.ts sets once the peer is up.

import { request, type IncomingMessage, type ServerResponse } from "node:http";
import type { Plugin } from "vite";
import { JAVA_PROXY_PATH } from "./java-proxy-path.js";

export function javaProxy(): Plugin {
  return {
    name: "triple-es-java-proxy",
    configureServer(server) {
      server.middlewares.use(JAVA_PROXY_PATH, (req, res) => {
        forwardToJava(req, res, process.env.JAVA_PEER_URL);
      });
    },
  };
}

/**
 * Forwards one request (its `url` already relative to the proxy path) to the Java peer at
 * `target`, streaming both ways. Also used by the Firefox and WebKit page server
 * (test/runtimes/engines/page-server.ts), which is not Vite.
 */
export function forwardToJava(req: IncomingMessage, res: ServerResponse, target: string | undefined): void {
  if (target === undefined) {
    res.statusCode = 502;
    res.end("the Java peer is not running (JAVA_PEER_URL is unset)");
    return;
  }
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.origin;
  delete headers.referer;
  const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
    // A body the peer broke off must reach the page broken, not as a clean (shorter) end.
    up.on("aborted", () => res.destroy());
    up.on("error", (e) => res.destroy(e));
  });
  upstream.on("error", (e) => {
    if (res.headersSent) {
      res.destroy(e); // mid-body: the page sees a failed read, as it would without the proxy
      return;
    }
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`Java peer unreachable: ${e.message}`);
  });
  // A client that goes away cancels the upstream call too.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
