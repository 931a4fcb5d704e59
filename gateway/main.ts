// Command line for the WebTransport → Triple gateway. See gateway/README.md.
//
//   deno run --unstable-net --allow-net --allow-read gateway/main.ts \
//     --upstream https://127.0.0.1:8443 --upstream-ca ca.pem --dev-cert
//
// Prints one JSON line to stdout when listening:
//   {"url":"https://127.0.0.1:4433/","port":4433,"certSha256":"<base64>","upstream":"…","certNotAfter":"…"}
// and logs one line per session and per call to stderr.

import { generateDevCert, pemCertSha256 } from "./devcert.ts";
import { startGateway, type UpstreamProtocol } from "./gateway.ts";

const USAGE = `usage: deno run --unstable-net --allow-net --allow-read gateway/main.ts --upstream URL [options]

  --upstream URL          the upstream server (https://host:port[/prefix]; for grpc also http:// = h2c)   required
  --upstream-protocol P   triple (default: Triple over HTTP/2 + TLS, bodies passed through) or
                          grpc (gRPC over HTTP/2: Dubbo Java 3.3, dubbo-go 3.3, every call kind)
  --upstream-ca FILE      PEM CA certificate(s) to trust for the upstream (repeatable)
  --max-call-ms N         the gateway's own deadline per call, upstream cancelled (default 300000; 0: none)
  --upstream-keepalive-ms N  grpc: PING a connection silent this long while calls wait on it; close it
                          (its calls: unavailable) when the PING goes unanswered as long (default 20000; 0: off)
  --ws-port N             also serve the WebSocket downstream on this TCP port (0 picks one)
  --ws-tls                serve it as wss:// with --cert/--key (default ws://)
  --allow-origin O        allow WebSockets only from this Origin (repeatable; default any)
  --cert FILE --key FILE  PEM certificate and key for the QUIC listener
  --dev-cert              instead: generate an ECDSA P-256 certificate valid 10 days for 127.0.0.1
                          and print its SHA-256 (for WebTransport serverCertificateHashes)
  --hostname H            listen address (default 127.0.0.1)
  --port N                UDP port (default 4433; 0 picks one)
  --max-streams N         concurrent calls per session (default 100)
  --max-sessions N        concurrent sessions (default 100)
  --max-head-bytes N      largest request head (default 16384)
  --max-message-bytes N   largest message either way (default 4194304)
  --idle-timeout-ms N     QUIC idle timeout (default 10000)
  --quiet                 no per-call log lines`;

interface Args {
  upstream?: string;
  upstreamProtocol?: UpstreamProtocol;
  maxCallMs?: number;
  upstreamKeepaliveMs?: number;
  wsPort?: number;
  wsTls: boolean;
  allowOrigin: string[];
  upstreamCa: string[];
  cert?: string;
  key?: string;
  devCert: boolean;
  hostname: string;
  port: number;
  maxStreams?: number;
  maxSessions?: number;
  maxHeadBytes?: number;
  maxMessageBytes?: number;
  idleTimeoutMs?: number;
  quiet: boolean;
}

function fail(message: string): never {
  console.error(`gateway: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { wsTls: false, allowOrigin: [], upstreamCa: [], devCert: false, hostname: "127.0.0.1", port: 4433, quiet: false };
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) fail(`${name} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!;
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const next = () => value ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case "--upstream": a.upstream = next(); break;
      case "--upstream-protocol": {
        const p = next();
        if (p !== "triple" && p !== "grpc") fail(`--upstream-protocol must be triple or grpc, not ${p}`);
        a.upstreamProtocol = p;
        break;
      }
      case "--max-call-ms": a.maxCallMs = num(flag, next()); break;
      case "--upstream-keepalive-ms": a.upstreamKeepaliveMs = num(flag, next()); break;
      case "--ws-port": a.wsPort = num(flag, next()); break;
      case "--ws-tls": a.wsTls = true; break;
      case "--allow-origin": a.allowOrigin.push(next()); break;
      case "--upstream-ca": a.upstreamCa.push(next()); break;
      case "--cert": a.cert = next(); break;
      case "--key": a.key = next(); break;
      case "--dev-cert": a.devCert = true; break;
      case "--hostname": a.hostname = next(); break;
      case "--port": a.port = num(flag, next()); break;
      case "--max-streams": a.maxStreams = num(flag, next()); break;
      case "--max-sessions": a.maxSessions = num(flag, next()); break;
      case "--max-head-bytes": a.maxHeadBytes = num(flag, next()); break;
      case "--max-message-bytes": a.maxMessageBytes = num(flag, next()); break;
      case "--idle-timeout-ms": a.idleTimeoutMs = num(flag, next()); break;
      case "--quiet": a.quiet = true; break;
      case "-h":
      case "--help":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        fail(`unknown argument ${flag}`);
    }
  }
  if (!a.upstream) fail("--upstream is required");
  if (a.devCert === (a.cert !== undefined)) fail("give either --cert and --key, or --dev-cert");
  if ((a.cert === undefined) !== (a.key === undefined)) fail("--cert and --key go together");
  return a;
}

// An idle-timeout rejection from an old connection must not end the process (Deno 2.9.6).
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  console.error(`gateway: unhandled rejection: ${e.reason instanceof Error ? e.reason.message : e.reason}`);
});

const args = parseArgs(Deno.args);
let cert: string, key: string, certSha256: string, certNotAfter: string | undefined;
if (args.devCert) {
  const dev = await generateDevCert(10);
  ({ cert, key } = dev);
  certSha256 = dev.sha256;
  certNotAfter = dev.notAfter.toISOString();
} else {
  cert = await Deno.readTextFile(args.cert!);
  key = await Deno.readTextFile(args.key!);
  certSha256 = await pemCertSha256(cert);
}

const gateway = startGateway({
  upstream: args.upstream!,
  upstreamProtocol: args.upstreamProtocol,
  maxCallDurationMs: args.maxCallMs,
  upstreamKeepaliveMs: args.upstreamKeepaliveMs,
  webSocketPort: args.wsPort,
  webSocketTls: args.wsTls,
  allowedOrigins: args.allowOrigin,
  upstreamCaCerts: await Promise.all(args.upstreamCa.map((f) => Deno.readTextFile(f))),
  hostname: args.hostname,
  port: args.port,
  cert,
  key,
  maxStreamsPerSession: args.maxStreams,
  maxSessions: args.maxSessions,
  maxHeadBytes: args.maxHeadBytes,
  maxMessageBytes: args.maxMessageBytes,
  idleTimeoutMs: args.idleTimeoutMs,
  log: args.quiet ? () => {} : undefined,
});

console.log(JSON.stringify({
  url: gateway.url,
  port: gateway.port,
  certSha256,
  upstream: args.upstream,
  upstreamProtocol: args.upstreamProtocol ?? "triple",
  ...(gateway.webSocketUrl ? { webSocketUrl: gateway.webSocketUrl } : {}),
  ...(certNotAfter ? { certNotAfter } : {}),
}));
console.error(
  `gateway: WebTransport ${gateway.url} → ${args.upstream}` +
    (args.devCert ? `\ngateway: serverCertificateHashes: [{ algorithm: "sha-256", value: base64 "${certSha256}" }]` : ""),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    console.error(`gateway: ${signal}, closing`);
    void gateway.close().finally(() => Deno.exit(0));
    setTimeout(() => Deno.exit(0), 3000);
  });
}
