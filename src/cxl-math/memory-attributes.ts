// Memory performance attributes as the HMAT encodes them (ACPI 6.5 §5.2.28; SPEC-NOTES 4.3) and
// CDAT's DSLBIS, SSLBIS and DSMSCIS reuse (SPEC-NOTES 3): data types, the locality flags, entries
// times the entry base unit (ps or MB/s), and memory-side cache attributes, as decoded text. Owns
// these codes for both decoders; reads bytes only through the TableFields it is handed.

import type { TableFields } from './table-reader.js';
import { branch, codeValue, hex, leaf } from './table-tree.js';

/** Data type codes 0..5 (HMAT SLLBI byte 9, DSLBIS byte 6, SSLBIS byte 4). */
export const LB_DATA_TYPES: Readonly<Record<number, string>> = {
  0: 'access latency',
  1: 'read latency',
  2: 'write latency',
  3: 'access bandwidth',
  4: 'read bandwidth',
  5: 'write bandwidth',
};

export function lbDataTypeValue(code: number): string {
  return codeValue(code, LB_DATA_TYPES);
}

/** Locality flags [3:0]: the memory hierarchy the numbers describe (ACPI 6.3+ numbering). */
const HIERARCHIES: Readonly<Record<number, string>> = {
  0: 'memory',
  1: 'first-level memory-side cache',
  2: 'second-level memory-side cache',
  3: 'third-level memory-side cache',
};

/** HMAT SLLBI / DSLBIS flags: hierarchy, then bit 4 min-transfer-size valid, bit 5 non-sequential (ACPI 6.4). */
export function localityFlagsValue(flags: number): string {
  const parts = [HIERARCHIES[flags & 0xf] ?? `hierarchy ${flags & 0xf} (reserved)`];
  if (flags & 0x10) parts.push('minimum transfer size valid');
  if (flags & 0x20) parts.push('non-sequential transfers');
  if (flags & 0xc0) parts.push(`reserved bits ${hex(flags & 0xc0, 2)}`);
  return `${hex(flags, 2)} (${parts.join(', ')})`;
}

/**
 * An entry with the base unit applied: "15000 × 10 = 150000 ps (150 ns)" for latencies (ps),
 * "16 × 1000 = 16000 MB/s" for bandwidths. 0 and 0xFFFF carry no data (Linux ignores both).
 */
export function lbEntryValue(entry: number, baseUnit: bigint, dataType: number): string {
  if (entry === 0) return '0 (no data)';
  if (entry === 0xffff) return '0xFFFF (no data)';
  const v = BigInt(entry) * baseUnit;
  const shown = `${entry} × ${baseUnit} = ${v}`;
  if (dataType <= 2) return `${shown} ps (${Number(v) / 1000} ns)`;
  if (dataType <= 5) return `${shown} MB/s`;
  return shown;
}

const ASSOCIATIVITY: Readonly<Record<number, string>> = { 0: 'none', 1: 'direct mapped', 2: 'complex cache indexing' };
const WRITE_POLICY: Readonly<Record<number, string>> = { 0: 'none', 1: 'write-back', 2: 'write-through' };

/** Reads memory-side cache attributes (HMAT type 2 +24, DSMSCIS +16): the word, then its fields. */
export function readCacheAttributes(f: TableFields, at: number): void {
  const v = f.u32(at, 'Cache attributes', (x) => hex(x, 8));
  f.push(
    branch('Cache attributes (decoded)', [
      leaf('Total cache levels', String(v & 0xf)),
      leaf('Cache level', String((v >>> 4) & 0xf)),
      leaf('Associativity', codeValue((v >>> 8) & 0xf, ASSOCIATIVITY)),
      leaf('Write policy', codeValue((v >>> 12) & 0xf, WRITE_POLICY)),
      leaf('Cache line size', `${(v >>> 16) & 0xffff} bytes`),
    ]),
  );
}
