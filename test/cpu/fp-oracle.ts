// Reference semantics ("oracle") for the computational instructions of the RISC-V F and D
// extensions, written from the unprivileged ISA (F and D chapters, version 2.2 and later) and IEEE
// 754-2008, independently of src/cpu. Tests compare the emulator's FPU against it.
//
// Method: every finite operand decodes to an exact value (-1)^sign * mant * 2^exp held in BigInt.
// The operation is carried out exactly (sums and products as integers, quotients as num/den, square
// roots as an integer square root plus a sticky bit), and one routine, roundToFormat, rounds the
// exact value to binary32 or binary64 under the requested mode and derives the exception flags.
// Special operands (NaN, infinity, zero) are handled before any arithmetic, one rule at a time.
// Speed is secondary to being obviously right; BigInts stay below a few thousand bits.

/** fflags bits: invalid, divide by zero, overflow, underflow, inexact. */
export const NV = 16;
export const DZ = 8;
export const OF = 4;
export const UF = 2;
export const NX = 1;

export interface FpResult {
  bits: bigint;
  flags: number;
}

/** Rounding modes as encoded in the rm field and frm. */
const RNE = 0; // to nearest, ties to even
const RTZ = 1; // toward zero
const RDN = 2; // toward -infinity
const RUP = 3; // toward +infinity
const RMM = 4; // to nearest, ties away from zero

// ---------------------------------------------------------------------------------------------
// Formats and decoding
// ---------------------------------------------------------------------------------------------

interface Format {
  /** Storage width in bits. */
  readonly width: number;
  /** Significand bits including the implicit leading bit. */
  readonly precision: number;
  readonly bias: number;
  /** Exponent of the smallest normal number. */
  readonly emin: number;
  /** Exponent of the largest finite number. */
  readonly emax: number;
  /** RISC-V's canonical NaN: positive, quiet, zero payload. */
  readonly canonicalNaN: bigint;
}

const SINGLE: Format = { width: 32, precision: 24, bias: 127, emin: -126, emax: 127, canonicalNaN: 0x7fc00000n };
const DOUBLE: Format = {
  width: 64,
  precision: 53,
  bias: 1023,
  emin: -1022,
  emax: 1023,
  canonicalNaN: 0x7ff8000000000000n,
};

const fractionBits = (fmt: Format): number => fmt.precision - 1;
const signMask = (fmt: Format): bigint => 1n << BigInt(fmt.width - 1);
const fractionMask = (fmt: Format): bigint => (1n << BigInt(fractionBits(fmt))) - 1n;
/** The all-ones exponent field that marks infinities and NaNs. */
const specialExponent = (fmt: Format): number => 2 * fmt.emax + 1;
/** Exponent of one unit in the last place of a subnormal (and of the smallest normal). */
const subnormalQuantum = (fmt: Format): number => fmt.emin - fractionBits(fmt);

/**
 * A decoded operand. Finite values (zeros and subnormals included) are exact:
 * (-1)^sign * mant * 2^exp; a zero has mant 0 and keeps its sign.
 */
type Value =
  | { readonly kind: 'finite'; readonly sign: number; readonly mant: bigint; readonly exp: number }
  | { readonly kind: 'inf'; readonly sign: number }
  | { readonly kind: 'nan'; readonly sign: number; readonly signalling: boolean };

type Finite = Extract<Value, { kind: 'finite' }>;

function decode(bits: bigint, fmt: Format): Value {
  const sign = Number(bits >> BigInt(fmt.width - 1)) & 1;
  const field = Number((bits >> BigInt(fractionBits(fmt))) & BigInt(specialExponent(fmt)));
  const fraction = bits & fractionMask(fmt);
  if (field === specialExponent(fmt)) {
    if (fraction === 0n) return { kind: 'inf', sign };
    // The quiet bit is the most significant fraction bit (IEEE 754-2008 6.2.1).
    const quietBit = 1n << BigInt(fractionBits(fmt) - 1);
    return { kind: 'nan', sign, signalling: (fraction & quietBit) === 0n };
  }
  if (field === 0) return { kind: 'finite', sign, mant: fraction, exp: subnormalQuantum(fmt) };
  const hidden = 1n << BigInt(fractionBits(fmt));
  return { kind: 'finite', sign, mant: hidden | fraction, exp: field - fmt.bias - fractionBits(fmt) };
}

