import type { Schema } from "@bufbuild/protoplugin";
import { serviceModel } from "./model.js";
import { printService, type Target } from "./print-service.js";

const extensions: Readonly<Record<Target, string>> = { ts: ".ts", js: ".js", dts: ".d.ts" };

/**
 * Emits `<name>_triple.<ext>` next to protoc-gen-es's `<name>_pb.<ext>` for every requested
 * file that declares services; files without services get no output at all.
 */
export function generate(schema: Schema, target: Target): void {
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    const f = schema.generateFile(`${file.name}_triple${extensions[target]}`);
    f.preamble(file);
    file.services.forEach((service, i) => {
      if (i > 0) f.print();
      printService(f, serviceModel(service), target);
    });
  }
}
