// onUploadProgress from real Chromium through the WebSocket gateway (gateway/, --ws-port) to the
// real dubbo-go and Dubbo Java servers over gRPC: a 1 MiB client stream is reported per chunk as
// the gateway's window lets it onto the socket, ends at the exact body size, and carries the
// bytes the gateway acknowledged (its WINDOW grants, every 64 KiB taken), never above what was sent.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, inject, it } from "vitest";
import { createClient, type UploadProgress } from "triple-es";
import { createWebSocketTransport } from "triple-es/websocket";
import { ClientStreamRequestSchema, InteropService } from "../gen/triple/interop/v1/interop_pb.js";

const messages = Array.from({ length: 64 }, (_, seq) => ({ seq, payload: new Uint8Array(16 * 1024).fill(seq) }));
const bodyBytes = messages.reduce(
  (n, m) => n + 5 + toBinary(ClientStreamRequestSchema, create(ClientStreamRequestSchema, m)).byteLength,
  0,
);

describe.each(["go", "java"] as const)("upload progress through the WebSocket gateway to %s", (server) => {
  it("is monotonic, ends at the exact total, and acknowledged ≤ sent", async () => {
    const transport = createWebSocketTransport({ url: inject("serverGateways")[server].webSocketUrl });
    try {
      const client = createClient(InteropService, transport);
      const reports: UploadProgress[] = [];
      const res = await client.clientStream(messages, { onUploadProgress: (p) => reports.push({ ...p }) });
      expect(res.count).toBe(messages.length);

      for (let i = 1; i < reports.length; i++) {
        expect(reports[i]!.sentBytes).toBeGreaterThanOrEqual(reports[i - 1]!.sentBytes);
        expect(reports[i]!.acknowledgedBytes ?? 0).toBeGreaterThanOrEqual(reports[i - 1]!.acknowledgedBytes ?? 0);
      }
      for (const r of reports) expect(r.acknowledgedBytes ?? 0).toBeLessThanOrEqual(r.sentBytes);
      expect(reports.at(-1)).toMatchObject({ sentBytes: bodyBytes, totalBytes: bodyBytes });
      // The gateway granted window back while the 1 MiB went out (it grants every 64 KiB taken).
      const acked = Math.max(...reports.map((r) => r.acknowledgedBytes ?? 0));
      expect(acked).toBeGreaterThan(0);
      console.log(
        `[chromium ws ${server}] ${reports.length} reports for ${bodyBytes} B; acknowledged at most ${acked} B ` +
          `(${reports.filter((r) => r.acknowledgedBytes !== undefined).length} with an acknowledgement)`,
      );
    } finally {
      transport.close("test done");
    }
  });
});
