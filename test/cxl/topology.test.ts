// Topology construction: stores per partition, passthrough bridges, naming, spec errors naming the
// field; XOR windows over 6, 12 and 16 host bridges (router vs reference); recompiles only on
// commit/uncommit. Oracle: TopologySpec contract, SPEC-NOTES 1.4 and 2.3, the reference decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, compareRouterVsReference, GiB, hb, mem, sw, win, WBASE } from './fixtures.js';
import { HDM, TopologyError } from '../../src/cxl/index.js';

const SZ = 2 ** 28;

test('devices get one store per partition; passthrough host bridges have no HDM block', () => {
  const { topo } = build(
    {
      hostBridges: [
        hb('hb0', 0, [mem('m0', { volatileBytes: SZ, persistentBytes: 2 * SZ, lsaBytes: 128 * 1024 })]),
        hb('hb1', 1, [mem('m1')], { hdmForPassthrough: true }),
      ],
      windows: [win('w', WBASE, GiB, ['hb0'])],
      xorMaps: [],
    },
    16 * 2 ** 20,
    false,
  );
  const m0 = topo.memdev('m0')!;
  assert.deepEqual([m0.volatileStore!.size, m0.persistentStore!.size, m0.lsaStore!.size], [SZ, 2 * SZ, 128 * 1024]);
  assert.equal(topo.memdev('m1')!.volatileStore, null);
  assert.equal(topo.hostBridges[0]!.hdm, null);
  assert.ok(topo.hostBridges[1]!.hdm);
  assert.deepEqual(m0.locate(SZ + 5), { partition: 'persistent', store: m0.persistentStore, offset: 5 });
});

const base = () => ({
  hostBridges: [hb('hb0', 0, [mem('m0')])],
  windows: [win('w', WBASE, GiB, ['hb0'])],
  xorMaps: [],
});
const bad: [string, (s: ReturnType<typeof base>) => void, RegExp][] = [
  ['duplicate id', (s) => s.hostBridges.push(hb('hb0', 1, [])), /hostBridges\[1\]: id "hb0" is used twice/],
  [
    'unknown window target',
    (s) => {
      s.windows[0]!.targets = ['nope'];
    },
    /windows\[0\]\.targets\[0\]: host bridge "nope" does not exist/,
  ],
  [
    'misaligned window',
    (s) => {
      s.windows[0]!.base = WBASE + 4096;
    },
    /windows\[0\] \(w\): base 0x100001000 and size 0x40000000 must be non-zero multiples of 256 MiB/,
  ],
  [
    'overlapping windows',
    (s) => s.windows.push(win('v', WBASE + SZ, GiB, ['hb0'])),
    /windows\[1\] \(v\): range overlaps window w/,
  ],
  [
    'bad HBIG',
    (s) => {
      s.windows[0]!.granularity = 100;
    },
    /windows\[0\] \(w\)\.granularity: 100 is not a valid HBIG/,
  ],
  [
    '5 targets',
    (s) => {
      for (let i = 1; i < 5; i++) s.hostBridges.push(hb(`h${i}`, i, []));
      s.windows[0]!.targets = ['hb0', 'h1', 'h2', 'h3', 'h4'];
    },
    /windows\[0\] \(w\)\.targets: 5 host bridges is not a valid interleave/,
  ],
  [
    'partition not 256 MiB',
    (s) => {
      s.hostBridges[0]!.rootPorts[0]!.child = mem('mX', { persistentBytes: 3 * 2 ** 20 });
    },
    /hostBridges\[0\]\.rootPorts\[0\]\.child: volatileBytes 0 and persistentBytes 3145728 must be multiples of 256 MiB/,
  ],
  [
    'duplicate port number',
    (s) => s.hostBridges[0]!.rootPorts.push({ id: 'rpX', port: 0, link: { speedGTs: 32, width: 16 } }),
    /hostBridges\[0\]\.rootPorts\[1\]\.port: port number 0 is used twice in host bridge hb0/,
  ],
];
for (const [name, mutate, re] of bad) {
  test(`TopologyError: ${name}`, () => {
    const s = base();
    mutate(s);
    assert.throws(
      () => build(s, 4 * 2 ** 20, false),
      (e: unknown) => e instanceof TopologyError && re.test(e.message),
    );
  });
}

