import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { callKinds, type CallKind } from "./call-kinds.js";
import { methodDoc, clientInterfaceDoc, factoryDoc } from "./docs.js";
import { methodPropertyNames, serviceNames, type ServiceNames } from "./names.js";

/** One RPC as the printers see it: every decision already made. */
export interface MethodModel {
  readonly method: DescMethod;
  /**
   * Position in `Service.methods`. Generated code indexes by position, not by protoc-gen-es's
   * `localName` keys, because those keys can collide (`GetFoo` and `getFoo`).
   */
  readonly index: number;
  /** The client property, unique within the service and safe on an object literal. */
  readonly property: string;
  readonly kind: CallKind;
  readonly doc: string;
}

/** One service as the printers see it. */
export interface ServiceModel {
  readonly service: DescService;
  readonly names: ServiceNames;
  readonly interfaceDoc: string;
  readonly factoryDoc: string;
  readonly methods: readonly MethodModel[];
}

/**
 * Decides names, kinds and docs once, so the three targets (ts, js, dts) print the same client
 * and cannot drift apart.
 */
export function serviceModel(service: DescService): ServiceModel {
  const names = serviceNames(service);
  const properties = methodPropertyNames(service.methods);
  return {
    service,
    names,
    interfaceDoc: clientInterfaceDoc(service, names),
    factoryDoc: factoryDoc(service, names),
    methods: service.methods.map((method, index) => ({
      method,
      index,
      property: properties[index] ?? method.localName,
      kind: callKinds[method.methodKind],
      doc: methodDoc(method),
    })),
  };
}
