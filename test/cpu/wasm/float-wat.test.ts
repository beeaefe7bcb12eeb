// The WAT printer on floats. Oracles: wasm2wat's notation (hex floats with a decimal comment,
// nan:0x payloads, inf), a hand-reviewed golden text for a function using many float
// instructions, and reading every printed constant back (hex float and decimal) to the same bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModuleBuilder, ValType } from '../../../src/cpu/wasm/module-builder.js';
import { f32Text, f64Text, printWat } from '../../../src/cpu/wasm/wat.js';
import { Wasm, instantiateSync } from '../../../src/cpu/wasm/wasm-api.js';
import { Prng } from '../../helpers/prng.js';
import { cases } from '../../helpers/scale.js';

const { i32, i64, f32, f64 } = ValType;

test('float constants print as exact hex floats (decimal in a comment), inf and nan:0x payloads', () => {
  const f32s: [number, string][] = [
    [0x3fc0_0000, '0x1.8p+0 (;=1.5;)'],
    [0x3dcc_cccd, '0x1.99999ap-4 (;=0.1;)'],
    [0xc020_0000, '-0x1.4p+1 (;=-2.5;)'],
    [0x0000_0001, '0x1p-149 (;=1e-45;)'],
    [0x007f_ffff, '0x1.fffffcp-127 (;=1.1754942e-38;)'],
    [0x7f7f_ffff, '0x1.fffffep+127 (;=3.4028235e+38;)'],
    [0x0000_0000, '0x0p+0'],
    [0x8000_0000, '-0x0p+0'],
    [0x7f80_0000, 'inf'],
    [0xff80_0000, '-inf'],
    [0x7fc0_0000, 'nan:0x400000'],
    [0x7f80_0001, 'nan:0x1'],
    [0xffa0_0000, '-nan:0x200000'],
  ];
  for (const [bits, want] of f32s) assert.equal(f32Text(bits), want, `f32 0x${bits.toString(16)}`);
  const f64s: [bigint, string][] = [
    [0x4008_0000_0000_0000n, '0x1.8p+1 (;=3;)'],
    [0x3fb9_9999_9999_999an, '0x1.999999999999ap-4 (;=0.1;)'],
    [0x43e0_0000_0000_0000n, '0x1p+63 (;=9223372036854776000;)'],
    [0x0000_0000_0000_0001n, '0x1p-1074 (;=5e-324;)'],
    [0x000f_ffff_ffff_ffffn, '0x1.ffffffffffffep-1023 (;=2.225073858507201e-308;)'],
    [0x7fef_ffff_ffff_ffffn, '0x1.fffffffffffffp+1023 (;=1.7976931348623157e+308;)'],
    [0x8000_0000_0000_0000n, '-0x0p+0'],
    [0xfff0_0000_0000_0000n, '-inf'],
    [0x7ff8_0000_0000_0000n, 'nan:0x8000000000000'],
    [0x7ff0_0000_0000_0001n, 'nan:0x1'],
    [0xfff4_dead_beef_0001n, '-nan:0x4deadbeef0001'],
  ];
  for (const [bits, want] of f64s)
    assert.equal(f64Text(Number(bits & 0xffff_ffffn), Number(bits >> 32n)), want, `f64 0x${bits.toString(16)}`);
});

/** Reads printed float text back into its bit pattern (WAT syntax as floatText writes it). */
function parseFloatText(text: string, single: boolean): { bits: bigint; decimal: string | undefined } {
  const fracBits = single ? 23 : 52;
  const expBits = single ? 8 : 11;
  const signBit = 1n << BigInt(fracBits + expBits);
  const inf = ((1n << BigInt(expBits)) - 1n) << BigInt(fracBits);
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const sign = neg ? signBit : 0n;
  if (body === 'inf') return { bits: sign | inf, decimal: undefined };
  const nan = /^nan:0x([0-9a-f]+)$/.exec(body);
  if (nan) return { bits: sign | inf | BigInt(`0x${nan[1]}`), decimal: undefined };
  const m = /^0x([01])(?:\.([0-9a-f]+))?p([+-]\d+)(?: \(;=(.+);\))?$/.exec(body);
  assert.ok(m, `unparsable float text ${text}`);
  const digits = m[2] ?? '';
  const mant = parseInt(m[1]! + digits, 16); // at most 53 bits: exact
  const scale = Number(m[3]) - 4 * digits.length;
  // Two exact power-of-two steps, so no intermediate underflows.
  const half = Math.max(scale, -1000);
  let v = mant * 2 ** half * 2 ** (scale - half);
  if (neg) v = -v;
  const d = new DataView(new ArrayBuffer(8));
  if (single) {
    assert.equal(Math.fround(v), v, `${text} is not a single`);
    d.setFloat32(0, v, true);
    return { bits: BigInt(d.getUint32(0, true)), decimal: m[4] };
  }
  d.setFloat64(0, v, true);
  return { bits: d.getBigUint64(0, true), decimal: m[4] };
}

