// "Copy as curl" and "TypeScript snippet" for the current method, request and connection settings.

import { toBinary, toJsonString, type DescMethod, type Message } from "@bufbuild/protobuf";
import { encodeEnvelope } from "triple-es/internal";
import { isGenerated, methodPath, typeRegistry } from "./descriptors.js";
import { h, mount } from "./dom.js";
import type { FormatChoice, ServerChoice } from "./state.js";

export interface SnippetInput {
  method: DescMethod;
  /** The requests: one for unary and server streams; the ones to send for client and bidi. */
  messages: Message[];
  baseUrl: string;
  format: FormatChoice;
  headers: Headers;
  timeoutMs: number | undefined;
  /** Whether the SDK build has the flow-control API (`open()`), to show it in the snippet. */
  openApi: boolean;
  /**
   * Set when the call goes over WebTransport to this gateway: the TypeScript snippet uses it, and
   * curl (which has no WebTransport) calls `baseUrl`, the gateway's HTTP/2 upstream, instead.
   */
  webTransport?: { url: string; certSha256: string } | undefined;
  /** Set when the call goes over the gateway's WebSocket at this URL (the TypeScript snippet uses it). */
  webSocketUrl?: string | undefined;
  /** Whose dialect the call speaks: the Java and Go servers take other headers and bodies. */
  server: ServerChoice;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A TypeScript string literal, single-quoted when that needs no escapes (JSON reads better so). */
const tsString = (s: string) => (/['\\\n]/.test(s) ? JSON.stringify(s) : `'${s}'`);

export function curlSnippet(input: SnippetInput): string {
  if (input.server !== "dubbo-js") return peerCurlSnippet(input);
  const { method, messages, baseUrl, format } = input;
  const stream = method.methodKind !== "unary";
  const json = format === "json";
  const type = `application/${stream ? "connect+" : ""}${json ? "json" : "proto"}`;
  const bodies = messages.map((m) =>
    json ? new TextEncoder().encode(toJsonString(method.input, m, { registry: typeRegistry() })) : toBinary(method.input, m),
  );
  const wtNote = input.webTransport || input.webSocketUrl
    ? "# curl speaks neither WebTransport nor the gateway's WebSocket mapping: the same call over HTTP/2, to the server behind the gateway\n"
    : "";
  const args = ["curl", "-sS", "-X POST", quote(`${baseUrl}/${methodPath(method)}`)];
  if (baseUrl.startsWith("https:")) args.push("--http2 -k");
  args.push(`-H ${quote(`content-type: ${type}`)}`, `-H ${quote("tri-protocol-version: 1.0.0")}`);
  if (input.timeoutMs !== undefined) args.push(`-H ${quote(`tri-service-timeout: ${input.timeoutMs}`)}`);
  input.headers.forEach((v, k) => args.push(`-H ${quote(`${k}: ${v}`)}`));
  if (stream) args.push("--no-buffer");
  if (!stream && json) {
    args.push(`--data-raw ${quote(new TextDecoder().decode(bodies[0] ?? new Uint8Array()))}`);
    return wtNote + args.join(" \\\n  ");
  }
  // Binary bodies and stream envelopes go through printf, byte by byte.
  // The 5-byte prefix always as octal escapes, so it reads as a prefix.
  const printed = stream
    ? bodies.map((b) => escapeAll(prefix(b.byteLength)) + escapeBytes(b))
    : bodies.slice(0, 1).map(escapeBytes);
  const printf = `printf ${quote(printed.join(""))}`;
  args.push("--data-binary @-", "--output -");
  const note = stream
    ? "# the response is 5-byte-prefixed envelopes; the last one is the JSON end-of-stream frame\n"
    : json
      ? ""
      : "# the response body is binary protobuf\n";
  return `${wtNote}${note}${printf} |\n${args.join(" \\\n  ")}`;
}

/**
 * The Java and Go servers' HTTP calls: one bare body (JSON; Go also binary) with each one's own
 * timeout header. Java answers a server stream with Server-Sent Events, one JSON message per event.
 */
function peerCurlSnippet(input: SnippetInput): string {
  const { method, messages, baseUrl, format } = input;
  const json = format === "json";
  const java = input.server === "java";
  const body = messages[0];
  const args = ["curl", "-sS", "-X POST", quote(`${baseUrl}/${methodPath(method)}`)];
  args.push(`-H ${quote(`content-type: application/${json ? "json" : "proto"}`)}`);
  if (java) args.push(`-H ${quote("tri-protocol-version: 1.0.0")}`);
  if (input.timeoutMs !== undefined) {
    args.push(`-H ${quote(`${java ? "tri-service-timeout" : "triple-timeout-ms"}: ${input.timeoutMs}`)}`);
  }
  input.headers.forEach((v, k) => args.push(`-H ${quote(`${k}: ${v}`)}`));
  const note = java && method.methodKind === "server_streaming" ? "# the response is Server-Sent Events: one `data:` line of JSON per message\n" : "";
  if (method.methodKind !== "unary" && !(java && method.methodKind === "server_streaming")) {
    return `# ${java ? "Dubbo Java 3.3" : "dubbo-go 3.3"} serves this call kind only over gRPC, not over HTTP`;
  }
  if (java && method.methodKind === "server_streaming") args.push("--no-buffer");
  if (json || body === undefined) {
    const text = body === undefined ? "{}" : toJsonString(method.input, body, { registry: typeRegistry() });
    args.push(`--data-raw ${quote(text)}`);
    return note + args.join(" \\\n  ");
  }
  args.push("--data-binary @-", "--output -");
  return `# the response body is binary protobuf\nprintf ${quote(escapeBytes(toBinary(method.input, body)))} |\n${args.join(" \\\n  ")}`;
}

/** The envelope prefix of an uncompressed message: flags 0, then the length as a big-endian uint32. */
function prefix(n: number): Uint8Array {
  return encodeEnvelope(0, new Uint8Array(n)).subarray(0, 5);
}

function escapeAll(b: Uint8Array): string {
  return [...b].map((byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("");
}

function escapeBytes(b: Uint8Array): string {
  let s = "";
  for (const byte of b) {
    // printable ASCII except quote and backslash stays readable; everything else as \ooo (portable printf)
    s += byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c && byte !== 0x25
      ? String.fromCharCode(byte)
      : `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return s;
}

export function tsSnippet(input: SnippetInput): string {
  const { method, messages, baseUrl, format } = input;
  const service = method.parent;
  const file = service.file.name;
  const requests = messages.map((m) => toJsonString(method.input, m, { registry: typeRegistry() }));
  const req = (i: number) => requests[i] ?? "{}";
  const opts: string[] = [];
  if (input.timeoutMs !== undefined) opts.push(`timeoutMs: ${input.timeoutMs}`);
  const headers: string[] = [];
  input.headers.forEach((v, k) => headers.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}`));
  if (headers.length) opts.push(`headers: { ${headers.join(", ")} }`);
  const optArg = opts.length ? `, { ${opts.join(", ")} }` : "";
  const generated = isGenerated(service);
  const factory = `create${service.name}Client`;
  const wt = input.webTransport;
  const ws = input.webSocketUrl;
  const transportFn = wt ? "createWebTransportTransport" : ws ? "createWebSocketTransport" : "createFetchTransport";
  /** The SDK imports: createClient when asked, and the transport's factory from its entry. */
  const runtimeImports = (withCreateClient: boolean): string[] => {
    const core = [...(withCreateClient ? ["createClient"] : []), ...(ws ? [] : [transportFn])];
    return [
      ...(core.length > 0 ? [`import { ${core.join(", ")} } from "triple-es";`] : []),
      ...(ws ? [`import { createWebSocketTransport } from "triple-es/websocket";`] : []),
    ];
  };
  // Through the gateway the page speaks the Triple mapping: no server dialect.
  const dialect =
    wt || ws
      ? undefined
      : input.server === "java"
      ? { line: `import { dubboJava } from "triple-es/protocol-java";`, option: `  protocol: dubboJava(),` }
      : input.server === "go"
        ? { line: `import { dubboGo } from "triple-es/protocol-go";`, option: `  protocol: dubboGo(),` }
        : undefined;
  const lines = generated
    ? [
        ...runtimeImports(false),
        ...(format === "json" ? [`import { json } from "triple-es/json";`] : []),
        ...(dialect ? [dialect.line] : []),
        `import { fromJsonString } from "@bufbuild/protobuf";`,
        `// generated by: npx triple-es-gen protos --out gen`,
        `import { ${method.input.name}Schema } from "./gen/${file}_pb.js";`,
        `import { ${factory} } from "./gen/${file}_triple.js";`,
      ]
    : [
        ...runtimeImports(true),
        ...(format === "json" ? [`import { json } from "triple-es/json";`] : []),
        ...(dialect ? [dialect.line] : []),
        `import { fromJsonString } from "@bufbuild/protobuf";`,
        `// from protoc-gen-es output for ${file}.proto (or use triple-es-gen for typed clients)`,
        `import { ${service.name}, ${method.input.name}Schema } from "./gen/${file}_pb.js";`,
      ];
  lines.push(
    ``,
    ...(wt
      ? [
          `// WebTransport to the gateway (npm run gateway), full duplex; its --dev-cert pinned by hash`,
          `const transport = createWebTransportTransport({`,
          `  url: ${JSON.stringify(wt.url)},`,
          `  serverCertificateHashes: [{ algorithm: "sha-256", value: ${JSON.stringify(wt.certSha256)} }],`,
        ]
      : ws
        ? [`// WebSocket to the gateway (--ws-port): full duplex, flow control carried in-band`, `const transport = createWebSocketTransport({`, `  url: ${JSON.stringify(ws)},`]
        : [`const transport = createFetchTransport({`, `  baseUrl: ${JSON.stringify(baseUrl)},`, ...(dialect ? [dialect.option] : [])]),
    ...(format === "json" ? [`  format: json(),`] : []),
    `});`,
    generated ? `const client = ${factory}(transport);` : `const client = createClient(${service.name}, transport);`,
    `const request = (json: string) => fromJsonString(${method.input.name}Schema, json);`,
    ``,
  );
  const name = method.localName;
  switch (method.methodKind) {
    case "unary":
      lines.push(`const response = await client.${name}(request(${tsString(req(0))})${optArg});`, `console.log(response);`);
      break;
    case "server_streaming":
      lines.push(
        `// The body is read only as the loop pulls: a slow loop slows the server down.`,
        `for await (const response of client.${name}(request(${tsString(req(0))})${optArg})) {`,
        `  console.log(response);`,
        `}`,
      );
      if (input.openApi) {
        lines.push(
          ``,
          `// Or with manual flow control (Dubbo's disableAutoRequestWithInitial + request(n)):`,
          `const call = client.${name}.open(request(${tsString(req(0))}), { initialRequest: 5 });`,
          `const reader = call.responses.getReader();`,
          `for (let r = await reader.read(); !r.done; r = await reader.read()) {`,
          `  console.log(r.value);`,
          `  call.request(1);`,
          `}`,
        );
      }
      break;
    case "client_streaming":
    case "bidi_streaming": {
      const list = requests.length ? requests : ["{}"];
      lines.push(
        method.methodKind === "bidi_streaming"
          ? `// Needs a streaming request body: Chromium over HTTP/2 (https).`
          : `// Streams over HTTP/2; where the browser cannot stream (HTTP/1.1), the SDK sends one body on close.`,
        `async function* requests() {`,
        ...list.slice(0, 5).map((r) => `  yield request(${tsString(r)});`),
        ...(list.length > 5 ? [`  // … ${list.length - 5} more`] : []),
        `}`,
        method.methodKind === "client_streaming"
          ? `console.log(await client.${name}(requests()${optArg}));`
          : `for await (const response of client.${name}(requests()${optArg})) console.log(response);`,
      );
      if (input.openApi) {
        lines.push(
          ``,
          `// Or with send-side flow control (Dubbo's isReady / onReady):`,
          `const call = client.${name}.open(${optArg.slice(2) || ""});`,
          `for await (const message of requests()) {`,
          `  if (!call.isReady) await call.ready;`,
          `  call.send(message);`,
          `}`,
          `call.close();`,
          method.methodKind === "client_streaming"
            ? `console.log(await call.response);`
            : `for await (const response of call.responses) console.log(response);`,
        );
      }
      break;
    }
  }
  return lines.join("\n");
}

export class Snippets {
  private readonly curl = h("pre", { id: "curl-snippet", class: "snippet" });
  private readonly ts = h("pre", { id: "ts-snippet", class: "snippet" });

  constructor(host: HTMLElement) {
    const copy = (el: HTMLElement, what: string) =>
      h("button", {
        class: "small",
        onclick: async (e: Event) => {
          const button = e.currentTarget as HTMLButtonElement;
          try {
            await navigator.clipboard.writeText(el.textContent ?? "");
            button.textContent = "Copied";
          } catch {
            // Clipboard access can be refused (no focus, permissions): select the text instead.
            getSelection()?.selectAllChildren(el);
            button.textContent = "Selected: press Ctrl+C";
          }
          setTimeout(() => (button.textContent = `Copy ${what}`), 1500);
        },
      }, `Copy ${what}`);
    mount(
      host,
      h("details", { open: true }, h("summary", {}, "curl ", copy(this.curl, "as curl")), this.curl),
      h("details", {}, h("summary", {}, "TypeScript ", copy(this.ts, "TypeScript")), this.ts),
    );
  }

  update(input: SnippetInput | undefined): void {
    if (!input) {
      this.curl.textContent = this.ts.textContent = "(fix the request to see the snippets)";
      return;
    }
    this.curl.textContent = curlSnippet(input);
    this.ts.textContent = tsSnippet(input);
  }
}
