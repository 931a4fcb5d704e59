// Streaming and flow control inside Deno over HTTP/2 + TLS (full duplex) against the real dubbo-js
// server: runs test/runtimes/deno/flow.ts (the shared test/interop/flow-control-scenarios.ts plus a
// bidi slow-consumer scenario) in deno@2 from npm, then asserts on and prints what each measured.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { runProcess, runtimeBinary } from "./runner.js";

const FLOW_MARKER = "FLOW_RESULT ";
type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

let run: { deno: string; results: Record<string, Outcome> };

beforeAll(async () => {
  const deno = runtimeBinary("deno");
  const { h2tls, certFile } = inject("dubbo");
  const p = await runProcess(
    deno,
    [
      "run",
      "--quiet",
      "--no-prompt",
      "--config=test/runtimes/deno/flow.json",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "test/runtimes/deno/flow.ts",
      JSON.stringify({ h2tls, certFile }),
    ],
    { timeoutMs: 80_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
  );
  const line = p.stdout.split("\n").find((l) => l.startsWith(FLOW_MARKER));
  if (line === undefined) throw new Error(`deno exited (${p.signal ?? p.code}) without results:\n${p.stdout}\n${p.stderr}`);
  run = JSON.parse(line.slice(FLOW_MARKER.length)) as typeof run;
}, 90_000);

/** The value a scenario returned; fails the test with the scenario's own error when it threw. */
function result(name: string): Record<string, number> {
  const r = run.results[name];
  if (r === undefined) throw new Error(`scenario "${name}" did not run`);
  if (!r.ok) throw new Error(`Deno ${run.deno}, ${name}: ${r.error}`);
  return r.value as Record<string, number>;
}

const log = (line: string) => console.log(`[deno ${run.deno} h2] ${line}`);

describe("Deno over h2+TLS (full duplex)", () => {
  it("bidi echoes 10,000 messages in lockstep: each reply arrives before the next request is sent (before the request side closes)", () => {
    const r = result("bidi lockstep");
    log(`bidi lockstep: ${r.echoedBeforeClose} echoes before close (${r.ms} ms)`);
    expect(r.echoedBeforeClose).toBe(10_000);
  });

  it("bidi echoes 10,000 messages pipelined with the onReady send loop", () => {
    const r = result("bidi pipelined");
    log(`bidi pipelined: ${r.received} echoed, ${r.repliesBeforeClose} before the request side closed; send queue max ${r.maxQueued} bytes (${r.ms} ms)`);
    expect(r.received).toBe(10_000);
    expect(r.repliesBeforeClose).toBeGreaterThan(0);
  });

  it("bidi with a consumer that stops reading: the server's producer stops, the send side goes not-ready within the high-water mark, then all echoes arrive in order", () => {
    const r = result("bidi slow consumer");
    log(
      `bidi slow consumer: ${r.count} × ${r.size! / 1024} KiB; at rest the server had echoed ${r.producerLead} unread ` +
        `(${((r.producerLead! * r.size!) / 1048576).toFixed(1)} MiB producer lead), read ${r.serverConsumed}, the client had sent ${r.sentWhileStalled} ` +
        `(${r.requestsInFlight} unread by the server); send queue max ${r.maxQueued} bytes (high-water mark ${r.highWaterMark} + one message ${r.oneMessage}); ` +
        `isReady went false ${r.notReadyTimes}× (${r.ms} ms)`,
    );
    expect(r.producerLead).toBeLessThan(r.count!);
    expect(r.sentWhileStalled).toBeLessThan(r.count!);
    expect(r.maxQueued).toBeLessThanOrEqual(r.highWaterMark! + r.oneMessage!);
    expect(r.received).toBe(r.count);
  });

  it("client streaming delivers 10,000 messages in order through open()", () => {
    const r = result("client stream") as unknown as { requestMode: string; response: { count: number; inOrder: boolean } };
    expect(r.requestMode).toBe("streaming");
    expect(r.response.count).toBe(10_000);
    expect(r.response.inOrder).toBe(true);
  });

  it("with a slow server reader: queued bytes stay within the high-water mark plus one message; isReady goes false and back; onReady fires", () => {
    const r = result("slow reader");
    log(
      `slow reader: ${r.count} × ${r.size! / 1024} KiB: max queued ${r.maxQueued} bytes (high-water mark ${r.highWaterMark} + one message ${r.oneMessage}); ` +
        `isReady went false ${r.notReadyTimes}×, onReady ran ${r.onReadyRuns}× (${r.ms} ms)`,
    );
    expect(r.maxQueued).toBeLessThanOrEqual(r.highWaterMark! + r.oneMessage!);
    expect(r.notReadyTimes).toBeGreaterThanOrEqual(1);
    expect(r.onReadyRuns).toBeGreaterThanOrEqual(2);
  });

  it("server stream with initialRequest 5 then request(1) per message: never more delivered than granted; the producer's lead stays bounded", () => {
    const r = result("manual credits");
    log(
      `credits: ${r.count} × ${r.size! / 1024} KiB, initialRequest ${r.initialRequest}: producer lead ${r.leadWhilePaused} messages ` +
        `(${((r.leadWhilePaused! * r.size!) / 1048576).toFixed(1)} MiB) while the consumer held its credits, max ${r.maxLead} sampled while streaming (${r.ms} ms)`,
    );
    expect(r.delivered).toBe(r.count);
    expect(r.leadWhilePaused).toBeLessThan(r.count! / 4);
  });

  it("batches a burst of 1,000 small messages into few body chunks", () => {
    const r = result("batching");
    log(`batching: ${r.messages} small messages sent in a burst reached the network in ${r.chunks} chunks (cap ${r.cap} per chunk)`);
    expect(r.chunks).toBeLessThanOrEqual(Math.ceil(r.messages! / r.cap!) + 1);
  });

  it("observer API: bidi with onReady sending and manual receive credits", () => {
    const r = result("observer bidi");
    expect(r.receivedCount).toBe(r.sent);
  });
});
