// The floating-point benchmark against the integer one, in the JIT, in one process: MIPS of
// guests/bin/fpbench-long.elf (RV64GC: matrix fmadd.d, n-body, single-precision stencil,
// conversions; about 3 G instructions) and of guests/bin/bench.elf (integer; 2.9 G), alternating
// runs so load on the machine hits both alike, with translated fmadd.d done by the host's fused
// multiply-add (when host-fma.ts's probe finds it exact) and by the emulation. The bar is
// fp >= 0.5x integer. Prints JSON; each figure is the median of --passes runs (default 3).
// Run: npx tsc -p tsconfig.json && node dist/bench/fp-bench.js [--passes N] [--quick]
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hart } from '../src/cpu/hart.js';
import { hostFusedMultiplyAdd } from '../src/cpu/host-fma.js';
import { runProgram } from '../src/machine/board.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '..', '..', 'guests', 'bin');
const pi = process.argv.indexOf('--passes');
const PASSES = pi > 0 ? Number(process.argv[pi + 1]) : 3;
const quick = process.argv.includes('--quick');
const LIMIT = quick ? 600_000_000 : 10_000_000_000;

async function mips(elf: string, hostFma: boolean): Promise<{ mips: number; output: string; instret: number }> {
  let out = '';
  const r = await runProgram({
    kernel: resolve(BIN, elf),
    output: (c: Uint8Array) => {
      out += Buffer.from(c).toString('latin1');
    },
    maxInstructions: LIMIT,
    hartFactory: (o) => new Hart({ ...o, jitHostFma: hostFma }),
  });
  return { mips: r.instret / r.seconds / 1e6, output: out.trim(), instret: r.instret };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const host = hostFusedMultiplyAdd();
const runs: Record<string, number[]> = { integer: [], fpHostFma: [], fpEmulatedFma: [] };
let fpOutput = '';
let fpInstructions = 0;
for (let p = 0; p < PASSES; p++) {
  runs['integer']!.push((await mips('bench.elf', host)).mips);
  if (host) {
    const r = await mips('fpbench-long.elf', true);
    runs['fpHostFma']!.push(r.mips);
    fpOutput = r.output;
    fpInstructions = r.instret;
  }
  const e = await mips('fpbench-long.elf', false);
  runs['fpEmulatedFma']!.push(e.mips);
  fpOutput ||= e.output;
  fpInstructions ||= e.instret;
}
const integer = median(runs['integer']!);
const fpHost = host ? median(runs['fpHostFma']!) : null;
const fpEmu = median(runs['fpEmulatedFma']!);
console.log(
  JSON.stringify(
    {
      bench: 'fp-bench',
      passes: PASSES,
      hostFusedMultiplyAdd: host,
      integerMips: +integer.toFixed(0),
      fpMipsHostFma: fpHost === null ? null : +fpHost.toFixed(0),
      fpMipsEmulatedFma: +fpEmu.toFixed(0),
      ratioHostFma: fpHost === null ? null : +(fpHost / integer).toFixed(3),
      ratioEmulatedFma: +(fpEmu / integer).toFixed(3),
      fpInstructions,
      fpOutput,
      runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => +x.toFixed(0))])),
    },
    null,
    2,
  ),
);
