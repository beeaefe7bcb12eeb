// MCFG (PCI Firmware Specification 3.2 §4.1.2, revision 1): one allocation per ECAM range —
// base, segment, first and last bus. Linux's ACPI PCI roots find their config space here. Owns
// these bytes.

import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';
import type { AcpiEcam } from './platform.js';

export const MCFG_REVISION = 1;

export function buildMcfg(ecams: readonly AcpiEcam[], oem: AcpiOem): Uint8Array {
  return buildAcpiTable('MCFG', MCFG_REVISION, oem, (w) => {
    w.zeros(8);
    ecams.forEach((e, i) => {
      const path = `ecam[${i}]`;
      if (e.busLast < e.busFirst)
        throw new AcpiTableError(`${path}.busLast`, e.busLast, `a bus at or above busFirst ${e.busFirst}`);
      w.u64(e.base, `${path}.base`);
      w.u16(e.segment, `${path}.segment`);
      w.u8(e.busFirst, `${path}.busFirst`).u8(e.busLast, `${path}.busLast`);
      w.u32(0);
    });
  });
}
