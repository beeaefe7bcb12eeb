// Translating F/D instructions to WebAssembly (the block translator, jit-translate.ts, calls in here
// for them). The policy mirrors fpu.ts: translated code takes the cases where WebAssembly's f32/f64
// give the exact IEEE result under round-to-nearest-even (or the rounding is explicit, as in
// conversions), the result is normal, and the inexact flag is either already set or proven by an
// error-free transformation; everything else (NaNs, infinities, subnormal or overflowing results,
// directed rounding, fclass) exits to the interpreter at that instruction (the slow exit), which
// runs fpu.ts and its exact BigInt path. Floating-point registers stay in the arena (f64 loads and
// stores at constant offsets); fflags, frm and mstatus.FS are arena cells.

import { type FunctionBuilder, type ModuleBuilder, ValType } from './wasm/module-builder.js';
import { NX } from './fp-exact.js';
import { MAX32, MAX64, MIN_NORMAL32, MIN_NORMAL64, SAFE_HI, SAFE_LO } from './fpu.js';
import { fpReadsX, fpWritesX, Op } from './isa.js';

const { i64, f64 } = ValType;

/** Module-level helper functions the FP translations call (emitted once per module). */
export interface FpHelpers {
  /** (a, b, s = a+b) -> the exact error a + b - s (Knuth's TwoSum). */
  twoSumErr: FunctionBuilder;
  /** (a, b, p = a*b) -> the exact error a*b - p, or NaN when a or b is outside the safe range. */
  prodErr: FunctionBuilder;
  /** (s, err) -> s rounded to odd given the sign of the exact remainder err. */
  roundToOdd: FunctionBuilder;
  /** (a, b, c) -> a*b + c rounded to nearest even, or NaN when the emulation does not apply. */
  fmaNearest: FunctionBuilder;
}

/** Push the exact error of the f64 local `sum` = RN(x + y) (Knuth's TwoSum); `t` is a scratch local. */
function emitTwoSumErr(f: FunctionBuilder, x: number, y: number, sum: number, t: number): void {
  f.localGet(sum).localGet(x).f64Sub().localSet(t);
  f.localGet(x).localGet(sum).localGet(t).f64Sub().f64Sub().localGet(y).localGet(t).f64Sub().f64Add();
}

/** Push "local x is in [SAFE_LO, SAFE_HI] in magnitude" (i32): Dekker's product is exact there. */
function emitSafe(f: FunctionBuilder, x: number): void {
  f.localGet(x).f64Abs().f64Const(SAFE_LO).f64Ge();
  f.localGet(x).f64Abs().f64Const(SAFE_HI).f64Le().i32And();
}

/**
 * Push the exact error a*b - p of p = RN(a*b) (Dekker, Veltkamp's split; a, b in the safe range).
 * ah, bh are scratch locals (they end holding the high halves).
 */
function emitProductError(f: FunctionBuilder, a: number, b: number, p: number, ah: number, bh: number): void {
  const splitHi = (x: number, hi: number) => {
    f.f64Const(134217729).localGet(x).f64Mul().localTee(hi).localGet(hi).localGet(x).f64Sub().f64Sub().localSet(hi);
  };
  splitHi(a, ah);
  splitHi(b, bh);
  // ((ah*bh - p) + ah*bl + al*bh) + al*bl with al = a - ah, bl = b - bh
  f.localGet(ah).localGet(bh).f64Mul().localGet(p).f64Sub();
  f.localGet(ah).localGet(b).localGet(bh).f64Sub().f64Mul().f64Add();
  f.localGet(a).localGet(ah).f64Sub().localGet(bh).f64Mul().f64Add();
  f.localGet(a).localGet(ah).f64Sub().localGet(b).localGet(bh).f64Sub().f64Mul().f64Add();
}

