// What the Firefox and WebKit runners need from a browser, whichever protocol drives it: open a
// page and wait for the value its script publishes. One file per engine implements it
// (./firefox.ts over WebDriver BiDi, ./webkit.ts over W3C WebDriver). No Node imports: the test
// pages import RESULT_GLOBAL from here.

/** The global a test page sets to a promise of its result (a JSON string). */
export const RESULT_GLOBAL = "__tripleEsResult";

/** A running browser engine, driven from Node. */
export interface EngineSession {
  /** What the engine says it is, e.g. "Firefox 153.0" or "WebKitGTK 2.50.6". */
  readonly version: string;
  /**
   * Opens `url` and resolves with the string the page's `globalThis[RESULT_GLOBAL]` promise
   * resolves to, or, given `source` (the body of an async function, run in the page), what that
   * returns. `timeoutMs` only catches a page that hangs.
   */
  runPage(url: string, timeoutMs: number, source?: string): Promise<string>;
  /** What the page logged (console messages), for failure messages. */
  log(): string;
  /** Ends the session and stops every process it started. */
  close(): Promise<void>;
}

/**
 * The script a driver evaluates in the page: resolves with what the page's result promise
 * resolves to. The page publishes it by assigning globalThis[RESULT_GLOBAL], possibly after `load`
 * (module scripts may run later): if it has not yet, an accessor catches the assignment, so
 * nothing polls. The driver's own timeout catches a page that never publishes.
 */
export const AWAIT_RESULT_SOURCE = `
  const key = ${JSON.stringify(RESULT_GLOBAL)};
  const published = globalThis[key] !== undefined ? globalThis[key] : await new Promise((resolve) => {
    Object.defineProperty(globalThis, key, {
      configurable: true,
      get: () => undefined,
      set(value) {
        Object.defineProperty(globalThis, key, { value, writable: true, configurable: true });
        resolve(value);
      },
    });
  });
  return String(await published);`;
