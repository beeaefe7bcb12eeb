// Warm-up: runs of a small program that executes every operation kind (RV64IMAC, Zicsr, traps and
// mret) in a private arena, once per process, interpreted and (when the guest's harts translate)
// translated. V8 compiles the interpreter loop and the translator with the type feedback it has
// seen; a case first reached after that compile deoptimizes the whole function. Running every case
// first keeps guests from paying for a deopt storm.
// Owns only that program and its throwaway machine; never touches a real guest.
//
// The program (M-mode at 0x8000_0010, handler at 0x8000_0000 skipping the trapping instruction):
// 8 iterations of all R/I-type ALU and M ops, every load/store width, LR/SC and all AMOs (W, D),
// CSR reads/writes, fences and pause, TLB flushes (csrw satp) so every load/store kind also takes
// its slow path, taken and untaken branches, jal and a jalr through a register (its base set by a
// jal: translated, auipc + jalr is a direct jump and would leave the indirect path cold), ecall,
// and RVC forms; then
// a three-step counted loop (`addi t0, t0, -1; bnez t0`: the JIT's loop runner); once, what a Linux
// boot also runs that the loop does not (FS on, fmv.w.x and fld, Zbb's clz/ctz/cpop (and W forms),
// orc.b and rev8, cbo.zero and cbo.flush, sfence.vma: each first met after V8 had compiled the
// interpreter or the translator deoptimized it) and a call to the next page and back; then ebreak
// and wfi.
// Built with test/cpu/asm.ts (parcels are 16-bit little-endian halves).
//
// Then the OS pass (src/cpu/warmup-os.S, assembled into warmup-os-program.ts), interpreted and
// translated: S-mode under Sv39 at kernel addresses with MMIO, PBMT, faults, interrupts, pause
// yields and rewritten code, which an M-mode program without paging never reaches.

import { AddressSpace, Arena, BackingStore, type MmioOps } from '../memory/index.js';
import { OS_ENTRY, OS_ITERATIONS, OS_SEGMENTS } from './warmup-os-program.js';

const RAM = 0x8000_0000;
const ENTRY = RAM + 16;

