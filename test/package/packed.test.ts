// The packages as users get them: both tarballs packed, installed into a new app outside the
// repository (no links, no aliases), every documented import used from there, the installed
// generator run, its output type-checked strictly under both module resolutions, bundled with
// Vite and called from Chromium against the real dubbo-js server. publint and attw check the
// tarballs as a registry would see them.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchDebianChromium, serveDirectory } from "../runtimes/static-site.js";
import { repoRoot, runProcess, type ProcessResult } from "../runtimes/runner.js";

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { path: string }[];
}

const work = mkdtempSync(join(tmpdir(), "triple-es-packed-"));
const app = join(work, "app");
const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string }>;
};
/** The versions the repository is tested with, so the app installs what the npm cache already has. */
const locked = (name: string) => lock.packages[`node_modules/${name}`]?.version ?? "latest";

let runtime: Packed;
let generator: Packed;

async function run(command: string, args: readonly string[], cwd: string, timeoutMs = 180_000): Promise<ProcessResult> {
  const result = await runProcess(command, args, { cwd, timeoutMs, env: { npm_config_update_notifier: "false" } });
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

async function pack(dir: string): Promise<Packed> {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], dir);
  // Lifecycle scripts (prepack's build) print before the JSON.
  const packed = (JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as Packed[])[0]!;
  console.log(
    `[packed] ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${packed.files.length} files`,
  );
  return packed;
}

/** The `exports` subpaths of the installed runtime, as a user would import them. */
function installedSubpaths(): string[] {
  const pkg = JSON.parse(readFileSync(join(app, "node_modules", "triple-es", "package.json"), "utf8")) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? "triple-es" : `triple-es/${key.slice(2)}`));
}

