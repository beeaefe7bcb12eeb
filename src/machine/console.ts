// The serial console on the host's terminal, as QEMU's -nographic mux does it: input goes to the
// UART raw (a terminal is put in raw mode, so Ctrl-C reaches the guest), and Ctrl-A starts an
// escape: Ctrl-A X quits, Ctrl-A H prints the keys, Ctrl-A Ctrl-A sends one Ctrl-A. Owns the
// byte filter and the terminal mode; the board only sees the filtered stream and an abort signal.

import { PassThrough } from 'node:stream';

const CTRL_A = 0x01;

export const CONSOLE_HELP = '\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a C-a  sends C-a\r\n';

/** Ctrl-A escape decoding over a byte stream: returns what goes to the guest. */
export class ConsoleEscapes {
  private pending = false;

  constructor(private readonly on: { quit(): void; help(): void }) {}

  filter(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.pending) {
        this.pending = false;
        if (b === CTRL_A) out.push(CTRL_A);
        else if (b === 0x78 || b === 0x58) this.on.quit();
        else if (b === 0x68 || b === 0x48 || b === 0x3f) this.on.help();
        // Any other key after Ctrl-A is dropped, as QEMU does.
      } else if (b === CTRL_A) this.pending = true;
      else out.push(b);
    }
    return Uint8Array.from(out);
  }
}

export interface InteractiveConsole {
  /** Filtered input for the UART. */
  input: NodeJS.ReadableStream;
  /** Aborted by Ctrl-A X. */
  signal: AbortSignal;
  /** Restore the terminal (cooked mode) and stop reading. */
  close(): void;
}

/** Wraps `stdin` (raw mode when it is a terminal) with the escape keys; help goes to `err`. */
export function interactiveConsole(
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream,
  err: (s: string) => void,
): InteractiveConsole {
  const quit = new AbortController();
  const escapes = new ConsoleEscapes({
    quit: () => quit.abort(new Error('terminated by the user (Ctrl-A X)')),
    help: () => err(CONSOLE_HELP),
  });
  const out = new PassThrough();
  const tty = 'isTTY' in stdin && stdin.isTTY === true && typeof stdin.setRawMode === 'function' ? stdin : null;
  tty?.setRawMode(true);
  const onData = (chunk: Buffer | string) => {
    const bytes = escapes.filter(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (bytes.length > 0) out.write(bytes);
  };
  const onEnd = () => out.end();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  return {
    input: out,
    signal: quit.signal,
    close() {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      tty?.setRawMode(false);
      stdin.pause();
    },
  };
}
