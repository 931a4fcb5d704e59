// A loopback HTTP/1.1 proxy in front of a real server that fails a chosen number of requests
// first, for the retry tests: each request is counted with the attempt header it carried, the
// first `plan.failures` are failed (the socket destroyed before any response, or an HTTP error
// such as 503 with Retry-After), and the rest are forwarded unchanged, bodies streamed both ways.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** How the proxy fails a request it was told to fail. */
export type ProxyFailure = "destroy" | { status: number; headers?: Record<string, string>; body?: string };

/** One request the proxy saw. */
export interface SeenRequest {
  readonly path: string;
  /** The request's attempt header, null when it had none. */
  readonly attempt: string | null;
  readonly failed: boolean;
}

export interface FlakyProxy {
  /** The URL to give a transport: the target's, with the proxy's origin. */
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Fails the next `failures` requests with `how`, forwards the rest; clears `seen`. */
  plan(failures: number, how: ProxyFailure): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// base URL, possibly with a path prefix) on 127.0.0.1. */
export async function startFlakyProxy(target: string, attemptHeader = "tri-retry-attempt"): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const prefix = upstream.pathname.replace(/\/$/, "");
  const seen: SeenRequest[] = [];
  let failures = 0;
  let how: ProxyFailure = "destroy";
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    const fail = failures > 0;
    if (fail) failures--;
    const value = req.headers[attemptHeader];
    seen.push({ path, attempt: typeof value === "string" ? value : null, failed: fail });
    if (fail && how === "destroy") {
      req.socket.destroy();
      return;
    }
    if (fail && how !== "destroy") {
      req.resume();
      res.writeHead(how.status, { "content-type": "text/plain", ...how.headers });
      res.end(how.body ?? "the proxy failed this attempt on purpose");
      return;
    }
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: prefix + path,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    res.on("close", () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    plan(n, h) {
      failures = n;
      how = h;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
