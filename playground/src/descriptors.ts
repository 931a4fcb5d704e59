// The services the page knows: the playground's own (from the generated protobuf-es code) and any
// loaded from a user's FileDescriptorSet (`buf build -o set.binpb`, or the codegen's --descriptor-set).

import {
  createFileRegistry,
  createRegistry,
  fromBinary,
  type DescFile,
  type DescMethod,
  type DescService,
  type Registry,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { file_playground_v1_backpressure } from "../gen/ts/playground/v1/backpressure_pb.js";
import { file_playground_v1_greeter } from "../gen/ts/playground/v1/greeter_pb.js";

export interface ServiceSource {
  /** Shown above the services: "playground" or the loaded file's name. */
  label: string;
  services: DescService[];
  /** True for the generated code the page was built with (the TS snippet can import it). */
  generated: boolean;
}

const sources: ServiceSource[] = [
  {
    label: "playground (generated)",
    services: [...file_playground_v1_greeter.services, ...file_playground_v1_backpressure.services],
    generated: true,
  },
];
let files: DescFile[] = [file_playground_v1_greeter, file_playground_v1_backpressure];
let registry: Registry = createRegistry(...files);

export function serviceSources(): readonly ServiceSource[] {
  return sources;
}

/** Every message, enum and service known to the page: for JSON (Any fields) and error details. */
export function typeRegistry(): Registry {
  return registry;
}

export function isGenerated(service: DescService): boolean {
  return sources.some((s) => s.generated && s.services.includes(service));
}

/** "package.Service/Method", the path part of the call's URL. */
export function methodPath(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

export function findMethod(path: string): DescMethod | undefined {
  for (const source of sources) {
    for (const service of source.services) {
      for (const method of service.methods) if (methodPath(method) === path) return method;
    }
  }
  return undefined;
}

/**
 * Reads a serialized google.protobuf.FileDescriptorSet and adds its services. The set must be
 * self-contained (buf build includes imports by default; with protoc use --include_imports).
 */
export function loadDescriptorSet(label: string, bytes: Uint8Array): ServiceSource {
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  if (set.file.length === 0) throw new Error("the file holds no FileDescriptorSet (no files in it)");
  const loaded = createFileRegistry(set);
  const loadedFiles = [...loaded.files];
  const services = loadedFiles.flatMap((f) => f.services);
  const source: ServiceSource = { label, services, generated: false };
  // A set loaded twice replaces the earlier one.
  const at = sources.findIndex((s) => s.label === label);
  if (at >= 0) sources.splice(at, 1, source);
  else sources.push(source);
  files = [...files, ...loadedFiles];
  registry = createRegistry(...files.filter((f, i) => files.findIndex((g) => g.name === f.name) === i));
  return source;
}

export const kindLabel: Record<DescMethod["methodKind"], string> = {
  unary: "unary",
  server_streaming: "server stream",
  client_streaming: "client stream",
  bidi_streaming: "bidi",
};
