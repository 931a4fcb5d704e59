// Raw fetch: the physical limit of reading the same bytes. Hand-rolled requests, and the response
// body walked envelope by envelope: the 5-byte header, then the message's field header (tag and
// varint length, to count payload bytes); the rest of each payload is skipped, not decoded.

import { main, Unsupported, type BenchClient, type BenchServer, type StreamReq, type Sums } from "./harness.js";

const UNARY = "/triple.bench.v1.BenchService/Unary";
const SERVER_STREAM = "/triple.bench.v1.BenchService/ServerStream";
const CLIENT_STREAM = "/triple.bench.v1.BenchService/ClientStream";

function varint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Payload{payload}: tag 0x0a, length, bytes. */
function encodePayload(payload: Uint8Array): Uint8Array {
  const head: number[] = [0x0a];
  varint(head, payload.byteLength);
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function encodeStreamRequest(r: StreamReq): Uint8Array {
  const b: number[] = [0x08];
  varint(b, r.count);
  b.push(0x10);
  varint(b, r.size);
  const id = new TextEncoder().encode(r.streamId);
  if (id.byteLength > 0) {
    b.push(0x1a);
    varint(b, id.byteLength);
    b.push(...id);
  }
  return Uint8Array.from(b);
}

function envelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.byteLength);
  out.set(data, 5);
  return out;
}

/** Length of the bytes field 1 of a Payload message that starts at `at` (0 for an empty message). */
function payloadLength(b: Uint8Array, at: number, end: number): number {
  if (at >= end) return 0;
  if (b[at] !== 0x0a) throw new Error(`unexpected field tag 0x${b[at]!.toString(16)}`);
  let v = 0;
  let shift = 0;
  for (let i = at + 1; i < end; i++, shift += 7) {
    const x = b[i]!;
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return v;
  }
  throw new Error("truncated varint");
}

/** Reads varint fields 1 and 2 of a SumResponse. */
function decodeSums(b: Uint8Array): Sums {
  const f: number[] = [0, 0, 0];
  let i = 0;
  while (i < b.length) {
    const tag = b[i++]!;
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = b[i++]!;
      v += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    f[tag >> 3] = v;
  }
  return { count: f[1]!, bytes: f[2]! };
}

const decoder = new TextDecoder();

function checkEndStream(json: Uint8Array): void {
  const end = JSON.parse(decoder.decode(json)) as { error?: { message?: string } };
  if (end.error) throw new Error(`stream failed: ${end.error.message ?? JSON.stringify(end.error)}`);
}

/**
 * Walks a stream body chunk by chunk without copying payloads. For each envelope it keeps the
 * 5-byte header and the first bytes of the payload (at most 16, enough for the field header).
 */
async function walkEnvelopes(
  body: ReadableStream<Uint8Array>,
  onMessage: (payloadBytes: number) => void | Promise<void>,
): Promise<void> {
  const reader = body.getReader();
  const head = new Uint8Array(5 + 16);
  let headFill = 0; // bytes of `head` filled for the current envelope
  let left = -1; // payload bytes not yet seen; -1: still reading the 5-byte header
  let flags = 0;
  let len = 0;
  let ended = false;
  let endJson: number[] = [];
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    const c = r.value;
    let pos = 0;
    while (pos < c.length) {
      if (left < 0) {
        const take = Math.min(5 - headFill, c.length - pos);
        for (let i = 0; i < take; i++) head[headFill++] = c[pos++]!;
        if (headFill < 5) break;
        flags = head[0]!;
        len = ((head[1]! << 24) | (head[2]! << 16) | (head[3]! << 8) | head[4]!) >>> 0;
        left = len;
        if (ended) throw new Error("data after the end-of-stream frame");
      }
      const take = Math.min(left, c.length - pos);
      if (flags & 0x02) {
        for (let i = 0; i < take; i++) endJson.push(c[pos + i]!);
      } else if (headFill < head.length) {
        const keep = Math.min(take, head.length - headFill);
        head.set(c.subarray(pos, pos + keep), headFill);
        headFill += keep;
      }
      pos += take;
      left -= take;
      if (left === 0) {
        if (flags & 0x02) {
          checkEndStream(Uint8Array.from(endJson));
          endJson = [];
          ended = true;
        } else {
          const p = onMessage(payloadLength(head, 5, headFill));
          if (p) await p;
        }
        headFill = 0;
        left = -1;
      }
    }
  }
  if (!ended) throw new Error("no end-of-stream frame");
}

/** Decoded length of a base64 string (standard alphabet, padded or not), without decoding it. */
function base64Length(b64: string): number {
  let n = b64.length;
  while (n > 0 && b64.charCodeAt(n - 1) === 61 /* = */) n--;
  return Math.floor((n * 3) / 4);
}

/** The length of the base64 `"payload"` string of a JSON message, found without parsing the JSON. */
function jsonPayloadLength(text: string): number {
  const key = '"payload":"';
  const at = text.indexOf(key);
  if (at < 0) return 0;
  const end = text.indexOf('"', at + key.length);
  return base64Length(text.slice(at + key.length, end));
}

