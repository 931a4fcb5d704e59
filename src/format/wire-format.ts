import type { DescMessage, MessageShape } from "@bufbuild/protobuf";

/**
 * How messages become bytes. A format is an object rather than a string so that a binary
 * client never bundles the JSON code: `json()` lives in its own entry point, `triple-es/json`.
 */
export interface WireFormat {
  /** The content-type suffix: `application/<subtype>` unary, `application/connect+<subtype>` streams. */
  readonly subtype: "proto" | "json";
  serialize<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array;
  parse<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc>;
}
