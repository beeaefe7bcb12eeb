// Differential test of the F and D extensions: random F/D instruction sequences (random-fp-gen.ts)
// run on qemu-system-riscv64 (the oracle, with a CPU that has F and D) and on cxlemu; the f
// registers, fcsr, the integer data registers, a hash of the traps taken (mcause, mepc, mtval), a
// running hash of every instruction's (destination, fflags), a scratch checksum and the FS=Off
// results must match per seed. On a mismatch the seed is rebuilt in trace mode (same instruction
// stream, every log record printed) and run on both to name the first differing instruction.
// Sized for CI by default (500 seeds x 400 slots, in batches run in parallel); scale with
// CXLEMU_DIFF_SEEDS, CXLEMU_FPDIFF_LENGTH and CXLEMU_DIFF_FIRST_SEED. Each seed runs three times
// (REPEAT) with every block translated after one interpreted run, so both engines are compared
// (about three quarters of the instructions run translated). CXLEMU_FPDIFF_TRACE=1 builds
// every seed in trace mode and prints QEMU's records (for one seed:
// CXLEMU_FPDIFF_TRACE=1 CXLEMU_DIFF_FIRST_SEED=N CXLEMU_DIFF_SEEDS=1).
// Oracle: QEMU 7.2 (Debian qemu-system-misc), minus the exclusions listed in random-fp-gen.ts; the
// hand-checked cases (handCheck in random-fp-gen.ts) pin the oracle to spec-derived results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DUMP_LINES,
  EXCLUSIONS,
  FORMS,
  type FpSequence,
  generate,
  handCheck,
  parseFpDump,
  parseMisa,
  parseTrace,
  programOf,
} from './random-fp-gen.js';
import {
  assembleArgs,
  mapLimited,
  HAVE_CROSS,
  HAVE_QEMU,
  type Outcome,
  cxlemuUnavailableReason,
  loadRunProgram,
  runCxlemu,
  runQemuComplete,
} from './harness.js';

const SEEDS = Number(process.env.CXLEMU_DIFF_SEEDS ?? 500);
const LENGTH = Number(process.env.CXLEMU_FPDIFF_LENGTH ?? 400);
const FIRST = Number(process.env.CXLEMU_DIFF_FIRST_SEED ?? 1);
const TRACE = process.env.CXLEMU_FPDIFF_TRACE === '1';
/** Seeds per ELF: larger programs assemble and run disproportionately slower on QEMU. */
const BATCH_SEEDS = 50;
/**
 * Each seed runs this many times in a row, and cxlemu translates every block after one
 * interpreted run (CXLEMU_JIT_THRESHOLD=1, set below): the first repetition checks the
 * interpreter, the later ones mostly translated code, all against the same QEMU dump.
 */
const REPEAT = TRACE ? 1 : 3;
process.env['CXLEMU_JIT_THRESHOLD'] ??= '1';
const BATCHES = Math.max(1, Math.ceil(SEEDS / BATCH_SEEDS));

const MISA_D = 1n << 3n;
const MISA_F = 1n << 5n;

const execFileP = promisify(execFile);

/** Assemble `source` into dir/name.elf with F, D and C enabled. */
async function buildFpElf(dir: string, name: string, source: string): Promise<string> {
  const src = join(dir, `${name}.s`);
  const elf = join(dir, `${name}.elf`);
  writeFileSync(src, source);
  await execFileP('riscv64-unknown-elf-gcc', assembleArgs('rv64imafdc_zicsr_zifencei', src, elf), {
    maxBuffer: 64 * 1024 * 1024,
  });
  return elf;
}

function runQemuFp(elf: string): Promise<Outcome & { retried: boolean }> {
  return runQemuComplete(elf, 'done\n', { timeoutMs: 120_000 }); // harness QEMU_CPU has F and D (misa asserted below)
}

const hex16 = (n: number | bigint) => BigInt(n).toString(16).padStart(16, '0');
/** The dump line the FS=Off part must produce: every access trapped, FS still Off, nothing changed. */
const fsOffLine = (count: number) => `fsoff ${hex16(count)} ${hex16(0)} ${hex16(0)}`;

/**
 * The first differing trace record ("T index dest fflags trap text", trap = mcause + 1 or 0),
 * with the instructions before it; null if the traces agree.
 */
