// The real @apachedubbo/dubbo-node@3.0.0-alpha server hosting triple.interop.v1.InteropService
// (test/protos/triple/interop/v1/interop.proto) for the interop tests.
//
// Run: ./node_modules/.bin/tsx server.ts   (after `npm run peers` in the repository root)
//
// Environment:
//   DUBBO_H1_PORT, DUBBO_H2C_PORT, DUBBO_H2TLS_PORT  ports on 127.0.0.1 (default 0: ephemeral)
//   DUBBO_CERT_DIR    where cert.pem / key.pem / cert.sha256 live (default ../.certs)
//   DUBBO_H1_RAW_SIGNAL=1  use ctx.signal as is over HTTP/1.1 (see effectiveSignal below)
//
// On start it prints exactly one JSON line to stdout:
//   {"h1":"http://127.0.0.1:P","h2c":"http://127.0.0.1:P","h2tls":"https://127.0.0.1:P",
//    "certFile":"…","keyFile":"…","certSha256":"<base64 of SHA-256 of the certificate's DER>"}
// Everything else goes to stderr. SIGTERM / SIGINT close the listeners and exit.

import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync } from "node:child_process";
import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import {
  Code,
  DubboError,
  type DubboRouter,
  type HandlerContext,
  type ServiceImpl,
} from "@apachedubbo/dubbo";
import { dubboNodeAdapter } from "@apachedubbo/dubbo-node";

import { InteropService } from "./gen/triple/interop/v1/interop_dubbo.js";
import {
  BidiResponse,
  ClientStreamResponse,
  ErrorDetail,
  type ErrorSpec,
  ReleaseHoldResponse,
  ServerStreamResponse,
  StreamStatsResponse,
  UnaryResponse,
} from "./gen/triple/interop/v1/interop_pb.js";

const HOST = "127.0.0.1";
const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Per-request context: which HTTP version, and the Node response (for the HTTP/1.1 signal fix).

interface RequestInfo {
  httpVersion: string;
  res: http.ServerResponse | http2.Http2ServerResponse;
}
const requestInfo = new AsyncLocalStorage<RequestInfo>();
const rawH1Signal = process.env.DUBBO_H1_RAW_SIGNAL === "1";

// dubbo-node 3.0.0-alpha links ctx.signal to the Node request's "close" event. Over HTTP/1.1 on
// Node 20 that event fires as soon as the request body has been read, so ctx.signal is already
// aborted (plain AbortError) when a unary or server-stream handler starts: honouring it literally
// would fail every delay at once. Over HTTP/1.1 this server therefore uses a replacement signal that
// aborts when the response closes before it finished (client went away), or with
// deadline_exceeded when the deadline ctx.timeoutMs() reports has passed. HTTP/2 uses ctx.signal.
// Set DUBBO_H1_RAW_SIGNAL=1 to observe the unpatched behaviour.
function effectiveSignal(ctx: HandlerContext): AbortSignal {
  const info = requestInfo.getStore();
  if (rawH1Signal || !info || !info.httpVersion.startsWith("1.")) {
    return ctx.signal;
  }
  const ac = new AbortController();
  const res = info.res;
  let timer: NodeJS.Timeout | undefined;
  const remaining = ctx.timeoutMs();
  if (remaining !== undefined) {
    const fire = () => ac.abort(new DubboError("the operation timed out", Code.DeadlineExceeded));
    if (remaining <= 0) fire();
    else timer = setTimeout(fire, remaining);
  }
  const onClose = () => {
    if (timer) clearTimeout(timer);
    if (!res.writableFinished && !ac.signal.aborted) {
      ac.abort(new DubboError("client closed the connection", Code.Canceled));
    }
  };
  if (res.closed) onClose();
  else res.once("close", onClose);
  return ac.signal;
}

