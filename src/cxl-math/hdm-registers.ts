// HDM decoder capability structure register layout (SPEC-NOTES 2.3; CXL r3.1 8.2.4.20), declared
// once as a table of registers and fields. Owns offsets, bit ranges, access kinds and the masks
// derived from them; never holds register state (src/cxl builds the live image on top of this).
// Registers are 32 bits wide, so the 32-bit operators below are exact.

import { fromHalves } from './bits.js';
import { decoderCountToEncoding, encodingToDecoderCount } from './interleave.js';

export { decoderCountToEncoding, encodingToDecoderCount };

/** Access kinds: RW is writable; RO/HwInit read-only to software; RW1C clears on writing 1. */
export type Access = 'RO' | 'RW' | 'RW1C' | 'HwInit';

/** Which components implement a register's field set (HB/USP vs endpoint share +0x24/+0x28). */
export type Applies = 'all' | 'switch' | 'endpoint';

export interface FieldDef {
  readonly lo: number;
  readonly hi: number;
  readonly access: Access;
  readonly doc: string;
}

export interface RegisterDef<F extends string = string> {
  readonly name: string;
  /** Offset from the start of the HDM decoder capability structure (decoder 0 for per-decoder). */
  readonly offset: number;
  /** True for the +0x20*n decoder registers. */
  readonly perDecoder: boolean;
  readonly applies: Applies;
  readonly fields: { readonly [K in F]: FieldDef };
}

const f = (hi: number, lo: number, access: Access, doc: string): FieldDef => ({ lo, hi, access, doc });

/** Stride between decoder n and n+1. */
export const DECODER_STRIDE = 0x20;
/** Offset of decoder 0's first register. */
export const DECODER0_OFFSET = 0x10;
/** Base, size and DPA skip registers hold bits [31:28] of the low word: 256 MiB units. */
export const HDM_RANGE_UNIT = 256 * 1024 * 1024;
/** Maximum target-list entries (so HB/USP decoders have W <= 8). */
export const TARGET_LIST_SLOTS = 8;

/** Structure length for `count` decoders: 0x10 + 0x20 * count. */
export function hdmCapabilityLength(count: number): number {
  return DECODER0_OFFSET + DECODER_STRIDE * count;
}

// ---- The table: every register and field, once. ----

export const HDM_CAPABILITY = {
  name: 'HDM Decoder Capability',
  offset: 0x00,
  perDecoder: false,
  applies: 'all',
  fields: {
    decoderCount: f(3, 0, 'RO', 'decoder count encoding (SPEC-NOTES 1.1)'),
    targetCount: f(7, 4, 'RO', 'target count (<= 8)'),
    a11to8: f(8, 8, 'RO', 'interleave selectors in HPA[11:8] capable'),
    a14to12: f(9, 9, 'RO', 'interleave selectors in HPA[14:12] capable'),
    poisonOnDecodeErrorCap: f(10, 10, 'RO', 'poison on decode error capable'),
    ways3_6_12: f(11, 11, 'RO', '3, 6, 12 way interleave capable'),
    ways16: f(12, 12, 'RO', '16 way interleave capable'),
    uio: f(13, 13, 'RO', 'UIO capable'),
    uioDecoderCount: f(19, 16, 'RO', 'UIO capable decoder count'),
    memDataNxm: f(20, 20, 'RO', 'MemData-NXM capable'),
    coherencyModels: f(22, 21, 'RO', 'supported coherency models'),
  },
} as const satisfies RegisterDef;

export const HDM_GLOBAL_CONTROL = {
  name: 'HDM Decoder Global Control',
  offset: 0x04,
  perDecoder: false,
  applies: 'all',
  fields: {
    poisonOnDecodeErrorEnable: f(0, 0, 'RW', 'poison on decode error enable'),
    hdmDecoderEnable: f(1, 1, 'RW', 'HDM decoder enable'),
  },
} as const satisfies RegisterDef;

export const HDM_BASE_LOW = {
  name: 'Decoder Base Low',
  offset: 0x10,
  perDecoder: true,
  applies: 'all',
  fields: { base: f(31, 28, 'RW', 'base bits [31:28] (256 MiB units)') },
} as const satisfies RegisterDef;

