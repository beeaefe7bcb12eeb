// Where `--bios default` finds OpenSBI (the generic platform's fw_dynamic build): Debian's
// `opensbi` package first, then the copy QEMU ships; both are the same firmware.
import { existsSync } from 'node:fs';

export const DEFAULT_FIRMWARE_PATHS = [
  '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin',
  '/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin',
] as const;

/** The first default firmware present, or undefined (the caller names the package to install). */
export function findDefaultFirmware(paths: readonly string[] = DEFAULT_FIRMWARE_PATHS): string | undefined {
  return paths.find((p) => existsSync(p));
}