export function firstTraceDifference(body: string[], qemu: string[], emu: string[]): string | null {
  for (let i = 0; i < Math.max(qemu.length, emu.length); i++) {
    if (qemu[i] === emu[i]) continue;
    const ctx = body
      .slice(Math.max(0, i - 3), i)
      .map((t, k) => `    ${i - Math.min(i, 3) + k}: ${t}`)
      .join('\n');
    return (
      `first differing instruction #${i}: ${body[i] ?? '(after the body)'}\n` +
      `  (records: T index dest fflags trap(mcause+1))\n` +
      `  qemu:   ${qemu[i] ?? '(missing)'}\n  cxlemu: ${emu[i] ?? '(missing)'}` +
      (ctx ? `\n  preceded by:\n${ctx}` : '')
    );
  }
  return null;
}

function describeMismatch(
  seed: number,
  qemu: string[],
  emu: string[] | undefined,
  exit: string,
  traceReport: string,
): string {
  let first = `cxlemu printed no dump for this seed (cxlemu exit: ${exit})`;
  if (emu) {
    const diffs: string[] = [];
    for (let i = 0; i < Math.max(qemu.length, emu.length); i++)
      if (qemu[i] !== emu[i]) diffs.push(`qemu "${qemu[i] ?? '(missing)'}" vs cxlemu "${emu[i] ?? '(missing)'}"`);
    if (diffs.length > 0)
      first =
        `first difference: ${diffs[0]}` +
        diffs
          .slice(1, 6)
          .map((d) => `\n  then: ${d}`)
          .join('') +
        (diffs.length > 6 ? `\n  (${diffs.length} dump lines differ)` : '');
    else first = 'the dumps agree (the trace differs)';
  }
  return (
    `seed ${seed}: ${first}\n${traceReport}\n` +
    `reproduce: CXLEMU_FPDIFF_TRACE=1 CXLEMU_DIFF_FIRST_SEED=${seed} CXLEMU_DIFF_SEEDS=1 CXLEMU_FPDIFF_LENGTH=${LENGTH}`
  );
}

/** Rebuild one seed in trace mode, run it on both and name the first differing instruction. */
async function traceReport(dir: string, seed: number): Promise<string> {
  const traced = generate(seed, LENGTH, { trace: true });
  const elf = await buildFpElf(dir, `trace-${seed}`, programOf([traced], LENGTH));
  const q = parseTrace((await runQemuFp(elf)).uart).get(seed) ?? [];
  const emu = await runCxlemu(elf, { maxInstructions: 50_000_000 });
  if (!emu) return `(trace: cxlemu unavailable: ${cxlemuUnavailableReason()})`;
  const e = parseTrace(emu.uart).get(seed) ?? [];
  return (
    firstTraceDifference(traced.body, q, e) ??
    `traces agree on all ${q.length} instructions: the difference is in the final state or the FS=Off part`
  );
}

