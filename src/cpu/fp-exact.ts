// Exact IEEE 754 binary32/binary64 arithmetic for the F and D extensions, with BigInt: every
// operation forms its exact result (or a quotient/root with a sticky bit) and rounds it once
// with roundPack. It is the slow path behind fpu.ts's fast paths and the single place that knows
// rounding, overflow and tininess. RISC-V rules (unprivileged ISA, F and D chapters): tininess is
// detected after rounding; NaN results are the canonical NaN; signalling NaN inputs raise NV.
//
// Values travel as raw bit patterns (bigint). Exception flags accumulate in `flags` (NX=1, UF=2,
// OF=4, DZ=8, NV=16) and are read and cleared by the caller.

export const NX = 1,
  UF = 2,
  OF = 4,
  DZ = 8,
  NV = 16;

export const RNE = 0,
  RTZ = 1,
  RDN = 2,
  RUP = 3,
  RMM = 4;

/** A binary interchange format: precision p (with the hidden bit), exponent range. */
export interface FpFormat {
  readonly p: number;
  readonly expBits: number;
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  readonly width: number;
  readonly canonicalNaN: bigint;
}

export const F32: FpFormat = {
  p: 24,
  expBits: 8,
  bias: 127,
  emin: -126,
  emax: 127,
  width: 32,
  canonicalNaN: 0x7fc00000n,
};
export const F64: FpFormat = {
  p: 53,
  expBits: 11,
  bias: 1023,
  emin: -1022,
  emax: 1023,
  width: 64,
  canonicalNaN: 0x7ff8000000000000n,
};

/** Flags raised since the caller last cleared them. */
export const exactFlags = { value: 0 };

const enum Kind {
  Zero,
  Finite,
  Inf,
  QNaN,
  SNaN,
}

/** A decoded operand: value = (-1)^sign * m * 2^e for Finite (m > 0). */
interface Num {
  kind: Kind;
  sign: number;
  m: bigint;
  e: number;
}

function fracBits(f: FpFormat): bigint {
  return BigInt(f.p - 1);
}

export function unpack(bits: bigint, f: FpFormat): Num {
  const fb = fracBits(f);
  const sign = Number((bits >> BigInt(f.width - 1)) & 1n);
  const ex = Number((bits >> fb) & ((1n << BigInt(f.expBits)) - 1n));
  const frac = bits & ((1n << fb) - 1n);
  const maxEx = (1 << f.expBits) - 1;
  if (ex === maxEx) {
    if (frac === 0n) return { kind: Kind.Inf, sign, m: 0n, e: 0 };
    return { kind: (frac >> (fb - 1n)) & 1n ? Kind.QNaN : Kind.SNaN, sign, m: 0n, e: 0 };
  }
  if (ex === 0) {
    if (frac === 0n) return { kind: Kind.Zero, sign, m: 0n, e: 0 };
    return { kind: Kind.Finite, sign, m: frac, e: f.emin - (f.p - 1) };
  }
  return { kind: Kind.Finite, sign, m: frac | (1n << fb), e: ex - f.bias - (f.p - 1) };
}

function isNan(n: Num): boolean {
  return n.kind === Kind.QNaN || n.kind === Kind.SNaN;
}

function signBit(f: FpFormat, sign: number): bigint {
  return sign ? 1n << BigInt(f.width - 1) : 0n;
}

function inf(f: FpFormat, sign: number): bigint {
  return signBit(f, sign) | (((1n << BigInt(f.expBits)) - 1n) << fracBits(f));
}

