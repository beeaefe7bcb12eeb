// Booting through firmware, as QEMU's virt machine does: OpenSBI (fw_dynamic) at the start of RAM,
// the kernel where its Image header asks, the initramfs placed in RAM and named in /chosen, the
// command line in /chosen/bootargs, and the fw_dynamic info struct in a2. Owns reading and
// checking the boot inputs and writing them into guest memory; the placement arithmetic is
// src/boot's, the device tree the board's.

import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import {
  BootPlanError,
  type BootPlan,
  encodeFwDynamicInfo,
  findDefaultFirmware,
  isLinuxImage,
  LinuxImageError,
  type LinuxImageHeader,
  NextMode,
  parseLinuxImage,
  planBoot,
  DEFAULT_FIRMWARE_PATHS,
} from '../boot/index.js';
import { fdtAddress } from '../firmware/fdt.js';
import type { AddressSpace } from '../memory/index.js';
import { MAX_RNG_SEED_BYTES } from './board-map.js';
import { isElf, loadElf, type LoadedImage } from './elf.js';
import { ConfigError } from './errors.js';

/** What the user asked for: `--bios`, `--initrd`, `--append`, `--rng-seed`. */
export interface BootRequest {
  /** 'default' (OpenSBI), 'none' (start the kernel directly in M-mode), or a firmware file. */
  bios?: string;
  initrd?: string | Uint8Array;
  append?: string;
  /** /chosen/rng-seed: absent, defaultRngSeed(); 'random', RANDOM_RNG_SEED_BYTES from the host; null, no property. */
  rngSeed?: Uint8Array | 'random' | null;
}

/** Bytes of a seed drawn from the host (`'random'`): as many as QEMU's virt machine passes. */
export const RANDOM_RNG_SEED_BYTES = 32;

/**
 * The rng-seed every run gets unless told otherwise: 32 fixed bytes (readable in a dumped device
 * tree), so a run stays reproducible.
 * QEMU's virt machine passes 32 random bytes (fixed ones with -seed); without any, Linux's random
 * number generator is not ready at boot and gathers timer jitter for it (about 11 million
 * instructions of a cxlemu boot) while anything asking for random bytes waits.
 */
export function defaultRngSeed(): Uint8Array {
  return new TextEncoder().encode('cxlemu fixed rng-seed (32 bytes)');
}

/** The boot, read and checked, ready to be written once the board exists. */
export interface PreparedBoot {
  kernel: Uint8Array;
  what: string;
  /** Firmware bytes and where they came from, or null for a direct start. */
  firmware: { bytes: Uint8Array; path: string } | null;
  header: LinuxImageHeader | null;
  initrd: Uint8Array | null;
  append: string | undefined;
  /** /chosen/rng-seed, or null for none. */
  rngSeed: Uint8Array | null;
  /** Placement of firmware, kernel (Images) and initrd; null for a direct ELF/raw start with no initrd. */
  plan: BootPlan | null;
}

const bad = (path: string, value: string, allowed: string) =>
  new ConfigError([{ code: 'bad_option', path, value, allowed }], 'cannot boot');

/** The bytes of a regular file; a ConfigError naming `option` for a missing or special file. */
export function readRegularFile(path: string, option: string, what: string): Uint8Array {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw bad(option, path, `a readable ${what} (${(e as Error).message})`);
  }
  if (!st.isFile()) throw bad(option, path, `a regular file holding ${what} (this is not a regular file)`);
  return new Uint8Array(readFileSync(path));
}

/**
 * Decides the firmware (without --bios: OpenSBI for a Linux Image, none for anything else), reads
 * the inputs and lays them out in RAM below `reservedFrom` (the board's device tree and ACPI).
 */
