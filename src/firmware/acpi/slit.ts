// SLIT, the System Locality Information Table (SPEC-NOTES 4.2): +36 u64 N, then the N x N distance
// matrix row by row. Owns the bytes and the matrix rules (10 on the diagonal, 10..255 elsewhere).

import { AcpiTableError, buildAcpiTable, type AcpiOem } from './tables.js';

export const SLIT_REVISION = 1;

export function buildSlit(distances: readonly (readonly number[])[], oem: AcpiOem): Uint8Array {
  const n = distances.length;
  distances.forEach((row, i) => {
    if (row.length !== n)
      throw new AcpiTableError(`distances[${i}]`, `${row.length} entries`, `${n} entries (a square matrix)`);
    row.forEach((d, j) => {
      if (i === j && d !== 10) throw new AcpiTableError(`distances[${i}][${j}]`, d, '10 (a locality to itself)');
      if (!Number.isInteger(d) || d < 10 || d > 255)
        throw new AcpiTableError(`distances[${i}][${j}]`, d, '10..255 (0..9 are reserved)');
    });
  });
  return buildAcpiTable('SLIT', SLIT_REVISION, oem, (w) => {
    w.u64(n);
    for (const row of distances) for (const d of row) w.u8(d);
  });
}
