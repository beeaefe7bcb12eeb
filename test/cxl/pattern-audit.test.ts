// The guest-pattern audit (pattern-audit.ts): a "guest" writes the seeded pattern through the
// reference decoder (the writer), the audit reads the devices by the spec's closed form (the
// checker), so the two decodes are independent. Whole pages come back as runs, partial pages are
// counted, and a word moved behind the decode's back is reported with the HPA it belongs to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, GiB, hb, mem, sharedArena, win, WBASE } from './fixtures.js';
import { referenceDecode } from '../../src/cxl/reference-decoder.js';
import { auditPattern, patternKey, patternWord } from '../../src/cxl/pattern-audit.js';
import type { CxlTopology, TopologySpec } from '../../src/cxl/index.js';

const MiB = 2 ** 20;
const SZ = 256 * MiB;

/** Writes the pattern of `seed` over [hpa, hpa + bytes) through the reference decoder, as a guest would. */
function writePattern(topo: CxlTopology, seed: bigint, hpa: number, bytes: number): void {
  const word = new Uint8Array(8);
  const dv = new DataView(word.buffer);
  for (let a = hpa; a < hpa + bytes; a += 8) {
    const ref = referenceDecode(topo.windows, a);
    assert.ok(ref.ok);
    dv.setBigUint64(0, patternWord(seed, a), true);
    (ref.partition === 'volatile' ? ref.memdev.volatileStore! : ref.memdev.persistentStore!).write(
      ref.storeOffset,
      word,
    );
  }
}

test('patternKey is seed * 0x9e3779b97f4a7c15 mod 2^64 (the init computes the same)', () => {
  assert.equal(patternKey(7n), 0x538454127b096493n, 'the value the Linux init printed for seed 7');
  assert.equal(patternKey(0n), 0n);
  assert.equal(patternWord(1n, 0x1_2000_0000), 0x9e3779b97f4a7c15n ^ 0x1_2000_0000n);
});

const cases: { name: string; spec: TopologySpec; memdevs: string[]; ways: number; G: number }[] = [
  {
    name: '3-way 256 B over three host bridges',
    spec: {
      hostBridges: [0, 1, 2].map((i) => hb(`hb${i}`, i, [mem(`m${i}`)])),
      windows: [win('w', WBASE, 3 * GiB, ['hb0', 'hb1', 'hb2'])],
      xorMaps: [],
    },
    memdevs: ['m0', 'm1', 'm2'],
    ways: 3,
    G: 256,
  },
  {
    name: '2-way 4 KiB XOR',
    spec: {
      hostBridges: [hb('hb0', 0, [mem('m0')]), hb('hb1', 1, [mem('m1')])],
      windows: [win('w', WBASE, 2 * GiB, ['hb0', 'hb1'], 4096, 'xor')],
      xorMaps: [{ granularity: 4096, maps: [0x1_0100_1000] }],
    },
    memdevs: ['m0', 'm1'],
    ways: 2,
    G: 4096,
  },
];

for (const c of cases) {
  test(`pattern audit, ${c.name}: whole pages as runs, partial pages, misplaced words`, () => {
    const { topo } = build(c.spec, sharedArena(4 * SZ + 64 * MiB));
    try {
      const r = topo.createRegion({
        window: 'w',
        ways: c.ways,
        granularity: c.G,
        memdevs: c.memdevs,
        size: c.ways * SZ,
      });
      const seed = 0x1234n;
      writePattern(topo, seed, r.base + 64 * 1024, 256 * 1024); // 64 pages
      writePattern(topo, seed, r.base + 100 * MiB, 4096); // one page
      writePattern(topo, seed, r.base + 200 * MiB, 2048); // half a page
      const a = auditPattern(r, seed);
      assert.deepEqual(a.ranges, [
        { start: r.base + 64 * 1024, end: r.base + 320 * 1024 },
        { start: r.base + 100 * MiB, end: r.base + 100 * MiB + 4096 },
      ]);
      assert.equal(a.wholePages, 65);
      assert.equal(a.partialPages, 1);
      assert.equal(a.misplacedCount, 0);
      assert.equal(a.words, r.size / 8);
      assert.equal(
        Object.values(a.perDevice).reduce((x, y) => x + y, 0),
        65 * 4096 + 2048,
      );
      // Another seed sees nothing.
      assert.equal(auditPattern(r, 0x1235n).wholePages, 0);

      // Swap two words between devices behind the decode's back: both are reported as the
      // guest's words of their own HPAs found at the other's device and DPA.
      const h1 = r.base + 64 * 1024 + 8;
      const h2 = h1 + c.G;
      const d1 = referenceDecode(topo.windows, h1);
      const d2 = referenceDecode(topo.windows, h2);
      assert.ok(d1.ok && d2.ok && d1.memdev !== d2.memdev);
      const st1 = d1.memdev.volatileStore ?? d1.memdev.persistentStore!;
      const st2 = d2.memdev.volatileStore ?? d2.memdev.persistentStore!;
      const w1 = new Uint8Array(8);
      const w2 = new Uint8Array(8);
      st1.read(d1.storeOffset, w1);
      st2.read(d2.storeOffset, w2);
      st1.write(d1.storeOffset, w2);
      st2.write(d2.storeOffset, w1);
      const b = auditPattern(r, seed);
      assert.equal(b.misplacedCount, 2);
      const found = b.misplaced
        .map((m) => [m.wordOf, m.at, m.memdev, m.dpa])
        .sort((x, y) => Number(x[0]) - Number(y[0]));
      assert.deepEqual(found, [
        [h1, h2, d2.memdev.name, d2.dpa],
        [h2, h1, d1.memdev.name, d1.dpa],
      ]);
      const pagesHit = new Set([h1, h2].map((h) => Math.floor((h - r.base) / 4096))).size;
      assert.equal(b.wholePages, 65 - pagesHit, 'the pages holding the swapped words are no longer whole');
    } finally {
      topo.close();
    }
  });
}
