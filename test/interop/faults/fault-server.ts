// A loopback HTTP/1.1 server that misbehaves on purpose, for the fault suite: each request names
// its fault in `x-fault` (and its parameters in `x-fault-*`), and the server answers with exactly
// that fault. It counts what it has open, so a test can prove that nothing was left behind.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What a fault handler gets: the request, the response, and the server's bookkeeping. */
export interface FaultContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The `x-fault-<name>` request header as a number (0 when absent). */
  param(name: string): number;
  /** Resolves when the client went away (socket closed or response closed before it finished). */
  readonly gone: Promise<void>;
}

export type FaultHandler = (ctx: FaultContext) => Promise<void> | void;

/** A running fault server. */
export interface FaultServer {
  readonly baseUrl: string;
  /** Sockets open right now. */
  readonly openSockets: number;
  /** Responses started and not yet closed (finished or torn down). */
  readonly openResponses: number;
  /** Bytes the server wrote to response bodies per fault, for "how much did it get out". */
  readonly bytesWritten: Map<string, number>;
  close(): Promise<void>;
}

/** Starts a fault server on 127.0.0.1 with one handler per fault name. */
export async function startFaultServer(handlers: Record<string, FaultHandler>): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  let openResponses = 0;
  const bytesWritten = new Map<string, number>();
  const server = createServer((req, res) => {
    const fault = String(req.headers["x-fault"] ?? "");
    const handler = handlers[fault];
    openResponses++;
    let closed = false;
    const gone = new Promise<void>((resolve) => {
      res.once("close", () => {
        if (!closed) openResponses--;
        closed = true;
        resolve();
      });
    });
    const write = res.write.bind(res) as (chunk: Uint8Array) => boolean;
    res.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      bytesWritten.set(fault, (bytesWritten.get(fault) ?? 0) + chunk.byteLength);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    if (handler === undefined) {
      res.writeHead(404).end();
      return;
    }
    const ctx: FaultContext = {
      req,
      res,
      gone,
      param: (name) => Number(req.headers[`x-fault-${name}`] ?? 0),
    };
    Promise.resolve(handler(ctx)).catch(() => res.destroy());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get openSockets() {
      return sockets.size;
    },
    get openResponses() {
      return openResponses;
    },
    bytesWritten,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Drains a request body (the server must read the request before the client's fetch settles on Node). */
export async function readRequest(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A 5-byte-prefixed envelope. */
export function envelope(flags: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.byteLength);
  out[0] = flags;
  out.writeUInt32BE(payload.byteLength, 1);
  out.set(payload, 5);
  return out;
}

/** The Triple stream's successful end frame. */
export const END_OK = envelope(2, new TextEncoder().encode("{}"));

/** The response head of a Triple stream. */
export function streamHead(res: ServerResponse, extra: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/connect+proto", ...extra });
  res.flushHeaders();
}

export { seeded } from "../../support/seeded.js";

/** Resolves after the next turn of the event loop (lets the socket flush without a fixed wait). */
export const nextTurn = () => new Promise<void>((r) => setImmediate(r));
