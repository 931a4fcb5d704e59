import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenTripleEs } from "./plugin.js";

// The plugin's process entry point: a CodeGeneratorRequest on stdin, the response on stdout.
runNodeJs(protocGenTripleEs);
