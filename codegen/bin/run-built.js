import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Starts an entry point compiled from codegen/src into codegen/dist/codegen/src (dist mirrors the
 * repository, because the runtime's naming function, src/method-names.ts, is compiled in too). The bins are plain
 * JavaScript so npm can link them before anything is built; a clone that has not run
 * `npm run build:codegen` gets one clear sentence instead of a module-resolution stack trace.
 */
export async function runBuilt(entry, binName) {
  const url = new URL(`../dist/codegen/src/${entry}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    console.error(`${binName}: dist/codegen/src/${entry} is missing; run \`npm run build:codegen\` first`);
    process.exit(1);
  }
  await import(url.href);
}
