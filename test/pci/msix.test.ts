// MSI-X capability, table and PBA (src/pci/msix.ts). Oracle: PCI Local Bus 3.0 §6.8.2 and PCIe
// r6.0 §6.1.4 / §7.7.2 — capability layout (id 0x11, Table Size N-1 [10:0], Function Mask 14,
// Enable 15, Offset/BIR dwords), 16-byte entries reset masked, one Pending bit per vector, masking
// and pending semantics; Bus Master Enable gating (§7.5.1.1.3); INTx not driven while enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CapId, findCapability } from '../../src/pci/cap-list.js';
import { addPcieCapability } from '../../src/pci/capabilities.js';
import { Ecam } from '../../src/pci/ecam.js';
import { PciConfigError } from '../../src/pci/errors.js';
import { MSIX_CONTROL, Msix } from '../../src/pci/msix.js';
import { PciFunction } from '../../src/pci/topology.js';
import { RegFile } from './fixtures.js';

interface Rig {
  ecam: Ecam;
  fn: PciFunction;
  msix: Msix;
  cap: number;
  sent: { address: number; value: number; from: string }[];
  intx: boolean[];
}

function rig(vectors = 8, connect = true): Rig {
  const ecam = new Ecam();
  const hb = ecam.addHostBridge({ name: 'hb0', busNr: 0 });
  const msix = new Msix({ vectors, bir: 2 });
  const fn = new PciFunction({
    name: 'ep0',
    header: { type: 0, vendorId: 0x8086, deviceId: 0x0d93, classCode: 0x050210, interruptPin: 1 },
    bars: [
      { index: 0, kind: 'mem64', size: 0x10000, ops: new RegFile(0) },
      { index: 2, kind: 'mem32', size: msix.barSize, ops: msix },
    ],
  });
  addPcieCapability(fn.config, { portType: 'endpoint' });
  const cap = msix.install(fn);
  hb.rootBus.attach(0, 0, fn);
  const sent: Rig['sent'] = [];
  const intx: boolean[] = [];
  if (connect) ecam.onMemoryWrite = (address, value, from) => sent.push({ address, value, from: from.name });
  ecam.onIntx = (_f, level) => intx.push(level);
  return { ecam, fn, msix, cap, sent, intx };
}

const CMD_BUS_MASTER = 0x4;
const ENABLE = 0x8000;
const FMASK = 0x4000;

/** Program entry `v` like Linux: address lo, hi, data, then vector control (unmask). */
function program(r: Rig, v: number, address: number, data: number, unmask = true): void {
  const e = v * 16;
  r.msix.write(e, 4, address % 2 ** 32);
  r.msix.write(e + 4, 4, Math.floor(address / 2 ** 32));
  r.msix.write(e + 8, 4, data);
  if (unmask) r.msix.write(e + 12, 4, 0);
}

test('capability: id 0x11 in the list, Table Size N-1, BIR and offsets, only Function Mask and Enable writable', () => {
  const r = rig(10);
  const cs = r.fn.config;
  assert.equal(
    findCapability((o, s) => cs.read(o, s), CapId.MsiX),
    r.cap,
  );
  assert.equal(cs.read(r.cap, 1), 0x11);
  assert.equal(cs.read(r.cap + 2, 2), 9, 'Table Size = N - 1, enable and mask clear');
  assert.equal(cs.read(r.cap + 4, 4), 0x0000_0002, 'table at offset 0 of BAR2');
  assert.equal(cs.read(r.cap + 8, 4), (10 * 16) | 2, 'PBA right after the table, BAR2');
  cs.write(r.cap + 2, 2, 0xffff);
  assert.equal(cs.read(r.cap + 2, 2), 0xc009, 'bits 14, 15 take writes; table size and [13:11] are RO');
  cs.write(r.cap + 4, 4, 0xffffffff);
  cs.write(r.cap + 8, 4, 0xffffffff);
  assert.equal(cs.read(r.cap + 4, 4), 2);
  assert.equal(cs.read(r.cap + 8, 4), 0xa2);
  cs.write(r.cap, 2, 0);
  assert.equal(cs.read(r.cap, 1), 0x11, 'header RO');
  assert.equal(r.msix.barSize, 4096);
});

test('construction errors name the rule', () => {
  assert.throws(() => new Msix({ vectors: 0, bir: 0 }), PciConfigError);
  assert.throws(() => new Msix({ vectors: 2049, bir: 0 }), /vectors must be 1..2048/);
  assert.throws(() => new Msix({ vectors: 4, bir: 6 }), /bir must be a BAR index/);
  assert.throws(() => new Msix({ vectors: 4, bir: 0, pbaOffset: 4 }), /QWORD-aligned/);
  assert.throws(() => new Msix({ vectors: 4, bir: 0, tableOffset: 0, pbaOffset: 0x20 }), /must not overlap/);
  const big = new Msix({ vectors: 2048, bir: 0 });
  assert.equal(big.barSize, 65536, '32 KiB table + 256 B PBA');
  const r = rig();
  assert.throws(() => r.msix.install(r.fn), /already installed/);
});

