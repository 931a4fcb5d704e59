// Server streaming from real Chromium to the real dubbo-js server, cross-origin over HTTP/1.1 and
// over h2+TLS, in binary and JSON. The cases are shared with Node (test/interop/cases/).

import { serverStreamCases } from "../interop/cases/server-stream.js";
import { interopClient, listeners } from "./clients.js";

serverStreamCases({ runtime: "Chromium", listeners, client: interopClient });
