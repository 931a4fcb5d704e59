// The playground's server: the real @apachedubbo/dubbo-node@3.0.0-alpha hosting the demo services
// of playground/protos (GreeterService, BackpressureService).
//
// Started by `npm start` (scripts/start.mjs) as `node --import tsx server.ts` with this folder as cwd.
// Its dependencies are the dubbo peer's (test/peers/dubbo/node_modules, linked here by
// playground/server/prepare.mjs): protobuf-es v1 stays apart from the page's v2.
//
// Environment:
//   PLAYGROUND_H1_PORT   HTTP/1.1 on 127.0.0.1 (default 0: ephemeral)
//   PLAYGROUND_H2_PORT   HTTP/2 over TLS (HTTP/1.1 too, by ALPN) on 127.0.0.1 (default 0)
//   PLAYGROUND_CERT_DIR  where cert.pem / key.pem are kept (default ./.certs)
//
// Prints one JSON line on stdout when listening: {"h1":"http://…","h2":"https://…","certFile":"…"}.
// A port in use prints a sentence on stderr and exits with code 2. SIGINT / SIGTERM stop it.

import { AsyncLocalStorage } from "node:async_hooks";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Code, DubboError, type DubboRouter, type HandlerContext, type ServiceImpl } from "@apachedubbo/dubbo";
import { dubboNodeAdapter } from "@apachedubbo/dubbo-node";

import { ensureCert } from "./cert.js";
import { BackpressureService } from "./gen/playground/v1/backpressure_dubbo.js";
import { DataChunk, Progress, StreamResponse } from "./gen/playground/v1/backpressure_pb.js";
import { GreeterService } from "./gen/playground/v1/greeter_dubbo.js";
import {
  ChatMessage,
  ErrorDetail,
  type FailWith,
  GreetManyResponse,
  GreetResponse,
  Language,
} from "./gen/playground/v1/greeter_pb.js";

const HOST = "127.0.0.1";
const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Per request: the HTTP version and the Node response, for handlers and for a working signal.

interface RequestInfo {
  httpVersion: string;
  res: http.ServerResponse | http2.Http2ServerResponse;
}
const requestInfo = new AsyncLocalStorage<RequestInfo>();

function httpVersion(): string {
  return requestInfo.getStore()?.httpVersion ?? "";
}

/**
 * dubbo-node 3.0.0-alpha aborts ctx.signal over HTTP/1.1 on Node 20 as soon as the request body
 * was read. There this server uses a signal that fires when the response closes unfinished (the
 * client went away) or when the deadline passes; over HTTP/2 ctx.signal works as it should.
 */
