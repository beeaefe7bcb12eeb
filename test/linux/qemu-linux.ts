// The command lines that boot the project's kernel: `cxlemu run` on the default machine, and
// qemu-system-riscv64 the same way: virt with 512 MiB, single-threaded TCG (one host core, as
// cxlemu) with the CPU closest to ours (test/diff/harness.ts QEMU_CPU), OpenSBI, and no reboot.
// Shared by the boot tests, the differential boot test and bench/linux-boot.
import { join } from 'node:path';
import { QEMU_CPU, REPO } from '../diff/harness.js';

export interface LinuxBoot {
  image: string;
  initrd: string;
  append: string;
  /** Harts (default 1). */
  harts?: number;
  /** cxlemu's --acpi (default: cxlemu's own default, ACPI on the default machine). */
  acpi?: 'on' | 'off';
}

export function qemuLinuxArgs(boot: LinuxBoot): string[] {
  const smp = String(boot.harts ?? 1);
  return [
    ...['-M', 'virt', '-m', '512M', '-smp', smp, '-accel', 'tcg,thread=single', '-cpu', QEMU_CPU],
    ...['-nographic', '-no-reboot', '-bios', 'default'],
    ...['-kernel', boot.image, '-initrd', boot.initrd, '-append', boot.append],
  ];
}

/** node and its arguments for `cxlemu run` of the same boot (extra options at the end). */
export function cxlemuLinuxArgs(boot: LinuxBoot, extra: string[] = []): string[] {
  return [
    join(REPO, 'dist', 'src', 'cli', 'main.js'),
    'run',
    ...['--kernel', boot.image, '--initrd', boot.initrd, '--append', boot.append],
    ...['--smp', String(boot.harts ?? 1)],
    ...(boot.acpi ? ['--acpi', boot.acpi] : []),
    ...extra,
  ];
}
