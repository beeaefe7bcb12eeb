// Edge-case operand generator for the F and D instructions: special operands, rounding ties,
// tininess-after-rounding and overflow boundaries, integer-conversion limits and exact
// cancellations, crossed with every rounding mode where the instruction takes one, followed by
// seeded random operands biased towards extreme exponents. Deterministic for a given seed.
// Operands follow fpOracle's conventions (raw 32/64-bit patterns, 64-bit integer registers).
import { Prng } from '../helpers/prng.js';
import { type FpKind, fpSignature, usesRoundingMode } from './fp-oracle.js';

export interface FpVector {
  operands: bigint[];
  rm: number;
}

type FloatKind = 's' | 'd';

interface Shape {
  readonly width: number;
  /** Significand bits including the implicit bit. */
  readonly precision: number;
  readonly bias: number;
  readonly emax: number;
}

const SHAPES: Record<FloatKind, Shape> = {
  s: { width: 32, precision: 24, bias: 127, emax: 127 },
  d: { width: 64, precision: 53, bias: 1023, emax: 1023 },
};

const M64 = (1n << 64n) - 1n;
const ROUNDING_MODES = [0, 1, 2, 3, 4];

// ---------------------------------------------------------------------------------------------
// Building bit patterns
// ---------------------------------------------------------------------------------------------

const emin = (f: Shape): number => 1 - f.bias;
const fracBits = (f: Shape): number => f.precision - 1;
const signBit = (f: Shape): bigint => 1n << BigInt(f.width - 1);
const infBits = (f: Shape): bigint => BigInt(2 * f.emax + 1) << BigInt(fracBits(f));
const neg = (f: Shape, bits: bigint): bigint => bits ^ signBit(f);

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The pattern of the exact value (-1)^sign * m * 2^e; throws if it is not representable. */
function exactBits(f: Shape, sign: number, m: bigint, e: number): bigint {
  const signPart = sign ? signBit(f) : 0n;
  if (m === 0n) return signPart;
  // Drop trailing zeros so the significand is as short as possible.
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  const top = bitLength(m) - 1 + e; // exponent of the leading bit
  const quantumMin = emin(f) - fracBits(f);
  if (bitLength(m) > f.precision || top > f.emax || e < quantumMin) {
    throw new Error(`fp-vectors: ${m}*2^${e} is not representable in ${f.width} bits`);
  }
  if (top < emin(f)) return signPart | (m << BigInt(e - quantumMin)); // subnormal
  const fraction = (m << BigInt(fracBits(f) - (bitLength(m) - 1))) - (1n << BigInt(fracBits(f)));
  return signPart | (BigInt(top + f.bias) << BigInt(fracBits(f))) | fraction;
}

const pow2 = (f: Shape, k: number, sign = 0): bigint => exactBits(f, sign, 1n, k);

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The pattern of a JS number that the format represents exactly, or undefined. */
function numberBits(f: Shape, x: number): bigint | undefined {
  if (f.width === 64) {
    f64[0] = x;
    return u64[0]!;
  }
  if (Math.fround(x) !== x && !Number.isNaN(x)) return undefined;
  f32[0] = x;
  return BigInt(u32[0]!);
}

/** The JS number a pattern stands for (exact: binary32 values are binary64 values). */
function bitsNumber(f: Shape, bits: bigint): number {
  if (f.width === 64) {
    u64[0] = bits;
    return f64[0]!;
  }
  u32[0] = Number(bits);
  return f32[0]!;
}

function defined<T>(xs: (T | undefined)[]): T[] {
  return xs.filter((x): x is T => x !== undefined);
}

/** A bit pattern plus and minus one: the neighbours in magnitude, within the format's range. */
function around(f: Shape, bits: bigint): bigint[] {
  const limit = 1n << BigInt(f.width);
  return [bits - 1n, bits, bits + 1n].filter((b) => b >= 0n && b < limit);
}

// ---------------------------------------------------------------------------------------------
// Named special values
// ---------------------------------------------------------------------------------------------

