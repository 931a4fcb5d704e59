import type { DescMethod, DescService } from "@bufbuild/protobuf";

/**
 * The method named `name` (its `.proto` name) of `service`, checked to be of `kind`. Generated
 * clients bind each property through this, by name rather than by position in
 * `service.methods`: when the `_pb` file and the `_triple` file were generated from different
 * versions of a `.proto` (methods added, removed or reordered), the client fails as it is created,
 * with a message that says to regenerate, instead of sending a call to the wrong method.
 */
export function findMethod<K extends DescMethod["methodKind"]>(
  service: DescService,
  name: string,
  kind: K,
): DescMethod & { methodKind: K } {
  const method = service.methods.find((m) => m.name === name);
  if (method === undefined || method.methodKind !== kind) {
    const found = method === undefined ? "has no such method" : `declares it ${method.methodKind}`;
    throw new TypeError(
      `${service.typeName}.${name}: the generated client expects a ${kind} method, but the service descriptor ${found}; ` +
        "the _pb and _triple files come from different versions of the .proto: regenerate both",
    );
  }
  return method as DescMethod & { methodKind: K };
}
