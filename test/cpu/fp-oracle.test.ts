// Tests of the F/D reference oracle (fp-oracle.ts) and its edge-case generator (fp-vectors.ts)
// against facts that do not come from the oracle:
//  - JavaScript's own IEEE 754 binary64 arithmetic (+, -, *, /, Math.sqrt, Number(bigint)) and
//    Math.fround, which are correctly rounded to nearest-even;
//  - for the other rounding modes, the exact error of the JS result, found with error-free
//    transformations in binary64 (TwoSum, Dekker's TwoProduct, residuals), which says on which
//    side of the rounded value the exact result lies and whether it is a tie;
//  - hand-worked examples of every RISC-V rule, each derived in its comment.
// JS cannot confirm the RISC-V-specific rules (canonical NaNs, which NaN inputs signal, fmin/fmax,
// fclass bits, saturation values, NV for inf * 0 with a quiet-NaN addend): those examples are
// transcribed from the ISA text and cross-read against SoftFloat's RISC-V specialization only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DZ, FP_MNEMONICS, fpOracle, fpSignature, NV, NX, OF, UF, usesRoundingMode } from './fp-oracle.js';
import { fpEdgeVectors } from './fp-vectors.js';
import { Prng } from '../helpers/prng.js';

const RNE = 0;
const RTZ = 1;
const RDN = 2;
const RUP = 3;
const RMM = 4;
const MODES = [RNE, RTZ, RDN, RUP, RMM];

// ---------------------------------------------------------------------------------------------
// Bit patterns <-> JS numbers
// ---------------------------------------------------------------------------------------------

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function dbits(x: number): bigint {
  f64[0] = x;
  return u64[0]!;
}
function dval(bits: bigint): number {
  u64[0] = bits;
  return f64[0]!;
}
function sbits(x: number): bigint {
  assert.equal(Math.fround(x), x, `${x} is not a binary32 value`);
  f32[0] = x;
  return BigInt(u32[0]!);
}
function sval(bits: bigint): number {
  u32[0] = Number(bits);
  return f32[0]!;
}

const S_QNAN = 0x7fc00000n;
const S_SNAN = 0x7f800001n;
const S_INF = 0x7f800000n;
const S_MAX = 0x7f7fffffn;
const S_MIN_NORMAL = 0x00800000n;
const S_MAX_SUB = 0x007fffffn;
const S_MIN_SUB = 0x00000001n;
const S_NEG = 0x80000000n;
const D_QNAN = 0x7ff8000000000000n;
const D_SNAN = 0x7ff0000000000001n;
const D_INF = 0x7ff0000000000000n;
const D_NEG = 0x8000000000000000n;
const M64 = (1n << 64n) - 1n;

const hex = (x: bigint): string => `0x${x.toString(16)}`;
const FLAG_NAMES: [number, string][] = [
  [NV, 'NV'],
  [DZ, 'DZ'],
  [OF, 'OF'],
  [UF, 'UF'],
  [NX, 'NX'],
];
const flagNames = (f: number): string =>
  FLAG_NAMES.filter(([bit]) => f & bit)
    .map(([, name]) => name)
    .join('|') || '0';

/** Asserts one oracle result, with a readable message. */
function expectResult(mnemonic: string, operands: bigint[], rm: number, bits: bigint, flags: number): void {
  const r = fpOracle(mnemonic, operands, rm);
  const what = `${mnemonic}(${operands.map(hex).join(', ')}) rm=${rm}`;
  assert.equal(hex(r.bits), hex(bits), `${what}: bits`);
  assert.equal(flagNames(r.flags), flagNames(flags), `${what}: flags`);
}

/** Is the pattern a NaN of the given width. */
function isNaNBits(bits: bigint, width: 32 | 64): boolean {
  return width === 32 ? Number.isNaN(sval(bits)) : Number.isNaN(dval(bits));
}

// ---------------------------------------------------------------------------------------------
// An independent rounding reference built on JS binary64 arithmetic
// ---------------------------------------------------------------------------------------------

/** Neighbouring binary32 values of a non-negative binary32 value; above the largest, 2^128. */
function singleUp(x: number): number {
  const b = sbits(x);
  return b === S_MAX ? 2 ** 128 : sval(b + 1n);
}
function singleDown(x: number): number {
  return sval(sbits(x) - 1n);
}
function doubleUp(x: number): number {
  return x === 0 ? 5e-324 : dval(dbits(x) + 1n); // for x >= 0
}
function doubleDown(x: number): number {
  return dval(dbits(x) - 1n); // for x > 0
}

/** Which way a mode rounds a magnitude, given the sign of the value. */
type Direction = 'down' | 'up' | 'even' | 'away';
function direction(rm: number, negative: boolean): Direction {
  if (rm === RNE) return 'even';
  if (rm === RMM) return 'away';
  if (rm === RTZ) return 'down';
  return (rm === RUP) !== negative ? 'up' : 'down';
}

/**
 * Rounds the magnitude v = a + side*epsilon (a > 0 a double, epsilon infinitesimal) to binary32
 * with an unbounded upper exponent, using only Math.fround and neighbouring patterns. Valid when no
 * binary32 rounding boundary lies strictly between v and a (the callers ensure it).
 */
function singleMagnitude(a: number, side: number, dir: Direction): { value: number; inexact: boolean } {
  const r = Math.fround(a); // nearest-even, with the format's exponent range
  if (r === a && side === 0) return { value: a, inexact: false };
  let lo: number;
  let hi: number;
  if (r === a) [lo, hi] = side > 0 ? [a, singleUp(a)] : [singleDown(a), a];
  else if (r === Infinity) [lo, hi] = [sval(S_MAX), 2 ** 128];
  else if (r < a) [lo, hi] = [r, singleUp(r)];
  else [lo, hi] = [singleDown(r), r];
  const mid = (lo + hi) / 2; // exact: one more bit than binary32
  const vsMid = a < mid ? -1 : a > mid ? 1 : side;
  let up: boolean;
  if (dir === 'down') up = false;
  else if (dir === 'up') up = true;
  else if (vsMid !== 0) up = vsMid > 0;
  else if (dir === 'away') up = true;
  else up = hi === 2 ** 128 || (sbits(hi) & 1n) === 0n; // ties to the even pattern
  return { value: up ? hi : lo, inexact: true };
}

/** floor(log2(x)) for a positive normal double. */
const exponentOf = (x: number): number => Number((dbits(x) >> 52n) & 0x7ffn) - 1023;

/**
 * Reference binary32 result of a value known as (q, side): the exact value is q when side = 0,
 * otherwise strictly between q and its neighbour double in the direction of side. Returns the
 * bits and the NX/OF/UF flags (tininess after rounding, via an exact power-of-two rescaling).
 */
function referenceSingle(q: number, side: number, rm: number): { bits: bigint; flags: number } {
  const negative = q < 0;
  const a = Math.abs(q);
  const s = negative ? -side : side;
  const dir = direction(rm, negative);
  const signed = (x: number): number => (negative ? -x : x);
  // From 2^128 up (or at 2^128 and above it) every mode overflows.
  if (a > 2 ** 128 || (a === 2 ** 128 && s >= 0)) {
    const value = dir === 'down' ? sval(S_MAX) : Infinity;
    return { bits: sbits(signed(value)), flags: OF | NX };
  }
  const r = singleMagnitude(a, s, dir);
  if (!r.inexact) return { bits: sbits(signed(r.value)), flags: 0 };
  if (r.value === 2 ** 128) return { bits: sbits(signed(Infinity)), flags: OF | NX };
  let flags = NX;
  if (a < 2 ** -126 || (a === 2 ** -126 && s < 0)) {
    // Round again with the value scaled into [1, 2), where no subnormal quantum applies.
    const k = -exponentOf(a);
    const unbounded = singleMagnitude(a * 2 ** k, s, dir).value;
    if (unbounded < 2 ** (k - 126)) flags |= UF;
  }
  return { bits: sbits(signed(r.value)), flags };
}

/**
 * Reference binary64 result of (q, side, tie): q is the nearest-even double of the exact value,
 * side the sign of (exact - q), tie whether the exact value is the midpoint between q and its
 * neighbour on that side. Only for |q| in the normal range (no underflow possible).
 */
