// The qemu-system-riscv64 command line that boots the project's kernel the way `cxlemu run` does on
// the default machine: virt with 512 MiB, one single-threaded hart with the CPU closest to ours
// (test/diff/harness.ts QEMU_CPU), OpenSBI, and no reboot. Shared by the differential boot test and
// bench/linux-boot.
import { QEMU_CPU } from '../diff/harness.js';

export function qemuLinuxArgs(boot: { image: string; initrd: string; append: string }): string[] {
  return [
    ...['-M', 'virt', '-m', '512M', '-smp', '1', '-accel', 'tcg,thread=single', '-cpu', QEMU_CPU],
    ...['-nographic', '-no-reboot', '-bios', 'default'],
    ...['-kernel', boot.image, '-initrd', boot.initrd, '-append', boot.append],
  ];
}
