// APLIC in MSI delivery mode. Oracle: RISC-V AIA 1.0 chapter 4 (4.5 the domain registers, 4.7 the
// pending-bit rules, 4.9.1 the MSI address formula) and QEMU virt's `aia=aplic-imsic` layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aplic } from '../../src/devices/aplic.js';

const IMSIC_M = 0x2400_0000;
const IMSIC_S = 0x2800_0000;
const R = {
  domaincfg: 0,
  sourcecfg: (i: number) => 4 * i,
  mmsiaddrcfg: 0x1bc0,
  mmsiaddrcfgh: 0x1bc4,
  smsiaddrcfg: 0x1bc8,
  smsiaddrcfgh: 0x1bcc,
  setip: 0x1c00,
  setipnum: 0x1cdc,
  inClrip: 0x1d00,
  clripnum: 0x1ddc,
  setienum: 0x1edc,
  clrienum: 0x1fdc,
  setipnumLe: 0x2000,
  genmsi: 0x3000,
  target: (i: number) => 0x3000 + 4 * i,
};
const IE = 1 << 8;
const D = 1 << 10;

function make(harts = 2) {
  const msis: [number, number][] = [];
  const aplic = new Aplic({
    harts,
    numIds: 255,
    imsic: { m: { base: IMSIC_M, lhxs: 0 }, s: { base: IMSIC_S, lhxs: 0 } },
    sendMsi: (a, d) => msis.push([a, d]),
  });
  return { aplic, msis, m: aplic.root, s: aplic.supervisor };
}

/** What firmware and Linux do: delegate source i to the S domain, configure it, target hart/EIID. */
function setup(x: ReturnType<typeof make>, i: number, sm: number, hart: number, eiid: number): void {
  x.m.write(R.sourcecfg(i), 4, D);
  x.s.write(R.sourcecfg(i), 4, sm);
  x.s.write(R.target(i), 4, (hart << 18) | eiid);
  x.s.write(R.setienum, 4, i);
}

test('domaincfg: read-only 0x80 in the top byte, DM reads 1 (MSI mode only), IE writable', () => {
  const { m } = make();
  assert.equal(m.read(R.domaincfg) >>> 0, 0x80000004);
  m.write(R.domaincfg, 4, 0);
  assert.equal(m.read(R.domaincfg) >>> 0, 0x80000004, 'writing DM=0 leaves MSI mode');
  m.write(R.domaincfg, 4, IE | 4);
  assert.equal(m.read(R.domaincfg) >>> 0, 0x80000104);
});

test('delegation: the child sees a source only once the root delegates it; a leaf cannot delegate', () => {
  const { m, s } = make();
  s.write(R.sourcecfg(10), 4, 6);
  assert.equal(s.read(R.sourcecfg(10)), 0, 'not delegated: read-only zero');
  m.write(R.sourcecfg(10), 4, D | 5);
  assert.equal(m.read(R.sourcecfg(10)), D, 'child index 0 (one child); the rest reads zero');
  s.write(R.sourcecfg(10), 4, 6);
  assert.equal(s.read(R.sourcecfg(10)), 6);
  s.write(R.sourcecfg(10), 4, D | 6);
  assert.equal(s.read(R.sourcecfg(10)), 0, 'leaf domain: D=1 sets the whole register to zero');
  s.write(R.sourcecfg(10), 4, 2);
  assert.equal(s.read(R.sourcecfg(10)), 0, 'reserved source mode 2: inactive');
  s.write(R.sourcecfg(10), 4, 6);
  m.write(R.sourcecfg(10), 4, 0);
  m.write(R.sourcecfg(10), 4, D);
  assert.equal(s.read(R.sourcecfg(10)), 0, 'undelegated and delegated again: zero until written');
  assert.equal(m.read(R.sourcecfg(97)), 0, 'source 97 does not exist');
});

test('an edge source forwards one MSI per rising edge to the target hart S file, data = EIID', () => {
  const x = make();
  setup(x, 10, 4, 1, 42);
  const line = x.aplic.line(10);
  line(true);
  assert.deepEqual(x.msis, [], 'IE = 0: held pending');
  assert.equal(x.s.read(R.setip) & (1 << 10), 1 << 10);
  x.s.write(R.domaincfg, 4, IE);
  assert.deepEqual(x.msis, [[IMSIC_S + 0x1000, 42]], 'forwarded when IE rises; hart 1 page');
  assert.equal(x.s.read(R.setip) & (1 << 10), 0, 'forwarding clears pending');
  line(true);
  line(false);
  assert.equal(x.msis.length, 1, 'no edge while high, falling edge ignored');
  line(true);
  assert.equal(x.msis.length, 2);
  x.s.write(R.setipnum, 4, 10);
  assert.equal(x.msis.length, 3, 'setipnum sets an edge source pending');
});

