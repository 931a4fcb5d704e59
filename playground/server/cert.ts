// The HTTP/2 listener's certificate: self-signed ECDSA P-256 for 127.0.0.1 and localhost, made with
// openssl on first run and kept in a folder, so a browser that accepted it once keeps accepting it.

import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export interface Cert {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

const DAYS = 90;
const RENEW_BEFORE_MS = 2 * 24 * 3600 * 1000;

function load(certFile: string, keyFile: string): Cert | undefined {
  try {
    const cert = readFileSync(certFile);
    const key = readFileSync(keyFile);
    const x509 = new X509Certificate(cert);
    const usable =
      Date.parse(x509.validTo) - Date.now() > RENEW_BEFORE_MS &&
      Date.parse(x509.validFrom) <= Date.now() &&
      x509.checkPrivateKey(createPrivateKey(key)) &&
      x509.checkIP("127.0.0.1") !== undefined;
    return usable ? { certFile, keyFile, cert, key } : undefined;
  } catch {
    return undefined;
  }
}

/** Returns a usable certificate from `dir`, making a new one when none is there or it expires soon. */
export function ensureCert(dir: string): Cert {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const existing = load(certFile, keyFile);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true });
  const tmpCert = `${certFile}.${process.pid}.tmp`;
  const tmpKey = `${keyFile}.${process.pid}.tmp`;
  try {
    // prettier-ignore
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-days", String(DAYS), "-sha256", "-subj", "/CN=triple-es playground",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      // An end-entity certificate: rustls (Deno's gateway) refuses a CA certificate as a server's.
      "-addext", "basicConstraints=critical,CA:FALSE",
      "-addext", "keyUsage=critical,digitalSignature",
      "-addext", "extendedKeyUsage=serverAuth",
      "-keyout", tmpKey, "-out", tmpCert,
    ], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    throw new Error(
      `cannot make the HTTP/2 server's certificate with openssl (${e instanceof Error ? e.message : String(e)}); ` +
        `is openssl installed?`,
    );
  }
  renameSync(tmpKey, keyFile);
  renameSync(tmpCert, certFile);
  rmSync(tmpCert, { force: true });
  const made = load(certFile, keyFile);
  if (!made) throw new Error(`the certificate made in ${dir} is not usable`);
  return made;
}
