// Interpreter speed on small integer loops (RV64IMAC, M-mode, code and data in RAM).
// Prints JSON: MIPS per loop (best of several passes; the machines are shared and noisy), and
// slow-path counts by reason from a separate counted pass (STYLE habit 14).
// Run: npx tsc -p tsconfig.json && node dist/bench/cpu-interp.js [--quick]
import { AddressSpace, Arena, BackingStore } from '../src/memory/index.js';
import { CpuSlowPath, Hart } from '../src/cpu/hart.js';
import { a, li, reg } from '../test/cpu/asm.js';

const RAM = 0x8000_0000;
const quick = process.argv.includes('--quick');

interface Loop {
  name: string;
  /** Code words (32-bit) or parcels (16-bit) at RAM. */
  words?: number[];
  halves?: number[];
  setup?: (h: Hart, bus: AddressSpace) => void;
}

const N = 1 << 24;
const loops: Loop[] = [
  {
    name: 'count (addi/bne)',
    words: [...li(reg.a1, BigInt(N)), a.addi(reg.a0, reg.a0, 1), a.bne(reg.a0, reg.a1, -4), a.ebreak()],
  },
  {
    name: 'count (compressed c.addi/bne)',
    // c.addi a0,1 ; bne a0,a1,-2 as parcels after li
    halves: [
      ...li(reg.a1, BigInt(N)).flatMap((w) => [w & 0xffff, w >>> 16]),
      0x0505,
      a.bne(reg.a0, reg.a1, -2) & 0xffff,
      a.bne(reg.a0, reg.a1, -2) >>> 16,
      0x9002,
    ],
  },
  {
    name: 'array sum (ld/add/addi/bne, 64 KiB)',
    words: [
      ...li(reg.a2, BigInt(RAM + 0x100000)), // array
      ...li(reg.a3, BigInt(RAM + 0x110000)), // end
      ...li(reg.a4, 256n), // outer count
      a.addi(reg.a1, reg.a2, 0), // outer: p = array
      a.ld(reg.t0, reg.a1, 0), // inner
      a.add(reg.a0, reg.a0, reg.t0),
      a.addi(reg.a1, reg.a1, 8),
      a.bne(reg.a1, reg.a3, -12),
      a.addi(reg.a4, reg.a4, -1),
      a.bne(reg.a4, 0, -24),
      a.ebreak(),
    ],
  },
  {
    name: 'crc32 bitwise (xor/andi/srli/sub/and)',
    words: [
      ...li(reg.a4, BigInt(N / 4)), // bytes
      ...li(reg.a5, 0xedb88320n),
      a.addi(reg.a0, 0, -1),
      // byte loop: a0 ^= a4 & 0xff ; 8x { t0 = a0 & 1 ; t0 = -t0 ; a0 >>= 1 ; t0 &= a5 ; a0 ^= t0 }
      a.andi(reg.t1, reg.a4, 0xff),
      a.xor(reg.a0, reg.a0, reg.t1),
      a.addi(reg.t2, 0, 8),
      a.andi(reg.t0, reg.a0, 1),
      a.sub(reg.t0, 0, reg.t0),
      a.srli(reg.a0, reg.a0, 1),
      a.and(reg.t0, reg.t0, reg.a5),
      a.xor(reg.a0, reg.a0, reg.t0),
      a.addi(reg.t2, reg.t2, -1),
      a.bne(reg.t2, 0, -24),
      a.addi(reg.a4, reg.a4, -1),
      a.bne(reg.a4, 0, -44),
      a.ebreak(),
    ],
  },
  {
    name: 'call/return + stack (jal/sd/ld/jalr)',
    words: [
      ...li(reg.sp, BigInt(RAM + 0x200000)),
      ...li(reg.a4, BigInt(N / 8)),
      a.jal(reg.ra, 20), // loop: call f
      a.addi(reg.a4, reg.a4, -1),
      a.bne(reg.a4, 0, -8),
      a.ebreak(),
      a.addi(0, 0, 0),
      a.addi(reg.sp, reg.sp, -16), // f:
      a.sd(reg.ra, reg.sp, 8),
      a.addi(reg.a0, reg.a0, 3),
      a.ld(reg.ra, reg.sp, 8),
      a.addi(reg.sp, reg.sp, 16),
      a.jalr(0, reg.ra, 0),
    ],
  },
  {
    name: 'mul/div mix (mul/mulhu/divu/remu)',
    words: [
      ...li(reg.a4, BigInt(N / 8)),
      ...li(reg.a1, 0x9e3779b97f4a7c15n),
      a.addi(reg.a0, 0, 12345),
      a.mul(reg.a0, reg.a0, reg.a1),
      a.mulhu(reg.t0, reg.a0, reg.a1),
      a.ori(reg.t1, reg.a4, 7),
      a.divu(reg.t2, reg.t0, reg.t1),
      a.remu(reg.t3, reg.a0, reg.t1),
      a.add(reg.a0, reg.a0, reg.t2),
      a.add(reg.a0, reg.a0, reg.t3),
      a.addi(reg.a4, reg.a4, -1),
      a.bne(reg.a4, 0, -32),
      a.ebreak(),
    ],
  },
];

