import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { TransportConfig } from "../transport/transport.js";

/**
 * Serializes an outgoing message and enforces the write limit, so an oversized request fails
 * locally with a clear error instead of being rejected (or worse, accepted) by the server.
 */
export function serializeChecked(config: TransportConfig, schema: DescMessage, message: Message): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = config.format.serialize(schema, message);
  } catch (e) {
    throw new TripleError(`failed to serialize the request: ${String(e)}`, Code.Internal, { cause: e });
  }
  if (bytes.byteLength > config.writeMaxBytes) {
    throw new TripleError(
      `request message of ${bytes.byteLength} bytes exceeds the write limit of ${config.writeMaxBytes} bytes`,
      Code.ResourceExhausted,
    );
  }
  return bytes;
}
