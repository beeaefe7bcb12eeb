// Differential test: random instruction sequences (random-gen.ts) run on qemu-system-riscv64
// (the oracle) and on cxlemu; every register, a hash of the traps taken (mcause, mepc, mtval) and
// a checksum of the scratch memory must match after each sequence. Sized for CI by default
// (500 seeds x 2,000 instruction slots, in batches run in parallel); scale with
// CXLEMU_DIFF_SEEDS, CXLEMU_DIFF_LENGTH and CXLEMU_DIFF_FIRST_SEED.
// Oracle: QEMU 7.2 (Debian qemu-system-misc), minus the exclusions listed in random-gen.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXCLUSIONS, generate, parseDump } from './random-gen.js';
import {
  buildRandomElf,
  HAVE_CROSS,
  HAVE_QEMU,
  cxlemuUnavailableReason,
  loadRunProgram,
  mapLimited,
  runCxlemu,
  runQemuComplete,
} from './harness.js';

const SEEDS = Number(process.env.CXLEMU_DIFF_SEEDS ?? 500);
const LENGTH = Number(process.env.CXLEMU_DIFF_LENGTH ?? 2000);
const FIRST = Number(process.env.CXLEMU_DIFF_FIRST_SEED ?? 1);
/** Seeds per ELF: larger programs assemble and run disproportionately slower on QEMU. */
const BATCH_SEEDS = 125;
const BATCHES = Math.max(1, Math.ceil(SEEDS / BATCH_SEEDS));

function describeMismatch(seed: number, qemu: string[], emu: string[] | undefined, exit: string): string {
  const seq = generate(seed, LENGTH);
  let first = `cxlemu printed no dump for this seed (cxlemu exit: ${exit})`;
  if (emu) {
    for (let i = 0; i < Math.max(qemu.length, emu.length); i++) {
      if (qemu[i] !== emu[i]) {
        first = `first difference: qemu "${qemu[i] ?? '(missing)'}" vs cxlemu "${emu[i] ?? '(missing)'}"`;
        break;
      }
    }
  }
  return (
    `seed ${seed}: ${first}\nsequence (${seq.body.length} slots; reproduce with CXLEMU_DIFF_FIRST_SEED=${seed} CXLEMU_DIFF_SEEDS=1):\n` +
    seq.body.map((l, i) => `  ${String(i).padStart(4)}: ${l}`).join('\n')
  );
}

test('a mismatch report names the first differing register and lists the sequence', () => {
  const q = ['x1 0000000000000001', 'x2 0000000000000002'];
  const report = describeMismatch(7, q, ['x1 0000000000000001', 'x2 00000000000000ff'], 'pass 0');
  assert.match(report, /seed 7: first difference: qemu "x2 0000000000000002" vs cxlemu "x2 00000000000000ff"/);
  assert.match(report, new RegExp(`sequence \\(${LENGTH} slots`));
  assert.match(
    describeMismatch(7, q, undefined, 'error 0 boom'),
    /no dump for this seed \(cxlemu exit: error 0 boom\)/,
  );
});

test(`random sequences: ${SEEDS} seeds x ${LENGTH} instructions, QEMU vs cxlemu`, { timeout: 600_000 }, async (t) => {
  if (!HAVE_QEMU || !HAVE_CROSS) {
    t.skip(`SKIPPED: needs qemu-system-riscv64 and riscv64-unknown-elf-gcc (CI installs them from .ci/apt-packages)`);
    return;
  }
  t.diagnostic('excluded on purpose (QEMU 7.2 deviations and nondeterminism):');
  for (const e of EXCLUSIONS) t.diagnostic(`  - ${e.what}: ${e.why}`);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-diff-'));
  try {
    const started = performance.now();
    const batches: number[][] = Array.from({ length: BATCHES }, () => []);
    for (let i = 0; i < SEEDS; i++) batches[i % BATCHES]!.push(FIRST + i);
    const elfs = batches.map((seeds, b) => buildRandomElf(dir, `random-${b}`, seeds, LENGTH));
    const built = performance.now();
    const qemu = await mapLimited(elfs, Math.max(2, availableParallelism()), (e) =>
      runQemuComplete(e, 'done\n', { timeoutMs: 120_000 }),
    );
    const ran = performance.now();
    t.diagnostic(
      `generated+assembled ${elfs.length} ELFs in ${((built - started) / 1000).toFixed(1)} s; QEMU ran them in ${((ran - built) / 1000).toFixed(1)} s`,
    );
    const qemuDumps = new Map<number, string[]>();
    qemu.forEach((q, b) => {
      if (q.retried) t.diagnostic(`QEMU batch ${b}: its first run's output was cut short; ran it again`);
      assert.equal(q.kind, 'pass', `QEMU batch ${b} did not pass: ${q.kind} ${q.code} ${q.message ?? ''}`);
      assert.ok(q.uart.endsWith('done\n'), `QEMU batch ${b} output incomplete`);
      for (const [s, lines] of parseDump(q.uart)) qemuDumps.set(s, lines);
    });
    assert.equal(qemuDumps.size, SEEDS, 'QEMU printed a dump for every seed');
    for (const lines of qemuDumps.values()) assert.equal(lines.length, 32, 'x1, x2, x5..x31, pte, traps, mem');

    if (!(await loadRunProgram())) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()} (QEMU side ran)`);
      return;
    }
    const emuStart = performance.now();
    const mismatches: string[] = [];
    for (let b = 0; b < elfs.length; b++) {
      const emu = await runCxlemu(elfs[b]!, { maxInstructions: 500_000_000 });
      assert.ok(emu);
      const emuDumps = parseDump(emu.uart);
      for (const s of batches[b]!) {
        const q = qemuDumps.get(s)!;
        const e = emuDumps.get(s);
        if (!e || e.join('\n') !== q.join('\n'))
          mismatches.push(describeMismatch(s, q, e, `${emu.kind} ${emu.code} ${emu.message ?? ''}`));
        if (mismatches.length >= 3) break;
      }
      if (mismatches.length === 0)
        assert.equal(emu.kind, 'pass', `cxlemu batch ${b}: ${emu.kind} ${emu.code} ${emu.message ?? ''}`);
      if (mismatches.length >= 3) break;
    }
    t.diagnostic(`cxlemu ran ${SEEDS} seeds in ${((performance.now() - emuStart) / 1000).toFixed(1)} s`);
    assert.equal(
      mismatches.length,
      0,
      `${mismatches.length} seed(s) differ (showing up to 3):\n${mismatches.join('\n\n')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