test('every printed float constant reads back to its exact bits (random patterns)', () => {
  const rng = new Prng(0x3a7);
  const d = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < cases(3000); i++) {
    const bits32 = rng.below(8) === 0 ? (rng.u32() & 0x807f_ffff) >>> 0 : rng.u32(); // some subnormals and zeros
    const t32 = f32Text(bits32);
    const r32 = parseFloatText(t32, true);
    assert.equal(r32.bits, BigInt(bits32), `f32 0x${bits32.toString(16)} printed ${t32}`);
    if (r32.decimal !== undefined) {
      d.setUint32(0, bits32, true);
      assert.ok(Object.is(Math.fround(Number(r32.decimal)), d.getFloat32(0, true)), `f32 decimal ${t32}`);
    }
    const lo = rng.u32();
    const hi = rng.below(8) === 0 ? rng.u32() & 0x800f_ffff : rng.u32();
    const t64 = f64Text(lo, hi);
    const r64 = parseFloatText(t64, false);
    const bits64 = (BigInt(hi >>> 0) << 32n) | BigInt(lo);
    assert.equal(r64.bits, bits64, `f64 0x${bits64.toString(16)} printed ${t64}`);
    if (r64.decimal !== undefined) {
      d.setBigUint64(0, bits64, true);
      assert.ok(Object.is(Number(r64.decimal), d.getFloat64(0, true)), `f64 decimal ${t64}`);
    }
  }
});

/** A function touching many float instruction shapes: memory, constants, conversions, if, locals. */
function floatModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1 });
  const g = m.defineGlobal(f64, true, -0.1);
  const f = m.function('fmix', [i32, f64, f64], [f64]);
  const s = f.local(f32);
  const d = f.local(f64);
  f.localGet(0).f32Load(4, 8).f32Sqrt().f32Const(1.5).f32Mul().localSet(s);
  f.localGet(1).localGet(2).f64Mul().localGet(s).f64PromoteF32().f64Add().localTee(d);
  f.localGet(d).f64Ne();
  f.if(f64);
  f.f64ConstBits(0, 0x7ff8_0000);
  f.else();
  f.localGet(d).f64Const(-0).f64Copysign().f64Nearest();
  f.end();
  f.localGet(0).localGet(1).i64TruncSatF64S().f64ConvertI64U().f64Store(8, 16);
  f.f32ConstBits(0x7fa0_0001).f32Abs().i32ReinterpretF32().drop();
  f.f64Const(Infinity).f64Const(5e-324).f64Min().f64Max();
  f.globalGet(g).f32DemoteF64().f32Neg().f64PromoteF32().f64Sub();
  m.exportFunction('fmix', f);
  const c = m.function('cvt', [i64], [i32]);
  c.localGet(0).f32ConvertI64S().f32Const(-Infinity).f32Gt().localGet(0).f64ReinterpretI64().i32TruncSatF64U().i32Add();
  m.exportFunction('cvt', c);
  return m;
}

const GOLDEN = `(module
  (type (;0;) (func (param i32 f64 f64) (result f64)))
  (type (;1;) (func (param i64) (result i32)))
  (memory (;0;) 1)
  (global (;0;) (mut f64) (f64.const -0x1.999999999999ap-4 (;=-0.1;)))
  (func (;0;) $fmix (type 0) (param i32 f64 f64) (result f64)
    (local f32 f64)
    local.get 0
    f32.load offset=8
    f32.sqrt
    f32.const 0x1.8p+0 (;=1.5;)
    f32.mul
    local.set 3
    local.get 1
    local.get 2
    f64.mul
    local.get 3
    f64.promote_f32
    f64.add
    local.tee 4
    local.get 4
    f64.ne
    if (result f64)
      f64.const nan:0x8000000000000
    else
      local.get 4
      f64.const -0x0p+0
      f64.copysign
      f64.nearest
    end
    local.get 0
    local.get 1
    i64.trunc_sat_f64_s
    f64.convert_i64_u
    f64.store offset=16
    f32.const nan:0x200001
    f32.abs
    i32.reinterpret_f32
    drop
    f64.const inf
    f64.const 0x1p-1074 (;=5e-324;)
    f64.min
    f64.max
    global.get 0
    f32.demote_f64
    f32.neg
    f64.promote_f32
    f64.sub
  )
  (func (;1;) $cvt (type 1) (param i64) (result i32)
    local.get 0
    f32.convert_i64_s
    f32.const -inf
    f32.gt
    local.get 0
    f64.reinterpret_i64
    i32.trunc_sat_f64_u
    i32.add
  )
  (export "fmix" (func 0))
  (export "cvt" (func 1))
)
`;

test('golden text of a module using many float instructions; V8 accepts and runs it', () => {
  const bytes = floatModule().toBytes();
  assert.ok(Wasm.validate(bytes));
  assert.equal(printWat(bytes), GOLDEN);
  const e = instantiateSync(bytes) as Record<string, (...a: unknown[]) => unknown>;
  // x = 2 * 3 + sqrt(0) * 1.5 = 6 (memory is zero); not NaN so copysign(6, -0) -> -6, nearest -6;
  // max(-6, min(inf, 5e-324)) = 5e-324; minus promote(-demote(-0.1)).
  assert.equal(e['fmix']!(0, 2, 3), 5e-324 - -Math.fround(-0.1));
  assert.equal(e['cvt']!(-1n), 1 + 0, 'f32(-1) > -inf; the bits of -1 are a NaN, which saturates to 0');
  assert.equal(e['cvt']!(0x4000_0000_0000_0000n), 1 + 2);
});
