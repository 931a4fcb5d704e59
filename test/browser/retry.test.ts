// triple-es/retry in real Chromium: a retried attempt carries tri-retry-attempt, a header the
// server's CORS preflight must allow. The page's fetch is wrapped to drop the first attempt (as a
// dropped connection would), so the second goes out through Chromium's network stack, preflight
// included: dubbo-js (allow-headers "*") and dubbo-go (echoes the requested headers) cross-origin,
// Dubbo Java (no CORS at all) through the dev server's same-origin proxy.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient, createFetchTransport, type FetchTransportOptions } from "triple-es";
import { json } from "triple-es/json";
import { dubboGo } from "triple-es/protocol-go";
import { dubboJava } from "triple-es/protocol-java";
import { retryPolicy } from "triple-es/retry";
import { CamelInteropService, InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { JAVA_PROXY_PATH } from "../setup/java-proxy-path.js";

/** The page's fetch, failing its first call as a network failure does (a TypeError). */
function dropFirst(): { fetch: typeof fetch; attempts: (string | null)[] } {
  const attempts: (string | null)[] = [];
  return {
    attempts,
    fetch: async (input, init) => {
      attempts.push(new Headers(init?.headers).get("tri-retry-attempt"));
      if (attempts.length === 1) throw new TypeError("Failed to fetch");
      return fetch(input, init);
    },
  };
}

const servers: { name: string; url: () => string; service: typeof InteropService; options: Partial<FetchTransportOptions> }[] = [
  { name: "dubbo-js (cross-origin)", url: () => inject("dubbo").h1, service: InteropService, options: {} },
  { name: "dubbo-go 3.3 (cross-origin)", url: () => inject("go").url, service: InteropService, options: { protocol: dubboGo() } },
  {
    name: "Dubbo Java 3.3 (same-origin proxy)",
    url: () => `${location.origin}${JAVA_PROXY_PATH}`,
    service: CamelInteropService as unknown as typeof InteropService,
    options: { protocol: dubboJava(), format: json() },
  },
];

describe.each(servers)("retries from Chromium to $name", (server) => {
  it("the second attempt passes the preflight with its attempt header and the server sees it", async () => {
    const { fetch, attempts } = dropFirst();
    const retry = retryPolicy({ initialBackoffMs: 1, budget: false });
    const client = createClient(server.service, createFetchTransport({ baseUrl: server.url(), ...server.options, retry, fetch }));
    const res = await client.unary({ text: "from Chromium" });
    expect(res.text).toBe("from Chromium");
    expect(attempts).toEqual(["1", "2"]);
    expect(res.requestHeaders["tri-retry-attempt"]).toBe("2");
  });
});
