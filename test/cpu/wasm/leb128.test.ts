// LEB128 writers and readers. Oracles: the worked examples of the DWARF/wasm spec (624485,
// -123456), a plain BigInt reference encoder written from the definition, and V8 itself: i64/i32
// constants we encode are returned by a real module and must equal the values we meant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ByteReader,
  encode,
  halvesOf,
  writeS32,
  writeS64,
  writeS64Halves,
  writeU32,
  writeU64,
  writeU64Halves,
} from '../../../src/cpu/wasm/leb128.js';
import { ModuleBuilder, ValType } from '../../../src/cpu/wasm/module-builder.js';
import { instantiateSync } from '../../../src/cpu/wasm/wasm-api.js';
import { Prng } from '../../helpers/prng.js';
import { cases } from '../../helpers/scale.js';

/** Reference: the definition, one 7-bit group at a time, on unbounded integers. */
function refSigned(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n; // arithmetic for negative bigint
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
function refUnsigned(v: bigint): number[] {
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}

test('spec examples', () => {
  assert.deepEqual(
    encode((o) => writeU32(o, 624485)),
    [0xe5, 0x8e, 0x26],
  );
  assert.deepEqual(
    encode((o) => writeS32(o, -123456)),
    [0xc0, 0xbb, 0x78],
  );
  assert.deepEqual(
    encode((o) => writeS32(o, 64)),
    [0xc0, 0x00],
  ); // bit 6 set needs a sign byte
  assert.deepEqual(
    encode((o) => writeS32(o, -64)),
    [0x40],
  );
  assert.deepEqual(
    encode((o) => writeU32(o, 0)),
    [0x00],
  );
  assert.deepEqual(
    encode((o) => writeU32(o, 0xffff_ffff)),
    [0xff, 0xff, 0xff, 0xff, 0x0f],
  );
  assert.deepEqual(
    encode((o) => writeS32(o, 0xffff_ffff)),
    [0x7f],
  ); // u32 pattern of -1
  assert.deepEqual(
    encode((o) => writeS64(o, -(1n << 63n))),
    refSigned(-(1n << 63n)),
  );
  assert.equal(encode((o) => writeS64(o, -(1n << 63n))).length, 10);
  assert.deepEqual(
    encode((o) => writeU64(o, (1n << 64n) - 1n)),
    [...Array(9).fill(0xff), 0x01],
  );
});

test('range checks name the value', () => {
  assert.throws(() => writeU32({ byte() {} }, -1), /-1/);
  assert.throws(() => writeU32({ byte() {} }, 2 ** 32), /4294967296/);
  assert.throws(() => writeS32({ byte() {} }, 1.5), /1\.5/);
  assert.throws(() => writeS64({ byte() {} }, 1n << 64n), /18446744073709551616/);
  assert.throws(() => writeU64({ byte() {} }, -1n), /-1/);
});

function interesting(rng: Prng): bigint[] {
  const out: bigint[] = [];
  for (let k = 0; k < 64; k++) {
    const p = 1n << BigInt(k);
    out.push(p, p - 1n, -p, -p + 1n, -p - 1n);
  }
  for (let i = 0; i < cases(500); i++) {
    const v = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
    out.push(BigInt.asIntN(64, v >> BigInt(rng.below(64))));
  }
  return out.filter((v) => v >= -(1n << 63n) && v < 1n << 63n);
}

test('64-bit signed and unsigned: bigint and halves agree with the reference and round-trip', () => {
  const rng = new Prng(0x1eb128);
  for (const v of interesting(rng)) {
    const want = refSigned(v);
    assert.deepEqual(
      encode((o) => writeS64(o, v)),
      want,
      `s64 ${v}`,
    );
    const { lo, hi } = halvesOf(v);
    assert.deepEqual(
      encode((o) => writeS64Halves(o, lo, hi)),
      want,
      `s64 halves ${v}`,
    );
    assert.equal(new ByteReader(Uint8Array.from(want)).s64(), v);
    const u = BigInt.asUintN(64, v);
    const wantU = refUnsigned(u);
    assert.deepEqual(
      encode((o) => writeU64(o, u)),
      wantU,
      `u64 ${u}`,
    );
    assert.deepEqual(
      encode((o) => writeU64Halves(o, lo, hi)),
      wantU,
      `u64 halves ${u}`,
    );
    assert.equal(new ByteReader(Uint8Array.from(wantU)).u64(), u);
  }
});

test('32-bit signed and unsigned agree with the reference and round-trip', () => {
  const rng = new Prng(32);
  const vals = [0, 1, 63, 64, 127, 128, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];
  for (let i = 0; i < cases(500); i++) vals.push(rng.u32() >>> rng.below(32));
  for (const u of vals) {
    assert.deepEqual(
      encode((o) => writeU32(o, u)),
      refUnsigned(BigInt(u)),
    );
    assert.equal(new ByteReader(Uint8Array.from(refUnsigned(BigInt(u)))).u32(), u);
    const s = u | 0;
    assert.deepEqual(
      encode((o) => writeS32(o, s)),
      refSigned(BigInt(s)),
    );
    assert.deepEqual(
      encode((o) => writeS32(o, u)),
      refSigned(BigInt(s)),
      'u32 pattern = same i32',
    );
    assert.equal(new ByteReader(Uint8Array.from(refSigned(BigInt(s)))).s32(), s);
  }
});

test('V8 decodes our i64.const / i32.const to the values we meant', () => {
  const rng = new Prng(7);
  const vals = interesting(rng).slice(0, 200);
  const m = new ModuleBuilder();
  const g = m.function('pick', [ValType.i32], [ValType.i64]);
  // br_table dispatch: the code after `end(blocks[k])` returns vals[k].
  const blocks = vals.map(() => g.block());
  const dflt = g.block();
  g.localGet(0).brTable(blocks, dflt);
  g.end(dflt).i64Const(-1).return();
  for (let k = vals.length - 1; k >= 0; k--) {
    g.end(blocks[k]);
    const v = vals[k]!;
    if (k % 2) g.i64Const(v);
    else {
      const { lo, hi } = halvesOf(v);
      g.i64ConstHalves(lo, hi);
    }
    g.return();
  }
  g.i64Const(-2);
  m.exportFunction('pick', g);
  const pick = instantiateSync(m.toBytes())['pick'] as (i: number) => bigint;
  vals.forEach((v, i) => assert.equal(pick(i), v, `value #${i}`));
  assert.equal(pick(vals.length), -1n);
});