export function emitFpHelpers(m: ModuleBuilder): FpHelpers {
  const twoSumErr = m.function('two_sum_err', [f64, f64, f64], [f64]);
  emitTwoSumErr(twoSumErr, 0, 1, 2, twoSumErr.local(f64));
  const prodErr = m.function('prod_err', [f64, f64, f64], [f64]);
  {
    const f = prodErr;
    emitSafe(f, 0);
    emitSafe(f, 1);
    f.i32And().i32Eqz().if();
    f.f64ConstBits(0, 0x7ff80000).return();
    f.end();
    emitProductError(f, 0, 1, 2, f.local(f64), f.local(f64));
  }
  const roundToOdd = m.function('round_to_odd', [f64, f64], [f64]);
  {
    const f = roundToOdd;
    const bits = f.local(i64);
    f.localGet(0).i64ReinterpretF64().localTee(bits).i64Const(1).i64And().i64Eqz();
    f.localGet(1).f64Const(0).f64Ne().i32And();
    f.if(f64);
    // Even and inexact: step the magnitude toward the remainder's side (+-1 on the bit pattern).
    f.localGet(bits);
    f.i64Const(1).i64Const(-1);
    f.localGet(1).f64Const(0).f64Gt().localGet(0).f64Const(0).f64Gt().i32Eq();
    f.select().i64Add().f64ReinterpretI64();
    f.else();
    f.localGet(0);
    f.end();
  }
  const fmaNearest = m.function('fma_nearest', [f64, f64, f64], [f64]);
  {
    // Boldo-Melquiond, for the cases the inline accept tests leave (jit-fp.ts FMADD_D): with
    // uh + ul = c + ph and ph + pl = a*b exactly, r = RN(uh + RO(ul + pl)). NaN when a or b is
    // outside the safe range or the product is not normal (the caller then exits).
    const f = fmaNearest;
    const ph = f.local(f64),
      pl = f.local(f64),
      uh = f.local(f64),
      ul = f.local(f64),
      v = f.local(f64),
      t = f.local(f64);
    f.localGet(0).localGet(1).f64Mul().localSet(ph);
    f.localGet(ph).f64Abs().f64Const(MIN_NORMAL64).f64Gt().i32Eqz().if();
    f.f64ConstBits(0, 0x7ff80000).return();
    f.end();
    f.localGet(0).localGet(1).localGet(ph).call(prodErr).localSet(pl); // NaN when unsafe: r is NaN
    f.localGet(2).localGet(ph).f64Add().localSet(uh);
    emitTwoSumErr(f, 2, ph, uh, t);
    f.localSet(ul);
    f.localGet(ul).localGet(pl).f64Add().localSet(v);
    f.localGet(v);
    emitTwoSumErr(f, ul, pl, v, t);
    f.call(roundToOdd).localGet(uh).f64Add();
  }
  return { twoSumErr, prodErr, roundToOdd, fmaNearest };
}

/** The arena offsets FP translations use (a part of jit-translate.ts's JitLayout). */
export interface FpLayout {
  /** fflags, frm, FS: i32 cells. */
  fpCells: number;
  /** f0..f31, 8 bytes each. */
  fpRegs: number;
}

/** What the FP translation needs from the block being translated. */
export interface FpEmitContext {
  f: FunctionBuilder;
  L: FpLayout;
  h: FpHelpers;
  /** Push integer register r (x0 reads 0). */
  getX(r: number): void;
  /** Pop into integer register rd (the x0 sink drops). */
  setX(rd: number): void;
  /** Leave the block before instruction k (the interpreter runs it). */
  slowExit(k: number): void;
  /** Probe the TLB for rs1 + imm (size bytes); leaves the arena address in `addr` or slow-exits. */
  tlb(k: number, rs1: number, imm: number, size: number, write: boolean): void;
  addr: number;
  /** The local holding the hart-state base L's offsets are relative to. */
  base: number;
  /** Scratch locals. */
  d0: number;
  d1: number;
  d2: number;
  e0: number;
  e1: number;
  e2: number;
  e3: number;
  e4: number;
  e5: number;
  /** An i32 scratch. */
  t32: number;
  x0: number;
  x1: number;
  /** The f64 local holding each f register the block uses (-1: unused). */
  fl: Int32Array;
  /** fmadd.d may use f64x2.relaxed_madd: exact on this host (host-fma.ts). */
  hostFma: boolean;
  /** Set once the block has checked mstatus.FS (and marked it Dirty). */
  fsChecked: boolean;
}

/** F/D operations the translator takes (fclass is left to the interpreter: it ends the block). */
export function jitFp(op: number): boolean {
  return op >= Op.FLW && op <= Op.FCVT_D_S && op !== Op.FCLASS_S && op !== Op.FCLASS_D;
}

/** Integer registers an F/D operation reads (rs1) or writes (rd), for the block's register locals. */
export function fpIntOperands(op: number): { rs1: boolean; rd: boolean } {
  // Loads and stores read their base address; fmv.*.x and fcvt from integers read a value.
  return { rs1: (op >= Op.FLW && op <= Op.FSD) || fpReadsX(op), rd: fpWritesX(op) };
}

