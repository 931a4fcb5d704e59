const PREFIX = "trailer-";

/**
 * Unary responses carry trailers as headers named `trailer-<name>` (HTTP trailers are unusable
 * from fetch). Splits them off, prefix removed, so users see headers and trailers as the server
 * meant them.
 */
export function splitUnaryTrailers(headers: Headers): { header: Headers; trailer: Headers } {
  const header = new Headers();
  const trailer = new Headers();
  headers.forEach((value, name) => {
    if (name.startsWith(PREFIX)) trailer.append(name.slice(PREFIX.length), value);
    else header.append(name, value);
  });
  return { header, trailer };
}
