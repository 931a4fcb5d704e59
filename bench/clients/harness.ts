// The part every benchmark client process shares: it reads one job from BENCH_JOB (JSON), warms
// up, runs the scenario against the client it is given, checks what arrived, and prints one JSON
// line with the measurements on stdout. bench/run.mjs starts one process per (round, scenario,
// client), so every client runs alone, in a fresh process, like a user's bundle.

/** What each client process provides: the same operations, each done the client's own way. */
export interface BenchClient {
  /** Sends `payload` to BenchService/Unary; resolves with the length of the echoed payload. */
  unary(payload: Uint8Array): Promise<number>;
  /**
   * Runs BenchService/ServerStream and calls `onMessage` with each message's payload length, in
   * order, waiting for it when it returns a promise (the slow consumer).
   */
  serverStream(req: StreamReq, onMessage: (payloadBytes: number) => void | Promise<void>): Promise<void>;
  /** Sends `count` messages of `payload` on BenchService/ClientStream; resolves with the server's sums. */
  clientStream?(payload: Uint8Array, count: number, mode: ClientStreamMode): Promise<Sums>;
}

export interface StreamReq {
  count: number;
  size: number;
  streamId: string;
}

export interface Sums {
  count: number;
  bytes: number;
}

/**
 * "iterable": the requests come from a sync generator; "async": from an async generator (one
 * await per message, the common form in user code); "open": the explicit call API with a write
 * queue. Raw fetch sends pre-encoded envelopes in every mode.
 */
export type ClientStreamMode = "iterable" | "async" | "open";

/** The servers a job can run against (see `Job.server`). */
export type BenchServer = "dubbo" | "pre" | "java" | "go";

/** Thrown by a client that cannot do an operation; reported as "n/a", not as a failure. */
export class Unsupported extends Error {}

export interface Job {
  scenario: "unary" | "server-stream" | "client-stream" | "slow-consumer";
  /**
   * Which server: the real dubbo-node adapter, the pre-encoded producer (server streams only), or
   * the interop tests' Dubbo Java 3.3.6 peer (JSON unary, SSE server streams, on
   * CamelInteropService) and dubbo-go 3.3.2 peer (binary unary, on InteropService).
   */
  server: BenchServer;
  urls: { dubbo: string; pre: string; control: string; java?: string; go?: string };
  /** unary */
  calls?: number;
  concurrency?: number;
  /** streams */
  count?: number;
  size?: number;
  /** server stream: how many streams are timed (the totals are used) */
  reps?: number;
  /** slow consumer */
  slowFirst?: number;
  slowDelayMs?: number;
  /** client stream */
  mode?: ClientStreamMode;
}

/** One job, or (bench:quick) a list run one after the other in this process. */
const jobs: Job[] = [JSON.parse(process.env.BENCH_JOB ?? "null") as Job | Job[]].flat();
let job: Job = jobs[0]!;

