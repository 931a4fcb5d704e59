// Unary calls from Node's fetch (HTTP/1.1) and undici with HTTP/2 over TLS; the cases are shared
// with Chromium (test/browser/unary.test.ts).
import { describe, expect, it } from "vitest";
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
});
