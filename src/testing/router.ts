import type { DescMethod } from "@bufbuild/protobuf";
import { serveMethod, type ServeRequest, type ServeResponse } from "./serve.js";
import type { MockService } from "./service-impl.js";

/** One route of a mock: the path a Triple server answers on, and who answers it. */
export interface MockRoute {
  /** `/{package.Service}/{Method}`, case-sensitive, as every Triple server routes. */
  readonly path: string;
  readonly method: DescMethod;
  readonly mock: MockService;
}

/** Every method of every service, implemented or not (unimplemented ones answer Unimplemented). */
export function mockRoutes(services: readonly MockService[]): MockRoute[] {
  return services.flatMap((mock) =>
    mock.service.methods.map((method) => ({ path: `/${mock.service.typeName}/${method.name}`, method, mock })),
  );
}

/**
 * Serves a request by its URL path (after `basePath`); a path no service has is answered 404 with
 * an empty body, as dubbo-js does.
 */
export function serveByPath(routes: ReadonlyMap<string, MockRoute>, path: string, req: ServeRequest): Promise<ServeResponse> {
  const route = routes.get(path);
  if (route === undefined) {
    if (req.body instanceof ReadableStream) void req.body.cancel().catch(() => {});
    return Promise.resolve({ status: 404, headers: new Headers(), body: null });
  }
  return serveMethod(route.mock, route.method, req);
}
