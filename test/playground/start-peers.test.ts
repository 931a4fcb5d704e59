// npm start's optional servers: on a machine without Java/Maven or Go, the playground still starts
// (with dubbo-js) and says why each peer is missing, instead of failing.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// @ts-expect-error: plain JavaScript module without types
import { startPeers } from "../../scripts/start-peers.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const savedPath = process.env.PATH;

afterEach(() => {
  process.env.PATH = savedPath;
  delete process.env.PLAYGROUND_JAVA;
  delete process.env.PLAYGROUND_GO;
});

describe("startPeers (npm start's Java and Go servers)", () => {
  it("starts nothing and names what to install when neither toolchain is on PATH", async () => {
    process.env.PATH = "/nonexistent";
    const logged: string[] = [];
    const peers = await startPeers({ root, log: (m: string) => logged.push(m) });
    expect(peers.running).toEqual({});
    expect(peers.missing.java).toContain("apt-get install openjdk-17-jdk-headless maven");
    expect(peers.missing.go).toContain("Go is not installed");
    expect(peers.javaProxyPath).toBe("/__java");
    expect(logged.join("\n")).toContain("the page works without it");
  });

  it("skips a peer turned off with PLAYGROUND_JAVA=0 / PLAYGROUND_GO=0", async () => {
    process.env.PLAYGROUND_JAVA = "0";
    process.env.PLAYGROUND_GO = "0";
    const peers = await startPeers({ root, log: () => {} });
    expect(peers.running).toEqual({});
    expect(peers.missing).toEqual({ java: "PLAYGROUND_JAVA=0", go: "PLAYGROUND_GO=0" });
  });
});