interface Specials {
  zero: bigint;
  minSub: bigint;
  maxSub: bigint;
  minNorm: bigint;
  maxNorm: bigint;
  one: bigint;
  inf: bigint;
  qnan: bigint;
  snan: bigint;
  /** 2^-precision: half an ulp of 1. */
  halfUlpOfOne: bigint;
}

function specials(f: Shape): Specials {
  const inf = infBits(f);
  return {
    zero: 0n,
    minSub: 1n,
    maxSub: (1n << BigInt(fracBits(f))) - 1n,
    minNorm: 1n << BigInt(fracBits(f)),
    maxNorm: inf - 1n,
    one: pow2(f, 0),
    inf,
    qnan: inf | (1n << BigInt(fracBits(f) - 1)),
    snan: inf | 1n,
    halfUlpOfOne: pow2(f, -f.precision),
  };
}

/** A small set for cross products of two or three operands. */
function coreValues(f: Shape): bigint[] {
  const s = specials(f);
  const n = (x: number) => numberBits(f, x)!;
  return [
    s.zero,
    neg(f, s.zero),
    s.minSub,
    neg(f, s.minSub),
    s.maxSub,
    s.minNorm,
    neg(f, s.minNorm),
    s.maxNorm,
    neg(f, s.maxNorm),
    s.one,
    neg(f, s.one),
    s.one + 1n, // one ulp above 1
    s.one - 1n, // one ulp below 1
    n(1.5),
    n(-3),
    n(0.5),
    s.inf,
    neg(f, s.inf),
    s.qnan,
    s.snan,
    neg(f, s.snan), // a NaN with the sign bit set
  ];
}

/** The floats at and around ±2^31, ±2^32, ±2^63, ±2^64 and the integers next to them. */
function conversionLimits(f: Shape): bigint[] {
  const out: bigint[] = [];
  for (const k of [31, 32, 63, 64]) {
    for (const sign of [1, -1]) {
      const limit = sign * 2 ** k;
      out.push(...around(f, numberBits(f, limit)!));
      for (const delta of [-1, -0.5, 0.5, 1]) {
        const x = numberBits(f, limit + delta);
        if (x !== undefined) out.push(x);
      }
    }
  }
  return out;
}

/** x.5 ties and their neighbours, small negatives, and the largest values with a fraction. */
function halfwayValues(f: Shape): bigint[] {
  const xs = [0.25, 0.5, 0.75, 1.5, 2.5, 3.5, 4.5, 2 ** (f.precision - 2) + 0.5, 2 ** (f.precision - 1) - 0.5];
  const out: bigint[] = [];
  for (const x of xs) {
    for (const v of [x, -x]) out.push(...around(f, numberBits(f, v)!));
  }
  return out;
}

/** The core set plus more boundaries, NaN payloads and small integers. */
function edgeValues(f: Shape): bigint[] {
  const s = specials(f);
  const n = (x: number) => numberBits(f, x);
  const extra = defined([
    n(2),
    n(-2),
    n(3),
    n(4),
    n(9),
    n(2.25),
    n(10),
    n(0.1),
    n(Math.fround(1 / 3)),
    n(-0.5),
    neg(f, s.maxSub),
    s.minNorm + 1n,
    s.maxNorm - 1n,
    pow2(f, f.emax),
    pow2(f, emin(f) + 1),
    pow2(f, emin(f) - 2), // a subnormal power of two (even exponent)
    pow2(f, emin(f) - 3), // and one with an odd exponent
    pow2(f, f.precision - 1),
    pow2(f, f.precision),
    pow2(f, f.precision) + 1n,
    neg(f, s.qnan), // negative quiet NaN
    s.qnan | 1n, // quiet NaN with a payload
    s.inf | (s.qnan - s.inf - 1n), // signalling NaN with the largest payload
    neg(f, s.qnan | 0x5n),
  ]);
  return [...coreValues(f), ...extra];
}

/** Every single-operand edge value: edge values, conversion limits and ties to integers. */
function unaryValues(f: Shape): bigint[] {
  return [...edgeValues(f), ...conversionLimits(f), ...halfwayValues(f)];
}

