import { create, toBinary, toJson, type DescMessage, type MessageInitShape, type Registry } from "@bufbuild/protobuf";
import type { ErrorDetail } from "../errors.js";

/**
 * An error detail for a mock to send, from a message schema and its fields: the bytes, the type
 * name, and the JSON rendering dubbo-js adds as `debug`. Pass it in a thrown TripleError's
 * `details`; the client reads it back with `err.findDetails(schema)`.
 *
 * @example throw new TripleError("slow down", Code.ResourceExhausted, { details: [errorDetail(RetryInfoSchema, { retryAfterMs: 250 })] })
 */
export function errorDetail<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>, registry?: Registry): ErrorDetail {
  const message = create(schema, init);
  return {
    type: schema.typeName,
    value: toBinary(schema, message),
    debug: toJson(schema, message, registry ? { registry } : {}),
  };
}
