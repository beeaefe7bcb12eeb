// Router vs reference decoder, 10^6 random HPAs per topology: 3/6/12-way windows over three host
// bridges (6-way as 3 HB x 2 RP), a 3-way region away from a 768 MiB multiple; positions vs routed
// slots. Oracle: the reference decoder, and SPEC-NOTES 1.3's CRT rule for the routed slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, sharedArena, compareRouterVsReference, hb, mem, win, WBASE } from './fixtures.js';
import { cases } from '../helpers/scale.js';

const N = cases(1_000_000);
const M768 = 768 * 2 ** 20;

function threeHb(perHb: number) {
  const hbs = [0, 1, 2].map((h) =>
    hb(
      `hb${h}`,
      h,
      Array.from({ length: perHb }, (_, r) => mem(`mem${h}${r}`)),
      { hdmForPassthrough: true },
    ),
  );
  return build(
    { hostBridges: hbs, windows: [win('w0', WBASE + 0, 12 * M768, ['hb0', 'hb1', 'hb2'], 256)], xorMaps: [] },
    sharedArena(),
  );
}

function check(topo: Parameters<typeof compareRouterVsReference>[0], seed: number) {
  const st = compareRouterVsReference(
    topo,
    topo.regions.map((r) => ({ base: r.base, size: r.size })),
    N,
    seed,
  );
  assert.deepEqual(st.mismatches, [], `seed ${seed}`);
  assert.ok(st.routed > N / 2);
}

for (const perHb of [1, 2, 4]) {
  const ways = 3 * perHb;
  test(`${ways}-way region over 3 host bridges x ${perHb} root port(s)`, () => {
    const { topo } = threeHb(perHb);
    const devs = topo.memdevs.map((m) => m.name).reverse();
    const r = topo.createRegion({ window: 'w0', ways, granularity: 256, memdevs: devs, size: ways * 2 ** 28 });
    for (const t of r.targets) {
      // Linux label: pos = W_root * rp + hb; routed slot: c = hb (mod 3), c = rp (mod perHb).
      const h = Number(t.memdev.name[3]);
      const rp = Number(t.memdev.name[4]);
      assert.equal(t.position, 3 * rp + h, t.memdev.name);
      let slot = -1;
      for (let c = 0; c < ways; c++) if (c % 3 === h && c % perHb === rp) slot = c;
      assert.equal(t.routedSlot, slot, t.memdev.name);
      const tr = topo.translateHpa(r.base + slot * 256 + 8);
      assert.ok(tr.ok);
      assert.equal(tr.value.memdev, t.memdev.name);
      assert.equal(tr.value.position, t.position);
      assert.equal(tr.value.routedSlot, slot === t.position ? undefined : slot);
    }
    if (perHb === 2)
      assert.ok(
        r.targets.some((t) => t.routedSlot !== t.position),
        'labels differ somewhere',
      );
    check(topo, 10 + perHb);
    const a = topo.audit({ mode: 'sampled', samples: cases(100_000) });
    assert.equal(a.ok, true, JSON.stringify(a.regions[0]!.mismatches.slice(0, 3)));
    topo.close();
  });
}

test('3-way region at a 256 MiB offset is refused (cxlemu commit rule: 256 MiB x W from the window base); at 768 MiB placement holds', () => {
  const { topo } = threeHb(1);
  // 2^28 / 256 = 1 (mod 3) would rotate the root's slots; Linux never allocates such a base, and
  // cxlemu's commit rule (docs/cxl-registers.md "Commit rules") refuses it.
  assert.throws(
    () =>
      topo.createRegion({
        window: 'w0',
        ways: 3,
        granularity: 256,
        memdevs: ['mem00', 'mem10', 'mem20'],
        size: M768,
        base: WBASE + 2 ** 28,
      }),
    (e: unknown) => e instanceof Error && /multiple of 256 MiB x 3 ways = 0x30000000/.test(e.message),
  );
  const r = topo.createRegion({
    window: 'w0',
    ways: 3,
    granularity: 256,
    memdevs: ['mem00', 'mem10', 'mem20'],
    size: M768,
    base: WBASE + M768,
  });
  assert.deepEqual(
    r.targets.map((t) => [t.memdev.name, t.position]),
    [
      ['mem00', 0],
      ['mem10', 1],
      ['mem20', 2],
    ],
  );
  check(topo, 20);
  assert.equal(topo.audit({ mode: 'sampled', samples: cases(100_000) }).ok, true);
  topo.close();
});
