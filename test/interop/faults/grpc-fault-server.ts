// A loopback gRPC server (HTTP/2 cleartext, prior knowledge) that misbehaves on purpose, for the
// fault suite through the gateway (gateway-faults.test.ts): the gateway calls it with
// `--upstream-protocol grpc`. Each call names its fault in the `x-fault` metadata (parameters in
// `x-fault-*`), and the server answers InteropService/ServerStream with exactly that fault. It
// counts the streams it has open, so a test can prove the gateway left nothing behind.
import { createServer, constants, type Http2Server, type ServerHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import type { AddressInfo } from "node:net";

/** What a fault handler gets. */
export interface GrpcFaultContext {
  readonly stream: ServerHttp2Stream;
  /** The `x-fault-<name>` metadata as a number (0 when absent). */
  param(name: string): number;
  /** Resolves when the stream closed (finished, reset by the gateway, or torn down). */
  readonly closed: Promise<void>;
}

export type GrpcFaultHandler = (ctx: GrpcFaultContext) => Promise<void> | void;

export interface GrpcFaultServer {
  /** http://127.0.0.1:PORT (h2c) */
  readonly url: string;
  /** Streams open right now. */
  readonly openStreams: number;
  /** Streams the gateway reset (RST_STREAM CANCEL) since the start. */
  readonly resets: number;
  close(): Promise<void>;
}

/** Starts the server with one handler per fault name. */
export async function startGrpcFaultServer(handlers: Record<string, GrpcFaultHandler>): Promise<GrpcFaultServer> {
  let open = 0;
  let resets = 0;
  const server: Http2Server = createServer();
  const sessions = new Set<import("node:http2").ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    open++;
    const closed = new Promise<void>((resolve) =>
      stream.once("close", () => {
        open--;
        if (stream.rstCode === constants.NGHTTP2_CANCEL) resets++;
        resolve();
      }),
    );
    stream.on("error", () => {});
    stream.resume(); // the request body (one message) is not needed
    const handler = handlers[String(headers["x-fault"] ?? "")];
    if (handler === undefined) {
      stream.respond({ ":status": 200, "content-type": "application/grpc+proto", "grpc-status": "12", "grpc-message": "no such fault" }, { endStream: true });
      return;
    }
    const ctx: GrpcFaultContext = { stream, closed, param: (name) => Number(headers[`x-fault-${name}`] ?? 0) };
    Promise.resolve(handler(ctx)).catch(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get openStreams() {
      return open;
    },
    get resets() {
      return resets;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The gRPC response head (messages follow, then trailers). */
export function grpcHead(stream: ServerHttp2Stream): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc+proto" }, { waitForTrailers: true });
}

/** Writes `chunk` and waits until HTTP/2 took it (or the stream closed): no unbounded buffering. */
export function writeAndWait(stream: ServerHttp2Stream, chunk: Uint8Array): Promise<void> {
  if (stream.closed || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    if (stream.write(chunk)) return void setImmediate(resolve);
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/** Ends the stream with `grpc-status` (0: OK) in the trailers. */
export function grpcEnd(stream: ServerHttp2Stream, status = 0, message = ""): void {
  if (stream.closed || stream.destroyed) return;
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(status), ...(message ? { "grpc-message": message } : {}) }));
  stream.end();
}
