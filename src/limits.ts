/**
 * The default cap on one message's size, in both directions, as gRPC and Connect servers use.
 * In a module of its own so that code needing only the number does not pull in the framing code.
 */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
