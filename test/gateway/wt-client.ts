// A minimal WebTransport-over-HTTP/3 client on Deno's raw QUIC API, for the gateway tests.
//
// Deno 2.9.6's WebTransport class cannot half-close a stream (its close() sends no FIN) or reset
// one, so the tests that need FIN use this client: HTTP/3 SETTINGS, the extended CONNECT
// (":protocol webtransport"), then raw bidirectional streams prefixed with 0x41 + session id.
// The tests that play "an SDK on Deno" use the real WebTransport class instead.

import { encodeVarint } from "../../gateway/wire.ts";

export interface WtSession {
  conn: Deno.QuicConn;
  sessionId: number;
  /** A new call stream, its WebTransport header already written. */
  openStream(): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>;
  close(): void;
}

function qpackInt(prefixBits: number, flags: number, value: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** QPACK field section with literal names and values only (no tables, no Huffman). */
function qpackHeaders(fields: [string, string][]): Uint8Array {
  const te = new TextEncoder();
  const out: number[] = [0x00, 0x00]; // required insert count 0, delta base 0
  for (const [name, value] of fields) {
    const n = te.encode(name);
    const v = te.encode(value);
    out.push(...qpackInt(3, 0x20, n.length), ...n, ...qpackInt(7, 0x00, v.length), ...v);
  }
  return Uint8Array.from(out);
}

function h3Frame(type: number, payload: Uint8Array): Uint8Array {
  const t = encodeVarint(type);
  const l = encodeVarint(payload.length);
  const out = new Uint8Array(t.length + l.length + payload.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(payload, t.length + l.length);
  return out;
}

export function hashFromBase64(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export async function connectWebTransport(
  url: string,
  certSha256: string,
  opts: { maxIdleTimeout?: number } = {},
): Promise<WtSession> {
  const u = new URL(url);
  const conn = await Deno.connectQuic({
    hostname: u.hostname,
    port: Number(u.port),
    alpnProtocols: ["h3"],
    maxIdleTimeout: opts.maxIdleTimeout ?? 10_000,
    keepAliveInterval: 2_000,
    // Deno passes this through to its fingerprint verifier (not in the 2.9.6 type declarations).
    serverCertificateHashes: [{ algorithm: "sha-256", value: hashFromBase64(certSha256) }],
  } as Deno.ConnectQuicOptions<false>);

  // Control stream: type 0x00 + SETTINGS (ENABLE_CONNECT_PROTOCOL, H3_DATAGRAM, WT_MAX_SESSIONS).
  const control = await conn.createUnidirectionalStream();
  const settings = [0x08, 1, 0x33, 1, 0xc671706a, 1].flatMap((v) => [...encodeVarint(v)]);
  const cw = control.getWriter();
  await cw.write(Uint8Array.of(0x00, ...h3Frame(0x04, Uint8Array.from(settings))));
  cw.releaseLock(); // keep the control stream open for the connection's life

  const connect = await conn.createBidirectionalStream();
  const sessionId = Number(connect.writable.id);
  const w = connect.writable.getWriter();
  await w.write(h3Frame(0x01, qpackHeaders([
    [":method", "CONNECT"],
    [":protocol", "webtransport"],
    [":scheme", "https"],
    [":authority", u.host],
    [":path", u.pathname + u.search],
  ])));
  w.releaseLock();
  // Response HEADERS: the server encodes ":status 200" as static-table index 25 (0xd9).
  const r = connect.readable.getReader();
  let buf = new Uint8Array();
  for (;;) {
    const x = await r.read();
    if (x.done) throw new Error("WebTransport CONNECT: stream ended before the response");
    buf = Uint8Array.from([...buf, ...x.value]);
    if (buf.length >= 2 && buf[0] === 0x01 && buf.length >= 2 + buf[1]!) break;
  }
  if (!buf.subarray(2).includes(0xd9)) throw new Error(`WebTransport CONNECT refused: ${buf}`);
  r.releaseLock();

  const streamHeader = Uint8Array.from([...encodeVarint(0x41), ...encodeVarint(sessionId)]);
  return {
    conn,
    sessionId,
    async openStream() {
      const s = await conn.createBidirectionalStream({ waitUntilAvailable: true });
      const sw = s.writable.getWriter();
      await sw.write(streamHeader);
      sw.releaseLock();
      return { readable: s.readable, writable: s.writable };
    },
    close() {
      // keep references to the session streams until here
      void control;
      void connect;
      try {
        conn.close({ closeCode: 0x100, reason: "" });
      } catch { /* closed */ }
    },
  };
}
