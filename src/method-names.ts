import type { DescMethod } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";

/**
 * Property names a client object must not own. `__proto__` in an object literal sets the
 * prototype instead of a property; the `Object.prototype` names would break printing, JSON and
 * `hasOwnProperty` checks on the client; and a `then` property makes the client a thenable, so
 * `await client` or returning it from an async function would silently call the RPC.
 */
const unsafeProperties: ReadonlySet<string> = new Set<UnsafeProperty>([
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

/** The names in {@link unsafeProperties}, as a type, so {@link MethodProperty} can mirror the rule. */
type UnsafeProperty =
  | "__proto__"
  | "constructor"
  | "hasOwnProperty"
  | "isPrototypeOf"
  | "propertyIsEnumerable"
  | "toJSON"
  | "toLocaleString"
  | "toString"
  | "valueOf"
  | "then";

/**
 * The client property of each method of a service, in declaration order: lowerCamelCase
 * (`get_foo` → `getFoo`), `$`-escaped when unsafe (`then` → `then$`), and `$1`, `$2`… on a
 * collision (`GetFoo` and `get_foo`). Protobuf names never contain `$`, so an escaped name can
 * never equal a plain one; the first method keeps the plain name, so adding a method later never
 * renames an earlier one.
 *
 * One function for both kinds of client: the generator (`protoc-gen-triple-es`) names generated
 * clients' properties with it, and `createClient` names its properties with it, so a service gets
 * the same client API whichever way it is made.
 */
export function methodPropertyNames(methods: readonly Pick<DescMethod, "name">[]): string[] {
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

type Letter =
  | "a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i" | "j" | "k" | "l" | "m"
  | "n" | "o" | "p" | "q" | "r" | "s" | "t" | "u" | "v" | "w" | "x" | "y" | "z";

/** `protoCamelCase` at the type level: each `_` dropped, the character after it upper-cased. */
type ProtoCamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${ProtoCamelCase<Capitalize<Tail>>}`
  : S;

/**
 * The client property {@link methodPropertyNames} gives a method, computed from protoc-gen-es's
 * `localName` key (`lowerFirst(name)`, with `$` after four reserved names), so the type of a
 * `createClient` client names the same properties its object has. Collisions (`GetFoo` and
 * `get_foo`) cannot be typed; generated clients name those (`getFoo$1`).
 */
export type MethodProperty<LocalName extends string> = LocalName extends `${string}$`
  ? LocalName
  : Uncapitalize<ProtoCamelCase<LocalName>> extends infer Camel extends string
    ? Camel extends `${Letter | Uppercase<Letter>}${string}`
      ? Camel extends UnsafeProperty
        ? `${Camel}$`
        : Camel
      : LocalName
    : never;