test('table: entries reset masked; DWORD/QWORD-sized fields; Vector Control reserved bits read 0', () => {
  const r = rig();
  for (let v = 0; v < 8; v++) {
    assert.equal(r.msix.read(v * 16 + 12, 4), 1, `entry ${v} masked at reset`);
    assert.equal(r.msix.read(v * 16, 4), 0);
  }
  program(r, 3, 0x1_2345_6783, 0xdead_beef, false);
  r.msix.write(3 * 16 + 12, 4, 0xffff_fffe);
  assert.equal(r.msix.read(3 * 16, 4), 0x2345_6780, 'address [1:0] read 0');
  assert.equal(r.msix.read(3 * 16 + 4, 4), 1);
  assert.equal(r.msix.read(3 * 16 + 8, 4), 0xdead_beef);
  assert.equal(r.msix.read(3 * 16 + 12, 4), 0, 'only the mask bit is implemented');
  assert.equal(r.msix.read(3 * 16 + 8, 2), 0xbeef, 'narrow reads return the bytes');
  assert.equal(r.msix.read(3 * 16 + 9, 1), 0xbe);
  assert.deepEqual(r.msix.message(3), { address: 0x1_2345_6780, data: 0xdead_beef });
});

test('bad table accesses (undefined by the spec) are ignored and counted, never thrown', () => {
  const r = rig();
  program(r, 0, 0xfee0_0000, 0x55, false);
  r.msix.write(8, 2, 0xffff);
  r.msix.write(9, 1, 0xff);
  r.msix.write(10, 4, 0x1234_5678); // misaligned DWORD
  assert.equal(r.msix.read(8, 4), 0x55);
  r.msix.write(12, 1, 0); // byte write to Vector Control does not unmask
  assert.equal(r.msix.entryMasked(0), true);
  r.msix.write(8 * 16, 4, 0xffff_ffff); // the PBA is read-only
  r.msix.write(0xf00, 4, 1); // nothing there
  assert.equal(r.msix.read(0xf00, 4), 0);
  assert.equal(r.msix.ignoredWrites, 6);
  assert.equal(r.msix.read(-4, 4), 0);
  assert.equal(r.msix.notify(8), 'bad-vector');
  assert.equal(r.msix.notify(-1), 'bad-vector');
  assert.equal(r.msix.notify(Number.NaN), 'bad-vector');
  assert.equal(r.msix.counts.badVector, 3);
});

test('notify: disabled does nothing; enabled + unmasked + bus master sends one DWORD write of Message Data', () => {
  const r = rig();
  const cs = r.fn.config;
  program(r, 2, 0x2800_1000, 7);
  assert.equal(r.msix.notify(2), 'disabled');
  assert.equal(r.msix.isPending(2), false);
  cs.write(0x04, 2, CMD_BUS_MASTER);
  cs.write(r.cap + 2, 2, ENABLE);
  assert.equal(r.msix.enabled, true);
  assert.equal(r.msix.notify(2), 'sent');
  assert.equal(r.msix.notify(2), 'sent', 'edge: one message per event');
  assert.deepEqual(r.sent, [
    { address: 0x2800_1000, value: 7, from: 'ep0' },
    { address: 0x2800_1000, value: 7, from: 'ep0' },
  ]);
});

test('entry mask: the event sets the Pending bit; unmasking sends once and clears it', () => {
  const r = rig(70);
  const cs = r.fn.config;
  cs.write(0x04, 2, CMD_BUS_MASTER);
  cs.write(r.cap + 2, 2, ENABLE);
  program(r, 65, 0x2800_2000, 0x41, false);
  assert.equal(r.msix.notify(65), 'pending');
  assert.equal(r.msix.notify(65), 'pending');
  const pba = 70 * 16;
  assert.equal(r.msix.read(pba + 8, 4), 0b10, 'PBA bit 65 = qword 1 bit 1');
  assert.equal(r.msix.read(pba, 4), 0);
  assert.equal(r.sent.length, 0);
  r.msix.write(65 * 16 + 12, 4, 0);
  assert.deepEqual(
    r.sent.map((s) => [s.address, s.value]),
    [[0x2800_2000, 0x41]],
    'one message for the pending bit',
  );
  assert.equal(r.msix.read(pba + 8, 4), 0);
  // Re-masking with nothing pending sends nothing.
  r.msix.write(65 * 16 + 12, 4, 1);
  r.msix.write(65 * 16 + 12, 4, 0);
  assert.equal(r.sent.length, 1);
  // clearPending: the function withdraws a pending event.
  r.msix.write(65 * 16 + 12, 4, 1);
  r.msix.notify(65);
  r.msix.clearPending(65);
  r.msix.write(65 * 16 + 12, 4, 0);
  assert.equal(r.sent.length, 1);
});

