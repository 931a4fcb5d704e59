// triple-es/testing in Chromium: tripleHandlers served by msw's service worker (mockServiceWorker.js,
// from the installed msw), in front of the SDK's fetch transport and generated client.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupWorker } from "msw/browser";
import { Code, createFetchTransport, TripleError } from "triple-es";
import { json } from "triple-es/json";
import { tripleHandlers } from "triple-es/testing";
import { ErrorDetailSchema, InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../gen/triple/interop/v1/interop_triple.js";
import { interopImpl, newProbe } from "../unit/testing/fixtures.js";

// Same origin as the page: the worker answers before any network, so no CORS is involved.
const BASE = `${location.origin}/mock-api`;
const worker = setupWorker(...tripleHandlers(InteropService, interopImpl(newProbe()), { baseUrl: BASE }));

beforeAll(async () => {
  await worker.start({ quiet: true, onUnhandledRequest: "bypass", serviceWorker: { url: "/mockServiceWorker.js" } });
});

afterAll(async () => {
  worker.stop();
  // Later test files in this browser context must not be controlled by the worker.
  for (const r of await navigator.serviceWorker.getRegistrations()) {
    if (r.active?.scriptURL.endsWith("/mockServiceWorker.js")) await r.unregister();
  }
});

describe.each([
  ["binary", {}],
  ["json", { format: json() }],
] as const)("msw service worker (%s)", (_name, options) => {
  const client = () => createInteropServiceClient(createFetchTransport({ baseUrl: BASE, ...options }));

  it("the page is controlled by msw's worker", () => {
    expect(navigator.serviceWorker.controller?.scriptURL).toMatch(/\/mockServiceWorker\.js$/);
  });

  it("unary with headers and trailers", async () => {
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client().unary(
      { text: "from the worker" },
      { headers: { "x-echo-a": "b" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    );
    expect(res.text).toBe("from the worker");
    expect(res.servedBy).toBe("mock");
    expect(header?.get("x-echo-a")).toBe("b");
    expect(trailer?.get("x-echo-a")).toBe("b");
  });

  it("server stream", async () => {
    const seqs: number[] = [];
    for await (const m of client().serverStream({ count: 4, size: 16 })) seqs.push(m.seq);
    expect(seqs).toEqual([0, 1, 2, 3]);
  });

  it("errors with code, metadata and details, unary and mid-stream", async () => {
    const spec = { code: Code.NotFound, message: "missing", metadata: { "x-m": "v" }, detailReason: "gone" };
    const unary = await client().unary({ error: spec }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unary).toBeInstanceOf(TripleError);
    const e = unary as TripleError;
    expect([e.code, e.rawMessage, e.metadata.get("x-m")]).toEqual([Code.NotFound, "missing", "v"]);
    expect(e.findDetails(ErrorDetailSchema)).toMatchObject([{ reason: "gone" }]);
    const seqs: number[] = [];
    await expect(
      (async () => {
        for await (const m of client().serverStream({ count: 3, errorAfter: 1, error: spec })) seqs.push(m.seq);
      })(),
    ).rejects.toMatchObject({ code: Code.NotFound });
    expect(seqs).toEqual([0]);
  });
});
