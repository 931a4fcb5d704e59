import type { DescService } from "@bufbuild/protobuf";

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
 * Method properties come from the runtime's own naming function, compiled into this package from
 * the runtime's source, so `createClient` and generated clients can never name a method differently.
 */
export { methodPropertyNames } from "../../src/method-names.js";
