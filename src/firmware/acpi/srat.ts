// SRAT, the System Resource Affinity Table (revision 3, SPEC-NOTES 4.1): memory affinity (type 1)
// for RAM, the harts' proximity domains through RINTC affinity (type 7, ACPI 6.6: ACPICA
// acpi_srat_rintc_affinity = header, u16 reserved, u32 PXM, u32 ACPI processor UID, u32 flags,
// u32 clock domain; 20 bytes) and a generic port (type 6, ACPI 6.4+) per host bridge that has a
// proximity domain. Owns the bytes; CXL windows are deliberately left out (Linux gives each
// undescribed CFMWS its own proximity domain).

import { AcpiTableError, buildAcpiTable, type AcpiOem, type ByteWriter } from './tables.js';
import type { AcpiGenericPort, AcpiHartAffinity, AcpiMemoryAffinity } from './platform.js';

export const SRAT_REVISION = 3;
export const SRAT_TYPE = Object.freeze({ memory: 1, genericInitiator: 5, genericPort: 6, rintc: 7 });
export const SRAT_MEMORY_LENGTH = 40;
export const SRAT_GENERIC_PORT_LENGTH = 32;
export const SRAT_RINTC_LENGTH = 20;
/** Memory affinity flags. */
export const SRAT_MEM_ENABLED = 1 << 0;
export const SRAT_MEM_HOT_PLUGGABLE = 1 << 1;
export const SRAT_MEM_NON_VOLATILE = 1 << 2;
/** Generic initiator / port flags. */
export const SRAT_GP_ENABLED = 1 << 0;
export const SRAT_GP_ARCH_TRANSACTIONS = 1 << 1;
export const SRAT_RINTC_ENABLED = 1 << 0;
/** Device handle type: 0 ACPI (_HID[8] + _UID u32 + 4 reserved), 1 PCI. */
export const SRAT_HANDLE_ACPI = 0;

export function writeMemoryAffinity(w: ByteWriter, m: AcpiMemoryAffinity, path: string): void {
  if (m.size === 0) throw new AcpiTableError(`${path}.size`, m.size, 'a positive size');
  w.u8(SRAT_TYPE.memory).u8(SRAT_MEMORY_LENGTH);
  w.u32(m.proximityDomain, `${path}.proximityDomain`);
  w.u16(0);
  w.u64(m.base, `${path}.base`);
  w.u64(m.size, `${path}.size`);
  w.u32(0);
  w.u32(SRAT_MEM_ENABLED | (m.hotPluggable ? SRAT_MEM_HOT_PLUGGABLE : 0) | (m.nonVolatile ? SRAT_MEM_NON_VOLATILE : 0));
  w.zeros(8);
}

export function writeRintcAffinity(w: ByteWriter, h: AcpiHartAffinity, path: string): void {
  w.u8(SRAT_TYPE.rintc).u8(SRAT_RINTC_LENGTH);
  w.u16(0);
  w.u32(h.proximityDomain, `${path}.proximityDomain`);
  w.u32(h.acpiProcessorUid, `${path}.acpiProcessorUid`);
  w.u32(SRAT_RINTC_ENABLED);
  w.u32(h.clockDomain ?? 0, `${path}.clockDomain`);
}

export function writeGenericPort(w: ByteWriter, g: AcpiGenericPort, path: string): void {
  w.u8(SRAT_TYPE.genericPort).u8(SRAT_GENERIC_PORT_LENGTH);
  w.u8(0);
  w.u8(SRAT_HANDLE_ACPI);
  w.u32(g.proximityDomain, `${path}.proximityDomain`);
  w.ascii(g.hid ?? 'ACPI0016', 8, `${path}.hid`, 0);
  w.u32(g.uid, `${path}.uid`);
  w.u32(0);
  w.u32(SRAT_GP_ENABLED);
  w.u32(0);
}

export interface SratInput {
  memory: readonly AcpiMemoryAffinity[];
  harts: readonly AcpiHartAffinity[];
  genericPorts: readonly AcpiGenericPort[];
}

export interface SratOptions {
  /** Leave out types 6 and 7 (what acpica-tools 20200925 cannot disassemble). Default false. */
  legacyOnly?: boolean;
}

/** Memory affinity entries, then RINTC affinity per hart, then generic ports. */
export function buildSrat(p: SratInput, oem: AcpiOem, opts: SratOptions = {}): Uint8Array {
  return buildAcpiTable('SRAT', SRAT_REVISION, oem, (w) => {
    w.u32(1); // "table revision": 1 for backward compatibility, as ACPI and QEMU write it
    w.zeros(8);
    p.memory.forEach((m, i) => writeMemoryAffinity(w, m, `memory[${i}]`));
    if (opts.legacyOnly) return;
    p.harts.forEach((h, i) => writeRintcAffinity(w, h, `harts[${i}]`));
    p.genericPorts.forEach((g, i) => writeGenericPort(w, g, `genericPorts[${i}]`));
  });
}
