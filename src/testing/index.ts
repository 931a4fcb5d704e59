/**
 * Mock Triple services for tests (`triple-es/testing`): msw 2.x handlers that answer on the real
 * wire ({@link tripleHandlers}), and an in-memory transport for tests that need no HTTP at all
 * ({@link createInMemoryTransport}), both built from plain async functions and async generators.
 * An opt-in entry: nothing else imports it, so application bundles carry none of it; `msw` is an
 * optional peer, needed only for `tripleHandlers`.
 */
export { tripleHandlers, type TripleHandlersOptions } from "./msw.js";
export { createInMemoryTransport, type InMemoryTransportOptions } from "./in-memory.js";
export {
  mockService,
  type BidiStreamImpl,
  type ClientStreamImpl,
  type HandlerContext,
  type MethodImpl,
  type MockService,
  type MockServiceOptions,
  type ServerStreamImpl,
  type ServiceImpl,
  type UnaryImpl,
} from "./service-impl.js";
export { delay } from "./delay.js";
export { errorDetail } from "./error-detail.js";
