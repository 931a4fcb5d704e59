import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";
import { runtimeModule } from "./call-kinds.js";
import type { MethodModel, ServiceModel } from "./model.js";

/** The output flavours protoplugin asks for. */
export type Target = "ts" | "js" | "dts";

/**
 * Prints one service's client into `f` for the given target: the interface (ts, dts), then the
 * factory (a typed function for ts, a plain one for js, a declaration for dts).
 */
export function printService(f: GeneratedFile, model: ServiceModel, target: Target): void {
  if (target !== "js") {
    printClientInterface(f, model);
    f.print();
  }
  printFactory(f, model, target);
}

function printClientInterface(f: GeneratedFile, model: ServiceModel): void {
  f.print(f.jsDoc(model.interfaceDoc));
  if (model.methods.length === 0) {
    f.print(f.export("interface", model.names.client), " {}");
    return;
  }
  f.print(f.export("interface", model.names.client), " {");
  model.methods.forEach((m, i) => {
    if (i > 0) f.print();
    f.print(f.jsDoc(m.doc, "  "));
    f.print("  readonly ", m.property, ": ", f.import(m.kind.fnType, runtimeModule, true), typeArgs(f, m), ";");
  });
  f.print("}");
}

function printFactory(f: GeneratedFile, model: ServiceModel, target: Target): void {
  const transport = f.import("Transport", runtimeModule, true);
  const clientOptions = f.import("ClientOptions", runtimeModule, true);
  // A service without methods never reads its parameters; the underscore keeps
  // `noUnusedParameters` quiet in the user's project.
  const unused = model.methods.length === 0 ? "_" : "";
  f.print(f.jsDoc(model.factoryDoc));
  if (target === "dts") {
    f.print(
      f.export("declare function", model.names.factory),
      `(${unused}transport: `, transport, `, ${unused}options?: `, clientOptions, "): ", model.names.client, ";",
    );
    return;
  }
  if (target === "ts") {
    f.print(
      f.export("function", model.names.factory),
      `(${unused}transport: `, transport, `, ${unused}options?: `, clientOptions, "): ", model.names.client, " {",
    );
  } else {
    f.print(f.export("function", model.names.factory), `(${unused}transport, ${unused}options) {`);
  }
  if (model.methods.length === 0) {
    f.print("  return {};");
  } else {
    f.print("  return {");
    for (const m of model.methods) {
      f.print("    ", m.property, ": ", methodFactoryCall(f, model, m, target), ",");
    }
    f.print("  };");
  }
  f.print("}");
}

/**
 * `createUnaryFn<I, O>(findMethod(Greeter, "Say", "unary"), transport, options)`, per target. The
 * method is found by its name and kind, not by position, so a `_pb` file generated from another
 * version of the `.proto` fails as the client is created instead of calling the wrong method.
 */
function methodFactoryCall(f: GeneratedFile, model: ServiceModel, m: MethodModel, target: "ts" | "js"): Printable {
  const factory = f.import(m.kind.factory, runtimeModule);
  const findMethod = f.import("findMethod", runtimeModule);
  const descriptor = [findMethod, "(", f.importSchema(model.service), ", ", f.string(m.method.name), ", ", f.string(m.method.methodKind), ")"];
  if (target === "js") {
    return [factory, "(", descriptor, ", transport, options)"];
  }
  return [factory, typeArgs(f, m), "(", descriptor, ", transport, options)"];
}

/** `<typeof InSchema, typeof OutSchema>`: the schemas are imported for their types only. */
function typeArgs(f: GeneratedFile, m: MethodModel): Printable {
  return ["<typeof ", f.importSchema(m.method.input, true), ", typeof ", f.importSchema(m.method.output, true), ">"];
}
