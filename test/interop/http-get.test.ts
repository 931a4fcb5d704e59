// httpGet from Node's fetch (HTTP/1.1) and undici over HTTP/2 to the real dubbo-js server (cases
// shared with Chromium), and what the other servers do with the same GET: the reason the option
// is a TypeError with dubboJava() and dubboGo().
import { describe, expect, inject, it } from "vitest";
import { httpGetCases } from "./cases/http-get.js";
import { baseUrl, interopClient } from "./clients.js";
import { run as runExample } from "../../examples/http-get/main.js";
import { exampleOutput } from "./example-output.js";

httpGetCases({ runtime: "Node", listeners: ["h1", "h2"], client: interopClient });

const query = `?triple=v1.0.0&encoding=json&message=${encodeURIComponent("{}")}`;

describe("GET on each real server", () => {
  it("dubbo-js answers GET on a method without NO_SIDE_EFFECTS with 405", async () => {
    const res = await fetch(`${baseUrl("h1")}/triple.interop.v1.InteropService/Unary${query}`);
    expect(res.status).toBe(405);
  });

  it("dubbo-go 3.3 answers GET with 405 even on a NO_SIDE_EFFECTS method (it serves POST only)", async () => {
    const res = await fetch(`${inject("go").url}/triple.interop.v1.InteropService/GetStreamStats${query}`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("Dubbo Java 3.3 answers GET with 500 (its REST mapping tries to bind the query to parameters)", async () => {
    const res = await fetch(`${inject("java").url}/triple.interop.v1.CamelInteropService/getStreamStats${query}`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("parameter name information not available");
  });
});

describe("examples/http-get (the README's runnable example)", () => {
  it("prints GET for the marked method, POST for the others and for a long URL", async () => {
    expect(await exampleOutput(runExample, baseUrl("h1"))).toEqual([
      "getStreamStats (NO_SIDE_EFFECTS):",
      "  GET /triple.interop.v1.InteropService/GetStreamStats?triple=v1.0.0&encoding=proto&base64=1&message=CgdleGFtcGxl",
      "  known: false",
      "unary (not marked):",
      "  POST /triple.interop.v1.InteropService/Unary",
      "getStreamStats with a 9000-character id (URL over 8 KiB):",
      "  POST /triple.interop.v1.InteropService/GetStreamStats",
    ]);
  });
});
