// The browsers come from Debian's packages, never a download: a missing one fails with the
// command that installs it.

import { existsSync } from "node:fs";

/** Throws with the Debian package to install when a binary from Debian is missing. */
export function requireDebianBinary(path: string, pkg: string, what: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${what} is not installed (${path} is missing): run \`apt-get install -y ${pkg}\` (as root or with sudo), ` +
        "or `bash .ci/run`, which installs it on a fresh machine. Never a downloaded browser: Debian's binaries only.",
    );
  }
  return path;
}