/** Integer register values: limits, rounding ties for 24- and 53-bit targets, upper-half garbage. */
function integerValues(): bigint[] {
  const xs: bigint[] = [0n, 1n, 2n, 3n, 7n, 10n, -1n, -2n, -3n, -10n];
  xs.push(0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1_0000_0000n, -0x80000000n, -0x80000001n);
  xs.push((1n << 63n) - 1n, 1n << 63n, (1n << 63n) + 1n, M64, 1n << 62n, (1n << 53n) - 1n);
  // The upper half of the register is ignored by the W forms.
  xs.push(0xdeadbeef_00000001n, 0xffffffff_00000000n, 0x00000001_ffffffffn, 0xffffffff_80000000n);
  xs.push(0x00000000_80000000n, 0x12345678_7fffffc0n);
  for (const p of [24, 53]) {
    for (const k of [p, p + 1, p + 7, 31, 32, 52, 53, 62, 63]) {
      if (k < p) continue;
      const unit = 1n << BigInt(k - p); // half an ulp of values in [2^k, 2^(k+1))
      const base = 1n << BigInt(k);
      const candidates = [base + unit, base + 3n * unit, base + unit + 1n, base + unit - 1n, base - 1n];
      candidates.push(base - unit / 2n); // halfway below the power of two
      for (const c of candidates) xs.push(c, -c);
    }
  }
  return [...new Set(xs.map((x) => BigInt.asUintN(64, x)))];
}

// ---------------------------------------------------------------------------------------------
// Targeted operand pairs and triples
// ---------------------------------------------------------------------------------------------

/** Pairs (a, b) for a + b: cancellations, ties, sticky bits, overflow and subnormal sums. */
function addPairs(f: Shape): bigint[][] {
  const s = specials(f);
  const p = f.precision;
  const n = (x: number) => numberBits(f, x)!;
  const pairs: bigint[][] = [];
  for (const x of [s.one, n(1.5), n(3), s.one + 1n, s.minSub, s.maxSub, s.minNorm, s.maxNorm]) {
    pairs.push([x, neg(f, x)], [neg(f, x), x]);
  }
  const half = s.halfUlpOfOne;
  pairs.push(
    [s.one, half], // tie, 1 is even: RNE keeps 1
    [s.one + 1n, half], // tie, odd: RNE rounds up
    [neg(f, s.one), neg(f, half)],
    [s.one, half + 1n], // just above the tie
    [s.one, half - 1n], // just below the tie
    [n(2), neg(f, half)], // 2 - half ulp of 1: tie between 2 - ulp (odd) and 2
    [s.one, s.minSub], // tiny sticky addend
    [neg(f, s.one), s.minSub],
    [s.maxNorm, s.minSub],
    [s.maxNorm, s.maxNorm], // overflow
    [s.maxNorm, pow2(f, f.emax - p)], // max + half ulp: tie, max is odd, so RNE overflows
    [s.maxNorm, pow2(f, f.emax - p) - 1n], // just below that tie
    [s.maxNorm, exactBits(f, 0, 3n, f.emax - p - 1)], // max + 3/4 ulp: RTZ stays at max, no OF
    [neg(f, s.maxNorm), pow2(f, f.emax - p, 1)],
    [s.maxNorm, pow2(f, f.emax - p, 1)], // max - half ulp: tie back to the even neighbour
    [s.minNorm, neg(f, s.minSub)], // exact subnormal
    [s.maxSub, s.minSub], // exact, reaches the smallest normal
    [s.minSub, s.minSub],
    [s.minNorm, neg(f, s.minNorm + 1n)],
  );
  return pairs;
}

