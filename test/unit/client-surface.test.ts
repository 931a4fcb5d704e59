// The public surface issue 14 asked for: one naming rule for createClient and generated clients
// (a method named `Then` never makes a client thenable), binding by name, the custom transport
// and the opt-in credentials mode.
import { create, createFileRegistry, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  Code,
  createClient,
  createFetchTransport,
  createTransport,
  findMethod,
  methodPropertyNames,
  TripleError,
  type Client,
  type HttpRequest,
  type UnaryFn,
} from "triple-es";

/** A service whose method names exercise every naming rule, built from a descriptor at run time. */
function oddService(): DescService {
  const file = create(FileDescriptorProtoSchema, {
    name: "odd.proto",
    package: "odd.v1",
    syntax: "proto3",
    messageType: [{ name: "M" }],
    service: [
      {
        name: "Odd",
        method: ["Then", "say_hello", "ToString", "_1st", "Plain"].map((name) => ({
          name,
          inputType: ".odd.v1.M",
          outputType: ".odd.v1.M",
        })),
      },
    ],
  });
  const service = createFileRegistry(file, () => undefined).getService("odd.v1.Odd");
  if (service === undefined) throw new Error("odd.v1.Odd missing from its own registry");
  return service;
}

/** A transport that records each request and answers every unary call with an empty message. */
function recordingTransport(seen: HttpRequest[]) {
  return createTransport({
    baseUrl: "http://odd.test",
    roundTrip: async (request) => {
      seen.push(request);
      return { status: 200, headers: new Headers({ "content-type": "application/proto" }), body: null };
    },
  });
}

describe("client property names", () => {
  it("createClient names methods as generated clients do, and a `Then` method does not make it thenable", async () => {
    const service = oddService();
    const seen: HttpRequest[] = [];
    const client = createClient(service, recordingTransport(seen)) as unknown as Record<string, unknown>;
    expect(Object.keys(client)).toEqual(methodPropertyNames(service.methods));
    expect(Object.keys(client)).toEqual(["then$", "sayHello", "toString$", "_1st", "plain"]);
    // A thenable client would be "resolved" by calling its `then`: the RPC would be sent.
    const awaited = await Promise.resolve(client);
    expect(awaited).toBe(client);
    expect(seen).toHaveLength(0);
    await (client["then$"] as (r: object) => Promise<unknown>)({});
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(["/odd.v1.Odd/Then"]);
  });

  it("types the same names the object has", () => {
    type Unary = DescMethod & { methodKind: "unary" };
    type Odd = Omit<DescService, "method"> & { method: { then: Unary; say_hello: Unary; toString$: Unary; _1st: Unary; plain: Unary } };
    expectTypeOf<keyof Client<Odd>>().toEqualTypeOf<"then$" | "sayHello" | "toString$" | "_1st" | "plain">();
    expectTypeOf<Client<Odd>["sayHello"]>().toEqualTypeOf<UnaryFn<Unary["input"], Unary["output"]>>();
  });
});

describe("findMethod", () => {
  it("finds a method by its .proto name and kind", () => {
    const service = oddService();
    expect(findMethod(service, "say_hello", "unary")).toBe(service.methods[1]);
  });

  it("fails as the client is created when the descriptor is from another .proto version", () => {
    const service = oddService();
    expect(() => findMethod(service, "Removed", "unary")).toThrow(/odd\.v1\.Odd\.Removed: .* has no such method; .* regenerate both/);
    expect(() => findMethod(service, "Plain", "server_streaming")).toThrow(/expects a server_streaming method, .* declares it unary/);
  });
});

describe("createTransport", () => {
  it("carries a call over any roundTrip, with every Triple concern handled by the SDK", async () => {
    const service = oddService();
    const seen: HttpRequest[] = [];
    const transport = createTransport({
      baseUrl: "http://odd.test/prefix",
      headers: { "x-app": "1" },
      roundTrip: async (request) => {
        seen.push(request);
        return {
          status: 404,
          headers: new Headers({ "content-type": "application/json" }),
          body: new Response(JSON.stringify({ code: "not_found", message: "nope" })).body,
        };
      },
    });
    const client = createClient(service, transport) as unknown as Record<string, (r: object, o?: object) => Promise<unknown>>;
    const err = await client["plain"]!({}, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.NotFound);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe("http://odd.test/prefix/odd.v1.Odd/Plain");
    expect(seen[0]!.headers.get("x-app")).toBe("1");
    expect(seen[0]!.bodyKind).toBe("message");
  });

  it("refuses a missing roundTrip with a TypeError that says so", () => {
    expect(() => createTransport({ baseUrl: "http://odd.test" } as never)).toThrow(/roundTrip\(request\) is required/);
  });
});

describe("createFetchTransport credentials", () => {
  it("passes an opt-in credentials mode to fetch, and none by default", async () => {
    const modes: (RequestCredentials | undefined)[] = [];
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      modes.push(init?.credentials);
      return new Response(new Uint8Array(0), { headers: { "content-type": "application/proto" } });
    };
    const service = oddService();
    for (const credentials of [undefined, "include"] as const) {
      const transport = createFetchTransport({ baseUrl: "http://odd.test", fetch, ...(credentials ? { credentials } : {}) });
      await (createClient(service, transport) as unknown as Record<string, (r: object) => Promise<unknown>>)["plain"]!({});
    }
    expect(modes).toEqual([undefined, "include"]);
  });
});
