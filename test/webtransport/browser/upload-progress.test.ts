// onUploadProgress over the SDK's WebTransport transport in Chromium → the Deno gateway → dubbo-js:
// a 1 MiB client stream and a bidi call are reported per chunk the QUIC stream accepts, only
// growing, ending at the exact body size; no acknowledgement (QUIC flow control is not visible).
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, describe, expect, it } from "vitest";
import type { UploadProgress } from "triple-es";
import { BidiRequestSchema, ClientStreamRequestSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { gatewayTransport, interop } from "./support.js";

const transport = gatewayTransport();
afterAll(() => transport.close());

const messages = Array.from({ length: 64 }, (_, seq) => ({ seq, payload: new Uint8Array(16 * 1024).fill(seq) }));

function check(reports: UploadProgress[], bodyBytes: number): void {
  for (let i = 1; i < reports.length; i++) expect(reports[i]!.sentBytes).toBeGreaterThanOrEqual(reports[i - 1]!.sentBytes);
  expect(reports.at(-1)).toEqual({ sentBytes: bodyBytes, totalBytes: bodyBytes });
  expect(reports.every((r) => r.acknowledgedBytes === undefined)).toBe(true);
  expect(reports.length).toBeGreaterThan(1);
}

describe("upload progress over WebTransport", () => {
  it("client stream: per chunk, ending at the exact total", async () => {
    const bodyBytes = messages.reduce(
      (n, m) => n + 5 + toBinary(ClientStreamRequestSchema, create(ClientStreamRequestSchema, m)).byteLength,
      0,
    );
    const reports: UploadProgress[] = [];
    const res = await interop(transport).clientStream(messages, { onUploadProgress: (p) => reports.push({ ...p }) });
    expect(res.count).toBe(messages.length);
    check(reports, bodyBytes);
  });

  it("bidi: per chunk, ending at the exact total once the request side closed", async () => {
    const bidi = messages.slice(0, 16);
    const bodyBytes = bidi.reduce((n, m) => n + 5 + toBinary(BidiRequestSchema, create(BidiRequestSchema, m)).byteLength, 0);
    const reports: UploadProgress[] = [];
    let received = 0;
    for await (const _ of interop(transport).bidiStream(bidi, { onUploadProgress: (p) => reports.push({ ...p }) })) received++;
    expect(received).toBe(bidi.length);
    check(reports, bodyBytes);
  });
});