export const HDM_BASE_HIGH = {
  name: 'Decoder Base High',
  offset: 0x14,
  perDecoder: true,
  applies: 'all',
  fields: { base: f(31, 0, 'RW', 'base bits [63:32]') },
} as const satisfies RegisterDef;

export const HDM_SIZE_LOW = {
  name: 'Decoder Size Low',
  offset: 0x18,
  perDecoder: true,
  applies: 'all',
  fields: { size: f(31, 28, 'RW', 'size bits [31:28] (256 MiB units)') },
} as const satisfies RegisterDef;

export const HDM_SIZE_HIGH = {
  name: 'Decoder Size High',
  offset: 0x1c,
  perDecoder: true,
  applies: 'all',
  fields: { size: f(31, 0, 'RW', 'size bits [63:32]') },
} as const satisfies RegisterDef;

/**
 * Decoder Control. r3.x adds BI (13), UIO (14), UIG [19:16], UIW [23:20], ISP [27:24] (verify);
 * cxlemu treats them as reserved (write mask 0x13FF, as QEMU's).
 */
export const HDM_CONTROL = {
  name: 'Decoder Control',
  offset: 0x20,
  perDecoder: true,
  applies: 'all',
  fields: {
    ig: f(3, 0, 'RW', 'interleave granularity (eig)'),
    iw: f(7, 4, 'RW', 'interleave ways (eiw)'),
    lockOnCommit: f(8, 8, 'RW', 'lock on commit'),
    commit: f(9, 9, 'RW', 'commit'),
    committed: f(10, 10, 'RO', 'committed'),
    errorNotCommitted: f(11, 11, 'RO', 'error not committed'),
    targetRangeType: f(12, 12, 'RW', 'target range type (0 HDM-D/DB, 1 HDM-H)'),
  },
} as const satisfies RegisterDef;

export const HDM_TARGET_LIST_LOW = {
  name: 'Decoder Target List Low',
  offset: 0x24,
  perDecoder: true,
  applies: 'switch',
  fields: {
    target0: f(7, 0, 'RW', 'port id of way 0'),
    target1: f(15, 8, 'RW', 'port id of way 1'),
    target2: f(23, 16, 'RW', 'port id of way 2'),
    target3: f(31, 24, 'RW', 'port id of way 3'),
  },
} as const satisfies RegisterDef;

export const HDM_TARGET_LIST_HIGH = {
  name: 'Decoder Target List High',
  offset: 0x28,
  perDecoder: true,
  applies: 'switch',
  fields: {
    target4: f(7, 0, 'RW', 'port id of way 4'),
    target5: f(15, 8, 'RW', 'port id of way 5'),
    target6: f(23, 16, 'RW', 'port id of way 6'),
    target7: f(31, 24, 'RW', 'port id of way 7'),
  },
} as const satisfies RegisterDef;

export const HDM_DPA_SKIP_LOW = {
  name: 'Decoder DPA Skip Low',
  offset: 0x24,
  perDecoder: true,
  applies: 'endpoint',
  fields: { skip: f(31, 28, 'RW', 'DPA skip bits [31:28] (256 MiB units)') },
} as const satisfies RegisterDef;

export const HDM_DPA_SKIP_HIGH = {
  name: 'Decoder DPA Skip High',
  offset: 0x28,
  perDecoder: true,
  applies: 'endpoint',
  fields: { skip: f(31, 0, 'RW', 'DPA skip bits [63:32]') },
} as const satisfies RegisterDef;

/** The whole layout, in offset order. */
export const HDM_REGISTERS: readonly RegisterDef[] = [
  HDM_CAPABILITY,
  HDM_GLOBAL_CONTROL,
  HDM_BASE_LOW,
  HDM_BASE_HIGH,
  HDM_SIZE_LOW,
  HDM_SIZE_HIGH,
  HDM_CONTROL,
  HDM_TARGET_LIST_LOW,
  HDM_TARGET_LIST_HIGH,
  HDM_DPA_SKIP_LOW,
  HDM_DPA_SKIP_HIGH,
];

// ---- Derived helpers ----

