// translateHpa / translateDpa: the path of ports, endpoint, DPA, position and routed slot; DPA ->
// HPA round trips (modulo, XOR, switches), unrouted HPAs, and windows near 2^52.
// Oracle: SPEC-NOTES 1.2-1.4 closed forms via src/cxl-math (hpaOffsetOf, xorHpaOf) and the reference
// decoder; router vs reference near 2^52. The device and DPA reported are the compiled router's
// (checked against a raw WindowRoute.resolve); a router stubbed to disagree with the reference
// decoder makes translate throw RouteMismatchError naming the HPA and both answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, compareRouterVsReference, GiB, hb, mem, sw, win, WBASE } from './fixtures.js';
import { hpaOffsetOf } from '../../src/cxl-math/interleave.js';
import { xorHpaOf } from '../../src/cxl-math/xor.js';
import { Prng } from '../helpers/prng.js';
import { RouteMismatchError } from '../../src/cxl/translate.js';
import { CxlBugError, type CxlTopology } from '../../src/cxl/index.js';
import type { RouteOut } from '../../src/cxl/router.js';

const SZ = 2 ** 28;

test('HPA -> path through a switch, endpoint decoder, DPA, position; DPA -> HPA', () => {
  const { topo } = build(
    {
      hostBridges: [hb('hb0', 0, [sw('s0', [mem('mem0'), mem('mem1')]), sw('s1', [mem('mem2'), mem('mem3')], 8)])],
      windows: [win('w0', WBASE, 4 * GiB, ['hb0'], 256)],
      xorMaps: [],
    },
    32 * 2 ** 20,
    false,
  );
  const r = topo.createRegion({
    window: 'w0',
    ways: 4,
    granularity: 512,
    memdevs: ['mem3', 'mem2', 'mem1', 'mem0'],
    size: 4 * SZ,
    base: WBASE + GiB,
  });
  assert.deepEqual(
    r.targets.map((t) => t.memdev.name),
    ['mem0', 'mem2', 'mem1', 'mem3'],
  );
  const t = topo.translateHpa(r.base + 3 * 512 + 40);
  assert.ok(t.ok);
  const v = t.value;
  assert.deepEqual(
    [v.window, v.hostBridge, v.memdev, v.dpa, v.region, v.position, v.routedSlot],
    ['w0', 'hb0', 'mem3', 40, 'region0', 3, undefined],
  );
  assert.deepEqual(
    v.path.map((p) => [p.component, p.kind, p.decoder, p.way, p.port]),
    [
      ['hb0', 'hostBridge', 0, 1, 1],
      ['s1', 'switch', 0, 1, 9],
    ],
  );
  assert.match(v.endpointDecoder, /^decoder\d+\.0$/);
  const prng = new Prng(5);
  for (let i = 0; i < 2000; i++) {
    const tg = r.targets[prng.below(4)]!;
    const dpaOff = prng.below(SZ / 8) * 8;
    const hpas = topo.translateDpa(tg.memdev.name, tg.dpaBase + dpaOff);
    assert.deepEqual(hpas, [r.base + hpaOffsetOf(dpaOff, tg.position, 4, 512)]);
  }
  assert.deepEqual(topo.translateDpa('mem0', 2 * SZ), [], 'DPA outside every decoder');
  const u = topo.translateHpa(WBASE);
  assert.equal(u.ok, false);
  if (!u.ok) assert.match(u.reason, /no committed decoder of host bridge hb0 covers HPA 0x100000000/);
  const n = topo.translateHpa(0x10);
  assert.ok(!n.ok && /is in no CXL window/.test(n.reason));
});

test('XOR: DPA -> HPA is T(base + modulo offset) (SPEC-NOTES 1.4)', () => {
  const maps = [0x2020900, 0x4041200];
  const { topo } = build(
    {
      hostBridges: [0, 1, 2, 3].map((h) => hb(`hb${h}`, h, [mem(`m${h}`)])),
      windows: [win('x', WBASE, 16 * GiB, ['hb0', 'hb1', 'hb2', 'hb3'], 256, 'xor')],
      xorMaps: [{ granularity: 256, maps }],
    },
    32 * 2 ** 20,
    false,
  );
  const r = topo.createRegion({
    window: 'x',
    ways: 4,
    granularity: 256,
    memdevs: ['m3', 'm1', 'm0', 'm2'],
    size: 4 * SZ,
  });
  const prng = new Prng(9);
  for (let i = 0; i < 2000; i++) {
    const tg = r.targets[prng.below(4)]!;
    const dpaOff = prng.below(SZ);
    const spa = xorHpaOf(dpaOff, tg.position, r.base, 4, 256, maps, 2);
    assert.deepEqual(topo.translateDpa(tg.memdev.name, tg.dpaBase + dpaOff), [spa]);
    const t = topo.translateHpa(spa);
    assert.ok(t.ok);
    assert.deepEqual(
      [t.value.memdev, t.value.dpa, t.value.position],
      [tg.memdev.name, tg.dpaBase + dpaOff, tg.position],
    );
  }
});

test('windows near 2^52: router vs reference, translate round trip', () => {
  const top = 2 ** 52;
  const { topo } = build(
    {
      hostBridges: [hb('hb0', 0, [mem('a'), mem('b')]), hb('hb1', 1, [mem('c'), mem('d')])],
      windows: [win('hi', top - 8 * GiB, 8 * GiB, ['hb0', 'hb1'], 1024)],
      xorMaps: [],
    },
    64 * 2 ** 20,
    false,
  );
  const r = topo.createRegion({
    window: 'hi',
    ways: 4,
    granularity: 1024,
    memdevs: ['a', 'b', 'c', 'd'],
    size: 4 * SZ,
    base: top - 4 * SZ,
  });
  const st = compareRouterVsReference(topo, [{ base: r.base, size: r.size }], 100_000, 52);
  assert.deepEqual(st.mismatches, []);
  const last = top - 8;
  const t = topo.translateHpa(last);
  assert.ok(t.ok);
  assert.deepEqual(topo.translateDpa(t.value.memdev, t.value.dpa), [last]);
  assert.equal(topo.audit({ mode: 'sampled', samples: 2000, via: 'router' }).ok, true);
});

