// MADT (ACPI 6.5 §5.2.12, revision 6) for RISC-V: one RINTC (type 0x18) per hart and the PLIC
// (type 0x1B). Linux BUGs without a RINTC; a RINTC's external interrupt controller id names the
// PLIC (bits 31:24) and the hart's S-mode context on it (bits 15:0). Owns these bytes.

import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';
import type { AcpiHart, AcpiPlic } from './platform.js';

export const MADT_REVISION = 6;
export const MADT_TYPE = Object.freeze({ rintc: 0x18, plic: 0x1b });
/** ACPI 6.6 RINTC (version 1 with the IMSIC fields, zero without an IMSIC). */
export const MADT_RINTC_LENGTH = 36;
export const MADT_PLIC_LENGTH = 36;
export const MADT_ENABLED = 1;

export function buildMadt(harts: readonly AcpiHart[], plic: AcpiPlic, oem: AcpiOem): Uint8Array {
  if (harts.length === 0) throw new AcpiTableError('harts', 0, 'at least one hart (Linux needs a RINTC)');
  return buildAcpiTable('APIC', MADT_REVISION, oem, (w) => {
    w.u32(0); // local interrupt controller address: none on RISC-V
    w.u32(0); // flags
    harts.forEach((h, i) => {
      const path = `harts[${i}]`;
      w.u8(MADT_TYPE.rintc).u8(MADT_RINTC_LENGTH).u8(1).u8(0);
      w.u32(MADT_ENABLED);
      w.u64(h.hartId, `${path}.hartId`);
      w.u32(h.uid, `${path}.uid`);
      if (!Number.isInteger(h.plicContext) || h.plicContext < 0 || h.plicContext > 0xffff)
        throw new AcpiTableError(`${path}.plicContext`, h.plicContext, 'a PLIC context 0..65535');
      w.u32(((plic.id << 24) >>> 0) | h.plicContext, `${path}.externalInterruptController`);
      w.u64(0); // IMSIC base
      w.u32(0); // IMSIC size
    });
    w.u8(MADT_TYPE.plic).u8(MADT_PLIC_LENGTH).u8(1);
    w.u8(plic.id, 'plic.id');
    w.zeros(8); // hardware id
    w.u16(plic.sources, 'plic.sources');
    w.u16(plic.maxPriority, 'plic.maxPriority');
    w.u32(0); // flags
    w.u32(plic.size, 'plic.size');
    w.u64(plic.base, 'plic.base');
    w.u32(plic.gsiBase, 'plic.gsiBase');
  });
}
