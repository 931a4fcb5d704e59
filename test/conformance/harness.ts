// A tiny test runner and assertion set with no dependencies, so the conformance suite runs
// unchanged in Node, Deno, Bun, workerd and Chromium. Results are plain JSON.

/** The outcome of one case. */
export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  /** The failure, as text (message and a short stack). */
  readonly error?: string;
  /** What a passing case chose to report (a measurement, the error a user would see). */
  readonly note?: string;
}

/** The outcome of a whole run, as a runtime reports it back to its runner. */
export interface SuiteResult {
  readonly runtime: string;
  /** What the runtime says about itself (navigator.userAgent, Deno.version, …). */
  readonly runtimeVersion: string;
  readonly passed: number;
  readonly failed: number;
  readonly total: number;
  readonly ms: number;
  readonly results: readonly CaseResult[];
}

/**
 * Given to each case: a long case names the step it is on, so a case that hangs says where
 * (a timeout alone cannot tell a lost reply from a slow one).
 */
export type StepReporter = (step: string) => void;

interface Case {
  readonly name: string;
  readonly fn: (step: StepReporter) => Promise<void | string>;
  readonly timeoutMs: number;
  readonly serial: boolean;
}

/** How a case runs. */
export interface CaseOptions {
  /**
   * Runs after the concurrent cases, alone: for a server that lets one call's cancellation reach
   * another call it serves at the same time (Dubbo Java 3.3.6's thread-bound CancellationContext).
   */
  readonly serial?: boolean;
}

export interface RunOptions {
  /** Cases run at once; most cases wait on timers or the network, so a few in parallel save time. */
  readonly concurrency?: number;
  /** Only cases whose name contains this. */
  readonly filter?: string;
  readonly onResult?: (result: CaseResult) => void;
}

/** A list of named async cases. */
export class Suite {
  readonly #cases: Case[] = [];
  readonly #cleanups: (() => void | Promise<void>)[] = [];

  /** Adds a case; a string it returns is kept as the result's note. */
  test(name: string, fn: (step: StepReporter) => Promise<void | string> | void | string, timeoutMs = 30_000, options: CaseOptions = {}): void {
    if (this.#cases.some((c) => c.name === name)) throw new Error(`duplicate case name: ${name}`);
    this.#cases.push({ name, fn: async (step) => fn(step), timeoutMs, serial: options.serial === true });
  }

  /** Runs after every case has finished (closing sessions the cases shared); its errors are ignored. */
  afterAll(fn: () => void | Promise<void>): void {
    this.#cleanups.push(fn);
  }

  get names(): string[] {
    return this.#cases.map((c) => c.name);
  }

  async run(runtime: string, runtimeVersion: string, options: RunOptions = {}): Promise<SuiteResult> {
    const started = Date.now();
    const selected = this.#cases.filter((c) => options.filter === undefined || c.name.includes(options.filter));
    // The concurrent cases first, then the serial ones alone.
    const cases = [...selected.filter((c) => !c.serial), ...selected.filter((c) => c.serial)];
    const concurrent = cases.length - selected.filter((c) => c.serial).length;
    const results: CaseResult[] = new Array(cases.length);
    let next = 0;
    const worker = (end: number) => async () => {
      while (next < end) {
        const i = next++;
        const r = await runCase(cases[i]!);
        results[i] = r;
        options.onResult?.(r);
      }
    };
    const n = Math.max(1, Math.min(options.concurrency ?? 4, concurrent));
    await Promise.all(Array.from({ length: n }, worker(concurrent)));
    await worker(cases.length)();
    for (const cleanup of this.#cleanups) await Promise.resolve().then(cleanup).catch(() => {});
    const passed = results.filter((r) => r.ok).length;
    return {
      runtime,
      runtimeVersion,
      passed,
      failed: results.length - passed,
      total: results.length,
      ms: Date.now() - started,
      results,
    };
  }
}

async function runCase(c: Case): Promise<CaseResult> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let step: string | undefined;
  try {
    const note = await Promise.race([
      c.fn((what) => (step = what)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`case timed out after ${c.timeoutMs} ms${step === undefined ? "" : `, at: ${step}`}`)),
          c.timeoutMs,
        );
      }),
    ]);
    return { name: c.name, ok: true, ms: Date.now() - started, ...(typeof note === "string" ? { note } : {}) };
  } catch (e) {
    return { name: c.name, ok: false, ms: Date.now() - started, error: describeError(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** An error as one readable string, including a `code` property and the first stack frames. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `thrown non-error: ${safeString(e)}`;
  const code = (e as { code?: unknown }).code;
  const head = `${e.name}: ${e.message}${code !== undefined ? ` (code ${safeString(code)})` : ""}`;
  const frames = (e.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 4)
    .join("\n");
  return frames ? `${head}\n${frames}` : head;
}

function safeString(v: unknown): string {
  try {
    return typeof v === "string" ? JSON.stringify(v) : String(v);
  } catch {
    return "<unprintable>";
  }
}

/** Thrown by the assertions below. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_, x: unknown) =>
      typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? `Uint8Array(${x.byteLength})` : x,
    );
  } catch {
    return String(v);
  }
}

/** The assertions; typed explicitly so that TypeScript applies `asserts` signatures. */
export interface Assert {
  ok(value: unknown, what?: string): asserts value;
  equal<T>(actual: T, expected: T, what?: string): void;
  deepEqual(actual: unknown, expected: unknown, what?: string): void;
  includes(text: string, part: string, what?: string): void;
  atMost(actual: number, max: number, what?: string): void;
  atLeast(actual: number, min: number, what?: string): void;
  fail(what: string): never;
}

export const assert: Assert = {
  ok(value: unknown, what = "expected a truthy value"): asserts value {
    if (!value) throw new AssertionError(`${what} (got ${show(value)})`);
  },
  equal<T>(actual: T, expected: T, what = "values differ"): void {
    if (!Object.is(actual, expected)) {
      throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  deepEqual(actual: unknown, expected: unknown, what = "values differ"): void {
    if (show(actual) !== show(expected)) {
      throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  includes(text: string, part: string, what = "text does not contain the expected part"): void {
    if (!text.includes(part)) throw new AssertionError(`${what}: ${show(part)} not in ${show(text)}`);
  },
  atMost(actual: number, max: number, what = "value too large"): void {
    if (!(actual <= max)) throw new AssertionError(`${what}: expected ≤ ${max}, got ${actual}`);
  },
  atLeast(actual: number, min: number, what = "value too small"): void {
    if (!(actual >= min)) throw new AssertionError(`${what}: expected ≥ ${min}, got ${actual}`);
  },
  fail(what: string): never {
    throw new AssertionError(what);
  },
};

/** Awaits `p`, which must reject; returns what it rejected with. */
export async function rejection(p: Promise<unknown>, what = "expected the call to fail"): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new AssertionError(`${what}, but it succeeded`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
