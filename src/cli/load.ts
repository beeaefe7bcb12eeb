// Machine loading for the commands: the global options (--machine, --qemu, --qemu-file, --json),
// QEMU warnings on stderr, building, saving and always closing. Owns that sequence only; every
// step is a src/machine call.

import type { Command } from 'commander';
import {
  loadDescription,
  Machine,
  saveDescription,
  type MachineDescription,
  type MachineSource,
  type QemuBoot,
} from '../machine/index.js';
import type { CliIo } from './io.js';

interface GlobalOpts {
  qemu?: string;
  qemuFile?: string;
  machine?: string;
  json?: boolean;
}

const globalsOf = (cmd: Command): GlobalOpts => cmd.optsWithGlobals<GlobalOpts>();

/** True when --json was given anywhere on the command line. */
export const wantsJson = (cmd: Command): boolean => globalsOf(cmd).json === true;

function sourceOf(g: GlobalOpts): MachineSource {
  return { machine: g.machine, qemu: g.qemu, qemuFile: g.qemuFile };
}

/** The effective description (validated, windows placed, not built); warnings go to stderr. */
export function loadFor(cmd: Command, io: CliIo): MachineDescription {
  return loadWithBoot(cmd, io).description;
}

/** The description and a QEMU line's boot options (-kernel, -initrd, -append, -bios). */
function loadWithBoot(cmd: Command, io: CliIo): { description: MachineDescription; boot: QemuBoot } {
  const loaded = loadDescription(sourceOf(globalsOf(cmd)));
  for (const w of loaded.warnings) io.err(`cxlemu: warning: ${w}\n`);
  return { description: loaded.description, boot: loaded.boot ?? {} };
}

/** The signals that stop a command cleanly (file-backed memory written back), with their numbers. */
const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

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

/**
 * Load, print QEMU warnings, build, run `fn`, save if asked, and always close the stores (which
 * writes file-backed memory back). SIGINT, SIGTERM and SIGHUP abort `stop` (a running guest ends at
 * its next slice), the stores are closed as usual and the command ends with StoppedBySignal (no
 * --save: the state is mid-run); a second signal exits at once.
 */
export async function withMachine(
  cmd: Command,
  io: CliIo,
  fn: (m: Machine, boot: QemuBoot, stop: AbortSignal) => Promise<void> | void,
  save?: string,
  /** A command's own overrides of the description (run --smp). */
  adjust?: (d: MachineDescription) => MachineDescription,
): Promise<void> {
  const loaded = loadWithBoot(cmd, io);
  const description = adjust ? adjust(loaded.description) : loaded.description;
  const boot = loaded.boot;
  const m = Machine.build(description);
  const stop = new AbortController();
  let caught: StopSignal | undefined;
  const onSignal = (sig: StopSignal) => {
    if (caught !== undefined) process.exit(128 + STOP_SIGNALS[sig]);
    caught = sig;
    io.err(`cxlemu: ${sig}: stopping (a second ${sig} exits without writing back)\n`);
    stop.abort(new Error(`stopped by ${sig}`));
  };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((sig) => {
    const h = () => onSignal(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    await fn(m, boot, stop.signal);
    if (save !== undefined && caught === undefined) saveDescription(m.describe(), save);
  } finally {
    m.close();
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
  if (caught !== undefined) throw new StoppedBySignal(caught);
}
