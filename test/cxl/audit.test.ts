// Placement audit: full audits (every word of the whole region: W x 256 MiB on 256 MiB devices,
// 2^25 words per device) at 256 B and 16 KiB for ways 1-4. Mismatch reports, router-stamped
// audits, sampled audits, scratch copy of file-backed media.
// Oracle: the spec's closed form (SPEC-NOTES 1.2/1.4) from the device side in full mode, the
// reference decoder in sampled mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, GiB, hb, mem, sharedArena, win, WBASE } from './fixtures.js';
import type { TopologySpec } from '../../src/cxl/index.js';

const MiB = 2 ** 20;
const SZ = 256 * MiB;

function topoFor(ways: number, G = 256): { spec: TopologySpec; memdevs: string[] } {
  if (ways === 4 && G === 16384) {
    // 2 HB x 2 RP would need a 32 KiB host-bridge granularity (chain rule): use 1 HB x 4 RP.
    return {
      spec: {
        hostBridges: [hb('hb0', 0, [mem('m0'), mem('m1'), mem('m2'), mem('m3')])],
        windows: [win('w', WBASE, 4 * GiB, ['hb0'], G)],
        xorMaps: [],
      },
      memdevs: ['m3', 'm2', 'm1', 'm0'],
    };
  }
  switch (ways) {
    case 1:
      return {
        spec: { hostBridges: [hb('hb0', 0, [mem('m0')])], windows: [win('w', WBASE, 4 * GiB, ['hb0'])], xorMaps: [] },
        memdevs: ['m0'],
      };
    case 2:
      return {
        spec: {
          hostBridges: [hb('hb0', 0, [mem('m0'), mem('m1')])],
          windows: [win('w', WBASE, 4 * GiB, ['hb0'])],
          xorMaps: [],
        },
        memdevs: ['m1', 'm0'],
      };
    case 3:
      return {
        spec: {
          hostBridges: [0, 1, 2].map((i) => hb(`hb${i}`, i, [mem(`m${i}`)])),
          windows: [win('w', WBASE, 3 * GiB, ['hb0', 'hb1', 'hb2'], G)],
          xorMaps: [],
        },
        memdevs: ['m2', 'm0', 'm1'],
      };
    default:
      return {
        spec: {
          hostBridges: [hb('hb0', 0, [mem('m0'), mem('m1')]), hb('hb1', 1, [mem('m2'), mem('m3')])],
          windows: [win('w', WBASE, 4 * GiB, ['hb0', 'hb1'], G)],
          xorMaps: [],
        },
        memdevs: ['m3', 'm2', 'm1', 'm0'],
      };
  }
}

for (const G of [256, 16384]) {
  for (const ways of [1, 2, 3, 4]) {
    test(`full audit, ${ways}-way, G=${G}`, () => {
      const { spec, memdevs } = topoFor(ways, G);
      const len = ways * SZ;
      // One arena for the file; each test closes its topology so the pages return to it.
      const t2 = build(spec, sharedArena(4 * SZ + 64 * MiB)).topo;
      t2.createRegion({ window: 'w', ways, granularity: G, memdevs, size: ways * SZ });
      const a = t2.audit({ mode: 'full', length: len });
      const r = a.regions[0]!;
      assert.equal(a.ok, true, JSON.stringify(r.mismatches.slice(0, 3)));
      assert.equal(r.words, len / 8);
      for (const m of memdevs) assert.equal(r.perDevice[m], len / ways, m);
      t2.close();
    });
  }
}

test('mismatches name the HPA, the expected device/DPA and what was found', () => {
  const { spec } = topoFor(4);
  const { topo } = build(spec, sharedArena(4 * SZ + 64 * MiB));
  const r = topo.createRegion({
    window: 'w',
    ways: 4,
    granularity: 256,
    memdevs: ['m0', 'm1', 'm2', 'm3'],
    size: 4 * SZ,
  });
  // Sabotage the router: swap two endpoints' stores behind its back after compiling.
  const router = topo.routers[0]!;
  router.compile();
  const [e0, e1] = [router.endpoints[0]!, router.endpoints[1]!];
  [e0.store, e1.store] = [e1.store, e0.store];
  [e0.storeBase, e1.storeBase] = [e1.storeBase, e0.storeBase];
  const a = topo.audit({ mode: 'full', length: 1 * MiB, via: 'router', maxMismatches: 4 });
  const ra = a.regions[0]!;
  assert.equal(a.ok, false);
  assert.equal(ra.mismatchCount, (1 * MiB) / 8 / 2, 'half the words landed on the wrong device');
  const m = ra.mismatches[0]!;
  assert.ok(m.expected && 'value' in m.found);
  assert.equal(m.hpa, r.base);
  assert.deepEqual(m.expected, { memdev: 'm0', dpa: 0 });
  assert.equal(
    (m.found as { stampOf?: number }).stampOf,
    r.base + 512,
    'found the stamp of the HPA routed there (m1, position 2)',
  );
  const s = topo.audit({ mode: 'sampled', samples: 2000, via: 'router' });
  assert.equal(s.ok, false);
  assert.ok(s.regions[0]!.mismatches[0]!.expected);
  topo.close();
});

test('sampled audit via the address space: first/last 2*W*16 KiB + N random words, per-device bytes', () => {
  const { spec } = topoFor(4, 1024);
  const { topo } = build(spec, sharedArena(4 * SZ + 64 * MiB));
  topo.createRegion({
    window: 'w',
    ways: 4,
    granularity: 1024,
    memdevs: ['m0', 'm1', 'm2', 'm3'],
    size: 4 * SZ,
    base: WBASE + GiB,
  });
  const a = topo.audit({ mode: 'sampled', samples: 10000, seed: 7 });
  const r = a.regions[0]!;
  assert.equal(a.ok, true);
  assert.equal(r.words, (2 * (2 * 4 * 16384)) / 8 + 10000);
  assert.equal(
    Object.values(r.perDevice).reduce((x, y) => x + y, 0),
    r.words * 8,
  );
  topo.close();
});

test('file-backed persistent media: audit works on a scratch copy unless force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-audit-'));
  try {
    const file = join(dir, 'pmem0.img');
    const spec: TopologySpec = {
      hostBridges: [hb('hb0', 0, [mem('m0', { persistentFile: { path: file, share: false } })])],
      windows: [win('w', WBASE, GiB, ['hb0'])],
      xorMaps: [],
    };
    const { topo } = build(spec, 64 * MiB);
    const st = topo.memdev('m0')!.persistentStore!;
    const pattern = new Uint8Array(4096).fill(0xa5);
    st.write(0, pattern);
    st.write(SZ - 4096, pattern);
    st.flush();
    const before = readFileSync(file);
    topo.createRegion({ window: 'w', ways: 1, granularity: 256, memdevs: ['m0'], size: SZ });
    const a = topo.audit({ mode: 'sampled', samples: 3000 });
    assert.equal(a.ok, true);
    assert.equal(a.regions[0]!.restoredMedia, true);
    st.flush();
    assert.ok(readFileSync(file).equals(before), 'user data untouched');
    const f = topo.audit({ mode: 'sampled', samples: 3000, force: true });
    assert.equal(f.ok, true);
    assert.equal(f.regions[0]!.restoredMedia, false);
    assert.notEqual(st.readU32(0), 0xa5a5a5a5, 'force leaves the stamps');
    st.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