/** Length of the bytes field `field` of a binary message (0 when absent); other fields are skipped. */
function bytesFieldLength(b: Uint8Array, field: number): number {
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const x = b[i++]!;
      v += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) return v;
    }
  };
  while (i < b.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      if (tag >>> 3 === field) return len;
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return 0;
}

/**
 * Reads Dubbo Java's SSE stream: events end with a blank line, each carrying one JSON message in
 * its data; the payload's length is read from its base64 text, nothing is parsed or decoded.
 */
async function walkSse(body: ReadableStream<Uint8Array>, onMessage: (payloadBytes: number) => void | Promise<void>): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    let text = rest + r.value;
    let at = 0;
    for (;;) {
      const end = text.indexOf("\n\n", at);
      if (end < 0) break;
      const event = text.slice(at, end);
      at = end + 2;
      if (!event.startsWith("data:")) continue;
      if (event.includes('"code"') && !event.includes('"payload"')) throw new Error(`stream failed: ${event}`);
      const p = onMessage(jsonPayloadLength(event));
      if (p) await p;
    }
    rest = text.slice(at);
    text = "";
  }
}

/** Raw requests to the Java peer (JSON unary, SSE server stream) and the Go peer (binary unary). */
function peerClient(baseUrl: string, server: "java" | "go"): BenchClient {
  if (server === "java") {
    const service = "/triple.interop.v1.CamelInteropService";
    const headers = { "content-type": "application/json", "tri-protocol-version": "1.0.0" };
    return {
      async unary(payload) {
        const res = await fetch(baseUrl + service + "/unary", {
          method: "POST",
          headers,
          body: JSON.stringify({ payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64") }),
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
        return jsonPayloadLength(text);
      },
      async serverStream(req, onMessage) {
        const body: Record<string, unknown> = { count: req.count, size: req.size };
        if (req.streamId !== "") body.streamId = req.streamId;
        const res = await fetch(baseUrl + service + "/serverStream", { method: "POST", headers, body: JSON.stringify(body) });
        if (res.status !== 200 || res.body === null) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
        await walkSse(res.body, onMessage);
      },
    };
  }
  return {
    async unary(payload) {
      // UnaryRequest{payload = 2}
      const head: number[] = [0x12];
      varint(head, payload.byteLength);
      const msg = new Uint8Array(head.length + payload.byteLength);
      msg.set(head);
      msg.set(payload, head.length);
      const res = await fetch(baseUrl + "/triple.interop.v1.InteropService/Unary", {
        method: "POST",
        headers: { "content-type": "application/proto", "tri-protocol-version": "1.0.0" },
        body: msg as BodyInit,
      });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${decoder.decode(body)}`);
      return bytesFieldLength(body, 2);
    },
    serverStream() {
      throw new Unsupported("dubbo-go serves no streams over HTTP/1.1 fetch");
    },
  };
}

function makeClient(baseUrl: string, server: BenchServer): BenchClient {
  if (server === "java" || server === "go") return peerClient(baseUrl, server);
  return {
    async unary(payload) {
      const res = await fetch(baseUrl + UNARY, {
        method: "POST",
        headers: { "content-type": "application/proto", "tri-protocol-version": "1.0.0" },
        body: encodePayload(payload) as BodyInit,
      });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${decoder.decode(body)}`);
      return payloadLength(body, 0, body.length);
    },

    async serverStream(req, onMessage) {
      const res = await fetch(baseUrl + SERVER_STREAM, {
        method: "POST",
        headers: { "content-type": "application/connect+proto", "tri-protocol-version": "1.0.0" },
        body: envelope(0, encodeStreamRequest(req)) as BodyInit,
      });
      if (res.status !== 200 || res.body === null) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await walkEnvelopes(res.body, onMessage);
    },

    async clientStream(payload, count) {
      // Pre-encoded envelopes, written in 64 KiB chunks as the body is pulled.
      const one = envelope(0, encodePayload(payload));
      const perBatch = Math.max(1, Math.floor(65536 / one.byteLength));
      const batch = new Uint8Array(one.byteLength * perBatch);
      for (let i = 0; i < perBatch; i++) batch.set(one, i * one.byteLength);
      let left = count;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (left === 0) {
              controller.close();
              return;
            }
            const n = Math.min(left, perBatch);
            left -= n;
            controller.enqueue(n === perBatch ? batch : batch.subarray(0, n * one.byteLength));
          },
        },
        { highWaterMark: 0 },
      );
      const res = await fetch(baseUrl + CLIENT_STREAM, {
        method: "POST",
        headers: { "content-type": "application/connect+proto", "tri-protocol-version": "1.0.0" },
        body,
        duplex: "half",
      } as RequestInit);
      const b = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${decoder.decode(b)}`);
      // One message envelope, then the end-of-stream frame.
      let sums: Sums | undefined;
      for (let at = 0; at < b.length; ) {
        const flags = b[at]!;
        const len = new DataView(b.buffer, b.byteOffset + at + 1, 4).getUint32(0);
        const data = b.subarray(at + 5, at + 5 + len);
        if (flags & 0x02) checkEndStream(data);
        else sums = decodeSums(data);
        at += 5 + len;
      }
      if (!sums) throw new Error("no response message");
      return sums;
    },
  };
}

void main(makeClient);