function maxFinite(f: FpFormat, sign: number): bigint {
  return inf(f, sign) - 1n;
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/** Round m >> drop by rm (sticky: nonzero bits below m). Returns the rounded integer and inexactness. */
function roundShift(
  m: bigint,
  drop: number,
  sticky: boolean,
  sign: number,
  rm: number,
): { q: bigint; inexact: boolean } {
  let q: bigint;
  let cmp: number; // remainder vs half an ulp: -1 below, 0 tie, 1 above (sticky counts as a tiny excess)
  let inexact: boolean;
  if (drop <= 0) {
    q = m << BigInt(-drop);
    inexact = sticky;
    cmp = -1;
  } else {
    const d = BigInt(drop);
    q = m >> d;
    const rem = m & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    inexact = rem !== 0n || sticky;
    cmp = rem > half ? 1 : rem < half ? -1 : sticky ? 1 : 0;
  }
  if (!inexact) return { q, inexact };
  let up: boolean;
  switch (rm) {
    case RNE:
      up = cmp > 0 || (cmp === 0 && (q & 1n) === 1n);
      break;
    case RTZ:
      up = false;
      break;
    case RDN:
      up = sign === 1;
      break;
    case RUP:
      up = sign === 0;
      break;
    default: // RMM
      up = cmp >= 0;
      break;
  }
  return { q: up ? q + 1n : q, inexact };
}

/**
 * Round (-1)^sign * (m + sticky) * 2^e to format f by rm; raises NX/UF/OF. m may be 0 only with
 * sticky false (exact zero: the caller chooses its sign).
 */
export function roundPack(sign: number, m: bigint, e: number, sticky: boolean, f: FpFormat, rm: number): bigint {
  if (m === 0n && !sticky) return signBit(f, sign);
  if (m === 0n) {
    // Only a sticky bit: a value far below the smallest subnormal.
    m = 1n;
    e -= 4 * f.p;
    sticky = false;
  }
  const n = bitLength(m);
  const top = e + n - 1; // exponent of the leading bit
  // Tininess after rounding: the result rounded to p bits with an unbounded exponent is below 2^emin.
  let tiny = false;
  if (top < f.emin) {
    const r = roundShift(m, n - f.p, sticky, sign, rm);
    tiny = top + (bitLength(r.q) > f.p ? 1 : 0) < f.emin;
  }
  const keep = top >= f.emin ? f.p : f.p - (f.emin - top);
  const drop = n - keep;
  const r = roundShift(m, drop, sticky, sign, rm);
  let q = r.q;
  let lsb = e + drop; // exponent of q's least significant bit
  if (bitLength(q) > f.p) {
    q >>= 1n;
    lsb += 1;
  }
  let flags = 0;
  if (r.inexact) flags |= NX;
  if (tiny && r.inexact) flags |= UF;
  const hidden = 1n << fracBits(f);
  let bits: bigint;
  if (q < hidden) {
    bits = signBit(f, sign) | q; // subnormal or zero (lsb is emin - (p - 1) here)
  } else {
    const topExp = lsb + f.p - 1;
    if (topExp > f.emax) {
      flags |= OF | NX;
      const toInf = rm === RNE || rm === RMM || (rm === RDN && sign === 1) || (rm === RUP && sign === 0);
      bits = toInf ? inf(f, sign) : maxFinite(f, sign);
    } else {
      bits = signBit(f, sign) | (BigInt(topExp + f.bias) << fracBits(f)) | (q - hidden);
    }
  }
  exactFlags.value |= flags;
  return bits;
}

/** NaN result of an operation on NaN inputs: canonical; NV if any input is signalling. */
function nanResult(f: FpFormat, ...xs: Num[]): bigint {
  if (xs.some((x) => x.kind === Kind.SNaN)) exactFlags.value |= NV;
  return f.canonicalNaN;
}

function invalid(f: FpFormat): bigint {
  exactFlags.value |= NV;
  return f.canonicalNaN;
}

/** Exact sum of two finite-or-zero values, rounded. zeroSign: sign of an exact zero result. */
function addExact(a: Num, b: Num, f: FpFormat, rm: number): bigint {
  const e = Math.min(a.kind === Kind.Zero ? Infinity : a.e, b.kind === Kind.Zero ? Infinity : b.e);
  if (e === Infinity) return signBit(f, a.sign === b.sign ? a.sign : rm === RDN ? 1 : 0);
  const va = a.kind === Kind.Zero ? 0n : (a.sign ? -a.m : a.m) << BigInt(a.e - e);
  const vb = b.kind === Kind.Zero ? 0n : (b.sign ? -b.m : b.m) << BigInt(b.e - e);
  const s = va + vb;
  if (s === 0n) return signBit(f, a.sign === b.sign ? a.sign : rm === RDN ? 1 : 0);
  return roundPack(s < 0n ? 1 : 0, s < 0n ? -s : s, e, false, f, rm);
}

export function fadd(x: bigint, y: bigint, f: FpFormat, rm: number, negateY = false): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (negateY) b.sign ^= 1;
  if (isNan(a) || isNan(b)) return nanResult(f, a, b);
  if (a.kind === Kind.Inf || b.kind === Kind.Inf) {
    if (a.kind === Kind.Inf && b.kind === Kind.Inf && a.sign !== b.sign) return invalid(f);
    return inf(f, a.kind === Kind.Inf ? a.sign : b.sign);
  }
  return addExact(a, b, f, rm);
}

export function fmul(x: bigint, y: bigint, f: FpFormat, rm: number): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (isNan(a) || isNan(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.kind === Kind.Inf || b.kind === Kind.Inf) {
    if (a.kind === Kind.Zero || b.kind === Kind.Zero) return invalid(f);
    return inf(f, sign);
  }
  if (a.kind === Kind.Zero || b.kind === Kind.Zero) return signBit(f, sign);
  return roundPack(sign, a.m * b.m, a.e + b.e, false, f, rm);
}