const isZero = (v: Value): boolean => v.kind === 'finite' && v.mant === 0n;
const isSignallingNaN = (v: Value): boolean => v.kind === 'nan' && v.signalling;
const negate = (v: Value): Value => ({ ...v, sign: v.sign ^ 1 });

// ---------------------------------------------------------------------------------------------
// Encoding results
// ---------------------------------------------------------------------------------------------

const zeroBits = (sign: number, fmt: Format): bigint => (sign ? signMask(fmt) : 0n);
const infinityBits = (sign: number, fmt: Format): bigint =>
  zeroBits(sign, fmt) | (BigInt(specialExponent(fmt)) << BigInt(fractionBits(fmt)));
/** The largest finite magnitude: exponent field one below all-ones, fraction all ones. */
const maxFiniteBits = (sign: number, fmt: Format): bigint => infinityBits(sign, fmt) - 1n;

const exact = (bits: bigint): FpResult => ({ bits, flags: 0 });
/** Any NaN result is the canonical NaN (no payload propagation); NV only if an input signals. */
function nanResult(fmt: Format, ...inputs: Value[]): FpResult {
  return { bits: fmt.canonicalNaN, flags: inputs.some(isSignallingNaN) ? NV : 0 };
}
const invalid = (fmt: Format): FpResult => ({ bits: fmt.canonicalNaN, flags: NV });

/**
 * Packs sig * 2^quantum, already rounded: either a normal significand of exactly `precision` bits
 * or a subnormal one (fewer bits, quantum at the subnormal quantum). A carry out of rounding
 * (sig = 2^precision) is renormalised first; it is exact because sig is then even.
 */
function encodeFinite(sign: number, sig: bigint, quantum: number, fmt: Format): bigint {
  const p = BigInt(fmt.precision);
  if (sig === 1n << p) {
    sig >>= 1n;
    quantum += 1;
  }
  const hidden = 1n << (p - 1n);
  if (sig >= hidden) {
    const field = quantum + fractionBits(fmt) + fmt.bias;
    if (field < 1 || field >= specialExponent(fmt)) throw new Error(`fp-oracle: exponent field ${field} out of range`);
    return zeroBits(sign, fmt) | (BigInt(field) << (p - 1n)) | (sig - hidden);
  }
  if (quantum !== subnormalQuantum(fmt)) throw new Error('fp-oracle: unnormalised significand');
  return zeroBits(sign, fmt) | sig;
}

// ---------------------------------------------------------------------------------------------
// Correct rounding
// ---------------------------------------------------------------------------------------------

function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0]!, 16)));
}

/** floor(log2(num / den)) for positive num and den. */
function floorLog2(num: bigint, den: bigint): number {
  // num/den lies in (2^(e-1), 2^(e+1)); one comparison decides which half.
  const e = bitLength(num) - bitLength(den);
  const atLeast = e >= 0 ? num >= den << BigInt(e) : num << BigInt(-e) >= den;
  return atLeast ? e : e - 1;
}

/** Whether the magnitude moves up to the next integer, given what was cut off below it. */
function roundsUp(sign: number, odd: boolean, halfCompare: number, rm: number): boolean {
  // halfCompare: -1, 0, 1 as the discarded fraction is below, exactly at or above one half.
  switch (rm) {
    case RNE:
      return halfCompare > 0 || (halfCompare === 0 && odd);
    case RTZ:
      return false;
    case RDN:
      return sign === 1;
    case RUP:
      return sign === 0;
    case RMM:
      return halfCompare >= 0;
    default:
      throw new Error(`fp-oracle: rounding mode ${rm} is not 0..4`);
  }
}

/**
 * Rounds the magnitude (num / den) * 2^shift to an integer under rm, for a value of the given
 * sign (directed modes depend on it). Inexact is whether anything was discarded.
 */
function roundToInteger(
  sign: number,
  num: bigint,
  den: bigint,
  shift: number,
  rm: number,
): { value: bigint; inexact: boolean } {
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  const q = n / d;
  const rem = n % d;
  if (rem === 0n) return { value: q, inexact: false };
  const twice = 2n * rem;
  const halfCompare = twice < d ? -1 : twice === d ? 0 : 1;
  return { value: roundsUp(sign, (q & 1n) === 1n, halfCompare, rm) ? q + 1n : q, inexact: true };
}

