import type { WireFormat } from "../format/wire-format.js";

/**
 * Triple's content types: unary bodies are bare messages (`application/proto`, `application/json`);
 * streams are enveloped (`application/connect+proto`, `application/connect+json`). The two must
 * not be mixed: dubbo-js answers 415 to a unary type on a stream method and the reverse.
 */
export function contentType(format: WireFormat, stream: boolean): string {
  return stream ? `application/connect+${format.subtype}` : `application/${format.subtype}`;
}

/** Parsed response content type: whether it is a stream type, and its subtype. */
export interface ParsedContentType {
  readonly stream: boolean;
  readonly subtype: string;
}

/** Parses `application/[connect+]<subtype>[; params]`; undefined for anything else (HTML, text). */
export function parseContentType(value: string | null): ParsedContentType | undefined {
  if (value === null) return undefined;
  const match = /^application\/(connect\+)?([a-z0-9.+-]+)\s*(?:;.*)?$/i.exec(value.trim());
  if (match === null) return undefined;
  return { stream: match[1] !== undefined, subtype: match[2]!.toLowerCase() };
}
