// cxlemu against qemu-system-riscv64 kernel by kernel on the CPU benchmark suite
// (guests/bench/suite/*.c, docs/guests.md "The CPU benchmark suite"). For each kernel: QEMU (TCG,
// -cpu QEMU_CPU from test/diff/harness.ts) best of --runs wall times minus QEMU's start-up (best of
// 3 runs of hello.elf), and cxlemu in-process via runProgram (JIT on unless CXLEMU_JIT=0) best of
// --runs. Both must print the same checksum line. Prints JSON: per kernel qemuSeconds,
// cxlemuSeconds, instructions (cxlemu's instret), ratio = qemuSeconds / cxlemuSeconds (> 1: cxlemu
// is faster), MIPS, the share run in translated code; and the geometric mean of the ratios. Exits 1
// when a checksum line differs or a kernel fails its self-checks.
// Usage: node dist/bench/cpu-suite.js [--runs N] [--only name[,name]] [--quick] [--bin dir]
//   --quick runs the suite-<name>-small.elf variants (a few M instructions each; 1 run unless --runs)
//   --bin   directory holding the suite ELFs and hello.elf (default guests/bin)
// A kernel whose first cxlemu run takes longer than LONG_RUN_SECONDS runs once on cxlemu (its
// ratio is far from 1 and the spread of repeats does not matter; cxlemuRuns says so).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProgram } from '../src/machine/board.js';
import { GUEST_BIN, HAVE_QEMU, QEMU_CPU, runQemu } from '../test/diff/harness.js';

/** The kernels, in the order of guests/Makefile's SUITE list (test/guests/cpu-suite.test.ts checks it). */
export const SUITE_KERNELS = [
  'crc',
  'sort',
  'interp',
  'linked',
  'recurse',
  'strings',
  'matmul',
  'samepage',
  'codegen',
] as const;

export function suiteElf(bin: string, kernel: string, small: boolean): string {
  return join(bin, `suite-${kernel}${small ? '-small' : ''}.elf`);
}

/** The kernel's one result line, `suite <name>: checksum=0x<16 hex> ok|FAIL`, or null. */
export function parseSuiteLine(uart: string): { name: string; checksum: string; ok: boolean; line: string } | null {
  const m = /^suite ([a-z0-9]+): checksum=(0x[0-9a-f]{16}) (ok|FAIL)$/m.exec(uart);
  return m ? { name: m[1]!, checksum: m[2]!, ok: m[3] === 'ok', line: m[0] } : null;
}

const LONG_RUN_SECONDS = 20;

interface KernelResult {
  elf: string;
  qemuSeconds: number;
  cxlemuSeconds: number;
  instructions: number;
  ratio: number;
  qemuMips: number;
  cxlemuMips: number;
  translatedShare: number | null;
  checksum: string | null;
  match: boolean;
  ok: boolean;
  qemuRuns: number;
  cxlemuRuns: number;
  qemuLine?: string;
  cxlemuLine?: string;
}

async function qemuBest(elf: string, runs: number): Promise<{ seconds: number; line: string | null }> {
  let best = Infinity;
  let line: string | null = null;
  for (let i = 0; i < runs; i++) {
    const r = await runQemu(elf, { timeoutMs: 600_000 });
    const p = parseSuiteLine(r.uart);
    if (r.kind !== 'pass' && p?.ok !== false)
      throw new Error(`QEMU run of ${elf} failed: ${r.kind} ${r.code} ${r.message ?? ''}\n${r.uart}`);
    if (line !== null && p?.line !== line) throw new Error(`${elf}: QEMU printed ${p?.line} after ${line}`);
    line = p?.line ?? r.uart.trim();
    best = Math.min(best, r.seconds);
  }
  return { seconds: best, line };
}