/** rs1*rs2 + rs3 with the product's sign flipped (negProd) and/or the addend's (negAdd). */
export function ffma(
  x: bigint,
  y: bigint,
  z: bigint,
  f: FpFormat,
  rm: number,
  negProd: boolean,
  negAdd: boolean,
): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  const c = unpack(z, f);
  const psign = a.sign ^ b.sign ^ (negProd ? 1 : 0);
  if (negAdd) c.sign ^= 1;
  // inf * 0 is invalid even when the addend is a quiet NaN.
  const infTimesZero = (a.kind === Kind.Inf && b.kind === Kind.Zero) || (a.kind === Kind.Zero && b.kind === Kind.Inf);
  if (isNan(a) || isNan(b) || isNan(c)) {
    if (infTimesZero) exactFlags.value |= NV;
    return nanResult(f, a, b, c);
  }
  if (infTimesZero) return invalid(f);
  const pInf = a.kind === Kind.Inf || b.kind === Kind.Inf;
  if (pInf || c.kind === Kind.Inf) {
    if (pInf && c.kind === Kind.Inf && psign !== c.sign) return invalid(f);
    return inf(f, pInf ? psign : c.sign);
  }
  const p: Num =
    a.kind === Kind.Zero || b.kind === Kind.Zero
      ? { kind: Kind.Zero, sign: psign, m: 0n, e: 0 }
      : { kind: Kind.Finite, sign: psign, m: a.m * b.m, e: a.e + b.e };
  return addExact(p, c, f, rm);
}

export function fdiv(x: bigint, y: bigint, f: FpFormat, rm: number): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (isNan(a) || isNan(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.kind === Kind.Inf) return b.kind === Kind.Inf ? invalid(f) : inf(f, sign);
  if (b.kind === Kind.Inf) return signBit(f, sign);
  if (b.kind === Kind.Zero) {
    if (a.kind === Kind.Zero) return invalid(f);
    exactFlags.value |= DZ;
    return inf(f, sign);
  }
  if (a.kind === Kind.Zero) return signBit(f, sign);
  // Enough quotient bits for p plus guard and round, the rest in the sticky bit.
  const k = Math.max(0, f.p + 2 + bitLength(b.m) - bitLength(a.m));
  const num = a.m << BigInt(k);
  const q = num / b.m;
  return roundPack(sign, q, a.e - b.e - k, q * b.m !== num, f, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function fsqrt(x: bigint, f: FpFormat, rm: number): bigint {
  const a = unpack(x, f);
  if (isNan(a)) return nanResult(f, a);
  if (a.kind === Kind.Zero) return signBit(f, a.sign);
  if (a.sign === 1) return invalid(f);
  if (a.kind === Kind.Inf) return inf(f, 0);
  let m = a.m;
  let e = a.e;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  // At least 2p + 4 bits under the root: p + 2 root bits, the rest decides the sticky bit.
  const extra = Math.max(0, 2 * f.p + 4 - bitLength(m));
  const shift = extra + (extra & 1);
  m <<= BigInt(shift);
  e -= shift;
  const r = isqrt(m);
  return roundPack(0, r, e / 2, r * r !== m, f, rm);
}

/** Integer conversion targets: bits and signedness. */
export interface IntFormat {
  readonly bits: 32 | 64;
  readonly signed: boolean;
}

/**
 * Float -> integer (fcvt.w/wu/l/lu): round by rm; NaN and values out of range give NV and the
 * saturated value. Returns the 64-bit register value (32-bit results sign-extended) as a BigInt
 * in 0..2^64-1.
 */
export function fcvtToInt(x: bigint, f: FpFormat, to: IntFormat, rm: number): bigint {
  const a = unpack(x, f);
  const max = to.signed ? (1n << BigInt(to.bits - 1)) - 1n : (1n << BigInt(to.bits)) - 1n;
  const min = to.signed ? -(1n << BigInt(to.bits - 1)) : 0n;
  let v: bigint;
  if (isNan(a) || (a.kind === Kind.Inf && a.sign === 0)) {
    exactFlags.value |= NV;
    v = max;
  } else if (a.kind === Kind.Inf) {
    exactFlags.value |= NV;
    v = min;
  } else if (a.kind === Kind.Zero) {
    v = 0n;
  } else {
    let mag: bigint;
    let inexact: boolean;
    if (a.e >= 0) {
      mag = a.m << BigInt(a.e);
      inexact = false;
    } else {
      const r = roundShift(a.m, -a.e, false, a.sign, rm);
      mag = r.q;
      inexact = r.inexact;
    }
    const s = a.sign ? -mag : mag;
    if (s > max || s < min) {
      exactFlags.value |= NV;
      v = a.sign ? min : max;
    } else {
      if (inexact) exactFlags.value |= NX;
      v = s;
    }
  }
  const u = BigInt.asUintN(to.bits, v);
  return to.bits === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, u)) : u;
}

/** Integer (the register value, 0..2^64-1) -> float. */
export function fcvtFromInt(v: bigint, from: IntFormat, f: FpFormat, rm: number): bigint {
  let x = BigInt.asUintN(from.bits, v);
  if (from.signed) x = BigInt.asIntN(from.bits, x);
  if (x === 0n) return 0n;
  const sign = x < 0n ? 1 : 0;
  return roundPack(sign, sign ? -x : x, 0, false, f, rm);
}

/** Float -> float of the other width. */
export function fcvtFloat(x: bigint, from: FpFormat, to: FpFormat, rm: number): bigint {
  const a = unpack(x, from);
  if (isNan(a)) return nanResult(to, a);
  if (a.kind === Kind.Inf) return inf(to, a.sign);
  if (a.kind === Kind.Zero) return signBit(to, a.sign);
  return roundPack(a.sign, a.m, a.e, false, to, rm);
}
