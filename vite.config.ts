import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";
import { webTransportCommands } from "./test/webtransport/commands.js";
import { javaProxy } from "./test/setup/java-proxy.js";
import { mswWorker } from "./test/browser/testing-msw-worker.js";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

const alias = {
  "triple-es/json": src("json.ts"),
  "triple-es/gzip": src("gzip.ts"),
  "triple-es/http-get": src("http-get.ts"),
  "triple-es/observer": src("observer.ts"),
  "triple-es/websocket": src("websocket.ts"),
  "triple-es/protocol-java": src("protocol-java/index.ts"),
  "triple-es/protocol-go": src("protocol-go/index.ts"),
  "triple-es/protocol-triple": src("protocol-triple/index.ts"),
  "triple-es/testing": src("testing/index.ts"),
  "triple-es/otel": src("otel/index.ts"),
  "triple-es/retry": src("retry/index.ts"),
  "triple-es/internal": src("internal.ts"),
  "triple-es": src("index.ts"),
};

/** Debian's Chromium, never a downloaded browser; flags that keep it off the closed network. */
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--ignore-certificate-errors",
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "node",
          environment: "node",
          include: ["test/unit/**/*.test.ts", "test/interop/**/*.test.ts", "test/codegen/**/*.test.ts", "test/runtimes/*.test.ts", "test/playground/**/*.test.ts", "test/gateway/**/*.test.ts", "test/webtransport/*.test.ts", "test/package/**/*.test.ts"],
          // The gateway: the conformance suite's WebTransport endpoint (test/runtimes/).
          globalSetup: [
            "test/setup/global-dubbo.ts",
            "test/setup/global-java.ts",
            "test/setup/global-go.ts",
            "test/webtransport/global-gateway.ts",
            "test/webtransport/global-server-gateways.ts",
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        // The Java peer on the page's own origin (Java 3.3 answers no CORS preflight).
        // msw's service worker at the root, for triple-es/testing in the browser (testing.test.ts).
        plugins: [javaProxy(), mswWorker()],
        test: {
          name: "chromium",
          include: ["test/browser/**/*.test.ts", "test/runtimes/browser/**/*.test.ts"],
          globalSetup: [
            "test/setup/global-dubbo.ts",
            "test/setup/global-java.ts",
            "test/setup/global-go.ts",
            "test/browser/no-store-proxy.ts",
            "test/webtransport/global-gateway.ts",
            "test/webtransport/global-server-gateways.ts",
          ],
          setupFiles: ["test/browser/setup-unhandled-rejections.ts"],
          testTimeout: 30_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
      {
        resolve: { alias },
        test: {
          // WebTransport through the Deno gateway (gateway/) to dubbo-js, from real Chromium.
          name: "webtransport",
          include: ["test/webtransport/browser/**/*.test.ts"],
          // The Java and Go peers: the gateway reaches them over gRPC (grpc-upstream.test.ts).
          globalSetup: ["test/setup/global-dubbo.ts", "test/setup/global-java.ts", "test/setup/global-go.ts", "test/webtransport/global-gateway.ts"],
          setupFiles: ["test/browser/setup-unhandled-rejections.ts"],
          testTimeout: 30_000,
          // One file at a time: the backpressure and load numbers are measured, not guessed.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              // No --ignore-certificate-errors: the certificate-hash faults must be real.
              launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs.filter((a) => a !== "--ignore-certificate-errors") },
            }),
            instances: [{ browser: "chromium" }],
            commands: webTransportCommands,
          },
        },
      },
    ],
  },
});
