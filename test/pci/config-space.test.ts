// Header masks. Oracle: the register attribute tables of PCI Local Bus 3.0 §6.1-6.2 and PCI-to-PCI
// Bridge 1.2 §3.2 as tightened by PCIe r6.0 §7.5.1 (RO, RW, RW1C per bit), transcribed below as
// per-byte masks independently of src/pci's tables. Probed only through guest writes: write all
// ones then zeros; RO bits never move, RW bits follow, RW1C bits clear on 1 and ignore 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigSpace,
  buildType0Header,
  buildType1Header,
  composeRegister,
  masksOf,
  writtenBits,
  COMMAND,
  STATUS,
} from '../../src/pci/config-space.js';
import { PciFunction } from '../../src/pci/topology.js';
import { RegFile } from './fixtures.js';

/** [offset, rw, rw1c] per byte; absent bytes of the first 64 are RO. */
const TYPE0_EXPECTED: [number, number, number][] = [
  [0x04, 0x47, 0], // IO, memory, bus master, parity error response
  [0x05, 0x05, 0], // SERR#, interrupt disable
  [0x07, 0, 0xf9], // status: master data parity, signaled/received target abort, received master abort, SERR, parity
  [0x0c, 0xff, 0], // cache line size
  [0x3c, 0xff, 0], // interrupt line
];

const TYPE1_EXPECTED: [number, number, number][] = [
  ...TYPE0_EXPECTED,
  [0x18, 0xff, 0],
  [0x19, 0xff, 0],
  [0x1a, 0xff, 0], // primary, secondary, subordinate bus
  [0x1f, 0, 0xf9], // secondary status
  [0x20, 0xf0, 0],
  [0x21, 0xff, 0],
  [0x22, 0xf0, 0],
  [0x23, 0xff, 0], // memory base/limit [31:20]
  [0x24, 0xf0, 0],
  [0x25, 0xff, 0],
  [0x26, 0xf0, 0],
  [0x27, 0xff, 0], // prefetchable base/limit
  [0x28, 0xff, 0],
  [0x29, 0xff, 0],
  [0x2a, 0xff, 0],
  [0x2b, 0xff, 0], // prefetchable base upper 32
  [0x2c, 0xff, 0],
  [0x2d, 0xff, 0],
  [0x2e, 0xff, 0],
  [0x2f, 0xff, 0], // prefetchable limit upper 32
  [0x3e, 0x5f, 0], // bridge control: parity, SERR, ISA, VGA, VGA16, secondary bus reset
];

function check(layout: 0 | 1, expected: [number, number, number][]) {
  const cs = new ConfigSpace();
  if (layout === 0)
    buildType0Header(cs, { vendorId: 0x1234, deviceId: 0x5678, classCode: 0x050210, revision: 7, interruptPin: 2 });
  else buildType1Header(cs, { vendorId: 0x1234, deviceId: 0x5679, classCode: 0x060400 });
  const exp = new Map(expected.map(([o, rw, c]) => [o, { rw, c }]));
  for (let off = 0; off < 0x40; off++) {
    const e = exp.get(off) ?? { rw: 0, c: 0 };
    // Guest writes of 0 from all ones: RW bits clear, RW1C and RO stay.
    cs.setRaw(off, 1, 0xff);
    cs.write(off, 1, 0);
    assert.equal(cs.read(off, 1), 0xff & ~e.rw, `layout ${layout} byte 0x${off.toString(16)}: writing 0 over 0xFF`);
    // Writing 1s over all ones: RW1C bits clear, the rest stays.
    cs.write(off, 1, 0xff);
    assert.equal(cs.read(off, 1), 0xff & ~e.c, `layout ${layout} byte 0x${off.toString(16)}: writing 0xFF over 0xFF`);
    // Writing 1s over zeros: only RW bits set.
    cs.setRaw(off, 1, 0);
    cs.write(off, 1, 0xff);
    assert.equal(cs.read(off, 1), e.rw, `layout ${layout} byte 0x${off.toString(16)}: writing 0xFF over 0`);
  }
}

test('type-0 header: every byte of 0x00..0x3F has the spec RW / RW1C / RO bits', () => {
  check(0, TYPE0_EXPECTED);
});

test('type-1 header: bus numbers, windows, secondary status and bridge control masks', () => {
  check(1, TYPE1_EXPECTED);
});