function machine(loop: Loop) {
  const arena = new Arena({ bytes: 64 << 20 });
  const bus = new AddressSpace(arena);
  bus.begin();
  bus.ram('ram', RAM, new BackingStore(arena, { name: 'ram', size: 16 << 20 }));
  bus.commit();
  if (loop.words) loop.words.forEach((w, i) => bus.store(RAM + 4 * i, 4, w >>> 0));
  if (loop.halves) loop.halves.forEach((w, i) => bus.store(RAM + 2 * i, 2, w & 0xffff));
  for (let i = 0; i < 0x10000; i += 8) bus.store(RAM + 0x100000 + i, 8, i, 0);
  const hart = new Hart({ arena, bus, hartId: 0, resetPc: RAM });
  hart.mtvecLo = (RAM + 0x300000) | 0; // the loop's ebreak traps to a wfi: run() returns 'wfi'
  bus.store(RAM + 0x300000, 4, a.wfi());
  return { hart, bus };
}

/** Run until the loop's ebreak lands on the wfi handler. */
function runLoop(
  loop: Loop,
  counted: boolean,
): { instructions: number; seconds: number; slow?: Record<string, number> } {
  const { hart } = machine(loop);
  hart.slowCounts = counted;
  const t0 = performance.now();
  while (hart.run(1 << 22) === 'limit' && hart.instret < 1e9);
  const seconds = (performance.now() - t0) / 1000;
  const out: { instructions: number; seconds: number; slow?: Record<string, number> } = {
    instructions: hart.instret,
    seconds,
  };
  if (counted) {
    out.slow = {};
    for (let i = 0; i < CpuSlowPath.Count; i++) out.slow[CpuSlowPath[i]!] = hart.slow[i]!;
  }
  return out;
}

const passes = quick ? 1 : 3;
const results = loops.map((loop) => {
  let best = Infinity;
  let instructions = 0;
  for (let p = 0; p < passes; p++) {
    const r = runLoop(loop, false);
    instructions = r.instructions;
    best = Math.min(best, r.seconds);
  }
  const counted = runLoop(loop, true);
  return {
    name: loop.name,
    instructions,
    seconds: +best.toFixed(4),
    mips: +(instructions / best / 1e6).toFixed(1),
    slowPaths: counted.slow,
  };
});
const geo = Math.exp(results.reduce((s, r) => s + Math.log(r.mips), 0) / results.length);
console.log(
  JSON.stringify(
    { bench: 'cpu-interp', node: process.version, passes, geomeanMips: +geo.toFixed(1), loops: results },
    null,
    2,
  ),
);
