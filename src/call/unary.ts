import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import { createCallSignal } from "./call-signal.js";
import { callRequestBase } from "./call-request.js";
import type { CallOptions, MethodBinding } from "../client.js";
import { TripleError } from "../errors.js";
import { applyInterceptors, type UnaryRequest, type UnaryResponse } from "../interceptors.js";
import { contentType, parseContentType } from "../protocol-triple/content-type.js";
import { errorFromHttpResponse, unexpectedContentType } from "../protocol/error-json.js";
import { splitUnaryTrailers } from "../protocol-triple/unary-trailers.js";
import { readAllBytes, readErrorText } from "../protocol/read-body.js";
import type { Transport } from "../transport/transport.js";
import { serializeChecked } from "./serialize.js";
import { mergeHeaders } from "../metadata.js";

/** Runs one unary call through the interceptors and the transport. */
export async function runUnaryCall(
  binding: MethodBinding,
  request: MessageInitShape<DescMessage>,
  options: CallOptions = {},
): Promise<Message> {
  const { transport, method } = binding;
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  const call = createCallSignal(options.signal, timeoutMs);
  try {
    const req: UnaryRequest = {
      ...callRequestBase(binding, { stream: false, headers: options.headers, signal: call.signal, timeoutMs }),
      stream: false,
      message: create(method.input, request),
    };
    const next = applyInterceptors((r) => sendUnary(transport, r as UnaryRequest), transport.interceptors);
    const res = (await next(req)) as UnaryResponse;
    options.onHeader?.(res.header);
    options.onTrailer?.(res.trailer);
    return res.message;
  } catch (e) {
    throw call.error(e);
  } finally {
    call.done();
  }
}

/** The end of the interceptor chain: one HTTP exchange with a bare message each way. */
async function sendUnary(transport: Transport, req: UnaryRequest): Promise<UnaryResponse> {
  const { format } = transport;
  let body = serializeChecked(transport, req.method.input, req.message);
  const compression = transport.sendCompression;
  if (compression !== undefined && body.byteLength >= transport.compressMinBytes) {
    body = await compression.compress(body);
    req.header.set("content-encoding", compression.name);
  }
  const res = await transport.roundTrip({ url: req.url, headers: req.header, body, signal: req.signal });
  const { header, trailer } = splitUnaryTrailers(res.headers);
  if (res.status !== 200) {
    throw errorFromHttpResponse(res.status, mergeHeaders(header, trailer), await readErrorText(res.body));
  }
  const type = parseContentType(res.headers.get("content-type"));
  if (type === undefined || type.stream || type.subtype !== format.subtype) {
    const metadata = mergeHeaders(header, trailer);
    throw unexpectedContentType(metadata, contentType(format, false), await readErrorText(res.body));
  }
  const bytes = await readAllBytes(res.body, transport.readMaxBytes);
  let message: Message;
  try {
    message = format.parse(req.method.output, bytes);
  } catch (e) {
    throw new TripleError(`failed to parse the response message: ${String(e)}`, Code.Internal, { cause: e });
  }
  return { stream: false, header, trailer, message };
}
