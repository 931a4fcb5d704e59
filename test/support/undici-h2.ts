// Node's fetch over HTTP/2 for the tests: undici's fetch with an `allowH2` Agent (Node's global
// fetch speaks HTTP/1.1 only).
import { Agent, fetch as undiciFetch } from "undici";

/**
 * Requests one Agent (one HTTP/2 connection) carries before the next request gets a fresh one.
 * undici 6.29 compacts its request queue once more than 256 requests have completed on a
 * connection, and with HTTP/2's out-of-order completions and calls aborted in flight that loses
 * a queued request: it never goes out, and its call hangs (a TypeError, "reading 'servername'",
 * inside undici). A stress of 300 aborted calls and 300 calls hung one call in every ~130 rounds
 * without this and none with it; it is not a committed test because it also trips another undici
 * 6.29 fault, an uncaught TypeError when a call is aborted before undici sends it. undici 7 fixes
 * this but over HTTP/2 does not reset a stream whose streamed upload is aborted, so the server
 * never sees the cancel; the conformance suite asserts that it does.
 */
const REQUESTS_PER_AGENT = 200;

/** A fetch over HTTP/2 to a server whose certificate is signed by `ca`, and a way to close its connections. */
export function undiciH2(ca: string | Buffer): { fetch: typeof globalThis.fetch; close(): Promise<void> } {
  let agent = new Agent({ allowH2: true, connect: { ca } });
  let requests = 0;
  const fetch = ((url: string, init: RequestInit) => {
    if (++requests > REQUESTS_PER_AGENT) {
      // The old connection finishes the calls it has, then closes.
      void agent.close().catch(() => {});
      agent = new Agent({ allowH2: true, connect: { ca } });
      requests = 1;
    }
    return undiciFetch(url, { ...(init as object), dispatcher: agent });
  }) as never;
  return { fetch, close: () => agent.close() };
}
