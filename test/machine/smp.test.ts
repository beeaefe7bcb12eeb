// Several harts on one board: the multi-hart guest (guests/smp) checks LR/SC and AMOs from two
// harts at once, code written by one hart and run by the other, an IPI through the CLINT and a
// per-hart timer. Oracle: the same ELF on qemu-system-riscv64 -smp 2 (real parallel harts under
// MTTCG) prints the same lines; cxlemu runs it with and without the JIT, and deterministically
// (two runs, same instruction counts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Hart } from '../../src/cpu/hart.js';
import { runProgram } from '../../src/machine/board.js';
import { GUEST_BIN, HAVE_QEMU, runQemuComplete } from '../diff/harness.js';

const elf = join(GUEST_BIN, 'smp.elf');
const yieldElf = join(GUEST_BIN, 'smp-yield.elf');

async function cxlemu(jit: boolean, kernel = elf) {
  const chunks: Uint8Array[] = [];
  const r = await runProgram({
    kernel,
    harts: 2,
    timeoutSeconds: 60,
    output: (c) => void chunks.push(c),
    hartFactory: (o) => new Hart({ ...o, jit, noWarmUp: true }),
  });
  return { r, uart: Buffer.concat(chunks).toString('latin1') };
}

const lines = (uart: string) => uart.split('\n').filter((l) => l.startsWith('smp: '));

for (const jit of [true, false]) {
  test(`two harts share atomics, code, IPIs and timers (${jit ? 'JIT' : 'interpreter'})`, async () => {
    const { r, uart } = await cxlemu(jit);
    assert.equal(r.exit.kind, 'pass', `${r.exit.message ?? ''}\n${uart}`);
    const got = lines(uart);
    assert.equal(got.length, 10, uart);
    assert.deepEqual(
      got.filter((l) => !l.includes(': ok') && !l.includes('all checks passed')),
      [],
    );
    assert.equal(r.harts.length, 2);
    assert.ok(
      r.harts.every((h) => h.instret > 1000),
      JSON.stringify(r.harts),
    );
  });
}

test('a multi-hart run is deterministic: the same instructions per hart twice', async () => {
  const a = await cxlemu(true);
  const b = await cxlemu(true);
  assert.deepEqual(
    a.r.harts.map((h) => h.instret),
    b.r.harts.map((h) => h.instret),
  );
});

test('QEMU -smp 2 prints the same lines (oracle)', {
  skip: !HAVE_QEMU && 'qemu-system-riscv64 not installed',
}, async () => {
  // QEMU may exit before its UART's last bytes are out (its other hart powers off): once more then.
  const q = await runQemuComplete(elf, 'smp: all checks passed\n', { smp: 2, timeoutMs: 60_000 });
  assert.equal(q.kind, 'pass', q.message);
  const { uart } = await cxlemu(true);
  assert.deepEqual(lines(uart), lines(q.uart));
});

// guests/smp/yield.c: hart 1 waits for a lock hart 0 holds through 1.5 M instructions of work
// (spinning with pause), then in a WFI loop that cannot wait (MSIP pending, MIE off). Hart 0's
// turns are 100,000 instructions: a hart that kept spinning would retire about as many as hart 0
// worked (QEMU's harts: about 900,000 each), one that yields its turn a few thousand.
const waited = (uart: string) => [...uart.matchAll(/waited (\d+) instructions/g)].map((m) => Number(m[1]));
for (const jit of [true, false]) {
  test(`a waiting hart yields its turn: a spin loop with pause, a WFI that cannot wait (${jit ? 'JIT' : 'interpreter'})`, async () => {
    const { r, uart } = await cxlemu(jit, yieldElf);
    assert.equal(r.exit.kind, 'pass', `${r.exit.message ?? ''}\n${uart}`);
    assert.match(uart, /yield: all checks passed/);
    const [lock, wfi] = waited(uart);
    assert.ok(lock! < 20_000, `hart 1 spun ${lock} instructions for the lock`);
    assert.ok(wfi! < 2_000, `hart 1 ran ${wfi} instructions in its WFI loop`);
  });
}

test('harts that wait: QEMU -smp 2 passes the same checks (oracle)', {
  skip: !HAVE_QEMU && 'qemu-system-riscv64 not installed',
}, async () => {
  const q = await runQemuComplete(yieldElf, 'yield: all checks passed\n', { smp: 2, timeoutMs: 60_000 });
  assert.equal(q.kind, 'pass', q.message);
  const { uart } = await cxlemu(true, yieldElf);
  const checks = (u: string) => u.split('\n').filter((l) => l.startsWith('yield: ') && !l.includes('waited'));
  assert.deepEqual(checks(uart), checks(q.uart));
});