function callSignal(ctx: HandlerContext): AbortSignal {
  const info = requestInfo.getStore();
  if (!info || !info.httpVersion.startsWith("1.")) return ctx.signal;
  const ac = new AbortController();
  const left = ctx.timeoutMs();
  const timer =
    left === undefined
      ? undefined
      : setTimeout(() => ac.abort(new DubboError("the deadline passed", Code.DeadlineExceeded)), Math.max(0, left));
  const onClose = () => {
    clearTimeout(timer);
    if (!info.res.writableFinished) ac.abort(new DubboError("the client went away", Code.Canceled));
  };
  if (info.res.closed) onClose();
  else info.res.once("close", onClose);
  return ac.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(DubboError.from(signal.reason, Code.Canceled));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(DubboError.from(signal.reason, Code.Canceled));
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// GreeterService

const hello: Record<Language, string> = {
  [Language.UNSPECIFIED]: "Hello",
  [Language.ENGLISH]: "Hello",
  [Language.CHINESE]: "你好",
  [Language.SPANISH]: "Hola",
};

function failure(fail: FailWith | undefined): DubboError | undefined {
  if (!fail || fail.code === 0) return undefined;
  const code = fail.code >= 1 && fail.code <= 16 ? (fail.code as Code) : Code.Unknown;
  const details = fail.reason ? [new ErrorDetail({ reason: fail.reason, metadata: { server: "playground" } })] : [];
  return new DubboError(fail.message || "the request asked for this failure", code, { "x-failed-by": "playground" }, details);
}

function requireName(name: string): void {
  if (name.trim() === "") {
    throw new DubboError("name must not be empty", Code.InvalidArgument, undefined, [
      new ErrorDetail({ reason: "EMPTY_NAME", metadata: { field: "name" } }),
    ]);
  }
}

const greeter: ServiceImpl<typeof GreeterService> = {
  async greet(req, ctx) {
    const signal = callSignal(ctx);
    ctx.responseHeader.set("x-greeter", "playground");
    await sleep(req.delayMs, signal);
    const err = failure(req.fail);
    if (err) throw err;
    requireName(req.name);
    ctx.responseTrailer.set("x-greeted", req.name);
    return new GreetResponse({
      greeting: `${hello[req.language] ?? "Hello"}, ${req.name}!`,
      httpVersion: httpVersion(),
      servedAtMs: BigInt(Date.now()),
      tags: req.tags,
    });
  },

  async *greetStream(req, ctx) {
    const signal = callSignal(ctx);
    requireName(req.name);
    const count = Math.min(req.count || 5, 10_000);
    for (let seq = 0; seq < count; seq++) {
      if (req.fail && req.fail.code !== 0 && seq === req.failAfter) throw failure(req.fail)!;
      if (seq > 0) await sleep(req.intervalMs, signal);
      yield new GreetResponse({
        greeting: `${hello[req.language] ?? "Hello"}, ${req.name}! (#${seq + 1} of ${count})`,
        httpVersion: httpVersion(),
        servedAtMs: BigInt(Date.now()),
        seq,
      });
    }
    if (req.fail && req.fail.code !== 0 && req.failAfter >= count) throw failure(req.fail)!;
    ctx.responseTrailer.set("x-greetings-sent", String(count));
  },

  async greetMany(requests, ctx) {
    const names: string[] = [];
    for await (const req of requests) {
      const err = failure(req.fail);
      if (err) throw err;
      requireName(req.name);
      names.push(req.name);
    }
    ctx.responseTrailer.set("x-greeted-count", String(names.length));
    return new GreetManyResponse({
      greeting: names.length === 0 ? "Hello, nobody!" : `Hello, ${names.join(", ")}!`,
      count: names.length,
      names,
      httpVersion: httpVersion(),
    });
  },

  async *chat(requests, ctx) {
    const signal = callSignal(ctx);
    let seq = 0;
    for await (const m of requests) {
      const err = failure(m.fail);
      if (err) throw err;
      await sleep(m.delayMs, signal);
      yield new ChatMessage({ text: `you said: ${m.text}`, seq: seq++ });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// BackpressureService, with progress kept per stream id for GetProgress.

interface StreamProgress {
  produced: number;
  consumed: number;
  /** When the producer last yielded a message, if it has not been resumed since. */
  yieldedAt: number | undefined;
  finished: boolean;
  cancelled: boolean;
  started: number;
  ended: number | undefined;
  httpVersion: string;
}

const MAX_TRACKED = 1000;
const progress = new Map<string, StreamProgress>();

function track(streamId: string): StreamProgress {
  const p: StreamProgress = {
    produced: 0,
    consumed: 0,
    yieldedAt: undefined,
    finished: false,
    cancelled: false,
    started: Date.now(),
    ended: undefined,
    httpVersion: httpVersion(),
  };
  if (streamId === "") return p;
  progress.delete(streamId);
  progress.set(streamId, p);
  if (progress.size > MAX_TRACKED) progress.delete(progress.keys().next().value as string);
  return p;
}

function end(p: StreamProgress, finished: boolean): void {
  p.yieldedAt = undefined;
  p.ended = Date.now();
  if (finished) p.finished = true;
  else p.cancelled = true;
}

/** A waiting producer is one suspended at `yield` for longer than this: the transport is not ready. */
const WAITING_AFTER_MS = 20;
const MAX_CHUNK = 1024 * 1024;

const backpressure: ServiceImpl<typeof BackpressureService> = {
  async *serverStream(req, ctx) {
    const signal = callSignal(ctx);
    const p = track(req.streamId);
    const data = new Uint8Array(Math.min(req.chunkSize, MAX_CHUNK));
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    let done = false;
    try {
      for (let seq = 0; seq < req.count; seq++) {
        if (seq > 0) await sleep(req.produceDelayMs, signal);
        if (signal.aborted) throw DubboError.from(signal.reason, Code.Canceled);
        p.yieldedAt = Date.now();
        // The adapter resumes this generator only once it wrote the previous message into the
        // response: a client that does not read stops it here.
        yield new DataChunk({ sequenceNumber: BigInt(seq), data, timestamp: BigInt(Date.now()) });
        p.yieldedAt = undefined;
        p.produced++;
      }
      done = true;
    } finally {
      end(p, done);
    }
  },

  async clientStream(requests, ctx) {
    const signal = callSignal(ctx);
    let p: StreamProgress | undefined;
    let bytes = 0;
    const started = Date.now();
    let done = false;
    try {
      for await (const chunk of requests) {
        p ??= track(chunk.streamId);
        p.consumed++;
        bytes += chunk.data.byteLength;
        await sleep(chunk.consumeDelayMs, signal);
      }
      done = true;
      return new StreamResponse({
        totalChunks: BigInt(p?.consumed ?? 0),
        totalBytes: BigInt(bytes),
        durationMs: BigInt(Date.now() - started),
      });
    } finally {
      if (p) end(p, done);
    }
  },

  async *biStream(requests, ctx) {
    const signal = callSignal(ctx);
    let p: StreamProgress | undefined;
    let done = false;
    try {
      for await (const chunk of requests) {
        p ??= track(chunk.streamId);
        p.consumed++;
        await sleep(chunk.consumeDelayMs, signal);
        p.yieldedAt = Date.now();
        yield new DataChunk({
          sequenceNumber: chunk.sequenceNumber,
          data: chunk.data,
          timestamp: BigInt(Date.now()),
        });
        p.yieldedAt = undefined;
        p.produced++;
      }
      done = true;
    } finally {
      if (p) end(p, done);
    }
  },

  async getProgress(req) {
    const p = progress.get(req.streamId);
    if (!p) return new Progress({ known: false });
    const now = Date.now();
    return new Progress({
      known: true,
      produced: BigInt(p.produced),
      consumed: BigInt(p.consumed),
      producerWaiting: p.yieldedAt !== undefined && now - p.yieldedAt > WAITING_AFTER_MS,
      finished: p.finished,
      cancelled: p.cancelled,
      elapsedMs: BigInt((p.ended ?? now) - p.started),
      httpVersion: p.httpVersion,
    });
  },
};

function routes(router: DubboRouter): void {
  router.service(GreeterService, greeter);
  router.service(BackpressureService, backpressure);
}

// ---------------------------------------------------------------------------------------------
// HTTP: CORS, a page that tells the certificate was accepted, and the dubbo-node adapter.

const adapter = dubboNodeAdapter({ routes });

const cors: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-expose-headers": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-max-age": "7200",
  // Lets the page read nextHopProtocol (h2 or http/1.1) from the Resource Timing entries.
  "timing-allow-origin": "*",
};

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

const acceptedPage = `<!doctype html><meta charset="utf-8"><title>triple-es playground server</title>
<body style="font:16px system-ui;margin:3em">
<h1>Certificate accepted</h1>
<p>This browser now talks to the playground's HTTP/2 server. Close this tab and press
<b>Check again</b> in the playground.</p></body>`;

function handle(req: AnyRequest, res: AnyResponse): void {
  for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
  if (req.method === "OPTIONS") {
    if (req.headers["access-control-request-private-network"] === "true") {
      res.setHeader("access-control-allow-private-network", "true");
    }
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method === "GET" && (req.url === "/" || req.url?.startsWith("/__playground/ping"))) {
    // `/` is what a person opens to accept the certificate; the page probes `/__playground/ping`.
    const ping = req.url !== "/";
    res.writeHead(200, { "content-type": ping ? "application/json" : "text/html; charset=utf-8" });
    res.end(ping ? JSON.stringify({ httpVersion: req.httpVersion }) : acceptedPage);
    return;
  }
  requestInfo.run({ httpVersion: req.httpVersion, res }, () => {
    adapter(req as http.IncomingMessage, res as http.ServerResponse);
  });
}

// ---------------------------------------------------------------------------------------------
// Listeners

function port(name: string): number {
  const v = process.env[name] ?? "";
  const n = v === "" ? 0 : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`playground server: ${name}=${v} is not a port number\n`);
    process.exit(2);
  }
  return n;
}

type AnyServer = http.Server | http2.Http2SecureServer;

function listen(server: AnyServer, p: number, what: string, envName: string): Promise<number> {
  return new Promise((resolvePort) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "EADDRINUSE"
          ? `port ${p} on ${HOST} is already in use (another playground still running?). ` +
            `Stop it, or pick another port with ${envName}=…`
          : err.message;
      process.stderr.write(`playground server: cannot start the ${what} listener: ${why}\n`);
      process.exit(2);
    });
    server.listen(p, HOST, () => {
      const addr = server.address();
      resolvePort(typeof addr === "object" && addr ? addr.port : p);
    });
  });
}

async function main(): Promise<void> {
  const cert = ensureCert(resolve(process.env.PLAYGROUND_CERT_DIR || join(here, ".certs")));
  const h1 = http.createServer(handle);
  const h2 = http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, handle);
  const servers: AnyServer[] = [h1, h2];
  const sockets = new Set<Socket>();
  for (const s of servers) {
    s.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
  }
  const p1 = await listen(h1, port("PLAYGROUND_H1_PORT"), "HTTP/1.1", "PLAYGROUND_H1_PORT");
  const p2 = await listen(h2, port("PLAYGROUND_H2_PORT"), "HTTP/2 (TLS)", "PLAYGROUND_H2_PORT");

  const stop = () => {
    for (const s of servers) s.close();
    for (const socket of sockets) socket.destroy();
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  process.stdout.write(
    JSON.stringify({ h1: `http://${HOST}:${p1}`, h2: `https://${HOST}:${p2}`, certFile: cert.certFile }) + "\n",
  );
}

process.on("unhandledRejection", (reason) => {
  process.stderr.write(`playground server: unhandled rejection: ${String(reason)}\n`);
});

main().catch((err: unknown) => {
  process.stderr.write(`playground server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
