// CLINT registers and the deterministic time base. Oracle: QEMU virt's CLINT layout (msip 0x0,
// mtimecmp 0x4000, mtime 0xBFF8, GUEST-TOOLCHAIN.md) and the documented ratio of 10 instructions
// per tick (10 MHz at a nominal 100 MIPS, docs/board.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clint, CLINT_MTIME, CLINT_MTIMECMP, CLINT_MSIP } from '../../src/devices/clint.js';

function clint(extra: Partial<ConstructorParameters<typeof Clint>[0]> = {}) {
  const st = { instret: 0, mtip: [] as boolean[], msip: [] as boolean[], changes: 0 };
  const c = new Clint({
    instret: () => st.instret,
    mtip: (l) => st.mtip.push(l),
    msip: (l) => st.msip.push(l),
    onTimerChange: () => st.changes++,
    ...extra,
  });
  return { c, st };
}

test('mtime advances one tick per 10 instructions retired', () => {
  const { c, st } = clint();
  assert.equal(c.read(CLINT_MTIME, 4), 0);
  st.instret = 9;
  assert.equal(c.mtime(), 0);
  st.instret = 10;
  assert.equal(c.mtime(), 1);
  st.instret = 123_456_789;
  assert.equal(c.read(CLINT_MTIME, 4), 12_345_678);
  assert.equal(c.read(CLINT_MTIME + 4, 4), 0);
});

test('mtimecmp reads 0 and MTIP stays low until armed; MTIP follows mtime >= mtimecmp', () => {
  const { c, st } = clint();
  assert.equal(c.read(CLINT_MTIMECMP, 4), 0);
  c.update();
  assert.deepEqual(st.mtip, []);
  c.write(CLINT_MTIMECMP + 4, 4, 0);
  c.write(CLINT_MTIMECMP, 4, 100);
  assert.equal(st.changes, 2);
  // intermediate state (hi written first, lo still 0) fired and cleared
  assert.equal(c.mtip, false);
  assert.equal(c.instretOfNextEvent(), 1000);
  st.instret = 999;
  c.update();
  assert.equal(c.mtip, false);
  st.instret = 1000;
  c.update();
  assert.equal(c.mtip, true);
  assert.equal(c.instretOfNextEvent(), Infinity);
  c.write(CLINT_MTIMECMP, 4, 0xffffffff);
  c.write(CLINT_MTIMECMP + 4, 4, 0xffffffff);
  assert.equal(c.mtip, false);
});

test('skipToNextEvent jumps mtime to mtimecmp (deterministic WFI)', () => {
  const { c, st } = clint();
  assert.equal(c.skipToNextEvent(), false);
  st.instret = 50;
  c.write(CLINT_MTIMECMP + 4, 4, 0x2);
  c.write(CLINT_MTIMECMP, 4, 0x10);
  assert.equal(c.skipToNextEvent(), true);
  assert.equal(c.mtime(), 2 * 2 ** 32 + 0x10);
  assert.equal(c.mtip, true);
  assert.equal(c.skipToNextEvent(), false, 'already there: nothing to skip to');
  st.instret = 70;
  assert.equal(c.mtime(), 2 * 2 ** 32 + 0x12);
  assert.equal(c.read(CLINT_MTIME + 4, 4), 2);
});

test('mtime is writable (halves), ticks continue from the written value', () => {
  const { c, st } = clint();
  st.instret = 100;
  c.write(CLINT_MTIME, 4, 5);
  c.write(CLINT_MTIME + 4, 4, 1);
  assert.equal(c.mtime(), 2 ** 32 + 5);
  st.instret = 200;
  assert.equal(c.mtime(), 2 ** 32 + 15);
});

test('msip drives MSIP', () => {
  const { c, st } = clint();
  c.write(CLINT_MSIP, 4, 1);
  assert.equal(c.read(CLINT_MSIP, 4), 1);
  c.write(CLINT_MSIP, 4, 0xfffffffe);
  assert.deepEqual(st.msip, [true, false]);
  assert.equal(c.read(CLINT_MSIP + 4, 4), 0, 'hart 1 does not exist');
});

test('realtime mode follows the host clock at 10 MHz', () => {
  let ms = 1000;
  const { c } = clint({ realtime: true, nowMs: () => ms });
  assert.equal(c.mtime(), 0);
  ms += 1.5;
  assert.equal(c.mtime(), 15_000);
  c.write(CLINT_MTIMECMP + 4, 4, 0);
  c.write(CLINT_MTIMECMP, 4, 25_000);
  assert.equal(c.msUntilNextEvent(), 1);
});

test('bad ratio is refused with a message naming the option', () => {
  assert.throws(() => clint({ instructionsPerTick: 0 }), /instructionsPerTick/);
});

test('several harts: msip at 4*i and mtimecmp at 0x4000 + 8*i drive each hart its own lines', () => {
  const st = { instret: 0 };
  const lines = [0, 1].map(() => ({ msip: [] as boolean[], mtip: [] as boolean[] }));
  const c = new Clint({
    instret: () => st.instret,
    harts: 2,
    lines: lines.map((l) => ({ msip: (v: boolean) => l.msip.push(v), mtip: (v: boolean) => l.mtip.push(v) })),
  });
  c.write(CLINT_MSIP + 4, 4, 1);
  assert.deepEqual(lines[1]!.msip, [true]);
  assert.deepEqual(lines[0]!.msip, []);
  assert.equal(c.read(CLINT_MSIP + 4, 4), 1);
  assert.equal(c.read(CLINT_MSIP, 4), 0);
  // A third hart's msip does not exist: reads 0, writes are dropped.
  c.write(CLINT_MSIP + 8, 4, 1);
  assert.equal(c.read(CLINT_MSIP + 8, 4), 0);
  // Hart 1's timer at 300 ticks, hart 0's at 100: the next event is hart 0's, then hart 1's.
  c.write(CLINT_MTIMECMP + 8, 4, 300);
  c.write(CLINT_MTIMECMP + 12, 4, 0);
  c.write(CLINT_MTIMECMP, 4, 100);
  c.write(CLINT_MTIMECMP + 4, 4, 0);
  assert.equal(c.read(CLINT_MTIMECMP + 8, 4), 300);
  assert.equal(c.mtimecmpOf(1), 300);
  assert.equal(c.instretOfNextEvent(), 1000);
  st.instret = 1000;
  c.update();
  assert.deepEqual(lines[0]!.mtip.at(-1), true);
  assert.equal(lines[1]!.mtip.at(-1) ?? false, false);
  assert.equal(c.instretOfNextEvent(), 3000);
  // Every hart waits: time jumps to the earliest pending mtimecmp (hart 1's).
  assert.equal(c.skipToNextEvent(), true);
  assert.equal(c.mtime(), 300);
  assert.equal(lines[1]!.mtip.at(-1), true);
  assert.equal(c.skipToNextEvent(), false);
});

test('a CLINT for 0 or 9 harts is refused by name', () => {
  assert.throws(() => new Clint({ instret: () => 0, harts: 0 }), /CLINT harts must be an integer 1\.\.8, got 0/);
  assert.throws(() => new Clint({ instret: () => 0, harts: 9 }), /got 9/);
});