const MAIN_PARCELS: readonly number[] = [
  0x22f3, 0x3410, 0x8293, 0x0042, 0x9073, 0x3412, 0x0073, 0x3020, 0x0437, 0x0008, 0x041b, 0x0014, 0x1413, 0x00c4,
  0x0413, 0x8004, 0x0113, 0x0404, 0x0337, 0x0008, 0x1313, 0x00c3, 0x1073, 0x3053, 0x0493, 0x0080, 0x37b7, 0x0012,
  0x879b, 0x4567, 0x9793, 0x00c7, 0x8793, 0x78a7, 0x9793, 0x00c7, 0x8793, 0xabd7, 0x9793, 0x00c7, 0x8793, 0xdef7,
  0x0513, 0x0075, 0x85b3, 0x00a7, 0x0633, 0x00f5, 0x86b3, 0x00c5, 0x85b3, 0x40a7, 0x0633, 0x40f5, 0x86b3, 0x40c5,
  0x95b3, 0x00a7, 0x1633, 0x00f5, 0x96b3, 0x00c5, 0xa5b3, 0x00a7, 0x2633, 0x00f5, 0xa6b3, 0x00c5, 0xb5b3, 0x00a7,
  0x3633, 0x00f5, 0xb6b3, 0x00c5, 0xc5b3, 0x00a7, 0x4633, 0x00f5, 0xc6b3, 0x00c5, 0xd5b3, 0x00a7, 0x5633, 0x00f5,
  0xd6b3, 0x00c5, 0xd5b3, 0x40a7, 0x5633, 0x40f5, 0xd6b3, 0x40c5, 0xe5b3, 0x00a7, 0x6633, 0x00f5, 0xe6b3, 0x00c5,
  0xf5b3, 0x00a7, 0x7633, 0x00f5, 0xf6b3, 0x00c5, 0x85bb, 0x00a7, 0x063b, 0x00f5, 0x86bb, 0x00c5, 0x85bb, 0x40a7,
  0x063b, 0x40f5, 0x86bb, 0x40c5, 0x95bb, 0x00a7, 0x163b, 0x00f5, 0x96bb, 0x00c5, 0xd5bb, 0x00a7, 0x563b, 0x00f5,
  0xd6bb, 0x00c5, 0xd5bb, 0x40a7, 0x563b, 0x40f5, 0xd6bb, 0x40c5, 0x85b3, 0x02a7, 0x0633, 0x02f5, 0x86b3, 0x02c5,
  0x95b3, 0x02a7, 0x1633, 0x02f5, 0x96b3, 0x02c5, 0xa5b3, 0x02a7, 0x2633, 0x02f5, 0xa6b3, 0x02c5, 0xb5b3, 0x02a7,
  0x3633, 0x02f5, 0xb6b3, 0x02c5, 0xc5b3, 0x02a7, 0x4633, 0x02f5, 0xc6b3, 0x02c5, 0xd5b3, 0x02a7, 0x5633, 0x02f5,
  0xd6b3, 0x02c5, 0xe5b3, 0x02a7, 0x6633, 0x02f5, 0xe6b3, 0x02c5, 0xf5b3, 0x02a7, 0x7633, 0x02f5, 0xf6b3, 0x02c5,
  0x85bb, 0x02a7, 0x063b, 0x02f5, 0x86bb, 0x02c5, 0xc5bb, 0x02a7, 0x463b, 0x02f5, 0xc6bb, 0x02c5, 0xd5bb, 0x02a7,
  0x563b, 0x02f5, 0xd6bb, 0x02c5, 0xe5bb, 0x02a7, 0x663b, 0x02f5, 0xe6bb, 0x02c5, 0xf5bb, 0x02a7, 0x763b, 0x02f5,
  0xf6bb, 0x02c5, 0x8593, 0xffb7, 0x0613, 0x0645, 0xa593, 0xffb7, 0x2613, 0x0645, 0xb593, 0xffb7, 0x3613, 0x0645,
  0xc593, 0xffb7, 0x4613, 0x0645, 0xe593, 0xffb7, 0x6613, 0x0645, 0xf593, 0xffb7, 0x7613, 0x0645, 0x859b, 0xffb7,
  0x061b, 0x0645, 0x9593, 0x0037, 0x9613, 0x0287, 0x9693, 0x0007, 0xd593, 0x0037, 0xd613, 0x0287, 0xd693, 0x0007,
  0xd593, 0x4037, 0xd613, 0x4287, 0xd693, 0x4007, 0x959b, 0x0037, 0x961b, 0x01f7, 0xd59b, 0x0037, 0xd61b, 0x01f7,
  0xd59b, 0x4037, 0xd61b, 0x41f7, 0x15b7, 0x8000, 0x1617, 0x0000, 0x1073, 0x1800, 0x3423, 0x00f4, 0x3823, 0x00f4,
  0x1073, 0x1800, 0x3583, 0x0084, 0x3583, 0x0104, 0x1073, 0x1800, 0x2423, 0x00f4, 0x2823, 0x00f4, 0x1073, 0x1800,
  0x2583, 0x0084, 0x2583, 0x0104, 0x1073, 0x1800, 0x2423, 0x00f4, 0x2823, 0x00f4, 0x1073, 0x1800, 0x6583, 0x0084,
  0x6583, 0x0104, 0x1073, 0x1800, 0x1423, 0x00f4, 0x1823, 0x00f4, 0x1073, 0x1800, 0x1583, 0x0084, 0x1583, 0x0104,
  0x1073, 0x1800, 0x1423, 0x00f4, 0x1823, 0x00f4, 0x1073, 0x1800, 0x5583, 0x0084, 0x5583, 0x0104, 0x1073, 0x1800,
  0x0423, 0x00f4, 0x0823, 0x00f4, 0x1073, 0x1800, 0x0583, 0x0084, 0x0583, 0x0104, 0x1073, 0x1800, 0x0423, 0x00f4,
  0x0823, 0x00f4, 0x1073, 0x1800, 0x4583, 0x0084, 0x4583, 0x0104, 0x25af, 0x1004, 0x262f, 0x18f4, 0x262f, 0x18f4,
  0x25af, 0x08f4, 0x25af, 0x00f4, 0x25af, 0x20f4, 0x25af, 0x60f4, 0x25af, 0x40f4, 0x25af, 0x80f4, 0x25af, 0xa0f4,
  0x25af, 0xc0f4, 0x25af, 0xe0f4, 0x35af, 0x1004, 0x362f, 0x18f4, 0x362f, 0x18f4, 0x35af, 0x08f4, 0x35af, 0x00f4,
  0x35af, 0x20f4, 0x35af, 0x60f4, 0x35af, 0x40f4, 0x35af, 0x80f4, 0x35af, 0xa0f4, 0x35af, 0xc0f4, 0x35af, 0xe0f4,
  0x25f3, 0x3400, 0x25f3, 0xb000, 0x25f3, 0xb020, 0x25f3, 0xc000, 0x25f3, 0xc020, 0x25f3, 0xc010, 0x25f3, 0x3000,
  0x95f3, 0x3407, 0xe5f3, 0x3401, 0xf5f3, 0x3400, 0x55f3, 0x3401, 0x25f3, 0x3405, 0x35f3, 0x3405, 0x000f, 0x0ff0,
  0x100f, 0x0000, 0x0263, 0x00f5, 0x8263, 0x00a7, 0x0263, 0x00a5, 0x1263, 0x00f5, 0x9263, 0x00a7, 0x1263, 0x00a5,
  0x4263, 0x00f5, 0xc263, 0x00a7, 0x4263, 0x00a5, 0x5263, 0x00f5, 0xd263, 0x00a7, 0x5263, 0x00a5, 0x6263, 0x00f5,
  0xe263, 0x00a7, 0x6263, 0x00a5, 0x7263, 0x00f5, 0xf263, 0x00a7, 0x7263, 0x00a5, 0x00ef, 0x0040, 0x02ef, 0x0040,
  0x80e7, 0x0042, 0x0073, 0x0000, 0x0505, 0x4585, 0x862a, 0x962e, 0x4014, 0xc014, 0x6014, 0xe014, 0x6782, 0xe03e,
  0x4782, 0xc03e, 0x2505, 0x6785, 0x0532, 0x8105, 0x8505, 0x897d, 0x8d0d, 0x8d2d, 0x8d4d, 0x8d6d, 0x9d0d, 0x9d2d,
  0xa011, 0x0001, 0xc111, 0x0001, 0xe111, 0x0001, 0x000f, 0x0100, 0x8493, 0xfff4, 0x98e3, 0xc404, 0x0293, 0x0030,
  0x8293, 0xfff2, 0x9ee3, 0xfe02, 0x22b7, 0x0000, 0xa073, 0x3002, 0x8053, 0xf007, 0x3087, 0x0084, 0x9593, 0x6007,
  0x9593, 0x6017, 0x9593, 0x6027, 0x959b, 0x6007, 0x959b, 0x6017, 0xd593, 0x2877, 0xd593, 0x6b87, 0x200f, 0x0044,
  0x200f, 0x0024, 0x0073, 0x1200, 0x00ef, 0x3b50, 0x0073, 0x0010, 0x0073, 0x1050,
];

