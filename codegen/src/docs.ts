import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";
import { callKinds } from "./call-kinds.js";
import type { ServiceNames } from "./names.js";

/**
 * JSDoc text (without the comment markers) for a service's client interface: the `.proto`
 * comments, then a pointer to the factory, so editor hovers explain where the type comes from.
 */
export function clientInterfaceDoc(service: DescService, names: ServiceNames): string {
  return joinParagraphs([
    protoComments(service),
    `Client for the Triple service \`${service.typeName}\`; create one with \`${names.factory}()\`.`,
    service.methods.length === 0 ? "The service declares no methods." : undefined,
    serviceDeprecated(service) ? "@deprecated" : undefined,
  ]);
}

/** JSDoc text for a service's factory function. */
export function factoryDoc(service: DescService, names: ServiceNames): string {
  return joinParagraphs([
    protoComments(service),
    [
      `Creates a \`${names.client}\`: calls \`${service.typeName}\` over \`transport\`.`,
      "`options` (service version and group) apply to every call.",
    ].join("\n"),
    serviceDeprecated(service) ? "@deprecated" : undefined,
  ]);
}

/**
 * JSDoc text for one method: its `.proto` comments, its call kind and full Triple path (what a
 * reader greps server logs and proxies for), and `@deprecated` when the RPC is.
 */
export function methodDoc(method: DescMethod): string {
  const path = `/${method.parent.typeName}/${method.name}`;
  return joinParagraphs([
    protoComments(method),
    `${callKinds[method.methodKind].label} RPC \`POST ${path}\`.`,
    sideEffectFreeUnary(method)
      ? "Side-effect free (`NO_SIDE_EFFECTS`): may be sent as GET, so HTTP caches can keep it, by a transport\n" +
        "created with `httpGet()` from `triple-es/http-get` (dubbo-js servers)."
      : undefined,
    method.deprecated ? "@deprecated" : undefined,
  ]);
}

/**
 * A unary method marked `option idempotency_level = NO_SIDE_EFFECTS;` (value 1 of
 * `MethodOptions.IdempotencyLevel`): the only kind the runtime's opt-in `httpGet` sends as GET.
 */
function sideEffectFreeUnary(method: DescMethod): boolean {
  return method.methodKind === "unary" && (method.idempotency as number) === 1;
}

/** A service counts as deprecated when it, or its whole file, is marked so. */
function serviceDeprecated(service: DescService): boolean {
  return service.deprecated || service.file.deprecated;
}

/**
 * Leading and trailing comments as one block. protoc keeps the space after `//`; it is dropped
 * here so the JSDoc reads naturally. Detached comments are not documentation of this element.
 */
function protoComments(desc: DescService | DescMethod): string | undefined {
  const { leading, trailing } = getComments(desc);
  const blocks = [leading, trailing]
    .filter((c): c is string => c !== undefined && c.trim().length > 0)
    .map((c) =>
      c
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => (line.startsWith(" ") ? line.slice(1) : line))
        .join("\n"),
    );
  return blocks.length > 0 ? blocks.join("\n\n") : undefined;
}

function joinParagraphs(parts: readonly (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined).join("\n\n");
}