/** Unshifted 32-bit mask of a field. */
export function fieldMask(fd: FieldDef): number {
  const width = fd.hi - fd.lo + 1;
  return width >= 32 ? 0xffffffff : (((1 << width) - 1) << fd.lo) >>> 0;
}

/** Field value from a 32-bit register value. */
export function extractField(reg: number, fd: FieldDef): number {
  return ((reg & fieldMask(fd)) >>> 0) / 2 ** fd.lo;
}

/** Register value with the field replaced by v (v is truncated to the field width). */
export function depositField(reg: number, fd: FieldDef, v: number): number {
  const m = fieldMask(fd);
  return ((reg & ~m) | ((v * 2 ** fd.lo) & m)) >>> 0;
}

/** Bits software may write (RW fields); the rest keep their value. */
export function writeMask(def: RegisterDef): number {
  let m = 0;
  for (const fd of Object.values(def.fields) as FieldDef[]) if (fd.access === 'RW') m |= fieldMask(fd);
  return m >>> 0;
}

/** Bits that clear when written as 1 (RW1C fields). */
export function clearMask(def: RegisterDef): number {
  let m = 0;
  for (const fd of Object.values(def.fields) as FieldDef[]) if (fd.access === 'RW1C') m |= fieldMask(fd);
  return m >>> 0;
}

/** The write and write-1-to-clear masks of a register (derive once, apply on every write). */
export interface WriteMasks {
  readonly write: number;
  readonly clear: number;
}

export function writeMasks(def: RegisterDef): WriteMasks {
  return { write: writeMask(def), clear: clearMask(def) };
}

/** Result of a software write of `value` over `old` under precomputed masks. */
export function applyMaskedWrite(m: WriteMasks, old: number, value: number): number {
  const r = ((old & ~m.write) | (value & m.write)) >>> 0;
  return (r & ~(value & m.clear)) >>> 0;
}

/** Byte offset of a register for decoder n (or the global register's own offset). */
export function registerOffset(def: RegisterDef, n = 0): number {
  return def.perDecoder ? def.offset + DECODER_STRIDE * n : def.offset;
}

/** Which register (and decoder index) lives at `offset` for a component of this kind. */
export function registerAt(
  offset: number,
  decoderCount: number,
  kind: 'switch' | 'endpoint',
): { def: RegisterDef; decoder: number } | undefined {
  if (offset < DECODER0_OFFSET) {
    for (const def of HDM_REGISTERS) if (!def.perDecoder && def.offset === offset) return { def, decoder: -1 };
    return undefined;
  }
  const n = Math.floor((offset - DECODER0_OFFSET) / DECODER_STRIDE);
  if (n >= decoderCount) return undefined;
  const rel = offset - DECODER_STRIDE * n;
  for (const def of HDM_REGISTERS) {
    if (def.perDecoder && def.offset === rel && (def.applies === 'all' || def.applies === kind)) {
      return { def, decoder: n };
    }
  }
  return undefined;
}

/** 64-bit range value (base, size or skip) from its low/high register pair; low uses [31:28]. */
export function rangeFromRegisters(low: number, high: number): number {
  return fromHalves(low & 0xf0000000, high);
}

/** Low register word of a range value (bits [31:28] only). */
export function rangeLowWord(value: number): number {
  return ((value % 4294967296) & 0xf0000000) >>> 0;
}

/** High register word of a range value. */
export function rangeHighWord(value: number): number {
  return Math.floor(value / 4294967296) >>> 0;
}

/** Port id of way i (0..7) from the target list low/high words. */
export function targetListEntry(low: number, high: number, i: number): number {
  const word = i < 4 ? low : high;
  return (word >>> (8 * (i & 3))) & 0xff;
}

/** Target list words for up to 8 port ids. */
export function targetListWords(ports: readonly number[]): { low: number; high: number } {
  let low = 0;
  let high = 0;
  for (let i = 0; i < ports.length && i < TARGET_LIST_SLOTS; i++) {
    const b = (ports[i]! & 0xff) * 2 ** (8 * (i & 3));
    if (i < 4) low += b;
    else high += b;
  }
  return { low: low >>> 0, high: high >>> 0 };
}