/** Pairs (a, b) for a * b: tininess after rounding, ties, overflow and underflow to zero. */
function mulPairs(f: Shape): bigint[][] {
  const s = specials(f);
  const p = f.precision;
  const n = (x: number) => numberBits(f, x)!;
  // Two factors whose product is max + half an ulp, (2^(p+1) - 1) * 2^(emax - p): an exact tie.
  const odd = (1n << BigInt(p + 1)) - 1n;
  let d = 3n;
  while (odd % d !== 0n) d += 2n;
  const pairs: bigint[][] = [
    [s.one - 1n, s.minNorm], // (1 - 2^-p) * 2^emin: tiny even unbounded; RNE gives minNorm with UF
    [s.minNorm, s.one - 1n],
    [s.one - 1n, neg(f, s.minNorm)],
    [s.one + 1n, s.maxSub], // 2^emin * (1 - 2^-2(p-1)): unbounded rounding reaches 2^emin
    [s.one + 1n, s.minNorm + 1n],
    [s.one - 1n, s.minNorm + 1n],
    [n(0.5), s.minSub], // tie between 0 and minSub
    [n(0.5), neg(f, s.minSub)],
    [s.minSub, numberBits(f, 0.5)! + 1n], // just above that tie
    [s.minSub, numberBits(f, 0.5)! - 1n], // just below
    [n(0.75), s.minSub],
    [n(1.5), s.minSub],
    [n(2.5), s.minSub],
    [n(0.5), s.maxSub],
    [n(0.5), s.minNorm], // exact subnormal: no flags
    [n(0.5), s.minNorm + 1n],
    [s.minSub, s.minSub],
    [s.minSub, pow2(f, p - 1)], // exactly the smallest normal
    [s.one + 1n, n(1.5)], // tie in the normal range
    [s.one + 3n, n(1.5)],
    [s.one - 1n, s.one - 1n],
    [n(Math.fround(1 / 3)), n(3)],
    [n(3), n(5)],
    [s.maxNorm, n(2)], // overflow
    [s.maxNorm, s.one + 1n],
    [s.maxNorm, s.one - 1n], // no overflow
    [pow2(f, f.emax), n(2)], // exactly 2^(emax+1)
    [pow2(f, f.emax - 1), n(2)],
    [exactBits(f, 0, d, 0), exactBits(f, 0, odd / d, f.emax - p)], // product max + half ulp
    [exactBits(f, 1, d, 0), exactBits(f, 0, odd / d, f.emax - p)],
    [neg(f, s.maxNorm), n(1.5)],
    [s.maxNorm, s.minNorm],
  ];
  return pairs;
}

/** Pairs (a, b) for a / b. */
function divPairs(f: Shape): bigint[][] {
  const s = specials(f);
  const n = (x: number) => numberBits(f, x)!;
  return [
    [s.one, n(3)],
    [n(2), n(3)],
    [n(-1), n(3)],
    [s.one, n(10)],
    [n(6), n(3)],
    [s.maxNorm, n(0.5)], // overflow
    [s.maxNorm, s.one - 1n],
    [s.maxNorm, s.minNorm],
    [s.minNorm, s.one + 1n], // just below 2^emin: tiny, rounds to maxSub
    [s.minNorm, n(2)],
    [s.minSub, n(2)], // tie to zero
    [3n, n(2)], // 3 minSub / 2: tie, to 2 minSub
    [s.minSub, n(3)],
    [s.one, s.maxNorm], // subnormal result
    [s.minNorm, s.maxNorm],
    [s.minSub, s.maxNorm], // underflow to zero
    [s.one, s.zero], // division by zero
    [neg(f, s.one), s.zero],
    [s.minSub, neg(f, s.zero)],
    [s.maxNorm, s.zero],
    [s.zero, s.zero],
    [s.inf, s.zero], // no DZ: infinity is exact
    [s.inf, s.inf],
    [s.zero, s.inf],
    [s.one, s.inf],
    [s.one + 1n, s.one - 1n],
    [s.one - 1n, s.one + 1n],
  ];
}

/**
 * Triples (a, b, c) for the value a * b + c: fused vs. separate rounding, ties, signed zeros,
 * inf * 0 with every addend, overflow avoided or reached, tininess.
 */
