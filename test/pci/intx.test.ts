// INTx routing. Oracle: QEMU virt's interrupt-map (slot s, pin n = 1..4 on a root bus -> PLIC
// 32 + (s + n - 1) mod 4, as src/firmware/fdt.ts writes it for the guest) and Linux
// pci_swizzle_interrupt_pin ((pin - 1 + slot) mod 4 + 1 at every bridge up to the root bus), with
// the expected sources worked out by hand below; PCI 3.0 §6.2.2-6.2.3 for Interrupt Disable
// (Command bit 10) gating the pin while Interrupt Status (Status bit 3) shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntxRouter, swizzlePin } from '../../src/pci/intx.js';
import { PciFunction } from '../../src/pci/topology.js';
import { assignBusNumbers, buildTopology, endpoint } from './fixtures.js';

function plicSpy() {
  const levels = new Map<number, boolean>();
  const log: string[] = [];
  const lineFor = (n: number) => (level: boolean) => {
    levels.set(n, level);
    log.push(`${n}=${level ? 1 : 0}`);
  };
  return { levels, log, lineFor };
}

test('swizzle matches pci_swizzle_interrupt_pin', () => {
  const table: [number, number, number][] = [
    [0, 1, 1],
    [1, 1, 2],
    [2, 1, 3],
    [3, 1, 4],
    [4, 1, 1],
    [1, 4, 1],
    [3, 2, 1],
    [31, 3, 2],
  ];
  for (const [slot, pin, out] of table) assert.equal(swizzlePin(slot, pin), out, `slot ${slot} pin ${pin}`);
});

test('root-bus devices: (slot + pin) mod 4 onto PLIC 32..35, as the device tree interrupt-map says', () => {
  const t = buildTopology();
  const plic = plicSpy();
  const r = new IntxRouter(plic.lineFor);
  const hb = t.ecam.hostFor(0)!;
  for (let slot = 8; slot < 16; slot++) {
    for (let pin = 1; pin <= 4; pin++) {
      const f = new PciFunction({
        name: `d${slot}.${pin}`,
        header: { type: 0, vendorId: 1, deviceId: 1, classCode: 0, interruptPin: pin },
      });
      hb.rootBus.attach(slot, pin - 1, f);
      assert.equal(r.plicSourceOf(f), 32 + ((slot + pin - 1) % 4), `slot ${slot} INT${'ABCD'[pin - 1]}`);
    }
  }
  assert.equal(r.plicSourceOf(t.mem3), 35, 'mem3: slot 3, INTA');
  // The second host bridge's root bus maps the same way (QEMU pxb_map_irq_fn cancels the pxb slot).
  assert.equal(r.plicSourceOf(t.rp2), 32);
});

test('behind bridges the pin is swizzled at each bridge up to the root bus', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const r = new IntxRouter(plicSpy().lineFor);
  // mem0: slot 0 below rp0 (root slot 0): INTA -> INTA at slot 0 -> 32.
  assert.equal(r.plicSourceOf(t.mem0), 32);
  // mem1: slot 0 below dsp0 (slot 0 below usp, slot 0 below rp1 at root slot 1): INTA all the way -> 33.
  assert.equal(r.plicSourceOf(t.mem1), 33);
  // mem2: slot 0 below dsp1 (slot 1 on the switch bus): INTA -> INTB at the usp -> root slot 1 INTB -> 34.
  assert.equal(r.plicSourceOf(t.mem2), 34);
  assert.equal(r.plicSourceOf(t.mem4), 32);
  const none = new PciFunction({ name: 'nopin', header: { type: 0, vendorId: 1, deviceId: 1, classCode: 0 } });
  t.ecam.hostFor(0)!.rootBus.attach(9, 0, none);
  assert.equal(r.plicSourceOf(none), -1, 'no interrupt pin');
  assert.equal(r.plicSourceOf(endpoint('detached')), -1);
});

test('levels: wired-OR per PLIC source, Interrupt Disable gates, Interrupt Status shows the pin', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  const plic = plicSpy();
  const r = new IntxRouter(plic.lineFor);
  r.connect(t.ecam);
  t.mem0.setIntx(true); // 32
  assert.equal(plic.levels.get(32), true);
  t.mem4.setIntx(true); // 32 too (hb1)
  t.mem0.setIntx(false);
  assert.equal(plic.levels.get(32), true, 'still held by mem4');
  t.mem4.setIntx(false);
  assert.equal(plic.levels.get(32), false);
  assert.deepEqual(
    plic.log.filter((s) => s.startsWith('32')),
    ['32=1', '32=0'],
    'one edge each way',
  );
  // Interrupt Disable: the line drops, Status.InterruptStatus stays set.
  t.mem2.setIntx(true);
  assert.equal(plic.levels.get(34), true);
  assert.equal(t.mem2.config.read(0x06, 2) & 0x8, 0x8);
  t.mem2.config.write(0x04, 2, 0x0400);
  assert.equal(plic.levels.get(34), false);
  assert.equal(t.mem2.config.read(0x06, 2) & 0x8, 0x8, 'Interrupt Status reflects the pin, not the gate');
  t.mem2.config.write(0x04, 2, 0);
  assert.equal(plic.levels.get(34), true);
  t.mem2.setIntx(false);
  assert.equal(t.mem2.config.read(0x06, 2) & 0x8, 0);
  assert.equal(r.level(34), false);
});

test('connecting after a device asserted drives the line; unplug releases it', () => {
  const t = buildTopology();
  assignBusNumbers(t);
  t.mem3.setIntx(true);
  const plic = plicSpy();
  const r = new IntxRouter(plic.lineFor);
  r.connect(t.ecam.hostFor(0)!);
  assert.equal(plic.levels.get(35), true);
  t.ecam.hostFor(0)!.rootBus.detach(3, 0);
  assert.equal(plic.levels.get(35), false);
  assert.equal(r.level(35), false);
});

test('a router connected to the ECAM also serves host bridges added afterwards', () => {
  const t = buildTopology();
  const plic = plicSpy();
  new IntxRouter(plic.lineFor).connect(t.ecam);
  const hb = t.ecam.addHostBridge({ name: 'late', busNr: 0x80 });
  const f = hb.rootBus.attach(2, 0, endpoint('late-ep'));
  f.setIntx(true);
  assert.equal(plic.levels.get(34), true, 'slot 2 INTA');
});
