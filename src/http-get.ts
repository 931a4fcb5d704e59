/**
 * `triple-es/http-get`: side-effect-free unary calls as HTTP GET on the fetch transport, for
 * caches (dubbo-js servers only). An entry of its own so that transports without it carry none of
 * its code.
 */
export {
  httpGet,
  DEFAULT_MAX_URL_BYTES,
  type HttpGet,
  type HttpGetOptions,
  type GetRequest,
} from "./transport/http-get.js";
