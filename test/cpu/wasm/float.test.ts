// Floating point and the non-trapping float-to-int conversions. Oracles: the spec's instruction
// index (opcode and type of every float instruction, written out below, not derived from the
// table), V8 executing each instruction against JS arithmetic (IEEE double; single through
// Math.fround, exact for + - * / sqrt because double has more than 2p+2 bits), exact BigInt
// rounding for integer-to-float conversions, DataView bit patterns for NaN payloads, literal
// values from the spec's definitions (min/max on zeros, ties-to-even, saturation), and the
// validation algorithm for the type checker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Imm, methodName, OPS, opByName, PREFIX_MISC } from '../../../src/cpu/wasm/opcodes.js';
import { effect } from '../../../src/cpu/wasm/operand-stack.js';
import { type FunctionBuilder, ModuleBuilder, ValType } from '../../../src/cpu/wasm/module-builder.js';
import { Wasm, instantiateSync, type WasmGlobal, type WasmMemoryLike } from '../../../src/cpu/wasm/wasm-api.js';
import { printWat } from '../../../src/cpu/wasm/wat.js';
import { Prng } from '../../helpers/prng.js';
import { cases } from '../../helpers/scale.js';

const { i32, i64, f32, f64 } = ValType;
const TYPES: Record<string, ValType> = { i32, i64, f32, f64 };

// The spec's instruction index (core 2.0, appendix "Index of Instructions"): opcode, name, type.
const SPEC = `
2a f32.load i32 -> f32
2b f64.load i32 -> f64
38 f32.store i32 f32 ->
39 f64.store i32 f64 ->
43 f32.const -> f32
44 f64.const -> f64
5b f32.eq f32 f32 -> i32
5c f32.ne f32 f32 -> i32
5d f32.lt f32 f32 -> i32
5e f32.gt f32 f32 -> i32
5f f32.le f32 f32 -> i32
60 f32.ge f32 f32 -> i32
61 f64.eq f64 f64 -> i32
62 f64.ne f64 f64 -> i32
63 f64.lt f64 f64 -> i32
64 f64.gt f64 f64 -> i32
65 f64.le f64 f64 -> i32
66 f64.ge f64 f64 -> i32
8b f32.abs f32 -> f32
8c f32.neg f32 -> f32
8d f32.ceil f32 -> f32
8e f32.floor f32 -> f32
8f f32.trunc f32 -> f32
90 f32.nearest f32 -> f32
91 f32.sqrt f32 -> f32
92 f32.add f32 f32 -> f32
93 f32.sub f32 f32 -> f32
94 f32.mul f32 f32 -> f32
95 f32.div f32 f32 -> f32
96 f32.min f32 f32 -> f32
97 f32.max f32 f32 -> f32
98 f32.copysign f32 f32 -> f32
99 f64.abs f64 -> f64
9a f64.neg f64 -> f64
9b f64.ceil f64 -> f64
9c f64.floor f64 -> f64
9d f64.trunc f64 -> f64
9e f64.nearest f64 -> f64
9f f64.sqrt f64 -> f64
a0 f64.add f64 f64 -> f64
a1 f64.sub f64 f64 -> f64
a2 f64.mul f64 f64 -> f64
a3 f64.div f64 f64 -> f64
a4 f64.min f64 f64 -> f64
a5 f64.max f64 f64 -> f64
a6 f64.copysign f64 f64 -> f64
a8 i32.trunc_f32_s f32 -> i32
a9 i32.trunc_f32_u f32 -> i32
aa i32.trunc_f64_s f64 -> i32
ab i32.trunc_f64_u f64 -> i32
ae i64.trunc_f32_s f32 -> i64
af i64.trunc_f32_u f32 -> i64
b0 i64.trunc_f64_s f64 -> i64
b1 i64.trunc_f64_u f64 -> i64
b2 f32.convert_i32_s i32 -> f32
b3 f32.convert_i32_u i32 -> f32
b4 f32.convert_i64_s i64 -> f32
b5 f32.convert_i64_u i64 -> f32
b6 f32.demote_f64 f64 -> f32
b7 f64.convert_i32_s i32 -> f64
b8 f64.convert_i32_u i32 -> f64
b9 f64.convert_i64_s i64 -> f64
ba f64.convert_i64_u i64 -> f64
bb f64.promote_f32 f32 -> f64
bc i32.reinterpret_f32 f32 -> i32
bd i64.reinterpret_f64 f64 -> i64
be f32.reinterpret_i32 i32 -> f32
bf f64.reinterpret_i64 i64 -> f64
fc00 i32.trunc_sat_f32_s f32 -> i32
fc01 i32.trunc_sat_f32_u f32 -> i32
fc02 i32.trunc_sat_f64_s f64 -> i32
fc03 i32.trunc_sat_f64_u f64 -> i32
fc04 i64.trunc_sat_f32_s f32 -> i64
fc05 i64.trunc_sat_f32_u f32 -> i64
fc06 i64.trunc_sat_f64_s f64 -> i64
fc07 i64.trunc_sat_f64_u f64 -> i64
`;

interface SpecOp {
  name: string;
  prefix: number;
  code: number;
  pops: ValType[];
  pushes: ValType[];
}

