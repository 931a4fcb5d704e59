// The generated clients, loaded and called: each property must reach its own RPC (positional
// indexing is right even where protoc-gen-es's keys collide), carry the client options, and
// decode into the method's output type. Runs for the ts output and for the js+dts JavaScript.
import { create, fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createFetchTransport } from "triple-es";
import { ensureCodegenBuilt } from "./support/build-codegen.js";
import { codegenTestDir, scratchDir } from "./support/paths.js";
import { runCli } from "./support/run-cli.js";

interface Seen {
  readonly path: string;
  readonly headers: Headers;
  readonly body: Uint8Array | undefined;
}

/** A fetch that records each request and answers with `reply` (or a 503 when there is none). */
function recordingTransport(reply?: { schema: DescMessage; init: Record<string, unknown> }) {
  const seen: Seen[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const body = init.body instanceof Uint8Array ? init.body : undefined;
    seen.push({ path: new URL(url).pathname, headers: new Headers(init.headers), body });
    if (reply === undefined) return new Response("no", { status: 503 });
    const bytes = toBinary(reply.schema, create(reply.schema, reply.init));
    return new Response(bytes, { status: 200, headers: { "content-type": "application/proto" } });
  };
  return { seen, transport: createFetchTransport({ baseUrl: "http://triple.test/api", fetch: fetch as typeof globalThis.fetch }) };
}

/** Decodes a recorded request body with a schema loaded at run time. */
function decode(schema: DescMessage, bytes: Uint8Array | undefined): Record<string, unknown> {
  return fromBinary(schema, bytes ?? new Uint8Array()) as unknown as Record<string, unknown>;
}

/** Starts any kind of call with an empty request and waits for it to fail or finish. */
async function callOnce(fn: unknown, streamingInput: boolean): Promise<void> {
  const result = (fn as (req: unknown) => unknown)(streamingInput ? [{}] : {});
  try {
    if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
      for await (const _ of result as AsyncIterable<unknown>) void _;
    } else {
      await result;
    }
  } catch {
    // The recording transport answers 503; only the request matters here.
  }
}

beforeAll(() => ensureCodegenBuilt(), 120_000);

const targets = [
  { target: "ts", ext: ".ts", pb: "_pb.ts" },
  { target: "js+dts", ext: ".js", pb: "_pb.js" },
] as const;

describe.each(targets)("generated clients, --target $target", ({ target, ext, pb }) => {
  let gen = "";
  beforeAll(() => {
    gen = join(scratchDir(`wiring-${target === "ts" ? "ts" : "js"}`), "gen");
    const r = runCli(["protos", "--out", gen, "--target", target], { cwd: codegenTestDir });
    expect(r.stderr).toBe("");
  });
  const load = (file: string) => import(/* @vite-ignore */ join(gen, file));

  it("routes every method to its own path, also where names collide", async () => {
    const { createNamesClient } = await load(`acme/names/v1/names_triple${ext}`);
    const { seen, transport } = recordingTransport();
    const client = createNamesClient(transport);
    for (const fn of Object.values(client)) await callOnce(fn, false);
    expect(seen.map((s) => s.path)).toEqual(
      ["GetFoo", "get_foo", "getFoo", "Constructor", "ToString", "ValueOf", "Then", "then", "__proto__", "Delete", "class", "_1st"].map(
        (m) => `/api/acme.names.v1.Names/${m}`,
      ),
    );
  });

  it("makes clients that are plain objects and never thenables", async () => {
    const { createNamesClient } = await load(`acme/names/v1/names_triple${ext}`);
    const client = createNamesClient(recordingTransport().transport);
    expect(Object.getPrototypeOf(client)).toBe(Object.prototype);
    expect(await Promise.resolve(client)).toBe(client);
    expect(Object.keys(client)).toContain("then$");
  });

  it("wires all four call kinds to their paths", async () => {
    const { createGreeterClient } = await load(`acme/greet/v1/greet_triple${ext}`);
    const { seen, transport } = recordingTransport();
    const greeter = createGreeterClient(transport);
    await callOnce(greeter.say, false);
    await callOnce(greeter.sayStream, false);
    await callOnce(greeter.upload, true);
    await callOnce(greeter.chat, true);
    expect(seen.map((s) => s.path)).toEqual(["Say", "SayStream", "Upload", "Chat"].map((m) => `/api/acme.greet.v1.Greeter/${m}`));
  });

  it("sends the input type, decodes the output type and carries version and group", async () => {
    const v1 = await load(`acme/greet/v1/greet${pb}`);
    const v2 = await load(`acme/greet/v2/greet${pb}`);
    const { createGreeterClient } = await load(`acme/greet/v2/greet_triple${ext}`);
    const { seen, transport } = recordingTransport({ schema: v1.SayResponseSchema, init: { text: "pong" } });
    const greeter = createGreeterClient(transport, { version: "2.0.0", group: "blue" });

    const res = await greeter.say({ text: "ping", language: "en" });
    expect(res.$typeName).toBe("acme.greet.v1.SayResponse");
    expect(res.text).toBe("pong");
    const sent = seen[0]!;
    expect(sent.path).toBe("/api/acme.greet.v2.Greeter/Say");
    expect(sent.headers.get("tri-service-version")).toBe("2.0.0");
    expect(sent.headers.get("tri-service-group")).toBe("blue");
    expect(decode(v2.SayRequestSchema, sent.body)["language"]).toBe("en");

    await greeter.sayV1({ text: "old", from: { name: "ann" } });
    expect(decode(v1.SayRequestSchema, seen[1]?.body)["from"]).toMatchObject({ name: "ann" });
  });

  it("uses the empty package path for a file without a package", async () => {
    const { createEchoClient } = await load(`nopackage_triple${ext}`);
    const { seen, transport } = recordingTransport();
    await callOnce(createEchoClient(transport).echo, false);
    expect(seen.map((s) => s.path)).toEqual(["/api/Echo/Echo"]);
  });
});
