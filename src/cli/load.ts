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

/** Load, print QEMU warnings, build, run `fn`, save if asked, and always close the stores. */
export async function withMachine(
  cmd: Command,
  io: CliIo,
  fn: (m: Machine, boot: QemuBoot) => Promise<void> | void,
  save?: string,
  /** A command's own overrides of the description (run --smp). */
  adjust?: (d: MachineDescription) => MachineDescription,
): Promise<void> {
  const loaded = loadWithBoot(cmd, io);
  const description = adjust ? adjust(loaded.description) : loaded.description;
  const boot = loaded.boot;
  const m = Machine.build(description);
  try {
    await fn(m, boot);
    if (save !== undefined) saveDescription(m.describe(), save);
  } finally {
    m.close();
  }
}
