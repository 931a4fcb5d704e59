// esbuild bundles for the benchmark processes and the size report.
//
// Each bundle names the folder its bare imports ("@bufbuild/protobuf", "@apachedubbo/dubbo", …)
// resolve from, so the four protobuf-es copies never mix:
//   triple-es   → the repository root (protobuf-es v2 the SDK is developed against)
//   connect-web → bench/ (connect's own protobuf-es v2 copy)
//   dubbo-web   → bench/peers/dubbo-web (protobuf-es v1)
//   the server  → test/peers/dubbo (dubbo-node + protobuf-es v1, as in the interop tests)
// Imports made by packages inside node_modules resolve the normal way, from where they live.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const rootDir = join(benchDir, "..");
export const distDir = join(benchDir, "dist");

const require = createRequire(join(benchDir, "package.json"));
/** bench/node_modules/esbuild (the root has one too; this keeps bench/ self-contained). */
export const esbuild = require("esbuild");

export const resolveFrom = {
  root: rootDir,
  bench: benchDir,
  dubboWeb: join(benchDir, "peers", "dubbo-web"),
  dubboServer: join(rootDir, "test", "peers", "dubbo"),
};

/** An esbuild plugin: bare imports from files outside node_modules resolve from `dir`. */
export function bareImportsFrom(dir) {
  return {
    name: "bare-imports-from",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "redirected" || args.path.startsWith("node:") || args.importer.includes("/node_modules/")) {
          return undefined;
        }
        if (args.kind === "entry-point") return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: "redirected" });
        return r.errors.length > 0 ? { errors: r.errors } : { path: r.path, sideEffects: r.sideEffects };
      });
    },
  };
}

/**
 * Bundles `entry` for Node (ESM) into `outfile`. Unminified, so profiles name functions, with an
 * external source map that bench/profile.mjs uses to attribute samples to source lines.
 */
export async function bundleForNode(entry, outfile, from, extra = {}) {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: false,
    sourcemap: "external", // <bundle>.map, read by bench/profile.mjs; the bundle itself names no map
    legalComments: "none",
    logLevel: "warning",
    plugins: [bareImportsFrom(from)],
    // Some dependencies are CommonJS; give the ESM bundle a require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    ...extra,
  });
  return outfile;
}

/** The client bundles run by bench/run.mjs: one per client, one process per run. */
export const clients = {
  raw: { label: "raw fetch", entry: "clients/raw.ts", from: "bench" },
  triple: { label: "triple-es", entry: "clients/triple.ts", from: "root" },
  connect: { label: "connect-web", entry: "clients/connect.ts", from: "bench" },
  dubbo: { label: "dubbo-web", entry: "clients/dubbo.ts", from: "dubboWeb" },
};

export async function buildAll() {
  const out = { server: join(distDir, "server.mjs"), clients: {} };
  const jobs = [bundleForNode(join(benchDir, "server", "server.ts"), out.server, resolveFrom.dubboServer)];
  for (const [name, c] of Object.entries(clients)) {
    out.clients[name] = join(distDir, `client-${name}.mjs`);
    jobs.push(bundleForNode(join(benchDir, c.entry), out.clients[name], resolveFrom[c.from]));
  }
  // The interop tests' starters of the Java and Go peers (test/setup), for bench/run.mjs.
  out.peers = join(distDir, "peers.mjs");
  jobs.push(bundleForNode(join(benchDir, "lib", "peers-entry.ts"), out.peers, resolveFrom.root));
  await Promise.all(jobs);
  return out;
}
