// Any failure as the page shows it: code number and name, message, decoded details, metadata.

import { toJson } from "@bufbuild/protobuf";
import { Code, codeToString, TripleError } from "triple-es";
import { typeRegistry } from "./descriptors.js";
import { headersToObject } from "./dom.js";
import type { CallView, ErrorView } from "./state.js";

export function errorView(e: unknown): ErrorView {
  const err = TripleError.from(e);
  const registry = typeRegistry();
  const details = err.details.map((d) => {
    const schema = registry.getMessage(d.type);
    if (schema) {
      try {
        const [decoded] = err.findDetails(schema);
        if (decoded) return { type: d.type, value: toJson(schema, decoded as never, { registry }) };
      } catch {
        // fall through to the server's own rendering
      }
    }
    return { type: d.type, debug: d.debug ?? `${d.value.byteLength} bytes (type not in the loaded schemas)` };
  });
  return {
    code: err.code,
    codeName: codeToString(err.code),
    message: err.rawMessage,
    details,
    metadata: headersToObject(err.metadata),
  };
}

/** A sentence about what to do, for errors that usually mean a setup problem rather than a bug. */
export function errorHint(view: ErrorView, call: Pick<CallView, "url" | "httpStatus">): string | undefined {
  const url = call.url;
  if (view.code === Code.Unavailable && /Failed to fetch|NetworkError|Load failed/i.test(view.message)) {
    if (url.startsWith("https:")) {
      return `The browser refused the connection. If you have not yet accepted the HTTP/2 server's self-signed certificate, open ${new URL(url).origin}/ in a new tab, accept the warning, come back and press "Check again".`;
    }
    return "The browser could not complete the request. Bidi streams fail like this over HTTP/1.1 (Chromium streams request bodies only over HTTP/2); otherwise check that `npm start` is still running.";
  }
  // Only for a 404 from the server: the SDK's own Unimplemented (a dialect refusing a call kind or
  // format before sending) already says what to do.
  if (view.code === Code.Unimplemented && call.httpStatus === 404) {
    return "The server does not serve this method at this URL (HTTP 404). Services from a loaded descriptor set need their own server: pick Custom and enter its URL.";
  }
  return undefined;
}
