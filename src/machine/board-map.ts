// The board's address map (DESIGN.md "Board", QEMU virt-compatible where the two share parts):
// every fixed address of the board and the placement rules for RAM, CXL windows, host-bridge
// component registers (CHBCR) and the ACPI tables, each defined once. Owns numbers and placement
// only; never maps anything (board.ts and build.ts do) and never validates user input.
//
// Lower layers cannot import src/machine, so they never hold board addresses: devices decode
// offsets inside their own register block and the board maps them at the bases below. The ECAM
// and the PCIe MMIO window are the one exception: they are defined in src/pci (its Ecam defaults
// to them and the PCI tests drive them) and re-exported here, so this file still lists the map.

import { alignDown, alignUp } from '../cxl-math/bits.js';
import { isThreeFamily } from '../cxl-math/interleave.js';
import { ECAM_BASE, ECAM_SIZE, PCIE_MMIO_WINDOW } from '../pci/ecam.js';
import { CLINT_MAX_HARTS } from '../devices/clint.js';

// ---- boot ----
/** The longest /chosen/rng-seed a boot accepts (--rng-seed; QEMU passes 32 bytes). */
export const MAX_RNG_SEED_BYTES = 64;

// ---- harts ----
/** Harts a machine may have (--smp, QEMU -smp, the description's cpus): as many as the CLINT serves. */
export const MAX_HARTS = CLINT_MAX_HARTS;
/** What every hart implements, as the device tree (riscv,isa) and the RHCT state it. ACPI does not
 *  imply zicsr/zifencei/zicntr as a device tree does, so they are listed. */
export const HART_ISA_STRING =
  'rv64imafdc_zicbom_zicboz_zicntr_zicond_zicsr_zifencei_zihintpause_zba_zbb_zbs_sstc_svpbmt';
/**
 * Zicbom/Zicboz cache-block size (riscv,cbom-block-size and riscv,cboz-block-size; the RHCT CMO node):
 * the hart's CBO_BLOCK. Tied by type, not by an import, so loading the board map never loads the CPU.
 */
export const CBO_BLOCK_BYTES: typeof import('../cpu/hart.js').CBO_BLOCK = 64;
export const HART_ISA_EXTENSIONS: readonly string[] = [
  'i',
  'm',
  'a',
  'f',
  'd',
  'c',
  'zicbom',
  'zicboz',
  'zicntr',
  'zicond',
  'zicsr',
  'zifencei',
  'zihintpause',
  'zba',
  'zbb',
  'zbs',
  'sstc',
  'svpbmt',
];

/** With the AIA (irqchip 'aia'): the ISA string and extension list gain Smaia and Ssaia. */
export function hartIsa(irqchip: 'plic' | 'aia'): { isa: string; extensions: string[] } {
  if (irqchip === 'plic') return { isa: HART_ISA_STRING, extensions: [...HART_ISA_EXTENSIONS] };
  const at = HART_ISA_EXTENSIONS.indexOf('sstc');
  return {
    isa: HART_ISA_STRING.replace('_sstc', '_smaia_ssaia_sstc'),
    extensions: [...HART_ISA_EXTENSIONS.slice(0, at), 'smaia', 'ssaia', ...HART_ISA_EXTENSIONS.slice(at)],
  };
}

// ---- fixed devices ----
export const FINISHER_BASE = 0x0010_0000;
export const CLINT_BASE = 0x0200_0000;
export const PLIC_BASE = 0x0c00_0000;
/** AIA (QEMU virt `aia=aplic-imsic`): the APLIC's machine-level root domain takes the PLIC's place. */
export const APLIC_M_BASE = 0x0c00_0000;
export const APLIC_S_BASE = 0x0d00_0000;
/** IMSIC interrupt files, one 4 KiB page per hart: machine level, then supervisor level. */
export const IMSIC_M_BASE = 0x2400_0000;
export const IMSIC_S_BASE = 0x2800_0000;
export const UART0_BASE = 0x1000_0000;
/** cxlemu's DMA copy engine (not on QEMU). */
export const DMA_BASE = 0x1000_9000;

// ---- PCIe ----
/** The one ECAM (buses 0..255); CXL host bridges own bus ranges of it. */
export { ECAM_BASE, ECAM_SIZE };
/** 32-bit non-prefetchable BAR window: 0x4000_0000..0x7fff_ffff. */
export const PCIE_MMIO_BASE = PCIE_MMIO_WINDOW.base;
export const PCIE_MMIO_SIZE = PCIE_MMIO_WINDOW.size;

// ---- RAM ----
export const RAM_BASE = 0x8000_0000;
/** QEMU's default -m (a plain board, and a QEMU command line without -m). */
export const DEFAULT_RAM_SIZE = 128 * 2 ** 20;

// ---- CXL fixed memory windows ----
/** Windows start at max(4 GiB, end of RAM), 256 MiB aligned. */
export const WINDOW_FLOOR = 0x1_0000_0000;
export const WINDOW_ALIGN = 256 * 2 ** 20;
/** 3/6/12-way windows sit at multiples of 768 MiB so offset and absolute decode agree. */
export const WINDOW_ALIGN_3 = 3 * WINDOW_ALIGN;

/** The first window address for a RAM size: max(4 GiB, end of RAM), 256 MiB aligned. */
export function windowFloor(ramSize: number): number {
  return alignUp(Math.max(WINDOW_FLOOR, RAM_BASE + ramSize), WINDOW_ALIGN);
}

/** Base alignment of a window interleaving `ways` host bridges. */
export function windowAlignment(ways: number): number {
  return isThreeFamily(ways) ? WINDOW_ALIGN_3 : WINDOW_ALIGN;
}

// ---- CXL host-bridge component registers (CEDT CHBS) ----
/** CHBCRs (64 KiB each) go top-down from the end of the PCIe MMIO window, away from BARs, which
 *  are assigned bottom-up. */
export const CHBCR_TOP = PCIE_MMIO_BASE + PCIE_MMIO_SIZE;
export const CHBCR_SIZE = 0x1_0000;

/** CHBCR base of host bridge `index` (description order). */
export function defaultChbsBase(index: number): number {
  return CHBCR_TOP - (index + 1) * CHBCR_SIZE;
}

/**
 * A host bridge's MMIO window as the firmware tables give it (device tree and DSDT _CRS): its
 * share of the PCIe MMIO window from enumeration, stopping below the lowest CHBCR, so an OS that
 * reassigns BARs inside it never lands on component registers. Size 0 when nothing is left.
 */
export function hostMmioWindow(
  aperture: { base: number; size: number },
  chbcrBases: readonly number[],
): { base: number; size: number } {
  const low = Math.min(CHBCR_TOP, ...chbcrBases);
  return { base: aperture.base, size: Math.max(0, Math.min(aperture.base + aperture.size, low) - aperture.base) };
}

// ---- ACPI tables ----
/** Below the top 4 MiB of RAM (capped at 3 GiB as for the DTB, which sits in the top 2 MiB slot), 64 KiB aligned. */
export function defaultAcpiBase(ram: { base: number; size: number }, imageSize: number): number {
  const end = ram.base + ram.size;
  const top = ram.base < 3 * 2 ** 30 ? Math.min(end, 3 * 2 ** 30) : end;
  const below = alignDown(top - 4 * 2 ** 20, 2 * 2 ** 20);
  const base = alignDown(below - alignUp(imageSize, 0x1_0000), 0x1_0000);
  return Math.max(base, ram.base);
}
