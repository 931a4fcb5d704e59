// Every runtime's capability file, in the order of the README's support table.
import type { RuntimeCapabilities } from "../capabilities.js";
import { bun } from "./bun.js";
import { chromium } from "./chromium.js";
import { deno } from "./deno.js";
import { node } from "./node.js";
import { workerd } from "./workerd.js";

export const allRuntimes: readonly RuntimeCapabilities[] = [chromium, node, deno, workerd, bun];
export { bun, chromium, deno, node, workerd };
