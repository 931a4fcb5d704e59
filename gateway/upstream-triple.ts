// Upstream "triple": the call as an ordinary Triple request over HTTP/2 + TLS (Deno's fetch), the
// request and response bodies passed through unchanged. For servers that serve every call kind
// over HTTP/2 (the dubbo-js server).

import { type Call, errText } from "./call.ts";
import { relayEnvelopes } from "./relay.ts";
import { ByteSource, concatBytes, encodeJsonFrame, WireError } from "./wire.ts";

/** Request headers that belong to one hop, or that fetch owns. */
const HOP_HEADERS = new Set([
  "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
  "trailer", "content-length", "accept-encoding", "expect",
]);
/** Response headers not copied into the response head. */
const HOP_RESPONSE_HEADERS = new Set([
  "connection", "keep-alive", "transfer-encoding", "content-length", "date", "alt-svc",
]);

export interface TripleUpstream {
  readonly forward: (call: Call, streaming: boolean) => Promise<void>;
  close(): void;
}

/** An upstream Triple server at `base` (https only: Deno's fetch speaks HTTP/2 only over TLS). */
export function tripleUpstream(base: string, caCerts: string[], maxMessageBytes: number): TripleUpstream {
  if (!/^https:\/\//.test(base)) {
    throw new Error(`--upstream must be an https:// URL (Deno's fetch speaks HTTP/2 only over TLS): ${base}`);
  }
  const client = Deno.createHttpClient({ caCerts, http1: false, http2: true });

  async function forward(call: Call, streaming: boolean): Promise<void> {
    const head = call.head!;
    const headers = new Headers();
    for (const [k, v] of Object.entries(head.headers)) if (!HOP_HEADERS.has(k)) headers.set(k, v);
    // Deno's fetch decompresses gzip/br response bodies itself but keeps Content-Encoding, which
    // would corrupt a pass-through body: ask the upstream for identity (streams compress per
    // message with Connect-Content-Encoding instead, which passes through untouched).
    headers.set("accept-encoding", "identity");

    let body: Uint8Array | ReadableStream<Uint8Array>;
    if (streaming) {
      body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const f = await call.nextRequestFrame();
          if (f === null) controller.close();
          else controller.enqueue(f);
        },
        cancel: () => call.drainRequest(),
      }, { highWaterMark: 0 });
    } else {
      body = await call.readUnaryRequest();
    }
    if (call.ending) return;

    let res: Response;
    try {
      res = await fetch(base + head.path, {
        method: "POST",
        headers,
        body: body as BodyInit,
        client,
        signal: call.upstreamAbort.signal,
      } as RequestInit & { client: Deno.HttpClient });
    } catch (e) {
      if (call.ending) return;
      if (e instanceof WireError) return call.fail(e.code, e.message, e.status);
      return call.fail("unavailable", `upstream ${base} unreachable: ${errText(e)}`, 503);
    }
    call.status = res.status;
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (!HOP_RESPONSE_HEADERS.has(k)) resHeaders[k] = v;
    });
    const responseHead = encodeJsonFrame(0, { v: call.version, status: res.status, headers: resHeaders });

    if (res.status === 200 && /^application\/connect\+/i.test(res.headers.get("content-type") ?? "") && res.body) {
      call.headSent = true;
      if (!(await call.write(responseHead))) return;
      await copyEnvelopes(call, res.body);
    } else {
      // Bare body (unary answers, HTTP errors): bounded, sent in one piece after it is complete,
      // so an upstream failure midway can still become a clean error.
      let bytes: Uint8Array;
      try {
        bytes = await readAll(res.body, maxMessageBytes);
      } catch (e) {
        if (call.ending) return;
        if (e instanceof WireError) return call.fail(e.code, `upstream response body: ${e.message}`, 502);
        return call.fail("unavailable", `upstream response failed: ${errText(e)}`, 503);
      }
      call.headSent = true;
      call.resMessages = bytes.byteLength > 0 ? 1 : 0;
      call.resBytes = bytes.byteLength;
      if (!(await call.write(concatBytes([responseHead, bytes]), call.resMessages))) return;
    }
    if (call.ending) return; // whoever ended it (cancel, fail) finishes it
    if (!call.requestEnded) call.drainRequest();
    await call.finish();
  }

  /** Upstream envelopes to the client as it takes them; a broken upstream body becomes the call's error. */
  async function copyEnvelopes(call: Call, body: ReadableStream<Uint8Array>): Promise<void> {
    try {
      await relayEnvelopes(call, new ByteSource(body.getReader(), 0), maxMessageBytes);
    } catch (e) {
      if (call.ending) return;
      if (e instanceof WireError) {
        const message = e.code === "resource_exhausted" ? `upstream ${e.message}` : `upstream stream broken: ${e.message}`;
        return call.fail(e.code === "resource_exhausted" ? "resource_exhausted" : "internal", message, 502);
      }
      return call.fail("unavailable", `upstream stream failed: ${errText(e)}`, 503);
    }
  }

  return { forward, close: () => client.close() };
}

async function readAll(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    n += r.value.byteLength;
    if (n > max) {
      reader.cancel().catch(() => {});
      throw new WireError(`exceeds the limit of ${max} bytes`, "resource_exhausted", 502);
    }
    parts.push(r.value);
  }
  return concatBytes(parts);
}
