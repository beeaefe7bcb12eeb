// create-region / destroy-region: one test per rule violation, checking the error text; decoder
// programming through the register image; destroy order and locks; snapshot/restore; cxl list.
// Oracle: SPEC-NOTES 1.5 (rules, via src/cxl-math/decoder-rules.ts wording) and 1.3 (positions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, caps, GiB, hb, mem, sw, win, WBASE } from './fixtures.js';
import { RegionError, type CreateRegionOptions } from '../../src/cxl/index.js';

const SZ = 2 ** 28;

function fixture() {
  return build(
    {
      hostBridges: [
        hb('hb0', 0, [
          mem('mem0', { volatileBytes: SZ, persistentBytes: 2 * SZ }),
          mem('mem1', { volatileBytes: SZ, persistentBytes: 2 * SZ }),
        ]),
        hb('hb1', 1, [mem('mem2'), mem('mem3')]),
        hb('hb2', 2, [sw('s0', [mem('mem4'), mem('mem5')]), sw('s1', [mem('mem6'), mem('mem7')])]),
        hb('hb3', 3, [mem('mem8'), mem('mem9'), mem('mem10')], { decoders: caps(8, false, true) }),
        hb('hb4', 4, [sw('t0', [mem('mem11'), mem('mem12'), mem('mem13')]), mem('mem14'), mem('mem15')]),
        hb('hb5', 5, [mem('mem16', { decoders: caps(1), volatileBytes: SZ, persistentBytes: 0 })]),
        ...['x0', 'x1', 'x2'].map((x, i) => hb(`hb${x}`, 6 + i, [mem(`mem${x}`, { decoders: caps(8, false, true) })])),
      ],
      windows: [
        win('w01', WBASE, 8 * GiB, ['hb0', 'hb1'], 256),
        win('w0', WBASE + 8 * GiB, 4 * GiB, ['hb0'], 256),
        win('w2', WBASE + 12 * GiB, 4 * GiB, ['hb2'], 256),
        win('w3', WBASE + 16 * GiB, 4 * GiB, ['hb3'], 256),
        win('w4', WBASE + 20 * GiB, 4 * GiB, ['hb4'], 256),
        { ...win('wv', WBASE + 24 * GiB, 4 * GiB, ['hb5'], 256), persistent: false },
        win('wx', WBASE + 30 * GiB, 3 * GiB, ['hbx0', 'hbx1', 'hbx2'], 256),
      ],
      xorMaps: [],
    },
    128 * 2 ** 20,
  ).topo;
}

const ok2: CreateRegionOptions = { window: 'w01', ways: 2, granularity: 256, memdevs: ['mem0', 'mem2'], size: 2 * SZ };

