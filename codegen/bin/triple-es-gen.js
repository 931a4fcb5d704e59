#!/usr/bin/env node
// `npx triple-es-gen <proto dir or files> --out <dir>`: see codegen/src/cli/main.ts.
import { runBuilt } from "./run-built.js";

await runBuilt("triple-es-gen.js", "triple-es-gen");
