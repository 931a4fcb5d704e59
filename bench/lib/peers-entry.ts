// The interop tests' starters for the Dubbo Java 3.3.6 and dubbo-go 3.3.2 peers, re-exported so
// bench/lib/build.mjs can bundle them for bench/run.mjs (plain Node, no TypeScript loader).
export { startJavaServer } from "../../test/setup/java-server.js";
export { startGoServer } from "../../test/setup/go-server.js";
