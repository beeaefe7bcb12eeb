// Router vs reference decoder, 10^6 random HPAs per topology: XOR windows over 2, 4 and 8 host
// bridges (and 4 HB x 2 RP), platform maps per HBIG (CXIMS). Oracle: the reference decoder and the
// Linux/ndctl XOR vectors via src/cxl-math (SPEC-NOTES 1.7) for the window-level transform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, sharedArena, compareRouterVsReference, GiB, hb, mem, win, WBASE } from './fixtures.js';
import { cases } from '../helpers/scale.js';
import { xorHpaOf, xorPositionOf, xorTransform } from '../../src/cxl-math/xor.js';
import { Prng } from '../helpers/prng.js';

const N = cases(1_000_000);
const MAPS_256 = { granularity: 256, maps: [0x2020900, 0x4041200, 0x1010400, 0x800] };

for (const [nhb, perHb] of [
  [2, 1],
  [4, 1],
  [8, 1],
  [4, 2],
] as const) {
  const ways = nhb * perHb;
  test(`XOR window over ${nhb} host bridges x ${perHb} root port(s), ${ways}-way region`, () => {
    const hbs = Array.from({ length: nhb }, (_, h) =>
      hb(
        `hb${h}`,
        h,
        Array.from({ length: perHb }, (_, r) => mem(`mem${h}_${r}`)),
      ),
    );
    const { topo } = build(
      {
        hostBridges: hbs,
        windows: [
          win(
            'w0',
            WBASE,
            16 * GiB,
            hbs.map((x) => x.id),
            256,
            'xor',
          ),
        ],
        xorMaps: [MAPS_256],
      },
      sharedArena(),
    );
    const r = topo.createRegion({
      window: 'w0',
      ways,
      granularity: 256,
      memdevs: topo.memdevs.map((m) => m.name),
      size: ways * 2 ** 28,
      base: WBASE + 4 * GiB,
    });
    // Encode: SPA = T(base + modulo offset) lands at (position, DPA) (SPEC-NOTES 1.4); check a few.
    const nmaps = Math.log2(nhb);
    for (const t of r.targets) {
      for (const dpaOff of [0, 8, 256, 4096, 0x123458, 2 ** 28 - 8]) {
        const spa = xorHpaOf(dpaOff, t.position, r.base, ways, 256, MAPS_256.maps, nmaps);
        const ref = topo.referenceDecode(spa);
        assert.ok(ref.ok);
        assert.equal(ref.memdev.name, t.memdev.name);
        assert.equal(ref.dpa, t.dpaBase + dpaOff);
      }
    }
    const st = compareRouterVsReference(topo, [{ base: r.base, size: r.size }], N, 30 + ways);
    assert.deepEqual(st.mismatches, []);
    assert.ok(st.routed > N / 2);
    assert.equal(topo.audit({ mode: 'sampled', samples: cases(100_000) }).ok, true);
    topo.close();
  });
}

test('window root slot (hot path) = cxl-math xorPositionOf, T = cxl-math xorTransform, bases above 4 GiB', () => {
  const rng = new Prng(0x7a11);
  for (const nhb of [2, 4, 8, 16, 6, 12]) {
    const hbs = Array.from({ length: nhb }, (_, h) => hb(`hb${h}`, h, [mem(`m${h}`)]));
    const base = nhb % 3 === 0 ? 0x3_0000_0000 * 4 : WBASE * 4;
    const { topo } = build({
      hostBridges: hbs,
      windows: [
        win(
          'w0',
          base,
          nhb * GiB,
          hbs.map((x) => x.id),
          512,
          'xor',
        ),
      ],
      xorMaps: [{ granularity: 512, maps: [0x2021200, 0x4042400, 0x1010800, 0x1000] }],
    });
    const w = topo.windows[0]!;
    for (let i = 0; i < cases(20000); i++) {
      const hpa = base + rng.below(w.size);
      const n = w.xorMaps.length;
      assert.equal(w.xorTransform(hpa), xorTransform(hpa, w.xorMaps, n));
      assert.equal(
        w.rootSlot(hpa),
        xorPositionOf(hpa, base, nhb, 512, w.xorMaps, n),
        `HBIW ${nhb} hpa 0x${hpa.toString(16)}`,
      );
    }
    topo.close();
  }
});

test('XOR maps are platform-level: a window needing a conflicting map list is refused', () => {
  assert.throws(
    () =>
      build({
        hostBridges: [hb('hb0', 0, [mem('m0')]), hb('hb1', 1, [mem('m1')])],
        windows: [win('w0', WBASE, 4 * GiB, ['hb0', 'hb1'], 512, 'xor')],
        xorMaps: [{ granularity: 512, maps: [0x404100] }],
      }),
    /lowest bit 8, but this window's position bits are 9: the window needs a conflicting map list/,
  );
  assert.throws(
    () =>
      build({
        hostBridges: [hb('hb0', 0, [mem('m0')])],
        windows: [win('w0', WBASE, 4 * GiB, ['hb0'], 256)],
        xorMaps: [
          { granularity: 256, maps: [0x100] },
          { granularity: 256, maps: [0x200] },
        ],
      }),
    /second, different XOR map list for HBIG 256; XOR maps are platform-level, one list per host-bridge granularity/,
  );
  assert.throws(
    () =>
      build({
        hostBridges: [
          hb('hb0', 0, [mem('m0')]),
          hb('hb1', 1, [mem('m1')]),
          hb('hb2', 2, [mem('m2')]),
          hb('hb3', 3, [mem('m3')]),
        ],
        windows: [win('w0', WBASE, 4 * GiB, ['hb0', 'hb1', 'hb2', 'hb3'], 256, 'xor')],
        xorMaps: [{ granularity: 256, maps: [0x2020900] }],
      }),
    /needs 2 XOR maps for HBIG 256, but the platform list .* has 1/,
  );
});