test('a level source in MSI mode: pending on assertion, cleared on deassertion; setipnum only while asserted', () => {
  const x = make();
  setup(x, 33, 6, 0, 7);
  x.s.write(R.domaincfg, 4, IE);
  const line = x.aplic.line(33);
  line(true);
  assert.deepEqual(x.msis, [[IMSIC_S, 7]]);
  // Linux's EOI for level sources in MSI mode: write the source to setipnum_le.
  x.s.write(R.setipnumLe, 4, 33);
  assert.equal(x.msis.length, 2, 'still asserted: forwarded again');
  line(false);
  x.s.write(R.setipnumLe, 4, 33);
  assert.equal(x.msis.length, 2, 'deasserted: the write does not set pending');
  assert.equal(x.s.read(R.inClrip + 4) & 2, 0, 'rectified input of source 33 is low');
  line(true);
  assert.equal(x.s.read(R.inClrip + 4) & 2, 2);
  // Level0: inverted.
  setup(x, 34, 7, 0, 8);
  assert.equal(x.msis.at(-1)![1], 8, 'a low wire on an inverted level source is an assertion');
});

test('disabled sources stay pending until enabled; clripnum clears; inactive sources ignore everything', () => {
  const x = make();
  setup(x, 5, 4, 0, 9);
  x.s.write(R.clrienum, 4, 5);
  x.s.write(R.domaincfg, 4, IE);
  x.aplic.line(5)(true);
  assert.deepEqual(x.msis, []);
  x.s.write(R.clripnum, 4, 5);
  x.s.write(R.setienum, 4, 5);
  assert.deepEqual(x.msis, [], 'cleared before enabling: nothing sent');
  x.s.write(R.setipnum, 4, 6);
  x.s.write(R.setienum, 4, 6);
  x.s.write(R.target(6), 4, 0xffffffff);
  assert.deepEqual(x.msis, [], 'source 6 is not active in S');
  assert.equal(x.s.read(R.target(6)), 0);
});

test('MSI addresses follow the root domain registers (AIA 4.9.1), which lock with L', () => {
  const x = make(8);
  assert.equal(x.aplic.msiAddress('S', 5), IMSIC_S + 5 * 0x1000);
  assert.equal(x.aplic.msiAddress('M', 7), IMSIC_M + 7 * 0x1000);
  assert.equal(x.s.read(R.mmsiaddrcfg), 0, 'a supervisor domain has no msiaddrcfg');
  // Two groups of 4 harts, groups 16 MiB apart (HHXW=1, HHXS=0: address bit 24 + HHXS), harts
  // 8 KiB apart (LHXW=2, LHXS=1).
  x.m.write(R.mmsiaddrcfg, 4, 0x30000);
  x.m.write(R.mmsiaddrcfgh, 4, (0 << 24) | (1 << 16) | (2 << 12) | (1 << 20));
  assert.equal(x.aplic.msiAddress('M', 0), 0x3000_0000);
  assert.equal(x.aplic.msiAddress('M', 3), 0x3000_0000 + 3 * 0x2000);
  assert.equal(x.aplic.msiAddress('M', 5), 0x3000_0000 + 2 ** 24 + 0x2000);
  x.m.write(R.mmsiaddrcfgh, 4, 0xffffffff & ~0x80000000);
  assert.equal(x.m.read(R.mmsiaddrcfgh) >>> 0, 0x1f77ffff, 'reserved bits 30:29, 23 and 19 read zero');
  x.m.write(R.mmsiaddrcfgh, 4, (0 << 24) | (1 << 16) | (2 << 12) | (1 << 20));
  x.m.write(R.mmsiaddrcfgh, 4, 0x80000000 | (x.m.read(R.mmsiaddrcfgh) >>> 0));
  x.m.write(R.mmsiaddrcfg, 4, 0);
  x.m.write(R.smsiaddrcfg, 4, 0);
  assert.equal(x.m.read(R.mmsiaddrcfg), 0x30000, 'locked');
  assert.notEqual(x.aplic.msiAddress('S', 0), 0);
});

test('genmsi sends at once, even with IE = 0, and reads back without Busy', () => {
  const x = make();
  x.s.write(R.genmsi, 4, (1 << 18) | 3);
  assert.deepEqual(x.msis, [[IMSIC_S + 0x1000, 3]]);
  assert.equal(x.s.read(R.genmsi), (1 << 18) | 3);
  assert.throws(() => x.aplic.line(97), /source must be 1..96/);
});
