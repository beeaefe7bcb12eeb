// Firmware-style enumeration. Oracles: Linux's depth-first bus numbering (pci_scan_bridge_extend:
// secondary = next free bus, subordinate = last bus found below), the PCI-to-PCI Bridge 1.2
// §3.2.5.8 window rules (1 MiB granular; every BAR below a bridge inside its window; windows of
// siblings disjoint; BARs naturally aligned), DESIGN.md's MMIO window; and guest loads through
// the address space reaching each BAR's registers afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AccessFault, AddressSpace } from '../../src/memory/address-space.js';
import { enumerate } from '../../src/pci/enumerate.js';
import { Ecam, ecamOffset } from '../../src/pci/ecam.js';
import { PciConfigError } from '../../src/pci/errors.js';
import { PciFunction } from '../../src/pci/topology.js';
import { buildTopology, port, RegFile } from './fixtures.js';

test('bus numbers come out depth first per host bridge, as Linux assigns them', () => {
  const t = buildTopology();
  const r = enumerate(t.ecam);
  const byName = Object.fromEntries(r.buses.map((b) => [b.function, [b.primary, b.secondary, b.subordinate]]));
  assert.deepEqual(byName, {
    rp0: [0, 1, 1],
    rp1: [0, 2, 5],
    usp: [2, 3, 5],
    dsp0: [3, 4, 4],
    dsp1: [3, 5, 5],
    rp2: [0x40, 0x41, 0x41],
  });
  assert.equal(t.ecam.read(ecamOffset(5, 0, 0), 4), 0x0d938086, 'mem2 reachable on bus 5');
});

test('every BAR is assigned, aligned, inside each bridge window above it, disjoint, enabled and reachable', () => {
  const space = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const t = buildTopology({ space });
  const r = enumerate(t.ecam);
  const bars = r.assignments.filter((a) => a.what.startsWith('bar'));
  assert.equal(bars.length, 5 * 2 + 1, 'two BARs on each of five endpoints, one on the switch USP');
  const sorted = [...bars].sort((a, b) => a.base - b.base);
  for (let i = 0; i + 1 < sorted.length; i++)
    assert.ok(sorted[i]!.base + sorted[i]!.size <= sorted[i + 1]!.base, 'BARs overlap');
  for (const f of t.ecam.functions()) {
    for (const bar of f.bars) {
      const a = bar.address();
      assert.equal(a % bar.size, 0, `${f.name} BAR${bar.index} aligned`);
      assert.ok(a >= 0x4000_0000 && a + bar.size <= 0x8000_0000, `${f.name} BAR${bar.index} in the MMIO window`);
      assert.equal(bar.mappedAt, a, `${f.name} BAR${bar.index} mapped`);
      // Inside every window above.
      for (let b = f.parentBus; b !== null && b.bridge !== null; b = b.bridge.parentBus) {
        const cs = b.bridge.config;
        const base = (cs.read(0x20, 2) & 0xfff0) * 2 ** 16;
        const limit = (cs.read(0x22, 2) & 0xfff0) * 2 ** 16 + 0xfffff;
        assert.ok(a >= base && a + bar.size - 1 <= limit, `${f.name} BAR${bar.index} inside ${b.bridge.name}'s window`);
      }
      const v = space.load(a + 8, 4);
      assert.equal(space.fault, AccessFault.None);
      assert.equal(v, ((bar.decl.ops as RegFile).tag + 8) >>> 0);
    }
  }
  // Sibling windows (dsp0, dsp1) are disjoint and 1 MiB granular.
  const win = (f: PciFunction) =>
    [(f.config.read(0x20, 2) & 0xfff0) * 2 ** 16, (f.config.read(0x22, 2) & 0xfff0) * 2 ** 16 + 0xfffff] as const;
  const [a0, a1] = win(t.dsp0);
  const [b0, b1] = win(t.dsp1);
  assert.ok(a1 < b0 || b1 < a0);
  assert.equal(a0 % 0x10_0000, 0);
  assert.equal(t.dsp0.config.read(0x24, 2) & 0xfff0, 0xfff0, 'prefetchable window closed');
  assert.equal(t.mem0.memoryEnabled, true);
  assert.equal(t.mem0.busMasterEnabled, false);
});

test('a bridge with nothing below keeps its window closed; running out of buses or MMIO is named', () => {
  const ecam = new Ecam();
  const hb = ecam.addHostBridge({ name: 'hb0', busNr: 0, busLast: 1 });
  const empty = hb.rootBus.attach(0, 0, port('empty', 'rootPort', 0));
  hb.rootBus.attach(1, 0, port('second', 'rootPort', 1));
  assert.throws(
    () => enumerate(ecam),
    (e: unknown) =>
      e instanceof PciConfigError && /ran out of bus numbers at second: it owns buses 0..1/.test(e.message),
  );
  const ecam2 = new Ecam({ mmioWindow: { base: 0x4000_0000, size: 0x10_0000 } });
  const hb2 = ecam2.addHostBridge({ name: 'hb', busNr: 0 });
  const lone = hb2.rootBus.attach(0, 0, port('lone', 'rootPort', 0));
  enumerate(ecam2);
  assert.equal(lone.config.read(0x20, 4), 0x0000fff0, 'empty bridge: base > limit');
  assert.equal(empty.config.read(0x19, 1), 1);
  hb2.rootBus.attach(
    1,
    0,
    new PciFunction({
      name: 'huge',
      header: { type: 0, vendorId: 1, deviceId: 1, classCode: 0 },
      bars: [{ index: 0, kind: 'mem32', size: 0x20_0000, ops: new RegFile(0) }],
    }),
  );
  assert.throws(() => enumerate(ecam2), /needs 2097152 bytes of MMIO but only 1048576 remain/);
});
