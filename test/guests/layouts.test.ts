// The layout benchmark's programs (guests/bin/layout-<layout>.elf, bench/layouts.ts): the same
// program with its code and data placed differently must print the same checksum line. Oracle:
// qemu-system-riscv64 running the RAM-only variants (ram, samepage, smc, smc-toggle: QEMU's virt machine has
// no CXL region). cxlemu runs each on the region benchmarks' machine (bench/region-machines.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GUEST_BIN, HAVE_QEMU, runQemu } from '../diff/harness.js';
import { runPlaced } from '../../bench/region-machines.js';

const elf = (l: string) => join(GUEST_BIN, `layout-${l}.elf`);
const LINE = /^suite layout: checksum=0x[0-9a-f]{16} ok\n$/;

test('layouts: QEMU and cxlemu print the same checksum for every placement of code and data', {
  timeout: 300_000,
}, async (t) => {
  let expected: string | undefined;
  if (HAVE_QEMU) {
    for (const l of ['ram', 'samepage', 'smc', 'smc-toggle']) {
      const q = await runQemu(elf(l));
      assert.equal(q.kind, 'pass', `QEMU ${l}: ${q.kind}\n${q.uart}`);
      assert.match(q.uart, LINE);
      expected ??= q.uart;
      assert.equal(q.uart, expected, `QEMU ${l}`);
    }
  } else t.diagnostic('qemu-system-riscv64 not installed: cxlemu layouts compared with each other only');
  for (const l of ['ram', 'cxl4', 'split', 'samepage', 'samepage-cxl4', 'smc', 'smc-toggle']) {
    const r = await runPlaced(elf(l));
    assert.equal(r.result.exit.kind, 'pass', `${l}: ${r.result.exit.message ?? ''}`);
    assert.match(r.uart, LINE);
    expected ??= r.uart;
    assert.equal(r.uart, expected, l);
  }
});
