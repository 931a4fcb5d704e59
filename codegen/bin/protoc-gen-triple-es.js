#!/usr/bin/env node
// The protoc/buf plugin (`local: protoc-gen-triple-es` in buf.gen.yaml): see codegen/src/plugin.ts.
import { runBuilt } from "./run-built.js";

await runBuilt("protoc-gen-triple-es.js", "protoc-gen-triple-es");
