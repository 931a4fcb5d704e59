import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Moves everything buf generated into a scratch directory over to `out`, and returns the
 * written paths (spelled from `out` as the user typed it), sorted. Generating into scratch first
 * means a failed run leaves `out` untouched, and the list printed is exactly what was written.
 */
export function copyGenerated(scratch: string, out: string): string[] {
  const written: string[] = [];
  if (!existsSync(scratch)) return written;
  for (const rel of listFiles(scratch)) {
    const dest = join(out, rel);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(scratch, rel), dest);
    written.push(dest);
  }
  return written;
}

function listFiles(root: string, prefix = ""): string[] {
  const files: string[] = [];
  const entries = readdirSync(join(root, prefix), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix === "" ? entry.name : join(prefix, entry.name);
    if (entry.isDirectory()) {
      files.push(...listFiles(root, rel));
    } else {
      files.push(rel);
    }
  }
  return files;
}
