// The transports the page calls with: the SDK's fetch transport, JSON or binary, with the
// inspecting fetch underneath so the frame log sees every frame.

import { createFetchTransport, type Transport } from "triple-es";
import { json } from "triple-es/json";
import { typeRegistry } from "./descriptors.js";
import { inspectingFetch, type ChunkListener, type FrameListener } from "./inspect-fetch.js";
import type { FormatChoice } from "./state.js";

export interface TransportChoice {
  baseUrl: string;
  format: FormatChoice;
  onFrame?: FrameListener;
  onChunk?: ChunkListener;
}

export function makeTransport(choice: TransportChoice): Transport {
  return createFetchTransport({
    baseUrl: choice.baseUrl,
    format: choice.format === "json" ? json({ registry: typeRegistry() }) : "binary",
    ...(choice.onFrame ? { fetch: inspectingFetch(choice.onFrame, choice.onChunk) } : {}),
  });
}
