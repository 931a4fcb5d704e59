import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { callKinds, type CallKind } from "./call-kinds.js";
import { methodDoc, clientInterfaceDoc, factoryDoc } from "./docs.js";
import { methodPropertyNames, serviceNames, type ServiceNames } from "./names.js";

/** One RPC as the printers see it: every decision already made. */
export interface MethodModel {
  /** Bound by its `.proto` name in generated code (`findMethod`), never by position. */
  readonly method: DescMethod;
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
      property: properties[index] ?? method.localName,
      kind: callKinds[method.methodKind],
      doc: methodDoc(method),
    })),
  };
}
