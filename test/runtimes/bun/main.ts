// Runs the conformance suite inside Bun. Started by test/runtimes/bun.test.ts from the repository
// root, so Bun reads the TypeScript sources directly and resolves "triple-es" through the root
// tsconfig.json's "paths". Argument: {"h1": url, "h2tls": url, "certFile": path, "wt": {"url",
// "certSha256"}, "java": url, "go": url} (the WebTransport gateway: Bun has no WebTransport); prints one RESULT_MARKER line.
import { bun } from "../../conformance/capabilities/bun.js";
import { RESULT_MARKER } from "../../conformance/report.js";
import { conformanceSuite, type GatewayEndpoint } from "../../conformance/suite.js";

declare const Bun: { argv: string[]; version: string; file(path: string): { text(): Promise<string> } };

const config = JSON.parse(Bun.argv[2]!) as {
  h1: string;
  h2tls: string;
  certFile: string;
  wt: GatewayEndpoint;
  java: string;
  go: string;
  filter?: string;
};
// Bun's fetch takes the CA for the test server's certificate as its own `tls` option.
const ca = await Bun.file(config.certFile).text();
const tlsFetch = ((url: string, init?: RequestInit) => fetch(url, { ...init, tls: { ca } } as RequestInit)) as typeof fetch;
const suite = conformanceSuite(bun, {
  h1: { baseUrl: config.h1 },
  h2: { baseUrl: config.h2tls, fetch: tlsFetch },
  wt: config.wt,
  java: { baseUrl: config.java },
  go: { baseUrl: config.go },
});
const result = await suite.run("bun", `Bun ${Bun.version}`, config.filter ? { filter: config.filter } : {});
console.log(RESULT_MARKER + JSON.stringify(result));
