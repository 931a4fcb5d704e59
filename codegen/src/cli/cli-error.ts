/**
 * A failure the user can act on. The CLI prints only its message, on one line, and exits with
 * `exitCode`; anything else that is thrown is a bug and keeps its stack trace.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number } = {}) {
    super(message);
    this.name = "CliError";
    this.exitCode = options.exitCode ?? 1;
  }
}
