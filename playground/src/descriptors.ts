// The services the page knows: the playground's own and the Java and Go servers' (from generated
// protobuf-es code), and any loaded from a user's FileDescriptorSet (`buf build -o set.binpb`, or
// the codegen's --descriptor-set). The browser shows the generated ones the chosen server serves.

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
import { file_triple_interop_v1_interop } from "../../test/gen/triple/interop/v1/interop_pb.js";
import { currentServer } from "./servers.js";

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
  {
    label: "Java and Go servers (test/protos, generated)",
    services: [...file_triple_interop_v1_interop.services],
    generated: true,
  },
];
let files: DescFile[] = [file_playground_v1_greeter, file_playground_v1_backpressure, file_triple_interop_v1_interop];
let registry: Registry = createRegistry(...files);

export function serviceSources(): readonly ServiceSource[] {
  return sources;
}

/** The sources the method browser shows: of the generated services, those the chosen server serves. */
export function visibleSources(): ServiceSource[] {
  const served = currentServer().services;
  return sources
    .map((s) => (s.generated ? { ...s, services: s.services.filter((svc) => served.includes(svc)) } : s))
    .filter((s) => !s.generated || s.services.length > 0);
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

/** The method of a "package.Service/Method" path; a longer URL path (a proxy's prefix) is read by its last two segments. */
export function findMethod(path: string): DescMethod | undefined {
  path = path.split("/").slice(-2).join("/");
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
