// Runs the integer benchmark (guests/bin/bench.elf, 2.89 billion RV64IMAC instructions) on
// qemu-system-riscv64 -M virt (TCG) and prints JSON: wall seconds (including QEMU start-up, which
// is measured separately with hello.elf and subtracted for `mips`), the checksum line, and an
// MIPS from the instruction count measured once (BENCH_INSTRUCTIONS).
// Usage: node dist/bench/guest-qemu.js [--elf path] [--runs N]   (a *-cxl.elf runs with -m 8G)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GUEST_BIN, HAVE_QEMU, runQemu } from '../test/diff/harness.js';

/**
 * Instructions the benchmark retires up to its finisher write, by iteration count. bench-small:
 * QEMU's exec trace (`-singlestep -d exec,nochain`) counted 18,142,560, of which 5 are QEMU's reset
 * ROM and 1 the instruction after the finisher write; cxlemu's instret gave 18,142,554, the same.
 * bench.elf: cxlemu's instret (a QEMU exec trace would take over an hour). QEMU's minstret under
 * `-icount shift=0` is not usable for this: it read 5.55 M for one iteration that retires 3.65 M,
 * and varied between runs. Other counts are estimated at the 800-iteration average.
 */
export const BENCH_INSTRUCTIONS: Record<number, number> = { 5: 18_142_554, 800: 2_885_841_029 };
export function benchInstructions(iterations: number): number {
  return BENCH_INSTRUCTIONS[iterations] ?? Math.round((BENCH_INSTRUCTIONS[800]! / 800) * iterations);
}

export interface QemuBenchResult {
  elf: string;
  iterations: number;
  checksum: string;
  ok: boolean;
  seconds: number;
  startupSeconds: number;
  instructions: number;
  mips: number | null;
}

export function parseBenchLine(uart: string): { iterations: number; checksum: string; ok: boolean } | null {
  const m = /bench: iterations=(\d+) checksum=(0x[0-9a-f]{16}) (ok|FAIL)/.exec(uart);
  return m ? { iterations: Number(m[1]), checksum: m[2]!, ok: m[3] === 'ok' } : null;
}

/** ELFs linked at the CXL window base (name contains "-cxl") run on QEMU from RAM with -m 8G. */
export function qemuOptionsFor(elf: string): { memory?: string; loader?: boolean } {
  return /-cxl[^/]*\.elf$/.test(elf) ? { memory: '8G', loader: true } : {};
}

export async function benchQemu(elf = join(GUEST_BIN, 'bench.elf'), runs = 3): Promise<QemuBenchResult> {
  if (!HAVE_QEMU) throw new Error('qemu-system-riscv64 is not installed (Debian: qemu-system-misc)');
  let startup = Infinity;
  for (let i = 0; i < 3; i++) startup = Math.min(startup, (await runQemu(join(GUEST_BIN, 'hello.elf'))).seconds);
  let best = Infinity;
  let parsed: ReturnType<typeof parseBenchLine> = null;
  for (let i = 0; i < runs; i++) {
    const r = await runQemu(elf, { timeoutMs: 600_000, ...qemuOptionsFor(elf) });
    const p = parseBenchLine(r.uart);
    if (r.kind !== 'pass' || !p) throw new Error(`QEMU benchmark run failed: ${r.kind} ${r.code}\n${r.uart}`);
    if (parsed && parsed.checksum !== p.checksum)
      throw new Error(`checksum unstable: ${parsed.checksum} vs ${p.checksum}`);
    parsed = p;
    best = Math.min(best, r.seconds);
  }
  const instructions = benchInstructions(parsed!.iterations);
  return {
    elf,
    iterations: parsed!.iterations,
    checksum: parsed!.checksum,
    ok: parsed!.ok,
    seconds: best,
    startupSeconds: startup,
    instructions,
    // Runs shorter than ~50 ms after start-up are dominated by noise: no MIPS figure.
    mips: best - startup >= 0.05 ? instructions / (best - startup) / 1e6 : null,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  const elfArg = args.indexOf('--elf');
  const runsArg = args.indexOf('--runs');
  const r = await benchQemu(elfArg >= 0 ? args[elfArg + 1] : undefined, runsArg >= 0 ? Number(args[runsArg + 1]) : 3);
  console.log(JSON.stringify({ bench: 'guest-qemu', ...r }, null, 2));
}