function fmaTriples(f: Shape): bigint[][] {
  const s = specials(f);
  const p = f.precision;
  const n = (x: number) => numberBits(f, x)!;
  const h = Math.ceil(p / 2);
  const onePlus = pow2(f, 0) + (1n << BigInt(p - 1 - h)); // 1 + 2^-h
  const triples: bigint[][] = [
    [onePlus, onePlus, neg(f, s.one)], // rounding the product first would lose 2^-2h
    [s.one, s.one, s.halfUlpOfOne], // tie
    [s.one + 1n, s.one, s.halfUlpOfOne],
    [s.one, s.one, pow2(f, -p - 1, 1)],
    [n(2), n(3), n(-6)], // exact cancellation: sign by rm
    [n(-2), n(3), n(6)],
    [s.zero, n(5), s.zero],
    [s.zero, n(5), neg(f, s.zero)],
    [neg(f, s.zero), n(5), s.zero],
    [neg(f, s.zero), n(5), neg(f, s.zero)],
    [s.minSub, s.zero, neg(f, s.zero)],
    [s.inf, s.zero, s.qnan], // NV even with a quiet NaN addend
    [s.zero, s.inf, s.qnan],
    [s.inf, s.zero, s.snan],
    [s.inf, s.zero, s.inf],
    [s.inf, s.zero, s.one],
    [s.inf, s.one, neg(f, s.inf)],
    [s.inf, neg(f, s.one), neg(f, s.inf)],
    [neg(f, s.inf), s.one, s.inf],
    [s.inf, s.one, s.one],
    [s.one, s.one, s.inf],
    [s.qnan, s.zero, s.inf],
    [s.maxNorm, s.maxNorm, neg(f, s.inf)],
    [s.maxNorm, n(2), neg(f, s.maxNorm)], // no intermediate overflow in a fused op
    [s.maxNorm, s.maxNorm, neg(f, s.maxNorm)], // overflow
    [s.maxNorm, s.one, pow2(f, f.emax - p)], // tie at the overflow boundary
    [s.one - 1n, s.minNorm, s.zero], // tininess after rounding
    [s.one - 1n, s.minNorm, neg(f, s.zero)],
    [s.one + 1n, s.maxSub, s.zero],
    [s.minSub, n(0.5), s.zero],
    [s.minSub, n(0.5), neg(f, s.zero)],
    [s.one + 1n, s.minNorm, neg(f, s.minNorm)], // cancels to a subnormal, exact
    [s.minNorm, n(0.5), neg(f, s.minSub)],
    [s.one, s.minSub, s.maxNorm],
  ];
  // c = -(a * b rounded): the fused result is the rounding error of the product, exactly.
  const factors = [
    [s.one + 1n, s.one + 1n],
    [s.one - 1n, s.one - 1n],
    [n(Math.fround(1 / 3)), n(3)],
    [n(Math.fround(1.1)), n(Math.fround(1.1))],
    [n(Math.fround(0.1)), n(Math.fround(0.7))],
  ];
  for (const [a, b] of factors) {
    const product = bitsNumber(f, a!) * bitsNumber(f, b!);
    const rounded = f.width === 32 ? Math.fround(product) : product;
    triples.push([a!, b!, numberBits(f, -rounded)!], [a!, b!, numberBits(f, rounded)!]);
  }
  return triples;
}

/** Each fused variant gets the triples rearranged so it computes the same a * b + c. */
function fusedOperands(f: Shape, mnemonic: string, [a, b, c]: bigint[]): bigint[] {
  const op = mnemonic.split('.')[0];
  if (op === 'fmsub') return [a!, b!, neg(f, c!)]; // a*b - (-c)
  if (op === 'fnmsub') return [neg(f, a!), b!, c!]; // -(-a*b) + c
  if (op === 'fnmadd') return [neg(f, a!), b!, neg(f, c!)]; // -(-a*b) - (-c)
  return [a!, b!, c!];
}

/** Square-root inputs beyond the unary set: perfect squares and near-squares. */
function sqrtValues(f: Shape): bigint[] {
  const n = (x: number) => numberBits(f, x)!;
  return [n(16), n(0.25), ...around(f, n(4)), n(-1), n(-4), pow2(f, 2 - f.bias - fracBits(f))];
}