function abortError(signal: AbortSignal): DubboError {
  return DubboError.from(signal.reason, Code.Canceled);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Behaviour shared by all methods.

/** Retry hint placed in every ErrorDetail this server attaches (ErrorSpec has no knob for it). */
const DETAIL_RETRY_AFTER_MS = 250;

function toDubboError(spec: ErrorSpec): DubboError {
  const details = spec.detailReason
    ? [new ErrorDetail({ reason: spec.detailReason, retryAfterMs: DETAIL_RETRY_AFTER_MS })]
    : [];
  return new DubboError(spec.message, spec.code as Code, { ...spec.metadata }, details);
}

/** Every request header named x-echo-* goes back as a response header and a trailer, unchanged. */
function echoHeaders(ctx: HandlerContext): void {
  ctx.requestHeader.forEach((value, name) => {
    if (name.toLowerCase().startsWith("x-echo-")) {
      ctx.responseHeader.set(name, value);
      ctx.responseTrailer.set(name, value);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Stream statistics, for GetStreamStats.

interface Stats {
  produced: number;
  consumed: number;
  cancelled: boolean;
  finished: boolean;
}
const MAX_STATS = 10_000;
const stats = new Map<string, Stats>();

function statsFor(streamId: string): Stats {
  const s: Stats = { produced: 0, consumed: 0, cancelled: false, finished: false };
  if (streamId === "") return s; // not recorded
  stats.delete(streamId); // a reused id starts over (and moves to the end of the map)
  stats.set(streamId, s);
  if (stats.size > MAX_STATS) {
    stats.delete(stats.keys().next().value as string);
  }
  return s;
}

/** Marks `cancelled` when the signal fires before the handler finished. */
function watchCancel(signal: AbortSignal, s: Stats): () => void {
  const onAbort = () => {
    if (!s.finished) s.cancelled = true;
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

// ---------------------------------------------------------------------------------------------
// Holds, for ReleaseHold: a handler stops reading until a test releases it.

interface Hold {
  released: boolean;
  waiting: boolean;
  release: () => void;
  promise: Promise<void>;
}
const MAX_HOLDS = 1_000;
const holds = new Map<string, Hold>();

function holdFor(id: string): Hold {
  let h = holds.get(id);
  if (!h) {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    const hold: Hold = { released: false, waiting: false, promise, release: () => {} };
    hold.release = () => {
      hold.released = true;
      release();
    };
    h = hold;
    holds.set(id, h);
    if (holds.size > MAX_HOLDS) holds.delete(holds.keys().next().value as string);
  }
  return h;
}

/** Waits until ReleaseHold(id) (or returns at once if it came first); honours cancellation. */
async function waitForHold(id: string, signal: AbortSignal): Promise<void> {
  if (id === "") return;
  const h = holdFor(id);
  if (h.released) return;
  h.waiting = true;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    void h.promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The service.

function createImpl(servedBy: string): ServiceImpl<typeof InteropService> {
  return {
    async unary(req, ctx) {
      echoHeaders(ctx);
      const signal = effectiveSignal(ctx);
      const requestHeaders: Record<string, string> = {};
      ctx.requestHeader.forEach((value, name) => {
        requestHeaders[name.toLowerCase()] = value;
      });
      // ctx.timeoutMs() is the time left until the deadline taken from TRI-Service-Timeout;
      // reported at handler entry, at least 1 when a deadline exists (0 means none).
      const left = ctx.timeoutMs();
      const timeoutMs = left === undefined ? 0 : Math.max(1, Math.round(left));
      await sleep(req.delayMs, signal);
      if (req.error) throw toDubboError(req.error);
      return new UnaryResponse({
        text: req.text,
        payload: req.payload,
        servedBy,
        requestHeaders,
        timeoutMs,
      });
    },

    async *serverStream(req, ctx) {
      echoHeaders(ctx);
      const signal = effectiveSignal(ctx);
      const s = statsFor(req.streamId);
      const unwatch = watchCancel(signal, s);
      let done = false;
      try {
        const payload = new Uint8Array(Math.max(0, req.size));
        for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
        for (let seq = 0; seq < req.count; seq++) {
          if (req.error && seq === req.errorAfter) {
            done = true;
            throw toDubboError(req.error);
          }
          if (seq > 0) await sleep(req.delayMs, signal);
          if (signal.aborted) throw abortError(signal);
          yield new ServerStreamResponse({ seq, payload });
          s.produced++;
        }
        done = true;
        if (req.error) throw toDubboError(req.error);
      } finally {
        if (done) s.finished = true;
        else if (!s.finished) s.cancelled = true; // stopped early: signal, write failure or return()
        unwatch();
      }
    },

    async clientStream(requests, ctx) {
      echoHeaders(ctx);
      const signal = effectiveSignal(ctx);
      let s: Stats | undefined;
      let unwatch = () => {};
      let count = 0;
      let bytes = 0n;
      let firstSeq = 0;
      let lastSeq = 0;
      let inOrder = true;
      let readDelayMs = 0;
      let done = false;
      try {
        for await (const m of requests) {
          if (count === 0) {
            s = statsFor(m.streamId);
            unwatch = watchCancel(signal, s);
            readDelayMs = m.readDelayMs;
            firstSeq = m.seq;
            await waitForHold(m.holdId, signal);
          } else if (m.seq !== lastSeq + 1) {
            inOrder = false;
          }
          lastSeq = m.seq;
          count++;
          bytes += BigInt(m.payload.byteLength);
          if (s) {
            s.consumed++;
            s.produced = s.consumed; // the proto: "or read (client stream)"
          }
          if (m.error) {
            done = true;
            throw toDubboError(m.error);
          }
          await sleep(readDelayMs, signal);
        }
        done = true;
        return new ClientStreamResponse({ count, bytes, firstSeq, lastSeq, inOrder });
      } finally {
        if (s) {
          if (done) s.finished = true;
          else if (!s.finished) s.cancelled = true;
        }
        unwatch();
      }
    },

    async *bidiStream(requests, ctx) {
      echoHeaders(ctx);
      const signal = effectiveSignal(ctx);
      let s: Stats | undefined;
      let unwatch = () => {};
      let done = false;
      try {
        for await (const m of requests) {
          if (!s) {
            s = statsFor(m.streamId);
            unwatch = watchCancel(signal, s);
            await waitForHold(m.holdId, signal);
          }
          s.consumed++;
          if (m.error) {
            done = true;
            throw toDubboError(m.error);
          }
          await sleep(m.delayMs, signal);
          yield new BidiResponse({ seq: m.seq, payload: m.payload });
          s.produced++;
        }
        done = true;
      } finally {
        if (s) {
          if (done) s.finished = true;
          else if (!s.finished) s.cancelled = true;
        }
        unwatch();
      }
    },

    async releaseHold(req) {
      const h = holdFor(req.holdId);
      const wasWaiting = h.waiting;
      h.release();
      return new ReleaseHoldResponse({ wasWaiting });
    },

    async getStreamStats(req, ctx) {
      echoHeaders(ctx);
      const s = req.streamId === "" ? undefined : stats.get(req.streamId);
      if (!s) return new StreamStatsResponse({ known: false });
      return new StreamStatsResponse({ ...s, known: true });
    },
  };
}

function routes(router: DubboRouter) {
  router.service(InteropService, createImpl("default"));
  router.service(InteropService, createImpl("2.0.0/blue"), {
    serviceVersion: "2.0.0",
    serviceGroup: "blue",
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP: CORS + the dubbo-node adapter.

const adapter = dubboNodeAdapter({ routes });

const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-expose-headers": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-max-age": "7200",
};

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Counts every request this process answered, for `x-response-seq` (see handle()). */
let responseSeq = 0;

function handle(req: AnyRequest, res: AnyResponse): void {
  for (const [k, v] of Object.entries(corsHeaders)) res.setHeader(k, v);
  // For the HTTP GET tests (test/interop/http-get.test.ts, test/browser/http-get.test.ts): which
  // HTTP method arrived, a number no two responses share (a repeated one was served from a cache),
  // and, on request, a Cache-Control header (dubbo-js itself sends none, so nothing is cached).
  res.setHeader("x-request-method", req.method ?? "");
  res.setHeader("x-response-seq", String(++responseSeq));
  const cacheControl = req.headers["x-response-cache-control"];
  if (typeof cacheControl === "string") res.setHeader("cache-control", cacheControl);
  if (req.method === "OPTIONS") {
    if (req.headers["access-control-request-private-network"] === "true") {
      res.setHeader("access-control-allow-private-network", "true");
    }
    res.writeHead(204);
    res.end();
    return;
  }
  requestInfo.run({ httpVersion: req.httpVersion, res }, () => {
    adapter(req as http.IncomingMessage, res as http.ServerResponse);
  });
}

// ---------------------------------------------------------------------------------------------
// Certificate: ECDSA P-256, 10 days, SAN IP:127.0.0.1 + DNS:localhost; reused while valid.

interface CertInfo {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  sha256: string; // base64 of SHA-256(DER)
}

function loadValidCert(certFile: string, keyFile: string): CertInfo | undefined {
  try {
    const cert = readFileSync(certFile);
    const key = readFileSync(keyFile);
    const x509 = new X509Certificate(cert);
    const pkey = createPrivateKey(key);
    const minLeftMs = 24 * 3600 * 1000; // keep at least a day of validity
    if (
      Date.parse(x509.validTo) - Date.now() < minLeftMs ||
      Date.parse(x509.validFrom) > Date.now() ||
      pkey.asymmetricKeyType !== "ec" ||
      pkey.asymmetricKeyDetails?.namedCurve !== "prime256v1" ||
      !x509.checkPrivateKey(pkey) ||
      !x509.checkIP(HOST)
    ) {
      return undefined;
    }
    const sha256 = createHash("sha256").update(x509.raw).digest("base64");
    return { certFile, keyFile, cert, key, sha256 };
  } catch {
    return undefined;
  }
}

function ensureCert(dir: string): CertInfo {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  let info = loadValidCert(certFile, keyFile);
  if (!info) {
    mkdirSync(dir, { recursive: true });
    const tmp = `.tmp-${process.pid}-${Date.now()}`;
    const tmpCert = join(dir, `cert${tmp}.pem`);
    const tmpKey = join(dir, `key${tmp}.pem`);
    try {
      // prettier-ignore
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "10", "-sha256", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature",
        "-addext", "extendedKeyUsage=serverAuth",
        "-keyout", tmpKey, "-out", tmpCert,
      ], { stdio: ["ignore", "ignore", "pipe"] });
      renameSync(tmpKey, keyFile);
      renameSync(tmpCert, certFile);
    } finally {
      rmSync(tmpCert, { force: true });
      rmSync(tmpKey, { force: true });
    }
    info = loadValidCert(certFile, keyFile);
    if (!info) throw new Error(`generated certificate in ${dir} is not usable`);
  }
  const shaFile = join(dir, "cert.sha256");
  const shaText = `${info.sha256}\n`;
  if (!existsSync(shaFile) || readFileSync(shaFile, "utf8") !== shaText) {
    writeFileSync(shaFile, shaText);
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// Listeners.

function portFromEnv(name: string): number {
  const v = process.env[name];
  if (v === undefined || v === "") return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`dubbo peer: ${name}=${v} is not a port number\n`);
    process.exit(1);
  }
  return n;
}

type AnyServer = http.Server | http2.Http2Server | http2.Http2SecureServer;

function listen(server: AnyServer, port: number, label: string): Promise<number> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        process.stderr.write(`dubbo peer: ${label} port ${HOST}:${port} is already in use\n`);
      } else {
        process.stderr.write(`dubbo peer: ${label} cannot listen on ${HOST}:${port}: ${err.message}\n`);
      }
      process.exit(1);
    };
    server.once("error", onError);
    server.listen(port, HOST, () => {
      server.off("error", onError);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

const sockets = new Set<Socket>();
function track(server: AnyServer): void {
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
}

async function main(): Promise<void> {
  const certDir = resolve(process.env.DUBBO_CERT_DIR || join(here, "..", ".certs"));
  const cert = ensureCert(certDir);

  const h1 = http.createServer(handle);
  const h2c = http2.createServer(handle);
  const h2tls = http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, handle);
  const servers: AnyServer[] = [h1, h2c, h2tls];
  servers.forEach(track);

  const [p1, p2, p3] = [
    await listen(h1, portFromEnv("DUBBO_H1_PORT"), "h1"),
    await listen(h2c, portFromEnv("DUBBO_H2C_PORT"), "h2c"),
    await listen(h2tls, portFromEnv("DUBBO_H2TLS_PORT"), "h2tls"),
  ];

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`dubbo peer: ${signal}, closing\n`);
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const socket of sockets) socket.destroy();
    void Promise.all(closed).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  process.stdout.write(
    JSON.stringify({
      h1: `http://${HOST}:${p1}`,
      h2c: `http://${HOST}:${p2}`,
      h2tls: `https://${HOST}:${p3}`,
      certFile: cert.certFile,
      keyFile: cert.keyFile,
      certSha256: cert.sha256,
    }) + "\n",
  );
}

// Keep serving other tests when one request misbehaves.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`dubbo peer: unhandled rejection: ${String(reason)}\n`);
});

main().catch((err: unknown) => {
  process.stderr.write(`dubbo peer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
