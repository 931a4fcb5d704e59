// tripleHandlers answer httpGet()'s GET for side-effect-free methods (msw 2.x in Node, driven by
// the real fetch transport): binary, JSON and gzip, the request's metadata reaching the handler,
// and no GET route for a method that is not marked NO_SIDE_EFFECTS (as on dubbo-js).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { createFetchTransport } from "triple-es";
import { gzip } from "triple-es/gzip";
import { httpGet } from "triple-es/http-get";
import { json } from "triple-es/json";
import { tripleHandlers } from "triple-es/testing";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";

const MOCK = "http://mock-get.test";
const server = setupServer();
const methods: string[] = [];
const seenHeaders: (string | null)[] = [];

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  server.events.on("request:start", ({ request }) => methods.push(request.method));
});
afterEach(() => {
  server.resetHandlers();
  methods.length = 0;
  seenHeaders.length = 0;
});
afterAll(() => server.close());

function use() {
  server.use(
    ...tripleHandlers(
      InteropService,
      {
        getStreamStats: (req, ctx) => {
          seenHeaders.push(ctx.requestHeader.get("x-app"));
          return { known: req.streamId === "s1", consumed: req.streamId.length };
        },
        unary: (req) => ({ text: req.text }),
      },
      { baseUrl: MOCK, compression: [gzip] },
    ),
  );
}

describe.each([
  ["binary", {}],
  ["json", { format: json() }],
  ["gzip", { compression: { send: gzip, minBytes: 0 } }],
] as const)("msw handlers and httpGet (%s)", (_name, options) => {
  const client = () => createInteropServiceClient(createFetchTransport({ baseUrl: MOCK, httpGet: httpGet(), ...options }));

  it("serve a NO_SIDE_EFFECTS method sent as GET", async () => {
    use();
    const res = await client().getStreamStats({ streamId: "s1" }, { headers: { "x-app": "a" } });
    expect(res).toMatchObject({ known: true, consumed: 2 });
    expect(methods).toEqual(["GET"]);
    expect(seenHeaders).toEqual(["a"]);
  });

  it("keep other methods POST", async () => {
    use();
    expect((await client().unary({ text: "t" })).text).toBe("t");
    expect(methods).toEqual(["POST"]);
  });
});

it("has no GET route for a method without NO_SIDE_EFFECTS", () => {
  const handlers = tripleHandlers(InteropService, {}, { baseUrl: MOCK });
  const gets = handlers.filter((h) => (h.info as { method?: unknown }).method === "GET").map((h) => h.info.header);
  expect(gets).toEqual([`GET ${MOCK}/triple.interop.v1.InteropService/GetStreamStats`]);
});
