// JIT vs interpreter on the integer benchmark (guests/bin/bench.elf out of RAM on the plain board;
// bench-cxl.elf out of region R0 of the default machine: 4-way, 256 B interleave). Prints JSON:
// MIPS per engine (best of --passes runs of a fixed instruction count), the JIT's share of
// instructions executed in translated code, exits to JS by reason, blocks compiled, compile time
// per block and its share of the run, and the CXL/RAM ratio measured in the same process.
// Run: npx tsc -p tsconfig.json && node dist/bench/jit-bench.js [--quick] [--instructions N]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hart } from '../src/cpu/hart.js';
import type { JitStats } from '../src/cpu/jit.js';
import { runProgram } from '../src/machine/board.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '..', '..', 'guests', 'bin');
const quick = process.argv.includes('--quick');
const ni = process.argv.indexOf('--instructions');
const N = ni > 0 ? Number(process.argv[ni + 1]) : quick ? 50_000_000 : 1_000_000_000;
const NI = Math.min(N, quick ? 20_000_000 : 60_000_000); // the interpreter gets fewer (it is ~10x slower)

interface Pass {
  mips: number;
  seconds: number;
  instret: number;
  jit?: JitStats | null;
}

async function machineOption(cxl: boolean): Promise<Record<string, unknown> | undefined> {
  if (!cxl) return undefined;
  const mod = (await import('../src/machine/index.js')) as unknown as {
    Machine: { build(d: unknown): { arena: unknown; addressSpace: unknown; ram: Record<string, unknown> } };
    defaultDescription(): unknown;
  };
  const m = mod.Machine.build(mod.defaultDescription());
  return { arena: m.arena, addressSpace: m.addressSpace, ram: { ...m.ram, mapped: true } };
}

async function once(elf: string, jit: boolean, n: number, cxl: boolean): Promise<Pass> {
  let hart: Hart | undefined;
  const machine = await machineOption(cxl);
  const t0 = performance.now();
  const r = await runProgram({
    kernel: elf,
    output: () => {},
    maxInstructions: n,
    ...(machine ? { machine: machine as never } : {}),
    hartFactory: (o) => (hart = new Hart({ ...o, jit })),
  });
  const seconds = r.seconds > 0 ? r.seconds : (performance.now() - t0) / 1000;
  return { mips: r.instret / seconds / 1e6, seconds, instret: r.instret, jit: hart!.jitStats };
}

function summary(p: Pass): Record<string, unknown> {
  const s = p.jit;
  if (!s) return { mips: +p.mips.toFixed(1), instructions: p.instret, seconds: +p.seconds.toFixed(3) };
  return {
    mips: +p.mips.toFixed(1),
    instructions: p.instret,
    seconds: +p.seconds.toFixed(3),
    shareInJit: +(s.instructions / p.instret).toFixed(4),
    blocksCompiled: s.blocksCompiled,
    modules: s.modules,
    compileMs: +s.compileMs.toFixed(1),
    compileUsPerBlock: +((s.compileMs * 1000) / Math.max(1, s.blocksCompiled)).toFixed(1),
    compileShareOfRun: +(s.compileMs / 1000 / p.seconds).toFixed(4),
    exits: s.exits,
    invalidatedBlocks: s.invalidatedBlocks,
    flushes: s.flushes,
  };
}

const ram = join(BIN, 'bench.elf');
const cxlElf = join(BIN, 'bench-cxl.elf');
const passes = quick ? 1 : 5;
const out: Record<string, unknown> = { instructionsJit: N, instructionsInterpreter: NI, passes };
if (!existsSync(ram)) {
  out['error'] = `${ram} missing (make -C guests)`;
} else {
  // Passes interleave the three runs so load changes on the shared host hit them alike.
  let interp: Pass | null = null,
    jitRam: Pass | null = null,
    jitCxl: Pass | null = null;
  let cxlError: string | null = null;
  const better = (a: Pass | null, b: Pass) => (a === null || b.mips > a.mips ? b : a);
  for (let i = 0; i < passes; i++) {
    interp = better(interp, await once(ram, false, NI, false));
    jitRam = better(jitRam, await once(ram, true, N, false));
    if (existsSync(cxlElf) && cxlError === null) {
      try {
        jitCxl = better(jitCxl, await once(cxlElf, true, N, true));
      } catch (e) {
        cxlError = (e as Error).message;
      }
    }
  }
  out['interpreter'] = summary(interp!);
  out['jit'] = summary(jitRam!);
  out['speedup'] = +(jitRam!.mips / interp!.mips).toFixed(2);
  if (jitCxl !== null) {
    out['jitCxl'] = summary(jitCxl);
    out['cxlOverRam'] = +(jitCxl.mips / jitRam!.mips).toFixed(3);
  } else if (cxlError !== null) {
    out['jitCxl'] = { error: cxlError };
  }
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