/** Doubles at, between and around binary32 values, for fcvt.s.d. */
function narrowingValues(): bigint[] {
  const s = SHAPES.s;
  const d = SHAPES.d;
  const singles = [0x3f800000n, 0x3f800001n, 0x7f7fffffn, 0x7f7ffffen, 0x00800000n, 0x007fffffn, 0x00000001n];
  singles.push(0x00000000n, 0x3fc00000n, 0x4b000000n, 0x4f000000n, 0x5f000000n, 0x00400000n);
  const out: bigint[] = [];
  for (const bits of singles) {
    const v = bitsNumber(s, bits);
    // The next single up; above the largest finite that is 2^128, which binary64 still holds.
    const w = bits === 0x7f7fffffn ? 2 ** 128 : bitsNumber(s, bits + 1n);
    const mid = (v + w) / 2; // exact in binary64
    for (const x of [v, -v, mid, -mid]) out.push(...around(d, numberBits(d, x)!));
  }
  for (const x of [2 ** 128, 2 ** -150, 2 ** -151, 3 * 2 ** -150, 2 ** -149 * 0.75, 1e300, 1e-300, 1e-45]) {
    out.push(numberBits(d, x)!, numberBits(d, -x)!);
  }
  return [...out, 1n /* smallest double subnormal */];
}

// ---------------------------------------------------------------------------------------------
// Seeded random operands
// ---------------------------------------------------------------------------------------------

function randomBits(prng: Prng, bits: number): bigint {
  let x = 0n;
  for (let i = 0; i < bits; i += 32) x = (x << 32n) | BigInt(prng.u32());
  return x & ((1n << BigInt(bits)) - 1n);
}

/** A random float, biased to subnormal, huge, near-1 and conversion-range exponents. */
function randomFloat(f: Shape, prng: Prng): bigint {
  const maxField = 2 * f.emax + 1;
  const p = f.precision;
  const r = prng.float();
  let field: number;
  if (r < 0.25) field = prng.range(0, maxField);
  else if (r < 0.45) field = prng.range(0, Math.min(p + 2, maxField));
  else if (r < 0.65) field = prng.range(maxField - p - 2, maxField - 1);
  else if (r < 0.9) field = prng.range(f.bias - p - 2, f.bias + p + 2);
  else field = prng.range(f.bias + 29, f.bias + 66); // integer conversion limits
  const fb = fracBits(f);
  const q = prng.float();
  let fraction: bigint;
  if (q < 0.5) fraction = randomBits(prng, fb);
  else if (q < 0.65) fraction = 0n;
  else if (q < 0.8) fraction = (1n << BigInt(fb)) - 1n;
  else if (q < 0.9) fraction = 1n << BigInt(prng.below(fb));
  else fraction = randomBits(prng, prng.range(1, 6)) << BigInt(prng.below(fb - 5)); // few set bits
  const sign = prng.chance(0.5) ? signBit(f) : 0n;
  return sign | (BigInt(field) << BigInt(fb)) | fraction;
}

/** A random 64-bit register value: uniform, sign-extended 32-bit, small, or near a power of two. */
function randomInteger(prng: Prng): bigint {
  const r = prng.float();
  if (r < 0.3) return randomBits(prng, 64);
  if (r < 0.5) return BigInt.asUintN(64, BigInt.asIntN(32, randomBits(prng, 32)));
  const k = prng.range(1, 63);
  const base = r < 0.7 ? randomBits(prng, k) : (1n << BigInt(k)) + BigInt(prng.range(-8, 8));
  return BigInt.asUintN(64, prng.chance(0.5) ? -base : base);
}

