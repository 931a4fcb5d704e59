import type { DescMethod } from "@bufbuild/protobuf";

/** What the generator needs to know about one RPC call kind. */
export interface CallKind {
  /** The runtime's function type for this kind, e.g. `UnaryFn`. */
  readonly fnType: string;
  /** The runtime factory that builds that function from a method descriptor. */
  readonly factory: string;
  /** Words for the method's JSDoc, so a reader sees the kind without opening the `.proto`. */
  readonly label: string;
}

/**
 * One entry per protobuf method kind. Kept as data so the TS, JS and declaration printers
 * cannot disagree about which runtime symbol a kind maps to.
 */
export const callKinds: Readonly<Record<DescMethod["methodKind"], CallKind>> = {
  unary: { fnType: "UnaryFn", factory: "createUnaryFn", label: "Unary" },
  server_streaming: { fnType: "ServerStreamFn", factory: "createServerStreamFn", label: "Server-streaming" },
  client_streaming: { fnType: "ClientStreamFn", factory: "createClientStreamFn", label: "Client-streaming" },
  bidi_streaming: { fnType: "BidiStreamFn", factory: "createBidiStreamFn", label: "Bidi-streaming" },
};

/** The module every generated client imports its runtime from. */
export const runtimeModule = "triple-es";