async function cxlemuBest(
  elf: string,
  runs: number,
): Promise<{ seconds: number; instret: number; share: number | null; line: string | null; runs: number }> {
  let best = Infinity;
  let instret = 0;
  let share: number | null = null;
  let line: string | null = null;
  let done = 0;
  while (done < runs) {
    let uart = '';
    const r = await runProgram({
      kernel: elf,
      output: (c: Uint8Array) => {
        uart += Buffer.from(c).toString('latin1');
      },
      maxInstructions: 40_000_000_000,
    });
    done++;
    const p = parseSuiteLine(uart);
    if (r.exit.kind !== 'pass' && p?.ok !== false)
      throw new Error(`cxlemu run of ${elf} failed: ${r.exit.kind} ${r.exit.code} ${r.exit.message ?? ''}\n${uart}`);
    line = p?.line ?? uart.trim();
    if (r.seconds < best) {
      best = r.seconds;
      instret = r.instret;
      share = r.harts[0]?.translatedShare ?? null;
    }
    if (r.seconds > LONG_RUN_SECONDS) break;
  }
  return { seconds: best, instret, share, line, runs: done };
}

const round = (x: number, d = 3) => +x.toFixed(d);

export async function runSuite(opts: {
  runs: number;
  only: string[] | null;
  quick: boolean;
  bin: string;
}): Promise<Record<string, unknown>> {
  if (!HAVE_QEMU) throw new Error('qemu-system-riscv64 is not installed (Debian: qemu-system-misc)');
  let startup = Infinity;
  for (let i = 0; i < 3; i++) startup = Math.min(startup, (await runQemu(join(opts.bin, 'hello.elf'))).seconds);
  const kernels: Record<string, KernelResult> = {};
  for (const k of SUITE_KERNELS) {
    if (opts.only && !opts.only.includes(k)) continue;
    const elf = suiteElf(opts.bin, k, opts.quick);
    const q = await qemuBest(elf, opts.runs);
    // Short (--quick) runs can come out below the start-up estimate: keep a floor of 1 ms.
    const qemuSeconds = Math.max(q.seconds - startup, 0.001);
    const e = await cxlemuBest(elf, opts.runs);
    const match = q.line !== null && q.line === e.line;
    const ok = match && parseSuiteLine(q.line!)?.ok === true;
    kernels[k] = {
      elf,
      qemuSeconds: round(qemuSeconds),
      cxlemuSeconds: round(e.seconds),
      instructions: e.instret,
      ratio: round(qemuSeconds / e.seconds, 4),
      qemuMips: round(e.instret / qemuSeconds / 1e6, 1),
      cxlemuMips: round(e.instret / e.seconds / 1e6, 1),
      translatedShare: e.share === null ? null : round(e.share, 4),
      checksum: parseSuiteLine(q.line ?? '')?.checksum ?? null,
      match,
      ok,
      qemuRuns: opts.runs,
      cxlemuRuns: e.runs,
      ...(match ? {} : { qemuLine: q.line ?? '', cxlemuLine: e.line ?? '' }),
    };
    process.stderr.write(
      `${k}: QEMU ${qemuSeconds.toFixed(3)} s, cxlemu ${e.seconds.toFixed(3)} s, ratio ${(qemuSeconds / e.seconds).toFixed(3)}${match ? '' : ' CHECKSUM DIFFERS'}\n`,
    );
  }
  const ratios = Object.values(kernels).map((r) => r.ratio);
  const geomean = ratios.length ? Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length) : null;
  return {
    bench: 'cpu-suite',
    quick: opts.quick,
    runs: opts.runs,
    qemuCpu: QEMU_CPU,
    qemuStartupSeconds: round(startup),
    kernels,
    geomeanRatio: geomean === null ? null : round(geomean, 4),
    allMatch: Object.values(kernels).every((r) => r.match && r.ok),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const quick = args.includes('--quick');
  const runs = Number(value('--runs') ?? (quick ? 1 : 3));
  const only = value('--only')?.split(',') ?? null;
  const unknown = only?.filter((k) => !(SUITE_KERNELS as readonly string[]).includes(k)) ?? [];
  if (!Number.isInteger(runs) || runs < 1 || unknown.length > 0) {
    console.error(`usage: cpu-suite [--runs N>=1] [--only ${SUITE_KERNELS.join('|')}[,...]] [--quick] [--bin dir]`);
    process.exit(2);
  }
  const out = await runSuite({ runs, only, quick, bin: value('--bin') ?? GUEST_BIN });
  console.log(JSON.stringify(out, null, 2));
  if (!out['allMatch']) process.exitCode = 1;
}
