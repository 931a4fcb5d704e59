import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";

/** What the user asked for, validated. */
export interface CliOptions {
  /** Proto directories and/or `.proto` files, as typed. */
  readonly inputs: readonly string[];
  readonly out: string;
  readonly target: "ts" | "js+dts";
  readonly importExtension: "js" | "ts" | "none";
  /** Where to write a binary `FileDescriptorSet` of the inputs and their imports, if wanted. */
  readonly descriptorSet: string | undefined;
  /** The import root for `.proto` file inputs (directories are their own root). */
  readonly protoPath: string | undefined;
}

/** `--help` and `--version` short-circuit generation. */
export type ParsedCommand =
  | { readonly kind: "generate"; readonly options: CliOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" };

/** The usage text, printed for `--help` and after usage errors. */
export const usage = `Usage: triple-es-gen <proto dir or .proto files…> --out <dir> [options]

Generates protoc-gen-es messages and triple-es clients with the bundled buf.

Options:
  -o, --out <dir>               where to write the generated files (required)
      --target <ts|js+dts>      TypeScript, or JavaScript with declarations (default: ts)
      --import-extension <js|ts|none>
                                extension on relative imports (default: js)
      --descriptor-set <file>   also write a binary FileDescriptorSet (inputs and imports)
  -I, --proto-path <dir>        import root for .proto file inputs (default: the current directory)
  -h, --help                    show this help
  -v, --version                 show the version`;

const targets = ["ts", "js+dts"] as const;
const importExtensions = ["js", "ts", "none"] as const;

/**
 * Parses `argv` (without the node and script paths). Usage mistakes become a `CliError` with exit
 * code 2, the convention for "called wrongly", so scripts can tell them from generation failures.
 */
export function parseCliArgs(argv: readonly string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string", short: "o" },
        target: { type: "string" },
        "import-extension": { type: "string" },
        "descriptor-set": { type: "string" },
        "proto-path": { type: "string", short: "I" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (e) {
    throw usageError(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help" };
  if (values.version === true) return { kind: "version" };
  if (positionals.length === 0) throw usageError("no inputs: pass a proto directory or .proto files");
  if (values.out === undefined || values.out === "") throw usageError("missing --out <dir>");
  return {
    kind: "generate",
    options: {
      inputs: positionals,
      out: values.out,
      target: oneOf("--target", values.target ?? "ts", targets),
      importExtension: oneOf("--import-extension", values["import-extension"] ?? "js", importExtensions),
      descriptorSet: values["descriptor-set"],
      protoPath: values["proto-path"],
    },
  };
}

function oneOf<const T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw usageError(`${flag} must be one of ${allowed.join(", ")}, not "${value}"`);
  return found;
}

function usageError(message: string): CliError {
  return new CliError(`${message} (see --help)`, { exitCode: 2 });
}
