import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { Protocol } from "../protocol/protocol.js";
import { goUnary } from "./unary.js";

/**
 * The dialect of dubbo-go 3.3 servers over plain HTTP: unary calls in binary or JSON, deadlines
 * in `Triple-Timeout-Ms`, errors as `{"code": "<snake_case>", "message": …}`.
 *
 * dubbo-go streams (every streaming kind) only over gRPC, which fetch cannot speak: a streaming
 * call fails before anything is sent, with `Unimplemented` naming the triple-es gateway.
 *
 * @example createFetchTransport({ baseUrl, protocol: dubboGo() })
 */
export function dubboGo(): Protocol {
  return { name: "dubbo-go", refuse, unary: goUnary, stream: undefined };
}

function refuse(kind: string): TripleError | undefined {
  if (kind === "unary") return undefined;
  return new TripleError(
    `dubbo-go 3.3 serves ${kind.replace("_", " ").replace("streaming", "streams")} only over gRPC, which fetch cannot ` +
      "speak; what works over HTTP is unary, in binary or JSON. Reach this method through the triple-es gateway, " +
      "which calls dubbo-go over gRPC.",
    Code.Unimplemented,
  );
}
