// ECAM routing. Oracle: the ECAM address layout of PCIe r6.0 §7.2.2 (bus [27:20], device [19:15],
// function [14:12], register [11:0]) and the PCI-to-PCI Bridge 1.2 §3.2.5.3 forwarding rule (a
// bridge claims bus b when secondary <= b <= subordinate and turns it into a type-0 access when
// b == secondary), checked against a hand-written table of what Linux's enumeration would see;
// host bridges own [bus_nr, next bus_nr - 1] as QEMU pxb-cxl buses do. Absent functions read all
// ones (PCIe r6.0 §2.3.2: Unsupported Request on a config read returns all ones to software).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { AccessFault, AddressSpace } from '../../src/memory/address-space.js';
import { Ecam, ECAM_BASE, decodeEcamOffset, ecamOffset } from '../../src/pci/ecam.js';
import { PciConfigError } from '../../src/pci/errors.js';
import { PciFunction } from '../../src/pci/topology.js';
import { assignBusNumbers, buildTopology, endpoint, setBuses } from './fixtures.js';

const VENDOR_DEVICE: Record<string, number> = {
  rp: 0x707519e5,
  usp: 0x707619e5,
  dsp: 0x707719e5,
  ep: 0x0d938086,
};

/** What each bus/device reads after enumeration: [bus, dev, kind]. */
const VISIBLE: [number, number, string][] = [
  [0, 0, 'rp'],
  [0, 1, 'rp'],
  [0, 3, 'ep'],
  [1, 0, 'ep'],
  [2, 0, 'usp'],
  [3, 0, 'dsp'],
  [3, 1, 'dsp'],
  [4, 0, 'ep'],
  [5, 0, 'ep'],
  [0x40, 0, 'rp'],
  [0x41, 0, 'ep'],
];

function scan(ecam: Ecam, buses: number[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const bus of buses) {
    for (let dev = 0; dev < 32; dev++) {
      const id = ecam.read(ecamOffset(bus, dev, 0, 0), 4);
      if (id !== 0xffffffff) seen.set(`${bus}:${dev}`, id);
    }
  }
  return seen;
}

test('ECAM offsets decode bus/device/function/register as PCIe r6.0 §7.2.2 lays them out', () => {
  assert.equal(ecamOffset(0x12, 0x1f, 7, 0xffc), 0x012ffffc);
  assert.deepEqual(decodeEcamOffset(0x0ab4_5678), { bus: 0xab, device: 8, fn: 5, reg: 0x678 });
  assert.equal(ecamOffset(255, 31, 7, 0xfff), 0x0fffffff);
});

test('before bus numbers are programmed only the host bridges root buses are visible', () => {
  const t = buildTopology();
  const seen = scan(t.ecam, [0, 1, 2, 3, 4, 5, 0x40, 0x41]);
  assert.deepEqual([...seen.keys()], ['0:0', '0:1', '0:3', '64:0']);
});

test('after enumeration each bus shows what the bridges forward to it, across two host bridges', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const seen = scan(
    t.ecam,
    Array.from({ length: 256 }, (_, i) => i),
  );
  assert.deepEqual(
    [...seen.entries()],
    VISIBLE.map(([b, d, k]) => [`${b}:${d}`, VENDOR_DEVICE[k]]),
  );
  assert.equal(t.ecam.functionAt(5, 0, 0), t.mem2);
  assert.equal(t.ecam.functionAt(0x41, 0, 0), t.mem4);
  assert.equal(t.ecam.hostFor(0x3f)!.name, 'hb0');
  assert.equal(t.ecam.hostFor(0x40)!.name, 'hb1');
  assert.equal(t.ecam.hostFor(0xff)!.name, 'hb1');
});