function referenceDouble(q: number, side: number, tie: boolean, rm: number): { bits: bigint; flags: number } {
  if (side === 0) return { bits: dbits(q), flags: 0 };
  const negative = q < 0;
  const a = Math.abs(q);
  const s = negative ? -side : side;
  const dir = direction(rm, negative);
  const other = s > 0 ? doubleUp(a) : doubleDown(a); // Infinity beyond the largest finite
  let pick = a; // what nearest-even chose
  if (dir === 'down') pick = Math.min(a, other);
  else if (dir === 'up') pick = Math.max(a, other);
  else if (dir === 'away' && tie) pick = Math.max(a, other);
  if (pick === Infinity) return { bits: dbits(negative ? -Infinity : Infinity), flags: OF | NX };
  return { bits: dbits(negative ? -pick : pick), flags: NX };
}

/** Knuth's TwoSum: s = fl(a + b) and the exact error a + b - s. */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** Veltkamp split and Dekker's TwoProduct: p = fl(a * b) and the exact error, if nothing under/overflows. */
function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** Whether the error e of a rounded q is exactly half the gap to q's neighbour on e's side. */
function isTie(q: number, e: number): boolean {
  const a = Math.abs(q);
  const gap = e > 0 === q > 0 ? doubleUp(a) - a : a - doubleDown(a); // exact (Sterbenz)
  return Number.isFinite(gap) && 2 * Math.abs(e) === gap;
}

/** isTie for an integer n whose nearest double is q, in exact BigInt arithmetic. */
function isIntegerTie(n: bigint, q: number): boolean {
  const a = Math.abs(q);
  const diff = n - BigInt(q);
  if (diff === 0n) return false;
  const outward = diff > 0n === q > 0;
  const gap = outward ? BigInt(doubleUp(a)) - BigInt(a) : BigInt(a) - BigInt(doubleDown(a));
  return 2n * (diff < 0n ? -diff : diff) === gap;
}

const isFiniteNonZero = (x: number): boolean => Number.isFinite(x) && x !== 0;

// ---------------------------------------------------------------------------------------------
// API shape
// ---------------------------------------------------------------------------------------------

test('FP_MNEMONICS lists the 58 computational F and D instructions; usesRoundingMode matches the ISA', () => {
  const expected: string[] = [];
  for (const f of ['s', 'd']) {
    for (const op of ['fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fmin', 'fmax', 'fmadd', 'fmsub', 'fnmsub', 'fnmadd']) {
      expected.push(`${op}.${f}`);
    }
    for (const op of ['fsgnj', 'fsgnjn', 'fsgnjx', 'feq', 'flt', 'fle', 'fclass']) expected.push(`${op}.${f}`);
    for (const i of ['w', 'wu', 'l', 'lu']) expected.push(`fcvt.${i}.${f}`, `fcvt.${f}.${i}`);
  }
  expected.push('fcvt.s.d', 'fcvt.d.s', 'fmv.x.w', 'fmv.w.x', 'fmv.x.d', 'fmv.d.x');
  assert.deepEqual([...FP_MNEMONICS].sort(), expected.sort());
  const noRm = FP_MNEMONICS.filter((m) => !usesRoundingMode(m)).sort();
  const expectedNoRm = ['fcvt.d.s', 'fcvt.d.w', 'fcvt.d.wu', 'fmv.x.w', 'fmv.w.x', 'fmv.x.d', 'fmv.d.x'];
  for (const f of ['s', 'd']) {
    for (const op of ['fmin', 'fmax', 'fsgnj', 'fsgnjn', 'fsgnjx', 'feq', 'flt', 'fle', 'fclass']) {
      expectedNoRm.push(`${op}.${f}`);
    }
  }
  assert.deepEqual(noRm, expectedNoRm.sort());
  assert.deepEqual(fpSignature('fmadd.s'), { operands: ['s', 's', 's'], result: 's' });
  assert.deepEqual(fpSignature('fcvt.s.lu'), { operands: ['x'], result: 's' });
  assert.deepEqual(fpSignature('feq.d'), { operands: ['d', 'd'], result: 'x' });
  assert.deepEqual([NV, DZ, OF, UF, NX], [16, 8, 4, 2, 1]);
});

test('fpOracle rejects unknown mnemonics, wrong operand counts, oversized operands and bad rounding modes', () => {
  assert.throws(() => fpOracle('fadd.q', [0n, 0n], 0), /unknown mnemonic/);
  assert.throws(() => fpOracle('fadd.s', [0n], 0), /takes 2 operands/);
  assert.throws(() => fpOracle('fadd.s', [0xffffffff3f800000n, 0n], 0), /not a 32-bit pattern/); // NaN-boxed
  assert.throws(() => fpOracle('fcvt.s.l', [-1n], 0), /not a 64-bit pattern/);
  assert.throws(() => fpOracle('fadd.d', [0n, 0n], 5), /rounding mode/);
  assert.doesNotThrow(() => fpOracle('fmin.s', [0n, 0n], 7)); // rm ignored
});

// ---------------------------------------------------------------------------------------------
// Agreement with JavaScript's round-to-nearest-even arithmetic
// ---------------------------------------------------------------------------------------------

const JS_DOUBLE: Record<string, (x: number, y: number) => number> = {
  'fadd.d': (x, y) => x + y,
  'fsub.d': (x, y) => x - y,
  'fmul.d': (x, y) => x * y,
  'fdiv.d': (x, y) => x / y,
  'fsqrt.d': (x) => Math.sqrt(x),
};

/** Extra random operands of every magnitude, so agreement is not only on the edge set. */
function uniformPatterns(width: 32 | 64, n: number, seed: number): bigint[] {
  const prng = new Prng(seed);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const hi = BigInt(prng.u32());
    out.push(width === 32 ? hi : (hi << 32n) | BigInt(prng.u32()));
  }
  return out;
}

