// The MCFG (PCI Firmware Specification 3.2 §4.1.2) read back from bytes: one ECAM allocation per
// 16 bytes after 8 reserved ones. Owns that decode; never touches configuration space.

import { fieldList, structure, type TableReader } from '../../../cxl-math/table-reader.js';
import { errorNode, hex, type TableTree } from '../../../cxl-math/table-tree.js';

const ALLOCATIONS_AT = 44;
const ALLOCATION_SIZE = 16;

export function decodeMcfgBody(r: TableReader): TableTree[] {
  const room = Math.max(0, r.length - ALLOCATIONS_AT);
  const n = Math.floor(room / ALLOCATION_SIZE);
  const out = fieldList(r, (f) => {
    f.u64(36, 'Reserved', (v) => hex(v, 16));
  });
  for (let i = 0; i < n; i++) {
    const s = r.window(ALLOCATIONS_AT + ALLOCATION_SIZE * i, ALLOCATION_SIZE, 'allocation');
    out.push(
      structure('ECAM allocation', s, (f) => {
        const base = f.u64(0, 'Base address', (v) => hex(v, 16));
        const seg = f.u16(8, 'PCI segment');
        const first = f.u8(10, 'Start bus', (v) => hex(v, 2));
        const last = f.u8(11, 'End bus', (v) => hex(v, 2));
        f.u32(12, 'Reserved', (v) => hex(v, 8));
        return `${hex(base)}, segment ${seg}, buses ${hex(first, 2)}-${hex(last, 2)}`;
      }),
    );
  }
  if (room % ALLOCATION_SIZE !== 0)
    out.push(errorNode(`${room % ALLOCATION_SIZE} trailing bytes: allocations are ${ALLOCATION_SIZE} bytes each`));
  return out;
}
