// Upstream response envelopes to the client, for both upstreams: read only while the client
// allows a message (its credits; unlimited without them) and only after the previous write was
// taken (QUIC flow control, the WebSocket's buffer), so the upstream is read as fast as the
// client consumes and no faster. Whatever is already buffered and allowed goes in one write.

import type { Call } from "./call.ts";
import { type ByteSource, concatBytes, FLAG_END } from "./wire.ts";

/** How a relay ended: the upstream body ended, or the call ended first (cancel, failure, client gone). */
export type RelayEnd = "upstream-ended" | "call-ended";

/**
 * Relays until the upstream body ends or the call does. A failed upstream read (a broken frame, a
 * reset) is thrown for the caller to turn into the call's error; the body is cancelled first.
 */
export async function relayEnvelopes(call: Call, up: ByteSource, maxMessageBytes: number): Promise<RelayEnd> {
  for (;;) {
    const allowed = await call.credit();
    if (call.ending) {
      up.cancel();
      return "call-ended";
    }
    let first;
    try {
      first = await up.readFrame(maxMessageBytes, "response message");
    } catch (e) {
      up.cancel();
      throw e;
    }
    if (first === null) return "upstream-ended";
    const batch = [first.raw];
    // An upstream end-of-stream frame (Triple upstream) is not a message: it needs no credit.
    let messages = first.flags & FLAG_END ? 0 : 1;
    while (messages < allowed) {
      const f = up.takeBufferedFrame(maxMessageBytes);
      if (f === undefined) break;
      batch.push(f);
      if (!(f[0]! & FLAG_END)) messages++;
    }
    if (batch.some((f) => f[0]! & FLAG_END)) call.endForwarded = true;
    call.resMessages += messages;
    call.spend(messages);
    const bytes = batch.length === 1 ? batch[0]! : concatBytes(batch);
    call.resBytes += bytes.byteLength;
    if (!(await call.write(bytes, messages))) {
      up.cancel();
      return "call-ended";
    }
  }
}