test('bridges route by their live bus numbers: renumbering moves what a bus shows', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  // Shrink rp1's subordinate to 3: buses 4 and 5 disappear, bus 3 (the switch's internal bus) stays.
  setBuses(t.rp1, 0, 2, 3);
  assert.equal(t.ecam.read(ecamOffset(3, 1, 0), 4), VENDOR_DEVICE['dsp']);
  assert.equal(t.ecam.read(ecamOffset(4, 0, 0), 4), 0xffffffff);
  // Move rp0's secondary bus to 9: bus 1 is empty, bus 9 shows mem0.
  setBuses(t.rp0, 0, 9, 9);
  assert.equal(t.ecam.read(ecamOffset(1, 0, 0), 4), 0xffffffff);
  assert.equal(t.ecam.read(ecamOffset(9, 0, 0), 4), VENDOR_DEVICE['ep']);
  // A bridge range that reaches into hb1's buses never captures them: hb1 owns 0x40.
  setBuses(t.rp0, 0, 9, 0x50);
  assert.equal(t.ecam.read(ecamOffset(0x41, 0, 0), 4), VENDOR_DEVICE['ep']);
  assert.equal(t.ecam.functionAt(0x41, 0, 0), t.mem4);
  // A secondary number not above the bridge's own bus forwards nothing (no loops).
  setBuses(t.rp0, 0, 0, 0xff);
  assert.equal(t.ecam.functionAt(1, 0, 0), null);
});

test('absent functions read all ones at every width and ignore writes', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  for (const [bus, dev, fn] of [
    [0, 2, 0],
    [0, 0, 1],
    [7, 0, 0],
    [1, 1, 0],
    [4, 5, 0],
    [0x41, 3, 0],
  ]) {
    assert.equal(t.ecam.read(ecamOffset(bus!, dev!, fn!, 0), 4), 0xffffffff);
    assert.equal(t.ecam.read(ecamOffset(bus!, dev!, fn!, 2), 2), 0xffff);
    assert.equal(t.ecam.read(ecamOffset(bus!, dev!, fn!, 3), 1), 0xff);
    assert.doesNotThrow(() => t.ecam.write(ecamOffset(bus!, dev!, fn!, 4), 4, 0xffffffff));
  }
  // Out-of-range offsets too.
  assert.equal(t.ecam.read(0x1000_0000, 4), 0xffffffff);
  assert.equal(t.ecam.read(-4, 4), 0xffffffff);
});

test('below a root or downstream port only device 0 answers; the switch internal bus has several', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  assert.equal(t.ecam.read(ecamOffset(1, 0, 0), 2), 0x8086);
  assert.throws(
    () => t.rp0.secondaryBus!.attach(1, 0, endpoint('x')),
    (e: unknown) => e instanceof PciConfigError && /only device 0/.test(e.message),
  );
  assert.equal(t.ecam.read(ecamOffset(3, 1, 0), 4), VENDOR_DEVICE['dsp']);
});

test('multi-function devices: function 0 advertises bit 7 of Header Type once another function exists', () => {
  const t = buildTopology();
  assert.equal(t.ecam.read(ecamOffset(0, 3, 0, 0x0e), 1), 0x00);
  const f1 = t.ecam.hostFor(0)!.rootBus.attach(3, 1, endpoint('mem3.1'));
  assert.equal(t.ecam.read(ecamOffset(0, 3, 0, 0x0e), 1), 0x80);
  assert.equal(t.ecam.read(ecamOffset(0, 3, 1, 0), 4), VENDOR_DEVICE['ep']);
  assert.equal(t.ecam.functionAt(0, 3, 1), f1);
  t.ecam.hostFor(0)!.rootBus.detach(3, 1);
  assert.equal(t.ecam.read(ecamOffset(0, 3, 0, 0x0e), 1), 0x00);
  assert.equal(t.ecam.read(ecamOffset(0, 3, 1, 0), 4), 0xffffffff);
});