const violations: [string, Partial<CreateRegionOptions>, string, RegExp][] = [
  [
    'window does not exist',
    { window: 'nope' },
    'window',
    /window "nope" does not exist \(windows: w01, w0, w2, w3, w4, wv, wx\)/,
  ],
  [
    'invalid ways',
    { ways: 5 },
    'invalid-ways',
    /valid ways rule: region ways 5 is not one of 1, 2, 3, 4, 6, 8, 12, 16/,
  ],
  [
    'invalid granularity',
    { granularity: 384 },
    'invalid-granularity',
    /valid granularity rule: region granularity 384/,
  ],
  [
    'ways not a power-of-two multiple of root ways',
    { ways: 3, memdevs: ['mem0', 'mem2', 'mem1'], size: 3 * SZ },
    'region-ways',
    /region ways rule: region ways 3 must be a power-of-two multiple of the root \(window\) ways 2/,
  ],
  [
    'granularity differs from the root',
    { granularity: 512 },
    'region-granularity',
    /region granularity rule: region granularity 512 must equal the root \(window\) granularity 256 when the window interleaves 2 host bridges/,
  ],
  ['memdev count', { memdevs: ['mem0'] }, 'memdev-count', /2-way region needs 2 memdevs, got 1/],
  ['unknown memdev', { memdevs: ['mem0', 'memX'] }, 'memdev', /memdev "memX" does not exist/],
  ['duplicate memdev', { memdevs: ['mem0', 'mem0'] }, 'memdev-duplicate', /memdev mem0 is listed twice/],
  [
    'size not a multiple of 256 MiB x W',
    { size: 3 * SZ },
    'region-size',
    /region size rule: region size 0x30000000 must be a positive multiple of 256 MiB x 2 ways = 512 MiB/,
  ],
  [
    'memdev outside the window',
    { memdevs: ['mem0', 'mem4'] },
    'memdev-not-in-window',
    /memdev mem4 sits below host bridge hb2, which is not a target of window w01 \(targets: hb0, hb1\)/,
  ],
  [
    'a root target without memdevs',
    { memdevs: ['mem0', 'mem1'] },
    'root-position',
    /root position rule: .* so each host bridge needs 1 memdev\(s\) below it; host bridge hb0 has 2/,
  ],
  [
    'base not 256 MiB aligned',
    { base: WBASE + 0x100000 },
    'alignment-base',
    /alignment rule: region region0 base 0x100100000 is not a multiple of 256 MiB/,
  ],
  [
    'outside the window',
    { base: WBASE + 8 * GiB - SZ },
    'region-outside-window',
    /range 0x2f0000000-0x30fffffff is not inside window w01 0x100000000-0x2ffffffff/,
  ],
  [
    'pmem on a volatile-only window',
    { window: 'wv', ways: 1, memdevs: ['mem16'], size: SZ, mode: 'pmem' },
    'window-type',
    /window wv does not allow persistent memory \(CFMWS restrictions\)/,
  ],
  [
    'not enough DPA',
    { size: 4 * SZ, mode: 'ram', memdevs: ['mem0', 'mem2'] },
    'dpa-capacity',
    /memdev mem0 has 0x10000000 bytes free in its volatile partition, the region needs 0x20000000 per device/,
  ],
  [
    '3-way under a 1-way window (rule 3 keeps 3/6/12 to 3-family windows)',
    { window: 'w3', ways: 3, memdevs: ['mem8', 'mem9', 'mem10'], size: 3 * SZ },
    'region-ways',
    /region ways rule: region ways 3 must be a power-of-two multiple of the root \(window\) ways 1/,
  ],
  [
    '3-way at endpoints without the capability',
    { window: 'wx', ways: 3, memdevs: ['memx0', 'memx1', 'memx2'], size: 3 * SZ },
    'ways-not-advertised',
    /advertised ways rule: endpoint memx0 does not advertise 3, 6, 12 way interleave/,
  ],
  [
    'unbalanced tree (distance rule)',
    { window: 'w4', ways: 4, memdevs: ['mem11', 'mem12', 'mem14', 'mem15'], size: 4 * SZ },
    'distance',
    /distance rule: memdev mem11's path \(hb4 -> t0\) interleaves 6 ways in total, but the region has 4/,
  ],
  [
    'granularity chain above 16 KiB',
    { window: 'w2', ways: 4, granularity: 16384, memdevs: ['mem4', 'mem5', 'mem6', 'mem7'], size: 4 * SZ },
    'granularity-chain',
    /granularity chain rule: level 1 below the root needs granularity 16384 x 2 = 32768, above the 16384 \(16 KiB\) maximum/,
  ],
  [
    'given order breaking the root position rule',
    { memdevs: ['mem2', 'mem0'], order: 'given' },
    'root-position',
    /root position rule: endpoint at position 0 sits below root target 1, but position 0 mod root ways 2 = 0/,
  ],
];

for (const [name, patch, code, text] of violations) {
  test(`refused: ${name}`, () => {
    const topo = fixture();
    assert.throws(
      () => topo.createRegion({ ...ok2, ...patch }),
      (e: unknown) => {
        assert.ok(e instanceof RegionError, String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, text);
        return true;
      },
    );
    // Nothing was left committed.
    for (const c of topo.decoderOwners()) if (c.hdm) assert.equal(c.hdm.committedCount(), 0, c.id);
  });
}

