// Unit tests of gateway/upstream-keepalive.ts on a manual clock and a fake session: when a PING
// goes out, what an answer or its absence does.

import { assert, assertEquals } from "./assert.ts";
import { type KeepaliveClock, type PingableSession, watchConnection } from "../../gateway/upstream-keepalive.ts";

function setup(keepaliveMs = 1000) {
  let now = 0;
  let tick: () => void = () => {};
  const later: (() => void)[] = [];
  const clock: KeepaliveClock = {
    now: () => now,
    every: (fn) => ((tick = fn), () => (tick = () => {})),
    later: (fn) => void later.push(fn),
  };
  const pings: ((err: Error | null) => void)[] = [];
  const session = {
    closed: false,
    destroyed: false,
    destroyedWith: undefined as Error | undefined,
    ping: (cb: (err: Error | null) => void) => (pings.push(cb), true),
    destroy(e?: Error) {
      this.destroyed = true;
      this.destroyedWith = e;
    },
  };
  const lines: string[] = [];
  const k = watchConnection(session, "test", keepaliveMs, (l) => lines.push(l), { clock, describe: () => "queued 2 frame(s)" });
  /** Moves the clock and runs the timer, as the interval would. */
  const advance = (ms: number) => {
    now += ms;
    tick();
  };
  return { k, session, pings, lines, later, advance };
}

Deno.test("no call waiting: a silent connection is never pinged", () => {
  const { pings, advance } = setup();
  for (let i = 0; i < 10; i++) advance(1000);
  assertEquals(pings.length, 0);
});

Deno.test("a wait that begins on a long-idle connection is not a silence: the PING comes keepaliveMs after the wait began", () => {
  const { k, pings, advance } = setup();
  advance(60_000); // idle, nobody waiting
  k.wait();
  advance(999);
  assertEquals(pings.length, 0);
  advance(1);
  assertEquals(pings.length, 1);
});

Deno.test("data while waiting restarts the silence", () => {
  const { k, pings, advance } = setup();
  k.wait();
  advance(900);
  k.activity();
  advance(900);
  assertEquals(pings.length, 0);
  advance(100);
  assertEquals(pings.length, 1);
});

Deno.test("an answered PING keeps the connection; data right after it is logged", () => {
  const { k, session, pings, lines, later, advance } = setup();
  k.wait();
  advance(1000);
  pings[0]!(null);
  advance(1000 - 1); // the answer counts as activity
  assertEquals(pings.length, 1);
  k.activity();
  advance(5000);
  assertEquals(later.length, 0);
  assertEquals(session.destroyed, false);
  // The PING's line carries the connection's state as it was before the PING went out.
  assert(lines.some((l) => l.endsWith("while 1 call(s) wait; PING (queued 2 frame(s))")));
  assert(lines.some((l) => l.includes("PING answered")));
  assert(lines.some((l) => l.includes("data came")));
});

Deno.test("an unanswered PING closes the connection keepaliveMs later, outside the timer's callback", () => {
  const { k, session, pings, later, advance } = setup();
  k.wait();
  advance(1000);
  assertEquals(pings.length, 1);
  advance(999);
  assertEquals(later.length, 0);
  advance(1);
  assertEquals(session.destroyed, false);
  later.forEach((fn) => fn());
  assertEquals(session.destroyed, true);
  assert(session.destroyedWith?.message.includes("stopped answering"));
});

Deno.test("the waits end: no PING", () => {
  const { k, pings, advance } = setup();
  const done = k.wait();
  done();
  done(); // twice is once
  advance(5000);
  assertEquals(pings.length, 0);
});

Deno.test("keepaliveMs 0: no timer at all", () => {
  let started = false;
  const clock: KeepaliveClock = { now: () => 0, every: () => ((started = true), () => {}), later: () => {} };
  const session: PingableSession = { closed: false, destroyed: false, ping: () => true, destroy: () => {} };
  watchConnection(session, "off", 0, () => {}, { clock }).wait();
  assertEquals(started, false);
});
