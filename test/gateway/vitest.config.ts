// Runs the gateway tests alone: node_modules/.bin/vitest run --config test/gateway/vitest.config.ts
// (npm test runs them once the root vite.config.ts includes "test/gateway/**/*.test.ts").
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "gateway",
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/gateway/**/*.test.ts"],
    globalSetup: ["test/setup/global-dubbo.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
