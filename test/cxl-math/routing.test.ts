// Oracles: SPEC-NOTES 1.3 (per-level selection, granularity rule incl. the 3-family rule, Linux
// endpoint position example), 1.6 (a) observed QEMU 7.2 + Linux 6.1 placement samples, 1.6 (b),
// and the identity "routing level by level, then Linux's position = floor(off/G) mod W_region"
// checked on seeded random offsets for power-of-two trees of depth 1-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calcInterleavePosition,
  childGranularity,
  dpaOffsetOf,
  granularityChain,
  isChainGranularityValid,
  peerDistance,
  positionOf,
  rootTargetIndexForPosition,
  routingWays,
  targetIndexOf,
} from '../../src/cxl-math/index.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';

test('targetIndexOf = floor(off/G) mod W, above 4 GiB too', () => {
  assert.equal(targetIndexOf(0x1234, 2, 256), 0);
  assert.equal(targetIndexOf(0x1234, 2, 512), 1);
  assert.equal(targetIndexOf(2 ** 40 + 3 * 4096, 4, 4096), 3);
  assert.equal(targetIndexOf(2 ** 52 - 1, 3, 256), (2 ** 44 - 1) % 3);
});

test('granularity rule: G = G_parent x W_parent, W_root/3 for 3/6/12', () => {
  assert.equal(childGranularity(256, 1), 256); // 1.6 (a): under a 1-way window, G_hb = G_region
  assert.equal(childGranularity(256, 2), 512); // 1.6 (b): HB IG 512
  assert.equal(childGranularity(1024, 4), 4096);
  assert.equal(childGranularity(256, 3), 256);
  assert.equal(childGranularity(256, 6), 512);
  assert.equal(childGranularity(256, 12), 1024);
  assert.deepEqual([1, 2, 3, 4, 6, 8, 12, 16].map(routingWays), [1, 2, 1, 4, 2, 8, 4, 16]);
  assert.deepEqual(granularityChain(256, 2, [2]), [512]);
  assert.deepEqual(granularityChain(256, 2, [2, 2]), [512, 1024]);
  assert.deepEqual(granularityChain(1024, 12, [2, 4]), [4096, 8192]);
  assert.deepEqual(granularityChain(4096, 4, [2, 2]), [16384, 32768]);
  assert.equal(isChainGranularityValid(16384), true);
  assert.equal(isChainGranularityValid(32768), false);
});

test('Linux endpoint position: root -> HB0{mem0, mem1}, HB1{mem2, mem3} gives mem0, mem2, mem1, mem3', () => {
  const pos = (hb: number, rp: number): number =>
    calcInterleavePosition([
      { index: rp, ways: 2 },
      { index: hb, ways: 2 },
    ]);
  const order = [
    ['mem0', pos(0, 0)],
    ['mem1', pos(0, 1)],
    ['mem2', pos(1, 0)],
    ['mem3', pos(1, 1)],
  ] as const;
  assert.deepEqual(
    [...order].sort((a, b) => a[1] - b[1]).map((e) => e[0]),
    ['mem0', 'mem2', 'mem1', 'mem3'],
  );
});

test('SPEC-NOTES 1.6 (b): pos = 2*rp + hb = off[9:8] on every granule of 64 KiB', () => {
  for (let off = 0; off < 65536; off += 64) {
    const hb = targetIndexOf(off, 2, 256);
    const rp = targetIndexOf(off, 2, childGranularity(256, 2));
    const pos = calcInterleavePosition([
      { index: rp, ways: 2 },
      { index: hb, ways: 2 },
    ]);
    assert.equal(pos, 2 * rp + hb);
    assert.equal(pos, Math.floor(off / 256) % 4);
    assert.equal(pos, positionOf(off, 4, 256));
  }
});

