// Router vs reference decoder, 10^6 random HPAs per topology (modulo windows, 0/1/2 switch levels,
// regions away from the window base). Oracle: the reference decoder (walks every level per access,
// reading decoder registers), and for fixed points SPEC-NOTES 1.6(b).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, sharedArena, compareRouterVsReference, GiB, hb, mem, names, sw, win, WBASE } from './fixtures.js';
import { cases } from '../helpers/scale.js';

const N = cases(1_000_000);

function check(topo: Parameters<typeof compareRouterVsReference>[0], seed: number, minRouted = 0.5, samples = 100_000) {
  const hot = topo.regions.map((r) => ({ base: r.base, size: r.size }));
  const st = compareRouterVsReference(topo, hot, N, seed);
  assert.deepEqual(st.mismatches, [], `seed ${seed}`);
  assert.equal(st.checked, N);
  assert.ok(st.routed / st.checked > minRouted, `routed fraction ${st.routed / st.checked}`);
  // Sampled audit: first/last 2*W*16 KiB + 10^5 random words per region, vs the reference decoder.
  const a = topo.audit({ mode: 'sampled', samples: cases(samples), seed });
  assert.equal(a.ok, true, JSON.stringify(a.regions.map((r) => r.mismatches.slice(0, 2))));
  topo.close();
}

test('0 switch levels: 2 HB x 2 RP, 4-way 256 B region plus a 2-way 4 KiB region at +2 GiB', () => {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [mem('mem0', { persistentBytes: 2 * GiB }), mem('mem1', { persistentBytes: 2 * GiB })]),
        hb('hb1', 1, [mem('mem2'), mem('mem3')]),
        hb('hb2', 2, [mem('mem4'), mem('mem5')]),
      ],
      windows: [win('w0', WBASE, 4 * GiB, ['hb0', 'hb1'], 256), win('w1', WBASE + 4 * GiB, 4 * GiB, ['hb2'], 256)],
      xorMaps: [],
    },
    sharedArena(),
  );
  topo.createRegion({ window: 'w0', ways: 4, granularity: 256, memdevs: ['mem0', 'mem1', 'mem2', 'mem3'], size: GiB });
  topo.createRegion({
    window: 'w1',
    ways: 2,
    granularity: 4096,
    memdevs: ['mem5', 'mem4'],
    size: 512 * 2 ** 20,
    base: WBASE + 6 * GiB,
  });
  check(topo, 1);
});

test('1 switch level: 2 HB x 2 RP x switch(2), 8-way 512 B region offset from the window base', () => {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [sw('s0', [mem('mem0'), mem('mem1')]), sw('s1', [mem('mem2'), mem('mem3')])]),
        hb('hb1', 1, [sw('s2', [mem('mem4'), mem('mem5')], 4), sw('s3', [mem('mem6'), mem('mem7')])]),
      ],
      windows: [win('w0', WBASE, 8 * GiB, ['hb0', 'hb1'], 512)],
      xorMaps: [],
    },
    sharedArena(),
  );
  topo.createRegion({
    window: 'w0',
    ways: 8,
    granularity: 512,
    memdevs: names('mem', 8).reverse(),
    size: 2 * GiB,
    base: WBASE + 2 * GiB,
  });
  check(topo, 2);
});

test('2 switch levels: 1 HB, switch -> 2 switches -> 2 devices each, 4-way 1 KiB; passthrough HB', () => {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [sw('top', [sw('a', [mem('mem0'), mem('mem1')]), sw('b', [mem('mem2'), mem('mem3')])])]),
      ],
      windows: [win('w0', WBASE, 2 * GiB, ['hb0'], 256)],
      xorMaps: [],
    },
    sharedArena(),
  );
  const r = topo.createRegion({
    window: 'w0',
    ways: 4,
    granularity: 1024,
    memdevs: ['mem2', 'mem0', 'mem3', 'mem1'],
    size: GiB,
    base: WBASE + GiB,
  });
  // Linux positions: top switch picks a/b on the lower bit, a/b pick devices on the higher.
  assert.deepEqual(
    r.targets.map((x) => x.memdev.name),
    ['mem0', 'mem2', 'mem1', 'mem3'],
  );
  check(topo, 3);
});

test('two regions sharing decoders in one window (decoder 0 and 1 at every component)', () => {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [
          mem('mem0', { persistentBytes: GiB, volatileBytes: GiB }),
          mem('mem1', { persistentBytes: GiB, volatileBytes: GiB }),
        ]),
      ],
      windows: [win('w0', WBASE, 8 * GiB, ['hb0'], 256)],
      xorMaps: [],
    },
    sharedArena(),
  );
  topo.createRegion({ window: 'w0', ways: 2, granularity: 256, memdevs: ['mem0', 'mem1'], size: GiB, mode: 'ram' });
  topo.createRegion({
    window: 'w0',
    ways: 2,
    granularity: 8192,
    memdevs: ['mem1', 'mem0'],
    size: 2 * GiB,
    base: WBASE + 4 * GiB,
    mode: 'pmem',
  });
  // Two regions in one arena: 6 x 10^4 random words each keeps the touched pages under 640 MiB.
  check(topo, 4, 0.5, 60_000);
});