/** On the next page, where the main program's last `jal ra` lands: `jalr x0, 0(ra)` back. Control
 *  flow between pages takes paths of the interpreter and translator that code on one page never
 *  reaches (a Linux boot's first jump to another page deoptimized the interpreter). */
const FAR_PARCELS: readonly number[] = [0x8067, 0x0000];

/** The program: its main part from the start of RAM, the far part at RAM + 4 KiB. */
export const WARMUP_PARCELS: readonly number[] = [
  ...MAIN_PARCELS,
  ...new Array<number>(2048 - MAIN_PARCELS.length).fill(0),
  ...FAR_PARCELS,
];

/** Index of the parcel holding the iteration count (`addi s1, x0, 8`: imm in its upper 12 bits). */
const COUNT_PARCEL = WARMUP_PARCELS.indexOf(0x0493);

/** The program with `iterations` instead of 8 (the JIT pass runs its blocks after compiling them). */
export function warmUpProgram(iterations: number): readonly number[] {
  const p = [...WARMUP_PARCELS];
  p[COUNT_PARCEL + 1] = (iterations << 4) & 0xfff0;
  return p;
}

/** The part of Hart the warm-up drives. */
export interface WarmUpHart {
  run(n: number): string;
  instret: number;
  /** Pause hints may end its turn (as when another hart could run): the OS pass's pauses do. */
  mayYield: boolean;
}

let done = false;

/**
 * Run the warm-up once per process (later calls return at once): the program on an interpreting
 * hart, then, with `jit`, on a hart translating every block it meets (threshold 1), so the
 * translator and the dispatch paths have seen every kind of instruction and exit before V8 compiles
 * them (a Linux boot's wall time: 0.91 of that without the JIT pass). Returns instructions retired.
 */
