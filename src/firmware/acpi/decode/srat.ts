// The SRAT, System Resource Affinity Table (ACPI 6.5 §5.2.16; SPEC-NOTES 4.1), read back from
// bytes: memory affinity (1), generic initiator (5) and generic port (6) affinity with their ACPI or
// PCI device handles, and RINTC affinity (7, ACPI 6.6), flags by name. Other types show as bytes.
// Owns that decode; never decides which node a range belongs to beyond what the bytes say.

import {
  HEADER_U8_LEN8,
  fieldList,
  structure,
  TableFields,
  type TableReader,
  unknownStructure,
  walkStructures,
} from '../../../cxl-math/table-reader.js';
import {
  codeValue,
  flagsValue,
  hex,
  leaf,
  rangeValue,
  sizeValue,
  type TableTree,
} from '../../../cxl-math/table-tree.js';

const SUBTABLES_AT = 48;
const MEMORY_FLAGS: Readonly<Record<number, string>> = { 0: 'enabled', 1: 'hot-pluggable', 2: 'non-volatile' };
const INITIATOR_FLAGS: Readonly<Record<number, string>> = { 0: 'enabled', 1: 'architectural transactions' };
const HANDLE_TYPES: Readonly<Record<number, string>> = { 0: 'ACPI', 1: 'PCI' };

function memory(s: TableReader): TableTree {
  return structure('Memory affinity', s, (f) => {
    f.u8(0, 'Type', () => '1 (memory affinity)');
    f.u8(1, 'Length');
    const pxm = f.u32(2, 'Proximity domain');
    const base = f.u64(8, 'Base address', (v) => hex(v, 16));
    const length = f.u64(16, 'Address length', sizeValue);
    f.push(leaf('Range', rangeValue(base, length)));
    f.u32(28, 'Flags', (v) => flagsValue(v, MEMORY_FLAGS));
    return `PXM ${pxm}: ${rangeValue(base, length)}`;
  });
}

/** The 16-byte device handle at +8: ACPI _HID/_UID or PCI segment/BDF. */
function deviceHandle(f: TableFields, type: number): string {
  const h: TableTree[] = [];
  f.push({ label: 'Device handle', children: h });
  const g = new TableFields(f.r, h);
  if (type === 0) {
    const hid = g.text(8, 8, '_HID');
    const uid = g.u32(16, '_UID');
    return `${hid} _UID ${uid}`;
  }
  if (type === 1) {
    const seg = g.u16(8, 'PCI segment');
    const bdf = g.u16(10, 'BDF', (v) => hex(v, 4));
    return `PCI ${seg}:${hex(bdf, 4)}`;
  }
  return 'unknown handle type';
}

function initiator(label: string, what: string, s: TableReader, typeCode: number): TableTree {
  return structure(label, s, (f) => {
    f.u8(0, 'Type', () => `${typeCode} (${what})`);
    f.u8(1, 'Length');
    const ht = f.u8(3, 'Device handle type', (v) => codeValue(v, HANDLE_TYPES));
    const pxm = f.u32(4, 'Proximity domain');
    const dev = deviceHandle(f, ht);
    f.u32(24, 'Flags', (v) => flagsValue(v, INITIATOR_FLAGS));
    return `PXM ${pxm}: ${dev}`;
  });
}

function rintc(s: TableReader): TableTree {
  return structure('RINTC affinity', s, (f) => {
    f.u8(0, 'Type', () => '7 (RINTC affinity)');
    f.u8(1, 'Length');
    const pxm = f.u32(4, 'Proximity domain');
    const uid = f.u32(8, 'ACPI processor UID');
    f.u32(12, 'Flags', (v) => flagsValue(v, { 0: 'enabled' }));
    f.u32(16, 'Clock domain');
    return `PXM ${pxm}: UID ${uid}`;
  });
}

export function decodeSratBody(r: TableReader): TableTree[] {
  const fixed = fieldList(r, (f) => {
    f.u32(36, 'Table revision', (v) => `${v}${v === 1 ? ' (legacy, as required)' : ''}`);
    f.u64(40, 'Reserved', (v) => hex(v, 16));
  });
  const subtables = walkStructures(r, SUBTABLES_AT, r.length, HEADER_U8_LEN8, 'SRAT structure', (s, type) => {
    if (type === 1) return memory(s);
    if (type === 5) return initiator('Generic initiator affinity', 'generic initiator affinity', s, 5);
    if (type === 6) return initiator('Generic port affinity', 'generic port affinity', s, 6);
    if (type === 7) return rintc(s);
    return unknownStructure('SRAT structure', s, type);
  });
  return [...fixed, ...subtables];
}
