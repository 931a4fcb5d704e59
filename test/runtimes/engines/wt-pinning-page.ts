// The page of test/runtimes/firefox-webtransport.test.ts: WebTransport to the gateway pinned by
// serverCertificateHashes, once with the gateway's hash (a unary and a bidi ping-pong must work)
// and once with a wrong hash (the call must fail as a user sees it).

import { Code, codeToString, createClient, createWebTransportTransport, TripleError } from "triple-es";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import type { GatewayEndpoint } from "../../conformance/suite.js";
import { RESULT_GLOBAL } from "./session.js";

export interface PinningResult {
  readonly rightHash: { readonly text: string; readonly pingPong: number[] };
  readonly wrongHash: { readonly code: string; readonly message: string };
}

const config = JSON.parse(decodeURIComponent(location.hash.slice(1))) as GatewayEndpoint;

const transport = (hash: string) => createWebTransportTransport({ url: config.url, serverCertificateHashes: [{ algorithm: "sha-256", value: hash }] });

async function run(): Promise<PinningResult> {
  const right = transport(config.certSha256);
  try {
    const client = createClient(InteropService, right);
    const { text } = await client.unary({ text: "pinned" });
    // Full duplex: each request is sent only after the reply to the one before has arrived.
    const pingPong: number[] = [];
    let replied: (() => void) | undefined;
    const requests = (async function* () {
      for (let seq = 0; seq < 3; seq++) {
        const reply = new Promise<void>((r) => (replied = r));
        yield { seq };
        await reply;
      }
    })();
    for await (const m of client.bidiStream(requests, { timeoutMs: 10_000 })) {
      pingPong.push(m.seq);
      replied?.();
    }
    const wrong = transport(btoa(String.fromCharCode(...new Uint8Array(32).fill(7))));
    const err = await createClient(InteropService, wrong)
      .unary({})
      .then(
        () => new TripleError("the call with a wrong certificate hash succeeded", Code.Unknown),
        (e: unknown) => (e instanceof TripleError ? e : new TripleError(String(e), Code.Unknown)),
      );
    wrong.close("done");
    return { rightHash: { text, pingPong }, wrongHash: { code: codeToString(err.code), message: err.message } };
  } finally {
    right.close("done");
  }
}

(globalThis as Record<string, unknown>)[RESULT_GLOBAL] = run().then((r) => JSON.stringify(r));
