// onUploadProgress against the real dubbo-js server from Node: a client stream whose body fetch
// streams over HTTP/2 (undici), reported per chunk as fetch pulls it, ending at the exact body
// size; a unary upload reported once. Over fetch no acknowledgement is known.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import type { UploadProgress } from "triple-es";
import { ClientStreamRequestSchema } from "../gen/triple/interop/v1/interop_pb.js";
import { baseUrl, interopClient } from "./clients.js";
import { run as runExample } from "../../examples/upload-progress/main.js";
import { exampleOutput } from "./example-output.js";

const messages = Array.from({ length: 64 }, (_, seq) => ({ seq, payload: new Uint8Array(16 * 1024).fill(seq) }));
/** The request body: one envelope (5-byte prefix + message) per request. */
const bodyBytes = messages.reduce(
  (n, m) => n + 5 + toBinary(ClientStreamRequestSchema, create(ClientStreamRequestSchema, m)).byteLength,
  0,
);

function expectMonotonic(reports: UploadProgress[]): void {
  for (let i = 1; i < reports.length; i++) expect(reports[i]!.sentBytes).toBeGreaterThanOrEqual(reports[i - 1]!.sentBytes);
  for (const r of reports) expect(r.acknowledgedBytes ?? 0).toBeLessThanOrEqual(r.sentBytes);
}

describe("upload progress to dubbo-js from Node", () => {
  it("reports a streamed client-stream body (HTTP/2) per chunk, ending at the exact total", async () => {
    const reports: UploadProgress[] = [];
    const call = interopClient("h2").clientStream.open({ onUploadProgress: (p) => reports.push({ ...p }) });
    for (const m of messages) {
      if (!call.isReady) await call.ready;
      void call.send(m);
    }
    call.close();
    const res = await call.response;
    expect(call.requestMode).toBe("streaming");
    expect(res.count).toBe(messages.length);
    expect(res.bytes).toBe(BigInt(messages.length * 16 * 1024));

    expectMonotonic(reports);
    expect(reports.at(-1)).toEqual({ sentBytes: bodyBytes, totalBytes: bodyBytes });
    // Streamed: several chunks (the queue hands out at most 64 KiB at a time), not one report.
    expect(reports.length).toBeGreaterThanOrEqual(Math.ceil(bodyBytes / (64 * 1024)));
    expect(reports.every((r) => r.acknowledgedBytes === undefined)).toBe(true);
  });

  it("reports a unary upload once, whole, over HTTP/1.1 and HTTP/2", async () => {
    for (const listener of ["h1", "h2"] as const) {
      const reports: UploadProgress[] = [];
      const payload = new Uint8Array(100_000);
      const res = await interopClient(listener).unary({ payload }, { onUploadProgress: (p) => reports.push(p) });
      expect(res.payload.byteLength).toBe(payload.byteLength);
      expect(reports).toHaveLength(1);
      expect(reports[0]!.sentBytes).toBe(reports[0]!.totalBytes);
      expect(reports[0]!.sentBytes).toBeGreaterThan(payload.byteLength);
    }
  });
});

describe("examples/upload-progress (the README's runnable example)", () => {
  it("prints one report for the unary body and one per chunk, then the total, for the client stream", async () => {
    expect(await exampleOutput(runExample, baseUrl("h1"))).toEqual([
      "unary with a 100,000-byte payload (one report, when the body is handed over):",
      "  sent 100004 B of 100004 B",
      "client stream of 4 requests of 64 KiB (a report per chunk fetch takes, then the total):",
      // Envelope prefix 5 + field tag 1 + length 3 + 65536, and the seq field (2 bytes) from seq 1 on.
      "  sent 65545 B",
      "  sent 131092 B",
      "  sent 196639 B",
      "  sent 262186 B",
      "  sent 262186 B of 262186 B",
      "  the server read 4 requests, 262144 payload bytes",
    ]);
  });
});
