// The receive-backpressure case for an engine whose fetch has none: it reads a whole response
// ahead of a consumer that stopped reading (Firefox and WebKit, measured in
// test/runtimes/read-ahead.test.ts). Asserted like every other capability, so the day an engine
// starts to apply backpressure this case fails and its capability file is updated.

import type { Client } from "triple-es";
import type { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { pollUntil } from "./calls.js";
import { assert } from "./harness.js";

/** 128 MiB: far past any socket or HTTP/2 window, so only an engine's own buffer can hold it all. */
const COUNT = 2048;
const SIZE = 64 * 1024;

/**
 * Pauses a consumer after 5 messages of a 128 MiB server stream and asserts that the server's
 * producer nevertheless finishes (the engine buffered all of it), then that every message arrives.
 */
export async function unboundedReadAhead(client: Client<typeof InteropService>, stats: Client<typeof InteropService>, id: string): Promise<string> {
  const it = client.serverStream({ count: COUNT, size: SIZE, streamId: id })[Symbol.asyncIterator]();
  let expected = 0;
  for (let i = 0; i < 5; i++) assert.equal((await it.next()).value?.seq, expected++, "seq");
  // The producer runs to its end while nothing is read (the case's timeout catches one that stops).
  const s = await pollUntil(
    () => stats.getStreamStats({ streamId: id }),
    (x) => x.finished,
  );
  assert.equal(s.produced, COUNT, "messages the producer sent while the consumer was paused");
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    assert.equal(r.value.seq, expected++, "seq");
  }
  assert.equal(expected, COUNT, "messages received");
  return `paused consumer at 5 of ${COUNT} × 64 KiB: the producer finished all ${(COUNT * SIZE) / 1048576} MiB (no receive backpressure)`;
}