test('Function Mask: every vector pends; clearing it sends the pending unmasked ones, not masked ones', () => {
  const r = rig();
  const cs = r.fn.config;
  cs.write(0x04, 2, CMD_BUS_MASTER);
  program(r, 0, 0x2800_0000, 0xa0);
  program(r, 1, 0x2800_0004, 0xa1);
  program(r, 2, 0x2800_0008, 0xa2, false);
  cs.write(r.cap + 2, 2, ENABLE | FMASK);
  assert.equal(r.msix.notify(0), 'pending');
  assert.equal(r.msix.notify(1), 'pending');
  assert.equal(r.msix.notify(2), 'pending');
  assert.equal(r.msix.read(8 * 16, 1), 0b111);
  cs.write(r.cap + 2, 2, ENABLE);
  assert.deepEqual(
    r.sent.map((s) => s.value),
    [0xa0, 0xa1],
  );
  assert.equal(r.msix.read(8 * 16, 1), 0b100, 'the masked entry stays pending');
  r.msix.write(2 * 16 + 12, 4, 0);
  assert.deepEqual(
    r.sent.map((s) => s.value),
    [0xa0, 0xa1, 0xa2],
  );
});

test('Bus Master Enable clear: no message is issued (lost and counted); pending ones wait for it', () => {
  const r = rig();
  const cs = r.fn.config;
  program(r, 1, 0x2800_0000, 1);
  cs.write(r.cap + 2, 2, ENABLE);
  assert.equal(r.msix.notify(1), 'no-bus-master');
  assert.equal(r.msix.counts.noBusMaster, 1);
  assert.equal(r.msix.isPending(1), false);
  assert.equal(r.sent.length, 0);
  // A vector that pended while masked, unmasked while Bus Master is off, goes when it is set.
  r.msix.write(1 * 16 + 12, 4, 1);
  r.msix.notify(1);
  r.msix.write(1 * 16 + 12, 4, 0);
  assert.equal(r.sent.length, 0);
  assert.equal(r.msix.isPending(1), true);
  cs.write(0x04, 2, CMD_BUS_MASTER);
  assert.equal(r.sent.length, 1);
  assert.equal(r.msix.isPending(1), false);
});

test('INTx is not driven while MSI-X is enabled', () => {
  const r = rig();
  const cs = r.fn.config;
  r.fn.setIntx(true);
  assert.equal(r.fn.intxLevel, true);
  cs.write(r.cap + 2, 2, ENABLE);
  assert.equal(r.fn.intxLevel, false, 'enabling MSI-X drops the line');
  r.fn.setIntx(false);
  r.fn.setIntx(true);
  assert.equal(r.fn.intxLevel, false);
  cs.write(r.cap + 2, 2, 0);
  assert.equal(r.fn.intxLevel, true, 'disabling MSI-X gives INTx back');
  assert.deepEqual(r.intx, [true, false, true]);
});

test('no sink connected: messages are dropped and counted at the ECAM, never thrown', () => {
  const r = rig(8, false);
  const cs = r.fn.config;
  cs.write(0x04, 2, CMD_BUS_MASTER);
  cs.write(r.cap + 2, 2, ENABLE);
  program(r, 0, 0x2800_0040, 9);
  assert.equal(r.msix.notify(0), 'sent');
  assert.equal(r.ecam.droppedWrites, 1);
  assert.deepEqual(r.ecam.lastDroppedWrite, { from: 'ep0', address: 0x2800_0040, value: 9 });
  // A host bridge used without an ECAM counts its own drops, also for unreachable addresses.
  const hb = r.fn.host()!;
  hb.onMemoryWrite = () => assert.fail('not for addresses beyond 2^52');
  r.fn.memoryWrite(2 ** 52, 1);
  assert.equal(hb.droppedWrites, 1);
});

test('function reset: control back to disabled, table masked, PBA clear', () => {
  const r = rig();
  const cs = r.fn.config;
  cs.write(0x04, 2, CMD_BUS_MASTER);
  cs.write(r.cap + 2, 2, ENABLE | FMASK);
  program(r, 4, 0x2800_0000, 4);
  r.msix.notify(4);
  r.fn.reset();
  assert.equal(cs.getField(r.cap, MSIX_CONTROL, 'enable'), 0);
  assert.equal(cs.read(r.cap + 2, 2), 7);
  assert.equal(r.msix.read(4 * 16 + 12, 4), 1);
  assert.equal(r.msix.read(4 * 16 + 8, 4), 0);
  assert.equal(r.msix.isPending(4), false);
});