/** What an overflowing result becomes: infinity when the mode rounds away from zero for this sign. */
function overflow(sign: number, fmt: Format, rm: number): FpResult {
  const toInfinity = rm === RNE || rm === RMM || (rm === RUP && sign === 0) || (rm === RDN && sign === 1);
  return { bits: toInfinity ? infinityBits(sign, fmt) : maxFiniteBits(sign, fmt), flags: OF | NX };
}

/**
 * Correctly rounds the exact non-zero value (-1)^sign * (num / den) * 2^exp to fmt under rm.
 * Flags: NX when inexact; OF (with NX) when the rounded result, with the exponent range
 * unbounded, exceeds the largest finite number; UF when the result is tiny AFTER rounding (the
 * value rounded to `precision` bits with unbounded exponent range is below 2^emin) and inexact.
 */
function roundToFormat(sign: number, num: bigint, den: bigint, exp: number, fmt: Format, rm: number): FpResult {
  if (num <= 0n || den <= 0n) throw new Error('fp-oracle: roundToFormat needs a positive magnitude');
  const p = fmt.precision;
  const e = floorLog2(num, den) + exp; // 2^e <= |value| < 2^(e+1)

  // The representable grid near the value: precision bits below 2^e, but never finer than the
  // subnormal quantum.
  const quantum = Math.max(e, fmt.emin) - (p - 1);
  const rounded = roundToInteger(sign, num, den, exp - quantum, rm);
  const resultExp = bitLength(rounded.value) - 1 + quantum;
  if (rounded.value !== 0n && resultExp > fmt.emax) return overflow(sign, fmt, rm);

  let flags = rounded.inexact ? NX : 0;
  if (rounded.inexact && isTinyAfterRounding(sign, num, den, exp, e, fmt, rm)) flags |= UF;
  return { bits: encodeFinite(sign, rounded.value, quantum, fmt), flags };
}

/** Tininess after rounding: round to `precision` bits as if the exponent range were unbounded. */
function isTinyAfterRounding(
  sign: number,
  num: bigint,
  den: bigint,
  exp: number,
  e: number,
  fmt: Format,
  rm: number,
): boolean {
  if (e >= fmt.emin) return false; // rounding is monotonic: never drops below 2^emin
  const quantum = e - (fmt.precision - 1);
  const unbounded = roundToInteger(sign, num, den, exp - quantum, rm);
  return bitLength(unbounded.value) - 1 + quantum < fmt.emin;
}

/** Rounds an exact finite value (mant * 2^exp); zero only if the caller already chose its sign. */
function roundFinite(v: Finite, fmt: Format, rm: number): FpResult {
  if (v.mant === 0n) return exact(zeroBits(v.sign, fmt));
  return roundToFormat(v.sign, v.mant, 1n, v.exp, fmt, rm);
}

// ---------------------------------------------------------------------------------------------
// Exact arithmetic on finite values
// ---------------------------------------------------------------------------------------------

const signedMant = (v: Finite, shift: number): bigint => (v.sign ? -v.mant : v.mant) << BigInt(shift);

/**
 * The exact sum of two finite values. An exact zero sum is +0, except -0 under RDN, unless both
 * addends are zeros of the same sign, which keep it (IEEE 754-2008 6.3).
 */
function exactSum(x: Finite, y: Finite, rm: number): Finite {
  const exp = Math.min(x.exp, y.exp);
  const total = signedMant(x, x.exp - exp) + signedMant(y, y.exp - exp);
  if (total !== 0n) return { kind: 'finite', sign: total < 0n ? 1 : 0, mant: total < 0n ? -total : total, exp };
  const sign = x.sign === y.sign ? x.sign : rm === RDN ? 1 : 0;
  return { kind: 'finite', sign, mant: 0n, exp };
}

const exactProduct = (x: Finite, y: Finite): Finite => ({
  kind: 'finite',
  sign: x.sign ^ y.sign,
  mant: x.mant * y.mant,
  exp: x.exp + y.exp,
});

