// PLIC priorities, pending, enables, threshold and claim/complete in QEMU virt's layout.
// Oracle: the RISC-V PLIC spec register map (priority 0x0, pending 0x1000, enable 0x2000 + 0x80*ctx,
// threshold/claim 0x200000 + 0x1000*ctx) and QEMU hw/intc/sifive_plic.c selection (priority >
// threshold, ties to the lowest id, 3 WARL priority bits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Plic } from '../../src/devices/plic.js';

const PRIO = (i: number) => 4 * i;
const ENABLE = (ctx: number, w = 0) => 0x2000 + 0x80 * ctx + 4 * w;
const THRESH = (ctx: number) => 0x200000 + 0x1000 * ctx;
const CLAIM = (ctx: number) => 0x200004 + 0x1000 * ctx;

function plic() {
  const meip: boolean[] = [];
  const seip: boolean[] = [];
  const p = new Plic({ contextLines: [(l) => meip.push(l), (l) => seip.push(l)] });
  return { p, meip, seip };
}

test('a source needs priority > threshold and enable to reach a context', () => {
  const { p, meip, seip } = plic();
  p.setIrq(10, true);
  assert.equal(p.read(0x1000, 4), 1 << 10);
  assert.deepEqual(meip, []);
  p.write(PRIO(10), 4, 1);
  assert.deepEqual(meip, []);
  p.write(ENABLE(0), 4, 1 << 10);
  assert.deepEqual(meip, [true]);
  p.write(THRESH(0), 4, 1);
  assert.deepEqual(meip, [true, false]);
  p.write(THRESH(0), 4, 0);
  assert.deepEqual(seip, []);
  p.write(ENABLE(1), 4, 1 << 10);
  assert.deepEqual(seip, [true]);
});

test('claim returns the best source and clears pending; complete re-forwards a held level', () => {
  const { p, meip } = plic();
  for (const s of [3, 10, 40]) p.write(PRIO(s), 4, 2);
  p.write(PRIO(40), 4, 5);
  p.write(ENABLE(0, 0), 4, 0xffffffff);
  p.write(ENABLE(0, 1), 4, 0xffffffff);
  p.setIrq(3, true);
  p.setIrq(10, true);
  p.setIrq(40, true);
  assert.equal(p.read(CLAIM(0), 4), 40);
  assert.equal(p.read(CLAIM(0), 4), 3, 'tie at priority 2 goes to the lower id');
  assert.equal(p.read(CLAIM(0), 4), 10);
  assert.equal(p.read(CLAIM(0), 4), 0);
  assert.equal(meip.at(-1), false);
  assert.equal(p.read(0x1000, 4), 0, 'claimed sources are no longer pending');
  p.setIrq(3, false);
  p.write(CLAIM(0), 4, 3);
  p.write(CLAIM(0), 4, 10);
  assert.equal(meip.at(-1), true, 'source 10 still asserted: pending again after complete');
  assert.equal(p.read(CLAIM(0), 4), 10);
});

test('priority and threshold are 3-bit WARL; source 0 does not exist; far contexts read 0', () => {
  const { p } = plic();
  p.write(PRIO(5), 4, 0xff);
  assert.equal(p.read(PRIO(5), 4), 7);
  p.write(PRIO(0), 4, 3);
  assert.equal(p.read(PRIO(0), 4), 0);
  p.write(THRESH(1), 4, 9);
  assert.equal(p.read(THRESH(1), 4), 1);
  p.write(ENABLE(0), 4, 0xffffffff);
  assert.equal(p.read(ENABLE(0), 4), 0xfffffffe);
  p.write(0x1000, 4, 0xffffffff);
  assert.equal(p.read(0x1000, 4), 0, 'pending is read-only');
  assert.equal(p.read(THRESH(5), 4), 0);
  p.setIrq(96, true);
  p.setIrq(0, true);
  assert.equal(p.read(0x1000, 4), 0);
});

test('UART wired to source 10: rx byte -> claim 10 -> read -> complete, line low', async () => {
  const { Ns16550a } = await import('../../src/devices/ns16550a.js');
  const { p, meip } = plic();
  const u = new Ns16550a({ irq: p.line(10) });
  p.write(PRIO(10), 4, 1);
  p.write(ENABLE(0), 4, 1 << 10);
  u.write(1, 1, 0x01); // IER.RDI
  u.pushInput([0x71]);
  assert.equal(meip.at(-1), true);
  assert.equal(p.read(CLAIM(0), 4), 10);
  assert.equal(u.read(0, 1), 0x71);
  p.write(CLAIM(0), 4, 10);
  assert.equal(meip.at(-1), false);
  assert.equal(p.read(CLAIM(0), 4), 0);
});

test('two contexts per hart: hart 1 S-mode (context 3) claims independently of hart 0', () => {
  const levels: boolean[][] = [[], [], [], []];
  const p = new Plic({ contextLines: levels.map((l) => (v: boolean) => l.push(v)) });
  assert.equal(p.contexts, 4);
  p.write(PRIO(7), 4, 1);
  p.setIrq(7, true);
  p.write(ENABLE(3), 4, 1 << 7);
  assert.deepEqual(levels, [[], [], [], [true]]);
  assert.equal(p.read(ENABLE(3), 4), 1 << 7);
  // Context 1 (hart 0 S) has it disabled: claims nothing; context 3 gets it.
  assert.equal(p.read(CLAIM(1), 4), 0);
  assert.equal(p.read(CLAIM(3), 4), 7);
  assert.deepEqual(levels[3], [true, false]);
  p.write(THRESH(3), 4, 5);
  assert.equal(p.read(THRESH(3), 4), 5);
  // Contexts beyond the board's read 0 and ignore writes.
  p.write(THRESH(4), 4, 3);
  assert.equal(p.read(THRESH(4), 4), 0);
  assert.equal(p.read(ENABLE(4), 4), 0);
});
