// A web page calling a Triple service from the browser: a unary call and a server stream.
// The server comes from `?server=` (or VITE_TRIPLE_URL at build time); it must send CORS headers.
import { createFetchTransport, TripleError } from "triple-es";
import { json } from "triple-es/json";
import { createInteropServiceClient } from "../../../test/gen/triple/interop/v1/interop_triple.js";

const baseUrl =
  new URLSearchParams(location.search).get("server") ??
  (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_TRIPLE_URL ??
  "http://127.0.0.1:50051";
const client = createInteropServiceClient(createFetchTransport({ baseUrl, format: json(), timeoutMs: 30_000 }));

const out = document.querySelector<HTMLPreElement>("#out")!;
const input = document.querySelector<HTMLInputElement>("#text")!;

document.querySelector<HTMLFormElement>("#form")!.addEventListener("submit", async (event) => {
  event.preventDefault();
  out.textContent = "";
  try {
    const reply = await client.unary({ text: input.value });
    out.textContent += `unary: ${reply.text}\n`;
    for await (const message of client.serverStream({ count: 3, delayMs: 100 })) {
      out.textContent += `stream: message ${message.seq}\n`;
    }
    out.textContent += "done\n";
  } catch (e) {
    out.textContent += e instanceof TripleError ? `error ${e.code}: ${e.rawMessage}\n` : `error: ${String(e)}\n`;
  }
});
