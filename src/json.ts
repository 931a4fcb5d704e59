import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import type { Registry } from "@bufbuild/protobuf";
import type { WireFormat } from "./format/wire-format.js";

/** Options for the JSON format. */
export interface JsonFormatOptions {
  /** Needed to read and write `google.protobuf.Any` fields. */
  registry?: Registry;
  /** Accept fields the schema does not know, as a server on a newer schema may send them. Default true. */
  ignoreUnknownFields?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The proto3 JSON format (`application/json`, `application/connect+json`). Import it only where
 * needed: binary clients then carry none of the JSON code.
 *
 * @example createFetchTransport({ baseUrl, format: json() })
 */
export function json(options: JsonFormatOptions = {}): WireFormat {
  const readOptions = {
    ignoreUnknownFields: options.ignoreUnknownFields ?? true,
    ...(options.registry ? { registry: options.registry } : {}),
  };
  const writeOptions = options.registry ? { registry: options.registry } : {};
  return {
    subtype: "json",
    serialize: (schema, message) => encoder.encode(toJsonString(schema, message, writeOptions)),
    parse: (schema, bytes) => fromJsonString(schema, decoder.decode(bytes), readOptions),
  };
}
