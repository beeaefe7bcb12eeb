// The RSDP (ACPI 6.5 §5.2.5.3) and the XSDT/RSDT (§5.2.7, §5.2.8) read back from bytes: the root
// pointer with both checksums, and the table address lists. Owns their decode; never follows an
// address (the bytes at it are another table's business).

import { TableReader, fieldList, structure } from '../../../cxl-math/table-reader.js';
import { branch, errorNode, hex, leaf, type TableTree } from '../../../cxl-math/table-tree.js';
import { HEADER_SIZE } from './header.js';

/** The ACPI 1.0 part the first checksum covers. */
const RSDP_V1_SIZE = 20;

export function decodeRsdp(bytes: Uint8Array): TableTree {
  const r = new TableReader(bytes);
  return structure('RSDP (Root System Description Pointer)', r, (f) => {
    f.text(0, 8, 'Signature');
    const first = r.sum8(0, RSDP_V1_SIZE, 'Checksum range (20 bytes)');
    f.push(leaf('Checksum', `${hex(r.u8(8, 'Checksum'), 2)} (${first === 0 ? 'valid' : 'INVALID'}, first 20 bytes)`));
    f.text(9, 6, 'OEM ID');
    const rev = f.u8(15, 'Revision', (v) => `${v} (${v >= 2 ? 'ACPI 2.0+, XSDT' : 'ACPI 1.0, RSDT only'})`);
    const rsdt = f.u32(16, 'RSDT address', (v) => hex(v, 8));
    if (rev < 2) return `RSDT ${hex(rsdt, 8)}`;
    const length = f.u32(20, 'Length');
    const xsdt = f.u64(24, 'XSDT address', (v) => hex(v, 16));
    const extStored = r.u8(32, 'Extended checksum');
    if (length < RSDP_V1_SIZE || !r.has(0, length)) {
      f.push(leaf('Extended checksum', `${hex(extStored, 2)} (not verifiable: length ${length})`));
      f.push(errorNode(`Length ${length} does not fit the ${r.length} bytes given`));
    } else {
      const ext = r.sum8(0, length, 'Extended checksum range');
      f.push(leaf('Extended checksum', `${hex(extStored, 2)} (${ext === 0 ? 'valid' : 'INVALID'}, ${length} bytes)`));
    }
    return `XSDT ${hex(xsdt)}`;
  });
}

/** XSDT (u64 entries) or RSDT (u32 entries): one address per table. */
export function decodeRootTableBody(r: TableReader, entrySize: 4 | 8): TableTree[] {
  const body = r.length - HEADER_SIZE;
  const n = Math.max(0, Math.floor(body / entrySize));
  const entries = fieldList(r, (f) => {
    for (let i = 0; i < n; i++) {
      const at = HEADER_SIZE + entrySize * i;
      if (entrySize === 8) f.u64(at, `Entry ${i}`, (v) => hex(v, 16));
      else f.u32(at, `Entry ${i}`, (v) => hex(v, 8));
    }
  });
  const out = [branch('Entries', entries, `${n} table${n === 1 ? '' : 's'}`)];
  if (body > 0 && body % entrySize !== 0)
    out.push(errorNode(`${body % entrySize} trailing bytes: the entry list is not a multiple of ${entrySize} bytes`));
  return out;
}