test('refused: overlap with an existing region, name taken, window full', () => {
  const topo = fixture();
  topo.createRegion({ ...ok2, name: 'r' });
  assert.throws(
    () => topo.createRegion({ ...ok2, memdevs: ['mem1', 'mem3'], base: WBASE }),
    /overlaps region r 0x100000000-0x11fffffff/,
  );
  assert.throws(
    () => topo.createRegion({ ...ok2, name: 'r', memdevs: ['mem1', 'mem3'] }),
    /region r: a region with this name exists/,
  );
  assert.throws(
    () => topo.createRegion({ ...ok2, memdevs: ['mem1', 'mem3'], size: 32 * SZ }),
    /window w01 has no free 0x200000000-byte range/,
  );
});

test('refused: no free decoder; decoder order at a shared component', () => {
  const topo = fixture();
  topo.createRegion({ window: 'wv', ways: 1, granularity: 256, memdevs: ['mem16'], size: SZ, mode: 'ram' });
  assert.throws(
    () => topo.createRegion({ window: 'wv', ways: 1, granularity: 256, memdevs: ['mem16'], size: SZ, mode: 'ram' }),
    (e: unknown) =>
      e instanceof RegionError &&
      e.code === 'no-free-decoder' &&
      /endpoint mem16 has no free decoder \(all 1 committed\)/.test(e.message),
  );
  topo.createRegion({ ...ok2, base: WBASE + 2 * GiB });
  assert.throws(
    () => topo.createRegion({ ...ok2, memdevs: ['mem1', 'mem3'], base: WBASE }),
    (e: unknown) =>
      e instanceof RegionError &&
      e.code === 'decoder-order-overlap' &&
      /decoder order rule: decoder 1 base 0x100000000 lies below the end 0x1a0000000 of decoder 0/.test(e.message),
  );
});

test('programs every decoder through the register image and commits endpoint -> switch -> HB', () => {
  const topo = fixture();
  const r = topo.createRegion({
    window: 'w2',
    ways: 4,
    granularity: 1024,
    memdevs: ['mem7', 'mem6', 'mem5', 'mem4'],
    size: 4 * SZ,
    base: WBASE + 13 * GiB,
  });
  assert.deepEqual(
    r.targets.map((t) => [t.memdev.name, t.position]),
    [
      ['mem4', 0],
      ['mem6', 1],
      ['mem5', 2],
      ['mem7', 3],
    ],
  );
  assert.deepEqual(
    r.decoders.map((d) => d.owner.id),
    ['dev-mem4', 's0', 'hb2', 'dev-mem6', 's1', 'dev-mem5', 'dev-mem7'],
  );
  const hbv = topo.hostBridges[2]!.hdm!.view(0);
  assert.deepEqual([hbv.ways, hbv.granularity, hbv.targets.slice(0, 2), hbv.committed], [2, 1024, [0, 1], true]);
  const s0 = topo.switches[0]!.hdm.view(0);
  assert.deepEqual([s0.ways, s0.granularity, s0.targets.slice(0, 2)], [2, 2048, [0, 1]]);
  const e = topo.memdev('mem5')!.hdm.view(0);
  assert.deepEqual([e.ways, e.granularity, e.base, e.size, e.skip], [4, 1024, WBASE + 13 * GiB, 4 * SZ, 0]);
  assert.equal(topo.audit({ mode: 'sampled', samples: 5000 }).ok, true);
});

test('ram and pmem regions on one device: DPA skip past the volatile partition', () => {
  const topo = fixture();
  topo.createRegion({ ...ok2, name: 'p', mode: 'pmem', memdevs: ['mem0', 'mem2'] });
  const e0 = topo.memdev('mem0')!.hdm.view(0);
  assert.equal(e0.skip, SZ, 'pmem region skips the 256 MiB volatile partition');
  topo.createRegion({ window: 'w0', ways: 1, granularity: 256, memdevs: ['mem0'], size: SZ, mode: 'pmem', name: 'p2' });
  assert.equal(topo.memdev('mem0')!.hdm.dpaBase(1), 2 * SZ);
  assert.equal(topo.audit({ mode: 'sampled', samples: 5000 }).ok, true);
});

