/**
 * `triple-es/internal`: the wire-level pieces the SDK is built from, for tools that inspect or
 * forge Triple traffic (the playground's inspector, tests, a gateway). **Not covered by semver**:
 * anything here may change or go in a minor release. Applications need only `triple-es`, whose
 * transports, clients and `createTransport` cover custom and mock transports.
 *
 * @packageDocumentation
 */
export { encodeEnvelope, EnvelopeDecoder, EnvelopeParser, FLAG_COMPRESSED, type Envelope } from "./protocol/envelope.js";
export { FLAG_END_STREAM } from "./protocol-triple/end-stream.js";
export { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from "./call/write-queue.js";
export { createMethodFn } from "./client.js";
