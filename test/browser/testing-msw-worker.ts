// A Vite plugin for the browser tests of triple-es/testing: serves msw's own mockServiceWorker.js
// at the origin's root, where a service worker must live to control the test page (scope "/").
// Users do the same with `npx msw init public/`; here the file comes straight from the installed msw.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Plugin } from "vite";

export const MSW_WORKER_PATH = "/mockServiceWorker.js";

export function mswWorker(): Plugin {
  const file = createRequire(import.meta.url).resolve("msw/mockServiceWorker.js");
  return {
    name: "triple-es-msw-worker",
    configureServer(server) {
      server.middlewares.use(MSW_WORKER_PATH, (_req, res) => {
        res.setHeader("content-type", "text/javascript");
        res.setHeader("cache-control", "no-store");
        res.end(readFileSync(file));
      });
    },
  };
}