export function warmUp(make: (opts: WarmUpOptions) => WarmUpHart, jit: boolean): number {
  if (done) return 0;
  done = true;
  const first = (parcels: readonly number[], jit: boolean) =>
    runPass([[0, parcels]], null, ENTRY, false, (o) => make({ ...o, jit }));
  const os = (iterations: number, jit: boolean) =>
    runPass(osProgram(iterations), scratchDevice(), RAM + OS_ENTRY, true, (o) => make({ ...o, jit }));
  let retired = first(WARMUP_PARCELS, false) + os(OS_PASS_ITERATIONS, false);
  if (jit) retired += first(warmUpProgram(JIT_PASS_ITERATIONS), true) + os(OS_JIT_PASS_ITERATIONS, true);
  return retired;
}

/** Iterations of the OS pass's S-mode loop: interpreted, and translated (as the first pass's
 *  JIT run: its blocks compile once hot and run translated after; the rewritten one recompiles). */
export const OS_PASS_ITERATIONS = 4;
export const OS_JIT_PASS_ITERATIONS = 10;
/** Where the OS pass's device is (warmup-os.S `DEV`): 4 KiB of plain registers. */
export const OS_DEVICE = 0x1000_0000;

/** The OS pass (src/cpu/warmup-os.S) with its S-mode loop run `iterations` times: [byte offset from RAM, 16-bit parcels] segments. */
export function osProgram(iterations: number): (readonly [number, readonly number[]])[] {
  // `addi s1, zero, N` at OS_ITERATIONS: N in the upper 12 bits of its upper parcel.
  const at = OS_ITERATIONS + 2;
  return OS_SEGMENTS.map(([off, parcels]) => {
    const k = (at - off) / 2;
    if (k < 0 || k >= parcels.length) return [off, parcels] as const;
    const p = [...parcels];
    p[k] = (p[k]! & 0x000f) | ((iterations << 4) & 0xfff0);
    return [off, p] as const;
  });
}

/** A device for the OS pass: 4 KiB of registers (`regs`) that read back what was written (any
 *  width the bus splits to). */
export function scratchDevice(regs = new Uint8Array(4096)): MmioOps {
  return {
    valid: { min: 1, max: 8 },
    impl: { min: 1, max: 4 },
    read(offset, size) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + regs[(offset + i) & 4095]!;
      return v;
    },
    write(offset, size, value) {
      for (let i = 0; i < size; i++) regs[(offset + i) & 4095] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    },
  };
}

/** Iterations of the JIT pass: its blocks compile on their 8th run, then run translated. */
export const JIT_PASS_ITERATIONS = 24;

export interface WarmUpOptions {
  arena: Arena;
  bus: AddressSpace;
  hartId: number;
  resetPc: number;
  /** Translate (every block, at its first runs) or interpret only. */
  jit: boolean;
}

/** The warm-up's throwaway machine: 64 KiB of RAM at RAM, and with `device` that at OS_DEVICE. */
export function warmUpMachine(device: MmioOps | null): { arena: Arena; bus: AddressSpace } {
  const arena = new Arena({ bytes: 16 * 65536 });
  const bus = new AddressSpace(arena);
  bus.begin();
  bus.ram('warm-up ram', RAM, new BackingStore(arena, { name: 'warm-up ram', size: 64 * 1024 }));
  if (device !== null) bus.mmio('warm-up device', OS_DEVICE, 4096, device);
  bus.commit();
  return { arena, bus };
}

/**
 * Run one pass: its [byte offset from RAM, parcels] segments loaded, from resetPc, until it waits
 * (its program ends in wfi) or 64 turns of 100,000 instructions; with `mayYield` its pause hints
 * end turns. Returns instructions retired.
 */
function runPass(
  segments: readonly (readonly [number, readonly number[]])[],
  device: MmioOps | null,
  resetPc: number,
  mayYield: boolean,
  make: (opts: Omit<WarmUpOptions, 'jit'>) => WarmUpHart,
): number {
  const { arena, bus } = warmUpMachine(device);
  for (const [off, parcels] of segments) parcels.forEach((h, i) => bus.store(RAM + off + 2 * i, 2, h));
  const hart = make({ arena, bus, hartId: 0, resetPc });
  hart.mayYield = mayYield;
  for (let i = 0; i < 64; i++) {
    const why = hart.run(100_000);
    if (why !== 'limit' && why !== 'yield') break;
  }
  return hart.instret;
}
