// Machine loading for the commands: the global options (--machine, --qemu, --qemu-file, --json),
// QEMU warnings on stderr, building, saving and always closing. Owns that sequence only; every
// step is a src/machine call. Command actions import it on demand: it loads the machine.

import type { Command } from 'commander';
import { Machine } from '../machine/build.js';
import type { MachineDescription } from '../machine/description.js';
import { loadDescription, saveDescription, type MachineSource } from '../machine/load.js';
import type { QemuBoot } from '../machine/qemu-parser.js';
import type { CliIo } from './io.js';
import { STOP_SIGNALS, type StopSignal, StoppedBySignal } from './signals.js';

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
  opts: {
    /** Write the machine (description + state) here afterwards (--save). */
    save?: string | undefined;
    /** A command's own overrides of the description (run --smp). */
    adjust?: ((d: MachineDescription) => MachineDescription) | undefined;
  } = {},
): Promise<void> {
  const { save, adjust } = opts;
  const loaded = loadWithBoot(cmd, io);
  const description = adjust ? adjust(loaded.description) : loaded.description;
  const boot = loaded.boot;
  const m = Machine.build(description);
  for (const n of m.notices) io.err(`cxlemu: ${n}\n`);
  m.onNotice = (n) => io.err(`cxlemu: ${n}\n`);
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
