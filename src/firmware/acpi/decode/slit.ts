// The SLIT, System Locality Information Table (ACPI 6.5 §5.2.17; SPEC-NOTES 4.2), read back from
// bytes: the locality count and the distance matrix row by row. Owns that decode; never checks the
// matrix rules (10 on the diagonal) beyond showing the numbers.

import { fieldList, type TableReader } from '../../../cxl-math/table-reader.js';
import { branch, errorNode, leaf, type TableTree } from '../../../cxl-math/table-tree.js';

const MATRIX_AT = 44;

export function decodeSlitBody(r: TableReader): TableTree[] {
  let count = 0n;
  const out = fieldList(r, (f) => {
    count = f.u64(36, 'Number of localities', (v) => String(v));
  });
  if (!r.has(MATRIX_AT, 0)) return out;
  const room = r.length - MATRIX_AT;
  // Only rows whose bytes are all present are shown; a count too big for the bytes is an error.
  const n = count <= BigInt(room) ? Number(count) : 0;
  const whole = n === 0 ? 0 : Math.min(n, Math.floor(room / n));
  const rows: TableTree[] = [];
  for (let i = 0; i < whole; i++) {
    const row = r.bytesAt(MATRIX_AT + n * i, n, `Locality ${i}`);
    rows.push(leaf(`Locality ${i}`, Array.from(row, String).join(' ')));
  }
  out.push(branch('Distances', rows, `${whole} of ${count} rows`));
  const need = count * count;
  if (need > BigInt(room)) out.push(errorNode(`${count} localities need ${need} matrix bytes, ${room} are present`));
  else if (need < BigInt(room)) out.push(errorNode(`${BigInt(room) - need} bytes follow the matrix`));
  return out;
}
