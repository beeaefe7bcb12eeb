// Decodes a CDAT (Coherent Device Attribute Table, UEFI forum; SPEC-NOTES 3) from its bytes into a
// tree: the 16-byte header with a checksum verdict, then DSMAS, DSLBIS, DSMSCIS, DSIS, DSEMTS and
// SSLBIS with entry base units applied; other types as bytes. A second implementation written from
// the specification, not from cdat.ts, so it cross-checks the generator. Never throws on bad bytes
// (problems become `error` nodes naming offset and field) and never reads outside the bytes given.

import {
  lbDataTypeValue,
  lbEntryValue,
  LB_DATA_TYPES,
  localityFlagsValue,
  readCacheAttributes,
} from '../cxl-math/memory-attributes.js';
import { HEADER_U8_LEN16, structure, TableReader, unknownStructure, walkStructures } from '../cxl-math/table-reader.js';
import {
  branch,
  codeValue,
  ERROR_LABEL,
  errorNode,
  flagsValue,
  hex,
  leaf,
  rangeValue,
  sizeValue,
  type TableTree,
} from '../cxl-math/table-tree.js';

export type { TableTree } from '../cxl-math/table-tree.js';

const HEADER_SIZE = 16;
const CHECKSUM_AT = 5;

const DSMAS_FLAGS: Readonly<Record<number, string>> = {
  2: 'non-volatile',
  3: 'shareable',
  4: 'hardware-managed coherency',
  5: 'interconnect-specific dynamic capability',
  6: 'read-only',
};
/** DSEMTS memory type (CDAT 1.04; QEMU writes 1 for volatile, 2 for persistent memory). */
const EFI_TYPES: Readonly<Record<number, string>> = {
  0: 'EfiConventionalMemory',
  1: 'EfiConventionalMemory with EFI_MEMORY_SP',
  2: 'EfiReservedMemoryType',
};
/** SSLBIS port ids with a fixed meaning; others are downstream port numbers. */
function portValue(v: number): string {
  if (v === 0x0100) return `${hex(v, 4)} (upstream port)`;
  if (v === 0xffff) return `${hex(v, 4)} (any port)`;
  return `${v} (downstream port)`;
}

function unit(type: number): string {
  return type <= 2 ? 'ps' : type <= 5 ? 'MB/s' : 'units';
}

function dsmas(s: TableReader): TableTree {
  return structure('DSMAS', s, (f) => {
    f.u8(0, 'Type', () => '0 (device scoped memory affinity)');
    f.u16(2, 'Length');
    const handle = f.u8(4, 'DSMAD handle');
    f.u8(5, 'Flags', (v) => flagsValue(v, DSMAS_FLAGS, 2));
    const base = f.u64(8, 'DPA base', (v) => hex(v, 16));
    const length = f.u64(16, 'DPA length', sizeValue);
    f.push(leaf('DPA range', rangeValue(base, length)));
    return `handle ${handle}: ${rangeValue(base, length)}`;
  });
}

function dslbis(s: TableReader): TableTree {
  return structure('DSLBIS', s, (f) => {
    f.u8(0, 'Type', () => '1 (device scoped latency and bandwidth)');
    f.u16(2, 'Length');
    const handle = f.u8(4, 'Handle');
    f.u8(5, 'Flags', localityFlagsValue);
    const type = f.u8(6, 'Data type', lbDataTypeValue);
    const base = f.u64(8, 'Entry base unit', (v) => `${v} (${unit(type)})`);
    let first = '';
    for (let i = 0; i < 3; i++) {
      const e = f.u16(16 + 2 * i, `Entry ${i}`, (v) => lbEntryValue(v, base, type));
      if (i === 0) first = lbEntryValue(e, base, type);
    }
    return `handle ${handle}, ${LB_DATA_TYPES[type] ?? `data type ${type}`}: ${first}`;
  });
}

function dsmscis(s: TableReader): TableTree {
  return structure('DSMSCIS', s, (f) => {
    f.u8(0, 'Type', () => '2 (device scoped memory side cache)');
    f.u16(2, 'Length');
    const handle = f.u8(4, 'DSMAS handle');
    const size = f.u64(8, 'Memory side cache size', sizeValue);
    readCacheAttributes(f, 16);
    return `handle ${handle}, ${sizeValue(size)}`;
  });
}

