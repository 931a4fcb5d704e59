import type { DescService } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { resolveTransportConfig } from "../transport/config.js";
import type { HttpRequest, HttpResponse, Transport, TransportOptions } from "../transport/transport.js";
import { raceSignal } from "./call-context.js";
import { mockRoutes, serveByPath, type MockRoute } from "./router.js";
import { mockService, type MockService, type MockServiceOptions, type ServiceImpl } from "./service-impl.js";

/** Options of {@link createInMemoryTransport}: every transport option; `baseUrl` is optional. */
export interface InMemoryTransportOptions extends Omit<TransportOptions, "baseUrl"> {
  /** Only seen in URLs (interceptors, error messages). Default `http://in-memory.invalid`. */
  baseUrl?: string;
}

const DEFAULT_BASE_URL = "http://in-memory.invalid";

/**
 * A transport that serves calls from mock handlers in the same process, with no HTTP and no msw,
 * for unit tests. Requests and responses still go through the SDK's real wire code (headers,
 * envelopes, end-of-stream frames, error bodies), so what passes here passes on the network.
 * It is full duplex, and flow control holds both ways: the handler reads a request only when it
 * iterates, and is resumed for the next response only when the client reads.
 *
 * @example
 * const transport = createInMemoryTransport(GreeterService, { say: async (req) => ({ sentence: `Hi ${req.name}` }) });
 * const client = createClient(GreeterService, transport);
 */
export function createInMemoryTransport<S extends DescService>(
  service: S,
  impl: ServiceImpl<S>,
  options?: InMemoryTransportOptions & MockServiceOptions,
): Transport;
/** One transport for several services, each bound with {@link mockService}. */
export function createInMemoryTransport(services: MockService | readonly MockService[], options?: InMemoryTransportOptions): Transport;
export function createInMemoryTransport(
  first: DescService | MockService | readonly MockService[],
  second?: Readonly<Record<string, unknown>> | InMemoryTransportOptions,
  third?: InMemoryTransportOptions & MockServiceOptions,
): Transport {
  const isService = !Array.isArray(first) && "kind" in first && (first as DescService).kind === "service";
  const services: readonly MockService[] = isService
    ? [mockService(first as DescService, (second ?? {}) as ServiceImpl<DescService>, third ?? {})]
    : Array.isArray(first)
      ? first
      : [first as MockService];
  const options = ((isService ? third : second) ?? {}) as InMemoryTransportOptions;
  const config = resolveTransportConfig({ ...options, baseUrl: options.baseUrl ?? DEFAULT_BASE_URL });
  const routes = new Map<string, MockRoute>(mockRoutes(services).map((r) => [r.path, r]));
  const basePath = new URL(config.baseUrl).pathname.replace(/\/$/, "");
  return {
    ...config,
    async roundTrip(req: HttpRequest): Promise<HttpResponse> {
      const path = new URL(req.url).pathname;
      const local = path.startsWith(basePath) ? path.slice(basePath.length) : path;
      const res = await raceSignal(serveByPath(routes, local, { headers: new Headers(req.headers), body: req.body, signal: req.signal }), req.signal);
      const body = res.body === null ? null : res.body instanceof Uint8Array ? bytesStream(res.body) : abortable(res.body, req.signal);
      return { status: res.status, headers: res.headers, body };
    },
    requestStreaming: "full-duplex",
  };
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * The response body, failing with the call's abort reason once its signal fires, as a network
 * transport's body does (a pending read must not outlive the call). Pull-based, nothing read ahead.
 */
function abortable(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await raceSignal(reader.read(), signal);
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          void reader.cancel(e).catch(() => {});
          controller.error(e instanceof TripleError ? e : TripleError.from(e, Code.Unavailable));
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
