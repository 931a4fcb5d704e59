// Keepalive for the gRPC upstream's HTTP/2 connections: while a call waits on the server (for its
// response head, its next data, or for it to take request data) and the connection has carried
// nothing for `keepaliveMs`, the gateway sends a PING. A connection that does not answer within
// another `keepaliveMs` is dead (a lost peer, a network partition): it is destroyed, so its calls
// end with Unavailable instead of waiting for a deadline that may be minutes away.
//
// The PING is also a probe: the log says when a waiting call got its data right after the answer,
// which is what a peer that held back a flush looks like from outside.

import type http2 from "node:http2";

/** What a connection's keepalive needs from the code that uses the connection. */
export interface UpstreamKeepalive {
  /** A call starts waiting on the server; the returned function ends that wait (its data came, or the call ended). */
  wait(): () => void;
  /** Frames arrived or request data was taken: the connection is alive. */
  activity(): void;
  /** Stops the timer (the connection closed). */
  stop(): void;
}

/**
 * Watches one upstream connection. `keepaliveMs` 0 turns the watch off. `log` gets one line per
 * PING sent, answered or unanswered.
 */
export function watchConnection(
  session: http2.ClientHttp2Session,
  label: string,
  keepaliveMs: number,
  log: (line: string) => void,
): UpstreamKeepalive {
  let waiting = 0;
  let lastActivity = performance.now();
  let pingSentAt: number | undefined;
  let answeredAt: number | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const now = () => new Date().toISOString();

  const check = () => {
    const t = performance.now();
    if (pingSentAt !== undefined) {
      if (t - pingSentAt < keepaliveMs) return;
      log(`${now()} upstream ${label}: no answer to a PING in ${keepaliveMs} ms while ${waiting} call(s) wait; closing the connection`);
      pingSentAt = undefined;
      // Outside any http2 callback: destroying the session from inside one crashed Deno 2.9.6.
      setTimeout(() => session.destroy(new Error(`the upstream connection stopped answering (no PING answer in ${keepaliveMs} ms)`)), 0);
      return;
    }
    if (waiting === 0 || t - lastActivity < keepaliveMs || session.closed || session.destroyed) return;
    pingSentAt = t;
    log(`${now()} upstream ${label}: nothing received for ${Math.round(t - lastActivity)} ms while ${waiting} call(s) wait; PING`);
    try {
      session.ping((err) => {
        const sent = pingSentAt;
        pingSentAt = undefined;
        if (err || sent === undefined) return;
        answeredAt = performance.now();
        lastActivity = answeredAt;
        log(`${now()} upstream ${label}: PING answered in ${Math.round(answeredAt - sent)} ms`);
      });
    } catch {
      pingSentAt = undefined; // the session is closing: its streams end on their own
    }
  };

  if (keepaliveMs > 0) {
    timer = setInterval(check, Math.max(1, Math.floor(keepaliveMs / 4)));
  }
  return {
    wait() {
      waiting++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        waiting--;
      };
    },
    activity() {
      const t = performance.now();
      if (answeredAt !== undefined && t - answeredAt < 1000) {
        log(`${now()} upstream ${label}: data came ${Math.round(t - answeredAt)} ms after a PING answer`);
      }
      answeredAt = undefined;
      lastActivity = t;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
