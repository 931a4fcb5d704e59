import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";

/**
 * Property names a client object must not own. `__proto__` in an object literal sets the
 * prototype instead of a property; the `Object.prototype` names would break printing, JSON and
 * `hasOwnProperty` checks on the client; and a `then` property makes the client a thenable, so
 * `await client` or returning it from an async function would silently call the RPC.
 */
const unsafeProperties: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toJSON",
  "toLocaleString",
  "toString",
  "valueOf",
  "then",
]);

/** The exported names generated for one service. */
export interface ServiceNames {
  /** The client interface, e.g. `GreeterClient`. */
  readonly client: string;
  /** The factory function, e.g. `createGreeterClient`. */
  readonly factory: string;
}

/**
 * Names for a service's exports. The service name is kept verbatim between a fixed prefix and
 * suffix: that mapping is injective, so two services of one file never collide, and neither can
 * be a reserved word. Imports that happen to clash with these names are aliased by protoplugin,
 * because both are declared through `f.export()`.
 */
export function serviceNames(service: DescService): ServiceNames {
  return { client: `${service.name}Client`, factory: `create${service.name}Client` };
}

/**
 * The client property for each method of a service, in declaration order: lowerCamelCase
 * (`get_foo` → `getFoo`), `$`-escaped when unsafe (`then` → `then$`), and `$1`, `$2`… on a
 * collision (`GetFoo` and `get_foo`). Protobuf names never contain `$`, so an escaped name can
 * never equal a plain one; the first method keeps the plain name, so adding a method later
 * never renames an earlier one.
 */
export function methodPropertyNames(methods: readonly DescMethod[]): string[] {
  const taken = new Set<string>();
  return methods.map((method) => {
    const base = lowerCamelCase(method.name);
    let name = unsafeProperties.has(base) ? `${base}$` : base;
    for (let i = 1; taken.has(name); i++) {
      name = `${base}$${i}`;
    }
    taken.add(name);
    return name;
  });
}

/**
 * `Say_hello` → `sayHello`. A name that would start with a digit after dropping underscores
 * (`_1st`) keeps its protobuf spelling, which is always a valid identifier.
 */
function lowerCamelCase(protoName: string): string {
  const camel = protoCamelCase(protoName);
  if (!/^[A-Za-z]/.test(camel)) {
    return protoName;
  }
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}
