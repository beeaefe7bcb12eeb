// The firmware tables of a built machine as decoded trees (the dashboard's tables view): every ACPI
// table as placed, RSDP first, and every CDAT, each decoded from its bytes by the independent
// decoders (src/firmware/acpi/decode.ts, src/cxl/cdat-decode.ts). Owns the pairing of trees with
// table names and addresses; never builds or decodes a table itself.

import { decodeCdat } from '../cxl/cdat-decode.js';
import { hex, leaf, type TableTree } from '../cxl-math/table-tree.js';
import { decodeAcpiTable } from '../firmware/acpi/decode.js';
import type { FirmwareTables } from './firmware-tables.js';

export { type TableTree, treeErrors } from '../cxl-math/table-tree.js';

export interface FirmwareTableTrees {
  /** One tree per ACPI table in layout order; the first child gives its guest physical address. */
  acpi: TableTree[];
  cdat: { memdev: string; tree: TableTree }[];
  switchCdat: { switch: string; tree: TableTree }[];
}

export function firmwareTableTrees(t: FirmwareTables): FirmwareTableTrees {
  return {
    acpi: t.layout.tables.map((table) => {
      const tree = decodeAcpiTable(table.bytes);
      return { ...tree, children: [leaf('Guest address', hex(table.address)), ...(tree.children ?? [])] };
    }),
    cdat: t.cdat.map((c) => ({ memdev: c.memdev, tree: decodeCdat(c.bytes) })),
    switchCdat: t.switchCdat.map((c) => ({ switch: c.switch, tree: decodeCdat(c.bytes) })),
  };
}
