// The F and D extensions' register file and computational instructions, as the interpreter runs
// them. Registers live in the arena (64 bits each; a single value is NaN-boxed: upper 32 bits all
// ones, else it reads as the canonical NaN). Each operation first tries a fast path in JavaScript
// doubles that is exact whenever it applies (round-to-nearest-even, a normal result, inexactness
// proven by an error-free transformation or already recorded in fflags); anything else goes to
// fp-exact.ts, which rounds the exact result with BigInt. Loads, stores and the FS check belong
// to the hart; this module never touches memory.

import {
  DZ,
  exactFlags,
  F32,
  F64,
  fadd,
  fcvtFloat,
  fcvtFromInt,
  fcvtToInt,
  fdiv,
  ffma,
  fmul,
  fsqrt,
  NV,
  NX,
  RDN,
  RMM,
  RNE,
  RTZ,
  RUP,
  type IntFormat,
} from './fp-exact.js';
import { Op } from './isa.js';

export { NV, NX, OF, UF, DZ } from './fp-exact.js';

/** Byte offsets inside the hart's state block where the FP state cells sit (i32 each). */
export const FP_CELL_FFLAGS = 0,
  FP_CELL_FRM = 1,
  /** mstatus.FS (0 Off, 1 Initial, 2 Clean, 3 Dirty): kept here so translated code can read it. */
  FP_CELL_FS = 2;

const TWO32 = 4294967296;
export const MIN_NORMAL64 = 2.2250738585072014e-308;
export const MAX64 = 1.7976931348623157e308;
export const MIN_NORMAL32 = 1.1754943508222875e-38;
export const MAX32 = 3.4028234663852886e38;
/** Operand magnitudes for which Dekker's product is error-free (no overflow in the split, no underflow in the error). */
export const SAFE_LO = 2 ** -450;
export const SAFE_HI = 2 ** 450;
const SPLIT = 134217729; // 2^27 + 1

const I_W: IntFormat = { bits: 32, signed: true };
const I_WU: IntFormat = { bits: 32, signed: false };
const I_L: IntFormat = { bits: 64, signed: true };
const I_LU: IntFormat = { bits: 64, signed: false };

// Scratch views for bit <-> value conversions.
const sf64 = new Float64Array(1);
const si32 = new Int32Array(sf64.buffer);
const sf32 = new Float32Array(sf64.buffer);

/** The exact error of a*b (a*b - fl(a*b)); valid for operands in [SAFE_LO, SAFE_HI]. */
function productError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a),
    al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b),
    bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function safe(x: number): boolean {
  const m = Math.abs(x);
  return m >= SAFE_LO && m <= SAFE_HI;
}

/**
 * A result the fast paths may keep: finite and above the smallest normal. (The smallest normal
 * itself may be a rounded-up tiny value, which raises UF under tininess-after-rounding.)
 */
function normal64(r: number): boolean {
  const m = Math.abs(r);
  return m > MIN_NORMAL64 && m <= MAX64;
}

function normal32(r: number): boolean {
  const m = Math.abs(r);
  return m > MIN_NORMAL32 && m <= MAX32;
}

/** x rounded to an integer by rm (x finite). */
function roundToInt(x: number, rm: number): number {
  switch (rm) {
    case RTZ:
      return Math.trunc(x);
    case RDN:
      return Math.floor(x);
    case RUP:
      return Math.ceil(x);
    case RMM: {
      const t = Math.trunc(x);
      return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
    }
    default: {
      let r = Math.round(x); // ties toward +infinity; make them even
      if (r - x === 0.5 && r % 2 !== 0) r -= 1;
      return r;
    }
  }
}

/**
 * One hart's floating-point state and the computational F/D instructions. `rl`/`rh` are the
 * hart's integer registers (low and high halves; index 32 is the x0 write sink).
 */
export class Fpu {
  /** f0..f31 as doubles and as (lo, hi) Int32 halves; the single view reads the low halves. */
  readonly f64: Float64Array;
  readonly fi: Int32Array;
  readonly f32: Float32Array;
  /** fflags, frm, FS (FP_CELL_*). */
  readonly cells: Int32Array;

