// Oracle: the TypeScript compiler. Each `@ts-expect-error` below must be an error, or tsc fails
// ("Unused '@ts-expect-error' directive"): an Hpa is not a Dpa, a plain number is not an Hpa, and
// so on (STYLE habit 2). At run time it checks the constructors' range rule (CONTRACTS: integer,
// 0 <= n < 2^52, RangeError naming the value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_ADDRESS,
  asArenaOffset,
  asDpa,
  asGva,
  asHpa,
  asHpaOffset,
  hpaToOffset,
  offsetToHpa,
  type ArenaOffset,
  type Dpa,
  type Gva,
  type Hpa,
  type HpaOffset,
} from '../../src/cxl-math/index.js';

function takesDpa(d: Dpa): number {
  return d;
}
function takesHpa(h: Hpa): number {
  return h;
}
function takesGva(g: Gva): number {
  return g;
}
function takesArena(a: ArenaOffset): number {
  return a;
}
function takesHpaOffset(o: HpaOffset): number {
  return o;
}

test('compile time: address spaces do not mix', () => {
  const hpa = asHpa(0x1_1000_0000);
  const dpa = asDpa(0x1000);
  const gva = asGva(0x8000_0000);
  const arena = asArenaOffset(4096);
  // @ts-expect-error an Hpa is not a Dpa
  takesDpa(hpa);
  // @ts-expect-error a Dpa is not an Hpa
  takesHpa(dpa);
  // @ts-expect-error a Gva is not an Hpa
  takesHpa(gva);
  // @ts-expect-error an ArenaOffset is not a Dpa
  takesDpa(arena);
  // @ts-expect-error an Hpa is not an ArenaOffset
  takesArena(hpa);
  // @ts-expect-error an Hpa is not a Gva
  takesGva(hpa);
  // @ts-expect-error a plain number is not an Hpa: only the checked constructors add the brand
  takesHpa(0x1000);
  // @ts-expect-error arithmetic drops the brand
  takesHpa(hpa + 1);
  // @ts-expect-error an absolute Hpa is not an offset from a base
  takesHpaOffset(hpa);
  // the right ones compile, and brands are plain numbers at run time
  assert.equal(
    takesHpa(hpa) + takesDpa(dpa) + takesGva(gva) + takesArena(arena),
    0x1_1000_0000 + 0x1000 + 0x8000_0000 + 4096,
  );
  assert.equal(takesHpaOffset(hpaToOffset(hpa, asHpa(0x1_0000_0000))), 0x1000_0000);
});

test('checked constructors: integers in [0, 2^52), RangeError naming the value', () => {
  assert.equal(MAX_ADDRESS, 2 ** 52);
  assert.equal(asHpa(2 ** 52 - 1), 2 ** 52 - 1);
  assert.equal(asDpa(0), 0);
  for (const ctor of [asHpa, asDpa, asGva, asArenaOffset, asHpaOffset]) {
    assert.throws(
      () => ctor(2 ** 52),
      (e: unknown) => e instanceof RangeError && /4503599627370496/.test(e.message),
    );
    assert.throws(() => ctor(-1), /got -1/);
    assert.throws(() => ctor(1.5), /got 1\.5/);
    assert.throws(() => ctor(Number.NaN), /got NaN/);
  }
  assert.throws(() => asHpa(2 ** 53), /Hpa must be an integer in \[0, 2\^52\)/);
});

test('named hops: hpaToOffset / offsetToHpa', () => {
  const base = asHpa(0x2_0000_0000);
  assert.equal(offsetToHpa(base, asHpaOffset(0x1234)), 0x2_0000_1234);
  assert.throws(() => hpaToOffset(asHpa(0x1000), base), /below decoder base 0x200000000/);
  assert.throws(() => offsetToHpa(asHpa(2 ** 52 - 16), asHpaOffset(16)), RangeError);
});