/** Random operands shaped for the operation: near-cancellation and near-product addends. */
function randomOperands(mnemonic: string, kinds: readonly FpKind[], prng: Prng): bigint[] {
  const ops = kinds.map((k) => (k === 'x' ? randomInteger(prng) : randomFloat(SHAPES[k], prng)));
  const op = mnemonic.split('.')[0]!;
  const kind = kinds[0];
  if (kind !== 's' && kind !== 'd') return ops;
  const f = SHAPES[kind];
  if ((op === 'fadd' || op === 'fsub') && prng.chance(0.3)) {
    // b within a few ulps of ±a: massive cancellation.
    const b = ops[0]! + BigInt(prng.range(-3, 3));
    const limited = b < 0n ? 0n : b & ((1n << BigInt(f.width)) - 1n);
    ops[1] = prng.chance(0.5) ? neg(f, limited) : limited;
  }
  if (op.endsWith('madd') || op.endsWith('msub')) {
    if (prng.chance(0.3)) {
      // c close to -(a * b), so the fused sum cancels.
      const product = bitsNumber(f, ops[0]!) * bitsNumber(f, ops[1]!);
      const rounded = f.width === 32 ? Math.fround(product) : product;
      const c = numberBits(f, prng.chance(0.5) ? -rounded : rounded);
      if (c !== undefined && Number.isFinite(rounded)) ops[2] = BigInt.asUintN(f.width, c + BigInt(prng.range(-2, 2)));
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Assembly per mnemonic
// ---------------------------------------------------------------------------------------------

function crossProduct(lists: bigint[][]): bigint[][] {
  let out: bigint[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((x) => [...prefix, x]));
  return out;
}

/** The deterministic operand tuples of one instruction (before rounding modes are applied). */
function edgeOperands(mnemonic: string, kinds: readonly FpKind[]): bigint[][] {
  const op = mnemonic.split('.')[0]!;
  const first = kinds[0]!;
  if (first === 'x') {
    const xs = integerValues();
    if (mnemonic === 'fmv.w.x')
      xs.push(...unaryValues(SHAPES.s), ...unaryValues(SHAPES.s).map((b) => b | (M64 ^ 0xffffffffn)));
    if (mnemonic === 'fmv.d.x') xs.push(...unaryValues(SHAPES.d));
    return xs.map((x) => [x]);
  }
  const f = SHAPES[first];
  if (kinds.length === 1) {
    const xs = mnemonic === 'fcvt.s.d' ? [...unaryValues(f), ...narrowingValues()] : unaryValues(f);
    if (op === 'fsqrt') xs.push(...sqrtValues(f));
    return xs.map((x) => [x]);
  }
  if (kinds.length === 3) {
    const s = specials(f);
    const small = [
      s.zero,
      neg(f, s.zero),
      s.minSub,
      s.maxNorm,
      s.one,
      s.one - 1n,
      s.inf,
      neg(f, s.inf),
      s.qnan,
      s.snan,
    ];
    return [...crossProduct([small, small, small]), ...fmaTriples(f).map((t) => fusedOperands(f, mnemonic, t))];
  }
  if (!usesRoundingMode(mnemonic)) {
    // Comparisons, min/max and sign injection: every pair of edge values, plus equal neighbours.
    const xs = edgeValues(f);
    const pairs = crossProduct([xs, xs]);
    for (const x of coreValues(f)) pairs.push([x, x], [x, x + 1n], [x + 1n, x]);
    return pairs.map((pair) => pair.map((b) => BigInt.asUintN(f.width, b)));
  }
  const core = coreValues(f);
  const targeted =
    op === 'fadd'
      ? addPairs(f)
      : op === 'fsub'
        ? addPairs(f).map(([a, b]) => [a!, neg(f, b!)])
        : op === 'fmul'
          ? mulPairs(f)
          : divPairs(f);
  return [...crossProduct([core, core]), ...targeted];
}

/**
 * Edge-case vectors for one F/D mnemonic: the deterministic edge set, crossed with all five
 * rounding modes when the instruction takes one (rm 0 otherwise), then `count` seeded random
 * vectors (random rm where it matters). The same (mnemonic, count, seed) gives the same list.
 */
export function fpEdgeVectors(mnemonic: string, count = 1000, seed = 1): FpVector[] {
  const kinds = fpSignature(mnemonic).operands;
  const modes = usesRoundingMode(mnemonic) ? ROUNDING_MODES : [0];
  const vectors: FpVector[] = [];
  for (const operands of edgeOperands(mnemonic, kinds)) {
    for (const rm of modes) vectors.push({ operands: [...operands], rm });
  }
  const prng = new Prng(seed);
  for (let i = 0; i < count; i++) {
    const operands = randomOperands(mnemonic, kinds, prng);
    vectors.push({ operands, rm: modes.length > 1 ? prng.pick(modes) : 0 });
  }
  return vectors;
}
