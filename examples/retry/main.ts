// Retries with triple-es/retry against a Triple server, over a network that drops the first
// attempt of every call (a fetch wrapper stands in for the flaky network):
//   npx tsx examples/retry/main.ts http://127.0.0.1:50051
import { Code, createFetchTransport, TripleError } from "triple-es";
import { retryPolicy } from "triple-es/retry";
import { createInteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";

/** Runs the example against `baseUrl`, printing with `log`. */
export async function run(baseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  let attemptsOfThisCall = 0;
  const flakyFetch: typeof fetch = async (input, init) => {
    const attempt = new Headers(init?.headers).get("tri-retry-attempt");
    log(`  attempt ${attempt ?? "(no header)"}${++attemptsOfThisCall === 1 ? ": dropped" : ""}`);
    if (attemptsOfThisCall === 1) throw new TypeError("fetch failed (connection reset)");
    return fetch(input, init);
  };
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    attemptsOfThisCall = 0;
    log(what);
    try {
      return await f();
    } catch (e) {
      if (!(e instanceof TripleError)) throw e;
      log(`  failed: ${Code[e.code]}: ${e.rawMessage}`);
      return undefined;
    }
  };

  // Unary is marked IDEMPOTENT in the interop proto, ReleaseHold is not.
  const retry = retryPolicy({ maxAttempts: 3, initialBackoffMs: 50 });
  const client = createInteropServiceClient(createFetchTransport({ baseUrl, retry, fetch: flakyFetch }));

  const reply = await call("unary, up to 3 attempts:", () => client.unary({ text: "hello" }));
  if (reply) log(`  reply: ${reply.text} (the server saw attempt ${reply.requestHeaders["tri-retry-attempt"]})`);
  await call("unary, retry: false:", () => client.unary({ text: "once" }, { retry: false }));
  await call("releaseHold (not idempotent):", () => client.releaseHold({ holdId: "example" }));
  const forced = await call("releaseHold, forced:", () => client.releaseHold({ holdId: "example" }, { retry: retry.with({ force: true }) }));
  if (forced) log(`  reply: wasWaiting=${forced.wasWaiting}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2] ?? "http://127.0.0.1:50051");