for (const nhb of [6, 12, 16]) {
  test(`XOR window over ${nhb} host bridges: router vs reference (2 x 10^5 HPAs)`, () => {
    const hbs = Array.from({ length: nhb }, (_, h) => hb(`hb${h}`, h, [mem(`m${h}`)]));
    const { topo } = build(
      {
        hostBridges: hbs,
        windows: [
          win(
            'x',
            WBASE,
            48 * GiB,
            hbs.map((x) => x.id),
            256,
            'xor',
          ),
        ],
        xorMaps: [{ granularity: 256, maps: [0x2020900, 0x4041200, 0x1010400, 0x800] }],
      },
      64 * 2 ** 20,
      false,
    );
    const r = topo.createRegion({
      window: 'x',
      ways: nhb,
      granularity: 256,
      memdevs: topo.memdevs.map((m) => m.name).reverse(),
      size: nhb * SZ,
      base: WBASE + nhb * SZ,
    });
    const st = compareRouterVsReference(topo, [{ base: r.base, size: r.size }], 200_000, nhb);
    assert.deepEqual(st.mismatches, []);
    assert.equal(topo.audit({ mode: 'sampled', samples: 3000, via: 'router' }).ok, true);
  });
}

test('routes recompile only on commit/uncommit, not on other register writes', () => {
  const { topo } = build(
    {
      hostBridges: [hb('hb0', 0, [sw('s', [mem('a'), mem('b')])])],
      windows: [win('w', WBASE, GiB, ['hb0'])],
      xorMaps: [],
    },
    16 * 2 ** 20,
    false,
  );
  const router = topo.routers[0]!;
  const out = { store: null as unknown, offset: 0, run: 0 };
  router.resolve(WBASE, out as never);
  const c0 = router.compiles;
  const hdm = topo.switches[0]!.hdm;
  hdm.write(HDM.DECODER0 + HDM.BASE_LO, 4, 0x1000_0000);
  hdm.write(HDM.DECODER0 + HDM.TL_LO, 4, 0x0100);
  router.resolve(WBASE, out as never);
  assert.equal(router.compiles, c0);
  let notified = 0;
  topo.onRoutesChanged(() => notified++);
  topo.createRegion({ window: 'w', ways: 2, granularity: 256, memdevs: ['a', 'b'], size: 2 * SZ });
  assert.equal(notified, 1, 'one notification per region operation');
  assert.ok(router.resolve(WBASE, out as never));
  assert.equal(router.compiles, c0 + 1);
  topo.destroyRegion('region0');
  assert.equal(notified, 2);
  assert.equal(router.resolve(WBASE, out as never), false);
});

test('decoders programmed by raw register writes (as a guest driver does) route like a region', () => {
  const { topo } = build(
    { hostBridges: [hb('hb0', 0, [mem('a'), mem('b')])], windows: [win('w', WBASE, 4 * GiB, ['hb0'])], xorMaps: [] },
    16 * 2 ** 20,
    false,
  );
  const base = WBASE + GiB;
  const at = (n: number, reg: number) => HDM.DECODER0 + HDM.STRIDE * n + reg;
  const prog = (hdm: NonNullable<(typeof topo.hostBridges)[0]['hdm']>, ctrl: number, tlOrSkipLo: number) => {
    hdm.write(HDM.GLOBAL_CTRL, 4, 2);
    hdm.write(at(0, HDM.BASE_LO), 4, base % 2 ** 32);
    hdm.write(at(0, HDM.BASE_HI), 4, Math.floor(base / 2 ** 32));
    hdm.write(at(0, HDM.SIZE_LO), 4, 0x2000_0000);
    hdm.write(at(0, HDM.SIZE_HI), 4, 0);
    hdm.write(at(0, HDM.TL_LO), 4, tlOrSkipLo);
    hdm.write(at(0, HDM.CTRL), 4, ctrl); // IG/IW (+ Commit)
    return hdm.read(at(0, HDM.CTRL), 4);
  };
  // Endpoints: IW 2 (eiw 1), IG 1 KiB (eig 2), Commit.
  for (const m of topo.memdevs) assert.ok(prog(m.hdm, (1 << 4) | 2 | (1 << 9), 0) & (1 << 10));
  // Host bridge: target list 1,0, then Commit.
  assert.ok(prog(topo.hostBridges[0]!.hdm!, (1 << 4) | 2 | (1 << 9), 0x0001) & (1 << 10));
  const t = topo.translateHpa(base + 1024 + 16);
  assert.ok(t.ok);
  assert.deepEqual([t.value.memdev, t.value.dpa, t.value.region], ['a', 16, undefined]);
  const st = compareRouterVsReference(topo, [{ base, size: 2 * SZ }], 50_000, 77);
  assert.deepEqual(st.mismatches, []);
  const list = topo.toListJson() as {
    buses: { 'ports:root0': { 'decoders:port1': { targets: number[]; state: string }[] }[] }[];
  };
  assert.deepEqual(list.buses[0]!['ports:root0'][0]!['decoders:port1'][0]!.targets, [1, 0]);
  // A guest clearing Commit on the HB decoder un-routes the range.
  topo.hostBridges[0]!.hdm!.write(at(0, HDM.CTRL), 4, (1 << 4) | 2);
  assert.equal(topo.translateHpa(base).ok, false);
  const out = { store: null as unknown, offset: 0, run: 0 };
  assert.equal(topo.routers[0]!.resolve(base, out as never), false);
});
