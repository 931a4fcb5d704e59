// The one-command CLI, `triple-es-gen`, and the standalone plugin, run as their bin files.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCodegenBuilt } from "./support/build-codegen.js";
import { codegenTestDir, pluginBin, protosDir, repoRoot, scratchDir } from "./support/paths.js";
import { runCli } from "./support/run-cli.js";

beforeAll(() => ensureCodegenBuilt(), 120_000);

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("triple-es-gen", () => {
  it("generates messages and clients from a directory and prints every file it wrote", () => {
    const dir = scratchDir("cli-dir");
    const r = runCli(["protos", "--out", join(dir, "gen")], { cwd: codegenTestDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const written = lines(r.stdout);
    expect(written).toContain(join(dir, "gen", "acme", "greet", "v1", "greet_pb.ts"));
    expect(written).toContain(join(dir, "gen", "acme", "greet", "v1", "greet_triple.ts"));
    expect(written).toContain(join(dir, "gen", "acme", "common", "v1", "types_pb.ts"));
    expect(written).not.toContain(join(dir, "gen", "acme", "common", "v1", "types_triple.ts"));
    for (const file of written) expect(existsSync(file), file).toBe(true);
    // import_extension=js reaches both plugins.
    const client = readFileSync(join(dir, "gen", "acme", "greet", "v1", "greet_triple.ts"), "utf8");
    expect(client).toContain(`from "./greet_pb.js"`);
  });

  it("writes .js and .d.ts with --target js+dts", () => {
    const dir = scratchDir("cli-js");
    const r = runCli(["protos", "--out", join(dir, "gen"), "--target", "js+dts", "--import-extension", "none"], {
      cwd: codegenTestDir,
    });
    expect(r.code).toBe(0);
    const written = lines(r.stdout);
    expect(written.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(written).toContain(join(dir, "gen", "acme", "greet", "v1", "greet_triple.js"));
    expect(written).toContain(join(dir, "gen", "acme", "greet", "v1", "greet_triple.d.ts"));
    expect(readFileSync(join(dir, "gen", "acme", "greet", "v1", "greet_triple.js"), "utf8")).toContain(`from "./greet_pb"`);
  });

  it("generates only the named .proto files, resolving imports from --proto-path", () => {
    const dir = scratchDir("cli-files");
    const r = runCli(
      ["protos/acme/greet/v2/greet.proto", "protos/nopackage.proto", "--proto-path", "protos", "--out", join(dir, "gen")],
      { cwd: codegenTestDir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((f) => f.slice(join(dir, "gen").length + 1))).toEqual([
      "acme/greet/v2/greet_pb.ts",
      "acme/greet/v2/greet_triple.ts",
      "nopackage_pb.ts",
      "nopackage_triple.ts",
    ]);
  });

  it("passes buf's file:line:col errors through, exits non-zero and writes nothing", () => {
    const dir = scratchDir("cli-bad");
    mkdirSync(join(dir, "protos"));
    writeFileSync(
      join(dir, "protos", "bad.proto"),
      ['syntax = "proto3";', "package bad;", "", "message Broken {", "  string name = 1", "}", ""].join("\n"),
    );
    writeFileSync(
      join(dir, "protos", "imports.proto"),
      ['syntax = "proto3";', "package bad;", 'import "missing/nowhere.proto";', ""].join("\n"),
    );
    const r = runCli(["protos", "--out", "gen"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^protos\/bad\.proto:6:1:unexpected `}`/m);
    expect(r.stderr).toMatch(/^protos\/imports\.proto:3:1:imported file does not exist/m);
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "gen"))).toBe(false);

    const single = runCli(["protos/imports.proto", "--out", "gen"], { cwd: dir });
    expect(single.code).not.toBe(0);
    expect(single.stderr).toMatch(/^protos\/imports\.proto:3:1:imported file does not exist/m);
  });

  it("reports a missing input path in one line", () => {
    const r = runCli(["no/such/dir", "--out", "gen"], { cwd: codegenTestDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("triple-es-gen: input not found: no/such/dir\n");
  });

  it("reports usage mistakes in one line with exit code 2", () => {
    for (const args of [["protos"], ["--out", "gen"], ["protos", "--out", "gen", "--target", "es5"], ["protos", "-o", "x", "--bogus"]]) {
      const r = runCli(args, { cwd: codegenTestDir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(lines(r.stderr), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^triple-es-gen: .*\(see --help\)\n$/);
    }
    expect(runCli(["--help"], { cwd: codegenTestDir }).stdout).toMatch(/^Usage: triple-es-gen/);
  });

  it("writes a binary FileDescriptorSet that protobuf-es decodes and loads", () => {
    const dir = scratchDir("cli-descriptors");
    const setFile = join(dir, "out", "services.binpb");
    const r = runCli(["protos", "--out", join(dir, "gen"), "--descriptor-set", setFile], { cwd: codegenTestDir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain(setFile);

    const set = fromBinary(FileDescriptorSetSchema, readFileSync(setFile));
    const names = set.file.map((f) => f.name);
    expect(names).toContain("acme/greet/v1/greet.proto");
    expect(names).toContain("google/protobuf/timestamp.proto");
    expect(new Set(names).size).toBe(names.length);

    const registry = createFileRegistry(set);
    const greeter = registry.getService("acme.greet.v1.Greeter");
    expect(greeter?.methods.map((m) => `${m.name}:${m.methodKind}`)).toEqual([
      "Say:unary",
      "SayStream:server_streaming",
      "Upload:client_streaming",
      "Chat:bidi_streaming",
      "SayOld:unary",
      "Clock:server_streaming",
      "Locate:unary",
      "Watch:server_streaming",
    ]);
    // Source info is kept, so tools can show the .proto comments.
    const greetFile = set.file.find((f) => f.name === "acme/greet/v1/greet.proto");
    expect(greetFile?.sourceCodeInfo?.location.some((l) => l.leadingComments.includes("One greeting."))).toBe(true);
  });

  it("merges the descriptor sets of several inputs without duplicates", () => {
    const dir = scratchDir("cli-descriptors-merge");
    const setFile = join(dir, "set.binpb");
    const r = runCli(
      ["protos/acme/names", "protos/acme/greet/v1/greet.proto", "-I", "protos", "--out", join(dir, "gen"), "--descriptor-set", setFile],
      { cwd: codegenTestDir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(setFile)));
    expect(registry.getService("acme.greet.v1.Greeter")).toBeDefined();
    expect(registry.getService("acme.names.v1.Names")).toBeDefined();
  });
});

describe("protoc-gen-triple-es", () => {
  it("works from a user's buf.gen.yaml as `local: protoc-gen-triple-es`", () => {
    const dir = scratchDir("plugin-standalone");
    // What npm does for a dependency's bins: links them into a directory on PATH.
    mkdirSync(join(dir, "bin"));
    symlinkSync(pluginBin, join(dir, "bin", "protoc-gen-triple-es"));
    symlinkSync(join(repoRoot, "node_modules", ".bin", "protoc-gen-es"), join(dir, "bin", "protoc-gen-es"));
    writeFileSync(
      join(dir, "buf.gen.yaml"),
      [
        "version: v2",
        "plugins:",
        "  - local: protoc-gen-es",
        "    out: gen",
        "    opt: target=ts",
        "  - local: protoc-gen-triple-es",
        "    out: gen",
        "    opt: target=ts",
        "",
      ].join("\n"),
    );
    const buf = join(repoRoot, "node_modules", ".bin", "buf");
    const r = spawnSync(buf, ["generate", protosDir], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const client = readFileSync(join(dir, "gen", "acme", "greet", "v1", "greet_triple.ts"), "utf8");
    expect(client).toContain("export function createGreeterClient(transport: Transport, options?: ClientOptions): GreeterClient {");
    expect(client).toContain(`from "./greet_pb"`);
  });
});
