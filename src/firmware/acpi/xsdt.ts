// XSDT (ACPI 6.x §5.2.8): the common header followed by one u64 physical address per table.
// Owns that list; never decides where tables go (build.ts does).

import { buildAcpiTable, type AcpiOem } from './tables.js';

export function buildXsdt(tableAddresses: readonly number[], oem: AcpiOem): Uint8Array {
  return buildAcpiTable('XSDT', 1, oem, (w) => {
    tableAddresses.forEach((a, i) => w.u64(a, `xsdt.entries[${i}]`));
  });
}
