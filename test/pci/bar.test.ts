// BARs. Oracle: Linux drivers/pci/probe.c __pci_read_base + pci_size (disable decode, save, write
// ~0, read, restore, for the upper dword too; size = lowest set bit of the read-back address
// bits), re-implemented over ECAM; PCI-to-PCI Bridge 1.2 §3.2.5.8-9 for the memory windows a BAR
// behind a bridge must fall in; DESIGN.md Board for the PCIe MMIO window 0x4000_0000..0x7fff_ffff.
// Mapping is checked by guest loads/stores through the AddressSpace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AccessFault, AddressSpace } from '../../src/memory/address-space.js';
import { ecamOffset } from '../../src/pci/ecam.js';
import { PciConfigError } from '../../src/pci/errors.js';
import { PciFunction } from '../../src/pci/topology.js';
import { assignBusNumbers, buildTopology, RegFile, type Topology } from './fixtures.js';

interface Sized {
  bar: number;
  size: number;
  is64: boolean;
  prefetch: boolean;
}

/** Linux's sizing of every BAR of a type-0 function at bus/dev/fn. */
function linuxSizeBars(t: Topology, bus: number, dev: number, fn: number): Sized[] {
  const rd = (off: number, size: 1 | 2 | 4) => t.ecam.read(ecamOffset(bus, dev, fn, off), size);
  const wr = (off: number, size: 1 | 2 | 4, v: number) => t.ecam.write(ecamOffset(bus, dev, fn, off), size, v);
  const out: Sized[] = [];
  const origCmd = rd(0x04, 2);
  if (origCmd & 0x3) wr(0x04, 2, origCmd & ~0x3);
  for (let i = 0; i < 6; i++) {
    const pos = 0x10 + 4 * i;
    const l = rd(pos, 4);
    wr(pos, 4, 0xffffffff);
    const sz = rd(pos, 4);
    wr(pos, 4, l);
    if (sz === 0 || sz === 0xffffffff) continue;
    const is64 = (l & 0x6) === 0x4;
    let szHi = 0;
    if (is64) {
      const lh = rd(pos + 4, 4);
      wr(pos + 4, 4, 0xffffffff);
      szHi = rd(pos + 4, 4);
      wr(pos + 4, 4, lh);
    }
    // pci_size: the lowest set bit among the writable address bits.
    const loBits = (sz & 0xfffffff0) >>> 0;
    const size = loBits !== 0 ? (loBits & -loBits) >>> 0 : (szHi & -szHi) * 2 ** 32;
    out.push({ bar: i, size, is64, prefetch: (l & 0x8) !== 0 });
    if (is64) i++;
  }
  if (origCmd & 0x3) wr(0x04, 2, origCmd);
  return out;
}

function world(): { t: Topology; space: AddressSpace; changes: number[] } {
  const space = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const t = buildTopology({ space });
  assignBusNumbers(t);
  const changes: number[] = [];
  space.onChange((r) => changes.push(r.length));
  return { t, space, changes };
}

test('Linux BAR sizing finds the declared sizes and types, and restores the BARs', () => {
  const { t } = world();
  assert.deepEqual(linuxSizeBars(t, 0, 3, 0), [
    { bar: 0, size: 0x10000, is64: true, prefetch: false },
    { bar: 2, size: 0x1000, is64: false, prefetch: false },
  ]);
  assert.equal(t.mem3.config.read(0x10, 4), 0x4, 'restored: address 0, 64-bit type bits');
  // A big 64-bit prefetchable BAR (8 GiB): the size lives in the upper dword.
  const f = new PciFunction({
    name: 'big',
    header: { type: 0, vendorId: 1, deviceId: 1, classCode: 0 },
    bars: [{ index: 4, kind: 'mem64', size: 2 ** 33, prefetchable: true, ops: new RegFile(0) }],
  });
  t.ecam.hostFor(0)!.rootBus.attach(7, 0, f);
  assert.deepEqual(linuxSizeBars(t, 0, 7, 0), [{ bar: 4, size: 2 ** 33, is64: true, prefetch: true }]);
  assert.equal(f.bars[0]!.address(), 0);
});