beforeAll(async () => {
  runtime = await pack(repoRoot);
  generator = await pack(join(repoRoot, "codegen"));
  mkdirSync(join(app, "src"), { recursive: true });
  mkdirSync(join(app, "proto"), { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify(
      {
        name: "fresh-app",
        private: true,
        type: "module",
        dependencies: {
          "triple-es": `file:${join(work, runtime.filename)}`,
          "@bufbuild/protobuf": `^${locked("@bufbuild/protobuf")}`,
        },
        devDependencies: {
          "protoc-gen-triple-es": `file:${join(work, generator.filename)}`,
          // The optional peers of the opt-in entries, installed as an app using them would.
          msw: `^${locked("msw")}`,
          "@opentelemetry/api": `^${locked("@opentelemetry/api")}`,
        },
      },
      null,
      2,
    ),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app, 300_000);
  cpSync(join(repoRoot, "test", "protos", "triple"), join(app, "proto", "triple"), { recursive: true });
  cpSync(join(repoRoot, "examples", "vite-web", "index.html"), join(app, "index.html"));
  // The example's page, importing the client the installed generator writes into the app.
  const main = readFileSync(join(repoRoot, "examples", "vite-web", "src", "main.ts"), "utf8").replace(
    "../../../test/gen/triple/interop/v1/interop_triple.js",
    "./gen/triple/interop/v1/interop_triple.js",
  );
  expect(main).toContain("./gen/triple/interop/v1/interop_triple.js");
  writeFileSync(join(app, "src", "main.ts"), main);
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("the packed packages", () => {
  it("the runtime ships no dependencies, no generator and no tests; the generator ships its bins and what they run", () => {
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "triple-es", "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg["dependencies"]).toBeUndefined();
    expect(pkg["bin"]).toBeUndefined();
    const runtimeFiles = runtime.files.map((f) => f.path);
    expect(runtimeFiles).toContain("LICENSE");
    expect(runtimeFiles.filter((p) => !/^(dist|src)\/|^(LICENSE|README\.md|package\.json)$/.test(p))).toEqual([]);
    const generatorFiles = generator.files.map((f) => f.path);
    expect(generatorFiles).toEqual(expect.arrayContaining(["LICENSE", "bin/triple-es-gen.js", "bin/run-built.js", "dist/codegen/src/triple-es-gen.js", "dist/src/method-names.js"]));
    // The app's installed tree has no generator toolchain under the runtime.
    expect(existsSync(join(app, "node_modules", "triple-es", "node_modules"))).toBe(false);
  });

  it("every exports subpath imports in Node from the installed package", async () => {
    const subpaths = installedSubpaths();
    expect(subpaths).toEqual(expect.arrayContaining(["triple-es", "triple-es/json", "triple-es/gzip", "triple-es/observer", "triple-es/websocket", "triple-es/retry", "triple-es/internal"]));
    const script = `for (const s of ${JSON.stringify(subpaths)}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], app);
    const counts = new Map(stdout.trim().split("\n").map((l) => l.split(" ") as [string, string]));
    expect([...counts.keys()]).toEqual(subpaths);
    for (const [subpath, count] of counts) expect(Number(count), `${subpath} exports`).toBeGreaterThan(0);
  });

  it("the installed triple-es-gen generates a client, which type-checks strictly under NodeNext and Bundler resolution", async () => {
    const gen = await run(join(app, "node_modules", ".bin", "triple-es-gen"), ["proto", "--out", "src/gen"], app);
    expect(gen.stdout).toMatch(/interop_triple\.ts/);
    // Every documented entry, used as the README shows, beside the generated client.
    writeFileSync(
      join(app, "src", "entries.ts"),
      [
        'import { createFetchTransport, createTransport, TripleError, Code, type Transport } from "triple-es";',
        'import { json } from "triple-es/json";',
        'import { gzip } from "triple-es/gzip";',
        'import { createObserverClient } from "triple-es/observer";',
        'import { createWebSocketTransport } from "triple-es/websocket";',
        'import { dubboJava } from "triple-es/protocol-java";',
        'import { dubboGo } from "triple-es/protocol-go";',
        'import { EnvelopeParser } from "triple-es/internal";',
        'import { InteropService } from "./gen/triple/interop/v1/interop_pb.js";',
        'import { createInteropServiceClient } from "./gen/triple/interop/v1/interop_triple.js";',
        'const transport: Transport = createFetchTransport({ baseUrl: "http://127.0.0.1:1", format: json(), compression: { accept: [gzip] }, protocol: dubboJava(), credentials: "include" });',
        'export const client = createInteropServiceClient(transport);',
        'export const observer = createObserverClient(InteropService, createTransport({ baseUrl: "http://x", protocol: dubboGo(), roundTrip: () => Promise.reject(new TripleError("no", Code.Unavailable)) }));',
        'export const ws: Transport = createWebSocketTransport({ url: "ws://127.0.0.1:1" });',
        'export const parser = new EnvelopeParser();',
        'export async function call(): Promise<string> { return (await client.unary({ text: "x" })).text; }',
        "",
      ].join("\n"),
    );
    const compilerOptions = {
      strict: true,
      noEmit: true,
      target: "ES2022",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      types: [],
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
    };
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    for (const [name, resolution] of [
      ["nodenext", { module: "NodeNext", moduleResolution: "NodeNext" }],
      ["bundler", { module: "ESNext", moduleResolution: "Bundler" }],
    ] as const) {
      const config = `tsconfig.${name}.json`;
      writeFileSync(join(app, config), JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, include: ["src"] }));
      const r = await runProcess(process.execPath, [tsc, "-p", config], { cwd: app, timeoutMs: 120_000 });
      expect(`${r.stdout}${r.stderr}`, `tsc -p ${config}`).toBe("");
      expect(r.code).toBe(0);
    }
  }, 240_000);

  it("the app bundles with Vite and, in Chromium, calls the real dubbo-js server", async () => {
    const { h1 } = inject("dubbo");
    const outDir = join(work, "app-dist");
    await build({ root: app, configFile: false, logLevel: "silent", build: { outDir, emptyOutDir: true, target: "es2022" } });
    const site = await serveDirectory(outDir);
    const browser = await launchDebianChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${site.url}?server=${encodeURIComponent(h1)}`);
      await page.fill("#text", "from the tarball");
      await page.click("#send");
      await page.waitForFunction(() => /done|error/.test(document.querySelector("#out")?.textContent ?? ""), null, { timeout: 60_000 });
      expect(errors).toEqual([]);
      expect((await page.textContent("#out"))?.trim().split("\n")).toEqual([
        "unary: from the tarball",
        "stream: message 0",
        "stream: message 1",
        "stream: message 2",
        "done",
      ]);
    } finally {
      await browser.close();
      await site.close();
    }
  }, 120_000);

  it("publint finds nothing in either tarball; attw finds no type-resolution problem in the runtime", async () => {
    const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);
    for (const tarball of [runtime.filename, generator.filename]) {
      const r = await run(bin("publint"), ["run", "--strict", tarball], work);
      console.log(`[publint] ${tarball}: ${r.stdout.trim().split("\n").at(-1)}`);
      expect(r.stdout).toMatch(/All good!/);
    }
    // ESM only by design: CommonJS `require` and node10 resolution are out of scope (esm-only profile).
    const attw = await runProcess(bin("attw"), ["--profile", "esm-only", "--format", "table-flipped", "--no-color", runtime.filename], {
      cwd: work,
      timeoutMs: 120_000,
    });
    console.log(`[attw] ${runtime.filename}:\n${attw.stdout.trim()}`);
    expect(attw.code, attw.stdout).toBe(0);
    // Every entry resolves to ESM with types under node16 and bundler resolution (the checked columns).
    const rows = attw.stdout.split("\n").filter((l) => l.startsWith('│ "triple-es'));
    expect(rows.length).toBe(installedSubpaths().length + 1); // + "triple-es/package.json"
    for (const row of rows) {
      const [, entry, node16, bundler] = row.split("│").map((c) => c.trim());
      expect([entry, node16, bundler]).toEqual([entry, expect.stringContaining("🟢"), expect.stringContaining("🟢")]);
    }
    // The generator is a CLI: no library entry, so nothing for attw to resolve.
    const gen = await runProcess(bin("attw"), ["--profile", "esm-only", generator.filename], { cwd: work, timeoutMs: 120_000 });
    expect(gen.stdout).toMatch(/does not contain types/);
  }, 240_000);
});
