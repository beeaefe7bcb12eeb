// Capability lists. Oracle: Linux drivers/pci/pci.c __pci_find_next_cap_ttl (from 0x34 when
// Status.CapList is set, 48 hops, ids at dword-aligned offsets >= 0x40) and
// pci_find_next_ext_capability (from 0x100, next = header[31:20] & 0xffc, stop below 0x100),
// re-implemented here over ECAM reads; PCIe r6.0 §7.5.3 for the PCIe capability's port type
// field and §7.9.6 / SPEC-NOTES 2.1 for the DVSEC headers; AER §7.8.4 for its RW1C status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addCapability,
  addDvsec,
  addExtendedCapability,
  findCapability,
  findDvsec,
  findExtendedCapability,
  pciePortTypeOf,
} from '../../src/pci/capabilities.js';
import { ConfigSpace, buildType0Header, field } from '../../src/pci/config-space.js';
import { PciConfigError } from '../../src/pci/errors.js';
import { ecamOffset } from '../../src/pci/ecam.js';
import { assignBusNumbers, buildTopology, CXL_VENDOR, endpoint } from './fixtures.js';

type Read = (off: number, size: 1 | 2 | 4) => number;

/** Linux's conventional walk: every capability (id, offset) in list order. */
function linuxCapList(read: Read): [number, number][] {
  const out: [number, number][] = [];
  if ((read(0x06, 2) & 0x10) === 0) return out;
  let pos = read(0x34, 1);
  let ttl = 48;
  while (ttl--) {
    if (pos < 0x40) break;
    pos &= ~3;
    const ent = read(pos, 2);
    const id = ent & 0xff;
    if (id === 0xff) break;
    out.push([id, pos]);
    pos = ent >> 8;
  }
  return out;
}

/** Linux's extended walk: every (id, version, offset). */
function linuxExtCapList(read: Read): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pos = 0x100;
  let ttl = (4096 - 256) / 8;
  let header = read(pos, 4);
  if (header === 0) return out;
  while (ttl-- > 0) {
    out.push([header & 0xffff, (header >>> 16) & 0xf, pos]);
    pos = (header >>> 20) & 0xffc;
    if (pos < 0x100) break;
    header = read(pos, 4);
  }
  return out;
}

function ecamReader(t: ReturnType<typeof buildTopology>, bus: number, dev: number, fn: number): Read {
  return (off, size) => t.ecam.read(ecamOffset(bus, dev, fn, off), size);
}

test('an endpoint lists PCIe at 0x40, then AER, DSN, DOE, DVSEC from 0x100, found by Linux walks over ECAM', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const r = ecamReader(t, 1, 0, 0); // mem0 below rp0
  assert.equal(r(0, 4), 0x0d938086);
  assert.deepEqual(linuxCapList(r), [[0x10, 0x40]]);
  const ext = linuxExtCapList(r);
  assert.deepEqual(
    ext.map(([id, v]) => [id, v]),
    [
      [0x0001, 2],
      [0x0003, 1],
      [0x002e, 1],
      [0x0023, 1],
    ],
  );
  assert.equal(ext[0]![2], 0x100);
  // No overlap: each capability ends before the next begins (AER 0x48, DSN 0x0C, DOE 0x18 bytes).
  const lens = [0x48, 0x0c, 0x18];
  for (let i = 0; i + 1 < ext.length; i++)
    assert.ok(ext[i]![2] + lens[i]! <= ext[i + 1]![2], `ext cap ${i} overlaps the next`);
  // src's walkers agree with Linux's.
  assert.equal(findCapability(r, 0x10), 0x40);
  assert.equal(findCapability(r, 0x05), 0, 'no MSI');
  for (const [id, , off] of ext) assert.equal(findExtendedCapability(r, id), off);
  assert.equal(findExtendedCapability(r, 0x000b), 0, 'no vendor-specific ext cap');
  // DSN holds the serial, read-only.
  const dsn = findExtendedCapability(r, 0x0003);
  assert.equal(r(dsn + 4, 4), 10);
  t.ecam.write(ecamOffset(1, 0, 0, dsn + 4), 4, 0x12345678);
  assert.equal(r(dsn + 4, 4), 10);
  assert.equal(r(dsn + 8, 4), 0);
});

