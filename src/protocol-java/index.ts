import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { WireFormat } from "../format/wire-format.js";
import type { Protocol } from "../protocol/protocol.js";
import { javaStream } from "./stream.js";
import { javaUnary } from "./unary.js";
import { jsonOnly } from "./headers.js";

/**
 * The dialect of Dubbo Java 3.3 servers over plain HTTP: unary calls in JSON, server streams as
 * Server-Sent Events. Use it with `format: json()`; Java's HTTP routes take nothing else.
 *
 * What Java 3.3 does not carry over HTTP fails before anything is sent, with `Unimplemented`:
 * the binary format, client streams and bidi streams (Java serves those over gRPC only, which
 * fetch cannot speak: reach them through the triple-es gateway). Java routes HTTP only to rpcs
 * named like their Java method, in lowerCamel (`rpc sayHello`); see the README.
 *
 * @example createFetchTransport({ baseUrl, format: json(), protocol: dubboJava() })
 */
export function dubboJava(): Protocol {
  return { name: "dubbo-java", refuse, unary: javaUnary, stream: javaStream };
}

function refuse(kind: string, format: WireFormat): TripleError | undefined {
  if (kind === "client_streaming" || kind === "bidi_streaming") {
    return new TripleError(
      `Dubbo Java 3.3 serves ${kind === "bidi_streaming" ? "bidi" : "client"} streams only over gRPC, which fetch cannot ` +
        "speak; what works over HTTP is unary and server streaming, in JSON. Reach this method through the triple-es " +
        "gateway, which calls Java over gRPC.",
      Code.Unimplemented,
    );
  }
  return jsonOnly(format);
}