test('identity registers keep their values against guest writes of any width', () => {
  const f = new PciFunction({
    name: 'ep',
    header: { type: 0, vendorId: 0x8086, deviceId: 0x0d93, classCode: 0x050210, revision: 3, interruptPin: 1 },
  });
  const cs = f.config;
  const snapshot = cs.bytes.slice(0, 0x40);
  for (const size of [1, 2, 4] as const) {
    for (let off = 0; off < 0x40; off += size) cs.write(off, size, 0xffffffff);
  }
  assert.equal(cs.read(0, 4), 0x0d938086);
  assert.equal(cs.read(8, 4), 0x05021003);
  assert.equal(cs.read(0x3d, 1), 1);
  assert.equal(cs.read(0x0e, 1), 0, 'header type 0, single function');
  // The only bytes that changed are the RW ones: command, cache line size, interrupt line.
  for (let off = 0; off < 0x40; off++) {
    if ([0x04, 0x05, 0x0c, 0x3c].includes(off)) continue;
    if (off === 0x07) continue; // RW1C: writing 1 over 0 keeps 0
    assert.equal(cs.bytes[off], snapshot[off], `byte 0x${off.toString(16)}`);
  }
  assert.equal(cs.read(0x04, 2), 0x0547);
});

test('status RW1C: only the written 1 bits clear; 0 bits and RO bits stay', () => {
  const cs = new ConfigSpace();
  buildType0Header(cs, { vendorId: 1, deviceId: 2, classCode: 0 });
  cs.setRaw(STATUS.offset, 2, 0xf910 | 0x0008);
  cs.write(STATUS.offset, 2, 0x2000); // clear received master abort
  assert.equal(cs.read(STATUS.offset, 2), 0xd918);
  cs.write(STATUS.offset, 2, 0x0018); // RO bits: nothing happens
  assert.equal(cs.read(STATUS.offset, 2), 0xd918);
  cs.write(STATUS.offset + 1, 1, 0xff); // byte write clears every W1C bit of the high byte
  assert.equal(cs.read(STATUS.offset, 2), 0x0018);
  // A dword write to 0x04 carries command (low half) and status (high half) together, like Linux.
  cs.setRaw(STATUS.offset, 2, 0x8010);
  cs.write(COMMAND.offset, 4, 0x8000_0006);
  assert.equal(cs.read(COMMAND.offset, 4), 0x0010_0006);
});

test('accesses at any offset and size never throw; bytes past 4 KiB read 0', () => {
  const cs = new ConfigSpace();
  buildType0Header(cs, { vendorId: 0xabcd, deviceId: 0x1, classCode: 0 });
  for (const off of [-4, -1, 0xffd, 0xffe, 0xfff, 0x1000, 0x12345, 1.5, NaN]) {
    for (const size of [1, 2, 4, 3, 8]) {
      assert.doesNotThrow(() => cs.read(off, size));
      assert.doesNotThrow(() => cs.write(off, size, 0xffffffff));
      assert.doesNotThrow(() => cs.write(off, size, NaN));
    }
  }
  assert.equal(cs.read(0xffe, 4), 0, 'the two bytes past the end read 0');
  assert.equal(cs.read(0x1000, 4), 0);
  assert.equal(cs.read(0, 2), 0xabcd);
  assert.equal(cs.read(-1, 2), 0xcd00, 'byte -1 reads 0, byte 0 is the vendor low byte');
});

test('masks derive from register tables; composeRegister and writtenBits place fields', () => {
  assert.deepEqual(masksOf(COMMAND), { rw: 0x0547, rw1c: 0 });
  assert.deepEqual(masksOf(STATUS), { rw: 0, rw1c: 0xf900 });
  assert.equal(composeRegister(COMMAND, { memorySpace: 1, busMaster: 1 }), 6);
  assert.equal(writtenBits(0x0b, 1, 0x80, 0x08), 0x8000_0000, 'byte 3 of the register');
  assert.equal(writtenBits(0x06, 4, 0xaabbccdd, 0x08), 0xaabb, 'bytes 2..3 of the access land at register bytes 0..1');
  assert.equal(writtenBits(0x10, 4, 0xffffffff, 0x08), 0, 'no overlap');
});

test('BAR declaration: type bits are RO, address bits above the size are RW', () => {
  const f = new PciFunction({
    name: 'ep',
    header: { type: 0, vendorId: 1, deviceId: 2, classCode: 0 },
    bars: [
      { index: 0, kind: 'mem64', size: 0x4000, prefetchable: true, ops: new RegFile(0) },
      { index: 5, kind: 'mem32', size: 0x1000_0000, ops: new RegFile(0) },
    ],
  });
  const cs = f.config;
  assert.equal(cs.read(0x10, 4), 0x0c);
  cs.write(0x10, 4, 0xffffffff);
  assert.equal(cs.read(0x10, 4), 0xffffc00c);
  cs.write(0x14, 4, 0xffffffff);
  assert.equal(cs.read(0x14, 4), 0xffffffff);
  cs.write(0x24, 4, 0xffffffff);
  assert.equal(cs.read(0x24, 4), 0xf0000000);
  for (const o of [0x18, 0x1c, 0x20]) {
    cs.write(o, 4, 0xffffffff);
    assert.equal(cs.read(o, 4), 0, `unimplemented BAR at 0x${o.toString(16)} reads 0`);
  }
  cs.write(0x30, 4, 0xffffffff);
  assert.equal(cs.read(0x30, 4), 0, 'no expansion ROM');
});