test('host bridge bus ranges: explicit busLast, defaults up to the next bridge, overlaps refused', () => {
  const ecam = new Ecam();
  ecam.addHostBridge({ name: 'a', busNr: 0x10, busLast: 0x17 });
  ecam.addHostBridge({ name: 'b', busNr: 0x80 });
  ecam.addHostBridge({ name: 'c', busNr: 0 });
  assert.deepEqual(
    ecam.hostBridges.map((h) => [h.name, h.busNr, h.busLast]),
    [
      ['c', 0, 0x0f],
      ['a', 0x10, 0x17],
      ['b', 0x80, 0xff],
    ],
  );
  assert.equal(ecam.hostFor(0x18), null, 'buses 0x18..0x7f belong to nobody');
  assert.throws(() => ecam.addHostBridge({ name: 'd', busNr: 0x14 }), /overlaps|already/);
  assert.throws(() => ecam.addHostBridge({ name: 'e', busNr: 0x80 }), /already owned by b/);
  assert.throws(() => ecam.addHostBridge({ name: 'f', busNr: 0x70, busLast: 0x90 }), /overlaps b/);
  assert.throws(() => ecam.addHostBridge({ name: 'a', busNr: 0x30 }), /name already used/);
  const small = new Ecam({ size: 16 * 2 ** 20 });
  assert.throws(() => small.addHostBridge({ name: 'x', busNr: 16 }), /past the ECAM's last bus 15/);
});

test('the ECAM maps at 0x3000_0000 and serves guest loads/stores through the address space', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const space = new AddressSpace(arena);
  const t = buildTopology({ space });
  t.ecam.map();
  assignBusNumbers(t);
  assert.equal(space.load(ECAM_BASE + ecamOffset(0x41, 0, 0), 4), VENDOR_DEVICE['ep']);
  assert.equal(space.fault, AccessFault.None);
  assert.equal(space.load(ECAM_BASE + ecamOffset(0x41, 0, 0, 2), 2), 0x0d93);
  assert.equal(space.load(ECAM_BASE + ecamOffset(0x42, 0, 0), 4), 0xffffffff);
  // Config accesses are at most a dword: an 8-byte load is refused by the memory layer.
  space.load(ECAM_BASE + ecamOffset(0, 3, 0, 8), 8);
  assert.equal(space.fault, AccessFault.BadSize);
  // Program rp2's cache line size through a guest byte store.
  space.store(ECAM_BASE + ecamOffset(0x40, 0, 0, 0x0c), 1, 0x10);
  assert.equal(t.rp2.config.read(0x0c, 1), 0x10);
  // Config accesses must be naturally aligned (PCIe r6.0 §7.2.2.2): the memory layer faults others.
  space.load(ECAM_BASE + 1, 2);
  assert.equal(space.fault, AccessFault.Misaligned);
});

test('a standalone function can be built without any topology', () => {
  const f = new PciFunction({ name: 'lonely', header: { type: 1, vendorId: 1, deviceId: 2, classCode: 0x060400 } });
  assert.equal(f.busNumber, -1);
  assert.equal(f.host(), null);
  f.config.write(0x04, 2, 0x0002);
  assert.equal(f.memoryEnabled, true);
});

test('snapshot/restore carries guest-programmed bus numbers and BARs to a machine built the same way', () => {
  const space1 = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const a = buildTopology({ space: space1 });
  assignBusNumbers(a);
  a.mem1.config.write(0x18, 4, 0x4120_0000);
  a.mem1.config.write(0x04, 2, 2);
  for (const br of [a.rp1, a.usp, a.dsp0]) {
    br.config.write(0x20, 4, 0x41f0_4100);
    br.config.write(0x04, 2, 2);
  }
  assert.equal(a.mem1.bars[1]!.mappedAt, 0x4120_0000);
  const snap = JSON.parse(JSON.stringify(a.ecam.snapshotState()));
  const space2 = new AddressSpace(new Arena({ bytes: 1 << 20 }));
  const b = buildTopology({ space: space2 });
  b.ecam.restoreState(snap);
  assert.equal(b.ecam.read(ecamOffset(4, 0, 0), 4), 0x0d938086, 'bus numbers restored');
  assert.equal(space2.load(0x4120_0010, 4), 0x2000_0010, 'BAR mapped again');
  assert.throws(
    () => b.ecam.restoreState({ ...snap, functions: [{ name: 'nope', config: '' }] }),
    /functions\[0\]: no function named "nope"/,
  );
  assert.throws(
    () => b.ecam.restoreState({ ...snap, functions: [{ name: 'mem0', config: 'ab' }] }),
    /4096 bytes as hex/,
  );
});