test('a BAR maps when programmed inside the MMIO window with Memory Space Enable, and moves/unmaps with its registers', () => {
  const { t, space, changes } = world();
  const dev = (off: number, size: 1 | 2 | 4, v?: number) =>
    v === undefined ? t.ecam.read(ecamOffset(0, 3, 0, off), size) : t.ecam.write(ecamOffset(0, 3, 0, off), size, v);
  dev(0x10, 4, 0x4010_0000);
  dev(0x14, 4, 0);
  dev(0x18, 4, 0x4020_0000);
  space.load(0x4010_0040, 4);
  assert.equal(space.fault, AccessFault.Unassigned, 'not mapped before Memory Space Enable');
  changes.length = 0;
  dev(0x04, 2, 0x0006);
  assert.equal(changes.length, 1, 'both BARs mapped in one transaction');
  assert.equal(space.load(0x4010_0040, 4), 0x1000_0040);
  assert.equal(space.load(0x4020_0ffc, 4), 0x2000_0ffc);
  assert.equal(space.fault, AccessFault.None);
  space.store(0x4010_0008, 4, 0xdead);
  assert.deepEqual((t.mem3.bars[0]!.decl.ops as RegFile).writes, [[8, 0xdead]]);
  assert.equal(t.mem3.bars[0]!.mappedAt, 0x4010_0000);
  // Move BAR0: the old range faults, the new one answers.
  dev(0x10, 4, 0x4030_0000);
  space.load(0x4010_0040, 4);
  assert.equal(space.fault, AccessFault.Unassigned);
  assert.equal(space.load(0x4030_0040, 4), 0x1000_0040);
  // Sizing with decode on (a careless guest): while the BAR reads back its mask it is outside the
  // window, so it unmaps; restoring maps it again.
  dev(0x18, 4, 0xffffffff);
  space.load(0x4020_0000, 4);
  assert.equal(space.fault, AccessFault.Unassigned);
  dev(0x18, 4, 0x4020_0000);
  assert.equal(space.load(0x4020_0000, 4), 0x2000_0000);
  // Memory Space Enable off: everything unmaps.
  dev(0x04, 2, 0x0004);
  space.load(0x4030_0040, 4);
  assert.equal(space.fault, AccessFault.Unassigned);
  assert.equal(t.mem3.bars[0]!.mappedAt, -1);
});

test('BARs outside the PCIe MMIO window never map (below it, above it, or above 4 GiB)', () => {
  const { t, space } = world();
  const cs = t.mem3.config;
  cs.write(0x04, 2, 0x0002);
  for (const [lo, hi] of [
    [0x3fff_0000, 0],
    [0xffff_0000, 0],
    [0x8000_0000, 0],
    [0x4000_0000, 1],
    [0, 0x10_0000],
  ] as const) {
    cs.write(0x10, 4, lo);
    cs.write(0x14, 4, hi);
    assert.equal(t.mem3.bars[0]!.mappedAt, -1, `BAR0 at 0x${(hi * 2 ** 32 + lo).toString(16)}`);
  }
  cs.write(0x10, 4, 0x7fff_0000);
  cs.write(0x14, 4, 0);
  assert.equal(t.mem3.bars[0]!.mappedAt, 0x7fff_0000, 'the last 64 KiB of the window');
  assert.equal(space.load(0x7fff_fffc, 4), 0x1000_fffc);
});

