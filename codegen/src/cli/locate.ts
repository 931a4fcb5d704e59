import { arch, endianness } from "node:os";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./cli-error.js";

/** A program to run: the executable and the arguments that come before ours. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

const require = createRequire(import.meta.url);

/** npm's per-platform buf packages, as named by `@bufbuild/buf`'s optional dependencies. */
const bufPlatformPackages: Readonly<Record<string, string>> = {
  "darwin arm64 LE": "@bufbuild/buf-darwin-arm64",
  "darwin x64 LE": "@bufbuild/buf-darwin-x64",
  "linux arm64 LE": "@bufbuild/buf-linux-aarch64",
  "linux arm LE": "@bufbuild/buf-linux-armv7",
  "linux x64 LE": "@bufbuild/buf-linux-x64",
  "win32 arm64 LE": "@bufbuild/buf-win32-arm64",
  "win32 x64 LE": "@bufbuild/buf-win32-x64",
};

/**
 * The buf binary from the `@bufbuild/buf` npm package, never from PATH: the version the package
 * pins is the one the tests ran with. The platform binary is run directly (saving a Node start);
 * the package's own launcher is the fallback when the platform package is laid out differently.
 */
export function locateBuf(): Command {
  let bufPackageJson: string;
  try {
    bufPackageJson = require.resolve("@bufbuild/buf/package.json");
  } catch {
    throw new CliError("@bufbuild/buf is not installed; run npm install");
  }
  const fromBuf = createRequire(bufPackageJson);
  const platformPackage = bufPlatformPackages[`${process.platform} ${arch()} ${endianness()}`];
  if (platformPackage !== undefined) {
    const exe = process.platform === "win32" ? "buf.exe" : "buf";
    try {
      return { file: fromBuf.resolve(`${platformPackage}/bin/${exe}`), args: [] };
    } catch {
      // fall through to the launcher
    }
  }
  return { file: process.execPath, args: [`${dirname(bufPackageJson)}/bin/buf`] };
}

/** protoc-gen-es, run with this same Node so no PATH or shebang lookup is involved. */
export function locateProtocGenEs(): Command {
  let bin: string;
  try {
    bin = require.resolve("@bufbuild/protoc-gen-es/bin/protoc-gen-es");
  } catch {
    throw new CliError("@bufbuild/protoc-gen-es is not installed; run npm install");
  }
  return { file: process.execPath, args: [bin] };
}

/** This package's plugin entry point, compiled next to this file. */
export function locateProtocGenTripleEs(): Command {
  return { file: process.execPath, args: [fileURLToPath(new URL("../protoc-gen-triple-es.js", import.meta.url))] };
}