const SPEC_OPS: SpecOp[] = SPEC.trim()
  .split('\n')
  .map((line) => {
    const [hex, name, ...rest] = line.split(' ');
    const arrow = rest.indexOf('->');
    const prefixed = hex!.length === 4;
    return {
      name: name!,
      prefix: prefixed ? PREFIX_MISC : 0,
      code: parseInt(prefixed ? hex!.slice(2) : hex!, 16),
      pops: rest.slice(0, arrow).map((t) => TYPES[t]!),
      pushes: rest.slice(arrow + 1).map((t) => TYPES[t]!),
    };
  });

/** The instructions a function can exercise on its parameters alone (no memory, no immediate). */
const PLAIN = SPEC_OPS.filter((s) => !/load|store|const/.test(s.name));

type Fn = (...a: unknown[]) => unknown;
const call = (f: FunctionBuilder, name: string): (() => unknown) =>
  (f as unknown as Record<string, () => unknown>)[methodName(name)]!.bind(f);

test('every float instruction of the spec index is in the table with its opcode, and types as the index says', () => {
  // The MVP float set (the relaxed-SIMD lane operations for the host fma are tested apart).
  const inTable = OPS.filter((o) => /f32|f64/.test(o.name) && !o.name.includes('x2.')).map((o) => o.name);
  assert.deepEqual(inTable.sort(), SPEC_OPS.map((s) => s.name).sort(), 'the float instructions of the table');
  for (const s of SPEC_OPS) {
    const o = opByName(s.name);
    assert.equal(o.prefix, s.prefix, `${s.name} prefix`);
    assert.equal(o.code, s.code, `${s.name} opcode`);
    if (s.name.endsWith('.const')) {
      assert.equal(o.imm, s.name === 'f32.const' ? Imm.F32 : Imm.F64);
      continue;
    }
    if (/load|store/.test(s.name)) assert.equal(o.width, s.name.startsWith('f32') ? 4 : 8, `${s.name} width`);
    const e = effect(s.prefix, s.code);
    assert.ok(e, `${s.name}: no stack effect`);
    assert.deepEqual([e.pops, e.pushes], [s.pops, s.pushes], `${s.name} type`);
  }
  // The integer instructions keep their effects (spot checks across the derivation rules).
  assert.deepEqual(effect(0, 0xa7)!.pops, [i64]);
  assert.deepEqual(effect(0, 0xad)!.pushes, [i64]);
  assert.deepEqual(effect(0, 0x53)!.pushes, [i32]);
  assert.deepEqual(effect(0, 0xc4)!.pops, [i64]);
});

// --- Values and reference semantics ---

const f64Bits = (v: number): bigint => {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, v, true);
  return d.getBigUint64(0, true);
};
const f32Bits = (v: number): number => {
  const d = new DataView(new ArrayBuffer(4));
  d.setFloat32(0, v, true);
  return d.getUint32(0, true);
};
const fromF64Bits = (b: bigint): number => {
  const d = new DataView(new ArrayBuffer(8));
  d.setBigUint64(0, BigInt.asUintN(64, b), true);
  return d.getFloat64(0, true);
};
const fromF32Bits = (b: number): number => {
  const d = new DataView(new ArrayBuffer(4));
  d.setUint32(0, b >>> 0, true);
  return d.getFloat32(0, true);
};

const F64_EDGE = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  -1.5,
  2.5,
  -2.5,
  3.5,
  -0.3,
  0.49999999999999994,
  4503599627370495.5,
  2 ** 52,
  2 ** 53,
  0.1,
  -0.1,
  Math.PI,
  -Math.E,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1e-310,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Infinity,
  -Infinity,
  NaN,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 31 - 0.5,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 31) - 0.5,
  2 ** 32,
  2 ** 32 - 1,
  2 ** 32 - 0.5,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  2 ** 64 - 2048,
  2 ** 63 - 1024,
  -(2 ** 63) - 2048,
  -0.9,
  0.9,
  1e20,
  -1e20,
  3.4028234663852886e38,
  3.4028235677973366e38,
  1.401298464324817e-45,
  7e-46,
  16777217,
  8388607.5,
  8388608.5,
];

