// Fails any browser test during which a promise rejection went unhandled and unprevented.
//
// The SDK marks one rejection it cannot avoid as expected (Chromium's own read of an upload
// body that the SDK errors to reset the stream; see write-queue.ts) by calling preventDefault()
// on its event. vitest's own catcher ignores preventDefault and stands down once any listener
// exists, so this listener takes over: it looks at each event after every listener has run.
import { afterEach, expect } from "vitest";

// Kept on the window: a test importing this file may get a second instance of the module.
const state = globalThis as unknown as { __unpreventedRejections?: unknown[] };
const unprevented = (state.__unpreventedRejections ??= (() => {
  const seen: unknown[] = [];
  window.addEventListener("unhandledrejection", (event) => {
    setTimeout(() => {
      if (!event.defaultPrevented) seen.push(event.reason);
    }, 0);
  });
  return seen;
})());

/** Takes the rejections seen so far (for the self-test of this check). */
export function takeUnprevented(): unknown[] {
  return unprevented.splice(0);
}

afterEach(async () => {
  await new Promise((r) => setTimeout(r, 10));
  expect(takeUnprevented().map((r) => String(r)), "unhandled promise rejections in the page").toEqual([]);
});
