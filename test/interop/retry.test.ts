// triple-es/retry against the real servers (dubbo-js, Dubbo Java 3.3, dubbo-go 3.3) behind a
// loopback proxy that fails a chosen number of attempts (socket destroyed, or 503 + Retry-After),
// counts the attempts and records their attempt header. Unary and ServerStream are marked
// IDEMPOTENT in the interop proto; ReleaseHold is not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { Code, createClient, createFetchTransport, type FetchTransportOptions } from "triple-es";
import { json } from "triple-es/json";
import { dubboGo } from "triple-es/protocol-go";
import { dubboJava } from "triple-es/protocol-java";
import { retryPolicy, type RetryOptions } from "triple-es/retry";
import { CamelInteropService, InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { startFlakyProxy, type FlakyProxy } from "./retry/flaky-proxy.js";
import { run as runExample } from "../../examples/retry/main.js";
import { exampleOutput } from "./example-output.js";
import { caught } from "../support/caught.js";

interface Server {
  readonly name: string;
  url(): string;
  readonly service: typeof InteropService | typeof CamelInteropService;
  readonly options: Partial<FetchTransportOptions>;
  /** Whether the server streams over plain HTTP (dubbo-js: Triple streams; Java: SSE; Go: gRPC only). */
  readonly serverStream: boolean;
}

const servers: Server[] = [
  { name: "dubbo-js", url: () => inject("dubbo").h1, service: InteropService, options: {}, serverStream: true },
  {
    name: "Dubbo Java 3.3",
    url: () => inject("java").url,
    service: CamelInteropService,
    options: { protocol: dubboJava(), format: json() },
    serverStream: true,
  },
  { name: "dubbo-go 3.3", url: () => inject("go").url, service: InteropService, options: { protocol: dubboGo() }, serverStream: false },
];

describe.each(servers)("retries against $name behind a flaky proxy", (server) => {
  let proxy: FlakyProxy;
  beforeAll(async () => {
    proxy = await startFlakyProxy(server.url());
  });
  afterAll(async () => {
    await proxy.close();
  });

  /** A client through the proxy; backoffs of about 1 ms, no budget (each test is its own story). */
  function client(options: RetryOptions = {}) {
    const retry = retryPolicy({ initialBackoffMs: 1, maxBackoffMs: 5, budget: false, ...options });
    const transport = createFetchTransport({ baseUrl: proxy.url, ...server.options, retry });
    // The generated clients of both services have the same methods (camel or not): call through one shape.
    return createClient(server.service as typeof InteropService, transport);
  }

  it("a unary call succeeds after 2 dropped connections: 3 attempts, numbered 1, 2, 3, the last seen by the server", async () => {
    proxy.plan(2, "destroy");
    const res = await client({ maxAttempts: 3 }).unary({ text: "again" });
    expect(res.text).toBe("again");
    expect(proxy.seen.map((s) => [s.attempt, s.failed])).toEqual([
      ["1", true],
      ["2", true],
      ["3", false],
    ]);
    // The server accepted the extra header as ordinary metadata and saw the attempt it answered.
    expect(res.requestHeaders["tri-retry-attempt"]).toBe("3");
  });

  it("a 503 with Retry-After: 0 is retried at once (the backoff would be a minute)", async () => {
    proxy.plan(1, { status: 503, headers: { "retry-after": "0" } });
    const res = await client({ initialBackoffMs: 60_000, maxBackoffMs: 60_000, jitter: "equal" }).unary({ text: "pushed back" });
    expect(res.text).toBe("pushed back");
    expect(proxy.seen.map((s) => s.attempt)).toEqual(["1", "2"]);
  });

  it("gives up at maxAttempts with Unavailable and says how many attempts were made", async () => {
    proxy.plan(10, { status: 503 });
    const e = await caught(client({ maxAttempts: 4 }).unary({}));
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toMatch(/^HTTP 503 .*\(4 attempts made; no more: the policy allows 4\)$/);
    expect(proxy.seen.map((s) => s.attempt)).toEqual(["1", "2", "3", "4"]);
  });

  it("a 503 with an invalid Retry-After is not retried", async () => {
    proxy.plan(1, { status: 503, headers: { "retry-after": "soon" } });
    const e = await caught(client().unary({}));
    expect(e.code).toBe(Code.Unavailable);
    expect(e.rawMessage).toContain('Retry-After is "soon"');
    expect(proxy.seen).toHaveLength(1);
  });

  it("a method not marked idempotent (ReleaseHold) is attempted once, with no attempt header", async () => {
    proxy.plan(1, "destroy");
    const e = await caught(client().releaseHold({ holdId: "retry-test-none" }));
    expect(e.code).toBe(Code.Unavailable);
    expect(proxy.seen.map((s) => [s.attempt, s.failed])).toEqual([[null, true]]);
  });

  it("…unless the call forces it", async () => {
    proxy.plan(1, "destroy");
    const retry = retryPolicy({ initialBackoffMs: 1, budget: false });
    const transport = createFetchTransport({ baseUrl: proxy.url, ...server.options, retry });
    const c = createClient(server.service as typeof InteropService, transport);
    const res = await c.releaseHold({ holdId: "retry-test-forced" }, { retry: retry.with({ force: true }) });
    expect(res.wasWaiting).toBe(false);
    expect(proxy.seen.map((s) => s.attempt)).toEqual(["1", "2"]);
  });

  if (server.serverStream) {
    it("a server stream whose first attempt is dropped delivers every message once", async () => {
      proxy.plan(1, "destroy");
      const seqs: number[] = [];
      for await (const m of client().serverStream({ count: 5, size: 16 })) seqs.push(m.seq);
      expect(seqs).toEqual([0, 1, 2, 3, 4]);
      expect(proxy.seen.map((s) => [s.attempt, s.failed])).toEqual([
        ["1", true],
        ["2", false],
      ]);
    });

    it("a server stream that fails after its first message is not retried", async () => {
      proxy.plan(0, "destroy");
      const seqs: number[] = [];
      const e = await caught(
        (async () => {
          const stream = client().serverStream({ count: 5, errorAfter: 2, error: { code: Code.Unavailable, message: "mid-stream" } });
          for await (const m of stream) seqs.push(m.seq);
        })(),
      );
      expect(e.code).toBe(Code.Unavailable);
      expect(seqs).toEqual([0, 1]);
      expect(proxy.seen).toHaveLength(1);
    });
  } else {
    it("a server stream is refused with Unimplemented before any attempt leaves (this server streams only over gRPC)", async () => {
      proxy.plan(0, "destroy");
      const e = await caught(
        (async () => {
          for await (const _ of client().serverStream({ count: 1 })) void _;
        })(),
      );
      expect(e.code).toBe(Code.Unimplemented);
      expect(proxy.seen).toHaveLength(0);
    });
  }
});

describe("the attempt header in a browser's CORS preflight", () => {
  // A browser sends tri-retry-attempt only if the preflight allows it. dubbo-js (our peer answers
  // allow-headers "*") and dubbo-go (echoes the requested headers) do; Java 3.3 answers no
  // preflight at all, so a page reaches it on its own origin anyway.
  it.each([
    ["dubbo-js", () => inject("dubbo").h1],
    ["dubbo-go 3.3", () => inject("go").url],
  ])("%s allows it", async (_name, url) => {
    const res = await fetch(`${url()}/triple.interop.v1.InteropService/Unary`, {
      method: "OPTIONS",
      headers: {
        origin: "http://page.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,tri-retry-attempt",
      },
    });
    await res.arrayBuffer();
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(allowed === "*" || allowed.split(/\s*,\s*/).includes("tri-retry-attempt"), `allow-headers: ${allowed}`).toBe(true);
  });
});

describe("examples/retry (the README's runnable example)", () => {
  it("prints what its README says against the real dubbo-js server", async () => {
    expect(await exampleOutput(runExample, inject("dubbo").h1)).toEqual([
      "unary, up to 3 attempts:",
      "  attempt 1: dropped",
      "  attempt 2",
      "  reply: hello (the server saw attempt 2)",
      "unary, retry: false:",
      "  attempt (no header): dropped",
      expect.stringMatching(/^  failed: Unavailable: cannot reach .*: fetch failed \(connection reset\)$/),
      "releaseHold (not idempotent):",
      "  attempt (no header): dropped",
      expect.stringMatching(/^  failed: Unavailable: cannot reach .*ReleaseHold: fetch failed \(connection reset\)$/),
      "releaseHold, forced:",
      "  attempt 1: dropped",
      "  attempt 2",
      "  reply: wasWaiting=false",
    ]);
  });
});