export function prepareBoot(
  kernel: Uint8Array,
  what: string,
  req: BootRequest,
  ram: { base: number; size: number },
  acpiBase: number | undefined,
): PreparedBoot {
  const image = isLinuxImage(kernel);
  const bios = req.bios ?? (image ? 'default' : 'none');
  let firmware: PreparedBoot['firmware'] = null;
  if (bios === 'default') {
    const path = findDefaultFirmware();
    if (path === undefined)
      throw bad(
        '--bios',
        'default',
        `OpenSBI's fw_dynamic.bin at ${DEFAULT_FIRMWARE_PATHS.join(' or ')} (apt-get install opensbi), or --bios FILE`,
      );
    firmware = { bytes: readRegularFile(path, '--bios', 'firmware'), path };
  } else if (bios !== 'none') firmware = { bytes: readRegularFile(bios, '--bios', 'firmware'), path: bios };
  if (firmware && firmware.bytes.length === 0) throw bad('--bios', firmware.path, 'a non-empty firmware image');

  let header: LinuxImageHeader | null = null;
  if (image) {
    try {
      header = parseLinuxImage(kernel, what);
    } catch (e) {
      if (e instanceof LinuxImageError) throw bad('--kernel', what, e.message);
      throw e;
    }
  } else if (!isElf(kernel) && firmware) {
    throw bad(
      '--kernel',
      what,
      'a RISC-V Linux Image (magic "RSC\\x05" at 0x38) or an ELF when booting through firmware',
    );
  }
  const initrd =
    req.initrd === undefined
      ? null
      : typeof req.initrd === 'string'
        ? readRegularFile(req.initrd, '--initrd', 'initramfs')
        : req.initrd;
  if (initrd && !header && !firmware)
    throw bad(
      '--initrd',
      typeof req.initrd === 'string' ? req.initrd : 'initrd',
      'used with a Linux Image or firmware',
    );

  let plan: BootPlan | null = null;
  if (header || firmware) {
    // The device tree takes the top 2 MiB slot (QEMU's rule); ACPI tables sit below it.
    const fdtSlot = fdtAddress(ram, 2 * 2 ** 20) ?? ram.base + ram.size;
    try {
      plan = planBoot({
        ram,
        reservedFrom: Math.min(fdtSlot, acpiBase ?? Number.POSITIVE_INFINITY),
        ...(firmware ? { firmwareSize: firmware.bytes.length } : {}),
        kernel: { header, fileSize: header ? kernel.length : 0 },
        ...(initrd ? { initrdSize: initrd.length } : {}),
      });
    } catch (e) {
      if (e instanceof BootPlanError) throw bad(initrd ? '--initrd' : '--kernel', what, e.message);
      throw e;
    }
  }
  const rngSeed =
    req.rngSeed === undefined
      ? defaultRngSeed()
      : req.rngSeed === 'random'
        ? new Uint8Array(randomBytes(RANDOM_RNG_SEED_BYTES))
        : req.rngSeed;
  if (rngSeed !== null && (rngSeed.length === 0 || rngSeed.length > MAX_RNG_SEED_BYTES))
    throw bad('--rng-seed', `${rngSeed.length} bytes`, `1 to ${MAX_RNG_SEED_BYTES} bytes`);
  return { kernel, what, firmware, header, initrd, append: req.append, rngSeed, plan };
}

/** Writes one blob into guest RAM or fails with the address. */
function put(space: AddressSpace, at: number, bytes: Uint8Array, what: string): void {
  const f = space.writeBytes(at, bytes);
  if (f !== 0) throw new RangeError(`cannot write ${what} at 0x${at.toString(16)}: RAM is not mapped there (-m)`);
}

/** Where the kernel starts and what a2 holds, after writing everything into RAM. */
export interface WrittenBoot {
  entry: number;
  a2: number;
  kernel: LoadedImage | { kind: 'image'; entry: number; low: number; high: number };
}

export function writeBoot(space: AddressSpace, boot: PreparedBoot, hartId: number): WrittenBoot {
  const plan = boot.plan;
  let kernelEntry: number;
  let loaded: WrittenBoot['kernel'];
  if (boot.header && plan) {
    put(space, plan.kernelAt, boot.kernel, boot.what);
    kernelEntry = plan.kernelAt;
    loaded = { kind: 'image', entry: kernelEntry, low: plan.kernelAt, high: plan.kernelAt + boot.kernel.length };
  } else {
    loaded = loadElf(boot.kernel, space, boot.what);
    kernelEntry = loaded.entry;
  }
  if (plan?.initrd && boot.initrd) put(space, plan.initrd.start, boot.initrd, 'the initrd');
  if (!boot.firmware || !plan) return { entry: kernelEntry, a2: 0, kernel: loaded };
  put(space, plan.firmwareAt ?? 0, boot.firmware.bytes, `the firmware ${boot.firmware.path}`);
  const info = encodeFwDynamicInfo({ nextAddr: kernelEntry, nextMode: NextMode.Supervisor, bootHart: hartId });
  put(space, plan.infoAt ?? 0, info, 'the fw_dynamic info');
  return { entry: plan.firmwareAt ?? 0, a2: plan.infoAt ?? 0, kernel: loaded };
}

/**
 * Whether the file at `path` starts like a RISC-V Linux Image ("RSC\x05" at 0x38): `run` then
 * picks the AIA unless told otherwise. An unreadable file is false (the loader reports it later).
 */
export function isLinuxImageFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = new Uint8Array(0x40);
      return readSync(fd, b, 0, 0x40, 0) === 0x40 && isLinuxImage(b);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * The interrupt controllers a machine boots `kernel` with: the description's, else the AIA for a
 * Linux Image (MSI/MSI-X for cxl_pci's event interrupts) and the PLIC for anything else (QEMU
 * virt's default, which bare-metal programs expect). What `run` applies when neither the
 * description nor --irqchip says.
 */
export function irqchipFor(
  described: 'plic' | 'aia' | undefined,
  kernel: string | undefined,
): 'plic' | 'aia' | undefined {
  if (described !== undefined) return described;
  return kernel !== undefined && isLinuxImageFile(kernel) ? 'aia' : undefined;
}