test('PCIe capability: device/port type of root ports, switch ports and endpoints', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const cases: [number, number, string][] = [
    [0, 0, 'rootPort'],
    [0, 1, 'rootPort'],
    [2, 0, 'upstreamPort'],
    [3, 0, 'downstreamPort'],
    [3, 1, 'downstreamPort'],
    [1, 0, 'endpoint'],
    [4, 0, 'endpoint'],
    [5, 0, 'endpoint'],
    [0x40, 0, 'rootPort'],
    [0x41, 0, 'endpoint'],
  ];
  const codes: Record<string, number> = { endpoint: 0, rootPort: 4, upstreamPort: 5, downstreamPort: 6 };
  for (const [bus, dev, type] of cases) {
    const r = ecamReader(t, bus, dev, 0);
    const pos = linuxCapList(r).find(([id]) => id === 0x10)![1];
    const flags = r(pos + 2, 2);
    assert.equal((flags >> 4) & 0xf, codes[type], `${bus}:${dev} port type`);
    assert.equal(flags & 0xf, 2, 'capability version 2');
    assert.equal(pciePortTypeOf(r), type);
    // Link Capabilities port number (what CXL target lists name).
    if (type === 'downstreamPort') assert.equal(r(pos + 0x0c, 4) >>> 24, dev);
    // Slot Implemented on root/downstream ports (our fixtures give them slots).
    assert.equal((flags >> 8) & 1, type === 'rootPort' || type === 'downstreamPort' ? 1 : 0);
  }
});

test('PCIe capability masks: Device Control RW, Device Status RW1C, Link Status RW1C on ports, caps RO', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const cs = t.rp0.config;
  const p = findCapability((o, s) => cs.read(o, s), 0x10);
  const devcap = cs.read(p + 4, 4);
  cs.write(p + 4, 4, ~devcap >>> 0);
  assert.equal(cs.read(p + 4, 4), devcap, 'Device Capabilities is RO');
  cs.write(p + 8, 2, 0xffff);
  assert.equal(cs.read(p + 8, 2), 0x7fff, 'Device Control: all but bit 15');
  cs.setRaw(p + 0x0a, 2, 0x007f);
  cs.write(p + 0x0a, 2, 0x0005);
  assert.equal(cs.read(p + 0x0a, 2), 0x007a, 'Device Status: written 1s clear the W1C bits');
  cs.write(p + 0x0a, 2, 0xffff);
  assert.equal(cs.read(p + 0x0a, 2), 0x0030, 'aux power / transactions pending are RO');
  const lnksta = cs.read(p + 0x12, 2);
  assert.equal(lnksta & 0xf, 5, 'current speed 32 GT/s');
  assert.equal((lnksta >> 4) & 0x3f, 16, 'x16');
  assert.equal((lnksta >> 13) & 1, 1, 'DLL link active on a root port');
  cs.setRaw(p + 0x12, 2, lnksta | 0xc000);
  cs.write(p + 0x12, 2, 0x4000);
  assert.equal(cs.read(p + 0x12, 2), lnksta | 0x8000);
  cs.write(p + 0x1c, 2, 0xffff);
  assert.equal(cs.read(p + 0x1c, 2), 0x000f, 'Root Control: SERR enables and PME interrupt enable');
  // Endpoint: no root registers, no Link Disable.
  const ecs = t.mem0.config;
  const q = findCapability((o, s) => ecs.read(o, s), 0x10);
  ecs.write(q + 0x1c, 4, 0xffffffff);
  assert.equal(ecs.read(q + 0x1c, 4), 0);
  ecs.write(q + 0x10, 2, 0xffff);
  assert.equal(ecs.read(q + 0x10, 2), 0x03cb);
  assert.equal((ecs.read(q + 4, 4) >>> 28) & 1, 1, 'FLR capable');
});

