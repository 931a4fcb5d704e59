// Vite config for the playground page. `npm start` (scripts/start.mjs) runs it in-process and passes
// the local servers' addresses in PLAYGROUND_SERVERS (JSON); the page reads them from
// /__playground/config.json. Everything the page uses is bundled from node_modules: no CDN.
// The Java server (when npm start could start it) is reached through this server's own origin:
// Dubbo Java 3.3 answers no CORS preflight (javaProxy, the browser tests' proxy).
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { javaProxy } from "../test/setup/java-proxy.js";

const repo = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** Serves the servers' addresses to the page. */
function playgroundConfig(): Plugin {
  return {
    name: "triple-es-playground-config",
    configureServer(server) {
      server.middlewares.use("/__playground/config.json", (_req, res) => {
        res.setHeader("content-type", "application/json");
        res.setHeader("cache-control", "no-store");
        res.end(process.env.PLAYGROUND_SERVERS ?? "{}");
      });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  clearScreen: false,
  // Its own pre-bundled dependencies, apart from vitest's browser mode and other Vite servers.
  cacheDir: repo("node_modules/.vite/playground"),
  logLevel: "warn",
  resolve: {
    alias: {
      "triple-es/json": repo("src/json.ts"),
      "triple-es/gzip": repo("src/gzip.ts"),
      "triple-es/observer": repo("src/observer.ts"),
      "triple-es/protocol-java": repo("src/protocol-java/index.ts"),
      "triple-es/protocol-go": repo("src/protocol-go/index.ts"),
      "triple-es/websocket": repo("src/websocket.ts"),
      "triple-es/internal": repo("src/internal.ts"),
      "triple-es": repo("src/index.ts"),
    },
  },
  plugins: [playgroundConfig(), javaProxy()],
  // Pre-bundle up front so the first page load does not trigger a dependency re-optimisation reload.
  optimizeDeps: {
    entries: ["index.html"],
    include: ["uplot", "@bufbuild/protobuf", "@bufbuild/protobuf/codegenv2", "@bufbuild/protobuf/wkt"],
  },
  server: {
    host: "127.0.0.1",
    strictPort: true,
    fs: { allow: [repo("")] },
    watch: { ignored: ["**/server/**", "**/protos/**"] },
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
