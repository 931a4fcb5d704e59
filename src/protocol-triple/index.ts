import type { Protocol } from "../protocol/protocol.js";
import { tripleStream } from "./stream.js";
import { tripleUnary } from "./unary.js";

/**
 * The dubbo-js dialect (`@apachedubbo/dubbo-node`), Connect-like: the default of every transport,
 * so a transport needs it only to say so explicitly. It carries every call kind in both formats;
 * client streams and bidi need a transport that can stream request bodies.
 */
export function dubboJs(): Protocol {
  return { name: "dubbo-js", refuse: () => undefined, unary: tripleUnary, stream: tripleStream };
}
