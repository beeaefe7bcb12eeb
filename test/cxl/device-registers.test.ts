// Memory-device register block: capabilities array, mailbox capabilities and protocol, memory
// device status and interrupts, driven through an AddressSpace as Linux's cxl_pci does.
// Oracle: SPEC-NOTES 2.4 (CXL 2.0 §8.2.8) register layouts and Linux's probe/send sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceRegisters, DEVREG, FIELD, MBOX } from '../../src/cxl/device-registers.js';
import { rig, le64 } from './mailbox-driver.js';

test('capabilities array: device status, primary mailbox, memory device status', () => {
  const { host } = rig();
  const arr = host.r64(0);
  assert.equal(Number((arr >> 32n) & 0xffffn), 3);
  assert.equal(Number((arr >> 16n) & 0xffn), 1);
  const hdrs = [1, 2, 3].map((i) => ({
    id: host.r32(i * 0x10) & 0xffff,
    off: host.r32(i * 0x10 + 4),
    len: host.r32(i * 0x10 + 8),
  }));
  assert.deepEqual(
    hdrs.map((h) => h.id),
    [1, 2, 0x4000],
  );
  assert.equal(host.mbox, DEVREG.MBOX);
  assert.equal(hdrs[1]!.len, 0x20 + 2048);
  for (const h of hdrs) assert.ok(h.off + h.len <= 0x10000);
});

test('mailbox capabilities: payload 2^11 by default, 2^13 on request; IRQ capable bits', () => {
  const a = rig();
  assert.equal(a.host.payloadSize, 2048);
  const caps = a.host.r32(a.host.mbox);
  assert.equal((caps >>> 5) & 1, 1);
  assert.equal((caps >>> 6) & 1, 1);
  const b = rig({ payloadShift: 13 });
  assert.equal(b.host.payloadSize, 8192);
  assert.throws(() => new DeviceRegisters(a.topo.memdevs[0]!, { payloadShift: 10 }), /payloadShift must be 11\.\.15/);
});

test('memory device status: mailbox ready, media ready', () => {
  const { host } = rig();
  const v = host.r32(host.memdevStatus);
  assert.equal((v >>> 4) & 1, 1);
  assert.equal((v >>> 2) & 3, 1);
  assert.equal(v & 3, 0);
});

test('RO registers ignore writes; Command keeps only [36:0]', () => {
  const { host, regs } = rig();
  host.w32(0, 0xffffffff);
  host.w32(host.mbox, 0);
  host.w32(host.mbox + 0x10, 0xffffffff);
  assert.equal(host.r32(host.mbox) & 0x1f, 11);
  assert.equal(Number(host.r64(0) >> 32n), 3);
  assert.equal(host.r32(host.mbox + 0x10), 0);
  host.w64(host.mbox + 8, 0xffff_ffff_ffff_ffffn);
  assert.equal(host.r64(host.mbox + 8), (1n << 37n) - 1n);
  assert.equal(regs.get(FIELD.payloadLength), 0x1fffff);
});

test('doorbell protocol: output written, doorbell cleared, length and return code set', () => {
  const { host } = rig();
  const r = host.send(0x4000);
  assert.equal(r.rc, 0);
  assert.equal(r.out.length, 0x45);
  assert.equal(host.doorbell, false);
});

test('unknown opcode -> Unsupported; length above the payload size -> Invalid Payload Length', () => {
  const { host } = rig();
  assert.equal(host.send(0x1234).rc, 3);
  assert.equal(host.send(0x4000, new Uint8Array(0), 2049).rc, 0x16);
  assert.equal(host.send(0x4000, new Uint8Array(0), 0x1fffff).rc, 0x16);
});

test('sub-dword payload writes and byte-wide doorbell writes work', () => {
  const { host, as } = rig();
  const ts = le64(0x1234_5678_9abcn);
  for (let i = 0; i < 8; i++) as.store(host.base + host.mbox + 0x20 + i, 1, ts[i]!);
  as.store(host.base + host.mbox + 8, 2, 0x0301);
  as.store(host.base + host.mbox + 10, 2, 8);
  as.store(host.base + host.mbox + 4, 1, 1);
  assert.equal(host.doorbell, false);
  assert.equal(Number((host.r64(host.mbox + 0x10) >> 32n) & 0xffffn), 0);
});

test('doorbell interrupt: raised when enabled, dropped when Status is read', () => {
  const { host, irq } = rig();
  host.send(0x4000);
  assert.deepEqual(irq, []);
  host.w32(host.mbox + 4, 2);
  host.w32(host.mbox + 8, 0x4000);
  host.w32(host.mbox + 0xc, 0);
  host.w32(host.mbox + 4, 3);
  assert.deepEqual(irq, [true]);
  host.r64(host.mbox + 0x10);
  assert.deepEqual(irq, [true, false]);
});

test('background completion interrupt and progress with an injected clock', () => {
  const { host, irq, clock, regs } = rig({ manualClock: true });
  host.w32(host.mbox + 4, 4);
  const scan = host.send(0x4304, new Uint8Array([...le64(0, 1024), 0]));
  assert.equal(scan.rc, 1);
  assert.ok(host.bgRunning());
  assert.deepEqual(host.bgStatus(), { opcode: 0x4304, percent: 0, rc: 0 });
  clock.ns = 500_000n; // half of the 1 ms minimum
  assert.equal(host.bgStatus().percent, 50);
  assert.deepEqual(irq, []);
  clock.ns = 2_000_000n;
  regs.tick();
  assert.deepEqual(irq, [true]);
  assert.deepEqual(host.bgStatus(), { opcode: 0x4304, percent: 100, rc: 0 });
  assert.equal(host.bgRunning(), false);
  assert.deepEqual(irq, [true, false]);
});

test('reset: registers back to reset values, control cleared', () => {
  const { host, regs } = rig();
  host.w32(host.mbox + 4, 6);
  host.send(0x4000);
  regs.reset();
  assert.equal(host.r32(host.mbox + 4), 0);
  assert.equal(host.r64(host.mbox + 8), 0n);
  assert.equal(host.r64(host.mbox + MBOX.STATUS), 0n);
});

test('accesses outside the block read 0 and are ignored (never throw)', () => {
  const { regs } = rig();
  assert.equal(regs.read(0x10000, 4), 0);
  regs.write(-4, 4, 1);
  regs.write(0xfffe, 4, 1);
});
