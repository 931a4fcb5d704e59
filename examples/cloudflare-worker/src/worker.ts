// A Cloudflare Worker that calls a Triple service (the interop service of this repository's tests):
// GET /?text=hi answers with the unary reply and the messages of a server stream, as JSON.
import { createFetchTransport, TripleError } from "triple-es";
import { createInteropServiceClient } from "../../../test/gen/triple/interop/v1/interop_triple.js";

export interface Env {
  /** Where the Triple server is, e.g. https://api.example.com (a `vars` entry in wrangler.toml). */
  TRIPLE_URL: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const client = createInteropServiceClient(createFetchTransport({ baseUrl: env.TRIPLE_URL, timeoutMs: 30_000 }));
    const text = new URL(request.url).searchParams.get("text") ?? "hello";
    try {
      const reply = await client.unary({ text });
      const stream: number[] = [];
      for await (const message of client.serverStream({ count: 3 })) stream.push(message.seq);
      return Response.json({ text: reply.text, servedBy: reply.servedBy, stream });
    } catch (e) {
      if (!(e instanceof TripleError)) throw e;
      return Response.json({ code: e.code, message: e.rawMessage }, { status: 502 });
    }
  },
};