test('SPEC-NOTES 1.6 (a): observed QEMU 7.2 + Linux 6.1 2-way placement under a 1-way window', () => {
  const base = 0x1_1000_0000;
  const route = (hpa: number, g: number, targetList: number[]): { rp: number; dpa: number } => {
    const off = hpa - base;
    assert.equal(targetIndexOf(off, 1, 256), 0); // root: 1 target
    const gHb = childGranularity(g, 1);
    return { rp: targetList[targetIndexOf(off, 2, gHb)]!, dpa: dpaOffsetOf(off, 2, g) };
  };
  const samples: Array<[number, number, number]> = [
    [0x1_1020_0000, 0, 0x10_0000],
    [0x1_1020_0fff, 0, 0x10_0fff],
    [0x1_1020_1000, 1, 0x10_0000],
    [0x1_1020_1fff, 1, 0x10_0fff],
    [0x1_1020_2000, 0, 0x10_1000],
    [0x1_1020_2fff, 0, 0x10_1fff],
    [0x1_2fff_f000, 1, 0xfff_f000],
    [0x1_2fff_ffff, 1, 0xfff_ffff],
  ];
  for (const [hpa, rp, dpa] of samples) assert.deepEqual(route(hpa, 4096, [0, 1]), { rp, dpa }, hpa.toString(16));
  assert.deepEqual(route(0x1_1020_0000, 16384, [1, 0]), { rp: 1, dpa: 0x10_0000 });
  assert.deepEqual(route(0x1_1020_3fff, 16384, [1, 0]), { rp: 1, dpa: 0x10_3fff });
  // the rule for every G: DPA = (off mod G) + floor(off/(2G))*G
  const rng = new Prng(0x0b5);
  for (const g of [256, 1024, 2048, 4096, 8192, 16384]) {
    for (let i = 0; i < 200; i++) {
      const off = rng.below(0x2000_0000);
      const r = route(base + off, g, [1, 0]);
      assert.equal(r.dpa, (off % g) + Math.floor(off / (2 * g)) * g);
      assert.equal(r.rp, [1, 0][Math.floor(off / g) % 2]);
    }
  }
});

test('property: routing level by level gives Linux position floor(off/G) mod W_region (power-of-two trees)', () => {
  const rng = new Prng(0x0b6);
  const P2 = [1, 2, 4, 8];
  for (let t = 0; t < cases(3000); t++) {
    const depth = 1 + rng.below(3); // root + 1..3 levels below it
    const ways = [rng.pick(P2)];
    for (let i = 0; i < depth; i++) ways.push(rng.pick(P2));
    const total = ways.reduce((a, b) => a * b, 1);
    if (total > 16) continue;
    const g = rng.pick([256, 512, 1024, 2048]);
    const off = rng.below(2 ** 52);
    const hops: Array<{ index: number; ways: number }> = [];
    let gi = g;
    for (let i = 0; i < ways.length; i++) {
      hops.unshift({ index: targetIndexOf(off, ways[i]!, gi), ways: ways[i]! });
      gi = i === 0 ? childGranularity(g, ways[0]!) : childGranularity(gi, ways[i]!);
    }
    assert.equal(
      calcInterleavePosition(hops),
      positionOf(off, total, g),
      `seed ${rng.seed} t ${t} ways ${ways} G ${g} off ${off}`,
    );
  }
});

test('3-family root over interleaving HBs: routed slot is a bijection but labels differ from c mod W', () => {
  // W_root 3, W_hb 2, G_hb = G (SPEC-NOTES 1.3): device (hb, rp) gets c = hb (mod 3), c = rp (mod 2)
  const g = 256;
  const seen = new Set<number>();
  let differs = 0;
  for (let c = 0; c < 6; c++) {
    const off = c * g;
    const hb = targetIndexOf(off, 3, g);
    const rp = targetIndexOf(off, 2, childGranularity(g, 3));
    const linux = calcInterleavePosition([
      { index: rp, ways: 2 },
      { index: hb, ways: 3 },
    ]);
    assert.equal(linux, 3 * rp + hb);
    seen.add(linux);
    if (linux !== positionOf(off, 6, g)) differs++;
  }
  assert.equal(seen.size, 6);
  assert.ok(differs > 0);
});

test('distance rule helper and root position', () => {
  assert.equal(peerDistance([1], 2), 2); // HB with one RP under a 2-way root
  assert.equal(peerDistance([2, 1], 2), 4);
  assert.equal(peerDistance([], 4), 4);
  assert.equal(rootTargetIndexForPosition(5, 2), 1);
  assert.equal(rootTargetIndexForPosition(9, 3), 0);
});