  constructor(
    buffer: ArrayBufferLike,
    regsAt: number,
    cellsAt: number,
    private readonly rl: Int32Array,
    private readonly rh: Int32Array,
  ) {
    this.f64 = new Float64Array(buffer, regsAt, 32);
    this.fi = new Int32Array(buffer, regsAt, 64);
    this.f32 = new Float32Array(buffer, regsAt, 64);
    this.cells = new Int32Array(buffer, cellsAt, 3);
  }

  get fflags(): number {
    return this.cells[FP_CELL_FFLAGS]!;
  }
  set fflags(v: number) {
    this.cells[FP_CELL_FFLAGS] = v & 31;
  }
  get frm(): number {
    return this.cells[FP_CELL_FRM]!;
  }
  set frm(v: number) {
    this.cells[FP_CELL_FRM] = v & 7;
  }
  get fs(): number {
    return this.cells[FP_CELL_FS]!;
  }
  set fs(v: number) {
    this.cells[FP_CELL_FS] = v & 3;
  }

  /** Register f as a 64-bit BigInt (GDB stub, traces, tests). */
  readBits(f: number): bigint {
    return (BigInt(this.fi[2 * f + 1]! >>> 0) << 32n) | BigInt(this.fi[2 * f]! >>> 0);
  }
  writeBits(f: number, v: bigint): void {
    this.fi[2 * f] = Number(v & 0xffffffffn) | 0;
    this.fi[2 * f + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  reset(): void {
    this.fi.fill(0);
    this.cells.fill(0);
  }

  // ---- operand access ----

  /** A single operand's 32 bits (the canonical NaN when the register is not NaN-boxed). */
  private sBits(f: number): number {
    return this.fi[2 * f + 1] === -1 ? this.fi[2 * f]! : 0x7fc00000;
  }
  /** A single operand's value (NaN when not boxed; NaN payloads are not preserved here). */
  private sVal(f: number): number {
    return this.fi[2 * f + 1] === -1 ? this.f32[2 * f]! : Number.NaN;
  }
  private dBig(f: number): bigint {
    return this.readBits(f);
  }
  private sBig(f: number): bigint {
    return BigInt(this.sBits(f) >>> 0);
  }
  private setS(f: number, bits: number): void {
    this.fi[2 * f] = bits;
    this.fi[2 * f + 1] = -1;
  }
  /** Write a single result computed as a double that is exactly representable as a single. */
  private setSVal(f: number, v: number): void {
    sf32[0] = v;
    this.setS(f, si32[0]!);
  }
  private setSBig(f: number, bits: bigint): void {
    this.setS(f, Number(bits) | 0);
  }
  private setDBig(f: number, bits: bigint): void {
    this.writeBits(f, bits);
  }
  private setX(rd: number, lo: number, hi: number): void {
    this.rl[rd << 1] = lo;
    this.rh[rd << 1] = hi;
  }
  private setXBig(rd: number, v: bigint): void {
    this.setX(rd, Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0);
  }
  private xBig(r: number): bigint {
    return (BigInt(this.rh[r << 1]! >>> 0) << 32n) | BigInt(this.rl[r << 1]! >>> 0);
  }

  /** Run fp-exact's operation and fold its flags into fflags. */
  private exact<T>(v: T): T {
    this.cells[FP_CELL_FFLAGS]! |= exactFlags.value;
    exactFlags.value = 0;
    return v;
  }

  /**
   * Execute computational instruction `op` (not a load or store). imm holds rm (bits 2:0) and rs3
   * (bits 7:3). Returns false for an illegal rounding mode (reserved static rm, or dynamic with
   * frm reserved). FS has been checked by the caller; this sets it Dirty.
   */
  exec(op: number, rd: number, rs1: number, rs2: number, imm: number): boolean {
    let rm = imm & 7;
    if (rm === 7) rm = this.cells[FP_CELL_FRM]!;
    if (rm > 4 && fpUsesRm(op)) return false;
    exactFlags.value = 0;
    this.cells[FP_CELL_FS] = 3;
    const rs3 = (imm >>> 3) & 31;
    const fi = this.fi,
      f64 = this.f64;
    switch (op) {
      // ---- double arithmetic ----
      case Op.FADD_D:
      case Op.FSUB_D: {
        const a = f64[rs1]!;
        const b = op === Op.FSUB_D ? -f64[rs2]! : f64[rs2]!;
        const r = a + b;
        if (normal64(r)) {
          if (rm === RNE && (this.cells[FP_CELL_FFLAGS]! & NX) !== 0) {
            f64[rd] = r;
            return true;
          }
          const bb = r - a;
          const err = a - (r - bb) + (b - bb);
          if (err === 0 || rm === RNE) {
            if (err !== 0) this.cells[FP_CELL_FFLAGS]! |= NX;
            f64[rd] = r;
            return true;
          }
        }
        if (this.special(rd, false, a, b, r, this.snanD(rs1) || this.snanD(rs2), false)) return true;
        this.setDBig(rd, this.exact(fadd(this.dBig(rs1), this.dBig(rs2), F64, rm, op === Op.FSUB_D)));
        return true;
      }
      case Op.FMUL_D: {
        const a = f64[rs1]!,
          b = f64[rs2]!;
        const r = a * b;
        if (normal64(r)) {
          if (rm === RNE && (this.cells[FP_CELL_FFLAGS]! & NX) !== 0) {
            f64[rd] = r;
            return true;
          }
          if (safe(a) && safe(b)) {
            const err = productError(a, b, r);
            if (err === 0 || rm === RNE) {
              if (err !== 0) this.cells[FP_CELL_FFLAGS]! |= NX;
              f64[rd] = r;
              return true;
            }
          }
        }
        if (this.special(rd, false, a, b, r, this.snanD(rs1) || this.snanD(rs2), false)) return true;
        this.setDBig(rd, this.exact(fmul(this.dBig(rs1), this.dBig(rs2), F64, rm)));
        return true;
      }
      case Op.FDIV_D: {
        const a = f64[rs1]!,
          b = f64[rs2]!;
        const r = a / b;
        if (normal64(r)) {
          if (rm === RNE && (this.cells[FP_CELL_FFLAGS]! & NX) !== 0) {
            f64[rd] = r;
            return true;
          }
          if (safe(r) && safe(b)) {
            const exact = r * b === a && productError(r, b, r * b) === 0;
            if (exact || rm === RNE) {
              if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
              f64[rd] = r;
              return true;
            }
          }
        }
        if (this.special(rd, false, a, b, r, this.snanD(rs1) || this.snanD(rs2), true)) return true;
        this.setDBig(rd, this.exact(fdiv(this.dBig(rs1), this.dBig(rs2), F64, rm)));
        return true;
      }
      case Op.FSQRT_D: {
        const a = f64[rs1]!;
        const r = Math.sqrt(a);
        if (normal64(r)) {
          if (rm === RNE && (this.cells[FP_CELL_FFLAGS]! & NX) !== 0) {
            f64[rd] = r;
            return true;
          }
          if (safe(r)) {
            const exact = r * r === a && productError(r, r, r * r) === 0;
            if (exact || rm === RNE) {
              if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
              f64[rd] = r;
              return true;
            }
          }
        }
        this.setDBig(rd, this.exact(fsqrt(this.dBig(rs1), F64, rm)));
        return true;
      }
      case Op.FMADD_D:
      case Op.FMSUB_D:
      case Op.FNMSUB_D:
      case Op.FNMADD_D: {
        const negProd = op === Op.FNMSUB_D || op === Op.FNMADD_D;
        const negAdd = op === Op.FMSUB_D || op === Op.FNMADD_D;
        if (rm === RNE && (this.cells[FP_CELL_FFLAGS]! & NX) !== 0) {
          const r = fmaNearest(f64[rs1]!, negProd ? -f64[rs2]! : f64[rs2]!, negAdd ? -f64[rs3]! : f64[rs3]!);
          if (r === r) {
            f64[rd] = r;
            return true;
          }
        }
        this.setDBig(rd, this.exact(ffma(this.dBig(rs1), this.dBig(rs2), this.dBig(rs3), F64, rm, negProd, negAdd)));
        return true;
      }

      // ---- single arithmetic: exact in double, then one rounding to single (double rounding
      // is innocuous for +, -, *, /, sqrt since 53 >= 2 * 24 + 2) ----
      case Op.FADD_S:
      case Op.FSUB_S: {
        const a = this.sVal(rs1);
        const b = op === Op.FSUB_S ? -this.sVal(rs2) : this.sVal(rs2);
        const d = a + b;
        const r = Math.fround(d);
        if (normal32(r)) {
          const bb = d - a;
          const err = a - (d - bb) + (b - bb);
          const exact = err === 0 && r === d;
          if (exact || rm === RNE) {
            if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
            this.setSVal(rd, r);
            return true;
          }
        }
        if (this.special(rd, true, a, b, d, this.snanS(rs1) || this.snanS(rs2), false)) return true;
        this.setSBig(rd, this.exact(fadd(this.sBig(rs1), this.sBig(rs2), F32, rm, op === Op.FSUB_S)));
        return true;
      }
      case Op.FMUL_S: {
        const d = this.sVal(rs1) * this.sVal(rs2); // exact: 48 significant bits at most
        const r = Math.fround(d);
        if (normal32(r) && (r === d || rm === RNE)) {
          if (r !== d) this.cells[FP_CELL_FFLAGS]! |= NX;
          this.setSVal(rd, r);
          return true;
        }
        if (this.special(rd, true, this.sVal(rs1), this.sVal(rs2), d, this.snanS(rs1) || this.snanS(rs2), false))
          return true;
        this.setSBig(rd, this.exact(fmul(this.sBig(rs1), this.sBig(rs2), F32, rm)));
        return true;
      }
      case Op.FDIV_S: {
        const a = this.sVal(rs1),
          b = this.sVal(rs2);
        const r = Math.fround(a / b);
        if (normal32(r)) {
          const exact = r * b === a; // the product of two singles is exact in double
          if (exact || rm === RNE) {
            if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
            this.setSVal(rd, r);
            return true;
          }
        }
        if (this.special(rd, true, a, b, a / b, this.snanS(rs1) || this.snanS(rs2), true)) return true;
        this.setSBig(rd, this.exact(fdiv(this.sBig(rs1), this.sBig(rs2), F32, rm)));
        return true;
      }
      case Op.FSQRT_S: {
        const a = this.sVal(rs1);
        const r = Math.fround(Math.sqrt(a));
        if (normal32(r)) {
          const exact = r * r === a;
          if (exact || rm === RNE) {
            if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
            this.setSVal(rd, r);
            return true;
          }
        }
        this.setSBig(rd, this.exact(fsqrt(this.sBig(rs1), F32, rm)));
        return true;
      }
      case Op.FMADD_S:
      case Op.FMSUB_S:
      case Op.FNMSUB_S:
      case Op.FNMADD_S: {
        const negProd = op === Op.FNMSUB_S || op === Op.FNMADD_S;
        const negAdd = op === Op.FMSUB_S || op === Op.FNMADD_S;
        const p = this.sVal(rs1) * this.sVal(rs2) * (negProd ? -1 : 1); // exact
        const c = negAdd ? -this.sVal(rs3) : this.sVal(rs3);
        const s = p + c;
        const bb = s - p;
        const err = p - (s - bb) + (c - bb);
        const r = Math.fround(err === 0 ? s : roundToOdd(s, err));
        if (normal32(r)) {
          const exact = err === 0 && r === s;
          if (exact || rm === RNE) {
            if (!exact) this.cells[FP_CELL_FFLAGS]! |= NX;
            this.setSVal(rd, r);
            return true;
          }
        }
        this.setSBig(rd, this.exact(ffma(this.sBig(rs1), this.sBig(rs2), this.sBig(rs3), F32, rm, negProd, negAdd)));
        return true;
      }

      // ---- sign injection, min/max, compares, classify: on bits, no rounding ----
      case Op.FSGNJ_S:
      case Op.FSGNJN_S:
      case Op.FSGNJX_S: {
        const a = this.sBits(rs1),
          b = this.sBits(rs2);
        const s = op === Op.FSGNJ_S ? b : op === Op.FSGNJN_S ? ~b : a ^ b;
        this.setS(rd, (a & 0x7fffffff) | (s & 0x80000000));
        return true;
      }
      case Op.FSGNJ_D:
      case Op.FSGNJN_D:
      case Op.FSGNJX_D: {
        const ah = fi[2 * rs1 + 1]!,
          bh = fi[2 * rs2 + 1]!;
        const s = op === Op.FSGNJ_D ? bh : op === Op.FSGNJN_D ? ~bh : ah ^ bh;
        fi[2 * rd] = fi[2 * rs1]!;
        fi[2 * rd + 1] = (ah & 0x7fffffff) | (s & 0x80000000);
        return true;
      }
      case Op.FMIN_S:
      case Op.FMAX_S: {
        const a = this.sBits(rs1),
          b = this.sBits(rs2);
        this.setS(rd, this.minMax(op === Op.FMAX_S, a, b, 0, 0, false));
        return true;
      }
      case Op.FMIN_D:
      case Op.FMAX_D: {
        const pick = this.minMax(
          op === Op.FMAX_D,
          fi[2 * rs1 + 1]!,
          fi[2 * rs2 + 1]!,
          fi[2 * rs1]!,
          fi[2 * rs2]!,
          true,
        );
        if (pick === 1) {
          fi[2 * rd] = fi[2 * rs1]!;
          fi[2 * rd + 1] = fi[2 * rs1 + 1]!;
        } else if (pick === 2) {
          fi[2 * rd] = fi[2 * rs2]!;
          fi[2 * rd + 1] = fi[2 * rs2 + 1]!;
        } else {
          fi[2 * rd] = 0;
          fi[2 * rd + 1] = 0x7ff80000;
        }
        return true;
      }
      case Op.FEQ_S:
      case Op.FLT_S:
      case Op.FLE_S: {
        const a = this.sBits(rs1),
          b = this.sBits(rs2);
        const na = isNaN32(a),
          nb = isNaN32(b);
        let v = 0;
        if (na || nb) {
          if (op !== Op.FEQ_S || (na && isSNaN32(a)) || (nb && isSNaN32(b))) this.cells[FP_CELL_FFLAGS]! |= NV;
        } else {
          const x = this.sVal(rs1),
            y = this.sVal(rs2);
          v = (op === Op.FEQ_S ? x === y : op === Op.FLT_S ? x < y : x <= y) ? 1 : 0;
        }
        this.setX(rd, v, 0);
        return true;
      }
      case Op.FEQ_D:
      case Op.FLT_D:
      case Op.FLE_D: {
        const na = isNaN64(fi[2 * rs1 + 1]!, fi[2 * rs1]!),
          nb = isNaN64(fi[2 * rs2 + 1]!, fi[2 * rs2]!);
        let v = 0;
        if (na || nb) {
          if (op !== Op.FEQ_D || (na && isSNaN64(fi[2 * rs1 + 1]!)) || (nb && isSNaN64(fi[2 * rs2 + 1]!)))
            this.cells[FP_CELL_FFLAGS]! |= NV;
        } else {
          const x = f64[rs1]!,
            y = f64[rs2]!;
          v = (op === Op.FEQ_D ? x === y : op === Op.FLT_D ? x < y : x <= y) ? 1 : 0;
        }
        this.setX(rd, v, 0);
        return true;
      }
      case Op.FCLASS_S:
        this.setX(
          rd,
          classify(this.sBits(rs1) >>> 31, (this.sBits(rs1) >>> 23) & 0xff, 0xff, this.sBits(rs1) & 0x7fffff, 0x400000),
          0,
        );
        return true;
      case Op.FCLASS_D: {
        const h = fi[2 * rs1 + 1]!;
        const fracHi = h & 0xfffff;
        const nonzero = fracHi !== 0 || fi[2 * rs1] !== 0 ? 1 : 0;
        // The fraction's quiet bit is bit 19 of the high half; pass a stand-in that keeps it and non-zeroness.
        this.setX(rd, classify(h >>> 31, (h >>> 20) & 0x7ff, 0x7ff, (fracHi & 0x80000) | nonzero, 0x80000), 0);
        return true;
      }
      case Op.FMV_X_W: {
        const v = fi[2 * rs1]!;
        this.setX(rd, v, v >> 31);
        return true;
      }
      case Op.FMV_W_X:
        this.setS(rd, this.rl[rs1 << 1]!);
        return true;
      case Op.FMV_X_D:
        this.setX(rd, fi[2 * rs1]!, fi[2 * rs1 + 1]!);
        return true;
      case Op.FMV_D_X:
        fi[2 * rd] = this.rl[rs1 << 1]!;
        fi[2 * rd + 1] = this.rh[rs1 << 1]!;
        return true;

      // ---- conversions ----
      case Op.FCVT_W_S:
      case Op.FCVT_WU_S:
      case Op.FCVT_L_S:
      case Op.FCVT_LU_S:
      case Op.FCVT_W_D:
      case Op.FCVT_WU_D:
      case Op.FCVT_L_D:
      case Op.FCVT_LU_D:
        this.toInt(op, rd, rs1, rm);
        return true;
      case Op.FCVT_S_W:
      case Op.FCVT_S_WU:
      case Op.FCVT_S_L:
      case Op.FCVT_S_LU:
      case Op.FCVT_D_W:
      case Op.FCVT_D_WU:
      case Op.FCVT_D_L:
      case Op.FCVT_D_LU:
        this.fromInt(op, rd, rs1, rm);
        return true;
      case Op.FCVT_S_D: {
        const d = f64[rs1]!;
        const r = Math.fround(d);
        if (Math.abs(d) >= MIN_NORMAL32 && normal32(r) && (r === d || rm === RNE)) {
          if (r !== d) this.cells[FP_CELL_FFLAGS]! |= NX;
          this.setSVal(rd, r);
          return true;
        }
        this.setSBig(rd, this.exact(fcvtFloat(this.dBig(rs1), F64, F32, rm)));
        return true;
      }
      case Op.FCVT_D_S: {
        const a = this.sBits(rs1);
        if (isNaN32(a)) {
          if (isSNaN32(a)) this.cells[FP_CELL_FFLAGS]! |= NV;
          fi[2 * rd] = 0;
          fi[2 * rd + 1] = 0x7ff80000;
        } else {
          f64[rd] = this.sVal(rs1);
        }
        return true;
      }
      default:
        throw new Error(`fpu: operation ${op} is not a computational F/D instruction`);
    }
  }

  /** Register f holds a double signalling NaN. */
  private snanD(f: number): boolean {
    const h = this.fi[2 * f + 1]!;
    return isNaN64(h, this.fi[2 * f]!) && isSNaN64(h);
  }
  /** Register f holds a (boxed) single signalling NaN. */
  private snanS(f: number): boolean {
    const b = this.sBits(f);
    return isNaN32(b) && isSNaN32(b);
  }

  /**
   * +, -, *, / whose result r (computed in doubles from the operands a, b) is a NaN or an infinity
   * that IEEE gives without rounding: a NaN operand (canonical NaN; NV for a signalling one), an
   * invalid operation (inf - inf, 0 * inf, 0 / 0, inf / inf: canonical NaN, NV), an infinite
   * operand, or a finite non-zero dividend over zero (DZ). Writes the result and returns true;
   * false (overflow of finite operands: rounding-mode dependent) leaves it to fp-exact.ts. Keeps
   * programs full of NaNs and infinities off the BigInt path.
   */
  private special(rd: number, single: boolean, a: number, b: number, r: number, snan: boolean, div: boolean): boolean {
    let flags: number;
    if (r !== r) flags = a !== a || b !== b ? (snan ? NV : 0) : NV;
    else if (r !== Infinity && r !== -Infinity) return false;
    else if (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) flags = 0;
    else if (div && b === 0) flags = DZ;
    else return false;
    this.cells[FP_CELL_FFLAGS]! |= flags;
    if (r !== r) {
      if (single) this.setS(rd, 0x7fc00000);
      else {
        this.fi[2 * rd] = 0;
        this.fi[2 * rd + 1] = 0x7ff80000;
      }
    } else if (single) this.setSVal(rd, r);
    else this.f64[rd] = r;
    return true;
  }

  /**
   * fmin/fmax on bits (single: hi = the 32 bits, lo unused). Returns for singles the result bits,
   * for doubles 1 (rs1), 2 (rs2) or 0 (canonical NaN).
   */
  private minMax(max: boolean, ah: number, bh: number, al: number, bl: number, dbl: boolean): number {
    const na = dbl ? isNaN64(ah, al) : isNaN32(ah);
    const nb = dbl ? isNaN64(bh, bl) : isNaN32(bh);
    const sa = na && (dbl ? isSNaN64(ah) : isSNaN32(ah));
    const sb = nb && (dbl ? isSNaN64(bh) : isSNaN32(bh));
    if (sa || sb) this.cells[FP_CELL_FFLAGS]! |= NV;
    if (na && nb) return dbl ? 0 : 0x7fc00000;
    if (na) return dbl ? 2 : bh;
    if (nb) return dbl ? 1 : ah;
    let x: number, y: number;
    if (dbl) {
      si32[0] = al;
      si32[1] = ah;
      x = sf64[0]!;
      si32[0] = bl;
      si32[1] = bh;
      y = sf64[0]!;
    } else {
      si32[0] = ah;
      x = sf32[0]!;
      si32[0] = bh;
      y = sf32[0]!;
    }
    let firstWins: boolean;
    if (x === y)
      firstWins = max ? ah >= 0 : ah < 0; // equal values: only zeros' signs differ (-0 < +0)
    else firstWins = max ? x > y : x < y;
    if (dbl) return firstWins ? 1 : 2;
    return firstWins ? ah : bh;
  }

  private toInt(op: number, rd: number, rs1: number, rm: number): void {
    const single = op <= Op.FCVT_LU_S;
    const kind = op - (single ? Op.FCVT_W_S : Op.FCVT_W_D); // 0 w, 1 wu, 2 l, 3 lu
    const x = single ? this.sVal(rs1) : this.f64[rs1]!;
    if (x === x && Math.abs(x) !== Infinity) {
      const t = roundToInt(x, rm);
      let lo = 0,
        hi = 0,
        ok = false;
      switch (kind) {
        case 0:
          ok = t >= -2147483648 && t <= 2147483647;
          lo = t | 0;
          hi = lo >> 31;
          break;
        case 1:
          ok = t >= 0 && t <= 4294967295;
          lo = t | 0;
          hi = lo >> 31; // 32-bit results are sign-extended, unsigned ones too
          break;
        case 2:
          ok = t >= -(2 ** 63) && t < 2 ** 63;
          hi = Math.floor(t / TWO32);
          lo = (t - hi * TWO32) | 0;
          hi |= 0;
          break;
        default:
          ok = t >= 0 && t < 2 ** 64;
          hi = Math.floor(t / TWO32);
          lo = (t - hi * TWO32) | 0;
          hi |= 0;
          break;
      }
      if (ok) {
        if (t !== x) this.cells[FP_CELL_FFLAGS]! |= NX;
        this.setX(rd, lo, hi);
        return;
      }
    }
    const fmt = [I_W, I_WU, I_L, I_LU][kind]!;
    const v = this.exact(fcvtToInt(single ? this.sBig(rs1) : this.dBig(rs1), single ? F32 : F64, fmt, rm));
    this.setXBig(rd, v);
  }

  private fromInt(op: number, rd: number, rs1: number, rm: number): void {
    const single = op <= Op.FCVT_S_LU;
    const kind = op - (single ? Op.FCVT_S_W : Op.FCVT_D_W);
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    // The integer as a double when that is exact (below 2^53 in magnitude).
    let v = Number.NaN;
    if (kind === 0) v = lo;
    else if (kind === 1) v = lo >>> 0;
    else if (kind === 2 && hi >= -0x200000 && hi < 0x200000) v = hi * TWO32 + (lo >>> 0);
    else if (kind === 3 && hi >>> 0 < 0x200000) v = (hi >>> 0) * TWO32 + (lo >>> 0);
    if (v === v) {
      if (!single) {
        this.f64[rd] = v;
        return;
      }
      const r = Math.fround(v);
      if (r === v || rm === RNE) {
        if (r !== v) this.cells[FP_CELL_FFLAGS]! |= NX;
        this.setSVal(rd, r);
        return;
      }
    }
    const fmt = [I_W, I_WU, I_L, I_LU][kind]!;
    const bits = this.exact(fcvtFromInt(this.xBig(rs1), fmt, single ? F32 : F64, rm));
    if (single) this.setSBig(rd, bits);
    else this.setDBig(rd, bits);
  }
}

/** Operations whose rm field must hold a valid rounding mode (all with an rm field). */
export function fpUsesRm(op: number): boolean {
  switch (op) {
    case Op.FSGNJ_S:
    case Op.FSGNJN_S:
    case Op.FSGNJX_S:
    case Op.FSGNJ_D:
    case Op.FSGNJN_D:
    case Op.FSGNJX_D:
    case Op.FMIN_S:
    case Op.FMAX_S:
    case Op.FMIN_D:
    case Op.FMAX_D:
    case Op.FEQ_S:
    case Op.FLT_S:
    case Op.FLE_S:
    case Op.FEQ_D:
    case Op.FLT_D:
    case Op.FLE_D:
    case Op.FCLASS_S:
    case Op.FCLASS_D:
    case Op.FMV_X_W:
    case Op.FMV_W_X:
    case Op.FMV_X_D:
    case Op.FMV_D_X:
      return false;
    default:
      return true;
  }
}

function isNaN32(b: number): boolean {
  return (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
}
function isSNaN32(b: number): boolean {
  return (b & 0x400000) === 0;
}
function isNaN64(h: number, l: number): boolean {
  return (h & 0x7ff00000) === 0x7ff00000 && ((h & 0xfffff) !== 0 || l !== 0);
}
function isSNaN64(h: number): boolean {
  return (h & 0x80000) === 0;
}

/** fclass's 10-bit mask from sign, exponent field, fraction (nonzero-ness and quiet bit matter). */
function classify(sign: number, exp: number, expMax: number, frac: number, quiet: number): number {
  if (exp === expMax) {
    if (frac === 0) return sign ? 1 << 0 : 1 << 7;
    return (frac & quiet) !== 0 ? 1 << 9 : 1 << 8;
  }
  if (exp === 0) {
    if (frac === 0) return sign ? 1 << 3 : 1 << 4;
    return sign ? 1 << 2 : 1 << 5;
  }
  return sign ? 1 << 1 : 1 << 6;
}

/** s nudged one ulp toward the exact error's side when its last bit is even (round to odd). */
function roundToOdd(s: number, err: number): number {
  sf64[0] = s;
  if ((si32[0]! & 1) !== 0) return s;
  // Moving the magnitude up or down is +/- 1 on the 64-bit pattern.
  const up = err > 0 === s > 0 ? 1 : -1;
  const lo = si32[0]! + up;
  let hi = si32[1]!;
  if (up === 1 && lo === 0) hi++;
  else if (up === -1 && lo === -1) hi--;
  si32[0] = lo | 0;
  si32[1] = hi;
  return sf64[0]!;
}

/**
 * a*b + c rounded to nearest even, for the cases where the Boldo-Melquiond emulation is exact
 * (every magnitude in the safe range and a normal result); NaN when the caller must take the
 * exact path. The result's inexactness is not computed (the caller uses it only with NX set).
 */
export function fmaNearest(a: number, b: number, c: number): number {
  const ph = a * b;
  if (!safe(a) || !safe(b) || !(safe(c) || c === 0) || !normal64(ph)) return Number.NaN;
  const pl = productError(a, b, ph);
  const uh = c + ph;
  const bb = uh - c;
  const ul = c - (uh - bb) + (ph - bb);
  const v = ul + pl;
  const bv = v - ul;
  const ve = ul - (v - bv) + (pl - bv);
  const t = ve === 0 || v === 0 ? v : roundToOdd(v, ve);
  const r = uh + t;
  return normal64(r) && safe(r) ? r : Number.NaN;
}
