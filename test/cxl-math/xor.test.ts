// Oracles: SPEC-NOTES 1.4 (hbiw -> maps used table, T sets bit ffs(map) to parity(addr & map)),
// the 1.6 (d) worked example, the 1.7 seed set (XOR columns), and reference-bigint.ts's BigInt T on
// random absolute HPAs; seeded XOR round trips for every root ways x granularity (region ways a
// power-of-two multiple of HBIW) at window bases above 4 GiB and near 2^52.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VALID_GRANULARITIES,
  VALID_WAYS,
  dpaOffsetOf,
  hpaOffsetOf,
  positionOf,
  powerOfTwoPart,
  xorHpaOf,
  xorMapsForHbiw,
  xorTransform,
  xorBitMasks,
  parityOfAnd,
  testBit,
} from '../../src/cxl-math/index.js';
import { xorPositionOf } from '../../src/cxl-math/index.js';
import { xorDpaOffsetOf, checkXorMaps } from '../helpers/cxl-oracles.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';
import { refXor } from './reference-bigint.js';

const LINUX_MAPS = [0x2020900, 0x4041200, 0x1010400, 0x800];

test('maps used by HBIW (Linux hbiw_to_nr_maps): log2 of the power-of-two part', () => {
  const table: Array<[number, number]> = [
    [1, 0],
    [2, 1],
    [3, 0],
    [4, 2],
    [6, 1],
    [8, 3],
    [12, 2],
    [16, 4],
  ];
  for (const [hbiw, n] of table) {
    assert.equal(xorMapsForHbiw(hbiw), n);
    assert.equal(n, powerOfTwoPart(hbiw));
  }
  for (const bad of [0, 5, 7, 9, 10, 32]) assert.equal(xorMapsForHbiw(bad), undefined);
});

test('SPEC-NOTES 1.6 (d): 12-way over 12 HBs, G 256, DPA 32, pos 9 -> 0x920 -> SPA 0x820 and back', () => {
  const modulo = hpaOffsetOf(32, 9, 12, 256);
  assert.equal(modulo, 0x920);
  assert.equal(xorTransform(modulo, LINUX_MAPS, 1), 0x820); // bit 8 := parity(0x920 & 0x2020900) = 0
  assert.equal(xorTransform(modulo, LINUX_MAPS, 2), 0x820); // bit 9 := parity(0x820 & 0x4041200) = 0
  assert.equal(xorHpaOf(32, 9, 0, 12, 256, LINUX_MAPS, 2), 2080);
  assert.equal(xorTransform(0x820, LINUX_MAPS, 2), 0x920);
  assert.equal(xorPositionOf(0x820, 0, 12, 256, LINUX_MAPS, 2), 9);
  assert.equal(xorDpaOffsetOf(0x820, 0, 12, 256, LINUX_MAPS, 2), 32);
});

test('SPEC-NOTES 1.7 seed set (XOR columns)', () => {
  const rows: Array<[number, number, number, number, number[]]> = [
    // dpa, W, HBIW, first pos, XOR HPAs
    [256, 4, 4, 0, [1024, 1280, 1536, 1792]],
    [2048, 4, 4, 0, [8192, 8448, 8704, 8960]],
    [0, 12, 12, 8, [2304, 2048, 2816, 2560]],
    [512, 12, 12, 0, [6912, 6656, 6400, 6144]],
  ];
  for (const [dpa, w, hbiw, pos0, hpas] of rows) {
    const n = xorMapsForHbiw(hbiw)!;
    hpas.forEach((hpa, i) => {
      assert.equal(xorHpaOf(dpa, pos0 + i, 0, w, 256, LINUX_MAPS, n), hpa);
      assert.equal(xorPositionOf(hpa, 0, w, 256, LINUX_MAPS, n), pos0 + i);
      assert.equal(xorDpaOffsetOf(hpa, 0, w, 256, LINUX_MAPS, n), dpa);
    });
  }
  const singles: Array<[number, number, number, number, number]> = [
    [32784, 1, 4, 4, 131088],
    [443953523, 0, 4, 4, 1775813747],
    [344295715, 7, 8, 4, 2754367011],
    [231458716, 7, 12, 12, 2777503900],
  ];
  for (const [dpa, pos, w, hbiw, hpa] of singles) {
    assert.equal(xorHpaOf(dpa, pos, 0, w, 256, LINUX_MAPS, xorMapsForHbiw(hbiw)!), hpa);
  }
});

test('T is an involution with the Linux maps (1..4 maps) on random absolute HPAs', () => {
  const rng = new Prng(0x0a0a1);
  for (let i = 0; i < cases(20000); i++) {
    const a = rng.below(2 ** 52);
    const n = 1 + rng.below(4);
    assert.equal(xorTransform(xorTransform(a, LINUX_MAPS, n), LINUX_MAPS, n), a, `seed ${rng.seed} a ${a} n ${n}`);
  }
});

