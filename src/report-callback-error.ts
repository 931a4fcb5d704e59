/**
 * Reports an error thrown by a user callback that has nowhere else to go (a progress handler, an
 * observer's `onError`): the way an uncaught error in an event listener is reported, through
 * `reportError` where the runtime has it (browsers, Deno, Bun), else `console.error` (Node 20).
 * Never rethrown: a bug in a callback must not fail the call it observes, nor crash a Node process.
 */
export function reportCallbackError(error: unknown, source: string): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === "function") report(error);
  else console.error(`triple-es: ${source} threw`, error);
}
