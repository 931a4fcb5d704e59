// The three local servers the page can call, and what each one can do: the playground's own
// dubbo-js server (every call kind, HTTP/1.1, HTTP/2, WebTransport), and, when `npm start` could
// build them, the Dubbo Java 3.3 and dubbo-go 3.3 servers of the test suite (test/peers/).
//
// What Java and Go answer here was found on the real servers (see TRIPLE-PROTOCOL.md and the
// conformance suite's server axis): the page says the same thing the SDK's errors say.

import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { Protocol } from "triple-es";
import { dubboGo } from "triple-es/protocol-go";
import { dubboJava } from "triple-es/protocol-java";
import { CamelInteropService, InteropService } from "../../test/gen/triple/interop/v1/interop_pb.js";
import { BackpressureService } from "../gen/ts/playground/v1/backpressure_pb.js";
import { GreeterService } from "../gen/ts/playground/v1/greeter_pb.js";
import type { Support } from "./capabilities.js";
import { state, viaGateway, type FormatChoice, type ServerChoice } from "./state.js";

export interface ServerProfile {
  /** Shown in the server choice. */
  label: string;
  /** The generated services this server serves (loaded descriptor sets are offered for every server). */
  services: DescService[];
  /** The method selected when the server is chosen. */
  firstMethod: DescMethod;
  /** The SDK's dialect for this server; undefined: the default (dubbo-js). */
  protocol: (() => Protocol) | undefined;
}

export const servers: Record<ServerChoice, ServerProfile> = {
  "dubbo-js": {
    label: "dubbo-js",
    services: [GreeterService, BackpressureService],
    firstMethod: GreeterService.method.greet,
    protocol: undefined,
  },
  java: {
    label: "Dubbo Java 3.3",
    // Java routes plain HTTP only when the rpc name is the Java method's name: the lower-camel twin.
    services: [CamelInteropService],
    firstMethod: CamelInteropService.method.unary,
    protocol: dubboJava,
  },
  go: {
    label: "dubbo-go 3.3",
    services: [InteropService, CamelInteropService],
    firstMethod: InteropService.method.unary,
    protocol: dubboGo,
  },
};

/** The chosen server's profile. */
export function currentServer(): ServerProfile {
  return servers[state.server];
}

/** Whether the chosen server is running (dubbo-js always is when the page has servers at all). */
export function serverAvailable(server: ServerChoice): boolean {
  return server === "dubbo-js" || state.servers[server] !== undefined;
}

const GATEWAY_LATER = "choose a path through the gateway (WebTransport or WebSocket), which speaks gRPC to the server.";

/**
 * What a call kind does on the Java or Go server from this page (HTTP/1.1 only: Java through the
 * page's origin, Go directly), and why; undefined for dubbo-js, whose table is per HTTP version.
 */
export function peerSupport(kind: DescMethod["methodKind"], format: FormatChoice): Support | undefined {
  if (state.server !== "dubbo-js" && viaGateway()) {
    if (state.server === "java" && format === "json") {
      return { ok: false, label: "binary only", why: "Over gRPC Dubbo Java 3.3.6 takes only application/grpc+proto: it answers JSON with UNKNOWN. Choose binary." };
    }
    const path = state.http === "ws" ? "WebSocket" : "WebTransport";
    const what = kind === "bidi_streaming" ? "full duplex: each reply arrives while you keep sending" : kind === "unary" ? "one request, one response" : "streams as you send and read";
    const flow = state.http === "ws" ? " The WebSocket carries flow control in-band: the call's credits hold the gateway (and the server) to what the page reads." : "";
    return { ok: true, label: kind === "bidi_streaming" ? "full duplex" : "works", why: `${path} to the gateway, gRPC to the server: ${what}.${flow}` };
  }
  if (state.server === "java") {
    if (format === "binary") {
      return { ok: false, label: "JSON only", why: "Dubbo Java 3.3 takes only JSON over HTTP (415 for application/proto): the SDK fails with Unimplemented before sending. Choose JSON." };
    }
    switch (kind) {
      case "unary":
        return { ok: true, label: "works", why: "JSON over HTTP/1.1, through this page's origin: Java answers no CORS preflight, so a web app needs a same-origin proxy (here Vite's dev server)." };
      case "server_streaming":
        return { ok: true, label: "SSE", why: "Java sends server streams as Server-Sent Events; the SDK reads them only as the page pulls. Java's producer does not wait for a slow reader: it queues what the network does not take." };
      default:
        return { ok: false, label: "gRPC only", why: `Dubbo Java 3.3 carries client and bidi streams only over gRPC: the SDK fails with Unimplemented before sending; ${GATEWAY_LATER}` };
    }
  }
  if (state.server === "go") {
    if (kind === "unary") return { ok: true, label: "works", why: "JSON or binary over HTTP/1.1; dubbo-go sends CORS headers, so the page calls it directly." };
    return { ok: false, label: "gRPC only", why: `dubbo-go streams only over gRPC: the SDK fails with Unimplemented before sending; ${GATEWAY_LATER}` };
  }
  return undefined;
}
