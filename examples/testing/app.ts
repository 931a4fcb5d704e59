// The "app" under test: a small module that talks to a Triple service through a client it is given.
import { Code, TripleError } from "triple-es";
import type { InteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";

/** Greets someone; a missing user is a friendly message, not an exception. */
export async function greet(client: InteropServiceClient, name: string): Promise<string> {
  try {
    const reply = await client.unary({ text: name }, { timeoutMs: 2000 });
    return `Hello, ${reply.text}!`;
  } catch (e) {
    if (e instanceof TripleError && e.code === Code.NotFound) return `Nobody called ${name} here.`;
    throw e;
  }
}

/** Collects a server stream into sequence numbers, stopping at `limit`. */
export async function firstSeqs(client: InteropServiceClient, limit: number): Promise<number[]> {
  const seqs: number[] = [];
  for await (const m of client.serverStream({ count: 100 })) {
    seqs.push(m.seq);
    if (seqs.length === limit) break;
  }
  return seqs;
}