test('AER: status RW1C, mask and severity RW on implemented bits, spec defaults', () => {
  const t = buildTopology();
  const cs = t.mem3.config;
  const r: Read = (o, s) => cs.read(o, s);
  const a = findExtendedCapability(r, 0x0001);
  assert.equal(r(a + 0x08, 4), 0x00400000, 'uncorrectable internal error masked by default');
  assert.equal(r(a + 0x0c, 4), 0x00462030, 'default severities');
  assert.equal(r(a + 0x14, 4), 0x00006000, 'default correctable mask');
  cs.write(a + 0x08, 4, 0xffffffff);
  assert.equal(r(a + 0x08, 4), 0x07fff030, 'reserved bits stay 0');
  cs.setRaw(a + 0x04, 4, 0x00101000);
  cs.write(a + 0x04, 4, 0x00100000);
  assert.equal(r(a + 0x04, 4), 0x00001000);
  cs.write(a + 0x2c, 4, 0xffffffff);
  assert.equal(r(a + 0x2c, 4), 0, 'Root Error Command is not implemented on an endpoint');
  const rp = t.rp0.config;
  const b = findExtendedCapability((o, s) => rp.read(o, s), 0x0001);
  rp.write(b + 0x2c, 4, 0xffffffff);
  assert.equal(rp.read(b + 0x2c, 4), 7);
});

test('DVSEC: header fields per SPEC-NOTES 2.1, body masks from the register table, found by vendor and id', () => {
  const f = endpoint('ep');
  const cs = f.config;
  const r: Read = (o, s) => cs.read(o, s);
  const d = addDvsec(cs, {
    vendor: CXL_VENDOR,
    revision: 2,
    dvsecId: 8,
    length: 0x24,
    registers: [
      {
        name: 'entry0Low',
        offset: 0x0c,
        size: 4,
        fields: { bir: field(2, 0, 'RO'), blockId: field(15, 8, 'RO'), offsetLow: field(31, 16, 'RO') },
      },
    ],
    values: { entry0Low: 0x0001_0300 },
  });
  const first = findDvsec(r, CXL_VENDOR, 0);
  assert.ok(first > 0);
  assert.equal(findDvsec(r, CXL_VENDOR, 8), d);
  assert.equal(findDvsec(r, CXL_VENDOR, 7), 0);
  assert.equal(findDvsec(r, 0x1234, 0), 0);
  const h1 = r(d + 4, 4);
  assert.equal(h1 & 0xffff, 0x1e98);
  assert.equal((h1 >>> 16) & 0xf, 2);
  assert.equal(h1 >>> 20, 0x24);
  assert.equal(r(d + 8, 2), 8);
  assert.equal(r(d + 0x0c, 4), 0x0001_0300);
  // Body of the id-0 sample: capability RO, control RW bit 2 only, status RW1C bit 14.
  cs.write(first + 0x0a, 2, 0);
  assert.equal(r(first + 0x0a, 2), 0x14);
  cs.write(first + 0x0c, 2, 0xffff);
  assert.equal(r(first + 0x0c, 2), 0x4);
  cs.setRaw(first + 0x0e, 2, 0x4000);
  cs.write(first + 0x0e, 2, 0x4000);
  assert.equal(r(first + 0x0e, 2), 0);
  // Undeclared body bytes are RO 0; headers are RO.
  cs.write(first + 0x10, 4, 0xffffffff);
  assert.equal(r(first + 0x10, 4), 0);
  cs.write(d + 4, 4, 0);
  assert.equal(r(d + 4, 4), h1);
  // The new DVSEC is linked last.
  const ext = linuxExtCapList(r);
  assert.equal(ext[ext.length - 1]![2], d);
});

