import { expect, it } from "vitest";
import { takeUnprevented } from "./setup-unhandled-rejections.js";

it("the unhandled-rejection check sees an unprevented rejection and ignores a prevented one", async () => {
  const prevented = new Error("prevented");
  const onRejection = (event: PromiseRejectionEvent) => {
    if (event.reason === prevented) event.preventDefault();
  };
  window.addEventListener("unhandledrejection", onRejection);
  void Promise.reject(new Error("unprevented"));
  void Promise.reject(prevented);
  await new Promise((r) => setTimeout(r, 50));
  window.removeEventListener("unhandledrejection", onRejection);
  expect(takeUnprevented().map(String)).toEqual(["Error: unprevented"]);
});
