import { main } from "./cli/main.js";

// The CLI's process entry point.
process.exitCode = await main(process.argv.slice(2));