const rng = new Prng(0xf10a7);
function randomF64(): number {
  switch (rng.below(4)) {
    case 0:
      return fromF64Bits((BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
    case 1:
      return (rng.float() - 0.5) * 2 ** rng.range(-60, 70);
    case 2:
      return rng.range(-2000, 2000) + rng.pick([0, 0.5, 0.25, 0.75]);
    default:
      return rng.pick(F64_EDGE);
  }
}
const F64_VALUES = [...F64_EDGE, ...Array.from({ length: cases(150) }, randomF64)];
const F32_VALUES = [...F64_VALUES.map(Math.fround), ...Array.from({ length: cases(50) }, () => fromF32Bits(rng.u32()))];
const I32_EDGE = [
  0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  16777217,
  16777219,
  -16777217,
  0x7fff_ffc0,
  0x7fff_ffbf,
  0x7fff_ff7f,
  0x7f80_0001 | 0,
  0xffc0_0000 | 0,
  0x3dcc_cccd,
];
const I32_VALUES = [...I32_EDGE, ...Array.from({ length: cases(100) }, () => rng.u32() | 0)];
const I64_EDGE = [
  0n,
  1n,
  -1n,
  (1n << 63n) - 1n,
  -(1n << 63n),
  (1n << 53n) + 1n,
  (1n << 60n) + (1n << 36n) + 1n, // rounding via double first would land on the f32 tie
  (1n << 60n) + (1n << 36n),
  (1n << 60n) + (1n << 37n) + (1n << 36n),
  -((1n << 60n) + (1n << 36n) + 1n),
  BigInt.asIntN(64, 0x8000_0000_0000_0400n),
  BigInt.asIntN(64, 0xffff_ff80_0000_0001n),
  0x7ff0_0000_0000_0001n,
  BigInt.asIntN(64, 0xfff8_0000_0000_0000n),
];
const I64_VALUES = [
  ...I64_EDGE,
  ...Array.from({ length: cases(100) }, () =>
    BigInt.asIntN(64, (BigInt(rng.u32()) << BigInt(rng.range(0, 32))) ^ BigInt(rng.u32())),
  ),
];

const inputsOf = (t: ValType): readonly (number | bigint)[] =>
  t === f32 ? F32_VALUES : t === f64 ? F64_VALUES : t === i32 ? I32_VALUES : I64_VALUES;

/** Round an integer to the nearest float with `p` significand bits, ties to even. */
function roundToFloat(v: bigint, p: number): number {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const len = a.toString(2).length;
  let r: number;
  if (len <= p) r = Number(a);
  else {
    const shift = BigInt(len - p);
    let q = a >> shift;
    const rem = a - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    r = Number(q) * 2 ** Number(shift);
  }
  return neg ? -r : r;
}

const TRAP = Symbol('trap');
const SKIP = Symbol('skip');
type Want = number | bigint | typeof TRAP | typeof SKIP;

/** Float-to-int truncation: trapping (sat false) or saturating; result as the JS API returns it. */
function truncRef(x: number, bits: 32 | 64, signed: boolean, sat: boolean): Want {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  let t: bigint;
  if (Number.isNaN(x)) {
    if (!sat) return TRAP;
    t = 0n;
  } else if (!Number.isFinite(x)) {
    if (!sat) return TRAP;
    t = x > 0 ? hi : lo;
  } else {
    t = BigInt(Math.trunc(x));
    if (t < lo || t > hi) {
      if (!sat) return TRAP;
      t = t < lo ? lo : hi;
    }
  }
  return bits === 32 ? Number(BigInt.asIntN(32, t)) : BigInt.asIntN(64, t);
}

/** IEEE roundToIntegralTiesToEven. */
function nearest(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x - Math.trunc(x)) !== 0.5) return Math.round(x);
  return 2 * Math.round(x / 2);
}

const isNegative = (v: number): boolean => v < 0 || Object.is(v, -0);
const b = (c: boolean): number => (c ? 1 : 0);

/** Reference result of instruction `name` on JS-side operands (already of the operand types). */
function reference(name: string, a: unknown[]): Want {
  const [type, op] = name.split('.') as [string, string];
  const x = a[0] as number;
  const y = a[1] as number;
  const single = type === 'f32';
  const r = (v: number): number => (single ? Math.fround(v) : v);
  switch (op) {
    case 'eq':
      return b(x === y);
    case 'ne':
      return b(x !== y);
    case 'lt':
      return b(x < y);
    case 'gt':
      return b(x > y);
    case 'le':
      return b(x <= y);
    case 'ge':
      return b(x >= y);
    case 'abs':
      return Math.abs(x);
    case 'neg':
      return -x;
    case 'ceil':
      return Math.ceil(x);
    case 'floor':
      return Math.floor(x);
    case 'trunc':
      return Math.trunc(x);
    case 'nearest':
      return nearest(x);
    case 'sqrt':
      return r(Math.sqrt(x));
    case 'add':
      return r(x + y);
    case 'sub':
      return r(x - y);
    case 'mul':
      return r(x * y);
    case 'div':
      return r(x / y);
    case 'min':
      return Math.min(x, y);
    case 'max':
      return Math.max(x, y);
    case 'copysign':
      return Number.isNaN(y) ? SKIP : isNegative(y) ? -Math.abs(x) : Math.abs(x);
    case 'demote_f64':
      return Math.fround(x);
    case 'promote_f32':
      return x;
    case 'reinterpret_f32':
      return Number.isNaN(x) ? SKIP : f32Bits(x) | 0;
    case 'reinterpret_f64':
      return Number.isNaN(x) ? SKIP : BigInt.asIntN(64, f64Bits(x));
    case 'reinterpret_i32':
      return fromF32Bits(x);
    case 'reinterpret_i64':
      return fromF64Bits(a[0] as bigint);
  }
  const conv = /^(trunc|trunc_sat|convert)_([if](32|64))_([su])$/.exec(op);
  assert.ok(conv, `no reference for ${name}`);
  const signed = conv[4] === 's';
  if (conv[1] === 'convert') {
    const v = a[0] as number | bigint;
    const wide =
      conv[2] === 'i32'
        ? BigInt(signed ? (v as number) | 0 : (v as number) >>> 0)
        : BigInt[signed ? 'asIntN' : 'asUintN'](64, v as bigint);
    return roundToFloat(wide, single ? 24 : 53);
  }
  return truncRef(x, type === 'i32' ? 32 : 64, signed, conv[1] === 'trunc_sat');
}