test('destroy: reverse order, locked regions refuse with a clear message, state resets', () => {
  const topo = fixture();
  topo.createRegion({ ...ok2, name: 'a' });
  topo.createRegion({ ...ok2, name: 'b', memdevs: ['mem1', 'mem3'], base: WBASE + GiB });
  topo.createRegion({ window: 'wv', ways: 1, granularity: 256, memdevs: ['mem16'], size: SZ, name: 'c', lock: true });
  assert.throws(
    () => topo.destroyRegion('a'),
    (e: unknown) =>
      e instanceof RegionError &&
      e.code === 'destroy-order' &&
      /region a cannot be destroyed before region b: decoder1\.0 \(hb0\) is not the highest committed decoder/.test(
        e.message,
      ),
  );
  assert.throws(
    () => topo.destroyRegion('c'),
    (e: unknown) =>
      e instanceof RegionError &&
      e.code === 'locked' &&
      /region c is locked: decoder\d+\.\d \(dev-mem16\) has Lock-on-Commit set, so its decoders stay committed until reset/.test(
        e.message,
      ),
  );
  assert.throws(() => topo.destroyRegion('zz'), /region zz does not exist \(regions: a, b, c\)/);
  topo.destroyRegion('b');
  assert.equal(topo.translateHpa(WBASE + GiB).ok, false);
  assert.ok(topo.translateHpa(WBASE).ok);
  const out = { store: null as unknown, offset: 0, run: 0 };
  assert.equal(topo.routers[0]!.resolve(WBASE + GiB, out as never), false, 'routes recompiled after uncommit');
});

test('snapshotState / restoreState round-trip (committed decoders + regions as plain JSON)', () => {
  const a = fixture();
  a.createRegion({ ...ok2, name: 'a' });
  a.createRegion({
    window: 'w2',
    ways: 4,
    granularity: 256,
    memdevs: ['mem4', 'mem5', 'mem6', 'mem7'],
    size: 4 * SZ,
    lock: true,
    name: 'L',
  });
  const json = JSON.parse(JSON.stringify(a.snapshotState()));
  const b = fixture();
  b.restoreState(json);
  assert.deepEqual(b.snapshotState(), a.snapshotState());
  assert.deepEqual(b.toListJson('full'), a.toListJson('full'));
  for (const h of [WBASE, WBASE + 0x1234, WBASE + 12 * GiB + 0x5678]) {
    const x = a.referenceDecode(h);
    const y = b.referenceDecode(h);
    assert.ok(x.ok && y.ok);
    assert.deepEqual([x.memdev.name, x.dpa], [y.memdev.name, y.dpa]);
  }
  assert.ok(b.regions.find((r) => r.name === 'L')!.locked);
});

test('toListJson has the cxl list shape: memdevs, buses/ports/dports/decoders, regions', () => {
  const topo = fixture();
  topo.createRegion({ ...ok2, name: 'region7' });
  const l = topo.toListJson() as {
    memdevs: { memdev: string }[];
    buses: Record<string, unknown>[];
    regions: Record<string, unknown>[];
  };
  assert.equal(l.memdevs.length, 20);
  const bus = l.buses[0]!;
  assert.equal(bus['bus'], 'root0');
  const roots = bus['decoders:root0'] as Record<string, unknown>[];
  assert.deepEqual(
    [roots[0]!['decoder'], roots[0]!['interleave_ways'], roots[0]!['targets']],
    ['decoder0.0', 2, ['hb0', 'hb1']],
  );
  const ports = bus['ports:root0'] as Record<string, unknown>[];
  const p1 = ports[0]!;
  assert.equal(p1['port'], 'port1');
  const d = (p1['decoders:port1'] as Record<string, unknown>[])[0]!;
  assert.deepEqual([d['decoder'], d['state'], d['interleave_ways'], d['targets']], ['decoder1.0', 'commit', 1, [0]]);
  assert.ok(Array.isArray(p1['endpoints:port1']));
  const reg = l.regions[0]!;
  assert.deepEqual(
    [reg['region'], reg['resource'], reg['size'], reg['interleave_ways'], reg['type']],
    ['region7', WBASE, 2 * SZ, 2, 'pmem'],
  );
});
