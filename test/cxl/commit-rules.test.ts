// cxlemu's window and alignment commit rule (docs/cxl-registers.md "Commit rules"), exercised the
// way a guest driver meets it: HDM decoders programmed over MMIO through the component registers a
// driver finds in ECAM, Control read back for Committed / Error-Not-Committed. Oracles: the rule
// as written in the docs (Linux allocates region HPA at 256 MiB x ways alignment, SPEC-NOTES 1.5
// #8; a decoder range must lie in a CFMWS window whose targets reach the component) and the
// Control register bits of SPEC-NOTES 2.3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { HostDriver, COMMITTED, ERROR_NOT_COMMITTED, type Fn } from './host-driver.js';

const MiB = 2 ** 20;
const S = 256 * MiB;
const B = 0x1_0000_0000; // W0 (hb0, hb1)
const BITS = COMMITTED | ERROR_NOT_COMMITTED;

function machine(): Machine {
  const d = defaultDescriptionInput() as { cxl: { windows: unknown[] }; state?: unknown };
  // W2: a window routing to hb0 only (mem2 and mem3 sit below hb1).
  const desc = {
    ...d,
    cxl: { ...d.cxl, windows: [...d.cxl.windows, { id: 'W2', base: '0x3_0000_0000', size: '1G', targets: ['hb0'] }] },
    state: { regions: [] },
  };
  return Machine.build(desc, { arenaBytes: 256 * MiB });
}

function endpoint(m: Machine, d: HostDriver, name: string): { f: Fn; hdm: number; reasons: string[] } {
  const dev = m.cxl.memdevs.find((x) => x.name === name)!;
  const f = d.endpoints.find((e) => d.serialOf(e) === dev.serial)!;
  return { f, hdm: d.hdmOf(f.component), reasons: dev.hdm.reasons };
}

test('endpoint base 256 MiB off the 256 MiB x W alignment -> Error-Not-Committed with the reason', () => {
  const m = machine();
  try {
    const d = new HostDriver(m).enumerate();
    const { hdm, reasons } = endpoint(m, d, 'mem2');
    // 2-way at W0 + 256 MiB: representable in Base Low ([31:28]) but not 512 MiB aligned.
    assert.equal(
      d.programDecoder(hdm, 0, { base: B + S, size: 2 * S, ways: 2, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.match(
      reasons[0]!,
      /base 0x110000000 \(window W0 \+ 0x10000000\) and size 0x20000000 must be multiples of 256 MiB x 2 ways = 0x20000000/,
    );
    // Size 768 MiB over 2 ways: divisible by W (the endpoint size rule) but not by 256 MiB x 2.
    assert.equal(d.programDecoder(hdm, 0, { base: B, size: 3 * S, ways: 2, gran: 256 }) & BITS, ERROR_NOT_COMMITTED);
    assert.match(reasons[0]!, /must be multiples of 256 MiB x 2 ways/);
    // 3-way at +256 MiB and +512 MiB: refused; at +768 MiB: commits.
    assert.equal(
      d.programDecoder(hdm, 0, { base: B + S, size: 3 * S, ways: 3, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.equal(
      d.programDecoder(hdm, 0, { base: B + 2 * S, size: 3 * S, ways: 3, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.equal(d.programDecoder(hdm, 0, { base: B + 3 * S, size: 3 * S, ways: 3, gran: 256 }) & BITS, COMMITTED);
    assert.equal(reasons[0], '');
  } finally {
    m.close();
  }
});

test('aligned 2-way endpoint decoder away from the window base commits', () => {
  const m = machine();
  try {
    const d = new HostDriver(m).enumerate();
    const { hdm } = endpoint(m, d, 'mem2');
    assert.equal(d.programDecoder(hdm, 0, { base: B + 2 * S, size: 2 * S, ways: 2, gran: 256 }) & BITS, COMMITTED);
  } finally {
    m.close();
  }
});

test('a range outside every window, or in a window that does not route to the component -> Error-Not-Committed', () => {
  const m = machine();
  try {
    const d = new HostDriver(m).enumerate();
    const { hdm, reasons } = endpoint(m, d, 'mem2');
    // Below every window.
    assert.equal(
      d.programDecoder(hdm, 0, { base: 0xc000_0000, size: S, ways: 1, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.match(reasons[0]!, /range 0xc0000000-0xcfffffff is outside any window that routes to mem2/);
    // Straddling W0's end.
    assert.equal(
      d.programDecoder(hdm, 0, { base: B + 4 * 1024 * MiB - S, size: 2 * S, ways: 1, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.match(reasons[0]!, /outside any window that routes to mem2/);
    // W2 targets hb0 only: mem2 (below hb1) is unreachable there.
    assert.equal(
      d.programDecoder(hdm, 0, { base: 0x3_0000_0000, size: S, ways: 1, gran: 256 }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.match(reasons[0]!, /outside any window that routes to mem2 \(.*host bridge hb1\)/);
    // ... while mem0 (below hb0, via the switch) commits there.
    const e0 = endpoint(m, d, 'mem0');
    assert.equal(d.programDecoder(e0.hdm, 0, { base: 0x3_0000_0000, size: S, ways: 1, gran: 256 }) & BITS, COMMITTED);
    // Host bridge hb1: same rule for its decoders (no alignment beyond 256 MiB).
    const hb1 = d.hdmOf(d.hostBridges.find((h) => h.uid === 0x20)!.component);
    assert.equal(
      d.programDecoder(hb1, 0, { base: 0x3_0000_0000, size: S, ways: 1, gran: 256, targets: [0] }) & BITS,
      ERROR_NOT_COMMITTED,
    );
    assert.match(m.cxl.hostBridges[1]!.hdm!.reasons[0]!, /outside any window that routes to hb1/);
    assert.equal(
      d.programDecoder(hb1, 0, { base: B + S, size: S, ways: 1, gran: 256, targets: [0] }) & BITS,
      COMMITTED,
    );
  } finally {
    m.close();
  }
});

test('region creation picks a 256 MiB x W aligned base and refuses a misaligned one', () => {
  const m = machine();
  try {
    const W2 = 0x3_0000_0000;
    m.createRegion({ window: 'W2', memdevs: ['mem0'], size: S });
    assert.throws(
      () => m.createRegion({ window: 'W2', memdevs: ['mem0', 'mem1'], size: 2 * S, base: W2 + S }),
      /multiple of 256 MiB x 2 ways = 0x20000000/,
    );
    const r = m.createRegion({ window: 'W2', memdevs: ['mem0', 'mem1'], size: 2 * S });
    assert.equal(r.base, W2 + 2 * S);
    assert.equal(m.audit({ mode: 'sampled', samples: 2000 }).ok, true);
  } finally {
    m.close();
  }
});

test('the default machine still builds its firmware regions', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    assert.deepEqual(m.cxl.regions.map((r) => r.name).sort(), ['R0', 'R1']);
  } finally {
    m.close();
  }
});
