// vitest globalSetup for the chromium project (after test/setup/global-dubbo.ts): a pass-through
// HTTP/1.1 proxy in front of the dubbo-js server's h1 listener that adds one response header,
// `Cache-Control: no-store`, and provides its URL as `noStoreProxy`.
//
// Why: Chromium's fetch() drains a response body into renderer memory ahead of the page
// (Blink's BufferingBytesConsumer, up to 55 MiB) unless the response says `no-store` (or the
// request has `integrity`). The receive-backpressure test runs both with and without it, so the
// difference a server (or gateway) can make is measured, not assumed. The proxy honours
// backpressure itself (pipe), and closing either side closes the other, so cancels go through.

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const proxy = await startNoStoreProxy(project.getProvidedContext().dubbo.h1);
  project.provide("noStoreProxy", proxy.url);
  return proxy.close;
}

/**
 * Starts the proxy in front of `targetUrl` (an HTTP/1.1 listener). Also used by the Firefox and
 * WebKit read-ahead measurement (test/runtimes/read-ahead.test.ts).
 */
export async function startNoStoreProxy(targetUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, "cache-control": "no-store" });
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** test/browser/no-store-proxy.ts: the dubbo h1 listener behind a proxy adding Cache-Control: no-store. */
    noStoreProxy: string;
  }
}
