// The machine and the placements the region benchmarks share (bench/region-placement.ts,
// bench/region-bandwidth.ts): one description with four host bridges of one 1 GiB device each and
// four windows, each holding one region at its base, and the guest ELFs linked at those bases
// (guests/Makefile REGION_BASE_*). Each run builds a fresh machine with Machine.build and runs the
// ELF through runProgram, capturing the hart (for its slow-path counters and, once the JIT lands,
// its jitStats) through runProgram's hartFactory.
import { join } from 'node:path';
import { Machine } from '../src/machine/build.js';
import { boardOptionsForMachine, runProgram, type RunResult, type Board } from '../src/machine/board.js';
import { Hart, CpuSlowPath } from '../src/cpu/hart.js';
import type { DescriptionInput } from '../src/machine/description.js';
import { GUEST_BIN } from '../test/diff/harness.js';

export interface Placement {
  /** Key in JSON and in the ELF names (guests/bin/bench-region-<tag>.elf). */
  tag: 'ram' | 'cxl1' | 'cxl4' | 'cxl3' | 'cxlx';
  label: string;
  base: number;
}

export const PLACEMENTS: Placement[] = [
  { tag: 'ram', label: '(a) RAM', base: 0x8000_0000 },
  { tag: 'cxl1', label: '(b) non-interleaved CXL region (1 device)', base: 0x1_0000_0000 },
  { tag: 'cxl4', label: '(c) 4-way 256 B region over 4 host bridges', base: 0x2_0000_0000 },
  { tag: 'cxl3', label: '(d) 3-way 4 KiB region over 3 host bridges', base: 0x3_0000_0000 },
  { tag: 'cxlx', label: '(e) XOR region (2-way 256 B, CXIMS 0x404100)', base: 0x4_0000_0000 },
];

const dev = (i: number) => ({
  id: `hb${i}`,
  busNr: 0x10 * (i + 1),
  rootPorts: [{ id: `rp${i}`, port: 0, child: { kind: 'type3', id: `mem${i}`, volatile: { size: '1G' } } }],
});

/** Four host bridges (one 1 GiB device each), four windows, one region at each window's base. */
export function regionBenchDescription(): DescriptionInput {
  return {
    version: 1,
    ram: { size: '256M' },
    cpus: 1,
    cxl: {
      hostBridges: [dev(0), dev(1), dev(2), dev(3)],
      windows: [
        { id: 'W1', base: '0x1_0000_0000', size: '1G', targets: ['hb3'], granularity: 256 },
        { id: 'W4', base: '0x2_0000_0000', size: '4G', targets: ['hb0', 'hb1', 'hb2', 'hb3'], granularity: 256 },
        { id: 'W3', base: '0x3_0000_0000', size: '3G', targets: ['hb0', 'hb1', 'hb2'], granularity: 4096 },
        { id: 'WX', base: '0x4_0000_0000', size: '4G', targets: ['hb0', 'hb1'], granularity: 256, arithmetic: 'xor' },
      ],
      xorMaps: [{ granularity: 256, maps: ['0x404100'] }],
    },
    state: {
      regions: [
        {
          name: 'cxl1',
          window: 'W1',
          ways: 1,
          granularity: 256,
          size: '256M',
          base: '0x1_0000_0000',
          memdevs: ['mem3'],
        },
        {
          name: 'cxl4',
          window: 'W4',
          ways: 4,
          granularity: 256,
          size: '1G',
          base: '0x2_0000_0000',
          memdevs: ['mem0', 'mem1', 'mem2', 'mem3'],
        },
        {
          name: 'cxl3',
          window: 'W3',
          ways: 3,
          granularity: 4096,
          size: '768M',
          base: '0x3_0000_0000',
          memdevs: ['mem0', 'mem1', 'mem2'],
        },
        {
          name: 'cxlx',
          window: 'WX',
          ways: 2,
          granularity: 256,
          size: '512M',
          base: '0x4_0000_0000',
          memdevs: ['mem0', 'mem1'],
        },
      ],
    },
  } as unknown as DescriptionInput;
}

export function elfPath(kind: 'bench-region' | 'bandwidth', p: Placement): string {
  return join(GUEST_BIN, `${kind}-${p.tag}.elf`);
}

export interface GuestRun {
  result: RunResult;
  uart: string;
  /** CPU slow-path trips by reason (Hart.slow, counted while the run lasted). */
  cpuSlow: Record<string, number>;
  /** Memory-layer slow-path trips by reason (AddressSpace.counters). */
  memorySlow: Record<string, number>;
  /** The hart's JIT statistics when it has them (instructions in JIT code, exits by reason, ...). */
  jitStats?: unknown;
  /** Seconds to build the machine (not part of the run's seconds). */
  buildSeconds: number;
}

/** Build the benchmark machine, run one ELF on it, return the result and the counters. */
export async function runPlaced(
  elf: string,
  opts: { beforeRun?: (board: Board) => void; maxInstructions?: number } = {},
): Promise<GuestRun> {
  const t0 = performance.now();
  const m = Machine.build(regionBenchDescription());
  const buildSeconds = (performance.now() - t0) / 1000;
  let hart: Hart | undefined;
  const chunks: Uint8Array[] = [];
  try {
    m.addressSpace.counters.enabled = true;
    const result = await runProgram({
      kernel: elf,
      machine: boardOptionsForMachine(m),
      output: (c) => {
        chunks.push(c);
      },
      maxInstructions: opts.maxInstructions ?? 20_000_000_000,
      hartFactory: (o) => {
        hart = new Hart(o);
        hart.slowCounts = true;
        return hart;
      },
      ...(opts.beforeRun ? { beforeRun: opts.beforeRun } : {}),
    });
    const cpuSlow: Record<string, number> = {};
    if (hart) {
      for (let i = 0; i < CpuSlowPath.Count; i++)
        if (hart.slow[i]) cpuSlow[CpuSlowPath[i] ?? String(i)] = hart.slow[i]!;
    }
    const memorySlow = Object.fromEntries(Object.entries(m.addressSpace.counters.snapshot()).filter(([, v]) => v > 0));
    const h = hart as unknown as { jitStats?: unknown } | undefined;
    const js = h?.jitStats;
    const jitStats = typeof js === 'function' ? (js as () => unknown).call(hart) : js;
    return {
      result,
      uart: Buffer.concat(chunks).toString('utf8'),
      cpuSlow,
      memorySlow,
      buildSeconds,
      ...(jitStats !== undefined ? { jitStats } : {}),
    };
  } finally {
    m.close();
  }
}

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Instructions the JIT executed, when the hart reports them (0 with the interpreter). */
export function jitInstructions(jitStats: unknown): number {
  const n = (jitStats as { instructions?: unknown } | null | undefined)?.instructions;
  return typeof n === 'number' ? n : 0;
}
