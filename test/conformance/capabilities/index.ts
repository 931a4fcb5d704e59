// Every runtime's capability file, in the order of the README's support table.
import type { RuntimeCapabilities } from "../capabilities.js";
import { bun } from "./bun.js";
import { chromium } from "./chromium.js";
import { deno } from "./deno.js";
import { firefox } from "./firefox.js";
import { node } from "./node.js";
import { webkit } from "./webkit.js";
import { workerd } from "./workerd.js";

export const allRuntimes: readonly RuntimeCapabilities[] = [chromium, firefox, webkit, node, deno, workerd, bun];
export { bun, chromium, deno, firefox, node, webkit, workerd };
