// Load, store, memset and memcpy bandwidth of guest code whose buffers (and code and stack) sit in
// RAM or in a CXL region: guests/bench/bandwidth.c linked at each placement's base
// (bench/region-machines.ts), one run per operation, job passed through a RAM mailbox written just
// before the first instruction. Bandwidth = buffer bytes x passes / run seconds (memcpy: bytes
// copied); each figure's ratio to RAM is measured in the same run. Works with the interpreter and
// picks up the JIT through runProgram.
// Usage: node dist/bench/region-bandwidth.js [--bytes 1M] [--reps 256] [--runs 2 (best of)] [--only cxl4]
import { PLACEMENTS, elfPath, jitInstructions, round, runPlaced } from './region-machines.js';
import type { Board } from '../src/machine/board.js';
import { parseSize } from '../src/machine/sizes.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const bytes = parseSize(opt('--bytes') ?? '1M') ?? 2 ** 20;
const reps = Number(opt('--reps') ?? 256);
const runs = Math.max(1, Number(opt('--runs') ?? 2));
const only = opt('--only') ? new Set(opt('--only')!.split(',')) : null;
const MAILBOX = 0x8100_0000;
const OPS = [
  { name: 'load', bit: 1 },
  { name: 'store', bit: 2 },
  { name: 'memset', bit: 4 },
  { name: 'memcpy', bit: 8 },
] as const;

type Figure = {
  mbPerSecond: number;
  mips: number;
  instret: number;
  seconds: number;
  ratioToRam?: number;
  shareInJit: number;
  check: string | null;
  cpuSlow: Record<string, number>;
  jitStats?: unknown;
};
const results: Record<string, Record<string, Figure>> = {};
let ok = true;
const job = (bit: number) => (board: Board) => {
  board.addressSpace.store(MAILBOX, 8, bit, 0);
  board.addressSpace.store(MAILBOX + 8, 8, bytes % 2 ** 32, Math.floor(bytes / 2 ** 32));
  board.addressSpace.store(MAILBOX + 16, 8, reps, 0);
};
// Warm up, then measure round-robin (a shared host's load drifts alike for every placement); best run wins.
await runPlaced(elfPath('bandwidth', PLACEMENTS[0]!), { beforeRun: job(15), maxInstructions: 20_000_000 });
const chosen = PLACEMENTS.filter((p) => !only || only.has(p.tag) || p.tag === 'ram');
for (let i = 0; i < runs; i++) {
  for (const p of chosen) {
    const row = (results[p.tag] ??= {});
    for (const op of OPS) {
      const r = await runPlaced(elfPath('bandwidth', p), { beforeRun: job(op.bit) });
      const m = /check=(0x[0-9a-f]+)/.exec(r.uart);
      if (r.result.exit.kind !== 'pass' || !m) ok = false;
      const moved = bytes * reps;
      const f: Figure = {
        mbPerSecond: round(moved / r.result.seconds / 2 ** 20, 1),
        mips: round(r.result.mips, 1),
        instret: r.result.instret,
        seconds: round(r.result.seconds),
        shareInJit: r.result.instret > 0 ? round(jitInstructions(r.jitStats) / r.result.instret, 4) : 0,
        check: m ? m[1]! : null,
        cpuSlow: r.cpuSlow,
        ...(r.jitStats !== undefined ? { jitStats: r.jitStats } : {}),
      };
      if (!row[op.name] || f.mbPerSecond > row[op.name]!.mbPerSecond) row[op.name] = f;
      process.stderr.write(`run ${i + 1}/${runs} ${p.tag} ${op.name}: ${f.mbPerSecond} MiB/s (${f.mips} MIPS)\n`);
    }
  }
}
const ram = results['ram']!;
for (const [tag, row] of Object.entries(results)) {
  for (const op of OPS) {
    const x = row[op.name]!;
    x.ratioToRam = round(x.mbPerSecond / ram[op.name]!.mbPerSecond);
    // Same program, same job: the result must not depend on where the buffers are.
    if (x.check !== ram[op.name]!.check || x.instret !== ram[op.name]!.instret) {
      ok = false;
      process.stderr.write(`${tag} ${op.name}: check ${x.check} / instret ${x.instret} differ from RAM\n`);
    }
  }
}
const out = {
  bench: 'region-bandwidth',
  elf: 'guests/bin/bandwidth-<placement>.elf',
  bufferBytes: bytes,
  passes: reps,
  runs,
  engine: Object.values(results).some((row) => Object.values(row).some((x) => x.shareInJit > 0))
    ? 'jit'
    : 'interpreter',
  ok,
  placements: results,
  ratios: Object.fromEntries(
    Object.entries(results).map(([tag, row]) => [
      tag,
      Object.fromEntries(OPS.map((op) => [op.name, row[op.name]!.ratioToRam])),
    ]),
  ),
};
console.log(JSON.stringify(out, null, 2));
if (!ok) process.exitCode = 1;