function sameValue(got: unknown, want: number | bigint): boolean {
  if (typeof want === 'number' && Number.isNaN(want)) return typeof got === 'number' && Number.isNaN(got);
  return Object.is(got, want);
}

/** One module with one exported function per instruction: parameters in, the instruction, result out. */
function plainInstance(): Record<string, Fn> {
  const m = new ModuleBuilder();
  for (const s of PLAIN) {
    const f = m.function(s.name, s.pops, s.pushes);
    s.pops.forEach((_, i) => f.localGet(i));
    call(f, s.name)();
    m.exportFunction(s.name, f);
  }
  return instantiateSync(m.toBytes()) as Record<string, Fn>;
}

test('every float instruction computes what IEEE 754 (JS arithmetic) and the spec conversions say', () => {
  const e = plainInstance();
  let checked = 0;
  let trapped = 0;
  for (const s of PLAIN) {
    const fn = e[s.name]!;
    const xs = inputsOf(s.pops[0]!);
    const argLists: unknown[][] =
      s.pops.length === 1
        ? xs.map((x) => [x])
        : [
            ...F64_EDGE.flatMap((x) => F64_EDGE.map((y) => [x, y])).map((p) =>
              s.pops[0] === f32 ? p.map(Math.fround) : p,
            ),
            ...Array.from({ length: cases(300) }, () => [rng.pick(xs), rng.pick(xs)]),
          ];
    for (const args of argLists) {
      const want = reference(s.name, args);
      if (want === SKIP) continue;
      const what = `${s.name}(${args.map(String).join(', ')})`;
      if (want === TRAP) {
        assert.throws(
          () => fn(...args),
          (err: unknown) => err instanceof Wasm.RuntimeError && /float unrepresentable/.test((err as Error).message),
          what,
        );
        trapped++;
      } else {
        const got = fn(...args);
        assert.ok(sameValue(got, want), `${what} = ${String(got)}, want ${String(want)}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 20000 && trapped > 500, `checked ${checked}, trapped ${trapped}`);
});

test('min/max order -0 below +0 and propagate NaN; copysign takes the sign of zeros and infinities', () => {
  const e = plainInstance();
  for (const t of ['f32', 'f64']) {
    const min = e[`${t}.min`]!;
    const max = e[`${t}.max`]!;
    const cs = e[`${t}.copysign`]!;
    assert.ok(Object.is(min(0, -0), -0) && Object.is(min(-0, 0), -0), `${t}.min of zeros`);
    assert.ok(Object.is(max(0, -0), 0) && Object.is(max(-0, 0), 0), `${t}.max of zeros`);
    assert.ok(Number.isNaN(min(NaN, 1)) && Number.isNaN(min(-Infinity, NaN)), `${t}.min NaN`);
    assert.ok(Number.isNaN(max(1, NaN)) && Number.isNaN(max(NaN, Infinity)), `${t}.max NaN`);
    assert.equal(min(-Infinity, 3), -Infinity);
    assert.equal(max(-1, -2), -1);
    assert.equal(cs(1.5, -0), -1.5);
    assert.equal(cs(-2, 0), 2);
    assert.ok(Object.is(cs(-0, 1), 0));
    assert.ok(Object.is(cs(0, -Infinity), -0));
    assert.equal(cs(Infinity, -1), -Infinity);
  }
});

test('nearest rounds ties to even, keeping the sign of zero', () => {
  const e = plainInstance();
  const cases64: [number, number][] = [
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, -0],
    [-1.5, -2],
    [-2.5, -2],
    [-0.3, -0],
    [0.49999999999999994, 0],
    [4503599627370495.5, 4503599627370496],
    [4503599627370494.5, 4503599627370494],
    [-Infinity, -Infinity],
  ];
  for (const [x, want] of cases64) assert.ok(Object.is(e['f64.nearest']!(x), want), `f64.nearest(${x})`);
  const cases32: [number, number][] = [
    [8388607.5, 8388608],
    [8388606.5, 8388606],
    [-8388606.5, -8388606],
    [2.5, 2],
    [-0.5, -0],
  ];
  for (const [x, want] of cases32) assert.ok(Object.is(e['f32.nearest']!(x), want), `f32.nearest(${x})`);
});

test('trunc_sat saturates at the bounds and maps NaN to 0; the trapping forms trap there instead', () => {
  const e = plainInstance();
  const max64 = (1n << 63n) - 1n;
  const min64 = -(1n << 63n);
  const sat: [string, number, number | bigint][] = [
    ['i32.trunc_sat_f64_s', 1e10, 2147483647],
    ['i32.trunc_sat_f64_s', -1e10, -2147483648],
    ['i32.trunc_sat_f64_s', 2147483647.9, 2147483647],
    ['i32.trunc_sat_f64_s', -2147483648.9, -2147483648],
    ['i32.trunc_sat_f64_s', NaN, 0],
    ['i32.trunc_sat_f64_s', Infinity, 2147483647],
    ['i32.trunc_sat_f64_s', -Infinity, -2147483648],
    ['i32.trunc_sat_f64_s', -0.9, 0],
    ['i32.trunc_sat_f64_u', -1, 0],
    ['i32.trunc_sat_f64_u', 4294967295.5, -1],
    ['i32.trunc_sat_f64_u', 1e10, -1],
    ['i32.trunc_sat_f64_u', NaN, 0],
    ['i32.trunc_sat_f32_s', 2147483648, 2147483647],
    ['i32.trunc_sat_f32_u', -Infinity, 0],
    ['i64.trunc_sat_f64_s', 1e19, max64],
    ['i64.trunc_sat_f64_s', -1e19, min64],
    ['i64.trunc_sat_f64_s', NaN, 0n],
    ['i64.trunc_sat_f64_s', -(2 ** 63), min64],
    ['i64.trunc_sat_f64_u', 1e20, -1n],
    ['i64.trunc_sat_f64_u', 2 ** 64 - 2048, -2048n],
    ['i64.trunc_sat_f64_u', -5, 0n],
    ['i64.trunc_sat_f32_s', 2 ** 63, max64],
    ['i64.trunc_sat_f32_u', NaN, 0n],
  ];
  for (const [n, x, want] of sat) assert.equal(e[n]!(x), want, `${n}(${x})`);
  const traps: [string, number][] = [
    ['i32.trunc_f64_s', 2147483648],
    ['i32.trunc_f64_s', -2147483649],
    ['i32.trunc_f64_s', NaN],
    ['i32.trunc_f64_u', -1],
    ['i64.trunc_f64_s', 2 ** 63],
    ['i64.trunc_f32_u', -Infinity],
  ];
  for (const [n, x] of traps) assert.throws(() => e[n]!(x), Wasm.RuntimeError, `${n}(${x})`);
  assert.equal(e['i32.trunc_f64_s']!(-2147483648.9), -2147483648);
  assert.equal(e['i32.trunc_f64_u']!(-0.9), 0);
});

// --- Bit patterns ---

const NAN64 = [
  0x7ff0_0000_0000_0001n, // signalling, smallest payload
  0x7ff4_dead_beef_0001n,
  0xfff0_0000_0000_0001n,
  0x7ff8_0000_0000_0000n, // canonical quiet
  0xfff8_0000_0000_0001n,
  0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n, // -0
  0x0000_0000_0000_0001n, // smallest subnormal
];
const NAN32 = [0x7f80_0001, 0x7fa0_0000, 0xff80_0001, 0x7fc0_0000, 0xffc0_0001, 0x7fff_ffff, 0x8000_0000, 0x0000_0001];

/** Functions moving float bits through memory, locals, blocks, select, a global and the sign ops. */
function bitsModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1 });
  m.exportMemory('mem');
  for (const [t, w] of [
    [f64, 'F64'],
    [f32, 'F32'],
  ] as const) {
    const g = m.defineGlobal(t, true, 0);
    const load = (f: FunctionBuilder, i: number): FunctionBuilder =>
      t === f64 ? f.localGet(i).f64Load() : f.localGet(i).f32Load();
    const store = (f: FunctionBuilder): FunctionBuilder => (t === f64 ? f.f64Store() : f.f32Store());
    const exp = (name: string, params: ValType[], results: ValType[], body: (f: FunctionBuilder) => void): void => {
      const f = m.function(`${name}${w}`, params, results);
      body(f);
      m.exportFunction(f.name, f);
    };
    exp('viaLocal', [i32, i32], [], (f) => {
      const x = f.local(t);
      load(f, 0).localSet(x);
      f.localGet(1).localGet(x);
      store(f);
    });
    exp('viaBlock', [i32, i32], [], (f) => {
      f.localGet(1);
      const blk = f.block(t);
      load(f, 0);
      f.end(blk);
      store(f);
    });
    exp('viaSelect', [i32, i32], [], (f) => {
      f.localGet(1);
      load(f, 0);
      if (t === f64) f.f64Const(1);
      else f.f32Const(1);
      f.i32Const(1).select();
      store(f);
    });
    exp('viaGlobal', [i32, i32], [], (f) => {
      f.localGet(1);
      load(f, 0).globalSet(g).globalGet(g);
      store(f);
    });
    const identity = m.function(`identity${w}`, [t], [t]);
    identity.localGet(0);
    exp('viaParam', [i32, i32], [], (f) => {
      // Passes the value to a wasm function as a parameter (no JS in between).
      f.localGet(1);
      load(f, 0).call(identity);
      store(f);
    });
    exp('toBits', [i32], [t === f64 ? i64 : i32], (f) => {
      load(f, 0);
      if (t === f64) f.i64ReinterpretF64();
      else f.i32ReinterpretF32();
    });
    exp('fromBits', [i32, t === f64 ? i64 : i32], [], (f) => {
      f.localGet(0).localGet(1);
      if (t === f64) f.f64ReinterpretI64();
      else f.f32ReinterpretI32();
      store(f);
    });
    for (const op of ['neg', 'abs'] as const)
      exp(op, [i32, i32], [], (f) => {
        f.localGet(1);
        load(f, 0);
        if (t === f64) f[op === 'neg' ? 'f64Neg' : 'f64Abs']();
        else f[op === 'neg' ? 'f32Neg' : 'f32Abs']();
        store(f);
      });
    exp('copysign', [i32, i32, i32], [], (f) => {
      f.localGet(2);
      load(f, 0);
      load(f, 1);
      if (t === f64) f.f64Copysign();
      else f.f32Copysign();
      store(f);
    });
  }
  return m;
}

test('NaN payloads and signalling NaNs survive loads, stores, locals, blocks, select, globals, calls and reinterpret', () => {
  const e = instantiateSync(bitsModule().toBytes()) as Record<string, Fn>;
  const dv = new DataView((e['mem'] as unknown as WasmMemoryLike).buffer);
  const SRC = 0x100;
  const SRC2 = 0x180;
  const DST = 0x200;
  for (const bits of NAN64) {
    const hex = `0x${bits.toString(16)}`;
    for (const via of ['viaLocal', 'viaBlock', 'viaSelect', 'viaGlobal', 'viaParam']) {
      dv.setBigUint64(SRC, bits, true);
      dv.setBigUint64(DST, 0n, true);
      e[`${via}F64`]!(SRC, DST);
      assert.equal(dv.getBigUint64(DST, true), bits, `f64 ${via} ${hex}`);
    }
    dv.setBigUint64(SRC, bits, true);
    assert.equal(e['toBitsF64']!(SRC), BigInt.asIntN(64, bits), `i64.reinterpret_f64 ${hex}`);
    e['fromBitsF64']!(DST, BigInt.asIntN(64, bits));
    assert.equal(dv.getBigUint64(DST, true), bits, `f64.reinterpret_i64 ${hex}`);
    const SIGN = 1n << 63n;
    e['negF64']!(SRC, DST);
    assert.equal(dv.getBigUint64(DST, true), bits ^ SIGN, `f64.neg flips only the sign of ${hex}`);
    e['absF64']!(SRC, DST);
    assert.equal(dv.getBigUint64(DST, true), bits & ~SIGN, `f64.abs clears only the sign of ${hex}`);
    for (const sign of [0n, SIGN]) {
      dv.setBigUint64(SRC2, sign | 0x7ff8_0000_0000_0000n, true);
      e['copysignF64']!(SRC, SRC2, DST);
      assert.equal(dv.getBigUint64(DST, true), (bits & ~SIGN) | sign, `f64.copysign ${hex} from a NaN's sign`);
    }
  }
  for (const bits of NAN32) {
    const hex = `0x${bits.toString(16)}`;
    for (const via of ['viaLocal', 'viaBlock', 'viaSelect', 'viaGlobal', 'viaParam']) {
      dv.setUint32(SRC, bits, true);
      dv.setUint32(DST, 0, true);
      e[`${via}F32`]!(SRC, DST);
      assert.equal(dv.getUint32(DST, true), bits, `f32 ${via} ${hex}`);
    }
    dv.setUint32(SRC, bits, true);
    assert.equal(e['toBitsF32']!(SRC), bits | 0, `i32.reinterpret_f32 ${hex}`);
    e['fromBitsF32']!(DST, bits | 0);
    assert.equal(dv.getUint32(DST, true), bits, `f32.reinterpret_i32 ${hex}`);
    e['negF32']!(SRC, DST);
    assert.equal(dv.getUint32(DST, true), (bits ^ 0x8000_0000) >>> 0, `f32.neg ${hex}`);
    e['absF32']!(SRC, DST);
    assert.equal(dv.getUint32(DST, true), bits & 0x7fff_ffff, `f32.abs ${hex}`);
    dv.setUint32(SRC2, 0xffc0_0000, true);
    e['copysignF32']!(SRC, SRC2, DST);
    assert.equal(dv.getUint32(DST, true), (bits | 0x8000_0000) >>> 0, `f32.copysign ${hex}`);
  }
});

test('f32ConstBits and f64ConstBits write exact patterns (signalling NaNs too); f32Const rounds with Math.fround', () => {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1 });
  m.exportMemory('mem');
  NAN64.forEach((bits, k) => {
    const f = m.function(`c64_${k}`, [], [i64]);
    f.f64ConstBits(Number(bits & 0xffff_ffffn), Number(bits >> 32n)).i64ReinterpretF64();
    m.exportFunction(f.name, f);
    const s = m.function(`s64_${k}`, [], []);
    s.i32Const(8 * k)
      .f64ConstBits(Number(bits & 0xffff_ffffn) | 0, Number(bits >> 32n) | 0)
      .f64Store();
    m.exportFunction(s.name, s);
  });
  NAN32.forEach((bits, k) => {
    const f = m.function(`c32_${k}`, [], [i32]);
    f.f32ConstBits(bits).i32ReinterpretF32();
    m.exportFunction(f.name, f);
    const s = m.function(`s32_${k}`, [], []);
    s.i32Const(0x400 + 4 * k)
      .f32ConstBits(bits | 0)
      .f32Store();
    m.exportFunction(s.name, s);
  });
  const f32s: [number, number][] = [
    [0.1, 0x3dcc_cccd],
    [1 / 3, 0x3eaa_aaab],
    [1.5, 0x3fc0_0000],
    [-0, 0x8000_0000],
    [1e-45, 0x0000_0001],
    [16777217, 0x4b80_0000],
    [1e39, 0x7f80_0000],
    [-Infinity, 0xff80_0000],
  ];
  f32s.forEach(([v], k) => {
    const f = m.function(`r32_${k}`, [], [i32]);
    f.f32Const(v).i32ReinterpretF32();
    m.exportFunction(f.name, f);
  });
  const f64s: [number, bigint][] = [
    [0.1, 0x3fb9_9999_9999_999an],
    [-0, 0x8000_0000_0000_0000n],
    [5e-324, 1n],
    [Infinity, 0x7ff0_0000_0000_0000n],
    [-2, 0xc000_0000_0000_0000n],
  ];
  f64s.forEach(([v], k) => {
    const f = m.function(`r64_${k}`, [], [i64]);
    f.f64Const(v).i64ReinterpretF64();
    m.exportFunction(f.name, f);
  });
  const e = instantiateSync(m.toBytes()) as Record<string, Fn>;
  const dv = new DataView((e['mem'] as unknown as WasmMemoryLike).buffer);
  NAN64.forEach((bits, k) => {
    assert.equal(e[`c64_${k}`]!(), BigInt.asIntN(64, bits), `f64ConstBits 0x${bits.toString(16)}`);
    e[`s64_${k}`]!();
    assert.equal(dv.getBigUint64(8 * k, true), bits, `f64ConstBits stored 0x${bits.toString(16)}`);
  });
  NAN32.forEach((bits, k) => {
    assert.equal(e[`c32_${k}`]!(), bits | 0, `f32ConstBits 0x${bits.toString(16)}`);
    e[`s32_${k}`]!();
    assert.equal(dv.getUint32(0x400 + 4 * k, true), bits, `f32ConstBits stored 0x${bits.toString(16)}`);
  });
  f32s.forEach(([v, bits], k) => assert.equal(e[`r32_${k}`]!(), bits | 0, `f32Const(${v})`));
  f64s.forEach(([v, bits], k) => assert.equal(e[`r64_${k}`]!(), BigInt.asIntN(64, bits), `f64Const(${v})`));
});

