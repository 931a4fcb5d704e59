import { statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { CliError } from "./cli-error.js";

/** One `buf` input: a directory (module root) and, optionally, the files within it to generate. */
export interface BufInput {
  readonly input: string;
  /** `--path` filters; empty means every file under `input`. */
  readonly paths: readonly string[];
}

/**
 * Turns the user's arguments into buf inputs. Each directory is its own import root (as in
 * `buf generate <dir>`). Files share one root, `--proto-path` or the current directory (as with
 * `protoc`), so `import "a/b.proto"` resolves the same way it would for protoc. Only the named
 * files are compiled (plus what they import), not everything under the root.
 */
export function resolveInputs(inputs: readonly string[], protoPath: string | undefined): BufInput[] {
  const dirs: BufInput[] = [];
  const files: string[] = [];
  for (const input of inputs) {
    const kind = pathKind(input);
    if (kind === "missing") throw new CliError(`input not found: ${input}`);
    if (kind === "directory") {
      dirs.push({ input, paths: [] });
    } else if (!input.endsWith(".proto")) {
      throw new CliError(`not a .proto file or a directory: ${input}`);
    } else {
      files.push(input);
    }
  }
  if (files.length === 0) return dirs;
  const root = protoPath ?? ".";
  if (pathKind(root) !== "directory") throw new CliError(`--proto-path is not a directory: ${root}`);
  for (const file of files) {
    const rel = relative(resolve(root), resolve(file));
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new CliError(`${file} is outside the import root ${root}; pass --proto-path <dir> containing it`);
    }
  }
  return [...dirs, { input: root, paths: files }];
}

function pathKind(path: string): "missing" | "directory" | "file" {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return "missing";
  return stat.isDirectory() ? "directory" : "file";
}