test('write hooks let a layer above react to DVSEC writes (e.g. Mem_Enable)', () => {
  const cs = new ConfigSpace();
  buildType0Header(cs, { vendorId: 1, deviceId: 1, classCode: 0 });
  const d = addDvsec(cs, {
    vendor: CXL_VENDOR,
    revision: 1,
    dvsecId: 0,
    length: 0x10,
    registers: [{ name: 'control', offset: 0x0c, size: 2, fields: { memEnable: field(2, 2, 'RW') } }],
  });
  const seen: number[] = [];
  cs.onWrite(d + 0x0c, 2, () => seen.push(cs.getRaw(d + 0x0c, 2)));
  cs.write(d + 0x0c, 2, 0xffff);
  cs.write(d + 0x08, 4, 0xffffffff); // header2 + capability: does not touch control
  cs.write(d + 0x0c, 4, 0xfffb0000); // a dword covering control writes 0 to it
  cs.write(d + 0x04, 4, 0); // not overlapping
  assert.deepEqual(seen, [4, 0]);
});

test('placement errors name the capability and the rule', () => {
  const cs = new ConfigSpace();
  buildType0Header(cs, { vendorId: 1, deviceId: 1, classCode: 0 });
  addCapability(cs, 0x10, 0x3c);
  addCapability(cs, 0x05, 0x18);
  assert.throws(
    () => addCapability(cs, 0x11, 0x80),
    (e: unknown) => e instanceof PciConfigError && /conventional space/.test(e.message),
  );
  assert.throws(
    () =>
      addDvsec(cs, {
        vendor: 1,
        revision: 0,
        dvsecId: 0,
        length: 0x10,
        registers: [{ name: 'x', offset: 0x08, size: 4, fields: {} }],
      }),
    /must lie in the body/,
  );
  addExtendedCapability(cs, 0x0b, 1, 0xe00);
  assert.throws(() => addExtendedCapability(cs, 0x0b, 1, 0x200), /past the 4 KiB/);
  // A chain built by src stays walkable.
  assert.deepEqual(
    linuxCapList((o, s) => cs.read(o, s)).map(([id]) => id),
    [0x10, 0x05],
  );
});

test('ports report link up and presence live from what is attached below', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const cs = t.rp0.config;
  const p = findCapability((o, s) => cs.read(o, s), 0x10);
  assert.equal((cs.read(p + 0x12, 2) >> 13) & 1, 1);
  assert.equal((cs.read(p + 0x1a, 2) >> 6) & 1, 1);
  t.rp0.secondaryBus!.detach(0, 0);
  assert.equal((cs.read(p + 0x12, 2) >> 13) & 1, 0, 'DLL Link Active drops after unplug');
  assert.equal((cs.read(p + 0x1a, 2) >> 6) & 1, 0, 'Presence Detect State drops after unplug');
});

test('AER reporting sets status and the first error pointer; FLR writes reach the device hook', async () => {
  const { addAer, addPcieCapability } = await import('../../src/pci/capabilities.js');
  const cs = new ConfigSpace();
  buildType0Header(cs, { vendorId: 1, deviceId: 1, classCode: 0 });
  let flrs = 0;
  const pcie = addPcieCapability(cs, { portType: 'endpoint', flr: true, onFlr: () => flrs++ });
  const aer = addAer(cs);
  aer.reportUncorrectable(14); // completion timeout
  aer.reportUncorrectable(20); // unsupported request: not first
  assert.equal(cs.read(aer.offset + 4, 4), (1 << 14) | (1 << 20));
  assert.equal(cs.read(aer.offset + 0x18, 4) & 0x1f, 14);
  aer.reportCorrectable(0);
  assert.equal(cs.read(aer.offset + 0x10, 4), 1);
  assert.throws(() => aer.reportUncorrectable(3), /not an implemented error bit/);
  cs.write(pcie.offset + 8, 2, 0x8000 | 0x2810);
  cs.write(pcie.offset + 9, 1, 0x80); // byte write of bit 15
  cs.write(pcie.offset + 8, 2, 0x2810); // no FLR bit
  assert.equal(flrs, 2);
  assert.equal(cs.read(pcie.offset + 8, 2) & 0x8000, 0, 'Initiate FLR reads 0');
});
