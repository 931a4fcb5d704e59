import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCliArgs, usage, type CliOptions } from "./args.js";
import { CliError } from "./cli-error.js";
import { writeDescriptorSet } from "./descriptor-set.js";
import { resolveInputs } from "./inputs.js";
import { locateBuf, locateProtocGenEs, locateProtocGenTripleEs } from "./locate.js";
import { copyGenerated } from "./output.js";
import { runBuf } from "./run-buf.js";
import { inlineTemplate } from "./template.js";
import { version } from "../version.js";

/**
 * `triple-es-gen`: from `.proto` files to protoc-gen-es messages plus triple-es clients in one
 * command. Resolves with the process exit code; prints the written files on stdout, one a line,
 * and errors on stderr.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCliArgs(argv);
    if (command.kind === "help") {
      console.log(usage);
      return 0;
    }
    if (command.kind === "version") {
      console.log(version);
      return 0;
    }
    return await generate(command.options);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`triple-es-gen: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

async function generate(options: CliOptions): Promise<number> {
  const inputs = resolveInputs(options.inputs, options.protoPath);
  const buf = locateBuf();
  const scratch = mkdtempSync(join(tmpdir(), "triple-es-gen-"));
  try {
    const outDir = join(scratch, "out");
    const template = inlineTemplate({
      outDir,
      target: options.target,
      importExtension: options.importExtension,
      protocGenEs: locateProtocGenEs(),
      protocGenTripleEs: locateProtocGenTripleEs(),
    });
    for (const input of inputs) {
      const paths = input.paths.flatMap((p) => ["--path", p]);
      const code = await runBuf(buf, ["generate", input.input, ...paths, "--template", template]);
      if (code !== 0) return code;
    }
    if (options.descriptorSet !== undefined) {
      const code = await writeDescriptorSet({ buf, inputs, scratch, dest: options.descriptorSet });
      if (code !== 0) return code;
    }
    const written = copyGenerated(outDir, options.out);
    if (options.descriptorSet !== undefined) written.push(options.descriptorSet);
    for (const file of written) console.log(file);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
