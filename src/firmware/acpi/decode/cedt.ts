// The CEDT, CXL Early Discovery Table (CXL 3.1 §9.18.1; SPEC-NOTES 4.4), read back from bytes:
// CHBS, CFMWS (ways and granularity decoded from ENIW and HBIG, restrictions by name, the target
// list checked against the ways), CXIMS (XOR maps) and RDPAS. Owns that decode; never checks that
// a window is routable (src/cxl does).

import {
  HEADER_U8_LEN16,
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
  humanBytes,
  leaf,
  rangeValue,
  sizeValue,
  type TableTree,
} from '../../../cxl-math/table-tree.js';

const SUBTABLES_AT = 36;
const CFMWS_FIXED = 36;

const CHBS_VERSIONS: Readonly<Record<number, string>> = { 0: 'CXL 1.1, RCRB', 1: 'CXL 2.0+, CHBCR' };
const ARITHMETIC: Readonly<Record<number, string>> = { 0: 'modulo', 1: 'XOR' };
const RESTRICTIONS: Readonly<Record<number, string>> = {
  0: 'device coherent',
  1: 'host-only coherent',
  2: 'volatile',
  3: 'persistent',
  4: 'fixed configuration',
  5: 'back-invalidate',
};
const RDPAS_PROTOCOLS: Readonly<Record<number, string>> = { 0: 'CXL.io', 1: 'CXL.cachemem' };

/** Ways for an ENIW code (SPEC-NOTES 1.1): 0-4 give 1-16, 8-10 give 3, 6, 12; the rest are invalid. */
export function eniwWays(eiw: number): number | undefined {
  if (eiw <= 4) return 1 << eiw;
  if (eiw >= 8 && eiw <= 10) return 3 << (eiw - 8);
  return undefined;
}

/** Granularity for an HBIG code: 256 B << HBIG for 0-6. */
function hbigValue(v: number): string {
  return v <= 6 ? `${v} (${humanBytes(256 << v)})` : `${v} (invalid)`;
}

function chbs(s: TableReader): TableTree {
  return structure('CHBS', s, (f) => {
    f.u8(0, 'Type', () => '0 (CXL host bridge)');
    f.u16(2, 'Length');
    const uid = f.u32(4, 'UID', (v) => `${v} (${hex(v)})`);
    f.u32(8, 'CXL version', (v) => codeValue(v, CHBS_VERSIONS));
    const base = f.u64(16, 'Base', (v) => hex(v, 16));
    f.u64(24, 'Length of register block', sizeValue);
    return `UID ${uid}, ${hex(base)}`;
  });
}

function cfmws(s: TableReader): TableTree {
  return structure('CFMWS', s, (f) => {
    f.u8(0, 'Type', () => '1 (CXL fixed memory window)');
    const length = f.u16(2, 'Length');
    const base = f.u64(8, 'Base HPA', (v) => hex(v, 16));
    const size = f.u64(16, 'Window size', sizeValue);
    f.push(leaf('HPA range', rangeValue(base, size)));
    const eiw = f.u8(24, 'ENIW', (v) => {
      const w = eniwWays(v);
      return w === undefined ? `${v} (invalid)` : `${v} (${w} way${w === 1 ? '' : 's'})`;
    });
    const arith = f.u8(25, 'Interleave arithmetic', (v) => codeValue(v, ARITHMETIC));
    const hbig = f.u32(28, 'HBIG', hbigValue);
    f.u16(32, 'Restrictions', (v) => flagsValue(v, RESTRICTIONS, 4));
    f.u16(34, 'QTG ID');
    const listed = Math.max(0, Math.floor((length - CFMWS_FIXED) / 4));
    const targets: TableTree[] = [];
    f.push({ label: 'Interleave targets', value: `${listed}`, children: targets });
    for (let i = 0; i < listed; i++)
      targets.push(leaf(`Position ${i}`, `UID ${s.u32(CFMWS_FIXED + 4 * i, `Target ${i}`)}`));
    const ways = eniwWays(eiw);
    if (ways !== undefined && ways !== listed)
      f.push(errorNode(`ENIW ${eiw} means ${ways} targets, but the structure lists ${listed}`));
    const g = hbig <= 6 ? humanBytes(256 << hbig) : 'invalid';
    return `${hex(base)} ${humanBytes(size)}, ${ways ?? '?'}-way ${ARITHMETIC[arith] ?? 'reserved'}, ${g}`;
  });
}

function cxims(s: TableReader): TableTree {
  return structure('CXIMS', s, (f) => {
    f.u8(0, 'Type', () => '2 (CXL XOR interleave math)');
    f.u16(2, 'Length');
    const hbig = f.u8(6, 'HBIG', hbigValue);
    const n = f.u8(7, 'Number of XORMAPs');
    const maps: TableTree[] = [];
    f.push({ label: 'XORMAPs', value: String(n), children: maps });
    for (let i = 0; i < n; i++) maps.push(leaf(`XORMAP ${i}`, hex(s.u64(8 + 8 * i, `XORMAP ${i}`), 16)));
    return `HBIG ${hbig}, ${n} map${n === 1 ? '' : 's'}`;
  });
}

/** bus:device.function as lspci prints it. */
function bdfText(v: number): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `${h(v >> 8)}:${h((v >> 3) & 0x1f)}.${v & 7}`;
}

/** RDPAS as ACPICA lays it out: segment, BDF, protocol, then an unaligned u64 address. */
function rdpas(s: TableReader): TableTree {
  return structure('RDPAS', s, (f) => {
    f.u8(0, 'Type', () => '3 (RCEC downstream port association)');
    f.u16(2, 'Length');
    const seg = f.u16(4, 'Segment');
    const bdf = f.u16(6, 'BDF', (v) => `${hex(v, 4)} (${bdfText(v)})`);
    f.u8(8, 'Protocol', (v) => codeValue(v, RDPAS_PROTOCOLS));
    f.u64(9, 'Base address', (v) => hex(v, 16));
    return `segment ${seg}, BDF ${hex(bdf, 4)}`;
  });
}

const DECODERS: Readonly<Record<number, (s: TableReader) => TableTree>> = { 0: chbs, 1: cfmws, 2: cxims, 3: rdpas };

export function decodeCedtBody(r: TableReader): TableTree[] {
  return walkStructures(r, SUBTABLES_AT, r.length, HEADER_U8_LEN16, 'CEDT structure', (s, type) => {
    const d = DECODERS[type];
    return d ? d(s) : unknownStructure('CEDT structure', s, type);
  });
}
