// Saved state of decoders a driver programmed over MMIO: list computes regions from register
// state, describe() keeps created regions in state.regions and every other committed decoder as a
// raw register image in state.decoders, and a machine built from that state lists the same
// decoders and regions and passes the audit. Oracles: the first machine's own list output
// (round trip equality) and the placement audit; ConfigError paths for bad images (STYLE 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { ConfigError } from '../../src/machine/errors.js';
import { cxlWindowsFromSpec } from '../../src/machine/board.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { HostDriver } from '../cxl/host-driver.js';

const MiB = 2 ** 20;
const ARENA = 256 * MiB;

function emptyDefault(): unknown {
  return { ...defaultDescriptionInput(), state: { regions: [] } };
}

function programmed(): Machine {
  const m = Machine.build(emptyDefault(), { arenaBytes: ARENA });
  // A region created host-side (as `cxlemu region create` would) ...
  m.createRegion({ name: 'host', window: 'W0', memdevs: ['mem0', 'mem2'], size: 512 * MiB, granularity: 256 });
  // ... and one a driver programs over ECAM/MMIO above it.
  const d = new HostDriver(m).enumerate();
  const { controls } = d.buildRegion({
    eps: d.endpoints,
    base: 0x1_4000_0000,
    size: 1024 * MiB,
    gran: 256,
    rootTargets: cxlWindowsFromSpec(m.spec)[0]!.targets,
  });
  assert.ok(
    controls.every((c) => (c & 0xc00) === 0x400),
    'every decoder committed',
  );
  return m;
}

test('list shows driver-programmed decoders and the region they form; describe saves them as raw images', () => {
  const m = programmed();
  try {
    const l = m.list(1) as {
      regions: { region: string; resource: number; interleave_ways: number; origin?: string }[];
    };
    assert.deepEqual(
      l.regions.map((r) => [r.region, r.resource, r.interleave_ways, r.origin ?? 'created']),
      [
        ['host', 0x1_0000_0000, 2, 'created'],
        ['region0', 0x1_4000_0000, 4, 'registers'],
      ],
    );
    const s = m.describe().state;
    assert.deepEqual(
      s.regions.map((r) => r.name),
      ['host'],
    );
    const images = s.decoders as { id: string; decoders: { index: number; regs: number[] }[] }[];
    // The driver's decoders only: decoder 1 of mem0/mem2/usp0/hb0/hb1... (index 0 of those belongs to "host").
    const idx = Object.fromEntries(images.map((c) => [c.id, c.decoders.map((d) => d.index)]));
    assert.deepEqual(idx, { hb0: [1], hb1: [1], usp0: [1], mem0: [1], mem1: [0], mem2: [1], mem3: [0] });
    assert.ok(m.audit({ samples: 2000 }).ok);
  } finally {
    m.close();
  }
});

test('save/restore round trip: same decoders, same regions, audit passes', () => {
  const m = programmed();
  let before: unknown;
  let desc: unknown;
  try {
    before = m.list(2);
    desc = JSON.parse(JSON.stringify(m.describe()));
  } finally {
    m.close();
  }
  const r = Machine.build(desc, { arenaBytes: ARENA });
  try {
    assert.deepEqual(r.list(2), before);
    const rep = r.audit({ samples: 2000 });
    assert.ok(rep.ok);
    assert.deepEqual(
      rep.regions.map((x) => x.region),
      ['host', 'region0'],
    );
    // Describing the restored machine gives the same state again.
    assert.deepEqual(JSON.parse(JSON.stringify(r.describe().state)), (desc as { state: unknown }).state);
  } finally {
    r.close();
  }
});

test('bad state.decoders entries are ConfigErrors naming the field', () => {
  const bad = (decoders: unknown[], path: RegExp) => {
    const d = { ...defaultDescriptionInput(), state: { regions: [], decoders } };
    assert.throws(
      () => Machine.build(d, { arenaBytes: ARENA }),
      (e: unknown) => e instanceof ConfigError && path.test(e.message),
    );
  };
  bad([{ id: 'nope', globalControl: 2, decoders: [] }], /state\.decoders\[0\]\.id/);
  bad([{ id: 'mem0', decoders: [{ index: 0, regs: [1, 2] }] }], /state\.decoders\[0\]\.decoders\[0\]\.regs/);
  // An image that cannot commit (out of order: decoder 1 with decoder 0 free).
  bad(
    [{ id: 'mem3', globalControl: 2, decoders: [{ index: 1, regs: [0, 1, 0x10000000, 0, 0x1000, 0, 0, 0] }] }],
    /did not commit/,
  );
});

test('a saved state whose decoders do not form a region is refused on load, naming the component (was: listed as committed while translate disagreed)', () => {
  const m = programmed();
  let desc: { state: { decoders: { id: string }[] } };
  try {
    desc = JSON.parse(JSON.stringify(m.describe()));
  } finally {
    m.close();
  }
  // Drop the switch's decoder: mem0 and mem1 still decode 0x1_4000_0000, nothing above routes to them.
  desc.state.decoders = desc.state.decoders.filter((c) => c.id !== 'usp0');
  assert.throws(
    () => Machine.build(desc, { arenaBytes: ARENA }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /the saved decoder registers do not form the regions they claim/.test(e.message) &&
      /usp0 has no committed HDM decoder covering 0x140000000\.\.0x17fffffff/.test(e.message),
  );
});
