// How the page says it is ready to a script that drives it: an attribute on <html>, set once the
// servers are known and every panel is drawn (window.__playground.ready turns true at the same
// moment). An attribute change is a DOM mutation, so a script can wait for it with a
// MutationObserver, as the e2e does in Firefox and WebKitGTK (test/playground/engine-script.ts),
// instead of polling. No imports: the e2e's Node side reads the name from here.

/** The attribute on `document.documentElement` that the page sets when it is ready. */
export const READY_ATTRIBUTE = "data-playground-ready";

/** Marks the page ready for whoever waits on READY_ATTRIBUTE. */
export function markPageReady(): void {
  document.documentElement.setAttribute(READY_ATTRIBUTE, "");
}
