// The signals that stop a command cleanly and the error that reports such a stop. Owns their
// numbers and the exit status only; load.ts installs the handlers, main.ts reports the error.

/** The signals that stop a command cleanly (file-backed memory written back), with their numbers. */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** A command stopped by SIGINT/SIGTERM/SIGHUP after writing back its file-backed memory: exit 128 + n. */
export class StoppedBySignal extends Error {
  override readonly name = 'StoppedBySignal';
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}; file-backed memory was written back`);
  }
  get exitCode(): number {
    return 128 + STOP_SIGNALS[this.signal];
  }
}
