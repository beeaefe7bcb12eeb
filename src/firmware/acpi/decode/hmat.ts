// The HMAT, Heterogeneous Memory Attribute Table (ACPI 6.5 §5.2.28; SPEC-NOTES 4.3), read back
// from bytes: memory proximity domain attributes (0), system locality latency and bandwidth
// information (1) with its initiator and target lists and every entry times the entry base unit,
// and memory-side cache information (2). Owns that decode; the codes shared with CDAT live in
// src/cxl-math/memory-attributes.ts.

import {
  lbDataTypeValue,
  lbEntryValue,
  LB_DATA_TYPES,
  localityFlagsValue,
  readCacheAttributes,
} from '../../../cxl-math/memory-attributes.js';
import {
  HEADER_U16_LEN32,
  fieldList,
  structure,
  type TableReader,
  unknownStructure,
  walkStructures,
} from '../../../cxl-math/table-reader.js';
import {
  codeValue,
  errorNode,
  flagsValue,
  hex,
  leaf,
  sizeValue,
  type TableTree,
} from '../../../cxl-math/table-tree.js';

const SUBTABLES_AT = 40;
const LOCALITY_FIXED = 32;
const ADDRESS_MODES: Readonly<Record<number, string>> = { 0: 'reserved (unknown)', 1: 'extended-linear' };

function memoryDomain(s: TableReader): TableTree {
  return structure('Memory proximity domain attributes', s, (f) => {
    f.u16(0, 'Type', () => '0 (memory proximity domain attributes)');
    f.u32(4, 'Length');
    const flags = f.u16(8, 'Flags', (v) => flagsValue(v, { 0: 'initiator proximity domain valid' }, 4));
    const ini = f.u32(12, 'Attached initiator proximity domain');
    const mem = f.u32(16, 'Memory proximity domain');
    return flags & 1 ? `memory PD ${mem}, initiator PD ${ini}` : `memory PD ${mem}`;
  });
}

function locality(s: TableReader): TableTree {
  return structure('System locality latency and bandwidth', s, (f) => {
    f.u16(0, 'Type', () => '1 (system locality latency and bandwidth information)');
    const length = f.u32(4, 'Length');
    f.u8(8, 'Flags', localityFlagsValue);
    const type = f.u8(9, 'Data type', lbDataTypeValue);
    f.u8(10, 'Minimum transfer size');
    const n = f.u32(12, 'Number of initiator proximity domains');
    const m = f.u32(16, 'Number of target proximity domains');
    const base = f.u64(24, 'Entry base unit', (v) => `${v} (${type <= 2 ? 'ps' : type <= 5 ? 'MB/s' : 'units'})`);
    const need = LOCALITY_FIXED + 4 * n + 4 * m + 2 * n * m;
    const what = LB_DATA_TYPES[type] ?? `data type ${type}`;
    if (need > length) {
      f.push(errorNode(`${n} initiators and ${m} targets need ${need} bytes, the structure has ${length}`));
      return what;
    }
    // Loops, not Array.from(n): n comes from the bytes, and a read past them ends the loop.
    const ini: number[] = [];
    for (let i = 0; i < n; i++) ini.push(s.u32(LOCALITY_FIXED + 4 * i, `Initiator ${i}`));
    f.push(leaf('Initiator proximity domains', ini.join(', ')));
    const tgt: number[] = [];
    for (let j = 0; j < m; j++) tgt.push(s.u32(LOCALITY_FIXED + 4 * n + 4 * j, `Target ${j}`));
    f.push(leaf('Target proximity domains', tgt.join(', ')));
    const entriesAt = LOCALITY_FIXED + 4 * n + 4 * m;
    for (let i = 0; i < n; i++) {
      const row: TableTree[] = [];
      f.push({ label: `Initiator PD ${ini[i]}`, children: row });
      for (let j = 0; j < m; j++) {
        const e = s.u16(entriesAt + 2 * (i * m + j), `Entry [${i}][${j}]`);
        row.push(leaf(`Target PD ${tgt[j]}`, lbEntryValue(e, base, type)));
      }
    }
    return `${what}, ${n} x ${m}`;
  });
}

function cache(s: TableReader): TableTree {
  return structure('Memory side cache information', s, (f) => {
    f.u16(0, 'Type', () => '2 (memory side cache information)');
    f.u32(4, 'Length');
    const pd = f.u32(8, 'Memory proximity domain');
    const size = f.u64(16, 'Memory side cache size', sizeValue);
    readCacheAttributes(f, 24);
    f.u16(28, 'Address mode', (v) => codeValue(v, ADDRESS_MODES));
    const k = f.u16(30, 'Number of SMBIOS handles');
    const handles: string[] = [];
    for (let i = 0; i < k; i++) handles.push(hex(s.u16(32 + 2 * i, `SMBIOS handle ${i}`), 4));
    f.push(leaf('SMBIOS handles', handles.join(', ') || 'none'));
    return `memory PD ${pd}, ${sizeValue(size)}`;
  });
}

const DECODERS: Readonly<Record<number, (s: TableReader) => TableTree>> = { 0: memoryDomain, 1: locality, 2: cache };

export function decodeHmatBody(r: TableReader): TableTree[] {
  const fixed = fieldList(r, (f) => {
    f.u32(36, 'Reserved', (v) => hex(v, 8));
  });
  const subtables = walkStructures(r, SUBTABLES_AT, r.length, HEADER_U16_LEN32, 'HMAT structure', (s, type) => {
    const d = DECODERS[type];
    return d ? d(s) : unknownStructure('HMAT structure', s, type);
  });
  return [...fixed, ...subtables];
}
