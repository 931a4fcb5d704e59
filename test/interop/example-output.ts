// The README's runnable examples (examples/*/main.ts) each export `run(baseUrl, log)`; their
// tests compare what it prints, line by line, with what the README says it prints.

/** An example's entry point: runs against `baseUrl`, printing through `log`. */
export type ExampleRun = (baseUrl: string, log: (line: string) => void) => Promise<void>;

/** The lines `run` prints against `baseUrl`, also echoed to the test log for a reader of CI output. */
export async function exampleOutput(run: ExampleRun, baseUrl: string): Promise<string[]> {
  const lines: string[] = [];
  await run(baseUrl, (line) => lines.push(line));
  console.log(lines.join("\n"));
  return lines;
}