/** Random maps whose lowest bits are the root's position bits at G, with random high bits. */
function randomMaps(rng: Prng, gran: number, count: number): number[] {
  const g = Math.log2(gran);
  const lowest = Array.from({ length: count }, (_, i) => g + i);
  const maps: number[] = [];
  for (let i = 0; i < count; i++) {
    let m = 2 ** lowest[i]!;
    for (let b = lowest[i]! + 1; b < 52; b++) {
      if (!lowest.includes(b) && rng.chance(0.25)) m += 2 ** b;
    }
    maps.push(m);
  }
  return maps;
}

test('T agrees with a BigInt implementation on random HPAs and random maps (parity above 2^32)', () => {
  const rng = new Prng(0x0a0a2);
  for (let i = 0; i < cases(20000); i++) {
    const g = rng.pick(VALID_GRANULARITIES);
    const n = 1 + rng.below(4);
    const maps = randomMaps(rng, g, n);
    const a = rng.below(2 ** 52);
    assert.equal(BigInt(xorTransform(a, maps, n)), refXor(BigInt(a), maps, n), `seed ${rng.seed} iter ${i}`);
  }
});

test('xorBitMasks: bit b of T(a) = parity(a & mask_b) (T is linear over GF(2)), maps covering other maps too', () => {
  const rng = new Prng(0x0a0a5);
  for (let i = 0; i < cases(2000); i++) {
    const g = rng.pick(VALID_GRANULARITIES);
    const n = 1 + rng.below(4);
    const maps = randomMaps(rng, g, n);
    const masks = xorBitMasks(maps, n);
    assert.equal(masks.length, n);
    for (let j = 0; j < 8; j++) {
      const a = rng.below(2 ** 52);
      const t = xorTransform(a, maps, n);
      for (const { bit, mask } of masks)
        assert.equal(testBit(t, bit), parityOfAnd(a, mask), `seed ${rng.seed} iter ${i}`);
    }
  }
});

test('property: XOR round trips for every HBIW x region ways x granularity, bases above 4 GiB and near 2^52', () => {
  const rng = new Prng(0x0a0a3);
  const GiB = 2 ** 30;
  for (const hbiw of VALID_WAYS) {
    const n = xorMapsForHbiw(hbiw)!;
    // region ways: HBIW times a power of two, still a valid W
    const regionWays = VALID_WAYS.filter((w) => w % hbiw === 0 && Number.isInteger(Math.log2(w / hbiw)));
    for (const w of regionWays) {
      for (const g of VALID_GRANULARITIES) {
        const maps = randomMaps(rng, g, n);
        const size = 256 * 2 ** 20 * w * 4;
        const bases = [0, 4 * GiB + 3 * 256 * 2 ** 20, Math.floor((2 ** 52 - size) / GiB) * GiB - 768 * 2 ** 20];
        for (const base of bases) {
          for (let i = 0; i < cases(40); i++) {
            const dpa = rng.below(size / w);
            const pos = rng.below(w);
            const spa = xorHpaOf(dpa, pos, base, w, g, maps, n);
            const ctx = `seed ${rng.seed} HBIW ${hbiw} W ${w} G ${g} base ${base} dpa ${dpa} pos ${pos}`;
            assert.ok(spa >= base && spa < base + size, ctx);
            assert.equal(xorPositionOf(spa, base, w, g, maps, n), pos, ctx);
            assert.equal(xorDpaOffsetOf(spa, base, w, g, maps, n), dpa, ctx);
            // XOR only permutes which device serves a chunk; the DPA is the modulo one
            assert.equal(xorDpaOffsetOf(spa, base, w, g, maps, n), dpaOffsetOf(spa - base, w, g), ctx);
            // the position bits above the root's stay modulo
            assert.equal(
              Math.floor(xorPositionOf(spa, base, w, g, maps, n) / hbiw),
              Math.floor(positionOf(spa - base, w, g) / hbiw),
              ctx,
            );
          }
        }
      }
    }
  }
});

test('property: maps accepted by checkXorMaps make T an involution that keeps the DPA', () => {
  const rng = new Prng(0x0a0a4);
  let accepted = 0;
  for (let t = 0; t < cases(3000); t++) {
    const hbiw = rng.pick([2, 4, 6, 8, 12, 16]);
    const n = xorMapsForHbiw(hbiw)!;
    const g = rng.pick(VALID_GRANULARITIES);
    const gb = Math.log2(g);
    // random maps over bits gb-2 .. gb+8, each with its lowest bit a position bit (sometimes not)
    const maps = Array.from({ length: n }, (_, i) => {
      let m = 2 ** (rng.chance(0.9) ? gb + i : gb + n);
      for (let b = gb - 2; b < gb + 9; b++) if (b > Math.log2(m) && rng.chance(0.3)) m += 2 ** b;
      return m;
    });
    if (checkXorMaps(maps, hbiw, g).length > 0) continue;
    accepted++;
    for (let i = 0; i < 20; i++) {
      const a = rng.below(2 ** 52);
      const ctx = `seed ${rng.seed} t ${t} maps ${maps.map((m) => m.toString(16))} a ${a}`;
      assert.equal(xorTransform(xorTransform(a, maps, n), maps, n), a, ctx);
      assert.equal(dpaOffsetOf(xorTransform(a, maps, n), hbiw, g), dpaOffsetOf(a, hbiw, g), ctx);
    }
  }
  assert.ok(accepted > 100, `only ${accepted} map sets accepted`);
});
