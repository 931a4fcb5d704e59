import type { DescService } from "@bufbuild/protobuf";
import { http, type HttpHandler } from "msw";
import { mockRoutes } from "./router.js";
import { getAsPost, servesGet } from "./get-query.js";
import { serveMethod, type ServeRequest } from "./serve.js";
import { mockService, type MockService, type MockServiceOptions, type ServiceImpl } from "./service-impl.js";

/** Options of {@link tripleHandlers}. */
export interface TripleHandlersOptions extends MockServiceOptions {
  /** The transport's `baseUrl` the handlers answer under, e.g. `https://api.example.com` or `/api`. */
  baseUrl: string;
}

/**
 * msw 2.x request handlers for a service, one per method, answering on the real wire of the
 * SDK's default dialect (dubbo-js): unary in binary and JSON (side-effect-free methods as GET too,
 * as `httpGet()` sends them), server streams as envelopes and an end-of-stream frame, client
 * streams and bidi from the one request body msw hands over, errors with codes, messages, metadata
 * and details, response headers and trailers. Use them with
 * `setupServer` (Node) or `setupWorker` (browsers), in front of a `createFetchTransport`.
 *
 * @example
 * const server = setupServer(...tripleHandlers(GreeterService, {
 *   say: async (req) => ({ sentence: `Hello, ${req.name}` }),
 *   async *sayStream(req) { yield { sentence: "one" }; yield { sentence: "two" }; },
 * }, { baseUrl: "https://api.example.com" }));
 */
export function tripleHandlers<S extends DescService>(service: S, impl: ServiceImpl<S>, options: TripleHandlersOptions): HttpHandler[];
/** The handlers of a service already bound with {@link mockService}. */
export function tripleHandlers(mock: MockService, options: { baseUrl: string }): HttpHandler[];
export function tripleHandlers(
  first: DescService | MockService,
  second: Readonly<Record<string, unknown>> | { baseUrl: string },
  third?: TripleHandlersOptions,
): HttpHandler[] {
  const isMock = "impl" in first;
  const mock = isMock ? first : mockService(first, second as ServiceImpl<DescService>, third ?? { baseUrl: "" });
  const baseUrl = isMock ? (second as { baseUrl: string }).baseUrl : third?.baseUrl;
  if (typeof baseUrl !== "string") throw new TypeError("tripleHandlers: options.baseUrl is required (the transport's baseUrl)");
  const base = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl;
  const respond = async (route: ReturnType<typeof mockRoutes>[number], req: ServeRequest) => {
    const res = await serveMethod(route.mock, route.method, req);
    return new Response(res.body as BodyInit | null, { status: res.status, headers: res.headers });
  };
  return mockRoutes([mock]).flatMap((route) => [
    http.post(`${base}${route.path}`, ({ request }) =>
      respond(route, { headers: request.headers, body: request.body, signal: request.signal }),
    ),
    // Side-effect-free unary methods also answer GET, as dubbo-js does (httpGet() in triple-es/http-get).
    ...(servesGet(route.method)
      ? [http.get(`${base}${route.path}`, ({ request }) => respond(route, getAsPost(new URL(request.url), request.headers, request.signal)))]
      : []),
  ]);
}