test('the FP generator is deterministic and covers every F/D form, rm and FP CSR access', () => {
  assert.equal(generate(7, 300).asm, generate(7, 300).asm);
  assert.notEqual(generate(7, 300).asm, generate(8, 300).asm);
  const texts: string[] = [];
  for (let s = 1; s <= 40; s++) texts.push(...generate(s, 400).body);
  const seen = new Set(texts.flatMap((t) => t.split(' ; ').map((p) => p.split(' ')[0]!)));
  for (const f of FORMS) assert.ok(seen.has(f.name), `${f.name} generated`);
  for (const rm of ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn', 'rm=5', 'rm=6'])
    assert.ok(
      texts.some((t) => t.endsWith(`, ${rm}`)),
      `rounding mode ${rm}`,
    );
  for (const csr of ['fflags', 'frm', 'fcsr'])
    for (const op of ['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'])
      assert.ok(seen.has(op) && texts.some((t) => t.includes(`${op} `) && t.includes(`, ${csr}, `)), `${op} ${csr}`);
  assert.ok(texts.some((t) => t.includes('# reserved:')));
  assert.ok(texts.some((t) => t.includes('# access fault')));
  // The FS=Off part has every form and 9 accesses of each FP CSR.
  assert.equal(generate(3, 10).fsOffCount, FORMS.length + 3 * 9);
});

test('a mismatch report names the first differing instruction with its text', () => {
  const body = ['fadd.s f1, f2, f3, rne', 'fsqrt.d f4, f5, dyn', 'fcvt.w.s x5, f1, rtz'];
  const q = ['T 0 ffffffff3f800000 01 00 a', 'T 1 3ff0000000000000 00 00 b', 'T 2 0000000000000001 01 00 c'];
  const e = [q[0]!, q[1]!, 'T 2 0000000000000000 01 00 c'];
  const report = firstTraceDifference(body, q, e)!;
  assert.match(report, /first differing instruction #2: fcvt\.w\.s x5, f1, rtz/);
  assert.match(report, /qemu: {3}T 2 0000000000000001/);
  assert.match(report, /1: fsqrt\.d f4, f5, dyn/);
  assert.equal(firstTraceDifference(body, q, q), null);
  assert.match(firstTraceDifference(body, q, q.slice(0, 1))!, /#1: .*\n.*\n.*\n {2}cxlemu: \(missing\)/);
  assert.match(
    describeMismatch(9, ['f0 1'], ['f0 2'], 'pass 0', 'x'),
    /seed 9: first difference: qemu "f0 1" vs cxlemu "f0 2"\nx\nreproduce: CXLEMU_FPDIFF_TRACE=1 CXLEMU_DIFF_FIRST_SEED=9/,
  );
});

test('hand-checked F/D cases give the spec results on QEMU (and cxlemu)', { timeout: 120_000 }, async (t) => {
  if (!HAVE_QEMU || !HAVE_CROSS) {
    t.skip('SKIPPED: needs qemu-system-riscv64 and riscv64-unknown-elf-gcc (CI installs them from .ci/apt-packages)');
    return;
  }
  const { seq, expected } = handCheck();
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fpdiff-'));
  try {
    const elf = await buildFpElf(dir, 'hand', programOf([seq], seq.body.length));
    const check = (who: string, out: Outcome) => {
      assert.equal(out.kind, 'pass', `${who}: ${out.kind} ${out.code} ${out.message ?? ''}`);
      const misa = parseMisa(out.uart);
      assert.ok(misa !== null && (misa & MISA_F) !== 0n && (misa & MISA_D) !== 0n, `${who}: misa has F and D`);
      const recs = parseTrace(out.uart).get(0) ?? [];
      assert.equal(recs.length, expected.length, `${who}: one record per case`);
      expected.forEach((c, i) => {
        const want = `T ${i} ${hex16(c.dest)} ${c.fflags.toString(16).padStart(2, '0')} ${c.trap.toString(16).padStart(2, '0')} ${c.text}`;
        assert.equal(recs[i], want, `${who}: case ${i}: ${c.text}`);
      });
      assert.equal(parseFpDump(out.uart).get(0)?.at(-1), fsOffLine(seq.fsOffCount), `${who}: FS=Off part`);
    };
    check('qemu', await runQemuFp(elf));
    if (!(await loadRunProgram())) {
      t.diagnostic(`SKIPPED cxlemu: ${cxlemuUnavailableReason()} (QEMU side ran)`);
      return;
    }
    const emu = await runCxlemu(elf, { maxInstructions: 50_000_000 });
    assert.ok(emu);
    check('cxlemu', emu);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`random F/D sequences: ${SEEDS} seeds x ${LENGTH} instructions, QEMU vs cxlemu`, {
  timeout: 600_000,
}, async (t) => {
  if (!HAVE_QEMU || !HAVE_CROSS) {
    t.skip(`SKIPPED: needs qemu-system-riscv64 and riscv64-unknown-elf-gcc (CI installs them from .ci/apt-packages)`);
    return;
  }
  t.diagnostic('excluded on purpose:');
  for (const e of EXCLUSIONS) t.diagnostic(`  - ${e.what}: ${e.why}`);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fpdiff-'));
  try {
    const started = performance.now();
    const batches: number[][] = Array.from({ length: BATCHES }, () => []);
    for (let i = 0; i < SEEDS; i++) batches[i % BATCHES]!.push(FIRST + i);
    const seqs = new Map<number, FpSequence>();
    const sources = batches.map((seeds) => {
      const list = seeds.map((s) => generate(s, LENGTH, { trace: TRACE, repeat: REPEAT }));
      for (const q of list) seqs.set(q.seed, q);
      return programOf(list, LENGTH);
    });
    const parallel = Math.max(2, availableParallelism());
    const elfs = await mapLimited(
      sources.map((s, b) => [s, b] as const),
      parallel,
      ([s, b]) => buildFpElf(dir, `fprandom-${b}`, s),
    );
    const built = performance.now();
    const qemu = await mapLimited(elfs, parallel, runQemuFp);
    const ran = performance.now();
    t.diagnostic(
      `generated+assembled ${elfs.length} ELFs in ${((built - started) / 1000).toFixed(1)} s; QEMU ran them in ${((ran - built) / 1000).toFixed(1)} s`,
    );
    const qemuDumps = new Map<number, string[]>();
    const qemuTraces = new Map<number, string[]>();
    qemu.forEach((q, b) => {
      if (q.retried) t.diagnostic(`QEMU batch ${b}: its first run's output was cut short; ran it again`);
      assert.equal(q.kind, 'pass', `QEMU batch ${b} did not pass: ${q.kind} ${q.code} ${q.message ?? ''}`);
      assert.ok(q.uart.endsWith('done\n'), `QEMU batch ${b} output incomplete`);
      const misa = parseMisa(q.uart);
      assert.ok(misa !== null && (misa & MISA_F) !== 0n && (misa & MISA_D) !== 0n, `QEMU misa has F and D`);
      for (const [s, lines] of parseFpDump(q.uart)) qemuDumps.set(s, lines);
      for (const [s, lines] of parseTrace(q.uart)) qemuTraces.set(s, lines);
    });
    assert.equal(qemuDumps.size, SEEDS, 'QEMU printed a dump for every seed');
    for (const [s, lines] of qemuDumps) {
      assert.equal(
        lines.length,
        DUMP_LINES * REPEAT,
        `seed ${s}: f0..f31, fcsr, data registers, traps, hash, mem, fsoff, ${REPEAT} times`,
      );
      assert.equal(lines.at(-1), fsOffLine(seqs.get(s)!.fsOffCount), `seed ${s}: with FS=Off every FP access traps`);
    }
    if (TRACE)
      for (const [s, lines] of qemuTraces) {
        t.diagnostic(`seed ${s} QEMU trace (T index dest fflags trap(mcause+1) text):`);
        for (const l of lines) t.diagnostic(`  ${l}`);
      }

    if (!(await loadRunProgram())) {
      t.diagnostic(`SKIPPED cxlemu comparison: ${cxlemuUnavailableReason()} (QEMU side ran)`);
      return;
    }
    const emuStart = performance.now();
    const mismatches: string[] = [];
    for (let b = 0; b < elfs.length; b++) {
      const emu = await runCxlemu(elfs[b]!, { maxInstructions: 500_000_000 });
      assert.ok(emu);
      const emuDumps = parseFpDump(emu.uart);
      const emuTraces = parseTrace(emu.uart);
      for (const s of batches[b]!) {
        const q = qemuDumps.get(s)!;
        const e = emuDumps.get(s);
        const sameTrace = !TRACE || (qemuTraces.get(s) ?? []).join('\n') === (emuTraces.get(s) ?? []).join('\n');
        if (!e || e.join('\n') !== q.join('\n') || !sameTrace) {
          const report = TRACE
            ? (firstTraceDifference(seqs.get(s)!.body, qemuTraces.get(s) ?? [], emuTraces.get(s) ?? []) ??
              'traces agree: the difference is in the final state or the FS=Off part')
            : await traceReport(dir, s);
          mismatches.push(describeMismatch(s, q, e, `${emu.kind} ${emu.code} ${emu.message ?? ''}`, report));
        }
        if (mismatches.length >= 3) break;
      }
      if (mismatches.length === 0)
        assert.equal(emu.kind, 'pass', `cxlemu batch ${b}: ${emu.kind} ${emu.code} ${emu.message ?? ''}`);
      if (mismatches.length >= 3) break;
    }
    t.diagnostic(`cxlemu ran the seeds in ${((performance.now() - emuStart) / 1000).toFixed(1)} s`);
    assert.equal(
      mismatches.length,
      0,
      `${mismatches.length} seed(s) differ (showing up to 3):\n${mismatches.join('\n\n')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
