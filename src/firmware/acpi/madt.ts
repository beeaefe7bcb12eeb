// MADT (ACPI 6.5 §5.2.12, revision 6) for RISC-V: one RINTC (type 0x18) per hart, then either the
// PLIC (type 0x1B) or the AIA's supervisor-level IMSIC (0x19) and APLIC (0x1A). Linux BUGs without
// a RINTC. With a PLIC, a RINTC's external interrupt controller id names the PLIC (bits 31:24) and
// the hart's S-mode context on it (bits 15:0); with the AIA it is zero (the APLIC forwards MSIs
// and has no per-hart contexts) and the RINTC names the hart's IMSIC file instead. Owns these bytes.

import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';
import type { AcpiAia, AcpiHart, AcpiPlic } from './platform.js';

export const MADT_REVISION = 6;
export const MADT_TYPE = Object.freeze({ rintc: 0x18, imsic: 0x19, aplic: 0x1a, plic: 0x1b });
/** ACPI 6.6 RINTC (version 1 with the IMSIC fields, zero without an IMSIC). */
export const MADT_RINTC_LENGTH = 36;
export const MADT_PLIC_LENGTH = 36;
export const MADT_IMSIC_LENGTH = 16;
export const MADT_APLIC_LENGTH = 36;
export const MADT_ENABLED = 1;

/** The wired-interrupt controller the MADT describes besides the RINTCs. */
export type MadtIrqchip = { plic: AcpiPlic; aia?: undefined } | { aia: AcpiAia; plic?: undefined };

export function buildMadt(harts: readonly AcpiHart[], irqchip: MadtIrqchip, oem: AcpiOem): Uint8Array {
  if (harts.length === 0) throw new AcpiTableError('harts', 0, 'at least one hart (Linux needs a RINTC)');
  const { plic, aia } = irqchip;
  return buildAcpiTable('APIC', MADT_REVISION, oem, (w) => {
    w.u32(0); // local interrupt controller address: none on RISC-V
    w.u32(0); // flags
    harts.forEach((h, i) => {
      const path = `harts[${i}]`;
      w.u8(MADT_TYPE.rintc).u8(MADT_RINTC_LENGTH).u8(1).u8(0);
      w.u32(MADT_ENABLED);
      w.u64(h.hartId, `${path}.hartId`);
      w.u32(h.uid, `${path}.uid`);
      if (plic) {
        if (!Number.isInteger(h.plicContext) || h.plicContext < 0 || h.plicContext > 0xffff)
          throw new AcpiTableError(`${path}.plicContext`, h.plicContext, 'a PLIC context 0..65535');
        w.u32(((plic.id << 24) >>> 0) | h.plicContext, `${path}.externalInterruptController`);
        w.u64(0); // IMSIC base
        w.u32(0); // IMSIC size
      } else {
        w.u32(0); // external interrupt controller: none per hart in MSI mode
        w.u64(aia.imsic.base + h.hartId * aia.imsic.stride, `${path}.imsicBase`);
        w.u32(aia.imsic.stride, `${path}.imsicSize`);
      }
    });
    if (plic) {
      w.u8(MADT_TYPE.plic).u8(MADT_PLIC_LENGTH).u8(1);
      w.u8(plic.id, 'plic.id');
      w.zeros(8); // hardware id
      w.u16(plic.sources, 'plic.sources');
      w.u16(plic.maxPriority, 'plic.maxPriority');
      w.u32(0); // flags
      w.u32(plic.size, 'plic.size');
      w.u64(plic.base, 'plic.base');
      w.u32(plic.gsiBase, 'plic.gsiBase');
      return;
    }
    const m = aia.imsic;
    w.u8(MADT_TYPE.imsic).u8(MADT_IMSIC_LENGTH).u8(1).u8(0);
    w.u32(0); // flags
    w.u16(m.numIds, 'aia.imsic.numIds');
    w.u16(m.numIds, 'aia.imsic.numGuestIds'); // guest files would implement as many (there are none)
    w.u8(0); // guest index bits: no H extension
    w.u8(m.hartIndexBits, 'aia.imsic.hartIndexBits');
    w.u8(0); // group index bits: one group
    w.u8(m.groupIndexShift, 'aia.imsic.groupIndexShift');
    const a = aia.aplic;
    w.u8(MADT_TYPE.aplic).u8(MADT_APLIC_LENGTH).u8(1);
    w.u8(a.id, 'aia.aplic.id');
    w.u32(0); // flags
    w.zeros(8); // hardware id
    w.u16(0); // IDCs: none, MSI delivery mode only
    w.u16(a.sources, 'aia.aplic.sources');
    w.u32(a.gsiBase, 'aia.aplic.gsiBase');
    w.u64(a.base, 'aia.aplic.base');
    w.u32(a.size, 'aia.aplic.size');
  });
}
