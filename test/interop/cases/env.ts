// What the shared interop cases need from the runtime that runs them (Node or Chromium): which
// listeners of the real dubbo-js server it reaches, and how it makes a client for one.
import { expect } from "vitest";
import { TripleError, type FetchTransportOptions } from "triple-es";
import type { InteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
export { caught } from "../../support/caught.js";

/** "h1": http://127.0.0.1 (HTTP/1.1); "h2": https://127.0.0.1 (HTTP/2 over TLS). */
export type Listener = "h1" | "h2";

export interface InteropEnv {
  /** Names the runtime in test titles and printed figures. */
  readonly runtime: string;
  readonly listeners: readonly Listener[];
  client(
    listener: Listener,
    options?: Partial<FetchTransportOptions>,
    clientOptions?: { version?: string; group?: string },
  ): InteropServiceClient;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let nextId = 0;
/** A stream id unique across runs and runtimes, for GetStreamStats. */
export const streamId = (env: InteropEnv, name: string) =>
  `${env.runtime}-${name}-${Date.now().toString(36)}-${nextId++}`;

/** Polls the server's record of a stream until `until` holds (or ~30 s pass: a hang-catcher); returns the last one. */
export async function waitForStats(
  env: InteropEnv,
  listener: Listener,
  id: string,
  until: (s: Awaited<ReturnType<InteropServiceClient["getStreamStats"]>>) => boolean,
) {
  const stats = env.client(listener);
  let s = await stats.getStreamStats({ streamId: id });
  for (let i = 0; i < 600 && !until(s); i++) {
    await sleep(50);
    s = await stats.getStreamStats({ streamId: id });
  }
  return s;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of it) out.push(m);
  return out;
}

/** The TripleError a stream fails with, collecting what arrived before it into `received`. */
export async function failure<T>(it: AsyncIterable<T>, received: T[] = []): Promise<TripleError> {
  try {
    for await (const m of it) received.push(m);
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return e as TripleError;
  }
  throw new Error("expected the stream to fail");
}
