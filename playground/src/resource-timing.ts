// Which HTTP version the browser used for a call, from Resource Timing.
//
// The browser adds a fetch's resource entry a little after the response body ends, in a task of
// its own: reading `performance.getEntriesByName` when the call finishes can come too early (on a
// busy machine it often does) and find no entry. So the call watches for its entry instead.

/**
 * Calls `onProtocol` with the `nextHopProtocol` ("h2", "http/1.1") of the first resource entry for
 * `url` that started at or after `since` (a `performance.now()` time), then stops watching. Returns
 * a function that stops watching early (a newer call replaced this one).
 */
export function watchNextHopProtocol(url: string, since: number, onProtocol: (protocol: string) => void): () => void {
  const observer = new PerformanceObserver((list) => {
    const entry = list
      .getEntriesByName(url, "resource")
      .find((e) => e.startTime >= since) as PerformanceResourceTiming | undefined;
    if (entry === undefined) return;
    observer.disconnect();
    onProtocol(entry.nextHopProtocol);
  });
  observer.observe({ type: "resource" });
  return () => observer.disconnect();
}
