import { createEcmaScriptPlugin } from "@bufbuild/protoplugin";
import { generate } from "./generate.js";
import { version } from "./version.js";

/**
 * protoc-gen-triple-es: typed Triple clients for the descriptors protoc-gen-es emits. It writes
 * all three targets itself (no TypeScript compiler at generation time), so `target=js+dts` is as
 * fast as `target=ts` and needs no `typescript` install. It accepts exactly protoc-gen-es's
 * standard options (`target`, `import_extension`, `js_import_style`, …).
 */
export const protocGenTripleEs = createEcmaScriptPlugin({
  name: "protoc-gen-triple-es",
  version,
  generateTs: (schema) => generate(schema, "ts"),
  generateJs: (schema) => generate(schema, "js"),
  generateDts: (schema) => generate(schema, "dts"),
});
