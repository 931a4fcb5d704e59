import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { WireFormat } from "./wire-format.js";

/** The protobuf binary format, the default because it is the smallest on the wire and in the bundle. */
export const binaryFormat: WireFormat = {
  subtype: "proto",
  serialize: (schema, message) => toBinary(schema, message),
  parse: (schema, bytes) => fromBinary(schema, bytes),
};
