// Testing the app with triple-es/testing: once through msw (the app's real fetch transport, the
// real wire), once with the in-memory transport (no HTTP at all). Run from the repository root:
//   npx vitest run --project node test/unit/testing/example.test.ts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { Code, createFetchTransport, TripleError } from "triple-es";
import { createInMemoryTransport, tripleHandlers, type ServiceImpl } from "triple-es/testing";
import { InteropService } from "../../test/gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";
import { firstSeqs, greet } from "./app.js";

// The fake backend: plain async functions and async generators, keyed like the client's methods.
const backend: ServiceImpl<typeof InteropService> = {
  async unary(req) {
    if (req.text === "nobody") throw new TripleError("no such user", Code.NotFound);
    return { text: req.text.toUpperCase() };
  },
  async *serverStream(req) {
    for (let seq = 0; seq < req.count; seq++) yield { seq };
  },
};

describe("with msw (the app's own fetch transport)", () => {
  const server = setupServer(...tripleHandlers(InteropService, backend, { baseUrl: "https://api.example.com" }));
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  const client = createInteropServiceClient(createFetchTransport({ baseUrl: "https://api.example.com" }));

  it("greets", async () => {
    expect(await greet(client, "ada")).toBe("Hello, ADA!");
  });

  it("turns NotFound into a message", async () => {
    expect(await greet(client, "nobody")).toBe("Nobody called nobody here.");
  });

  it("stops a stream early", async () => {
    expect(await firstSeqs(client, 3)).toEqual([0, 1, 2]);
  });
});

describe("with the in-memory transport (no HTTP)", () => {
  const client = createInteropServiceClient(createInMemoryTransport(InteropService, backend));

  it("greets", async () => {
    expect(await greet(client, "grace")).toBe("Hello, GRACE!");
  });

  it("stops a stream early", async () => {
    expect(await firstSeqs(client, 2)).toEqual([0, 1]);
  });
});
