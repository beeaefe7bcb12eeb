// The 36-byte common header of every ACPI table but the RSDP (ACPI 6.5 §5.2.6; SPEC-NOTES 4), read
// back from bytes: fields, checksum verdict, and how many bytes the body decoders may use. Owns the
// header's decode; never decodes a table body.

import { type TableReader, fieldList } from '../../../cxl-math/table-reader.js';
import { errorNode, hex, leaf, type TableTree } from '../../../cxl-math/table-tree.js';

export const HEADER_SIZE = 36;

/** "0x6C (valid)" or "0x6C (INVALID: …)" for a checksum at `at` over [0, end). */
export function checksumValue(r: TableReader, at: number, end: number, truncated: boolean): string {
  const stored = r.u8(at, 'Checksum');
  if (truncated) return `${hex(stored, 2)} (not verifiable: table truncated)`;
  const sum = r.sum8(0, end, 'checksum range');
  return sum === 0 ? `${hex(stored, 2)} (valid)` : `${hex(stored, 2)} (INVALID: bytes sum to ${hex(sum, 2)}, not 0)`;
}

export interface DecodedHeader {
  fields: TableTree[];
  /** Problems with the length field (error nodes) or notes on bytes past it. */
  notes: TableTree[];
  /** Bytes the body may be decoded from: the length field, capped at what is present. */
  end: number;
}

export function decodeHeader(r: TableReader): DecodedHeader {
  const notes: TableTree[] = [];
  let end = r.length;
  const fields = fieldList(r, (f) => {
    f.text(0, 4, 'Signature');
    const length = f.u32(4, 'Length', (v) => `${v} (${hex(v)})`);
    f.u8(8, 'Revision');
    const truncated = length > r.length;
    if (length < HEADER_SIZE) {
      notes.push(
        errorNode(`Length ${length} is below the ${HEADER_SIZE}-byte header; decoding the ${r.length} bytes given`),
      );
    } else if (truncated) {
      notes.push(errorNode(`Length says ${length} bytes but only ${r.length} are present: table truncated`));
    } else {
      end = length;
      if (length < r.length)
        notes.push(leaf('Trailing bytes', `${r.length - length} after the table's length, ignored`));
    }
    f.push(leaf('Checksum', checksumValue(r, 9, end, truncated || length < HEADER_SIZE)));
    f.text(10, 6, 'OEM ID');
    f.text(16, 8, 'OEM table ID');
    f.u32(24, 'OEM revision', (v) => hex(v, 8));
    f.text(28, 4, 'Creator ID');
    f.u32(32, 'Creator revision', (v) => hex(v, 8));
  });
  return { fields, notes, end };
}
