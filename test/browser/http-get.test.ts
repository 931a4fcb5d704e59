// httpGet from real Chromium to the real dubbo-js server, cross-origin, over HTTP/1.1 and h2+TLS
// (cases shared with Node: test/interop/cases/http-get.ts), and what only a browser adds: its HTTP
// cache answers a repeated GET when the server allows it. dubbo-js sends no Cache-Control, so the
// peer adds one only when a test asks for it (`x-response-cache-control`), and numbers every
// response it sends (`x-response-seq`): a repeated number was served by the browser's cache.

import { describe, expect, it } from "vitest";
import { httpGet } from "triple-es/http-get";
import { httpGetCases } from "../interop/cases/http-get.js";
import { interopClient, listeners, streamId } from "./clients.js";

httpGetCases({ runtime: "Chromium", listeners, client: interopClient });

/** Two identical calls; the response numbers and methods the page saw. */
async function twice(headers: Record<string, string>) {
  // h1 only: Chromium does not cache responses of a host whose certificate it was told to ignore.
  const client = interopClient("h1", { httpGet: httpGet() });
  const id = streamId("cache");
  const seqs: (string | null)[] = [];
  for (let i = 0; i < 2; i++) {
    await client.getStreamStats({ streamId: id }, { headers, onHeader: (h) => seqs.push(h.get("x-response-seq")) });
  }
  return seqs;
}

describe("Chromium's HTTP cache and httpGet", () => {
  it("answers a repeated GET from the cache when the server sends Cache-Control: max-age", async () => {
    const [first, second] = await twice({ "x-response-cache-control": "public, max-age=600" });
    expect(first).not.toBeNull();
    expect(second).toBe(first);
  });

  it("asks the server again when it sends no Cache-Control (dubbo-js's default)", async () => {
    const [first, second] = await twice({});
    expect(Number(second)).toBeGreaterThan(Number(first));
  });
});