/** Distinct operand tuples: the edge set, 3000 biased random ones and 3000 uniform random ones. */
function vectorsWithRandom(mnemonic: string, width: 32 | 64, arity: number): bigint[][] {
  const vs = fpEdgeVectors(mnemonic, 3000, 7).map((v) => v.operands);
  const pool = uniformPatterns(width, 3000 * arity, 99);
  for (let i = 0; i + arity <= pool.length; i += arity) vs.push(pool.slice(i, i + arity));
  const seen = new Set<string>();
  return vs.filter((ops) => {
    const key = ops.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

test('RNE: binary64 add, sub, mul, div, sqrt equal JavaScript arithmetic bit for bit (NaN -> canonical NaN)', () => {
  for (const [mnemonic, js] of Object.entries(JS_DOUBLE)) {
    const arity = mnemonic === 'fsqrt.d' ? 1 : 2;
    for (const ops of vectorsWithRandom(mnemonic, 64, arity)) {
      const expected = js(dval(ops[0]!), dval(ops[1] ?? 0n));
      const r = fpOracle(mnemonic, ops, RNE);
      const want = Number.isNaN(expected) ? D_QNAN : dbits(expected);
      assert.equal(hex(r.bits), hex(want), `${mnemonic}(${ops.map(hex).join(', ')})`);
    }
  }
});

test('RNE: binary32 add, sub, mul, div, sqrt equal Math.fround of the binary64 result', () => {
  // binary64 has more than 2*24 + 2 bits, so rounding the double result again to binary32 is the
  // correctly rounded binary32 result for these five operations (Figueroa, "When is double
  // rounding innocuous?", 1995).
  for (const [dm, js] of Object.entries(JS_DOUBLE)) {
    const mnemonic = dm.replace('.d', '.s');
    const arity = mnemonic === 'fsqrt.s' ? 1 : 2;
    for (const ops of vectorsWithRandom(mnemonic, 32, arity)) {
      const expected = Math.fround(js(sval(ops[0]!), sval(ops[1] ?? 0n)));
      const r = fpOracle(mnemonic, ops, RNE);
      const want = Number.isNaN(expected) ? S_QNAN : sbits(expected);
      assert.equal(hex(r.bits), hex(want), `${mnemonic}(${ops.map(hex).join(', ')})`);
    }
  }
});

test('RNE: conversions between formats and from 64-bit integers equal Math.fround / Number(bigint)', () => {
  for (const { operands } of fpEdgeVectors('fcvt.s.d', 3000, 3)) {
    const x = dval(operands[0]!);
    const want = Number.isNaN(x) ? S_QNAN : sbits(Math.fround(x));
    assert.equal(hex(fpOracle('fcvt.s.d', operands, RNE).bits), hex(want), hex(operands[0]!));
  }
  for (const { operands } of fpEdgeVectors('fcvt.d.s', 3000, 3)) {
    const x = sval(operands[0]!);
    const want = Number.isNaN(x) ? D_QNAN : dbits(x);
    assert.deepEqual(fpOracle('fcvt.d.s', operands, RNE).bits, want, hex(operands[0]!));
  }
  for (const [mnemonic, toBig] of [
    ['fcvt.d.l', (x: bigint) => BigInt.asIntN(64, x)],
    ['fcvt.d.lu', (x: bigint) => x],
    ['fcvt.d.w', (x: bigint) => BigInt.asIntN(32, x)],
    ['fcvt.d.wu', (x: bigint) => BigInt.asUintN(32, x)],
  ] as const) {
    for (const { operands } of fpEdgeVectors(mnemonic, 3000, 3)) {
      // Number(bigint) rounds to nearest, ties to even (ECMA-262 "Number value for x"); +0 for 0.
      const want = dbits(Number(toBig(operands[0]!)));
      assert.equal(hex(fpOracle(mnemonic, operands, RNE).bits), hex(want), `${mnemonic}(${hex(operands[0]!)})`);
    }
  }
});

test('comparisons and fmin/fmax on non-NaN inputs agree with JS ==, <, <=, Math.min, Math.max', () => {
  for (const f of ['s', 'd'] as const) {
    const val = f === 's' ? sval : dval;
    for (const { operands } of fpEdgeVectors(`feq.${f}`, 2000, 5)) {
      const [x, y] = [val(operands[0]!), val(operands[1]!)];
      const truth = (b: boolean): bigint => (b ? 1n : 0n);
      assert.equal(fpOracle(`feq.${f}`, operands, 0).bits, truth(x === y));
      assert.equal(fpOracle(`flt.${f}`, operands, 0).bits, truth(x < y));
      assert.equal(fpOracle(`fle.${f}`, operands, 0).bits, truth(x <= y));
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      // Math.min/max order -0 below +0, as RISC-V 2.2 fmin/fmax do.
      assert.ok(Object.is(val(fpOracle(`fmin.${f}`, operands, 0).bits), Math.min(x, y)));
      assert.ok(Object.is(val(fpOracle(`fmax.${f}`, operands, 0).bits), Math.max(x, y)));
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Every rounding mode, against exact-error references
// ---------------------------------------------------------------------------------------------

/**
 * The exact result of a binary32 operation on finite inputs, as (q, side) for referenceSingle, or
 * undefined where the reference does not apply (special results, exact zeros).
 * - products of binary32 values are exact in binary64 (48 bits);
 * - sums (and product + addend) are split by TwoSum into the double q and the sign of the exact error;
 * - quotients and square roots: q = fl(x / y) or fl(sqrt(x)) is never on a binary32 rounding
 *   boundary (value or midpoint) unless it is the exact result, because |x - m*y| and |x - m*m|
 *   for a boundary m are multiples of a grid at least 2^-50 of the result, far above one binary64
 *   rounding error; nor can a boundary lie between q and the exact value (boundaries are doubles).
 */
function exactSingle(mnemonic: string, ops: bigint[]): { q: number; side: number } | undefined {
  const xs = ops.map(sval);
  if (!xs.every(Number.isFinite)) return undefined;
  const [x, y, z] = xs as [number, number, number];
  const op = mnemonic.split('.')[0];
  let q: number;
  let side = 0;
  if (op === 'fadd' || op === 'fsub') [q, side] = twoSum(x, op === 'fsub' ? -y : y);
  else if (op === 'fmul') q = x * y;
  else if (op === 'fdiv') q = y === 0 ? Number.NaN : x / y;
  else if (op === 'fsqrt') q = Math.sqrt(x);
  else {
    const product = (op === 'fnmsub' || op === 'fnmadd' ? -x : x) * y;
    [q, side] = twoSum(product, op === 'fmsub' || op === 'fnmadd' ? -z : z);
  }
  if (!isFiniteNonZero(q)) return undefined;
  return { q, side: Math.sign(side) };
}

const SINGLE_ARITH = ['fadd.s', 'fsub.s', 'fmul.s', 'fdiv.s', 'fsqrt.s', 'fmadd.s', 'fmsub.s', 'fnmsub.s', 'fnmadd.s'];

test('all rounding modes: binary32 arithmetic and fused ops match the exact-error reference, flags included', () => {
  let checked = 0;
  for (const mnemonic of SINGLE_ARITH) {
    const arity = fpSignature(mnemonic).operands.length;
    const operandSets = vectorsWithRandom(mnemonic, 32, arity);
    for (const ops of operandSets) {
      const exact = exactSingle(mnemonic, ops);
      if (!exact) continue;
      for (const rm of MODES) {
        const want = referenceSingle(exact.q, exact.side, rm);
        expectResult(mnemonic, ops, rm, want.bits, want.flags);
        checked++;
      }
    }
  }
  assert.ok(checked > 100_000, `only ${checked} checks`);
});

test('all rounding modes: fcvt.s.d and fcvt.s.{w,wu,l,lu} match the exact-error reference, flags included', () => {
  for (const { operands } of fpEdgeVectors('fcvt.s.d', 5000, 11)) {
    const x = dval(operands[0]!);
    if (!isFiniteNonZero(x)) continue;
    for (const rm of MODES) {
      const want = referenceSingle(x, 0, rm);
      expectResult('fcvt.s.d', operands, rm, want.bits, want.flags);
    }
  }
  for (const [suffix, toBig] of [
    ['l', (x: bigint) => BigInt.asIntN(64, x)],
    ['lu', (x: bigint) => x],
    ['w', (x: bigint) => BigInt.asIntN(32, x)],
    ['wu', (x: bigint) => BigInt.asUintN(32, x)],
  ] as const) {
    for (const { operands } of fpEdgeVectors(`fcvt.s.${suffix}`, 3000, 11)) {
      const n = toBig(operands[0]!);
      if (n === 0n) continue;
      const q = Number(n); // nearest double; the integer's side of it is exact in BigInt
      const side = n > BigInt(q) ? 1 : n < BigInt(q) ? -1 : 0;
      for (const rm of MODES) {
        const want = referenceSingle(q, side, rm);
        expectResult(`fcvt.s.${suffix}`, operands, rm, want.bits, want.flags);
      }
    }
  }
});

/**
 * The exact result of a binary64 operation as (q, side, tie) for referenceDouble, where the
 * error-free transformations are valid: normal-range operands and results away from overflow
 * and underflow of the error terms.
 */
function exactDouble(mnemonic: string, ops: bigint[]): { q: number; side: number; tie: boolean } | undefined {
  const [x, y] = ops.map(dval) as [number, number];
  const inRange = (v: number) => v === 0 || (Math.abs(v) >= 2 ** -900 && Math.abs(v) <= 2 ** 990);
  if (!inRange(x) || (ops.length > 1 && !inRange(y))) return undefined;
  const op = mnemonic.split('.')[0];
  let q: number;
  let err: number;
  if (op === 'fadd' || op === 'fsub') [q, err] = twoSum(x, op === 'fsub' ? -y : y);
  else if (op === 'fmul') [q, err] = twoProduct(x, y);
  else if (op === 'fdiv') {
    if (y === 0) return undefined;
    q = x / y;
    const [p, e] = twoProduct(q, y);
    err = (x - p - e) * Math.sign(y); // x - q*y exactly (Sterbenz), sign of (x/y - q); no ties possible
  } else {
    q = Math.sqrt(x);
    const [p, e] = twoProduct(q, q);
    err = x - p - e; // sign of (sqrt(x) - q); no ties possible
  }
  if (!isFiniteNonZero(q) || !inRange(q) || !Number.isFinite(err)) return undefined;
  const tie = (op === 'fadd' || op === 'fsub' || op === 'fmul') && err !== 0 && isTie(q, err);
  return { q, side: Math.sign(err), tie };
}

test('all rounding modes: binary64 add, sub, mul, div, sqrt and fcvt.d.{l,lu} match the exact-error reference', () => {
  let checked = 0;
  for (const mnemonic of ['fadd.d', 'fsub.d', 'fmul.d', 'fdiv.d', 'fsqrt.d']) {
    const arity = mnemonic === 'fsqrt.d' ? 1 : 2;
    for (const ops of vectorsWithRandom(mnemonic, 64, arity)) {
      const exact = exactDouble(mnemonic, ops);
      if (!exact) continue;
      for (const rm of MODES) {
        const want = referenceDouble(exact.q, exact.side, exact.tie, rm);
        expectResult(mnemonic, ops, rm, want.bits, want.flags);
        checked++;
      }
    }
  }
  for (const [mnemonic, toBig] of [
    ['fcvt.d.l', (x: bigint) => BigInt.asIntN(64, x)],
    ['fcvt.d.lu', (x: bigint) => x],
  ] as const) {
    for (const { operands } of fpEdgeVectors(mnemonic, 3000, 13)) {
      const n = toBig(operands[0]!);
      if (n === 0n) continue;
      const q = Number(n); // nearest-even double (ECMA-262)
      const diff = n - BigInt(q);
      for (const rm of MODES) {
        const want = referenceDouble(q, diff > 0n ? 1 : diff < 0n ? -1 : 0, isIntegerTie(n, q), rm);
        expectResult(mnemonic, operands, rm, want.bits, want.flags);
        checked++;
      }
    }
  }
  assert.ok(checked > 50_000, `only ${checked} checks`);
});

/** Reference float -> integer conversion with JS rounding functions and exact BigInt range checks. */
function referenceToInteger(x: number, width: 32 | 64, signed: boolean, rm: number): { bits: bigint; flags: number } {
  const w = BigInt(width);
  const max = signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const min = signed ? -(1n << (w - 1n)) : 0n;
  const reg = (z: bigint) => (width === 32 ? BigInt.asUintN(64, BigInt.asIntN(32, z)) : BigInt.asUintN(64, z));
  if (Number.isNaN(x)) return { bits: reg(max), flags: NV };
  if (!Number.isFinite(x)) return { bits: reg(x < 0 ? min : max), flags: NV };
  const t = Math.trunc(x);
  // |x - t| is exact: t = 0 below 1, and Sterbenz's lemma (|x|/2 <= |t| <= |x|) from 1 up.
  const frac = Math.abs(x - t);
  const away = t + Math.sign(x);
  let r: number;
  if (rm === RTZ) r = t;
  else if (rm === RDN) r = Math.floor(x);
  else if (rm === RUP) r = Math.ceil(x);
  else if (frac !== 0.5) r = frac < 0.5 ? t : away;
  else if (rm === RMM) r = away;
  else r = t % 2 === 0 ? t : away;
  const z = BigInt(r);
  if (z < min || z > max) return { bits: reg(z < min ? min : max), flags: NV };
  return { bits: reg(z), flags: r === x ? 0 : NX };
}

test('all rounding modes: fcvt.{w,wu,l,lu}.{s,d} match Math.trunc/floor/ceil and half-even/half-away rounding', () => {
  for (const f of ['s', 'd'] as const) {
    for (const [i, width, signed] of [
      ['w', 32, true],
      ['wu', 32, false],
      ['l', 64, true],
      ['lu', 64, false],
    ] as const) {
      const mnemonic = `fcvt.${i}.${f}`;
      for (const { operands, rm } of fpEdgeVectors(mnemonic, 3000, 17)) {
        const x = f === 's' ? sval(operands[0]!) : dval(operands[0]!);
        const want = referenceToInteger(x, width, signed, rm);
        expectResult(mnemonic, operands, rm, want.bits, want.flags);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-worked examples of each rule
// ---------------------------------------------------------------------------------------------

test('each rounding mode on exact ties: 1 + 2^-24 (binary32) and 1 + 2^-53 (binary64)', () => {
  const half = sbits(2 ** -24); // half an ulp of 1.0f
  // 1 + half ulp: tie between 1 (even) and 1 + ulp (odd).
  const up = 0x3f800001n;
  const cases: [number, bigint][] = [
    [RNE, 0x3f800000n],
    [RTZ, 0x3f800000n],
    [RDN, 0x3f800000n],
    [RUP, up],
    [RMM, up],
  ];
  for (const [rm, bits] of cases) expectResult('fadd.s', [0x3f800000n, half], rm, bits, NX);
  // Negative: -1 - half ulp; RDN and RMM move away from zero.
  const negCases: [number, bigint][] = [
    [RNE, 0xbf800000n],
    [RTZ, 0xbf800000n],
    [RDN, 0xbf800001n],
    [RUP, 0xbf800000n],
    [RMM, 0xbf800001n],
  ];
  for (const [rm, bits] of negCases) expectResult('fadd.s', [0xbf800000n, half | S_NEG], rm, bits, NX);
  // (1 + ulp) + half ulp: tie between the odd 1 + ulp and the even 1 + 2 ulp.
  expectResult('fadd.s', [up, half], RNE, 0x3f800002n, NX);
  expectResult('fadd.s', [up, half], RTZ, up, NX);
  expectResult('fadd.s', [up, half], RMM, 0x3f800002n, NX);
  // binary64: 1 + 2^-53.
  expectResult('fadd.d', [dbits(1), dbits(2 ** -53)], RNE, dbits(1), NX);
  expectResult('fadd.d', [dbits(1), dbits(2 ** -53)], RMM, dbits(1) + 1n, NX);
  expectResult('fadd.d', [dbits(1), dbits(2 ** -53)], RUP, dbits(1) + 1n, NX);
  expectResult('fadd.d', [dbits(1), dbits(2 ** -53)], RDN, dbits(1), NX);
  // fmul tie: (1 + 2^-23) * 1.5 = 1.5 + 2^-23 + 2^-24; fraction 0x400001 is odd, so RNE goes up.
  expectResult('fmul.s', [0x3f800001n, sbits(1.5)], RNE, 0x3fc00002n, NX);
  expectResult('fmul.s', [0x3f800001n, sbits(1.5)], RTZ, 0x3fc00001n, NX);
});

test('tininess is detected after rounding: UF only if the unbounded-exponent result is below 2^emin and inexact', () => {
  // (a) x = (1 - 2^-24) * 2^-126 = 0xffffff * 2^-150 (0x3f7fffff * 0x00800000).
  //     With unbounded exponent it is exact in 24 bits and < 2^-126: tiny. In the subnormal
  //     grid (quantum 2^-149) it is 0x7fffff.8: a tie, so RNE gives 0x800000 = the smallest
  //     normal, still with UF (tiny and inexact).
  const a = [0x3f7fffffn, S_MIN_NORMAL];
  expectResult('fmul.s', a, RNE, S_MIN_NORMAL, UF | NX);
  expectResult('fmul.s', a, RMM, S_MIN_NORMAL, UF | NX);
  expectResult('fmul.s', a, RUP, S_MIN_NORMAL, UF | NX);
  expectResult('fmul.s', a, RTZ, S_MAX_SUB, UF | NX);
  expectResult('fmul.s', a, RDN, S_MAX_SUB, UF | NX);
  expectResult('fmul.s', [0xbf7fffffn, S_MIN_NORMAL], RDN, S_MIN_NORMAL | S_NEG, UF | NX);
  // (b) y = (1 + 2^-23)(1 - 2^-23) * 2^-126 = (1 - 2^-46) * 2^-126 (0x3f800001 * 0x007fffff).
  //     Rounded to 24 bits with unbounded exponent, RNE/RUP/RMM reach 2^-126 exactly: not tiny,
  //     so only NX although the value is below 2^-126. RTZ/RDN round down to (1 - 2^-24) * 2^-126:
  //     tiny, and the subnormal result is 0x7fffff: UF | NX.
  const b = [0x3f800001n, S_MAX_SUB];
  expectResult('fmul.s', b, RNE, S_MIN_NORMAL, NX);
  expectResult('fmul.s', b, RUP, S_MIN_NORMAL, NX);
  expectResult('fmul.s', b, RMM, S_MIN_NORMAL, NX);
  expectResult('fmul.s', b, RTZ, S_MAX_SUB, UF | NX);
  expectResult('fmul.s', b, RDN, S_MAX_SUB, UF | NX);
  // The binary64 twins: (1 - 2^-53) * 2^-1022 and (1 + 2^-52) * (max subnormal).
  expectResult('fmul.d', [0x3fefffffffffffffn, 0x0010000000000000n], RNE, 0x0010000000000000n, UF | NX);
  expectResult('fmul.d', [0x3ff0000000000001n, 0x000fffffffffffffn], RNE, 0x0010000000000000n, NX);
  expectResult('fmul.d', [0x3ff0000000000001n, 0x000fffffffffffffn], RTZ, 0x000fffffffffffffn, UF | NX);
  // (c) An exact tiny result raises nothing: 0.5 * 2^-126 = 2^-127 = 0x00400000.
  expectResult('fmul.s', [sbits(0.5), S_MIN_NORMAL], RNE, 0x00400000n, 0);
  expectResult('fadd.s', [S_MIN_NORMAL, S_MIN_SUB | S_NEG], RNE, S_MAX_SUB, 0); // subnormal sums are exact
  // (d) Underflow to zero: 0.5 * 2^-149 = 2^-150, a tie between 0 and 2^-149.
  expectResult('fmul.s', [S_MIN_SUB, sbits(0.5)], RNE, 0n, UF | NX);
  expectResult('fmul.s', [S_MIN_SUB, sbits(0.5)], RUP, S_MIN_SUB, UF | NX);
  expectResult('fmul.s', [S_MIN_SUB, sbits(0.5)], RMM, S_MIN_SUB, UF | NX);
  expectResult('fmul.s', [S_MIN_SUB | S_NEG, sbits(0.5)], RNE, S_NEG, UF | NX); // -0
  expectResult('fmul.s', [S_MIN_SUB | S_NEG, sbits(0.5)], RDN, S_MIN_SUB | S_NEG, UF | NX);
  // (e) 2^-126 / (1 + 2^-23) = 2^-126 * (1 - 2^-23 + 2^-46 - ...): rounds (unbounded) to
  //     (1 - 2^-23) * 2^-126 under RNE: tiny; the subnormal result is 0x7fffff.
  expectResult('fdiv.s', [S_MIN_NORMAL, 0x3f800001n], RNE, S_MAX_SUB, UF | NX);
  // (f) fcvt.s.d: the smallest double subnormal becomes +0 (RNE) or the smallest single (RUP).
  expectResult('fcvt.s.d', [1n], RNE, 0n, UF | NX);
  expectResult('fcvt.s.d', [1n], RUP, S_MIN_SUB, UF | NX);
  expectResult('fcvt.s.d', [1n | D_NEG], RDN, S_MIN_SUB | S_NEG, UF | NX);
});

test('overflow: OF|NX, infinity or the largest finite value by mode and sign; RTZ below 2^128 is only NX', () => {
  const maxInf: [number, bigint, bigint][] = [
    // rm, result for +, result for -
    [RNE, S_INF, S_INF | S_NEG],
    [RTZ, S_MAX, S_MAX | S_NEG],
    [RDN, S_MAX, S_INF | S_NEG],
    [RUP, S_INF, S_MAX | S_NEG],
    [RMM, S_INF, S_INF | S_NEG],
  ];
  for (const [rm, pos, negative] of maxInf) {
    expectResult('fadd.s', [S_MAX, S_MAX], rm, pos, OF | NX);
    expectResult('fadd.s', [S_MAX | S_NEG, S_MAX | S_NEG], rm, negative, OF | NX);
    expectResult(
      'fmul.d',
      [dbits(1e300), dbits(1e300)],
      rm,
      rm === RNE || rm === RMM || rm === RUP ? D_INF : D_INF - 1n,
      OF | NX,
    );
  }
  // max + 3/4 ulp (ulp of max = 2^104): RNE rounds up past max (overflow), but RTZ rounds to max,
  // and with an unbounded exponent that is max itself: no overflow, only NX (IEEE 754-2008 7.4;
  // SoftFloat's roundPack signals overflow in RTZ only from 2^128 up).
  const threeQuarters = sbits(3 * 2 ** 102);
  expectResult('fadd.s', [S_MAX, threeQuarters], RNE, S_INF, OF | NX);
  expectResult('fadd.s', [S_MAX, threeQuarters], RTZ, S_MAX, NX);
  expectResult('fadd.s', [S_MAX, threeQuarters], RDN, S_MAX, NX);
  expectResult('fadd.s', [S_MAX, threeQuarters], RUP, S_INF, OF | NX);
  // max + half ulp: a tie; max's significand is odd, so RNE rounds up and overflows.
  expectResult('fadd.s', [S_MAX, sbits(2 ** 103)], RNE, S_INF, OF | NX);
  expectResult('fadd.s', [S_MAX, sbits(2 ** 103)], RTZ, S_MAX, NX);
  // max - half ulp: tie between max - ulp (even) and max (odd): RNE goes down.
  expectResult('fsub.s', [S_MAX, sbits(2 ** 103)], RNE, S_MAX - 1n, NX);
  // Exactly 2^128: overflows in every mode.
  expectResult('fmul.s', [sbits(2 ** 127), sbits(2)], RTZ, S_MAX, OF | NX);
  // fcvt.s.d of a large double.
  expectResult('fcvt.s.d', [dbits(1e300)], RNE, S_INF, OF | NX);
  expectResult('fcvt.s.d', [dbits(-1e300)], RUP, S_MAX | S_NEG, OF | NX);
  // The fused op does not overflow in the middle: max * 2 - max = max exactly.
  expectResult('fmadd.s', [S_MAX, sbits(2), S_MAX | S_NEG], RNE, S_MAX, 0);
});

test('fused multiply-add rounds once: (1 + 2^-12)^2 - 1 differs from rounding the product first', () => {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24. Fused, minus 1, that is 2^-11 + 2^-24 = 0x3a000400 exactly.
  const a = sbits(1 + 2 ** -12);
  expectResult('fmadd.s', [a, a, sbits(-1)], RNE, sbits(2 ** -11 + 2 ** -24), 0);
  assert.equal(sbits(2 ** -11 + 2 ** -24), 0x3a000400n);
  // Separately: the product is a tie at 2^-24 and rounds to the even 1 + 2^-11, and then the
  // subtraction gives 2^-11: the value a non-fused implementation would produce.
  const product = fpOracle('fmul.s', [a, a], RNE);
  assert.deepEqual(product, { bits: sbits(1 + 2 ** -11), flags: NX });
  assert.equal(fpOracle('fadd.s', [product.bits, sbits(-1)], RNE).bits, sbits(2 ** -11));
  // binary64: (1 + 2^-27)^2 - 1 = 2^-26 + 2^-54 fused; JS (no fma) computes 2^-26.
  const b = dbits(1 + 2 ** -27);
  expectResult('fmadd.d', [b, b, dbits(-1)], RNE, dbits(2 ** -26 + 2 ** -54), 0);
  assert.equal((1 + 2 ** -27) * (1 + 2 ** -27) - 1, 2 ** -26);
  // The four variants on the same magnitudes: fmsub = ab - c, fnmsub = -ab + c, fnmadd = -ab - c.
  const [x, y, z] = [sbits(1.5), sbits(2), sbits(0.25)];
  expectResult('fmadd.s', [x, y, z], RNE, sbits(3.25), 0);
  expectResult('fmsub.s', [x, y, z], RNE, sbits(2.75), 0);
  expectResult('fnmsub.s', [x, y, z], RNE, sbits(-2.75), 0);
  expectResult('fnmadd.s', [x, y, z], RNE, sbits(-3.25), 0);
});

test('signs of exact zero sums: +0 except under RDN, and -0 + -0 = -0 (also for fused ops)', () => {
  for (const rm of MODES) {
    const zero = rm === RDN ? S_NEG : 0n;
    expectResult('fadd.s', [sbits(1), sbits(-1)], rm, zero, 0);
    expectResult('fsub.s', [sbits(1.5), sbits(1.5)], rm, zero, 0);
    expectResult('fadd.s', [0n, S_NEG], rm, zero, 0);
    expectResult('fadd.s', [S_NEG, S_NEG], rm, S_NEG, 0);
    expectResult('fsub.s', [S_NEG, 0n], rm, S_NEG, 0); // -0 - +0 = -0 + -0
    expectResult('fsub.d', [dbits(3), dbits(3)], rm, rm === RDN ? D_NEG : 0n, 0);
    expectResult('fmadd.s', [sbits(2), sbits(3), sbits(-6)], rm, zero, 0);
    expectResult('fmadd.s', [0n, sbits(5), S_NEG], rm, zero, 0); // +0 * 5 + -0
    expectResult('fmadd.s', [S_NEG, sbits(5), S_NEG], rm, S_NEG, 0); // -0 + -0
    // fnmadd: -(2 * 3) - (-6) = -6 + 6: an exact zero sum, +0 (not -(+0)) outside RDN.
    expectResult('fnmadd.s', [sbits(2), sbits(3), sbits(-6)], rm, zero, 0);
    // fnmsub: -(+0 * 5) + +0 = -0 + +0.
    expectResult('fnmsub.s', [0n, sbits(5), 0n], rm, zero, 0);
    expectResult('fmul.s', [S_NEG, sbits(5)], rm, S_NEG, 0);
  }
});

test('invalid operations give the canonical NaN with NV; x/0 gives DZ; sqrt(-0) = -0', () => {
  expectResult('fadd.s', [S_INF, S_INF | S_NEG], RNE, S_QNAN, NV);
  expectResult('fsub.d', [D_INF, D_INF], RNE, D_QNAN, NV);
  expectResult('fmul.d', [0n, D_INF], RNE, D_QNAN, NV);
  expectResult('fdiv.s', [0n, S_NEG], RNE, S_QNAN, NV);
  expectResult('fdiv.s', [S_INF, S_INF | S_NEG], RNE, S_QNAN, NV);
  expectResult('fsqrt.s', [sbits(-1)], RNE, S_QNAN, NV);
  expectResult('fsqrt.s', [S_MIN_SUB | S_NEG], RNE, S_QNAN, NV);
  expectResult('fsqrt.d', [D_INF | D_NEG], RNE, D_QNAN, NV);
  expectResult('fsqrt.s', [S_NEG], RNE, S_NEG, 0);
  expectResult('fsqrt.d', [D_NEG], RDN, D_NEG, 0);
  expectResult('fsqrt.s', [S_INF], RNE, S_INF, 0);
  expectResult('fsqrt.s', [sbits(2.25)], RNE, sbits(1.5), 0);
  expectResult('fdiv.s', [sbits(1), 0n], RNE, S_INF, DZ);
  expectResult('fdiv.s', [sbits(-1), 0n], RNE, S_INF | S_NEG, DZ);
  expectResult('fdiv.d', [dbits(1), D_NEG], RTZ, D_INF | D_NEG, DZ);
  expectResult('fdiv.s', [S_INF, 0n], RNE, S_INF, 0); // infinity is exact: no DZ
  expectResult('fdiv.s', [0n, S_INF | S_NEG], RNE, S_NEG, 0);
  expectResult('fdiv.s', [sbits(1), sbits(3)], RNE, sbits(Math.fround(1 / 3)), NX);
});

test('NaN inputs: canonical NaN out, NV only for signalling inputs (inf*0 in fused ops always NV)', () => {
  expectResult('fadd.s', [0x7fc00001n, sbits(1)], RNE, S_QNAN, 0); // payload dropped
  expectResult('fadd.s', [0xffc00000n, sbits(1)], RNE, S_QNAN, 0); // sign dropped
  expectResult('fadd.s', [S_SNAN, sbits(1)], RNE, S_QNAN, NV);
  expectResult('fmul.s', [S_QNAN, S_SNAN | S_NEG], RNE, S_QNAN, NV);
  expectResult('fmul.d', [D_QNAN | D_NEG, 0n], RNE, D_QNAN, 0);
  expectResult('fsqrt.s', [0xffc00000n], RNE, S_QNAN, 0); // a negative quiet NaN is not an invalid sqrt
  expectResult('fdiv.d', [D_SNAN, dbits(2)], RNE, D_QNAN, NV);
  expectResult('fmadd.s', [S_INF, 0n, S_QNAN], RNE, S_QNAN, NV);
  expectResult('fmadd.s', [0n, S_INF | S_NEG, 0xffc00123n], RNE, S_QNAN, NV);
  expectResult('fmadd.d', [D_INF, 0n, D_SNAN], RNE, D_QNAN, NV);
  expectResult('fmadd.s', [S_QNAN, 0n, S_INF], RNE, S_QNAN, 0); // no inf*0 here
  expectResult('fmadd.s', [S_INF, sbits(1), S_INF | S_NEG], RNE, S_QNAN, NV); // inf - inf
  expectResult('fnmadd.s', [S_INF, sbits(1), S_INF | S_NEG], RNE, S_QNAN, NV); // -inf - (-inf)
  expectResult('fmsub.s', [S_INF, sbits(1), S_INF], RNE, S_QNAN, NV);
  expectResult('fmadd.s', [S_INF, sbits(-1), S_INF | S_NEG], RNE, S_INF | S_NEG, 0);
  expectResult('fmadd.s', [sbits(1), sbits(1), S_INF | S_NEG], RNE, S_INF | S_NEG, 0);
  expectResult('fcvt.d.s', [S_SNAN], RNE, D_QNAN, NV);
  expectResult('fcvt.d.s', [0xffc00001n], RNE, D_QNAN, 0);
  expectResult('fcvt.s.d', [0x7ff8000000000123n], RNE, S_QNAN, 0);
  expectResult('fcvt.s.d', [D_SNAN | D_NEG], RNE, S_QNAN, NV);
});

test('fmin/fmax (2.2+): a lone NaN yields the other operand, two NaNs the canonical NaN, -0 < +0', () => {
  expectResult('fmin.s', [S_NEG, 0n], 0, S_NEG, 0);
  expectResult('fmin.s', [0n, S_NEG], 0, S_NEG, 0);
  expectResult('fmax.s', [S_NEG, 0n], 0, 0n, 0);
  expectResult('fmax.d', [0n, D_NEG], 0, 0n, 0);
  expectResult('fmin.s', [S_QNAN, sbits(1)], 0, sbits(1), 0);
  expectResult('fmax.s', [sbits(-1), 0xffc00001n], 0, sbits(-1), 0);
  expectResult('fmin.s', [S_SNAN, sbits(1)], 0, sbits(1), NV);
  expectResult('fmax.d', [dbits(2), D_SNAN], 0, dbits(2), NV);
  expectResult('fmin.s', [S_QNAN, S_QNAN], 0, S_QNAN, 0);
  expectResult('fmax.s', [0x7fc00001n, 0xffc00000n], 0, S_QNAN, 0);
  expectResult('fmin.d', [D_SNAN, D_QNAN], 0, D_QNAN, NV);
  expectResult('fmin.d', [D_QNAN | D_NEG, D_INF | D_NEG], 0, D_INF | D_NEG, 0);
  expectResult('fmax.s', [S_MIN_SUB, S_MIN_SUB | S_NEG], 0, S_MIN_SUB, 0);
});

test('feq is quiet, flt/fle signal on any NaN; NaN compares false; -0 == +0', () => {
  expectResult('feq.s', [S_QNAN, sbits(1)], 0, 0n, 0);
  expectResult('feq.s', [S_SNAN, sbits(1)], 0, 0n, NV);
  expectResult('feq.d', [D_QNAN, D_QNAN], 0, 0n, 0);
  expectResult('flt.s', [S_QNAN, sbits(1)], 0, 0n, NV);
  expectResult('fle.d', [dbits(1), D_QNAN], 0, 0n, NV);
  expectResult('feq.s', [0n, S_NEG], 0, 1n, 0);
  expectResult('flt.s', [S_NEG, 0n], 0, 0n, 0);
  expectResult('fle.s', [S_NEG, 0n], 0, 1n, 0);
  expectResult('flt.d', [D_INF | D_NEG, D_INF], 0, 1n, 0);
  expectResult('fle.s', [S_INF, S_INF], 0, 1n, 0);
  expectResult('flt.s', [S_MAX_SUB, S_MIN_NORMAL], 0, 1n, 0);
});

test('fclass sets exactly one of the ten class bits', () => {
  const single: [bigint, number][] = [
    [S_INF | S_NEG, 0],
    [sbits(-1), 1],
    [S_MAX_SUB | S_NEG, 2],
    [S_NEG, 3],
    [0n, 4],
    [S_MIN_SUB, 5],
    [S_MIN_NORMAL, 6],
    [S_INF, 7],
    [S_SNAN, 8],
    [S_SNAN | S_NEG, 8],
    [S_QNAN, 9],
    [0xffffffffn, 9],
  ];
  for (const [bits, bit] of single) expectResult('fclass.s', [bits], 0, 1n << BigInt(bit), 0);
  const double: [bigint, number][] = [
    [D_INF | D_NEG, 0],
    [dbits(-1e300), 1],
    [1n | D_NEG, 2],
    [D_NEG, 3],
    [0n, 4],
    [0x000fffffffffffffn, 5],
    [0x0010000000000000n, 6],
    [D_INF, 7],
    [0x7ff7ffffffffffffn, 8],
    [D_QNAN | D_NEG, 9],
  ];
  for (const [bits, bit] of double) expectResult('fclass.d', [bits], 0, 1n << BigInt(bit), 0);
});

test('sign injection and moves work on raw bits: no flags, NaNs kept as they are', () => {
  expectResult('fsgnj.s', [sbits(1), sbits(-2)], 0, sbits(-1), 0);
  expectResult('fsgnjn.s', [sbits(1), sbits(-2)], 0, sbits(1), 0);
  expectResult('fsgnjx.s', [sbits(-1), sbits(-2)], 0, sbits(1), 0);
  expectResult('fsgnjn.s', [S_SNAN, S_SNAN], 0, S_SNAN | S_NEG, 0); // fneg of an sNaN: no NV
  expectResult('fsgnjx.d', [D_SNAN | D_NEG, D_SNAN | D_NEG], 0, D_SNAN, 0); // fabs
  expectResult('fsgnj.d', [0x7ff8000000000123n, D_NEG], 0, 0xfff8000000000123n, 0);
  expectResult('fmv.x.w', [0x80000000n], 0, 0xffffffff80000000n, 0); // sign-extended
  expectResult('fmv.x.w', [S_QNAN], 0, S_QNAN, 0);
  expectResult('fmv.w.x', [0xdeadbeef3f800000n], 0, 0x3f800000n, 0);
  expectResult('fmv.x.d', [D_SNAN], 0, D_SNAN, 0);
  expectResult('fmv.d.x', [M64], 0, M64, 0);
});

test('conversions to integer: rounding, NX, saturation with NV alone, sign-extended W results', () => {
  const w = (x: number, rm: number, bits: bigint, flags: number) =>
    expectResult('fcvt.w.d', [dbits(x)], rm, bits, flags);
  const sext = (x: bigint) => BigInt.asUintN(64, x);
  w(2.5, RNE, 2n, NX);
  w(2.5, RMM, 3n, NX);
  w(2.5, RUP, 3n, NX);
  w(2.5, RDN, 2n, NX);
  w(2.5, RTZ, 2n, NX);
  w(-2.5, RNE, sext(-2n), NX);
  w(-2.5, RMM, sext(-3n), NX);
  w(-2.5, RDN, sext(-3n), NX);
  w(-2.5, RUP, sext(-2n), NX);
  w(-0, RNE, 0n, 0);
  w(2 ** 31, RNE, 0x7fffffffn, NV); // out of range: NV without NX
  w(2 ** 31 - 0.5, RTZ, 0x7fffffffn, NX);
  w(2 ** 31 - 0.5, RNE, 0x7fffffffn, NV); // ties to the even 2^31, which is out of range
  w(-(2 ** 31), RNE, 0xffffffff80000000n, 0);
  w(-(2 ** 31) - 0.5, RTZ, 0xffffffff80000000n, NX);
  w(-(2 ** 31) - 0.5, RNE, 0xffffffff80000000n, NX); // ties to the even -2^31
  w(-(2 ** 31) - 0.5, RDN, 0xffffffff80000000n, NV);
  w(-(2 ** 31) - 0.5, RMM, 0xffffffff80000000n, NV);
  w(Number.NaN, RNE, 0x7fffffffn, NV);
  w(-Infinity, RNE, 0xffffffff80000000n, NV);
  expectResult('fcvt.w.s', [0xffc00000n], RNE, 0x7fffffffn, NV); // negative NaN: still the maximum
  // Unsigned: a negative value that rounds to 0 is 0 with only NX; one that rounds to -1 is NV.
  const wu = (x: number, rm: number, bits: bigint, flags: number) =>
    expectResult('fcvt.wu.d', [dbits(x)], rm, bits, flags);
  wu(-0.5, RTZ, 0n, NX);
  wu(-0.5, RNE, 0n, NX);
  wu(-0.5, RUP, 0n, NX);
  wu(-0.5, RDN, 0n, NV);
  wu(-0.5, RMM, 0n, NV);
  wu(-1, RTZ, 0n, NV);
  wu(2 ** 32 - 1, RNE, M64, 0); // 0xffffffff sign-extended
  wu(2 ** 31, RNE, 0xffffffff80000000n, 0);
  wu(2 ** 32, RNE, M64, NV);
  wu(Number.NaN, RNE, M64, NV);
  wu(-Infinity, RNE, 0n, NV);
  expectResult('fcvt.wu.s', [S_QNAN], RNE, M64, NV);
  expectResult('fcvt.lu.s', [S_MIN_SUB | S_NEG], RTZ, 0n, NX);
  expectResult('fcvt.lu.s', [S_MIN_SUB | S_NEG], RDN, 0n, NV);
  expectResult('fcvt.lu.s', [S_MIN_SUB], RUP, 1n, NX);
  const l = (x: number, rm: number, bits: bigint, flags: number) =>
    expectResult('fcvt.l.d', [dbits(x)], rm, bits, flags);
  l(Number.NaN, RNE, 0x7fffffffffffffffn, NV);
  l(Infinity, RNE, 0x7fffffffffffffffn, NV);
  l(-Infinity, RNE, 0x8000000000000000n, NV);
  l(2 ** 63, RNE, 0x7fffffffffffffffn, NV);
  l(-(2 ** 63), RNE, 0x8000000000000000n, 0);
  l(2 ** 63 - 1024, RNE, 0x7ffffffffffffc00n, 0); // the largest double below 2^63
  expectResult('fcvt.lu.d', [dbits(2 ** 64)], RNE, M64, NV);
  expectResult('fcvt.lu.d', [dbits(2 ** 64 - 2048)], RNE, 0xfffffffffffff800n, 0);
  expectResult('fcvt.lu.d', [D_NEG], RDN, 0n, 0);
  expectResult('fcvt.lu.d', [dbits(Number.NaN)], RNE, M64, NV);
  expectResult('fcvt.l.s', [sbits(-(2 ** 63))], RNE, 0x8000000000000000n, 0);
  expectResult('fcvt.l.s', [sbits(2 ** 63)], RNE, 0x7fffffffffffffffn, NV);
});

test('conversions from integer: rounding by rm, +0 for 0, W forms read the low 32 bits only', () => {
  // 2^24 + 1 is a tie between 2^24 (even) and 2^24 + 2.
  expectResult('fcvt.s.w', [16777217n], RNE, sbits(16777216), NX);
  expectResult('fcvt.s.w', [16777217n], RUP, sbits(16777218), NX);
  expectResult('fcvt.s.w', [16777217n], RMM, sbits(16777218), NX);
  expectResult('fcvt.s.w', [16777217n], RTZ, sbits(16777216), NX);
  expectResult('fcvt.s.w', [M64], RNE, sbits(-1), 0);
  expectResult('fcvt.s.w', [0xdeadbeef00000001n], RNE, sbits(1), 0);
  expectResult('fcvt.s.wu', [0xffffffffn], RNE, sbits(2 ** 32), NX);
  expectResult('fcvt.s.wu', [0xffffffffn], RTZ, sbits(2 ** 32 - 256), NX);
  expectResult('fcvt.s.wu', [0xffffffff80000000n], RNE, sbits(2 ** 31), 0);
  expectResult('fcvt.d.w', [0x80000000n], RNE, dbits(-(2 ** 31)), 0);
  expectResult('fcvt.d.wu', [0x80000000n], RNE, dbits(2 ** 31), 0);
  expectResult('fcvt.d.l', [(1n << 63n) - 1n], RNE, dbits(2 ** 63), NX);
  expectResult('fcvt.d.l', [(1n << 63n) - 1n], RTZ, dbits(2 ** 63 - 1024), NX);
  expectResult('fcvt.d.l', [1n << 63n], RNE, dbits(-(2 ** 63)), 0);
  expectResult('fcvt.d.lu', [M64], RDN, dbits(2 ** 64 - 2048), NX);
  expectResult('fcvt.s.l', [0n], RDN, 0n, 0); // +0 even when rounding down
  expectResult('fcvt.s.lu', [M64], RNE, sbits(2 ** 64), NX);
});

// ---------------------------------------------------------------------------------------------
// Properties over every mnemonic's edge vectors
// ---------------------------------------------------------------------------------------------

const FP_RESULT_RAW = new Set(['fsgnj', 'fsgnjn', 'fsgnjx', 'fmv']); // may return any NaN pattern

test('every mnemonic: results fit the destination, NaN results are canonical, rm-free ops ignore rm', () => {
  for (const mnemonic of FP_MNEMONICS) {
    const { result } = fpSignature(mnemonic);
    const width = result === 's' ? 32n : 64n;
    const raw = FP_RESULT_RAW.has(mnemonic.split('.')[0]!);
    for (const { operands, rm } of fpEdgeVectors(mnemonic, 200, 23)) {
      const r = fpOracle(mnemonic, operands, rm);
      assert.ok(r.bits >= 0n && r.bits >> width === 0n, `${mnemonic}: result ${hex(r.bits)} too wide`);
      assert.ok(Number.isInteger(r.flags) && r.flags >= 0 && r.flags < 32, `${mnemonic}: flags ${r.flags}`);
      if (result !== 'x' && !raw && isNaNBits(r.bits, result === 's' ? 32 : 64)) {
        assert.equal(r.bits, result === 's' ? S_QNAN : D_QNAN, `${mnemonic}: non-canonical NaN`);
      }
      if (!usesRoundingMode(mnemonic)) {
        for (const other of MODES) assert.deepEqual(fpOracle(mnemonic, operands, other), r, `${mnemonic} rm=${other}`);
      }
    }
  }
});

test('every rounding mnemonic with an FP result: RDN <= RNE, RTZ, RMM <= RUP, NX the same in every mode', () => {
  for (const mnemonic of FP_MNEMONICS.filter(usesRoundingMode)) {
    const { result } = fpSignature(mnemonic);
    if (result === 'x') continue;
    const val = result === 's' ? sval : dval;
    for (const { operands, rm } of fpEdgeVectors(mnemonic, 300, 29)) {
      if (rm !== RNE) continue; // each operand tuple once
      const rs = MODES.map((m) => fpOracle(mnemonic, operands, m));
      const vs = rs.map((r) => val(r.bits));
      if (vs.some(Number.isNaN)) {
        assert.ok(vs.every(Number.isNaN), `${mnemonic}: NaN in some modes only`);
        continue;
      }
      const [ne, tz, dn, up, mm] = vs as [number, number, number, number, number];
      const what = `${mnemonic}(${operands.map(hex).join(', ')})`;
      for (const v of [ne, tz, mm]) assert.ok(dn <= v && v <= up, `${what}: ${dn} <= ${v} <= ${up}`);
      assert.ok(Math.abs(tz) <= Math.abs(ne) && Math.abs(tz) <= Math.abs(mm), `${what}: RTZ is not toward zero`);
      const inexact = rs.map((r) => r.flags & NX);
      assert.ok(
        inexact.every((f) => f === inexact[0]),
        `${what}: NX differs between modes`,
      );
      // Exact results agree in every mode (up to the sign of an exact zero, -0 under RDN).
      if (!inexact[0])
        assert.ok(
          vs.every((v) => v === ne),
          `${what}: exact but mode-dependent`,
        );
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

test('fpEdgeVectors: deterministic per seed, operands in range, every rounding mode where applicable', () => {
  for (const mnemonic of FP_MNEMONICS) {
    const a = fpEdgeVectors(mnemonic, 50, 4);
    assert.deepEqual(fpEdgeVectors(mnemonic, 50, 4), a, `${mnemonic}: not deterministic`);
    const edgeOnly = fpEdgeVectors(mnemonic, 0);
    assert.equal(a.length, edgeOnly.length + 50, `${mnemonic}: count is the number of random vectors`);
    assert.deepEqual(a.slice(0, edgeOnly.length), edgeOnly, `${mnemonic}: the edge set does not depend on the seed`);
    const other = fpEdgeVectors(mnemonic, 50, 5).slice(edgeOnly.length);
    assert.notDeepEqual(other, a.slice(edgeOnly.length), `${mnemonic}: seed has no effect`);
    const { operands: kinds } = fpSignature(mnemonic);
    const modes = new Set(a.map((v) => v.rm));
    assert.deepEqual([...modes].sort(), usesRoundingMode(mnemonic) ? MODES : [0], `${mnemonic}: rounding modes`);
    for (const v of a) {
      assert.equal(v.operands.length, kinds.length);
      v.operands.forEach((x, i) => {
        const width = kinds[i] === 's' ? 32n : 64n;
        assert.ok(x >= 0n && x >> width === 0n, `${mnemonic}: operand ${hex(x)} too wide`);
      });
    }
  }
});

test('fpEdgeVectors covers the advertised edge cases', () => {
  const has = (mnemonic: string, pred: (ops: bigint[]) => boolean) =>
    fpEdgeVectors(mnemonic, 0).some((v) => pred(v.operands));
  // Specials as operands, NaNs with the sign bit set, the integer-conversion limits.
  for (const bits of [0n, S_NEG, S_MIN_SUB, S_MAX_SUB, S_MIN_NORMAL, S_MAX, S_INF, S_QNAN, S_SNAN, 0xff800001n]) {
    assert.ok(
      has('fadd.s', (o) => o[0] === bits),
      `fadd.s lacks ${hex(bits)}`,
    );
  }
  for (const x of [
    2 ** 31,
    2 ** 32,
    2 ** 63,
    2 ** 64,
    -(2 ** 31),
    -(2 ** 63),
    2 ** 31 - 1,
    2 ** 32 - 1,
    -(2 ** 31) - 1,
    2.5,
  ]) {
    assert.ok(
      has('fcvt.w.d', (o) => o[0] === dbits(x)),
      `fcvt.w.d lacks ${x}`,
    );
  }
  // Results with each flag, found by the oracle itself over the edge set.
  const flagsSeen = (mnemonic: string) => {
    let seen = 0;
    for (const { operands, rm } of fpEdgeVectors(mnemonic, 0)) seen |= fpOracle(mnemonic, operands, rm).flags;
    return seen;
  };
  assert.equal(flagsSeen('fmul.s'), NV | OF | UF | NX);
  assert.equal(flagsSeen('fdiv.d'), NV | DZ | OF | UF | NX);
  assert.equal(flagsSeen('fmadd.d'), NV | OF | UF | NX);
  assert.equal(flagsSeen('fcvt.s.d'), NV | OF | UF | NX);
  assert.equal(flagsSeen('fcvt.wu.s'), NV | NX);
  // Ties: some fadd.s vector is inexact under RNE but its RNE and RMM results differ.
  const tie = fpEdgeVectors('fadd.s', 0).some(
    ({ operands }) => fpOracle('fadd.s', operands, RNE).bits !== fpOracle('fadd.s', operands, RMM).bits,
  );
  assert.ok(tie, 'no halfway case in fadd.s');
  // UF with a normal result (tininess after rounding) in fmul.s.
  assert.ok(
    fpEdgeVectors('fmul.s', 0).some(({ operands, rm }) => {
      const r = fpOracle('fmul.s', operands, rm);
      return r.flags & UF && (r.bits & 0x7fffffffn) === S_MIN_NORMAL;
    }),
  );
});

test('throughput: the whole default edge set of every mnemonic', (t) => {
  let n = 0;
  const start = performance.now();
  for (const mnemonic of FP_MNEMONICS) {
    for (const { operands, rm } of fpEdgeVectors(mnemonic)) {
      fpOracle(mnemonic, operands, rm);
      n++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  t.diagnostic(`${n} vectors (generation included) in ${seconds.toFixed(2)} s: ${Math.round(n / seconds)}/s`);
  assert.ok(n / seconds > 10_000, `only ${Math.round(n / seconds)} vectors/s`);
});
