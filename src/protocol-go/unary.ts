import type { UnaryDialect } from "../protocol/protocol.js";
import { readUnaryResponse } from "../protocol-triple/unary.js";
import { requestHeaders } from "./headers.js";

/**
 * dubbo-go 3.3's unary calls: on the response side the dubbo-js shape exactly (bare body,
 * `trailer-*` headers, Connect error JSON with its HTTP status table), so that code is shared.
 */
export const goUnary: UnaryDialect = { requestHeaders, readResponse: readUnaryResponse };
