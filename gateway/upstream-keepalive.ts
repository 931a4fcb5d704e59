// Keepalive for the gRPC upstream's HTTP/2 connections: once calls have waited on the server (for
// its response head, its next data, or for it to take request data) for `keepaliveMs` with nothing
// received on their connection, the gateway sends a PING. A connection that does not answer within
// another `keepaliveMs` is dead (a lost peer, a network partition): it is destroyed, so its calls
// end with Unavailable instead of waiting for a deadline that may be minutes away.
//
// The PING is also a probe: the log says when a waiting call got its data right after the answer,
// which is what a peer that held back a flush looks like from outside.

/** The part of a node:http2 ClientHttp2Session the keepalive uses. */
export interface PingableSession {
  readonly closed: boolean;
  readonly destroyed: boolean;
  ping(callback: (err: Error | null) => void): boolean;
  destroy(error?: Error): void;
}

/** Time and a repeating timer; tests pass a manual one. */
export interface KeepaliveClock {
  now(): number;
  every(fn: () => void, ms: number): () => void;
  /** Runs `fn` once, soon, outside the current callback. */
  later(fn: () => void): void;
}

const realClock: KeepaliveClock = {
  now: () => performance.now(),
  every: (fn, ms) => {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
  later: (fn) => void setTimeout(fn, 0),
};

/** What a connection's keepalive needs from the code that uses the connection. */
export interface UpstreamKeepalive {
  /** A call starts waiting on the server; the returned function ends that wait (its data came, or the call ended). */
  wait(): () => void;
  /** Frames arrived or request data was taken: the connection is alive. */
  activity(): void;
  /** Stops the timer (the connection closed). */
  stop(): void;
}

/** What the keepalive may use besides the session; tests pass a manual clock. */
export interface KeepaliveExtras {
  readonly clock?: KeepaliveClock;
  /** The connection's flow-control state, added to the line that announces a PING (upstream-state.ts). */
  readonly describe?: () => string;
}

/**
 * Watches one upstream connection. `keepaliveMs` 0 turns the watch off. `log` gets one line per
 * PING sent (with the connection's state, when `describe` is given), answered or unanswered.
 */
export function watchConnection(
  session: PingableSession,
  label: string,
  keepaliveMs: number,
  log: (line: string) => void,
  { clock = realClock, describe }: KeepaliveExtras = {},
): UpstreamKeepalive {
  let waiting = 0;
  /** The last frame received, or when the first of the current waits began if later: silence counts only while calls wait. */
  let quietSince = clock.now();
  let pingSentAt: number | undefined;
  let answeredAt: number | undefined;
  const stamp = () => new Date().toISOString();

  const check = () => {
    const t = clock.now();
    if (pingSentAt !== undefined) {
      if (t - pingSentAt < keepaliveMs) return;
      log(`${stamp()} upstream ${label}: no answer to a PING in ${keepaliveMs} ms while ${waiting} call(s) wait; closing the connection`);
      pingSentAt = undefined;
      // Outside any http2 callback: closing a session from inside its ping callback crashed Deno 2.9.6.
      clock.later(() => session.destroy(new Error(`the upstream connection stopped answering (no PING answer in ${keepaliveMs} ms)`)));
      return;
    }
    if (waiting === 0 || t - quietSince < keepaliveMs || session.closed || session.destroyed) return;
    pingSentAt = t;
    // The state before the PING: the PING's own send may flush whatever was held.
    const state = describe === undefined ? "" : ` (${describe()})`;
    log(`${stamp()} upstream ${label}: nothing received for ${Math.round(t - quietSince)} ms while ${waiting} call(s) wait; PING${state}`);
    try {
      session.ping((err) => {
        const sent = pingSentAt;
        pingSentAt = undefined;
        if (err || sent === undefined) return;
        answeredAt = clock.now();
        quietSince = answeredAt;
        log(`${stamp()} upstream ${label}: PING answered in ${Math.round(answeredAt - sent)} ms`);
      });
    } catch {
      pingSentAt = undefined; // the session is closing: its streams end on their own
    }
  };

  const stopTimer = keepaliveMs > 0 ? clock.every(check, Math.max(1, Math.floor(keepaliveMs / 4))) : () => {};
  return {
    wait() {
      if (waiting === 0) quietSince = clock.now();
      waiting++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        waiting--;
      };
    },
    activity() {
      const t = clock.now();
      if (answeredAt !== undefined && t - answeredAt < 1000) {
        log(`${stamp()} upstream ${label}: data came ${Math.round(t - answeredAt)} ms after a PING answer`);
      }
      answeredAt = undefined;
      quietSince = t;
    },
    stop: stopTimer,
  };
}
