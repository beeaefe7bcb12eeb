// Smoke: build, create a 4-way region over 2 HB x 2 RP, route vs reference decoder on a few HPAs.
// Oracle: the reference decoder and SPEC-NOTES 1.6(b).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, hb, mem, win, WBASE, GiB } from './fixtures.js';

test('2 HB x 2 RP, 4-way 256 B: SPEC-NOTES 1.6(b)', () => {
  const { topo } = build({
    hostBridges: [hb('hb0', 0, [mem('mem0'), mem('mem1')]), hb('hb1', 1, [mem('mem2'), mem('mem3')])],
    windows: [win('w0', WBASE, 4 * GiB, ['hb0', 'hb1'], 256)],
    xorMaps: [],
  });
  const r = topo.createRegion({
    window: 'w0',
    ways: 4,
    granularity: 256,
    memdevs: ['mem3', 'mem1', 'mem2', 'mem0'],
    size: GiB,
  });
  assert.deepEqual(
    r.targets.map((t) => t.memdev.name),
    ['mem0', 'mem2', 'mem1', 'mem3'],
  );
  const ref = topo.referenceDecode(WBASE + 0x1234);
  assert.ok(ref.ok);
  assert.equal(ref.memdev.name, 'mem1'); // pos 2 = hb0 rp1
  assert.equal(ref.dpa, 0x434);
  const out = { store: null as unknown, offset: 0, run: 0 };
  assert.ok(topo.routers[0]!.resolve(WBASE + 0x1234, out as never));
  assert.equal(out.offset, 0x434);
  assert.equal(out.run, 256 - 0x34);
});
