// Where the CLI writes: stdout and stderr (or a test's strings), whether progress bars may show,
// and the exit status a command leaves behind. Owns output plumbing only; never renders a result
// (src/machine's report functions do).

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Show progress bars (stderr is a terminal). */
  progress: boolean;
}

export const processIo = (): CliIo => ({
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  progress: process.stderr.isTTY === true,
});

/** One invocation's output and exit status, shared by every command module. */
export interface CliContext {
  readonly io: CliIo;
  /** Write `s` to stdout, adding the final newline if it lacks one. */
  print(s: string): void;
  /** Pretty JSON (2-space indent) on stdout. */
  printJson(v: unknown): void;
  /** Exit status once the command returns normally: 0 unless a command sets it. */
  status: number;
}

export function cliContext(io: CliIo): CliContext {
  const print = (s: string) => io.out(s.endsWith('\n') ? s : `${s}\n`);
  return { io, print, printJson: (v) => print(JSON.stringify(v, null, 2)), status: 0 };
}
