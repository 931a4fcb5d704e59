// A short-lived self-signed certificate for development, made with WebCrypto and a small DER
// writer (no openssl needed). Chromium accepts a certificate pinned with serverCertificateHashes
// only when it is X.509v3, ECDSA P-256 and valid for less than 14 days.

export interface DevCert {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
  /** Base64 of the SHA-256 of the certificate's DER: the value for serverCertificateHashes. */
  sha256: string;
  notAfter: Date;
}

// ---------------------------------------------------------------------------------------------
// DER

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const body = concat(content);
  return concat([Uint8Array.from([tag, ...len(body.byteLength)]), body]);
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

const seq = (...c: Uint8Array[]) => tlv(0x30, ...c);
const set = (...c: Uint8Array[]) => tlv(0x31, ...c);
const octets = (b: Uint8Array) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const bool = (v: boolean) => tlv(0x01, Uint8Array.of(v ? 0xff : 0));

/** An unsigned big-endian integer as a DER INTEGER (minimal, positive). */
function uint(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0]! & 0x80 ? concat([Uint8Array.of(0), b]) : b);
}

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const b = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function utcTime(d: Date): Uint8Array {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

function pem(label: string, der: Uint8Array): string {
  const b64 = base64(der);
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// ---------------------------------------------------------------------------------------------

const ECDSA_WITH_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/**
 * Generates an ECDSA P-256 certificate for 127.0.0.1 (and localhost), valid from one hour ago for
 * `days` days in total (at most 13, Chromium's limit for pinned certificates is 14).
 */
export async function generateDevCert(days = 10, hosts: { ips?: string[]; dns?: string[] } = {}): Promise<DevCert> {
  if (!(days > 0 && days <= 13)) throw new RangeError("a development certificate lives 1–13 days");
  const ips = hosts.ips ?? ["127.0.0.1"];
  const dns = hosts.dns ?? ["localhost"];
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));

  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
  const notAfter = new Date(notBefore.getTime() + days * 86400_000);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f;
  const name = seq(set(seq(oid("2.5.4.3"), utf8("triple-es gateway (development)"))));

  const san = seq(
    ...ips.map((ip) => tlv(0x87, Uint8Array.from(ip.split(".").map(Number)))),
    ...dns.map((d) => tlv(0x82, new TextEncoder().encode(d))),
  );
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid("2.5.29.17"), octets(san)),
      seq(oid("2.5.29.19"), bool(true), octets(seq())), // basicConstraints: CA false
      seq(oid("2.5.29.15"), bool(true), octets(tlv(0x03, Uint8Array.of(7, 0x80)))), // digitalSignature
      seq(oid("2.5.29.37"), octets(seq(oid("1.3.6.1.5.5.7.3.1")))), // serverAuth
    ),
  );
  const tbs = seq(
    tlv(0xa0, uint(Uint8Array.of(2))), // v3
    uint(serial),
    ECDSA_WITH_SHA256,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    spki,
    extensions,
  );
  // WebCrypto returns r‖s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const rs = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, tbs));
  const sig = seq(uint(rs.subarray(0, 32)), uint(rs.subarray(32)));
  const der = seq(tbs, ECDSA_WITH_SHA256, tlv(0x03, Uint8Array.of(0), sig));
  const sha256 = base64(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
  return { cert: pem("CERTIFICATE", der), key: pem("PRIVATE KEY", pkcs8), sha256, notAfter };
}

/** SHA-256 (base64) of the first certificate in a PEM text. */
export async function pemCertSha256(pemText: string): Promise<string> {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pemText);
  if (!m) throw new Error("no PEM certificate found");
  const der = Uint8Array.from(atob(m[1]!.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  return base64(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}
