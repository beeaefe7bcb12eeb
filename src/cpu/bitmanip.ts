// Zba, Zbb, Zbs and Zicond on 64-bit values held as Int32 halves (lo, hi), for the interpreter.
// (Translated code uses WebAssembly's i64 operations instead: jit-translate.ts.) Semantics from
// the bit-manipulation spec 1.0.0 and Zicond 1.0.

import { Op } from './isa.js';

/** Result of bitOp: the high half (the low half is the return value). */
export const bitOut = { hi: 0 };

function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

function pop32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** Each byte: 0xff when non-zero, else 0. */
function orcb32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 8) if (((x >>> i) & 0xff) !== 0) r |= 0xff << i;
  return r;
}

/** a + b (64-bit halves); sets bitOut.hi. */
function add(al: number, ah: number, bl: number, bh: number): number {
  const lo = (al + bl) | 0;
  bitOut.hi = (ah + bh + (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
  return lo;
}

/** (a << s) for 0 <= s < 64; sets bitOut.hi. */
function shl(al: number, ah: number, s: number): number {
  if (s === 0) {
    bitOut.hi = ah;
    return al;
  }
  if (s >= 32) {
    bitOut.hi = al << (s - 32);
    return 0;
  }
  bitOut.hi = (ah << s) | (al >>> (32 - s));
  return al << s;
}

/** Rotate left by s (mod 64); sets bitOut.hi. */
function rotl(al: number, ah: number, s: number): number {
  s &= 63;
  if (s >= 32) {
    const t = al;
    al = ah;
    ah = t;
    s -= 32;
  }
  if (s === 0) {
    bitOut.hi = ah;
    return al;
  }
  bitOut.hi = (ah << s) | (al >>> (32 - s));
  return (al << s) | (ah >>> (32 - s));
}

function rotl32(x: number, s: number): number {
  s &= 31;
  return s === 0 ? x : (x << s) | (x >>> (32 - s));
}

function lessSigned(al: number, ah: number, bl: number, bh: number): boolean {
  return ah < bh || (ah === bh && al >>> 0 < bl >>> 0);
}

function lessUnsigned(al: number, ah: number, bl: number, bh: number): boolean {
  return ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0);
}

/** A 32-bit result sign-extended; sets bitOut.hi. */
function w(v: number): number {
  bitOut.hi = v >> 31;
  return v | 0;
}

/**
 * Execute a Zba/Zbb/Zbs/Zicond operation on rs1 = (al, ah), rs2 = (bl, bh) or the shift amount
 * `imm` for immediate forms. Returns the low half of rd; bitOut.hi holds the high half.
 */
export function bitOp(op: number, al: number, ah: number, bl: number, bh: number, imm: number): number {
  switch (op) {
    case Op.SH1ADD:
    case Op.SH2ADD:
    case Op.SH3ADD: {
      const lo = shl(al, ah, op - Op.SH1ADD + 1);
      return add(lo, bitOut.hi, bl, bh);
    }
    case Op.ADD_UW:
      return add(al, 0, bl, bh);
    case Op.SH1ADD_UW:
    case Op.SH2ADD_UW:
    case Op.SH3ADD_UW: {
      const lo = shl(al, 0, op - Op.SH1ADD_UW + 1);
      return add(lo, bitOut.hi, bl, bh);
    }
    case Op.SLLI_UW:
      return shl(al, 0, imm);
    case Op.ANDN:
      bitOut.hi = ah & ~bh;
      return al & ~bl;
    case Op.ORN:
      bitOut.hi = ah | ~bh;
      return al | ~bl;
    case Op.XNOR:
      bitOut.hi = ~(ah ^ bh);
      return ~(al ^ bl);
    case Op.CLZ:
      bitOut.hi = 0;
      return ah !== 0 ? Math.clz32(ah) : 32 + Math.clz32(al);
    case Op.CLZW:
      bitOut.hi = 0;
      return Math.clz32(al);
    case Op.CTZ:
      bitOut.hi = 0;
      return al !== 0 ? ctz32(al) : 32 + ctz32(ah);
    case Op.CTZW:
      bitOut.hi = 0;
      return ctz32(al);
    case Op.CPOP:
      bitOut.hi = 0;
      return pop32(al) + pop32(ah);
    case Op.CPOPW:
      bitOut.hi = 0;
      return pop32(al);
    case Op.MAX:
    case Op.MIN:
    case Op.MAXU:
    case Op.MINU: {
      const aLess = op === Op.MAX || op === Op.MIN ? lessSigned(al, ah, bl, bh) : lessUnsigned(al, ah, bl, bh);
      const takeA = op === Op.MAX || op === Op.MAXU ? !aLess : aLess;
      bitOut.hi = takeA ? ah : bh;
      return takeA ? al : bl;
    }
    case Op.SEXT_B:
      return w((al << 24) >> 24);
    case Op.SEXT_H:
      return w((al << 16) >> 16);
    case Op.ZEXT_H:
      bitOut.hi = 0;
      return al & 0xffff;
    case Op.ROL:
      return rotl(al, ah, bl);
    case Op.ROR:
      return rotl(al, ah, 64 - (bl & 63));
    case Op.RORI:
      return rotl(al, ah, 64 - imm);
    case Op.ROLW:
      return w(rotl32(al, bl));
    case Op.RORW:
      return w(rotl32(al, 32 - (bl & 31)));
    case Op.RORIW:
      return w(rotl32(al, 32 - imm));
    case Op.ORC_B:
      bitOut.hi = orcb32(ah);
      return orcb32(al);
    case Op.REV8:
      bitOut.hi = bswap32(al);
      return bswap32(ah);
    case Op.BCLR:
    case Op.BSET:
    case Op.BINV:
    case Op.BCLRI:
    case Op.BSETI:
    case Op.BINVI: {
      const s = (op === Op.BCLRI || op === Op.BSETI || op === Op.BINVI ? imm : bl) & 63;
      const mLo = s < 32 ? 1 << s : 0;
      const mHi = s >= 32 ? 1 << (s - 32) : 0;
      if (op === Op.BCLR || op === Op.BCLRI) {
        bitOut.hi = ah & ~mHi;
        return al & ~mLo;
      }
      if (op === Op.BSET || op === Op.BSETI) {
        bitOut.hi = ah | mHi;
        return al | mLo;
      }
      bitOut.hi = ah ^ mHi;
      return al ^ mLo;
    }
    case Op.BEXT:
    case Op.BEXTI: {
      const s = (op === Op.BEXTI ? imm : bl) & 63;
      bitOut.hi = 0;
      return (s < 32 ? al >>> s : ah >>> (s - 32)) & 1;
    }
    case Op.CZERO_EQZ:
    case Op.CZERO_NEZ: {
      const zero = (bl | bh) === 0;
      const keep = op === Op.CZERO_EQZ ? !zero : zero;
      bitOut.hi = keep ? ah : 0;
      return keep ? al : 0;
    }
    default:
      throw new Error(`bitmanip: operation ${op} is not a Zba/Zbb/Zbs/Zicond instruction`);
  }
}
