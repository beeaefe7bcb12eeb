// Differential test: the project's guest programs (guests/bin: ISA tests, hello, the small
// benchmark, the floating-point benchmark) run on qemu-system-riscv64 (the oracle) and on cxlemu. On QEMU every ISA test must
// print its final PASS line and exit through the finisher with pass; cxlemu must then print the
// same UART output and exit the same way. Lines starting "DEVIATION qemu-7.2" mark documented
// QEMU 7.2 deviations (guests/isa/isa.h CHECK_DEV): they are dropped before comparing and listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  GUEST_BIN,
  HAVE_QEMU,
  cxlemuUnavailableReason,
  firstDifference,
  loadRunProgram,
  runCxlemu,
  runQemu,
  splitDeviations,
} from './harness.js';

interface Program {
  elf: string;
  /** Last line printed on success. */
  expect: RegExp;
  /** QEMU RAM and loader (for ELFs linked at the CXL window base). */
  memory?: string;
  loader?: boolean;
  /** Linked at or using the CXL window: cxlemu runs it on the default machine (region R0). */
  needsCxlRegion?: boolean;
}

export const ISA_TESTS = [
  'rv64i',
  'rv64m',
  'rv64a',
  'rv64c',
  'zicsr',
  'traps',
  'pmp',
  'vm',
  'sdtrig',
  'svpbmt',
  'sstc',
];
/**
 * ISA tests QEMU 7.2 cannot run (it has no Zicbom/Zicboz): their oracle is the spec text each check
 * cites; cxlemu must print the program's PASS line and no FAIL or DEVIATION line.
 */
export const SPEC_ONLY_ISA_TESTS = ['cbo'];
const PROGRAMS: Program[] = [
  ...ISA_TESTS.map((n) => ({ elf: `isa-${n}.elf`, expect: new RegExp(`^PASS isa-${n}: \\d+ groups, \\d+ checks$`) })),
  { elf: 'isa-vm-cxl.elf', expect: /^PASS isa-vm-cxl: \d+ groups, \d+ checks$/, memory: '8G', needsCxlRegion: true },
  { elf: 'hello.elf', expect: /^Hello from cxlemu guest! hart 0, running at 0x0000000080/ },
  {
    elf: 'hello-cxl.elf',
    expect: /^Hello from cxlemu guest! hart 0, running at 0x0000000100/,
    memory: '8G',
    loader: true,
    needsCxlRegion: true,
  },
  { elf: 'bench-small.elf', expect: /^bench: iterations=5 checksum=0x6c665492970d44fd ok$/ },
  // The RV64GC floating-point benchmark: its results' bit patterns and accrued fflags (40 iterations,
  // about 40 M instructions: most of it runs as translated F/D code).
  {
    elf: 'fpbench.elf',
    expect: /^fpbench: 40 iterations matrix [0-9a-f]+ nbody [0-9a-f]+ heat [0-9a-f]+ conv -?\d+ fflags 1$/,
  },
  {
    elf: 'bench-small-cxl.elf',
    expect: /^bench: iterations=5 checksum=0x6c665492970d44fd ok$/,
    memory: '8G',
    loader: true,
    needsCxlRegion: true,
  },
];

/**
 * cxlemu gaps known when this list was written, owned by other areas: the comparison still runs and
 * its failure is reported as TODO (visible, not fatal). Remove an entry when it passes.
 */
export const KNOWN_CXLEMU_GAPS: Record<string, string> = {
  // e.g. 'isa-zicsr.elf': 'the time CSR does not advance while a run slice executes (fixed since)',
};

function lastLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}

for (const p of PROGRAMS) {
  const path = join(GUEST_BIN, p.elf);
  test(`${p.elf}: QEMU passes, cxlemu matches`, { timeout: 120_000 }, async (t) => {
    assert.ok(existsSync(path), `${path} is missing: run make -C guests`);
    if (!HAVE_QEMU) {
      t.skip('SKIPPED: qemu-system-riscv64 not installed (CI installs qemu-system-misc from .ci/apt-packages)');
      return;
    }
    const q = await runQemu(path, { memory: p.memory, loader: p.loader });
    const { text: qText, deviations } = splitDeviations(q.uart);
    for (const d of deviations) t.diagnostic(`documented QEMU 7.2 deviation: ${d}`);
    assert.equal(q.kind, 'pass', `QEMU: ${q.kind} ${q.code}\n${q.uart}`);
    assert.match(lastLine(qText), p.expect, `QEMU output:\n${q.uart}`);
    assert.doesNotMatch(qText, /^FAIL/m, 'no FAIL line on QEMU');

    if (!(await loadRunProgram())) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()}`);
      return;
    }
    // *-cxl ELFs: QEMU ran them from RAM (-m 8G); cxlemu runs them out of region R0 of the
    // default machine (4-way, 256 B interleave at 0x1_0000_0000).
    const e = await runCxlemu(path, { maxInstructions: 1_000_000_000, defaultMachine: p.needsCxlRegion === true });
    if (!e) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()}`);
      return;
    }
    const compare = () => {
      const { text: eText, deviations: eDev } = splitDeviations(e.uart);
      assert.deepEqual(eDev, [], 'cxlemu follows the spec where QEMU 7.2 deviates');
      assert.equal(
        eText,
        qText,
        `UART output differs at ${firstDifference(qText, eText)}\ncxlemu exit: ${e.kind} ${e.code} ${e.message ?? ''}`,
      );
      assert.equal(e.kind, q.kind, `exit kind: cxlemu ${e.kind} (${e.message ?? ''}), QEMU ${q.kind}`);
      assert.equal(e.code, q.code, 'exit code');
    };
    const gap = KNOWN_CXLEMU_GAPS[p.elf];
    if (!gap) {
      compare();
      return;
    }
    try {
      compare();
      t.diagnostic(`known cxlemu gap no longer reproduces: remove ${p.elf} from KNOWN_CXLEMU_GAPS`);
    } catch (err) {
      t.diagnostic(`cxlemu differs (known gap): ${(err as Error).message.split('\n').slice(0, 3).join(' | ')}`);
      t.todo(`known cxlemu gap: ${gap}`);
    }
  });
}

for (const n of SPEC_ONLY_ISA_TESTS) {
  const path = join(GUEST_BIN, `isa-${n}.elf`);
  test(`isa-${n}.elf (no QEMU 7.2 oracle: the spec's rules): cxlemu passes every check`, async (t) => {
    assert.ok(existsSync(path), `${path} is missing: run make -C guests`);
    const e = await runCxlemu(path);
    if (!e) {
      t.diagnostic(`SKIPPED: ${cxlemuUnavailableReason()}`);
      return;
    }
    assert.doesNotMatch(e.uart, /^(FAIL|DEVIATION)/m, e.uart);
    assert.match(lastLine(e.uart), new RegExp(`^PASS isa-${n}: \\d+ groups, \\d+ checks$`), e.uart);
    assert.equal(e.kind, 'pass', `${e.kind} ${e.code} ${e.message ?? ''}`);
  });
}
