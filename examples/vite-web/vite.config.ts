import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Inside this repository "triple-es" is the sources; an app that installed it from npm needs no alias.
const src = (p: string) => fileURLToPath(new URL(`../../src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { "triple-es/json": src("json.ts"), "triple-es/gzip": src("gzip.ts"), "triple-es": src("index.ts") },
  },
  build: { target: "es2022" },
});
