// Processes and wire helpers for the gateway tests (Deno).

import { encodeFrame, encodeJsonFrame } from "../../gateway/wire.ts";

export const repoRoot = new URL("../../", import.meta.url).pathname;

export interface DubboInfo {
  h1: string;
  h2c: string;
  h2tls: string;
  certFile: string;
  keyFile: string;
  certSha256: string;
}

export interface Proc {
  readonly info: Record<string, unknown>;
  readonly stderr: string[];
  readonly child: Deno.ChildProcess;
  kill(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Spawns a process that prints one JSON line on stdout when ready. */
export async function spawnReady(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; label: string }): Promise<Proc> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  const echo = Deno.env.get("GATEWAY_TEST_LOG") === "1";
  void (async () => {
    let partial = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const l of lines) {
        stderr.push(l);
        if (echo) console.error(`[${opts.label}] ${l}`);
      }
    }
  })().catch(() => {});
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let info: Record<string, unknown> | undefined;
  try {
    while (!info) {
      const r = await lines.read();
      if (r.done) throw new Error(`${opts.label} exited before it was ready:\n${stderr.join("\n")}`);
      buf += r.value;
      for (let nl; (nl = buf.indexOf("\n")) >= 0;) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) {
          info = JSON.parse(line);
          break;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
  // keep draining stdout
  void (async () => {
    while (!(await lines.read()).done) { /* drain */ }
  })().catch(() => {});
  let status: Promise<Deno.CommandStatus> | undefined;
  return {
    info,
    stderr,
    child,
    kill(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      return (status ??= child.status);
    },
  };
}

/** The dubbo-js peer: from DUBBO_INFO (set by the vitest wrapper) or started here. */
export async function dubboServer(): Promise<{ info: DubboInfo; stop(): Promise<void> }> {
  const fromEnv = Deno.env.get("DUBBO_INFO");
  if (fromEnv) return { info: JSON.parse(fromEnv), stop: async () => {} };
  const p = await spawnReady("node", ["--import", "tsx", "server.ts"], {
    cwd: `${repoRoot}test/peers/dubbo`,
    label: "dubbo",
  });
  return { info: p.info as unknown as DubboInfo, stop: async () => void (await p.kill()) };
}

export interface GatewayProc extends Proc {
  url: string;
  port: number;
  certSha256: string;
}

export async function startGatewayProcess(args: string[]): Promise<GatewayProc> {
  const p = await spawnReady(Deno.execPath(), [
    "run", "--config", `${repoRoot}gateway/deno.json`, "--unstable-net", "--allow-net", "--allow-read",
    `${repoRoot}gateway/main.ts`, ...args,
  ], { label: "gateway" });
  return Object.assign(p, {
    url: p.info.url as string,
    port: p.info.port as number,
    certSha256: p.info.certSha256 as string,
  });
}

// ---------------------------------------------------------------------------------------------
// Wire helpers, written independently of the gateway's parser.

const te = new TextEncoder();
const td = new TextDecoder();

export const SERVICE = "/triple.interop.v1.InteropService";

export function requestHead(method: string, contentType: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Uint8Array {
  return encodeJsonFrame(0, {
    v: 1,
    path: `${SERVICE}/${method}`,
    headers: { "content-type": contentType, "tri-protocol-version": "1.0.0", ...headers },
    ...extra,
  });
}

export const jsonMessage = (obj: unknown) => encodeFrame(0, te.encode(JSON.stringify(obj)));
export const endFrame = (obj: unknown = {}) => encodeJsonFrame(0x02, obj);
export const cancelFrame = (message = "test cancel") => endFrame({ error: { code: "canceled", message } });

/** Reads frames and bytes from a response stream. */
export class FrameReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf = new Uint8Array(0);
  #done = false;
  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }
  async #fill(n: number): Promise<boolean> {
    while (this.#buf.length < n) {
      if (this.#done) return false;
      const r = await this.#reader.read();
      if (r.done) {
        this.#done = true;
        return this.#buf.length >= n;
      }
      const b = new Uint8Array(this.#buf.length + r.value.length);
      b.set(this.#buf);
      b.set(r.value, this.#buf.length);
      this.#buf = b;
    }
    return true;
  }
  #take(n: number): Uint8Array {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }
  /** The next frame, or null at a clean end; throws on a truncated frame. */
  async frame(): Promise<{ flags: number; payload: Uint8Array; json: () => any; text: () => string } | null> {
    if (!(await this.#fill(1))) return null;
    if (!(await this.#fill(5))) throw new Error("truncated frame prefix");
    const len = new DataView(this.#buf.buffer, this.#buf.byteOffset).getUint32(1);
    if (!(await this.#fill(5 + len))) throw new Error("truncated frame");
    const f = this.#take(5 + len);
    const payload = f.subarray(5);
    return { flags: f[0]!, payload, json: () => JSON.parse(td.decode(payload)), text: () => td.decode(payload) };
  }
  async head(): Promise<{ v: number; status: number; headers: Record<string, string> }> {
    const f = await this.frame();
    if (!f) throw new Error("stream ended before the response head");
    if (f.flags !== 0) throw new Error(`head frame flags ${f.flags}`);
    return f.json();
  }
  /** Everything up to FIN. */
  async rest(): Promise<Uint8Array> {
    while (await this.#fill(this.#buf.length + 1)) { /* read */ }
    return this.#take(this.#buf.length);
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

export const text = (b: Uint8Array) => td.decode(b);