/** Three-way comparison of two non-NaN values; -0 and +0 are equal. */
function compareValues(x: Value, y: Value): number {
  const rank = (v: Value): number => (v.kind === 'inf' ? (v.sign ? -1 : 1) : 0);
  if (rank(x) !== rank(y)) return Math.sign(rank(x) - rank(y));
  if (x.kind !== 'finite' || y.kind !== 'finite') return 0; // the same infinity
  const exp = Math.min(x.exp, y.exp);
  const diff = signedMant(x, x.exp - exp) - signedMant(y, y.exp - exp);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

function integerSquareRoot(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from above converges to floor(sqrt(n)) and stops decreasing there.
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

function add(x: Value, y: Value, fmt: Format, rm: number): FpResult {
  if (x.kind === 'nan' || y.kind === 'nan') return nanResult(fmt, x, y);
  if (x.kind === 'inf' && y.kind === 'inf') return x.sign === y.sign ? exact(infinityBits(x.sign, fmt)) : invalid(fmt);
  if (x.kind === 'inf') return exact(infinityBits(x.sign, fmt));
  if (y.kind === 'inf') return exact(infinityBits(y.sign, fmt));
  return roundFinite(exactSum(x, y, rm), fmt, rm);
}

function multiply(x: Value, y: Value, fmt: Format, rm: number): FpResult {
  if (x.kind === 'nan' || y.kind === 'nan') return nanResult(fmt, x, y);
  const sign = x.sign ^ y.sign;
  if (x.kind === 'inf' || y.kind === 'inf')
    return isZero(x) || isZero(y) ? invalid(fmt) : exact(infinityBits(sign, fmt));
  return roundFinite(exactProduct(x, y), fmt, rm);
}

function divide(x: Value, y: Value, fmt: Format, rm: number): FpResult {
  if (x.kind === 'nan' || y.kind === 'nan') return nanResult(fmt, x, y);
  const sign = x.sign ^ y.sign;
  if (x.kind === 'inf') return y.kind === 'inf' ? invalid(fmt) : exact(infinityBits(sign, fmt)); // inf/0 is inf, no DZ
  if (y.kind === 'inf') return exact(zeroBits(sign, fmt));
  if (y.mant === 0n) return x.mant === 0n ? invalid(fmt) : { bits: infinityBits(sign, fmt), flags: DZ };
  if (x.mant === 0n) return exact(zeroBits(sign, fmt));
  return roundToFormat(sign, x.mant, y.mant, x.exp - y.exp, fmt, rm);
}

function squareRoot(x: Value, fmt: Format, rm: number): FpResult {
  if (x.kind === 'nan') return nanResult(fmt, x);
  if (x.kind === 'inf') return x.sign ? invalid(fmt) : exact(infinityBits(0, fmt));
  if (x.mant === 0n) return exact(zeroBits(x.sign, fmt)); // sqrt(-0) = -0
  if (x.sign) return invalid(fmt);
  // Make the exponent even so it halves exactly, then widen the radicand by 2^(2k) until its root
  // has at least precision + 2 bits: the root's discarded part then lies strictly below the
  // rounding position, and a non-zero remainder (an irrational root) is a sticky bit under it.
  const odd = x.exp % 2 !== 0;
  const mant = odd ? x.mant << 1n : x.mant;
  const half = (odd ? x.exp - 1 : x.exp) / 2;
  const k = Math.max(0, Math.ceil((2 * fmt.precision + 4 - bitLength(mant)) / 2));
  const radicand = mant << BigInt(2 * k);
  const root = integerSquareRoot(radicand);
  if (root * root === radicand) return roundToFormat(0, root, 1n, half - k, fmt, rm);
  // The true root is strictly between root and root + 1; 2*root + 1 halves of a unit stands in for it.
  return roundToFormat(0, 2n * root + 1n, 1n, half - k - 1, fmt, rm);
}

/**
 * (-1)^negProduct * x * y + (-1)^negAddend * z with one rounding. RISC-V raises NV for inf * 0
 * even when the addend is a quiet NaN.
 */
function fusedMultiplyAdd(
  x: Value,
  y: Value,
  z: Value,
  negProduct: number,
  negAddend: number,
  fmt: Format,
  rm: number,
): FpResult {
  const infTimesZero = (x.kind === 'inf' && isZero(y)) || (isZero(x) && y.kind === 'inf');
  if (x.kind === 'nan' || y.kind === 'nan' || z.kind === 'nan') {
    const result = nanResult(fmt, x, y, z);
    return infTimesZero ? { ...result, flags: NV } : result;
  }
  if (infTimesZero) return invalid(fmt);
  const productSign = x.sign ^ y.sign ^ negProduct;
  const addendSign = z.sign ^ negAddend;
  if (x.kind === 'inf' || y.kind === 'inf') {
    if (z.kind === 'inf' && addendSign !== productSign) return invalid(fmt); // inf - inf
    return exact(infinityBits(productSign, fmt));
  }
  if (z.kind === 'inf') return exact(infinityBits(addendSign, fmt));
  const product = exactProduct(x, y);
  const signedProduct: Finite = { ...product, sign: productSign };
  const addend: Finite = { ...z, sign: addendSign };
  return roundFinite(exactSum(signedProduct, addend, rm), fmt, rm);
}

/** fmin/fmax (2.2+ semantics): a lone NaN yields the other operand; -0 is below +0. */
function minMax(xBits: bigint, yBits: bigint, wantMax: boolean, fmt: Format): FpResult {
  const x = decode(xBits, fmt);
  const y = decode(yBits, fmt);
  const flags = isSignallingNaN(x) || isSignallingNaN(y) ? NV : 0;
  if (x.kind === 'nan' && y.kind === 'nan') return { bits: fmt.canonicalNaN, flags };
  if (x.kind === 'nan') return { bits: yBits, flags };
  if (y.kind === 'nan') return { bits: xBits, flags };
  let order = compareValues(x, y);
  if (order === 0) order = y.sign - x.sign; // only ±0 compare equal with different bits
  const pickX = wantMax ? order > 0 : order < 0;
  return { bits: pickX || order === 0 ? xBits : yBits, flags };
}

type Comparison = 'eq' | 'lt' | 'le';

/** feq is a quiet comparison (NV only for sNaN); flt and fle signal on any NaN. NaN compares false. */
function compare(x: Value, y: Value, how: Comparison): FpResult {
  if (x.kind === 'nan' || y.kind === 'nan') {
    const signals = how === 'eq' ? isSignallingNaN(x) || isSignallingNaN(y) : true;
    return { bits: 0n, flags: signals ? NV : 0 };
  }
  const order = compareValues(x, y);
  const holds = how === 'eq' ? order === 0 : how === 'lt' ? order < 0 : order <= 0;
  return exact(holds ? 1n : 0n);
}

function classify(bits: bigint, fmt: Format): FpResult {
  const v = decode(bits, fmt);
  const negative = v.sign === 1;
  let bit: number;
  if (v.kind === 'inf') bit = negative ? 0 : 7;
  else if (v.kind === 'nan') bit = v.signalling ? 8 : 9;
  else if (v.mant === 0n) bit = negative ? 3 : 4;
  // No implicit bit: subnormal.
  else if (v.mant < 1n << BigInt(fractionBits(fmt))) bit = negative ? 2 : 5;
  else bit = negative ? 1 : 6;
  return exact(1n << BigInt(bit));
}

type SignInjection = 'copy' | 'negate' | 'xor';

/** fsgnj, fsgnjn, fsgnjx: raw bits, no flags, NaNs untouched. */
function injectSign(xBits: bigint, yBits: bigint, how: SignInjection, fmt: Format): FpResult {
  const mask = signMask(fmt);
  const ySign = yBits & mask;
  const sign = how === 'copy' ? ySign : how === 'negate' ? ySign ^ mask : (xBits & mask) ^ ySign;
  return exact((xBits & ~mask) | sign);
}

/** Sign-extends a 32-bit result to the 64-bit register value. */
const signExtend32 = (x: bigint): bigint => BigInt.asUintN(64, BigInt.asIntN(32, x));

/**
 * fcvt to a 32- or 64-bit integer: round by rm; NX if inexact. NaN, infinities and values that
 * round outside the range raise NV (alone) and saturate: NaN and positive to the maximum,
 * negative to the minimum (0 for unsigned). W results are sign-extended, WU included.
 */
function toInteger(v: Value, width: 32 | 64, signed: boolean, rm: number): FpResult {
  const w = BigInt(width);
  const max = signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const min = signed ? -(1n << (w - 1n)) : 0n;
  const register = (z: bigint): bigint => (width === 32 ? signExtend32(z) : BigInt.asUintN(64, z));
  if (v.kind === 'nan') return { bits: register(max), flags: NV };
  if (v.kind === 'inf') return { bits: register(v.sign ? min : max), flags: NV };
  const rounded = roundToInteger(v.sign, v.mant, 1n, v.exp, rm);
  const z = v.sign ? -rounded.value : rounded.value;
  if (z < min) return { bits: register(min), flags: NV };
  if (z > max) return { bits: register(max), flags: NV };
  return { bits: register(z), flags: rounded.inexact ? NX : 0 };
}

/** fcvt from a 32- or 64-bit integer register value; integer zero gives +0. */
function fromInteger(register: bigint, width: 32 | 64, signed: boolean, fmt: Format, rm: number): FpResult {
  const value = signed ? BigInt.asIntN(width, register) : BigInt.asUintN(width, register);
  if (value === 0n) return exact(zeroBits(0, fmt));
  return roundToFormat(value < 0n ? 1 : 0, value < 0n ? -value : value, 1n, 0, fmt, rm);
}

/** fcvt.s.d and fcvt.d.s: NaN becomes the canonical NaN (NV if signalling). */
function convertFormat(v: Value, to: Format, rm: number): FpResult {
  if (v.kind === 'nan') return nanResult(to, v);
  if (v.kind === 'inf') return exact(infinityBits(v.sign, to));
  return roundFinite(v, to, rm);
}

// ---------------------------------------------------------------------------------------------
// The instruction table
// ---------------------------------------------------------------------------------------------

/** Operand and result kinds: a single or double FP register (raw bits) or an integer register. */
export type FpKind = 's' | 'd' | 'x';

interface OpSpec {
  readonly operands: readonly FpKind[];
  readonly result: FpKind;
  readonly rounding: boolean;
  readonly run: (ops: readonly bigint[], rm: number) => FpResult;
}

const OPS = new Map<string, OpSpec>();

function define(mnemonic: string, operands: FpKind[], result: FpKind, rounding: boolean, run: OpSpec['run']): void {
  OPS.set(mnemonic, { operands, result, rounding, run });
}

for (const [f, fmt] of [
  ['s', SINGLE],
  ['d', DOUBLE],
] as const) {
  const dec = (bits: bigint | undefined): Value => decode(bits!, fmt);
  define(`fadd.${f}`, [f, f], f, true, (o, rm) => add(dec(o[0]), dec(o[1]), fmt, rm));
  define(`fsub.${f}`, [f, f], f, true, (o, rm) => add(dec(o[0]), negate(dec(o[1])), fmt, rm));
  define(`fmul.${f}`, [f, f], f, true, (o, rm) => multiply(dec(o[0]), dec(o[1]), fmt, rm));
  define(`fdiv.${f}`, [f, f], f, true, (o, rm) => divide(dec(o[0]), dec(o[1]), fmt, rm));
  define(`fsqrt.${f}`, [f], f, true, (o, rm) => squareRoot(dec(o[0]), fmt, rm));
  define(`fmin.${f}`, [f, f], f, false, (o) => minMax(o[0]!, o[1]!, false, fmt));
  define(`fmax.${f}`, [f, f], f, false, (o) => minMax(o[0]!, o[1]!, true, fmt));
  // [negate the product, negate the addend]
  const fused = [
    ['fmadd', 0, 0],
    ['fmsub', 0, 1],
    ['fnmsub', 1, 0],
    ['fnmadd', 1, 1],
  ] as const;
  for (const [name, negProduct, negAddend] of fused) {
    define(`${name}.${f}`, [f, f, f], f, true, (o, rm) =>
      fusedMultiplyAdd(dec(o[0]), dec(o[1]), dec(o[2]), negProduct, negAddend, fmt, rm),
    );
  }
  define(`fsgnj.${f}`, [f, f], f, false, (o) => injectSign(o[0]!, o[1]!, 'copy', fmt));
  define(`fsgnjn.${f}`, [f, f], f, false, (o) => injectSign(o[0]!, o[1]!, 'negate', fmt));
  define(`fsgnjx.${f}`, [f, f], f, false, (o) => injectSign(o[0]!, o[1]!, 'xor', fmt));
  define(`feq.${f}`, [f, f], 'x', false, (o) => compare(dec(o[0]), dec(o[1]), 'eq'));
  define(`flt.${f}`, [f, f], 'x', false, (o) => compare(dec(o[0]), dec(o[1]), 'lt'));
  define(`fle.${f}`, [f, f], 'x', false, (o) => compare(dec(o[0]), dec(o[1]), 'le'));
  define(`fclass.${f}`, [f], 'x', false, (o) => classify(o[0]!, fmt));
  const integers = [
    ['w', 32, true],
    ['wu', 32, false],
    ['l', 64, true],
    ['lu', 64, false],
  ] as const;
  for (const [i, width, signed] of integers) {
    define(`fcvt.${i}.${f}`, [f], 'x', true, (o, rm) => toInteger(dec(o[0]), width, signed, rm));
    // Every 32-bit integer is exact in binary64, so fcvt.d.w(u) ignores rm.
    const rounds = !(fmt === DOUBLE && width === 32);
    define(`fcvt.${f}.${i}`, ['x'], f, rounds, (o, rm) => fromInteger(o[0]!, width, signed, fmt, rounds ? rm : RNE));
  }
}
define('fcvt.s.d', ['d'], 's', true, (o, rm) => convertFormat(decode(o[0]!, DOUBLE), SINGLE, rm));
define('fcvt.d.s', ['s'], 'd', false, (o) => convertFormat(decode(o[0]!, SINGLE), DOUBLE, RNE));
define('fmv.x.w', ['s'], 'x', false, (o) => exact(signExtend32(o[0]!)));
define('fmv.w.x', ['x'], 's', false, (o) => exact(o[0]! & 0xffffffffn));
define('fmv.x.d', ['d'], 'x', false, (o) => exact(o[0]!));
define('fmv.d.x', ['x'], 'd', false, (o) => exact(o[0]!));

/** Every computational F and D instruction (no loads or stores), in a fixed order. */
export const FP_MNEMONICS: readonly string[] = Object.freeze([...OPS.keys()]);

function spec(mnemonic: string): OpSpec {
  const s = OPS.get(mnemonic);
  if (!s) throw new Error(`fp-oracle: unknown mnemonic ${mnemonic}`);
  return s;
}

/** Whether the result depends on the rounding mode; for the others the rm field is ignored. */
export function usesRoundingMode(mnemonic: string): boolean {
  return spec(mnemonic).rounding;
}

/**
 * Operand kinds in instruction order (rs1, rs2, rs3) and the result kind: 's' and 'd' are raw FP
 * bit patterns (32 or 64 bits), 'x' a 64-bit integer register value.
 */
export function fpSignature(mnemonic: string): { operands: readonly FpKind[]; result: FpKind } {
  const s = spec(mnemonic);
  return { operands: s.operands, result: s.result };
}

const KIND_BITS: Record<FpKind, bigint> = { s: 32n, d: 64n, x: 64n };

/**
 * The architectural result of one F/D instruction.
 * mnemonic: as the assembler spells it, e.g. 'fadd.s', 'fmadd.d', 'fcvt.w.d', 'fcvt.s.lu'.
 * operands: raw bit patterns in operand order (rs1, rs2, rs3): 32-bit patterns for single inputs
 * (not NaN-boxed), 64-bit for double inputs, and the 64-bit register value (unsigned) for integer
 * inputs. rm: the effective rounding mode 0..4 (ignored when usesRoundingMode is false).
 * Result: FP results as a raw 32- or 64-bit pattern (singles not NaN-boxed); integer results as the
 * 64-bit destination register value (unsigned), W results sign-extended from 32 bits.
 */
export function fpOracle(mnemonic: string, operands: bigint[], rm: number): FpResult {
  const s = spec(mnemonic);
  if (operands.length !== s.operands.length) {
    throw new Error(`fp-oracle: ${mnemonic} takes ${s.operands.length} operands, got ${operands.length}`);
  }
  s.operands.forEach((kind, i) => {
    const v = operands[i]!;
    if (v < 0n || v >> KIND_BITS[kind] !== 0n) {
      throw new Error(
        `fp-oracle: ${mnemonic} operand ${i} 0x${v.toString(16)} is not a ${KIND_BITS[kind]}-bit pattern`,
      );
    }
  });
  if (s.rounding && !(Number.isInteger(rm) && rm >= 0 && rm <= 4)) {
    throw new Error(`fp-oracle: ${mnemonic} needs a rounding mode 0..4, got ${rm}`);
  }
  return s.run(operands, rm);
}
