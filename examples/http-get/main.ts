// HTTP GET for side-effect-free methods (triple-es/http-get) against a dubbo-js server. A fetch
// wrapper prints the method and URL of each request the transport makes:
//   npx tsx examples/http-get/main.ts http://127.0.0.1:50051
import { createFetchTransport } from "triple-es";
import { httpGet } from "triple-es/http-get";
import { createInteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";

/** Runs the example against `baseUrl`, printing with `log`. */
export async function run(baseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  const showingFetch: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    const query = url.search.length > 80 ? `${url.search.slice(0, 77)}...` : url.search;
    log(`  ${init?.method} ${url.pathname}${query}`);
    return fetch(input, init);
  };
  const client = createInteropServiceClient(createFetchTransport({ baseUrl, httpGet: httpGet(), fetch: showingFetch }));

  // GetStreamStats is marked NO_SIDE_EFFECTS in the interop proto; Unary is not.
  log("getStreamStats (NO_SIDE_EFFECTS):");
  const stats = await client.getStreamStats({ streamId: "example" });
  log(`  known: ${stats.known}`);
  log("unary (not marked):");
  await client.unary({ text: "hi" });
  log("getStreamStats with a 9000-character id (URL over 8 KiB):");
  await client.getStreamStats({ streamId: "x".repeat(9000) });
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2] ?? "http://127.0.0.1:50051");
