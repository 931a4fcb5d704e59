// Runs only the codegen tests:
//   npx vitest run --config test/codegen/vitest.codegen.config.ts
// The root vite.config.ts runs the same files in its "node" project. interop.test.ts needs the
// dubbo-js peer (`npm run peers` once), which the global setup below starts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  resolve: { alias: { "triple-es": fileURLToPath(new URL("../../src/index.ts", import.meta.url)) } },
  test: {
    name: "codegen",
    environment: "node",
    include: ["test/codegen/**/*.test.ts"],
    globalSetup: ["test/setup/global-dubbo.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
