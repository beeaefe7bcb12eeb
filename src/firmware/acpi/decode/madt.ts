// The MADT (ACPI 6.5 §5.2.12, signature APIC) read back from bytes, with the RISC-V interrupt
// controller structures of ACPI 6.6: RINTC (0x18), IMSIC (0x19), APLIC (0x1A) and PLIC (0x1B).
// Other types show as type, length and bytes. Owns that decode; never checks that the controllers
// agree with one another.

import {
  HEADER_U8_LEN8,
  structure,
  type TableFields,
  type TableReader,
  fieldList,
  unknownStructure,
  walkStructures,
} from '../../../cxl-math/table-reader.js';
import { flagsValue, hex, hexBytes, leaf, type TableTree } from '../../../cxl-math/table-tree.js';

const SUBTABLES_AT = 44;
const ENABLED: Readonly<Record<number, string>> = { 0: 'enabled', 1: 'online capable' };
const MADT_FLAGS: Readonly<Record<number, string>> = { 0: 'PCAT_COMPAT' };

/** RINTC external interrupt controller id: [31:24] PLIC/APLIC id, [15:0] S-mode context or IDC. */
function eicValue(v: number): string {
  return v === 0 ? `${hex(v, 8)} (none)` : `${hex(v, 8)} (controller ${v >>> 24}, context ${v & 0xffff})`;
}

function hardwareId(f: TableFields, at: number): void {
  f.push(leaf('Hardware ID', hexBytes(f.r.bytesAt(at, 8, 'Hardware ID'))));
}

function rintc(s: TableReader): TableTree {
  return structure('RINTC', s, (f) => {
    f.u8(0, 'Type', (v) => `${hex(v, 2)} (RISC-V hart interrupt controller)`);
    f.u8(1, 'Length');
    f.u8(2, 'Version');
    f.u32(4, 'Flags', (v) => flagsValue(v, ENABLED));
    const hart = f.u64(8, 'Hart ID', (v) => hex(v));
    const uid = f.u32(16, 'ACPI processor UID');
    f.u32(20, 'External interrupt controller ID', eicValue);
    f.u64(24, 'IMSIC base', (v) => hex(v, 16));
    f.u32(32, 'IMSIC size', (v) => hex(v));
    return `hart ${hart}, UID ${uid}`;
  });
}

function imsic(s: TableReader): TableTree {
  return structure('IMSIC', s, (f) => {
    f.u8(0, 'Type', (v) => `${hex(v, 2)} (incoming MSI controller)`);
    f.u8(1, 'Length');
    f.u8(2, 'Version');
    f.u32(4, 'Flags', (v) => hex(v, 8));
    const ids = f.u16(8, 'Number of interrupt identities');
    f.u16(10, 'Number of guest interrupt identities');
    f.u8(12, 'Guest index bits');
    const hartBits = f.u8(13, 'Hart index bits');
    f.u8(14, 'Group index bits');
    f.u8(15, 'Group index shift');
    return `${ids} ids, ${hartBits} hart index bits`;
  });
}

function aplic(s: TableReader): TableTree {
  return structure('APLIC', s, (f) => {
    f.u8(0, 'Type', (v) => `${hex(v, 2)} (advanced platform-level interrupt controller)`);
    f.u8(1, 'Length');
    f.u8(2, 'Version');
    const id = f.u8(3, 'APLIC ID');
    f.u32(4, 'Flags', (v) => hex(v, 8));
    hardwareId(f, 8);
    f.u16(16, 'Number of IDCs', (v) => (v === 0 ? '0 (MSI delivery mode)' : String(v)));
    const sources = f.u16(18, 'Total external interrupt sources');
    f.u32(20, 'GSI base');
    const base = f.u64(24, 'APLIC address', (v) => hex(v, 16));
    f.u32(32, 'APLIC size', (v) => hex(v));
    return `APLIC ${id} @ ${hex(base)}, ${sources} sources`;
  });
}

function plic(s: TableReader): TableTree {
  return structure('PLIC', s, (f) => {
    f.u8(0, 'Type', (v) => `${hex(v, 2)} (platform-level interrupt controller)`);
    f.u8(1, 'Length');
    f.u8(2, 'Version');
    const id = f.u8(3, 'PLIC ID');
    hardwareId(f, 4);
    const sources = f.u16(12, 'Total external interrupt sources');
    f.u16(14, 'Maximum priority');
    f.u32(16, 'Flags', (v) => hex(v, 8));
    f.u32(20, 'PLIC size', (v) => hex(v));
    const base = f.u64(24, 'PLIC address', (v) => hex(v, 16));
    f.u32(32, 'GSI base');
    return `PLIC ${id} @ ${hex(base)}, ${sources} sources`;
  });
}

const DECODERS: Readonly<Record<number, (s: TableReader) => TableTree>> = {
  0x18: rintc,
  0x19: imsic,
  0x1a: aplic,
  0x1b: plic,
};

export function decodeMadtBody(r: TableReader): TableTree[] {
  const fixed = fieldList(r, (f) => {
    f.u32(36, 'Local interrupt controller address', (v) => hex(v, 8));
    f.u32(40, 'Flags', (v) => flagsValue(v, MADT_FLAGS));
  });
  const subtables = walkStructures(r, SUBTABLES_AT, r.length, HEADER_U8_LEN8, 'MADT structure', (s, type) => {
    const d = DECODERS[type];
    return d ? d(s) : unknownStructure('MADT structure', s, type);
  });
  return [...fixed, ...subtables];
}
