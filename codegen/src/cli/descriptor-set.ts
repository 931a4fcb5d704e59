import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import type { BufInput } from "./inputs.js";
import type { Command } from "./locate.js";
import { runBuf } from "./run-buf.js";

/**
 * Writes one binary `FileDescriptorSet` holding the inputs and everything they import (well-known
 * types included), with source info so tools can show the `.proto` comments. Each input is built
 * by `buf build`; several inputs are merged in order, keeping the first copy of a shared import,
 * so the set stays in dependency order and loads into `createFileRegistry` as is.
 * Resolves with buf's exit code (0 on success).
 */
export async function writeDescriptorSet(options: {
  buf: Command;
  inputs: readonly BufInput[];
  scratch: string;
  dest: string;
}): Promise<number> {
  const parts: Uint8Array[] = [];
  for (const [i, input] of options.inputs.entries()) {
    const file = join(options.scratch, `descriptor-set-${i}.binpb`);
    const code = await runBuf(options.buf, [
      "build",
      input.input,
      ...input.paths.flatMap((p) => ["--path", p]),
      "--as-file-descriptor-set",
      "-o",
      file,
    ]);
    if (code !== 0) return code;
    parts.push(readFileSync(file));
  }
  mkdirSync(dirname(options.dest), { recursive: true });
  writeFileSync(options.dest, parts.length === 1 ? parts[0]! : merge(parts));
  return 0;
}

function merge(parts: readonly Uint8Array[]): Uint8Array {
  const seen = new Set<string>();
  const files: FileDescriptorProto[] = [];
  for (const part of parts) {
    for (const file of fromBinary(FileDescriptorSetSchema, part).file) {
      if (seen.has(file.name)) continue;
      seen.add(file.name);
      files.push(file);
    }
  }
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: files }));
}
