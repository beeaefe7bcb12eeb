// The observed QEMU 7.2 + Linux 6.1 placement (SPEC-NOTES 1.6a): one host bridge, root ports 0 and
// 1 with a 256 MiB persistent device each, a 1-target 4 GiB window with HBIG 4 KiB at 0x1_1000_0000,
// a 2-way pmem region at the window base for G in {256, 1K, 2K, 4K, 8K, 16K}, both target orders.
// Oracle: the observed rule pos = floor(off/G) mod 2 in the HB target order,
// DPA = (off mod G) + floor(off/(2G))*G, and the sample table rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, GiB, hb, mem, sharedArena, win } from './fixtures.js';
import { Prng } from '../helpers/prng.js';
import { cases } from '../helpers/scale.js';
import { HDM } from '../../src/cxl/index.js';

const BASE = 0x1_1000_0000;
const SIZE = 2 * 256 * 2 ** 20;

function machine() {
  return build(
    {
      hostBridges: [hb('pxb', 0, [mem('memA'), mem('memB')])],
      windows: [win('cfmw0', BASE, 4 * GiB, ['pxb'], 4096)],
      xorMaps: [],
    },
    sharedArena(128 * 2 ** 20),
  );
}

for (const G of [256, 1024, 2048, 4096, 8192, 16384]) {
  for (const order of [
    [0, 1],
    [1, 0],
  ] as const) {
    test(`G=${G}, host bridge target list ${order.join(',')}`, () => {
      const { topo, as } = machine();
      const byPort = ['memA', 'memB'];
      const r = topo.createRegion({
        window: 'cfmw0',
        ways: 2,
        granularity: G,
        memdevs: order.map((p) => byPort[p]!),
        size: SIZE,
        order: 'given',
        mode: 'pmem',
      });
      assert.equal(r.base, BASE);
      // HB decoder: IW 2, IG = G, target list as ordered; endpoints DPA base 0, skip 0.
      const hbDec = topo.hostBridges[0]!.hdm!.view(0);
      assert.deepEqual(
        [hbDec.base, hbDec.size, hbDec.ways, hbDec.granularity, hbDec.targets.slice(0, 2)],
        [BASE, SIZE, 2, G, [...order]],
      );
      for (const m of topo.memdevs) assert.deepEqual([m.hdm.dpaBase(0), m.hdm.view(0).skip], [0, 0]);
      // Every sampled word: stamp through the address space, find it where the rule says.
      const rng = new Prng(G + order[0]!);
      const offs: number[] = [];
      for (let o = 0; o < 4 * G; o += 8) offs.push(o, SIZE - 8 - o);
      for (let i = 0; i < cases(20_000); i++) offs.push(rng.below(SIZE / 8) * 8);
      for (const off of offs) {
        const hpa = BASE + off;
        assert.equal(as!.store(hpa, 8, hpa % 2 ** 32, Math.floor(hpa / 2 ** 32)), 0);
      }
      for (const off of offs) {
        const hpa = BASE + off;
        const pos = Math.floor(off / G) % 2;
        const dev = topo.memdevs[order[pos]!]!;
        const dpa = (off % G) + Math.floor(off / (2 * G)) * G;
        assert.equal(dev.persistentStore!.readU32(dpa), hpa % 2 ** 32, `off 0x${off.toString(16)}`);
        assert.equal(dev.persistentStore!.readU32(dpa + 4), Math.floor(hpa / 2 ** 32));
      }
      // Contiguous runs of G bytes.
      const out = { store: null as unknown, offset: 0, run: 0 };
      assert.ok(topo.routers[0]!.resolve(BASE + G, out as never));
      assert.equal(out.run, G);
      // Control register image: IG and IW fields hold the encodings.
      const ctrl = topo.memdevs[0]!.hdm.read(HDM.DECODER0 + HDM.CTRL, 4);
      assert.equal(ctrl & 0xff, (1 << 4) | Math.log2(G / 256));
      topo.close();
    });
  }
}

test('sample table rows at G = 4 KiB (target list 0,1) and G = 16 KiB (1,0)', () => {
  const rows: [number, string, number][] = [
    [0x110200000, 'memA', 0x100000],
    [0x110200ff8, 'memA', 0x100ff8],
    [0x110201000, 'memB', 0x100000],
    [0x110202000, 'memA', 0x101000],
    [0x12ffff000, 'memB', 0xffff000],
    [0x12ffffff8, 'memB', 0xffffff8],
  ];
  const a = machine().topo;
  a.createRegion({
    window: 'cfmw0',
    ways: 2,
    granularity: 4096,
    memdevs: ['memA', 'memB'],
    size: SIZE,
    order: 'given',
  });
  for (const [hpa, dev, dpa] of rows) {
    const t = a.translateHpa(hpa);
    assert.ok(t.ok);
    assert.deepEqual([t.value.memdev, t.value.dpa], [dev, dpa]);
    assert.deepEqual(a.translateDpa(dev, dpa), [hpa]);
  }
  const b = machine().topo;
  b.createRegion({
    window: 'cfmw0',
    ways: 2,
    granularity: 16384,
    memdevs: ['memB', 'memA'],
    size: SIZE,
    order: 'given',
  });
  for (const hpa of [0x110200000, 0x110203ff8]) {
    const t = b.translateHpa(hpa);
    assert.ok(t.ok);
    assert.deepEqual([t.value.memdev, t.value.dpa], ['memB', 0x100000 + (hpa - 0x110200000)]);
  }
  a.close();
  b.close();
});
