// The EFI hand-off Linux accepts without UEFI firmware (LINUX-NOTES "ACPI on RISC-V without
// UEFI"): a minimal EFI system table whose one configuration-table entry (the ACPI 2.0 GUID) points
// at the RSDP, and an EFI memory map (descriptor version 1). The device tree's /chosen then names
// them (linux,uefi-*); Linux's efi_init() reads RAM from the map and ACPI from the table, and on
// RISC-V maps ACPI tables only inside ranges the map lists. Owns these bytes and their layout;
// never writes guest memory and never decides where RAM is (the caller passes the ranges).

import { alignUp } from '../cxl-math/bits.js';
import { AcpiTableError, ByteWriter, guidBytes } from './acpi/tables.js';

/** EFI memory types (UEFI 2.10 §7.2, EFI_MEMORY_TYPE) this hand-off uses. */
export const EfiMemoryType = Object.freeze({
  reserved: 0,
  loaderData: 2,
  conventional: 7,
  acpiReclaim: 9,
  persistent: 14,
});
export type EfiMemoryTypeName = keyof typeof EfiMemoryType;

/** EFI_MEMORY_WB: write-back cacheable (Linux only uses memory with it as System RAM). */
export const EFI_MEMORY_WB = 0x8;
/** The descriptor version Linux expects (it warns about any other). */
export const EFI_MEMORY_DESCRIPTOR_VERSION = 1;
/** Type u32, pad u32, PhysicalStart, VirtualStart, NumberOfPages, Attribute (u64 each). */
export const EFI_MEMORY_DESCRIPTOR_SIZE = 40;
export const EFI_PAGE_SIZE = 4096;

/** "IBI SYST" as the u64 signature of the system table header. */
const SYSTEM_TABLE_SIGNATURE = 'IBI SYST';
/** UEFI 2.70: revision (major << 16) | minor. */
const SYSTEM_TABLE_REVISION = (2 << 16) | 70;
/** EFI_SYSTEM_TABLE on a 64-bit machine: 24-byte header + 12 pointer-sized fields. */
export const EFI_SYSTEM_TABLE_SIZE = 120;
const CONFIG_ENTRY_SIZE = 24;
/** EFI_ACPI_20_TABLE_GUID. */
export const ACPI_20_TABLE_GUID = '8868e871-e4f1-11d3-bc22-0080c73c8881';
const FIRMWARE_VENDOR = 'cxlemu';

/** A bad input (an unaligned range, overlapping ranges): names the field and what was expected. */
export class EfiHandoffError extends AcpiTableError {
  override readonly name = 'EfiHandoffError';
}

export interface EfiMemoryRange {
  base: number;
  size: number;
  type: EfiMemoryTypeName;
}

export interface EfiHandoffInput {
  /** Guest physical address the hand-off block is placed at (8-byte aligned). */
  base: number;
  /** The RSDP's guest physical address. */
  rsdpAddress: number;
  /** Memory ranges, page aligned, not overlapping; written in address order, write-back. */
  memory: readonly EfiMemoryRange[];
}

export interface EfiHandoff {
  /** The block's bytes (system table, configuration table, vendor string, memory map). */
  image: Uint8Array;
  base: number;
  systemTable: number;
  memoryMap: { start: number; size: number; descriptorSize: number; descriptorVersion: number };
}

function checkRanges(memory: readonly EfiMemoryRange[]): EfiMemoryRange[] {
  const sorted = [...memory].sort((a, b) => a.base - b.base);
  sorted.forEach((r, i) => {
    const field = `memory[${i}]`;
    if (!Number.isSafeInteger(r.base) || r.base < 0 || r.base % EFI_PAGE_SIZE !== 0)
      throw new EfiHandoffError(`${field}.base`, r.base, 'a 4 KiB aligned address');
    if (!Number.isSafeInteger(r.size) || r.size <= 0 || r.size % EFI_PAGE_SIZE !== 0)
      throw new EfiHandoffError(`${field}.size`, r.size, 'a non-zero multiple of 4 KiB');
    if (!(r.type in EfiMemoryType))
      throw new EfiHandoffError(`${field}.type`, r.type, Object.keys(EfiMemoryType).join(', '));
    const prev = sorted[i - 1];
    if (prev && prev.base + prev.size > r.base)
      throw new EfiHandoffError(field, `0x${r.base.toString(16)}`, 'ranges that do not overlap');
  });
  return sorted;
}

/** Bytes the block takes for `ranges` memory ranges (to reserve room before placing it). */
export function efiHandoffSize(ranges: number): number {
  const vendorEnd = EFI_SYSTEM_TABLE_SIZE + CONFIG_ENTRY_SIZE + 2 * (FIRMWARE_VENDOR.length + 1);
  return alignUp(vendorEnd, 8) + ranges * EFI_MEMORY_DESCRIPTOR_SIZE;
}

/** The system table, its configuration table, the vendor string and the memory map, laid out from `base`. */
export function buildEfiHandoff(input: EfiHandoffInput): EfiHandoff {
  if (!Number.isSafeInteger(input.base) || input.base < 0 || input.base % 8 !== 0)
    throw new EfiHandoffError('base', input.base, 'an 8-byte aligned guest physical address');
  const memory = checkRanges(input.memory);
  const systemTable = input.base;
  const configTable = systemTable + EFI_SYSTEM_TABLE_SIZE;
  const vendor = configTable + CONFIG_ENTRY_SIZE;
  // UCS-2 with a terminating NUL, then padding to 8 bytes for the map.
  const vendorEnd = vendor + 2 * (FIRMWARE_VENDOR.length + 1);
  const mapStart = alignUp(vendorEnd, 8);

  const w = new ByteWriter();
  w.ascii(SYSTEM_TABLE_SIGNATURE, 8, 'signature');
  w.u32(SYSTEM_TABLE_REVISION);
  w.u32(EFI_SYSTEM_TABLE_SIZE); // HeaderSize: the whole table (UEFI's usage)
  w.u32(0); // CRC32: Linux does not check it
  w.u32(0);
  w.u64(vendor, 'FirmwareVendor');
  w.u32(1); // FirmwareRevision
  w.u32(0);
  w.zeros(6 * 8); // console in/out/error handles and protocols: none
  w.u64(0); // RuntimeServices: none (the kernel runs with efi=noruntime)
  w.u64(0); // BootServices: exited
  w.u64(1); // NumberOfTableEntries
  w.u64(configTable, 'ConfigurationTable');
  w.bytes(guidBytes(ACPI_20_TABLE_GUID, 'ACPI_20_TABLE_GUID'));
  w.u64(input.rsdpAddress, 'rsdpAddress');
  for (const c of FIRMWARE_VENDOR) w.u16(c.charCodeAt(0));
  w.u16(0);
  w.zeros(mapStart - vendorEnd);
  for (const r of memory) {
    w.u32(EfiMemoryType[r.type]);
    w.u32(0);
    w.u64(r.base, 'PhysicalStart');
    w.u64(0); // VirtualStart: no runtime mapping
    w.u64(r.size / EFI_PAGE_SIZE, 'NumberOfPages');
    w.u64(EFI_MEMORY_WB);
  }
  const image = w.finish();
  return {
    image,
    base: input.base,
    systemTable,
    memoryMap: {
      start: mapStart,
      size: memory.length * EFI_MEMORY_DESCRIPTOR_SIZE,
      descriptorSize: EFI_MEMORY_DESCRIPTOR_SIZE,
      descriptorVersion: EFI_MEMORY_DESCRIPTOR_VERSION,
    },
  };
}
