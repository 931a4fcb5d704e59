// Unary calls from real Chromium to the real dubbo-js server, cross-origin over HTTP/1.1 and
// over h2+TLS, in binary and JSON. The cases are shared with Node (test/interop/cases/unary.ts);
// this file adds what only a browser shows: the calls are cross-origin, and which HTTP version
// Chromium negotiated.

import { describe, expect, it } from "vitest";
import { unaryCases } from "../interop/cases/unary.js";
import { baseUrl, interopClient, listeners, nextHopProtocol } from "./clients.js";

it("runs cross-origin: the page and the server are different origins", () => {
  for (const l of listeners) expect(new URL(baseUrl(l)).origin).not.toBe(location.origin);
});

describe.each(listeners)("unary in Chromium over %s", (listener) => {
  it("negotiates the expected HTTP version (seen from the request headers the server got)", async () => {
    const res = await interopClient(listener).unary({ text: "which protocol" });
    const protocol = nextHopProtocol(baseUrl(listener));
    // Resource Timing hides nextHopProtocol of a cross-origin entry without Timing-Allow-Origin,
    // so the proof is on the server side: HTTP/1.1 carries Host and Connection, HTTP/2 neither
    // (it has :authority) and Chromium adds the RFC 9218 Priority header only on h2.
    const seen = res.requestHeaders;
    console.log(
      `[chromium ${listener}] nextHopProtocol "${protocol}"; server saw host=${seen["host"] !== undefined} ` +
        `connection=${seen["connection"] ?? "-"} priority=${seen["priority"] ?? "-"} sec-fetch-site=${seen["sec-fetch-site"]}`,
    );
    if (listener === "h1") {
      expect(seen["host"]).toBeDefined();
      expect(seen["connection"]).toBe("keep-alive");
    } else {
      expect(seen["host"]).toBeUndefined();
      expect(seen["connection"]).toBeUndefined();
    }
    expect(seen["sec-fetch-mode"]).toBe("cors");
    expect(seen["origin"]).toBe(location.origin);
  });
});

unaryCases({ runtime: "Chromium", listeners, client: interopClient });
