// Where a machine description comes from and goes to: a saved description file (JSON or YAML), a
// QEMU command line (text or a file), or the built-in default; and writing one back (--save).
// Owns file I/O of descriptions; never validates by itself (description.ts, qemu-parser.ts do).

import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  lstatSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { ConfigError } from './errors.js';
import {
  descriptionToJson,
  descriptionToYaml,
  memdevsOf,
  parseDescriptionText,
  type MachineDescription,
} from './description.js';
import { humanSize } from './sizes.js';
import { MAX_ARENA_BYTES } from '../memory/arena.js';
import { parseQemuCommandLine, type QemuBoot } from './qemu-parser.js';
import { defaultDescription } from './default-machine.js';

export interface MachineSource {
  /** A saved description file (JSON, or YAML by .yaml/.yml or content). */
  machine?: string | undefined;
  /** A QEMU command line as one string. */
  qemu?: string | undefined;
  /** A file holding a QEMU command line (backslash-newlines and # comments allowed). */
  qemuFile?: string | undefined;
}

export interface LoadedDescription {
  description: MachineDescription;
  /** QEMU options accepted but ignored (print them on stderr). */
  warnings: string[];
  /** Where it came from, for messages: "default machine", "--machine m.json", ... */
  origin: string;
  /** A QEMU line's -kernel/-initrd/-append/-bios (what `cxlemu run` boots without --kernel). */
  boot?: QemuBoot;
}

function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      [{ code: 'file', path: option, value: file, allowed: `a readable file (${(e as Error).message})` }],
      'cannot read input',
    );
  }
}

/** Load the description named by at most one source; none: the built-in default machine. */
export function loadDescription(src: MachineSource): LoadedDescription {
  const loaded = loadGiven(src);
  const big = arenaWarning(loaded.description);
  return big ? { ...loaded, warnings: [...loaded.warnings, big] } : loaded;
}

/**
 * Guest memory lives in one arena of at most 4 GiB (a 32-bit WebAssembly memory) and is mapped a
 * page at a time as it is first touched. A machine whose memories add up to more works until its
 * guests have touched 4 GiB, then stops with an "arena is full" error naming the memory that
 * asked: say so up front.
 */
export function arenaWarning(d: MachineDescription): string | undefined {
  let total = d.ram.size;
  for (const m of memdevsOf(d))
    total += (m.device.volatile?.size ?? 0) + (m.device.persistent?.size ?? 0) + (m.device.lsa?.size ?? 0);
  if (total <= MAX_ARENA_BYTES) return undefined;
  return `this machine has ${humanSize(total)} of memory (RAM and devices); at most ${humanSize(MAX_ARENA_BYTES)} of it can be touched in one run (one WebAssembly memory), so a guest that touches more stops with "guest memory arena is full": reduce ram.size (-m) or the device sizes if it will`;
}

function loadGiven(src: MachineSource): LoadedDescription {
  const given = (['machine', 'qemu', 'qemuFile'] as const).filter((k) => src[k] !== undefined);
  if (given.length > 1) {
    const names = { machine: '--machine', qemu: '--qemu', qemuFile: '--qemu-file' };
    throw new ConfigError(
      [
        {
          code: 'conflicting_options',
          path: given.map((k) => names[k]).join(' and '),
          value: undefined,
          allowed: 'at most one of --machine, --qemu, --qemu-file',
        },
      ],
      'conflicting options',
    );
  }
  if (src.machine !== undefined) {
    return {
      description: parseDescriptionText(readText(src.machine, '--machine'), src.machine),
      warnings: [],
      origin: `--machine ${src.machine}`,
    };
  }
  if (src.qemu !== undefined) {
    const r = parseQemuCommandLine(src.qemu);
    return { description: r.description, warnings: r.warnings, origin: '--qemu', boot: r.boot };
  }
  if (src.qemuFile !== undefined) {
    const r = parseQemuCommandLine(readText(src.qemuFile, '--qemu-file'));
    return { description: r.description, warnings: r.warnings, origin: `--qemu-file ${src.qemuFile}`, boot: r.boot };
  }
  return { description: defaultDescription(), warnings: [], origin: 'default machine' };
}

/** The text of a description: YAML for .yaml/.yml names, else JSON. */
export function descriptionText(d: MachineDescription, fileOrFormat: string): string {
  return /\.ya?ml$|^ya?ml$/i.test(fileOrFormat) ? descriptionToYaml(d) : descriptionToJson(d);
}

/** Write a description (atomically: temp file then rename). */
export function saveDescription(d: MachineDescription, file: string): void {
  const refuse = (why: string): ConfigError =>
    new ConfigError([{ code: 'file', path: '--save', value: file, allowed: why }], 'cannot save machine');
  // Replace the real file: through a symlink (the link stays), never a device or FIFO, never one
  // the user cannot write, keeping its permissions; the temporary file is new (never followed).
  let target = file;
  let mode: number | undefined;
  if (existsSync(file)) {
    target = realpathSync(file);
    const st = statSync(target);
    if (!st.isFile()) throw refuse(`a regular file (${target} is not one)`);
    // No write bit at all is read-only even for root, who passes every access check.
    let writable = (st.mode & 0o222) !== 0;
    try {
      accessSync(target, constants.W_OK);
    } catch {
      writable = false;
    }
    if (!writable) throw refuse(`a writable file (${target} is read-only)`);
    mode = st.mode & 0o7777;
  } else if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw refuse('a path that is not a dangling symbolic link');
  }
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, descriptionText(d, file), { flag: 'wx' });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    throw refuse(`a writable path (${(e as Error).message})`);
  }
}
