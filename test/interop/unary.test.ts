// Unary calls from Node's fetch (HTTP/1.1) and undici with HTTP/2 over TLS; the cases are shared
// with Chromium (test/browser/unary.test.ts).
import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { caught } from "../support/caught.js";
import { unaryCases } from "./cases/unary.js";
import { interopClient } from "./clients.js";

unaryCases({ runtime: "Node", listeners: ["h1", "h2"], client: interopClient });

describe("the Node listeners", () => {
  it("really speak HTTP/1.1 and HTTP/2 (seen from the request headers the server got)", async () => {
    // HTTP/1.1 carries Host and Connection; HTTP/2 has :authority instead.
    const h1 = (await interopClient("h1").unary({})).requestHeaders;
    const h2 = (await interopClient("h2").unary({})).requestHeaders;
    expect(h1["host"]).toBeDefined();
    expect(h2["host"]).toBeUndefined();
    expect(h2["connection"]).toBeUndefined();
  });

  it("an HTTP/2 connection goes on serving calls after 300 calls aborted in flight", async () => {
    // undici 6.29 hangs a call once more than 256 have completed on one HTTP/2 connection with
    // calls aborted in flight among them (test/support/undici-h2.ts): what hung an interop case
    // under load. The test clients' fetch moves to a fresh connection every 200 requests.
    for (let i = 0; i < 300; i++) {
      const ac = new AbortController();
      const aborting = interopClient("h2", {
        interceptors: [
          (next) => (req) => {
            const res = next(req);
            ac.abort();
            return res;
          },
        ],
      });
      expect((await caught(aborting.unary({ delayMs: 3000 }, { signal: ac.signal }))).code).toBe(Code.Canceled);
      expect((await interopClient("h2").unary({ text: `after ${i}` })).text).toBe(`after ${i}`);
    }
  });
});