function payloadOf(size: number): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = 0; i < size; i++) p[i] = i & 0xff;
  return p;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: received ${got}, expected ${want}`);
}

let streamSeq = 0;
function streamId(): string {
  return `${process.pid}-${Date.now()}-${streamSeq++}`;
}

async function runUnary(client: BenchClient): Promise<Record<string, number>> {
  const calls = job.calls!;
  const concurrency = job.concurrency ?? 1;
  const payload = payloadOf(job.size ?? 64);
  const drive = async (total: number) => {
    let started = 0;
    const worker = async () => {
      while (started < total) {
        started++;
        check("unary payload bytes", await client.unary(payload), payload.byteLength);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await drive(Math.max(concurrency * 4, Math.min(200, calls >> 2)));
  gc();
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  await drive(calls);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMicros() - cpu0;
  return { callsPerSec: calls / seconds, cpuUsPerCall: cpu / calls };
}

async function oneStream(client: BenchClient, count: number, size: number): Promise<void> {
  let n = 0;
  let bytes = 0;
  await client.serverStream({ count, size, streamId: "" }, (b) => {
    n++;
    bytes += b;
  });
  check("server stream messages", n, count);
  check("server stream payload bytes", bytes, count * size);
}

async function runServerStream(client: BenchClient): Promise<Record<string, number>> {
  const { count, size } = job as Required<Job>;
  const reps = job.reps ?? 1;
  // Warm-up: connection, JIT, the same message size.
  const warm = Math.max(1, Math.min(count, 5000, Math.floor((1 << 20) / Math.max(size, 64))));
  await oneStream(client, warm, size);
  await oneStream(client, warm, size);
  gc();
  // Each stream is timed on its own and the median stream counts: on a shared machine a burst of
  // someone else's work then spoils one stream, not the figure.
  const rates: number[] = [];
  const cpu0 = cpuMicros();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await oneStream(client, count, size);
    rates.push(count / ((performance.now() - t0) / 1000));
  }
  const cpu = cpuMicros() - cpu0;
  rates.sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const msgsPerSec = rates.length % 2 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
  return { msgsPerSec, MBps: (msgsPerSec * size) / 1e6, cpuUsPerMsg: cpu / (count * reps) };
}

async function runClientStream(client: BenchClient): Promise<Record<string, number>> {
  if (!client.clientStream) throw new Unsupported("no client streaming");
  const { count, size } = job as Required<Job>;
  const mode = job.mode ?? "iterable";
  const payload = payloadOf(size);
  const once = async (n: number) => {
    const sums = await client.clientStream!(payload, n, mode);
    check("client stream messages (server's count)", sums.count, n);
    check("client stream bytes (server's sum)", sums.bytes, n * size);
  };
  // Warm-up: the connection and JIT. The first streaming upload of a process costs ~100 ms of
  // CPU in undici and Node's web streams whatever the client (raw fetch: 2.1 µs per message on a
  // first 50k call, 0.14 µs on the next ones), so the first full-size call is reported apart
  // (`firstCall…`, after a 2,000-message call, as this bench measured before) and the figures
  // are the median of the calls after it.
  await once(Math.min(count, 2000));
  gc();
  const first0 = cpuMicros();
  const firstT0 = performance.now();
  await once(count);
  const firstCallMsgsPerSec = count / ((performance.now() - firstT0) / 1000);
  const firstCallCpuUsPerMsg = (cpuMicros() - first0) / count;
  gc();
  const reps = job.reps ?? 3;
  const rates: number[] = [];
  const cpu0 = cpuMicros();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await once(count);
    rates.push(count / ((performance.now() - t0) / 1000));
  }
  const cpu = cpuMicros() - cpu0;
  return { msgsPerSec: median(rates), cpuUsPerMsg: cpu / (count * reps), firstCallMsgsPerSec, firstCallCpuUsPerMsg };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function producedSoFar(id: string): Promise<number> {
  const res = await fetch(`${job.urls.control}/stats?id=${encodeURIComponent(id)}`);
  const s = (await res.json()) as { produced: number };
  return s.produced;
}

/**
 * The slow consumer: `count` messages of `size` bytes; the first `slowFirst` take `slowDelayMs`
 * each. Every 50 slow messages it asks the server how far its producer has got: the lead is
 * produced − consumed, the data in flight between the server's generator and the loop body.
 * RSS is sampled at every message; growth is over the RSS after warm-up and a GC.
 */
async function runSlowConsumer(client: BenchClient): Promise<Record<string, number>> {
  const { count, size } = job as Required<Job>;
  const slowFirst = job.slowFirst ?? 200;
  const delay = job.slowDelayMs ?? 2;
  await oneStream(client, Math.min(count, 16), size);
  gc();
  await sleep(20);
  gc();
  const rss = process.memoryUsage.rss;
  const base = rss();
  let peak = base;
  let peakHalf = base;
  let n = 0;
  let bytes = 0;
  let lead = 0;
  const id = streamId();
  await client.serverStream({ count, size, streamId: id }, async (b) => {
    n++;
    bytes += b;
    const now = rss();
    if (now > peak) peak = now;
    if (n === count >> 1) peakHalf = peak;
    if (n <= slowFirst) {
      await sleep(delay);
      if (n % 50 === 0 || n === slowFirst) lead = Math.max(lead, (await producedSoFar(id)) - n);
    }
  });
  check("slow consumer messages", n, count);
  check("slow consumer payload bytes", bytes, count * size);
  return { lead, rssGrowthMB: (peak - base) / 1e6, rssGrowthHalfMB: (peakHalf - base) / 1e6 };
}

/** Runs the jobs from BENCH_JOB against the client `make` builds for a base URL; prints the results. */
export async function main(make: (baseUrl: string, server: BenchServer) => BenchClient): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const j of jobs) {
    job = j;
    results.push(await runJob(make));
  }
  process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results) + "\n");
  // Open keep-alive sockets would keep the process alive for seconds.
  process.exit(0);
}

async function runJob(make: (baseUrl: string, server: BenchServer) => BenchClient): Promise<Record<string, unknown>> {
  try {
    const url = job.urls[job.server];
    if (url === undefined) throw new Error(`no URL for the ${job.server} server`);
    const client = make(url, job.server);
    let metrics: Record<string, number>;
    switch (job.scenario) {
      case "unary":
        metrics = await runUnary(client);
        break;
      case "server-stream":
        metrics = await runServerStream(client);
        break;
      case "client-stream":
        metrics = await runClientStream(client);
        break;
      case "slow-consumer":
        metrics = await runSlowConsumer(client);
        break;
    }
    return { ok: true, metrics };
  } catch (e) {
    return e instanceof Unsupported
      ? { ok: false, unsupported: e.message }
      : { ok: false, error: e instanceof Error ? `${e.message}${e.cause ? ` (cause: ${String(e.cause)})` : ""}` : String(e) };
  }
}