/** Four devices below two host bridges, a 4-way XOR region and a 2-way modulo region. */
function twoRegions(): { topo: CxlTopology; regions: { base: number; size: number }[] } {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [mem('m0'), mem('m1')]),
        hb('hb1', 1, [sw('s', [mem('m2', { persistentBytes: 2 * SZ }), mem('m3', { persistentBytes: 2 * SZ })])]),
      ],
      windows: [win('x', WBASE, 4 * GiB, ['hb0', 'hb1'], 256, 'xor'), win('m', WBASE + 4 * GiB, 2 * GiB, ['hb1'], 256)],
      xorMaps: [],
    },
    32 * 2 ** 20,
    false,
  );
  const a = topo.createRegion({
    window: 'x',
    ways: 4,
    granularity: 256,
    memdevs: ['m0', 'm1', 'm2', 'm3'],
    size: 4 * SZ,
  });
  const b = topo.createRegion({ window: 'm', ways: 2, granularity: 1024, memdevs: ['m2', 'm3'], size: 2 * SZ });
  return { topo, regions: [a, b] };
}

test('translate reports the compiled router device and DPA (raw WindowRoute.resolve)', () => {
  const { topo, regions } = twoRegions();
  const prng = new Prng(17);
  const out: RouteOut = { store: null, offset: 0, run: 0 };
  let routed = 0;
  for (let i = 0; i < 3000; i++) {
    const w = topo.windows[prng.below(topo.windows.length)]!;
    const r = regions[prng.below(regions.length)]!;
    const h = prng.below(4) === 0 ? w.base + prng.below(w.size) : r.base + prng.below(r.size);
    const t = topo.translateHpa(h);
    const router = topo.routers[topo.windows.indexOf(topo.windowAt(h)!.window)]!;
    const ok = router.resolve(h, out);
    assert.equal(t.ok, ok, `0x${h.toString(16)}`);
    if (!t.ok) continue;
    routed++;
    const dev = topo.memdev(t.value.memdev)!;
    const store = t.value.partition === 'volatile' ? dev.volatileStore : dev.persistentStore;
    const storeBase = t.value.partition === 'volatile' ? 0 : dev.volatileBytes;
    assert.equal(out.store, store, `0x${h.toString(16)}: store`);
    assert.equal(t.value.dpa, storeBase + out.offset, `0x${h.toString(16)}: DPA`);
  }
  assert.ok(routed > 2000, `${routed} routed`);
});

test('a router that disagrees with the reference decoder is a bug: RouteMismatchError names the HPA and both answers', () => {
  const { topo, regions } = twoRegions();
  const r = regions[0]!;
  const router = topo.routers[0]!;
  const real = router.resolve.bind(router);
  const hit = r.base + 0x1234;
  const truth = topo.translateHpa(hit);
  assert.ok(truth.ok);
  const other = topo.memdevs.find((d) => d.name !== truth.value.memdev)!;
  const hpaText = `0x${hit.toString(16)}`;
  const refText = `${truth.value.memdev} DPA 0x${truth.value.dpa.toString(16)} \\(persistent\\)`;

  // Wrong device: the stub sends one HPA to another device's store at the same offset.
  router.resolve = (h: number, o: RouteOut) => {
    const ok = real(h, o);
    if (h === hit) o.store = other.persistentStore;
    return ok;
  };
  const wrongDevice = new RegExp(
    `^HPA ${hpaText}: the compiled router and the reference decoder disagree: router -> ${other.name} DPA 0x${truth.value.dpa.toString(16)} \\(persistent\\); reference decoder -> ${refText}$`,
  );
  assert.throws(
    () => topo.translateHpa(hit),
    (e: unknown) => e instanceof RouteMismatchError && e instanceof CxlBugError && wrongDevice.test(e.message),
  );
  // translate --dpa checks each candidate HPA the same way.
  assert.throws(() => topo.translateDpa(truth.value.memdev, truth.value.dpa), RouteMismatchError);
  assert.equal(topo.translateHpa(hit + 0x1000).ok, true, 'other HPAs are unaffected');

  // Wrong DPA on the right device.
  router.resolve = (h: number, o: RouteOut) => {
    const ok = real(h, o);
    if (h === hit) o.offset += 64;
    return ok;
  };
  assert.throws(() => topo.translateHpa(hit), /router -> \S+ DPA 0x[0-9a-f]+ \(persistent\); reference decoder -> /);

  // No route where the reference decoder routes, and a route where it does not.
  router.resolve = (h: number, o: RouteOut) => (h === hit ? false : real(h, o));
  assert.throws(
    () => topo.translateHpa(hit),
    new RegExp(
      `^RouteMismatchError: HPA ${hpaText}: .*router -> no route \\(window x routes HPA ${hpaText} nowhere\\); reference decoder -> ${refText}$`,
    ),
  );
  const unrouted = r.base + r.size;
  assert.equal(topo.translateHpa(unrouted).ok, false);
  router.resolve = (h: number, o: RouteOut) => (h === unrouted ? real(hit, o) : real(h, o));
  assert.throws(
    () => topo.translateHpa(unrouted),
    /router -> \S+ DPA 0x[0-9a-f]+ \(persistent\); reference decoder -> no route \(no committed decoder of/,
  );
});
