// Server streams from Node's fetch (HTTP/1.1) and undici with HTTP/2 over TLS; the cases are
// shared with Chromium (test/browser/server-stream.test.ts).
import { serverStreamCases } from "./cases/server-stream.js";
import { interopClient } from "./clients.js";

serverStreamCases({ runtime: "Node", listeners: ["h1", "h2"], client: interopClient });