/** Translate F/D instruction k (jitFp(op) holds). */
export function emitFpInsn(
  c: FpEmitContext,
  k: number,
  op: number,
  rd: number,
  rs1: number,
  rs2: number,
  imm: number,
): void {
  const { f, L } = c;
  /** f register r's f64 local (loaded at block entry, stored back at exits; wasm keeps NaN bits). */
  const fr = (r: number): number => {
    const l = c.fl[r]!;
    if (l < 0) throw new Error(`jit: f${r} has no local (operand scan bug)`);
    return l;
  };
  const cells = L.fpCells;
  if (!c.fsChecked) {
    // FS Off: the interpreter raises illegal-instruction. Otherwise mark the state Dirty now
    // (precise enough: the spec allows Dirty to be set without a modification).
    f.localGet(c.base)
      .i32Load(4, cells + 8)
      .i32Eqz()
      .if();
    c.slowExit(k);
    f.end();
    f.localGet(c.base)
      .i32Const(3)
      .i32Store(4, cells + 8);
    c.fsChecked = true;
  }
  const loadD = (r: number) => f.localGet(fr(r));
  /** Push f register r's 64-bit pattern. */
  const bitsOf = (r: number) => f.localGet(fr(r)).i64ReinterpretF64();
  /** Push single operand r as f32: the canonical NaN unless NaN-boxed. */
  const loadS = (r: number) => {
    bitsOf(r);
    f.i32WrapI64().f32ReinterpretI32();
    f.f32ConstBits(0x7fc00000);
    bitsOf(r);
    f.i64Const(32).i64ShrU().i64Const(0xffffffff).i64Eq();
    f.select();
  };
  const loadSasD = (r: number) => {
    loadS(r);
    f.f64PromoteF32();
  };
  /** Store the f64 in local v to f[rd]. */
  const storeD = (v: number) => f.localGet(v).localSet(fr(rd));
  /** Store the f32 on the stack to f[rd], NaN-boxed. */
  const storeSFromStack = () => {
    f.i32ReinterpretF32().i64ExtendI32U().i64Const(-4294967296n).i64Or().f64ReinterpretI64().localSet(fr(rd));
  };
  const setNX = () => f.localGet(c.base).localGet(c.base).i32Load(4, cells).i32Const(NX).i32Or().i32Store(4, cells);
  const nxSet = () => f.localGet(c.base).i32Load(4, cells).i32Const(NX).i32And();
  /** Slow-exit unless the f64 in local v is normal and finite (strictly above the smallest normal). */
  const requireNormal = (v: number, min: number, max: number) => {
    f.localGet(v).f64Abs().f64Const(min).f64Gt();
    f.localGet(v).f64Abs().f64Const(max).f64Le().i32And().i32Eqz().if();
    c.slowExit(k);
    f.end();
  };
  const setFlag = (bit: number) =>
    f.localGet(c.base).localGet(c.base).i32Load(4, cells).i32Const(bit).i32Or().i32Store(4, cells);
  const isInf = (x: number) => f.localGet(x).f64Abs().f64Const(Number.POSITIVE_INFINITY).f64Eq();
  /** Push "x is a signalling NaN" (x an f64 local holding a double operand). */
  const isSNaN = (x: number) => {
    f.localGet(x).localGet(x).f64Ne();
    f.localGet(x).i64ReinterpretF64().i64Const(51).i64ShrU().i64Const(1).i64And().i64Eqz().i32And();
  };
  /**
   * The result r (an f64 local) of a, op, b is not normal: settle what IEEE gives without rounding,
   * else slow-exit. NaN: canonical, NV unless every NaN came from a quiet operand (doubles only:
   * a promoted single loses its signalling bit, so singles exit). Infinity from an infinite operand:
   * exact; from x / 0: DZ. Zero or subnormal: exact for +/- (sums of doubles that small are exact),
   * for * and / only when an operand makes it so (0 * x, 0 / x, x / inf). Anything else (overflow,
   * underflow) goes to the interpreter's exact path.
   */
  const settleSpecial = (
    kind: 'add' | 'mul' | 'div' | 'sqrt',
    a: number,
    b: number,
    r: number,
    snan: (operand: 0 | 1) => void,
  ) => {
    f.localGet(r).localGet(r).f64Ne().if();
    // NV when no operand is a NaN (an invalid operation) or some operand is signalling.
    f.localGet(a).localGet(a).f64Eq();
    if (kind !== 'sqrt') f.localGet(b).localGet(b).f64Eq().i32And();
    snan(0);
    if (kind !== 'sqrt') {
      snan(1);
      f.i32Or();
    }
    f.i32Or().if();
    setFlag(16);
    f.end();
    f.f64ConstBits(0, 0x7ff80000).localSet(r); // canonical (a single's demotes to 0x7fc00000)
    f.else();
    isInf(r).if();
    // Infinite: exact when an operand is infinite; x / 0 (x finite, non-zero) raises DZ.
    isInf(a);
    if (kind !== 'sqrt') {
      isInf(b);
      f.i32Or();
    }
    f.i32Eqz().if();
    if (kind === 'div') {
      f.localGet(b).f64Const(0).f64Eq().if();
      setFlag(8);
      f.else();
      c.slowExit(k);
      f.end();
    } else c.slowExit(k);
    f.end();
    f.else();
    // Zero or subnormal.
    if (kind === 'mul' || kind === 'div') {
      f.localGet(a).f64Const(0).f64Eq();
      if (kind === 'mul') f.localGet(b).f64Const(0).f64Eq();
      else isInf(b);
      f.i32Or().i32Eqz().if();
      c.slowExit(k);
      f.end();
    } else if (kind === 'sqrt') {
      f.localGet(r).f64Const(0).f64Ne().if(); // the root of a subnormal is normal; only 0 lands here
      c.slowExit(k);
      f.end();
    }
    f.end();
    f.end();
  };
  /**
   * The effective rounding mode when translated code may use it: 0 (RNE) for static rne and for
   * dyn (with a run-time check that frm is RNE, else slow exit); the static mode for 1..4.
   */
  const rm = (): number => {
    const m = imm & 7;
    if (m === 7) {
      f.localGet(c.base)
        .i32Load(4, cells + 4)
        .if();
      c.slowExit(k);
      f.end();
      return 0;
    }
    return m;
  };
  /** Slow-exit when inexact and the rounding is not RNE; set NX when inexact. `inexact` pushes an i32. */
  const flagInexact = (mode: number, inexact: () => void) => {
    inexact();
    f.if();
    if (mode !== 0) c.slowExit(k);
    else setNX();
    f.end();
  };
  const { d0, d1, d2 } = c;

  switch (op) {
    // ---- loads and stores ----
    case Op.FLD:
      c.tlb(k, rs1, imm, 8, false);
      f.localGet(c.addr).f64Load(1, 0).localSet(fr(rd));
      return;
    case Op.FLW:
      c.tlb(k, rs1, imm, 4, false);
      f.localGet(c.addr).i64Load32U(1, 0).i64Const(-4294967296n).i64Or().f64ReinterpretI64().localSet(fr(rd));
      return;
    case Op.FSD:
      c.tlb(k, rs1, imm, 8, true);
      f.localGet(c.addr).localGet(fr(rs2)).f64Store(1, 0);
      return;
    case Op.FSW:
      c.tlb(k, rs1, imm, 4, true);
      f.localGet(c.addr);
      bitsOf(rs2);
      f.i64Store32(1, 0);
      return;

    // ---- double arithmetic ----
    case Op.FADD_D:
    case Op.FSUB_D:
    case Op.FMUL_D:
    case Op.FDIV_D:
    case Op.FSQRT_D: {
      const mode = rm();
      if (mode !== 0) {
        c.slowExit(k); // directed rounding of arithmetic: the interpreter's exact path
        return;
      }
      loadD(rs1).localSet(d0);
      if (op !== Op.FSQRT_D) loadD(rs2).localSet(d1);
      f.localGet(d0);
      if (op === Op.FSQRT_D) f.f64Sqrt();
      else {
        f.localGet(d1);
        if (op === Op.FADD_D) f.f64Add();
        else if (op === Op.FSUB_D) f.f64Sub();
        else if (op === Op.FMUL_D) f.f64Mul();
        else f.f64Div();
      }
      f.localSet(d2);
      f.localGet(d2).f64Abs().f64Const(MIN_NORMAL64).f64Gt();
      f.localGet(d2).f64Abs().f64Const(MAX64).f64Le().i32And().if();
      // Inexactness matters only while NX is clear.
      nxSet();
      f.i32Eqz().if();
      if (op === Op.FADD_D || op === Op.FSUB_D) {
        f.localGet(d0).localGet(d1);
        if (op === Op.FSUB_D) f.f64Neg();
        f.localGet(d2).call(c.h.twoSumErr).localSet(d1);
      } else if (op === Op.FMUL_D) {
        f.localGet(d0).localGet(d1).localGet(d2).call(c.h.prodErr).localSet(d1);
      } else {
        // div: q exact iff q*b == a with no error; sqrt: r exact iff r*r == a with no error.
        const b = op === Op.FDIV_D ? d1 : d2;
        f.localGet(d2).localGet(b).localGet(d2).localGet(b).f64Mul().call(c.h.prodErr);
        f.localGet(d2).localGet(b).f64Mul().localGet(d0).f64Sub().f64Add().localSet(d1);
      }
      f.localGet(d1).localGet(d1).f64Ne().if(); // NaN: outside the safe range
      c.slowExit(k);
      f.end();
      f.localGet(d1).f64Const(0).f64Ne().if();
      setNX();
      f.end();
      f.end();
      f.else();
      if (op === Op.FSUB_D) f.localGet(d1).f64Neg().localSet(d1); // settle a + (-b)
      settleSpecial(
        op === Op.FADD_D || op === Op.FSUB_D ? 'add' : op === Op.FMUL_D ? 'mul' : op === Op.FDIV_D ? 'div' : 'sqrt',
        d0,
        d1,
        d2,
        (i) => isSNaN(i === 0 ? d0 : d1),
      );
      f.end();
      storeD(d2);
      return;
    }
    case Op.FMADD_D:
    case Op.FMSUB_D:
    case Op.FNMSUB_D:
    case Op.FNMADD_D: {
      const mode = rm();
      if (mode !== 0) {
        c.slowExit(k);
        return;
      }
      // Only with NX already set: the emulation does not tell exactness.
      nxSet();
      f.i32Eqz().if();
      c.slowExit(k);
      f.end();
      const negProd = op === Op.FNMSUB_D || op === Op.FNMADD_D;
      const negAdd = op === Op.FMSUB_D || op === Op.FNMADD_D;
      if (c.hostFma) {
        // The host's fused multiply-add, probed exact at startup (host-fma.ts): one rounding.
        loadD(rs1).f64x2Splat();
        loadD(rs2);
        if (negProd) f.f64Neg();
        f.f64x2Splat();
        loadD((imm >>> 3) & 31);
        if (negAdd) f.f64Neg();
        f.f64x2Splat().f64x2RelaxedMadd().f64x2ExtractLane(0).localSet(d2);
        requireNormal(d2, MIN_NORMAL64, MAX64);
        storeD(d2);
        return;
      }
      // Inline (a call would spill the block's register locals). ph + pl = a*b exactly (Dekker,
      // for a and b in the safe range) and uh + ul = c + ph exactly (TwoSum), so the exact value
      // is uh + ul + pl. Two accept tests, each a branch that mostly goes one way:
      //  1. v = RN(ul + pl) clear of half an ulp of uh (uh not a power of two): RN(a*b + c) = uh,
      //     ready one add after c, so a chain of fmadds (a dot product) waits on that add only;
      //  2. else r = RN(uh + v), with uh + v = r + er and ul + pl = v + ev exactly: RN = r when
      //     |er| + |ev| stays clear of half an ulp of r;
      // otherwise fma_nearest (Boldo-Melquiond: round to odd) decides.
      loadD(rs1).localSet(d0);
      loadD(rs2);
      if (negProd) f.f64Neg();
      f.localSet(d1);
      loadD((imm >>> 3) & 31);
      if (negAdd) f.f64Neg();
      f.localSet(d2);
      const { e0, e1, e2, e3, e4, e5 } = c;
      /** Push "x is clear of half an ulp of s (s normal, not a power of two)" for the f64 on the stack = x. */
      const clearOfHalfUlp = (sum: number) => {
        f.localGet(sum).i64ReinterpretF64().localSet(c.x1);
        f.localGet(c.x1)
          .i64Const(0x7ff0000000000000n)
          .i64And()
          .i64Const(53n << 52n)
          .i64Sub(); // half an ulp
        f.f64ReinterpretI64()
          .f64Const(1 - 2 ** -20)
          .f64Mul()
          .f64Lt();
        f.localGet(c.x1).i64Const(0xfffffffffffffn).i64And().i64Const(0).i64Ne().i32And(); // not a power of two
        f.localGet(c.x1).i64Const(52).i64ShrU().i64Const(0x7ff).i64And().i64Const(54).i64GtU().i32And();
      };
      f.localGet(d0).localGet(d1).f64Mul().localSet(e0); // ph
      f.localGet(d2).localGet(e0).f64Add().localSet(e1); // uh = c + ph
      emitTwoSumErr(f, d2, e0, e1, e2);
      f.localSet(e2); // ul
      emitProductError(f, d0, d1, e0, e3, e4);
      f.localSet(e3); // pl
      f.localGet(e2).localGet(e3).f64Add().localSet(e4); // v = RN(ul + pl)
      // The emulation's domain: a and b safe, the product normal.
      emitSafe(f, d0);
      emitSafe(f, d1);
      f.i32And();
      f.localGet(e0).f64Abs().f64Const(MIN_NORMAL64).f64Gt().i32And();
      f.localTee(c.t32);
      f.localGet(e4).f64Abs();
      clearOfHalfUlp(e1);
      f.i32And();
      f.if(ValType.f64);
      f.localGet(e1);
      f.else();
      f.localGet(e1).localGet(e4).f64Add().localSet(e5); // r = RN(uh + v)
      emitTwoSumErr(f, e1, e4, e5, e0); // er
      f.f64Abs();
      emitTwoSumErr(f, e2, e3, e4, e0); // ev
      f.f64Abs().f64Add();
      clearOfHalfUlp(e5);
      f.localGet(c.t32).i32And();
      f.if(ValType.f64);
      f.localGet(e5);
      f.else();
      f.localGet(d0).localGet(d1).localGet(d2).call(c.h.fmaNearest);
      f.end();
      f.end();
      f.localSet(d2);
      requireNormal(d2, MIN_NORMAL64, MAX64);
      storeD(d2);
      return;
    }

    // ---- single arithmetic: computed in double (exact, or innocuous double rounding) ----
    case Op.FADD_S:
    case Op.FSUB_S:
    case Op.FMUL_S:
    case Op.FDIV_S:
    case Op.FSQRT_S: {
      const mode = rm();
      if (mode !== 0) {
        c.slowExit(k);
        return;
      }
      loadSasD(rs1);
      f.localSet(d0);
      if (op !== Op.FSQRT_S) {
        loadSasD(rs2);
        if (op === Op.FSUB_S) f.f64Neg();
        f.localSet(d1);
      }
      f.localGet(d0);
      if (op === Op.FSQRT_S) f.f64Sqrt();
      else {
        f.localGet(d1);
        if (op === Op.FADD_S || op === Op.FSUB_S) f.f64Add();
        else if (op === Op.FMUL_S) f.f64Mul();
        else f.f64Div();
      }
      f.localSet(d2); // the double result
      f.localGet(d2).f32DemoteF64().f64PromoteF32().localSet(d2); // rounded to single, as f64
      f.localGet(d2).f64Abs().f64Const(MIN_NORMAL32).f64Gt();
      f.localGet(d2).f64Abs().f64Const(MAX32).f64Le().i32And().if();
      nxSet();
      f.i32Eqz().if();
      flagInexact(0, () => {
        // Exact iff the double computation was exact and the single rounding changed nothing.
        if (op === Op.FADD_S || op === Op.FSUB_S) {
          f.localGet(d0).localGet(d1).localGet(d0).localGet(d1).f64Add().call(c.h.twoSumErr).f64Const(0).f64Ne();
          f.localGet(d0).localGet(d1).f64Add().localGet(d2).f64Ne().i32Or();
        } else if (op === Op.FMUL_S) {
          f.localGet(d0).localGet(d1).f64Mul().localGet(d2).f64Ne();
        } else if (op === Op.FDIV_S) {
          f.localGet(d2).localGet(d1).f64Mul().localGet(d0).f64Ne();
        } else {
          f.localGet(d2).localGet(d2).f64Mul().localGet(d0).f64Ne();
        }
      });
      f.end();
      f.else();
      // A single signalling NaN is told by the register's bits (promotion quiets it).
      const sNaNReg = (reg: number) => {
        bitsOf(reg);
        f.localSet(c.x1);
        f.localGet(c.x1).i64Const(32).i64ShrU().i64Const(0xffffffff).i64Eq();
        f.localGet(c.x1).i64Const(0x7fffffff).i64And().i64Const(0x7f800000).i64GtU().i32And();
        f.localGet(c.x1).i64Const(0x400000).i64And().i64Eqz().i32And();
      };
      settleSpecial(
        op === Op.FADD_S || op === Op.FSUB_S ? 'add' : op === Op.FMUL_S ? 'mul' : op === Op.FDIV_S ? 'div' : 'sqrt',
        d0,
        d1,
        d2,
        (i) => sNaNReg(i === 0 ? rs1 : rs2),
      );
      f.end();
      f.localGet(d2).f32DemoteF64();
      storeSFromStack();
      return;
    }
    case Op.FMADD_S:
    case Op.FMSUB_S:
    case Op.FNMSUB_S:
    case Op.FNMADD_S: {
      const mode = rm();
      if (mode !== 0) {
        c.slowExit(k);
        return;
      }
      const negProd = op === Op.FNMSUB_S || op === Op.FNMADD_S;
      const negAdd = op === Op.FMSUB_S || op === Op.FNMADD_S;
      // p = a*b exactly in double; s = p + c with its error; round s to odd, then to single once.
      loadSasD(rs1);
      loadSasD(rs2);
      f.f64Mul();
      if (negProd) f.f64Neg();
      f.localSet(d0);
      loadSasD((imm >>> 3) & 31);
      if (negAdd) f.f64Neg();
      f.localSet(d1);
      f.localGet(d0).localGet(d1).localGet(d0).localGet(d1).f64Add().call(c.h.twoSumErr).localSet(d2); // err
      f.localGet(d0).localGet(d1).f64Add().localGet(d2).call(c.h.roundToOdd).localSet(d0); // s rounded to odd
      f.localGet(d0).f32DemoteF64().f64PromoteF32().localSet(d1); // the single result, as f64
      requireNormal(d1, MIN_NORMAL32, MAX32);
      nxSet();
      f.i32Eqz().if();
      flagInexact(0, () => {
        f.localGet(d2).f64Const(0).f64Ne();
        f.localGet(d1).localGet(d0).f64Ne().i32Or();
      });
      f.end();
      f.localGet(d1).f32DemoteF64();
      storeSFromStack();
      return;
    }

    // ---- sign injection, min/max, compares (NaNs go to the interpreter) ----
    case Op.FSGNJ_D:
    case Op.FSGNJN_D:
    case Op.FSGNJX_D: {
      const SIGN = -9223372036854775808n;
      bitsOf(rs1);
      f.i64Const(~SIGN).i64And();
      if (op === Op.FSGNJX_D) bitsOf(rs1);
      bitsOf(rs2);
      if (op === Op.FSGNJN_D) f.i64Const(-1).i64Xor();
      if (op === Op.FSGNJX_D) f.i64Xor();
      f.i64Const(SIGN).i64And().i64Or().f64ReinterpretI64().localSet(fr(rd));
      return;
    }
    case Op.FSGNJ_S:
    case Op.FSGNJN_S:
    case Op.FSGNJX_S: {
      // On the singles' bits (the canonical NaN's for unboxed operands), boxed on the way out.
      const sBits = (r: number) => {
        bitsOf(r);
        f.i32WrapI64().i32Const(0x7fc00000);
        bitsOf(r);
        f.i64Const(32).i64ShrU().i64Const(0xffffffff).i64Eq().select();
      };

      sBits(rs1);
      f.i32Const(0x7fffffff).i32And();
      if (op === Op.FSGNJX_S) sBits(rs1);
      sBits(rs2);
      if (op === Op.FSGNJN_S) f.i32Const(-1).i32Xor();
      if (op === Op.FSGNJX_S) f.i32Xor();
      f.i32Const(0x80000000).i32And().i32Or();
      f.i64ExtendI32U().i64Const(-4294967296n).i64Or().f64ReinterpretI64().localSet(fr(rd));
      return;
    }
    case Op.FMIN_D:
    case Op.FMAX_D:
    case Op.FEQ_D:
    case Op.FLT_D:
    case Op.FLE_D: {
      loadD(rs1).localSet(d0);
      loadD(rs2).localSet(d1);
      f.localGet(d0).localGet(d0).f64Ne().localGet(d1).localGet(d1).f64Ne().i32Or().if();
      c.slowExit(k);
      f.end();
      if (op === Op.FMIN_D || op === Op.FMAX_D) {
        // Without NaNs wasm's min/max are RISC-V's (-0 < +0) and return an operand's exact bits.
        f.localGet(d0).localGet(d1);
        if (op === Op.FMIN_D) f.f64Min();
        else f.f64Max();
        f.localSet(d2);
        storeD(d2);
        return;
      }
      f.localGet(d0).localGet(d1);
      if (op === Op.FEQ_D) f.f64Eq();
      else if (op === Op.FLT_D) f.f64Lt();
      else f.f64Le();
      f.i64ExtendI32U();
      c.setX(rd);
      return;
    }
    case Op.FMIN_S:
    case Op.FMAX_S:
    case Op.FEQ_S:
    case Op.FLT_S:
    case Op.FLE_S: {
      loadSasD(rs1);
      f.localSet(d0);
      loadSasD(rs2);
      f.localSet(d1);
      f.localGet(d0).localGet(d0).f64Ne().localGet(d1).localGet(d1).f64Ne().i32Or().if();
      c.slowExit(k);
      f.end();
      if (op === Op.FMIN_S || op === Op.FMAX_S) {
        f.localGet(d0).localGet(d1);
        if (op === Op.FMIN_S) f.f64Min();
        else f.f64Max();
        f.f32DemoteF64(); // exact: both were singles
        storeSFromStack();
        return;
      }
      f.localGet(d0).localGet(d1);
      if (op === Op.FEQ_S) f.f64Eq();
      else if (op === Op.FLT_S) f.f64Lt();
      else f.f64Le();
      f.i64ExtendI32U();
      c.setX(rd);
      return;
    }

    // ---- moves ----
    case Op.FMV_X_D:
      bitsOf(rs1);
      c.setX(rd);
      return;
    case Op.FMV_X_W:
      bitsOf(rs1);
      f.i32WrapI64().i64ExtendI32S();
      c.setX(rd);
      return;
    case Op.FMV_D_X:
      c.getX(rs1);
      f.f64ReinterpretI64().localSet(fr(rd));
      return;
    case Op.FMV_W_X:
      c.getX(rs1);
      f.i64Const(0xffffffff).i64And().i64Const(-4294967296n).i64Or().f64ReinterpretI64().localSet(fr(rd));
      return;

    // ---- float -> integer: the rounding is explicit (nearest/trunc/floor/ceil), so every static
    // mode but RMM is translated; out of range and NaN go to the interpreter (NV, saturation) ----
    case Op.FCVT_W_S:
    case Op.FCVT_WU_S:
    case Op.FCVT_L_S:
    case Op.FCVT_LU_S:
    case Op.FCVT_W_D:
    case Op.FCVT_WU_D:
    case Op.FCVT_L_D:
    case Op.FCVT_LU_D: {
      const mode = rm();
      if (mode === 4) {
        c.slowExit(k);
        return;
      }
      const single = op <= Op.FCVT_LU_S;
      const kind = op - (single ? Op.FCVT_W_S : Op.FCVT_W_D); // 0 w, 1 wu, 2 l, 3 lu
      if (single) loadSasD(rs1);
      else loadD(rs1);
      f.localTee(d0);
      if (mode === 0) f.f64Nearest();
      else if (mode === 1) f.f64Trunc();
      else if (mode === 2) f.f64Floor();
      else f.f64Ceil();
      f.localSet(d1);
      const [lo, hi, hiInclusive] = [
        [-2147483648, 2147483647, true],
        [0, 4294967295, true],
        [-(2 ** 63), 2 ** 63, false],
        [0, 2 ** 64, false],
      ][kind] as [number, number, boolean];
      f.localGet(d1).f64Const(lo).f64Ge();
      f.localGet(d1).f64Const(hi);
      if (hiInclusive) f.f64Le();
      else f.f64Lt();
      f.i32And().i32Eqz().if();
      c.slowExit(k);
      f.end();
      f.localGet(d1).localGet(d0).f64Ne().if();
      setNX();
      f.end();
      f.localGet(d1);
      if (kind === 0 || kind === 2) f.i64TruncF64S();
      else f.i64TruncF64U();
      if (kind === 1) f.i64Extend32S(); // 32-bit results are sign-extended, unsigned ones too
      c.setX(rd);
      return;
    }

    // ---- integer -> float ----
    case Op.FCVT_D_W:
    case Op.FCVT_D_WU:
      rm(); // exact, but a reserved dynamic rm still traps (in the interpreter)
      c.getX(rs1);
      f.i32WrapI64();
      if (op === Op.FCVT_D_W) f.f64ConvertI32S();
      else f.f64ConvertI32U();
      f.localSet(fr(rd));
      return;
    case Op.FCVT_D_L:
    case Op.FCVT_D_LU:
    case Op.FCVT_S_W:
    case Op.FCVT_S_WU:
    case Op.FCVT_S_L:
    case Op.FCVT_S_LU: {
      const mode = rm();
      const single = op <= Op.FCVT_S_LU;
      const kind = op - (single ? Op.FCVT_S_W : Op.FCVT_D_W);
      const signed = kind === 0 || kind === 2;
      // v: the integer as i64 (32-bit sources extended by their signedness).
      c.getX(rs1);
      if (kind === 0) f.i32WrapI64().i64ExtendI32S();
      else if (kind === 1) f.i64Const(0xffffffff).i64And();
      f.localSet(c.x0);
      // Inexact iff |v| has more significant bits than the format's precision.
      flagInexact(mode, () => {
        if (signed) {
          f.i64Const(0).localGet(c.x0).i64Sub().localGet(c.x0).localGet(c.x0).i64Const(0).i64LtS().select();
        } else f.localGet(c.x0);
        f.localSet(c.x1);
        f.i64Const(64).localGet(c.x1).i64Clz().i64Sub().localGet(c.x1).i64Ctz().i64Sub();
        f.i64Const(single ? 24 : 53).i64GtS();
      });
      if (single) {
        f.localGet(c.x0);
        if (signed) f.f32ConvertI64S();
        else f.f32ConvertI64U();
        storeSFromStack();
      } else {
        f.localGet(c.x0);
        if (signed) f.f64ConvertI64S();
        else f.f64ConvertI64U();
        f.localSet(fr(rd));
      }
      return;
    }

    // ---- float -> float ----
    case Op.FCVT_S_D: {
      const mode = rm();
      loadD(rs1).localSet(d0);
      f.localGet(d0).f32DemoteF64().f64PromoteF32().localSet(d1);
      // Not tiny (the value before rounding is at least the smallest normal) and no overflow.
      f.localGet(d0).f64Abs().f64Const(MIN_NORMAL32).f64Ge();
      f.localGet(d1).f64Abs().f64Const(MAX32).f64Le().i32And().i32Eqz().if();
      c.slowExit(k);
      f.end();
      flagInexact(mode, () => {
        f.localGet(d1).localGet(d0).f64Ne();
      });
      f.localGet(d1).f32DemoteF64();
      storeSFromStack();
      return;
    }
    case Op.FCVT_D_S:
      rm(); // a reserved dynamic rm still traps (in the interpreter)
      loadSasD(rs1);
      f.localTee(d0).localGet(d0).f64Ne().if(); // NaN: canonical result, NV for a signalling one
      c.slowExit(k);
      f.end();
      storeD(d0);
      return;
    default:
      throw new Error(`jit: F/D operation ${op} cannot be translated (scan bug)`);
  }
}