/** Body bytes of a fresh function after `emit` (locals header stripped, final end kept). */
function bodyOf(emit: (f: FunctionBuilder) => void): number[] {
  const m = new ModuleBuilder({ checkTypes: false });
  m.defineMemory({ min: 1 });
  const f = m.function('f', [], []);
  emit(f);
  return [...f.finish()].slice(1);
}

test('float immediates and prefixed conversions: spec byte strings; bad bit patterns are our bug', () => {
  assert.deepEqual(
    bodyOf((f) => f.f32Const(1.5)),
    [0x43, 0x00, 0x00, 0xc0, 0x3f, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f64Const(-2)),
    [0x44, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f32ConstBits(-1)),
    [0x43, 0xff, 0xff, 0xff, 0xff, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f64ConstBits(0x1234_5678, 0x9abc_def0)),
    [0x44, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i64TruncSatF64U()),
    [0xfc, 0x07, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i32TruncSatF32S()),
    [0xfc, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f64Load(8, 16)),
    [0x2b, 0x03, 0x10, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f32Store(2, 0)),
    [0x38, 0x01, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.f64ReinterpretI64()),
    [0xbf, 0x0b],
  );
  const f = new ModuleBuilder().function('k', [], []);
  assert.throws(() => f.f32ConstBits(2 ** 32), /function k \(#0\): f32\.const bits 4294967296 is not a 32-bit pattern/);
  assert.throws(() => f.f32ConstBits(1.5), /not a 32-bit pattern/);
  assert.throws(() => f.f64ConstBits(0, -(2 ** 31) - 1), /f64\.const halves 0, -2147483649 are not 32-bit patterns/);
  assert.throws(() => f.op(0x44), /opcode 0x44 needs its own method/);
  assert.throws(() => f.f64Load(), /memory access in a module without a memory/);
  assert.throws(() => new ModuleBuilder().defineGlobal(f32, false, 1n), /f32 global needs a number/);
});

test('the type checker rejects wrongly typed float operands, naming the instruction and the stack', () => {
  const fresh = (params: ValType[] = [], results: ValType[] = []): FunctionBuilder => {
    const m = new ModuleBuilder();
    m.defineMemory({ min: 1 });
    m.defineGlobal(f64, true, 0);
    return m.function('t', params, results);
  };
  assert.throws(
    () => fresh([i64, i64]).localGet(0).localGet(1).f64Add(),
    /function t \(#0\): f64\.add expects \[f64 f64\] but the stack has \[i64 i64\]/,
  );
  assert.throws(
    () => fresh().f32Const(1).f64Const(2).f32Mul(),
    /f32\.mul expects \[f32 f32\] but the stack has \[f32 f64\]/,
  );
  assert.throws(
    () => fresh([i32]).localGet(0).f64ConvertI64S(),
    /f64\.convert_i64_s expects \[i64\] but the stack has \[i32\]/,
  );
  assert.throws(() => fresh().f32Const(1).f32DemoteF64(), /f32\.demote_f64 expects \[f64\]/);
  assert.throws(
    () => fresh().f64Const(1).i32TruncSatF32S(),
    /i32\.trunc_sat_f32_s expects \[f32\] but the stack has \[f64\]/,
  );
  assert.throws(
    () => fresh().f64Const(1).i64ReinterpretF64().f64Sqrt(),
    /f64\.sqrt expects \[f64\] but the stack has \[i64\]/,
  );
  assert.throws(
    () => fresh().f64Const(1).f64Const(2).f64Eq().i64Eqz(),
    /i64\.eqz expects \[i64\] but the stack has \[i32\]/,
    'comparisons give i32',
  );
  assert.throws(
    () => fresh().i32Const(0).f32Const(1).f64Store(),
    /f64\.store expects \[i32 f64\] but the stack has \[i32 f32\]/,
  );
  assert.throws(() => fresh().f64Const(0).f64Load(), /f64\.load expects \[i32\] but the stack has \[f64\]/);
  const l = fresh();
  const x = l.local(f64);
  assert.throws(() => l.f32Const(0).localSet(x), /local\.set expects \[f64\] but the stack has \[f32\]/);
  assert.throws(() => fresh().f32Const(0).globalSet(0), /global\.set expects \[f64\]/);
  assert.throws(
    () => fresh([], [f32]).f64Const(1).finish(),
    /the function end expects \[f32\] but the stack has \[f64\]/,
  );
  const blk = fresh();
  blk.block(f64);
  assert.throws(() => blk.f32Const(1).end(), /end expects \[f64\] but the stack has \[f32\]/);
  const sel = fresh();
  assert.throws(
    () => sel.f32Const(1).f64Const(2).i32Const(1).select(),
    /select expects \[f64\] but the stack has \[f32\]/,
  );
  // Well typed mixes pass.
  assert.doesNotThrow(() =>
    fresh([i64], [i64])
      .localGet(0)
      .f64ConvertI64U()
      .f32DemoteF64()
      .f32Const(2)
      .f32Copysign()
      .i64TruncSatF32S()
      .finish(),
  );
});

test('f32/f64 parameters, locals, block and if results, multi-value blocks and globals run', () => {
  const m = new ModuleBuilder();
  const gd = m.defineGlobal(f64, true, 0.1);
  const gs = m.defineGlobal(f32, false, 0.1);
  m.exportGlobal('gd', gd).exportGlobal('gs', gs);
  // pick(c, a, b) = c ? a : b, through an if with an f64 result.
  const pick = m.function('pick', [i32, f64, f64], [f64]);
  pick.localGet(0);
  pick.if(f64);
  pick.localGet(1);
  pick.else();
  pick.localGet(2);
  pick.end();
  // clamp(x) = min(max(x, 0), 1) as f32, leaving early through a block typed f32 when x is NaN (-> 0.5).
  const clamp = m.function('clamp', [f32], [f32]);
  const out = clamp.block(f32);
  clamp.f32Const(0.5).localGet(0).localGet(0).f32Ne().brIf(out).drop();
  clamp.localGet(0).f32Const(0).f32Max().f32Const(1).f32Min();
  clamp.end(out);
  // fma-ish through a multi-value block [f32 f64] -> [f64]: a promoted + b, plus the f64 global.
  const mv = m.function('mv', [f32, f64], [f64]);
  mv.localGet(0).localGet(1);
  const b2 = mv.block({ params: [f32, f64], results: [f64] });
  const t = mv.local(f64);
  mv.localSet(t).f64PromoteF32().localGet(t).f64Add();
  mv.end(b2);
  mv.globalGet(gd).f64Add();
  // Fresh f32/f64 locals are +0; globals read back.
  const zeros = m.function('zeros', [], [f64]);
  const zs = zeros.local(f32);
  const zd = zeros.local(f64);
  zeros.localGet(zs).f64PromoteF32().localGet(zd).f64Add().globalGet(gs).f64PromoteF32().f64Add();
  const setG = m.function('setG', [f64], []);
  setG.localGet(0).globalSet(gd);
  for (const f of [pick, clamp, mv, zeros, setG]) m.exportFunction(f.name, f);
  const bytes = m.toBytes();
  const e = instantiateSync(bytes) as Record<string, Fn>;
  assert.equal(e['pick']!(1, 1.25, -3), 1.25);
  assert.equal(e['pick']!(0, 1.25, -3), -3);
  assert.equal(e['clamp']!(NaN), 0.5);
  assert.equal(e['clamp']!(7), 1);
  assert.ok(Object.is(e['clamp']!(-0), 0), 'max(-0, +0) is +0');
  assert.equal(e['clamp']!(0.25), 0.25);
  assert.equal(e['mv']!(0.1, 2), Math.fround(0.1) + 2 + 0.1);
  assert.equal(e['zeros']!(), Math.fround(0.1));
  assert.equal((e['gd'] as unknown as WasmGlobal).value, 0.1);
  assert.equal((e['gs'] as unknown as WasmGlobal).value, Math.fround(0.1));
  e['setG']!(-1.5);
  assert.equal((e['gd'] as unknown as WasmGlobal).value, -1.5);
  const text = printWat(bytes);
  assert.match(text, /\(global \(;0;\) \(mut f64\) \(f64\.const 0x1\.999999999999ap-4 \(;=0\.1;\)\)\)/);
  assert.match(text, /\(global \(;1;\) f32 \(f32\.const 0x1\.99999ap-4 \(;=0\.1;\)\)\)/);
  assert.match(text, /\n {4}block \(result f32\)\n/);
  assert.match(text, /\n {4}if \(result f64\)\n/);
});
