// A JSON request template for any message, derived from its schema (proto3 JSON names), and a
// one-line description of each field's type for the help under the editor.

import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";

/** Friendlier starting values for the playground's own messages. */
const samples: Record<string, Record<string, unknown>> = {
  "playground.v1.GreetRequest": { name: "world", language: "LANGUAGE_ENGLISH" },
  "playground.v1.GreetStreamRequest": { name: "world", count: 5, intervalMs: 300 },
  "playground.v1.ChatMessage": { text: "hello #{{i}}", seq: "{{i}}" },
  "playground.v1.StreamRequest": { count: 20, chunkSize: 1024, streamId: "", produceDelayMs: 0 },
  "playground.v1.DataChunk": { sequenceNumber: "{{i}}", data: "aGVsbG8=", consumeDelayMs: 0 },
};

const MAX_DEPTH = 3;

/** A JSON value for `message` with every field present. */
export function templateFor(message: DescMessage): Record<string, unknown> {
  return { ...messageTemplate(message, 0, new Set()), ...samples[message.typeName] };
}

function messageTemplate(message: DescMessage, depth: number, seen: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > MAX_DEPTH || seen.has(message.typeName)) return out;
  const inner = new Set(seen).add(message.typeName);
  const oneofsDone = new Set<string>();
  for (const field of message.fields) {
    if (field.oneof) {
      // Only the first member of a oneof: JSON with two members of one oneof is invalid.
      if (oneofsDone.has(field.oneof.name)) continue;
      oneofsDone.add(field.oneof.name);
    }
    out[field.jsonName] = fieldTemplate(field, depth, inner);
  }
  return out;
}

function fieldTemplate(field: DescField, depth: number, seen: Set<string>): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return scalarTemplate(field.scalar);
    case "enum":
      return field.enum.values[0]?.name ?? 0;
    case "message":
      return wktTemplate(field.message) ?? messageTemplate(field.message, depth + 1, seen);
    case "list":
      if (field.listKind === "scalar") return [scalarTemplate(field.scalar)];
      if (field.listKind === "enum") return [field.enum.values[0]?.name ?? 0];
      return [wktTemplate(field.message) ?? messageTemplate(field.message, depth + 1, seen)];
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarTemplate(field.scalar)
          : field.mapKind === "enum"
            ? (field.enum.values[0]?.name ?? 0)
            : (wktTemplate(field.message) ?? messageTemplate(field.message, depth + 1, seen));
      return { [mapKeyTemplate(field.mapKey)]: value };
    }
  }
}

function scalarTemplate(type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return "";
    case ScalarType.BOOL:
      return false;
    case ScalarType.BYTES:
      return "";
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
    case ScalarType.SINT64:
      return "0";
    default:
      return 0;
  }
}

function mapKeyTemplate(type: ScalarType): string {
  if (type === ScalarType.STRING) return "key";
  if (type === ScalarType.BOOL) return "true";
  return "1";
}

/** Well-known types have their own JSON forms. */
function wktTemplate(message: DescMessage): unknown {
  switch (message.typeName) {
    case "google.protobuf.Timestamp":
      return new Date().toISOString();
    case "google.protobuf.Duration":
      return "1s";
    case "google.protobuf.FieldMask":
      return "";
    case "google.protobuf.Struct":
    case "google.protobuf.Empty":
    case "google.protobuf.Any":
      return {};
    case "google.protobuf.Value":
      return null;
    case "google.protobuf.ListValue":
      return [];
    case "google.protobuf.StringValue":
    case "google.protobuf.BytesValue":
      return "";
    case "google.protobuf.BoolValue":
      return false;
    case "google.protobuf.Int64Value":
    case "google.protobuf.UInt64Value":
      return "0";
    case "google.protobuf.Int32Value":
    case "google.protobuf.UInt32Value":
    case "google.protobuf.FloatValue":
    case "google.protobuf.DoubleValue":
      return 0;
    default:
      return undefined;
  }
}

const scalarNames: Record<number, string> = Object.fromEntries(
  Object.entries(ScalarType)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v, k.toLowerCase()]),
);

/** "name: string", "language: Language (LANGUAGE_UNSPECIFIED | …)", "tags: map<string, string>". */
export function describeField(field: DescField): string {
  const type = (() => {
    switch (field.fieldKind) {
      case "scalar":
        return scalarNames[field.scalar] ?? "?";
      case "enum":
        return `${field.enum.name} (${field.enum.values.map((v) => v.name).join(" | ")})`;
      case "message":
        return field.message.typeName;
      case "list":
        return `repeated ${
          field.listKind === "scalar"
            ? scalarNames[field.scalar]
            : field.listKind === "enum"
              ? field.enum.name
              : field.message.typeName
        }`;
      case "map":
        return `map<${scalarNames[field.mapKey]}, ${
          field.mapKind === "scalar"
            ? scalarNames[field.scalar]
            : field.mapKind === "enum"
              ? field.enum.name
              : field.message.typeName
        }>`;
    }
  })();
  return `${field.jsonName}: ${type}${field.oneof ? ` (oneof ${field.oneof.name})` : ""}`;
}
