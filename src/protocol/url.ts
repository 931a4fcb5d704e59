import type { DescMethod } from "@bufbuild/protobuf";

/**
 * `{baseUrl}/{package.Service}/{Method}`: the path every Triple server routes on, case-sensitive.
 * A base URL may carry a path prefix (a gateway mount point); a trailing slash is tolerated.
 */
export function methodUrl(baseUrl: string, method: DescMethod): string {
  const base = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl;
  return `${base}/${method.parent.typeName}/${method.name}`;
}

/** The origin of a URL (scheme, host, port), or the string itself when it does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
