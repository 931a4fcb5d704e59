// Calls a Triple service from Deno: one unary call, one server stream, an error.
//   deno run --allow-net main.ts http://127.0.0.1:50051
import { Code, createFetchTransport, TripleError } from "triple-es";
import { json } from "triple-es/json";
import { createInteropServiceClient } from "../../test/gen/triple/interop/v1/interop_triple.js";

const baseUrl = Deno.args[0] ?? "http://127.0.0.1:50051";
const client = createInteropServiceClient(createFetchTransport({ baseUrl, format: json(), timeoutMs: 30_000 }));

const reply = await client.unary({ text: "hello from Deno" });
console.log(`unary: ${reply.text} (served by ${reply.servedBy})`);

for await (const message of client.serverStream({ count: 3 })) {
  console.log(`stream: message ${message.seq}`);
}

try {
  await client.unary({ error: { code: Code.NotFound, message: "no such greeting" } });
} catch (e) {
  if (!(e instanceof TripleError)) throw e;
  console.log(`error: ${Code[e.code]}: ${e.rawMessage}`);
}
