// onUploadProgress against scripted transports: what each kind of upload reports (a unary body
// once, a streamed body per chunk and its total at the end, a one-body client stream once), the
// acknowledged bytes a transport passes back, and the handler's failures kept out of the call.
import { describe, expect, it, vi } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient, createTransport, type HttpRequest, type HttpResponse, type UploadProgress } from "triple-es";
import { encodeEnvelope } from "triple-es/internal";
import { meterBody } from "../../../src/call/upload-progress.js";
import {
  ClientStreamRequestSchema,
  ClientStreamResponseSchema,
  InteropService,
  UnaryResponseSchema,
} from "../../gen/triple/interop/v1/interop_pb.js";

const END_OK = encodeEnvelope(2, new TextEncoder().encode("{}"));

/** Reads a request body whole, as a transport would, and answers with `response`. */
async function drain(body: HttpRequest["body"]): Promise<number> {
  if (body instanceof Uint8Array) return body.byteLength;
  let n = 0;
  const reader = body.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) return n;
    n += r.value.byteLength;
  }
}

function clientStreamAnswer(): HttpResponse {
  const msg = toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count: 1 }));
  const bytes = new Uint8Array([...encodeEnvelope(0, msg), ...END_OK]);
  return {
    status: 200,
    headers: new Headers({ "content-type": "application/connect+proto" }),
    body: new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }),
  };
}

/** A client over a scripted transport that records each request and how many body bytes it read. */
function scripted(requestStreaming: "half-duplex" | "none", onRequest?: (req: HttpRequest) => void) {
  const bodyBytes: number[] = [];
  const transport = createTransport({
    baseUrl: "http://fake.test",
    requestStreaming,
    roundTrip: async (req) => {
      onRequest?.(req);
      bodyBytes.push(await drain(req.body));
      if (req.url.endsWith("/Unary")) {
        const msg = toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "ok" }));
        return { status: 200, headers: new Headers({ "content-type": "application/proto" }), body: new Response(msg).body };
      }
      return clientStreamAnswer();
    },
  });
  return { client: createClient(InteropService, transport), bodyBytes };
}

/** Size of a client stream's body: one envelope (5-byte prefix) per message. */
function envelopedSize(messages: { seq: number; payload: Uint8Array }[]): number {
  return messages.reduce((n, m) => n + 5 + toBinary(ClientStreamRequestSchema, create(ClientStreamRequestSchema, m)).byteLength, 0);
}

function expectMonotonic(reports: UploadProgress[]): void {
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.sentBytes).toBeGreaterThanOrEqual(reports[i - 1]!.sentBytes);
    expect(reports[i]!.acknowledgedBytes ?? 0).toBeGreaterThanOrEqual(reports[i - 1]!.acknowledgedBytes ?? 0);
  }
  for (const r of reports) expect(r.acknowledgedBytes ?? 0).toBeLessThanOrEqual(r.sentBytes);
}

describe("onUploadProgress", () => {
  it("reports a unary body once, whole, when it is handed to the transport", async () => {
    const { client, bodyBytes } = scripted("none");
    const reports: UploadProgress[] = [];
    await client.unary({ payload: new Uint8Array(1000) }, { onUploadProgress: (p) => reports.push(p) });
    expect(reports).toEqual([{ sentBytes: bodyBytes[0], totalBytes: bodyBytes[0] }]);
  });

  it("reports a streamed client-stream body per chunk, then its total, equal to the bytes the transport read", async () => {
    const { client, bodyBytes } = scripted("half-duplex");
    const messages = Array.from({ length: 40 }, (_, seq) => ({ seq, payload: new Uint8Array(8 * 1024) }));
    const reports: UploadProgress[] = [];
    async function* requests() {
      // One message at a time: the queue batches what waits, up to 64 KiB a chunk.
      for (const m of messages) yield m;
    }
    await client.clientStream(requests(), { onUploadProgress: (p) => reports.push(p) });
    const total = envelopedSize(messages);
    expect(bodyBytes).toEqual([total]);
    expectMonotonic(reports);
    expect(reports.at(-1)).toEqual({ sentBytes: total, totalBytes: total });
    expect(reports.slice(0, -1).every((r) => r.totalBytes === undefined)).toBe(true);
    // Per chunk (each up to 64 KiB), not per message or byte: 320 KiB of messages in 5 to 41 reports.
    expect(reports.length).toBeGreaterThanOrEqual(Math.ceil(total / (64 * 1024)));
    expect(reports.length).toBeLessThanOrEqual(messages.length + 1);
  });

  it("reports a one-body client stream (no request streaming) once, whole", async () => {
    const { client, bodyBytes } = scripted("none");
    const messages = [{ seq: 1, payload: new Uint8Array(10) }, { seq: 2, payload: new Uint8Array(20) }];
    const reports: UploadProgress[] = [];
    await client.clientStream(messages, { onUploadProgress: (p) => reports.push(p) });
    expect(bodyBytes).toEqual([envelopedSize(messages)]);
    expect(reports).toEqual([{ sentBytes: bodyBytes[0], totalBytes: bodyBytes[0] }]);
  });

  it("passes a transport's acknowledgements on, capped at what was sent, and only when the caller watches", async () => {
    const seen: (HttpRequest["onUploadAcknowledged"])[] = [];
    const { client } = scripted("half-duplex", (req) => {
      seen.push(req.onUploadAcknowledged);
    });
    await client.clientStream([{ seq: 1 }]);
    expect(seen).toEqual([undefined]);
    const reports: UploadProgress[] = [];
    await client.clientStream([{ seq: 1 }], { onUploadProgress: (p) => reports.push(p) });
    expect(typeof seen[1]).toBe("function");
    seen[1]!(3);
    expect(reports.at(-1)).toMatchObject({ acknowledgedBytes: 3 });
  });

  it("meterBody: acknowledgements only grow and never pass sentBytes", async () => {
    const reports: UploadProgress[] = [];
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(100));
        c.enqueue(new Uint8Array(50));
        c.close();
      },
    });
    const m = meterBody(source, (p) => reports.push(p));
    const reader = m.body.getReader();
    await reader.read();
    m.acknowledge(500); // more than sent: capped at 100
    m.acknowledge(80); // lower than before: not reported
    await reader.read();
    m.acknowledge(120);
    await reader.read();
    expect(reports).toEqual([
      { sentBytes: 100 },
      { sentBytes: 100, acknowledgedBytes: 100 },
      { sentBytes: 150, acknowledgedBytes: 100 },
      { sentBytes: 150, acknowledgedBytes: 120 },
      { sentBytes: 150, totalBytes: 150, acknowledgedBytes: 120 },
    ]);
  });

  it("keeps a throwing handler out of the call: the upload completes, the error goes to reportError", async () => {
    const reported: unknown[] = [];
    vi.stubGlobal("reportError", (e: unknown) => reported.push(e));
    try {
      const { client } = scripted("none");
      const res = await client.unary({ text: "x" }, {
        onUploadProgress: () => {
          throw new Error("handler bug");
        },
      });
      expect(res.text).toBe("ok");
      expect(reported).toEqual([new Error("handler bug")]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
