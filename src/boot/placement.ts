// Where firmware, kernel, initramfs and the fw_dynamic info go in RAM, following QEMU's RISC-V
// boot code (hw/riscv/boot.c) so the same Image boots the same way on both. Owns the arithmetic
// only: src/machine writes the bytes and the board decides its own reserved top of RAM (device
// tree, ACPI tables).

import type { LinuxImageHeader } from './linux-image.js';

const MiB = 2 ** 20;
/** RV64 kernels must start 2 MiB aligned (the linear map uses 2 MiB pages). */
export const KERNEL_ALIGN = 2 * MiB;
const PAGE = 4096;

/** A boot that cannot be laid out in this machine's RAM (exit 1 with the sizes). */
export class BootPlanError extends Error {
  override readonly name = 'BootPlanError';
}

export interface BootPlanInput {
  ram: { base: number; size: number };
  /** The lowest address the board keeps for itself at the top of RAM (device tree, ACPI). */
  reservedFrom: number;
  /** Firmware bytes loaded at the start of RAM (OpenSBI), or absent for `--bios none`. */
  firmwareSize?: number;
  kernel: { header: LinuxImageHeader | null; fileSize: number };
  initrdSize?: number;
}

export interface BootPlan {
  firmwareAt?: number;
  kernelAt: number;
  /** First byte after the kernel's running image (bss included). */
  kernelEnd: number;
  initrd?: { start: number; end: number };
  /** A 4 KiB page for the fw_dynamic info struct (when there is firmware). */
  infoAt?: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
const hex = (n: number) => `0x${n.toString(16)}`;

export function planBoot(p: BootPlanInput): BootPlan {
  const { base, size } = p.ram;
  const limit = Math.min(p.reservedFrom, base + size);
  const plan: BootPlan = { kernelAt: base, kernelEnd: base };
  let next = base;
  if (p.firmwareSize !== undefined) {
    plan.firmwareAt = base;
    next = base + p.firmwareSize;
    // As QEMU: the kernel follows the firmware at the next 2 MiB boundary.
    plan.kernelAt = alignUp(next, KERNEL_ALIGN);
  }
  if (p.kernel.header) plan.kernelAt = Math.max(plan.kernelAt, base + p.kernel.header.textOffset);
  plan.kernelEnd = plan.kernelAt + (p.kernel.header?.imageSize ?? p.kernel.fileSize);
  if (plan.kernelEnd > limit)
    throw new BootPlanError(
      `the kernel (${p.kernel.fileSize} bytes, ${plan.kernelEnd - plan.kernelAt} running) at ${hex(plan.kernelAt)} does not fit below ${hex(limit)}: RAM is ${size} bytes (-m)`,
    );
  let free = plan.kernelEnd;
  if (p.initrdSize !== undefined) {
    // QEMU: half of RAM past the kernel's entry for small machines, 128 MiB for the rest, so the
    // kernel's own early allocations do not clobber it; lower if it would not fit otherwise.
    let start = alignUp(Math.max(plan.kernelEnd, plan.kernelAt + Math.min(size / 2, 128 * MiB)), PAGE);
    if (start + p.initrdSize > limit) start = alignUp(plan.kernelEnd, PAGE);
    const end = start + p.initrdSize;
    if (end > limit)
      throw new BootPlanError(
        `the initrd (${p.initrdSize} bytes) does not fit in RAM: ${Math.max(0, limit - alignUp(plan.kernelEnd, PAGE))} bytes are free between the kernel and ${hex(limit)} (-m ${size})`,
      );
    plan.initrd = { start, end };
    free = Math.max(free, end);
  }
  if (p.firmwareSize !== undefined) {
    const at = alignUp(free, PAGE);
    if (at + PAGE > limit)
      throw new BootPlanError(`no room for the firmware hand-off page below ${hex(limit)} (-m ${size})`);
    plan.infoAt = at;
  }
  return plan;
}
