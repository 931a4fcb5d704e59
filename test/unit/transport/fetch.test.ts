// The fetch transport's request init: a redirect fails the call rather than being followed; an
// empty body is sent as none.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createFetchTransport, TripleError } from "triple-es";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";

let server: Server;
let baseUrl: string;
/** Requests that reached the redirect's target: none may. */
let followed = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/moved/")) {
      followed++;
      res.writeHead(200, { "content-type": "application/proto" }).end();
      return;
    }
    req.resume();
    res.writeHead(307, { location: `/moved${req.url}` }).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("createFetchTransport", () => {
  it("fails a call answered by a redirect with Unavailable, and does not follow it", async () => {
    const client = createInteropServiceClient(createFetchTransport({ baseUrl }));
    const err = await client.unary({ text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.Unavailable);
    expect((err as TripleError).message).toContain(baseUrl);
    expect(followed).toBe(0);
  });

  it("passes redirect: error to a custom fetch (outside Cloudflare Workers)", async () => {
    let seen: RequestInit | undefined;
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen = init;
      return new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/proto" } });
    };
    await createInteropServiceClient(createFetchTransport({ baseUrl, fetch })).unary({});
    expect(seen?.redirect).toBe("error");
  });

  it("sends an empty message as a POST with no body, and a non-empty one as its bytes", async () => {
    const seen: (RequestInit | undefined)[] = [];
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init);
      return new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/proto" } });
    };
    const client = createInteropServiceClient(createFetchTransport({ baseUrl, fetch }));
    await client.unary({});
    await client.unary({ text: "x" });
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.body).toBeUndefined();
    expect(seen[1]?.body).toBeInstanceOf(Uint8Array);
    expect((seen[1]?.body as Uint8Array).byteLength).toBeGreaterThan(0);
  });
});