function dsis(s: TableReader): TableTree {
  return structure('DSIS', s, (f) => {
    f.u8(0, 'Type', () => '3 (device scoped initiator)');
    f.u16(2, 'Length');
    f.u8(4, 'Flags', (v) => flagsValue(v, { 0: 'memory attached' }, 2));
    return `handle ${f.u8(5, 'Handle')}`;
  });
}

function dsemts(s: TableReader): TableTree {
  return structure('DSEMTS', s, (f) => {
    f.u8(0, 'Type', () => '4 (device scoped EFI memory type)');
    f.u16(2, 'Length');
    const handle = f.u8(4, 'DSMAS handle');
    const type = f.u8(5, 'EFI memory type and attribute', (v) => codeValue(v, EFI_TYPES));
    f.u64(8, 'DPA offset', (v) => hex(v, 16));
    const length = f.u64(16, 'DPA length', sizeValue);
    return `handle ${handle}: ${EFI_TYPES[type] ?? 'reserved'}, ${sizeValue(length)}`;
  });
}

function sslbis(s: TableReader): TableTree {
  return structure('SSLBIS', s, (f) => {
    f.u8(0, 'Type', () => '5 (switch scoped latency and bandwidth)');
    const length = f.u16(2, 'Length');
    const type = f.u8(4, 'Data type', lbDataTypeValue);
    const base = f.u64(8, 'Entry base unit', (v) => `${v} (${unit(type)})`);
    const n = Math.max(0, Math.floor((length - 16) / 8));
    for (let k = 0; k < n; k++) {
      const at = 16 + 8 * k;
      const x = s.u16(at, `Entry ${k} port X`);
      const y = s.u16(at + 2, `Entry ${k} port Y`);
      const v = s.u16(at + 4, `Entry ${k} value`);
      f.push(
        branch(
          `Entry ${k}`,
          [leaf('Port X', portValue(x)), leaf('Port Y', portValue(y)), leaf('Value', lbEntryValue(v, base, type))],
          `${portValue(x)} <-> ${portValue(y)}`,
        ),
      );
    }
    if ((length - 16) % 8 !== 0) f.push(errorNode(`length ${length} is not 16 + 8 per entry`));
    return `${LB_DATA_TYPES[type] ?? `data type ${type}`}, ${n} entr${n === 1 ? 'y' : 'ies'}`;
  });
}

const DECODERS: Readonly<Record<number, (s: TableReader) => TableTree>> = {
  0: dsmas,
  1: dslbis,
  2: dsmscis,
  3: dsis,
  4: dsemts,
  5: sslbis,
};

export function decodeCdat(bytes: Uint8Array): TableTree {
  const r = new TableReader(bytes);
  let end = r.length;
  const notes: TableTree[] = [];
  const header = structure('Header', r, (f) => {
    const length = f.u32(0, 'Length', (v) => `${v} (${hex(v)})`);
    f.u8(4, 'Revision');
    const truncated = length > r.length;
    if (length < HEADER_SIZE) notes.push(errorNode(`Length ${length} is below the ${HEADER_SIZE}-byte header`));
    else if (truncated) notes.push(errorNode(`Length says ${length} bytes but only ${r.length} are present`));
    else {
      end = length;
      if (length < r.length)
        notes.push(leaf('Trailing bytes', `${r.length - length} after the table's length, ignored`));
    }
    const stored = r.u8(CHECKSUM_AT, 'Checksum');
    const verdict =
      truncated || length < HEADER_SIZE
        ? 'not verifiable'
        : r.sum8(0, end, 'checksum range') === 0
          ? 'valid'
          : 'INVALID: the table does not sum to 0';
    f.push(leaf('Checksum', `${hex(stored, 2)} (${verdict})`));
    f.u32(12, 'Sequence', (v) => hex(v, 8));
    return undefined;
  });
  const structures =
    end >= HEADER_SIZE
      ? walkStructures(r, HEADER_SIZE, end, HEADER_U8_LEN16, 'CDAT structure', (s, type) => {
          const d = DECODERS[type];
          return d ? d(s) : unknownStructure('CDAT structure', s, type);
        })
      : [];
  const count = structures.filter((n) => n.label !== ERROR_LABEL).length;
  return branch('CDAT', [header, ...notes, ...structures], `${end} bytes, ${count} structures`);
}
