// Timing mode's speed: the integer benchmark (guests/bin/bench-region-ram.elf, about 144 M
// instructions, data and code in RAM) run in functional mode (JIT) and in timing mode (caches,
// MSHRs, prefetcher; interpreter), alternating, --runs times each (default 3). Reports each mode's
// guest MIPS (instructions over run seconds, start-up excluded, as `run` measures them) and
// timing mode's ratio to functional mode in the same run. The floor for timing mode is
// 30 MIPS (goal 100); functional mode must be unchanged by timing mode's existence (compare two
// builds with --cli). Prints JSON; asserts nothing.
// Run: npm run build && node dist/bench/timing-mode.js [--runs N] [--cli path/to/cli.js]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 3);
const CLI = resolve(repo, arg('--cli') ?? 'dist/bin/cxlemu.js');
const ELF = resolve(repo, 'guests', 'bin', 'bench-region-ram.elf');

function run(timing: boolean): { mips: number; instret: number; seconds: number } {
  const r = spawnSync(process.execPath, [CLI, 'run', '--kernel', ELF, '--json', ...(timing ? ['--timing'] : [])], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { mips: number; instret: number; seconds: number };
  if (r.status !== 0) throw new Error(`timing-mode bench: run failed (status ${r.status}): ${r.stderr}`);
  return { mips: json.mips, instret: json.instret, seconds: json.seconds };
}

const functional: number[] = [];
const timed: number[] = [];
for (let i = 0; i < RUNS; i++) {
  functional.push(run(false).mips);
  timed.push(run(true).mips);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify(
    {
      benchmark: 'bench-region-ram.elf (integer benchmark, 40 iterations)',
      runs: RUNS,
      functionalMips: { median: round(median(functional)), all: functional.map(round) },
      timingMips: { median: round(median(timed)), all: timed.map(round) },
      timingOverFunctional: Math.round((median(timed) / median(functional)) * 1000) / 1000,
      timingFloorMips: 30,
      meetsFloor: median(timed) >= 30,
    },
    null,
    2,
  ),
);
