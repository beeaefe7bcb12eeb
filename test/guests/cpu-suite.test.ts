// The CPU benchmark suite's small variants (guests/bin/suite-<name>-small.elf, bench/cpu-suite.ts)
// run on qemu-system-riscv64 (the oracle) and on cxlemu: QEMU must print the kernel's checksum line
// with "ok" and exit pass; cxlemu must print exactly the same output and exit the same way. Also
// checks that the bench's kernel list is guests/Makefile's SUITE list. About 15 s in all here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUITE_KERNELS, parseSuiteLine, suiteElf } from '../../bench/cpu-suite.js';
import {
  GUESTS,
  GUEST_BIN,
  HAVE_QEMU,
  cxlemuUnavailableReason,
  firstDifference,
  loadRunProgram,
  runCxlemu,
  runQemu,
} from '../diff/harness.js';

test('bench/cpu-suite.ts lists the kernels of guests/Makefile SUITE', () => {
  const m = /^SUITE\s*:=\s*(.*)$/m.exec(readFileSync(join(GUESTS, 'Makefile'), 'utf8'));
  assert.ok(m, 'guests/Makefile has a SUITE := line');
  assert.deepEqual(m[1]!.trim().split(/\s+/), [...SUITE_KERNELS]);
});

for (const k of SUITE_KERNELS) {
  const path = suiteElf(GUEST_BIN, k, true);
  test(`suite-${k}-small.elf: QEMU passes, cxlemu prints the same`, { timeout: 120_000 }, async (t) => {
    assert.ok(existsSync(path), `${path} is missing: run make -C guests`);
    if (!HAVE_QEMU) {
      t.skip('SKIPPED: qemu-system-riscv64 not installed (CI installs qemu-system-misc from .ci/apt-packages)');
      return;
    }
    const q = await runQemu(path);
    assert.equal(q.kind, 'pass', `QEMU: ${q.kind} ${q.code}\n${q.uart}`);
    const p = parseSuiteLine(q.uart);
    assert.ok(p && p.name === k && p.ok, `QEMU output:\n${q.uart}`);
    assert.equal(q.uart, `${p.line}\n`, 'exactly one line');

    if (!(await loadRunProgram())) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()}`);
      return;
    }
    const e = await runCxlemu(path, { maxInstructions: 1_000_000_000 });
    if (!e) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()}`);
      return;
    }
    assert.equal(
      e.uart,
      q.uart,
      `UART output differs at ${firstDifference(q.uart, e.uart)}\ncxlemu exit: ${e.kind} ${e.code} ${e.message ?? ''}`,
    );
    assert.equal(e.kind, q.kind, `exit kind: cxlemu ${e.kind} (${e.message ?? ''}), QEMU ${q.kind}`);
    assert.equal(e.code, q.code, 'exit code');
  });
}