test('a BAR behind bridges maps only while every bridge above forwards its range', () => {
  const { t, space } = world();
  // mem1 sits below rp1 -> usp -> dsp0 (bus 4).
  const ep = t.mem1.config;
  ep.write(0x18, 4, 0x4120_0000);
  ep.write(0x04, 2, 0x0002);
  assert.equal(t.mem1.bars[1]!.mappedAt, -1, 'bridges closed');
  const window = (f: PciFunction, base: number, limit: number) => {
    f.config.write(0x20, 2, (base >>> 16) & 0xfff0);
    f.config.write(0x22, 2, (limit >>> 16) & 0xfff0);
    f.config.write(0x04, 2, 0x0006);
  };
  window(t.rp1, 0x4100_0000, 0x41ff_ffff);
  window(t.usp, 0x4100_0000, 0x41ff_ffff);
  assert.equal(t.mem1.bars[1]!.mappedAt, -1, 'dsp0 still closed');
  window(t.dsp0, 0x4120_0000, 0x412f_ffff);
  assert.equal(t.mem1.bars[1]!.mappedAt, 0x4120_0000);
  assert.equal(space.load(0x4120_0010, 4), 0x2000_0010);
  // Shrink rp1's window below the BAR: it unmaps.
  t.rp1.config.write(0x22, 2, 0x4110);
  assert.equal(t.mem1.bars[1]!.mappedAt, -1);
  t.rp1.config.write(0x22, 2, 0x41f0);
  assert.equal(t.mem1.bars[1]!.mappedAt, 0x4120_0000);
  // Bridge memory enable off: unmaps.
  t.usp.config.write(0x04, 2, 0);
  assert.equal(t.mem1.bars[1]!.mappedAt, -1);
  t.usp.config.write(0x04, 2, 2);
  // The prefetchable window forwards too (64-bit base/limit).
  t.dsp0.config.write(0x20, 2, 0xfff0); // memory window closed: base > limit
  t.dsp0.config.write(0x22, 2, 0);
  assert.equal(t.mem1.bars[1]!.mappedAt, -1);
  t.dsp0.config.write(0x24, 2, 0x4120);
  t.dsp0.config.write(0x26, 2, 0x4120);
  t.dsp0.config.write(0x28, 4, 0);
  t.dsp0.config.write(0x2c, 4, 0);
  assert.equal(t.dsp0.config.read(0x24, 2), 0x4121, '64-bit prefetchable window type bits');
  assert.equal(t.mem1.bars[1]!.mappedAt, 0x4120_0000);
  // The bridge's own BAR (usp BAR0) is decoded on its primary side: rp1's window.
  t.usp.config.write(0x10, 4, 0x4180_0000);
  t.usp.config.write(0x14, 4, 0);
  assert.equal(t.usp.bars[0]!.mappedAt, 0x4180_0000);
  assert.equal(space.load(0x4180_0000, 4), 0x5000_0000);
});

test('hot-unplug unmaps the function BARs', () => {
  const { t, space } = world();
  t.mem3.config.write(0x18, 4, 0x4000_0000);
  t.mem3.config.write(0x04, 2, 2);
  assert.equal(space.load(0x4000_0000, 4), 0x2000_0000);
  t.ecam.hostFor(0)!.rootBus.detach(3, 0);
  space.load(0x4000_0000, 4);
  assert.equal(space.fault, AccessFault.Unassigned);
});

test('BAR declarations are checked: power-of-two size, slots, overlaps', () => {
  const mk = (bars: { index: number; kind: 'mem32' | 'mem64'; size: number }[], type: 0 | 1 = 0) =>
    new PciFunction({
      name: 'f',
      header: { type, vendorId: 1, deviceId: 1, classCode: 0 },
      bars: bars.map((b) => ({ ...b, ops: new RegFile(0) })),
    });
  assert.throws(
    () => mk([{ index: 0, kind: 'mem32', size: 0x3000 }]),
    (e: unknown) => e instanceof PciConfigError && /f BAR0: size must be a power of two/.test(e.message),
  );
  assert.throws(() => mk([{ index: 0, kind: 'mem32', size: 8 }]), /power of two from 16 B/);
  assert.throws(() => mk([{ index: 0, kind: 'mem32', size: 2 ** 32 }]), /2 GiB/);
  assert.throws(() => mk([{ index: 5, kind: 'mem64', size: 0x1000 }]), /BAR slots/);
  assert.throws(() => mk([{ index: 2, kind: 'mem32', size: 0x1000 }], 1), /2 BAR slots/);
  assert.throws(
    () =>
      mk([
        { index: 0, kind: 'mem64', size: 0x1000 },
        { index: 1, kind: 'mem32', size: 0x1000 },
      ]),
    /overlaps another BAR/,
  );
});
