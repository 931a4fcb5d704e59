import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { applyInterceptors, type UnaryRequest, type UnaryResponse } from "../interceptors.js";
import type { UnaryDialect } from "../protocol/protocol.js";
import { tripleUnary } from "../protocol-triple/unary.js";
import type { Transport } from "../transport/transport.js";
import type { RetryPolicy } from "./retry-hook.js";
import { createCallSignal } from "./call-signal.js";
import { effectiveTimeoutMs } from "./deadline.js";
import { callRequestBase } from "./call-request.js";
import { serializeChecked } from "./serialize.js";
import { reportWholeBody, type UploadProgressHandler } from "./upload-progress.js";

/** Runs one unary call through the interceptors and the transport. */
export async function runUnaryCall(
  binding: MethodBinding,
  request: MessageInitShape<DescMessage>,
  options: CallOptions = {},
): Promise<Message> {
  const { transport, method } = binding;
  const timeoutMs = effectiveTimeoutMs(options.timeoutMs, transport.timeoutMs);
  const call = createCallSignal(options.signal, timeoutMs);
  try {
    // Only the unary half of the default dialect is named here, so unary-only bundles carry no
    // stream code. (Every dialect carries unary calls: what one refuses, such as a format, its
    // request headers refuse before anything is sent.)
    const dialect = transport.protocol?.unary ?? tripleUnary;
    const req: UnaryRequest = {
      ...callRequestBase(binding, dialect.requestHeaders, {
        kind: "unary",
        headers: options.headers,
        signal: call.signal,
        timeoutMs,
      }),
      stream: false,
      message: create(method.input, request),
    };
    const retry = options.retry ?? transport.retry;
    const next = applyInterceptors(
      (r) => sendUnary(transport, dialect, r as UnaryRequest, retry, options.onUploadProgress),
      transport.interceptors,
    );
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

/**
 * The end of the interceptor chain: one HTTP exchange with a bare message each way, repeated with
 * the same bytes by the retry policy (opt-in, `triple-es/retry`) when it fails.
 */
async function sendUnary(
  transport: Transport,
  dialect: UnaryDialect,
  req: UnaryRequest,
  retry: RetryPolicy | false | undefined,
  onUploadProgress?: UploadProgressHandler,
): Promise<UnaryResponse> {
  const { format } = transport;
  let body = serializeChecked(transport, req.method.input, req.message);
  const compression = transport.sendCompression;
  if (compression !== undefined && body.byteLength >= transport.compressMinBytes) {
    body = await compression.compress(body);
    req.header.set("content-encoding", compression.name);
  }
  const attempt = async () => {
    reportWholeBody(onUploadProgress, body);
    return dialect.readResponse(
      await transport.roundTrip({
        url: req.url,
        headers: req.header,
        body,
        bodyKind: "message",
        signal: req.signal,
        rpc: req.method,
      }),
      {
        url: req.url,
        format,
        readMaxBytes: transport.readMaxBytes,
      },
    );
  };
  const { header, trailer, body: bytes } = await (retry ? retry.unary(attempt, req, transport) : attempt());
  let message: Message;
  try {
    message = format.parse(req.method.output, bytes);
  } catch (e) {
    throw new TripleError(`failed to parse the response message: ${String(e)}`, Code.Internal, { cause: e });
  }
  return { stream: false, header, trailer, message };
}
