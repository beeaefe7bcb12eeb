// Oracle: BigInt arithmetic (exact at any width) on seeded random integers below 2^53, plus
// hand-picked edges at 2^31, 2^32 and 2^52.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignDown,
  alignUp,
  fromHalves,
  hi32,
  isAligned,
  isPowerOfTwo,
  lo32,
  log2Exact,
  lowestSetBit,
  parityOfAnd,
  testBit,
  withBit,
} from '../../src/cxl-math/index.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';

const big = (n: number): bigint => BigInt(n);
function popBig(x: bigint): number {
  let n = 0;
  for (; x > 0n; x &= x - 1n) n++;
  return n;
}

test('halves: lo32/hi32/fromHalves at the edges', () => {
  assert.equal(lo32(2 ** 32), 0);
  assert.equal(hi32(2 ** 32), 1);
  assert.equal(lo32(2 ** 32 - 1), 0xffffffff);
  assert.equal(hi32(2 ** 52 - 1), 0xfffff);
  assert.equal(fromHalves(0xffffffff, 0xfffff), 2 ** 52 - 1);
  assert.equal(fromHalves(-1, 0), 0xffffffff); // an Int32 half is taken as unsigned
});

test('random: every helper matches BigInt', () => {
  const rng = new Prng(0xb175);
  for (let i = 0; i < cases(20000); i++) {
    const n = rng.below(2 ** 53);
    const m = rng.below(2 ** 53);
    const ctx = `seed ${rng.seed} iter ${i} n ${n} m ${m}`;
    assert.equal(big(lo32(n)), big(n) & 0xffffffffn, ctx);
    assert.equal(big(hi32(n)), big(n) >> 32n, ctx);
    assert.equal(fromHalves(lo32(n), hi32(n)), n, ctx);
    const lo = rng.below(52);
    assert.equal(testBit(n, lo), Number((big(n) >> big(lo)) & 1n), ctx);
    assert.equal(big(withBit(n, lo, 1)), big(n) | (1n << big(lo)), ctx);
    assert.equal(big(withBit(n, lo, 0)), big(n) & ~(1n << big(lo)), ctx);
    assert.equal(parityOfAnd(n, m), popBig(big(n) & big(m)) & 1, ctx);
    const u = rng.u32();
    assert.equal(parityOfAnd(u, 0xffffffff), popBig(big(u)) & 1, ctx); // popcount of a 32-bit value
    const ls = n === 0 ? -1 : big(n).toString(2).length - big(n).toString(2).lastIndexOf('1') - 1;
    assert.equal(lowestSetBit(n), ls, ctx);
  }
});

test('lowestSetBit above 2^32 and of 0', () => {
  assert.equal(lowestSetBit(0), -1);
  assert.equal(lowestSetBit(2 ** 40), 40);
  assert.equal(lowestSetBit(2 ** 52 + 2 ** 33), 33);
  assert.equal(lowestSetBit(0x80000000), 31);
});

test('powers of two and alignment', () => {
  for (let k = 0; k <= 52; k++) {
    assert.equal(isPowerOfTwo(2 ** k), true, `2^${k}`);
    assert.equal(log2Exact(2 ** k), k);
    if (k >= 2) assert.equal(isPowerOfTwo(2 ** k + 2 ** (k - 2)), false, `2^${k} + 2^${k - 2}`);
    if (k >= 2) assert.equal(isPowerOfTwo(2 ** k - 1), false);
  }
  for (const bad of [0, -4, 3, 0.5, 6, 2 ** 53]) assert.equal(isPowerOfTwo(bad), false, String(bad));
  assert.throws(() => log2Exact(12), /12 is not a power of two/);
  const G256M = 256 * 2 ** 20;
  assert.equal(alignDown(2 ** 40 + 5, G256M), 2 ** 40);
  assert.equal(alignUp(2 ** 40 + 5, G256M), 2 ** 40 + G256M);
  assert.equal(alignUp(2 ** 40, G256M), 2 ** 40);
  assert.equal(alignDown(3 * 768 * 2 ** 20 + 1, 768 * 2 ** 20), 3 * 768 * 2 ** 20);
  assert.equal(isAligned(2 ** 51, G256M), true);
  assert.equal(isAligned(2 ** 51 + 4096, G256M), false);
});
