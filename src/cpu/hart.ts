// One RV64IMAC hart (Zicsr, Zifencei, Zicntr; M/S/U; Sv39; PMP): the interpreter, traps, CSRs,
// the CPU's small software TLB (in the arena, shared with translated code; entry format in tlb.ts)
// and the dispatch loop that runs the block JIT's translations (jit.ts, jit-translate.ts;
// docs/jit.md). It owns architectural state and the decoded-instruction cache; it never decodes
// the physical address map itself and never sees a CXL route (AddressSpace.resolvePage says all
// it needs of a physical page, chunk tables included), and never throws for guest behaviour:
// faults become traps, kept as cause/tval in fields.
//
// Hot path (STYLE habit 3): fetch is "pc - pageBase < 4094" then an indexed read of the decoded
// page; loads/stores are one TLB probe (tlbProbe: tag compare with the misalignment bits, page
// then 256 B chunk) then a typed-array access. A miss, in either engine, goes to one slow entry
// (memSlowNoTlbProbe) that never probes again; everything else (MMIO, misaligned, page crossing,
// code-page writes) goes to named slow functions, counted by reason when `slowCounts` is enabled.
// exec keeps every hot instruction in one switch: moving a group into a method (measured: the
// RV64 word operations) cost ~20% interpreter speed; only cold groups (execCold) live outside.
//
// Numbers: registers are Int32 halves (lo, hi) in the arena. The pc is a Number (exact: Sv39
// addresses are sign-extended 39-bit, physical ones below 2^52); a jump to a target outside
// +-2^52 sets pc = NaN and keeps the exact halves in bigPcLo/bigPcHi for the fetch fault.
// `x & 0xfff` on such a Number is exact (ToInt32 is exact modulo 2^32 for integers).

import { type HartInterruptFiles, readIreg, topiOf, writeIreg } from './aia-csrs.js';
import type { DataTiming } from './data-timing.js';
import { TimingPageCache } from './timing-page-cache.js';
import type { AddressSpace, Arena } from '../memory/index.js';
import { PageFlag } from '../memory/index.js';
import {
  Cause,
  CSR,
  IRQ_PRIORITY,
  MEDELEG_WMASK,
  MIE_WMASK,
  MIP_MEIP,
  MIP_MSIP,
  MIP_MTIP,
  MIP_SEIP,
  MIP_SSIP,
  MIP_STIP,
  MIP_WMASK,
  MISA_HI,
  MISA_LO,
  MSTATUS_FS_SHIFT,
  MSTATUS_HI,
  MENVCFG_HI_PBMTE,
  MENVCFG_HI_STCE,
  ENVCFG_CBCFE,
  ENVCFG_CBIE_SHIFT,
  ENVCFG_CBZE,
  ENVCFG_FIOM,
  MSTATUS_MIE,
  MSTATUS_MPIE,
  MSTATUS_MPP,
  MSTATUS_MPP_SHIFT,
  MSTATUS_MPRV,
  MSTATUS_MXR,
  MSTATUS_SIE,
  MSTATUS_SPIE,
  MSTATUS_SPP,
  MSTATUS_SUM,
  MSTATUS_TSR,
  MSTATUS_TVM,
  MSTATUS_TW,
  MSTATUS_WMASK,
  S_INTERRUPTS,
  SSTATUS_HI,
  SSTATUS_MASK,
  SSTATUS_WMASK,
} from './csr.js';
import { decodeInto, decodeOne, FENCE_PAUSE } from './decode.js';
import { disassemble } from './disasm.js';
import { divu64, mul64, mulh64, mulhsu64, mulhu64, out as m64, rem as r64 } from './int64.js';
import { isBitOp, isFpOp, Op, SLOT_WORDS, X0_SINK } from './isa.js';
import { bitOp, bitOut } from './bitmanip.js';
import { FP_CELL_FS, Fpu } from './fpu.js';
import { Pmp, PMP_R, PMP_W, PMP_X } from './pmp.js';
import { warmUp } from './warmup.js';
import { type DebugHit, DebugPoints } from './debug-points.js';
import { isTriggerCsr, Triggers } from './triggers.js';
import { JIT_PAGE_CELLS, Jit, jitSlotsFor, type CodeSource, type JitHost, type JitStats } from './jit.js';
import { LOOP_BUFFER_BYTES } from './loop-runner.js';
import { CallOut, JC_SIZE, JitExit, type JitLayout } from './jit-translate.js';
import {
  CHUNK,
  CHUNKS_PER_PAGE,
  chunkFill,
  chunkUse,
  chunkWriteFill,
  chunkProbe,
  G_MASK,
  G_SIZE,
  pageProbe,
  TLB_EMPTY,
  TLB_ENTRY_WORDS,
  TLB_MASK,
  TLB_SIZE,
  tlbDropArenaPage,
  tlbDropPage,
  tlbEmptyEntry,
  tlbFill,
  tlbProbe,
} from './tlb.js';

/**
 * Why run() returned: its budget ran out; WFI with nothing that could wake the hart (`waiting`);
 * stopped on request; or `yield`: with `mayYield`, the hart gave up the rest of its turn where it
 * could make no progress alone (a WFI that completes at once because an enabled interrupt is
 * pending but masked, or PAUSE_YIELD `pause` hints: a spin loop).
 */
export type RunStop = 'limit' | 'wfi' | 'stop' | 'yield';

/**
 * `pause` hints (Zihintpause, Linux's cpu_relax) in one turn after which a hart that may yield does:
 * a spin-wait iteration is 5-10 instructions, so a hart waiting for a lock held by a hart that is
 * not running gives its turn back after a few hundred instructions instead of a whole turn (what
 * hypervisors call pause-loop exiting).
 */
export const PAUSE_YIELD = 64;
/** The pause countdown of a hart that may not yield (2^31 - 1: never reached in one turn). */
const PAUSE_NEVER = 0x7fffffff;
export type Priv = 0 | 1 | 3;
export const PRIV_U = 0,
  PRIV_S = 1,
  PRIV_M = 3;

/** Register writes reported to onTrace: [register number, new value]. */
export type TraceRegWrites = [number, bigint][];

/** Why the interpreter left its fast path (STYLE habit 14). */
export enum CpuSlowPath {
  FetchPageChange = 0,
  FetchUncached,
  FetchStraddle,
  LoadMiss,
  StoreMiss,
  Misaligned,
  PageCross,
  Mmio,
  PageWalk,
  CodeInvalidate,
  Trap,
  Interrupt,
  Count,
}

export interface HartOptions {
  arena: Arena;
  bus: AddressSpace;
  hartId: number;
  resetPc: number;
  /** Skip the once-per-process interpreter warm-up (warmup.ts). */
  noWarmUp?: boolean;
  /** Block JIT to WebAssembly (default on; the environment variable CXLEMU_JIT=0 forces it off). */
  jit?: boolean;
  /** Interpreted executions of a block before it is compiled (tests use 1). */
  jitThreshold?: number;
  /** Translated fmadd.d uses the host's fused multiply-add (default: when probed exact; tests force both). */
  jitHostFma?: boolean;
  /** The JIT's loop runner (jit.ts JitOptions.loopRunner; default on). */
  jitLoopRunner?: boolean;
}

/** Whether harts use the JIT unless told otherwise: CXLEMU_JIT=0 forces the interpreter. */
export const JIT_DEFAULT = process.env['CXLEMU_JIT'] !== '0';
/** PageFlag.Observed when the memory layer has it: such pages are never cached (every access counted). */
const OBSERVED: number = (PageFlag as Record<string, number>)['Observed'] ?? 0;
/** Flags that keep a page out of the load TLB / fetch cache. */
const NO_CACHE = PageFlag.Mmio | PageFlag.Split | PageFlag.Granule | PageFlag.Fault | OBSERVED;

const TWO32 = 4294967296;
/**
 * Per arena: 256 B chunks of fine-interleaved device pages that hold code (see markCodeChunk), each
 * with the 16-byte granules of it that hold code (bits 0..15; a superset once code there is gone).
 */
const CODE_CHUNKS = new WeakMap<Arena, Map<number, number>>();
/** Per arena: its harts (a code mark by one drops the others' cached write translations). */
const ARENA_HARTS = new WeakMap<Arena, Hart[]>();
const ACC_R = 0,
  ACC_W = 1,
  ACC_X = 2;
const PAGE_CAUSE = [Cause.LoadPage, Cause.StorePage, Cause.InstPage];
const ACCESS_CAUSE = [Cause.LoadAccess, Cause.StoreAccess, Cause.InstAccess];
const _PMP_BIT = [PMP_R, PMP_W, PMP_X];
const SLOTS_PER_PAGE = 2048;
/** Chunk write-TLB fills remembered for a selective emptying (emptyChunkWriteTlb). */
const GW_FILLED_MAX = 256;
/** Svpbmt's IO memory type. */
const PBMT_IO = 2;
/** Zicbom/Zicboz cache-block size (the device tree's riscv,cbo*-block-size, the RHCT CMO node). */
/** The LR/SC reservation's cells (JitLayout.resCells): i32 each; the value as an i64 at RES_VAL_LO. */
const RES_VALID = 0,
  RES_LO = 1,
  RES_HI = 2,
  RES_SIZE = 3,
  RES_VAL_LO = 4,
  RES_VAL_HI = 5;

/**
 * Guest instructions a hart runs before the warm-up (warmup.ts, once per process). A guest that
 * ends sooner (hello.elf: 928) never pays for it: 30-45 ms with the JIT pass, and ~50 ms more at exit,
 * where Node waits for V8's background compile of the warmed-up interpreter loop. V8 marks that
 * loop hot after about 1,500-2,000 guest instructions, so a longer guest is still warmed up before
 * the loop is compiled.
 */
export const WARM_UP_AFTER = 1_000;

export const CBO_BLOCK = 64;

/** What exec does after an instruction execCold ran. */
const enum Cold {
  /** Continue with the next instruction. */
  Next = 0,
  /** Continue with the next instruction, after leaving the loop (brk: CSR write, sfence, wfi). */
  NextAndLeave = 1,
  /** An exception is pending (this.exc). */
  Trap = 2,
  /** Control went to this.pc (mret, sret, or the trap they raised); leave the loop. */
  Jumped = 3,
}

export class Hart implements JitHost {
  readonly arena: Arena;
  readonly bus: AddressSpace;
  readonly hartId: number;
  /** Program counter (see the header for the NaN convention). */
  pc: number;
  priv: Priv = PRIV_M;
  /** Registers: lo halves x0..x31 then the x0 write sink (32). In the arena. */
  readonly rl: Int32Array;
  readonly rh: Int32Array;
  /** f0..f31, fflags, frm and mstatus.FS (in the arena too). */
  readonly fpu: Fpu;
  /** CLINT mtime, set by the board (for the `time` CSR). */
  getTime: () => number = () => 0;
  onTrace?: ((pc: number, insnText: string, regWrites: TraceRegWrites) => void) | undefined;
  /** Set to count slow-path trips in `slow` (off by default: one compare on slow paths only). */
  slowCounts = false;
  readonly slow = new Uint32Array(CpuSlowPath.Count);

  // ---- CSR state ----
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /**
   * Smaia/Ssaia: this hart's IMSIC interrupt files, given by the board; null = no AIA (every AIA
   * CSR is illegal, as on a PLIC machine).
   */
  interruptFiles: HartInterruptFiles | null = null;
  /**
   * Timing mode: the model every data access is charged to (src/perf); null = functional mode.
   * While set, no data TLB entry is filled, so every load and store reaches loadSlow/storeSlow.
   */
  dataTiming: DataTiming | null = null;
  /**
   * Functional-mode traffic counters (`run --stats`): told of every data access that takes the
   * slow path (a TLB miss or fill, MMIO, a misaligned or page-crossing piece) with its physical
   * address; null = nobody counts. Accesses that hit the TLB are not seen (docs/timing.md).
   */
  dataSlowSink: ((pa: number, size: number, write: boolean) => void) | null = null;
  /** Cycles the timing model stalled this hart (cycle = instructions + stalls). */
  stallCycles = 0;
  /** Timing mode's read and write page caches (timing-page-cache.ts). */
  private readonly timedReads = new TimingPageCache();
  private readonly timedWrites = new TimingPageCache();
  private miselect = 0;
  private siselect = 0;
  /** Software-written mip bits (SSIP, STIP, SEIP). */
  mipSw = 0;
  /** Lines driven by the board (MSIP, MTIP, MEIP, SEIP). */
  mipLines = 0;
  mtvecLo = 0;
  mtvecHi = 0;
  stvecLo = 0;
  stvecHi = 0;
  mepcLo = 0;
  mepcHi = 0;
  sepcLo = 0;
  sepcHi = 0;
  mcauseLo = 0;
  mcauseHi = 0;
  scauseLo = 0;
  scauseHi = 0;
  mtvalLo = 0;
  mtvalHi = 0;
  stvalLo = 0;
  stvalHi = 0;
  mscratchLo = 0;
  mscratchHi = 0;
  sscratchLo = 0;
  sscratchHi = 0;
  satpLo = 0;
  satpHi = 0;
  mcounteren = 0;
  scounteren = 0;
  mcountinhibit = 0;
  /** menvcfg's low word (FIOM, CBIE, CBCFE, CBZE) and high word (PBMTE, STCE); senvcfg's fields. */
  menvcfg = 0;
  menvcfgHi = 0;
  senvcfg = 0;
  /** Sstc's stimecmp. */
  stimecmpLo = 0;
  stimecmpHi = 0;
  /**
   * Sstc: where stimecmp goes while menvcfg.STCE is set (the board hands it to the CLINT, which
   * drives this hart's STIP line and plans timer events); null: this hart compares it itself on
   * every mip read (a hart without a board, as in unit tests).
   */
  onSupervisorTimer: ((value: number | undefined) => void) | null = null;
  /** Svpbmt memory type of the last translate (0 PMA, 1 NC, 2 IO; 0 without paging). */
  private walkPbmt = 0;
  readonly pmp = new Pmp();

  // ---- counters: value = base + (count - countAtBase) while counting ----
  /** Instructions attempted (retired + those that raised an exception). */
  icount = 0;
  /** Instructions that raised an exception (do not retire). */
  excCount = 0;
  // The low halves hold unsigned 32-bit values: -0 makes V8 store them as doubles from the start
  // (a field turned from small integer to double later deprecates the Hart's map, and every
  // function optimized for it deoptimizes: once per boot, at OpenSBI's first counter write).
  private cycBaseLo = -0;
  private cycBaseHi = 0;
  private cycAt = 0;
  private insBaseLo = -0;
  private insBaseHi = 0;
  private insAt = 0;
  /** icount as seen by the instruction being executed (synced before CSR access). */
  private icountNow = 0;
  /** execJit: the budget translated code was last entered with (callOut counts from it). */
  private jitEntryBudget = 0;

  // ---- pending exception (set by slow paths; 0 = none, else cause + 1) ----
  exc = 0;
  excTvalLo = 0;
  excTvalHi = 0;
  bigPcLo = 0;
  bigPcHi = 0;
  /** Leave the inner loop after this instruction (CSR write, interrupt line change, code write). */
  private brk = false;
  private stopReq = false;
  /** Stopped in WFI, waiting for mip & mie != 0. */
  waiting = false;
  /**
   * Whether the hart may end its turn early where it cannot progress alone (RunStop 'yield'): the
   * board sets it while another hart can run, so the turn goes to a hart that can.
   */
  mayYield = false;
  /** The hart chose to yield: run() returns 'yield' after this instruction. */
  private yielding = false;
  /** i32 index of the arena cell counting down the `pause` hints left this turn (PAUSE_YIELD). */
  private readonly pauseLeft: number;

  // ---- breakpoints and watchpoints (debug-points.ts): pages they touch stay off the fast paths ----
  /** The debugger's points (shared by the machine's harts) and this hart's own, checked in order. */
  private readonly debugSources: DebugPoints[] = [];
  /** Some source has a point (one compare on the slow paths when none does). */
  private debugActive = false;
  /** What stopped this hart for the debugger (run() returned 'stop'); the board reads and clears it. */
  debugHit: DebugHit | null = null;
  /** The Sdtrig triggers (CSRs 0x7a0-0x7a4) and the points they make. */
  private readonly triggers = new Triggers();
  private readonly triggerPoints = new DebugPoints();
  /** pc whose exec point is passed over once (resuming from that breakpoint). */
  private bpSkip = Number.NaN;

  /** The once-per-process interpreter warm-up is still due (WARM_UP_AFTER). */
  private warmUpPending: boolean;

  // ---- LR/SC reservation (virtual address, size and the value LR read, as QEMU 7.2) ----
  /** In the arena, so translated LR/SC share it (RES_*: valid, va lo, va hi, size, value lo, hi). */
  private readonly res: Int32Array;

  // ---- software TLB: read, write, fetch. Tag = page-aligned va lo, va hi; value = arena offset ----
  // Read/write TLBs and the chunk TLBs live in the arena (the JIT's code reads the same entries):
  // 16-byte entries of tag lo, tag hi and arena offset minus the tag's va (tlb.ts).
  /** The read and write page TLBs (tlb.ts: TLB_ENTRY_WORDS words an entry). */
  private readonly rT: Int32Array;
  private readonly wT: Int32Array;
  /** Fetch TLB (in the arena too): tag lo, tag hi, arena offset of the page (-1: granule page). */
  private readonly xTL: Int32Array;
  private readonly xTH: Int32Array;
  private readonly xTA: Float64Array;

  // ---- fine-interleaved (granule) pages: per physical page, the arena offset of each 256 B
  // chunk; a chunk TLB for loads/stores, and decoded code keyed by the physical page ----
  /** Chunk tables (AddressSpace.resolvePage) of the physical pages in decodedPhys. */
  private readonly physChunks = new Map<number, Float64Array>();
  private readonly decodedPhys = new Map<number, Int32Array>();
  private readonly physByArenaPage = new Map<number, number[]>();
  /** The read and write chunk TLBs (fine-interleaved pages; the write one also holds checked entries). */
  private readonly gT: Int32Array;
  private readonly gwT: Int32Array;
  /**
   * codeSource's answers by virtual page, one map per privilege (index: the privilege), as current
   * as the TLBs: emptied with them (flushTlb), a page's dropped by sfence.vma of an address in it.
   * The JIT asks once per block it scans or compiles (some 55,000 times in a Linux boot, on a few
   * thousand pages), and each answer is a page walk, a PMP decision and a physical-page lookup.
   */
  private readonly codeSources: Map<number, CodeSource | null>[] = [new Map(), new Map(), new Map(), new Map()];
  /** Fetch TLB entries for granule pages: xTA = -1, decoded slots and physical page here. */
  private readonly xCode: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(TLB_SIZE);
  private readonly xPhys = new Float64Array(TLB_SIZE);
  private curChunks: Float64Array | null = null;
  /** Arena offset of the chunk this hart is writing while it calls noteWrite (else -1). */
  private selfWriteChunk = -1;
  /** The chunk write TLB holds entries into chunks of code pages (see codeChunksMarked). */
  private gwCodePageEntries = false;
  private curPhys = -1;

  // ---- decoded code: per arena page, 2048 slots (one per halfword) of SLOT_WORDS ----
  private readonly decoded = new Map<number, Int32Array>();
  /** Current fetch page: virtual base, decoded slots, arena offset. cbase NaN = none. */
  private cbase = NaN;
  /** The privilege cbase was fetched at. */
  private cpriv = -1;
  private code: Int32Array = new Int32Array(SLOTS_PER_PAGE * SLOT_WORDS);
  private craw = 0;
  /** Slots for instructions that are not cached (MMIO, page-straddling). */
  private readonly scratch = new Int32Array(SLOT_WORDS);
  private fetchArr: Int32Array = this.scratch;

  readonly i32: Int32Array;
  readonly u16: Uint16Array;
  private readonly u8: Uint8Array;
  private readonly view: DataView;
  private readonly csrOut = { lo: 0, hi: 0 };
  /** Chunk keys (arena offset / 256) that hold code, shared by every hart of the arena. */
  private readonly codeChunks: Map<number, number>;
  /** Every hart sharing this arena (this one included). */
  private readonly arenaHarts: Hart[];

  // ---- JIT ----
  /** Arena offsets of the state translated code reads and writes. */
  readonly layout: JitLayout;
  /** The block JIT, or null when this hart interprets only. */
  readonly jit: Jit | null;

  constructor(opts: HartOptions) {
    this.arena = opts.arena;
    this.bus = opts.bus;
    this.hartId = opts.hartId;
    this.pc = opts.resetPc;
    // Per-hart arena block: registers (lo halves at 0, hi halves at 256), JIT exit record at 512,
    // FP cells (fflags, frm, FS) at 528, the LR/SC reservation at 544, the pause countdown at 576,
    // f0..f31 at 768; from 1024 the read and write TLBs (TLB_SIZE 16-byte entries each: tlb.ts),
    // the fetch TLB (tags lo/hi, then Float64 arena offsets), then the read and write chunk TLBs
    // (G_SIZE 16-byte entries each).
    // One block for all of it, so translated code can address it from its start (JitLayout.base).
    const ENTRY = 4 * TLB_ENTRY_WORDS;
    const regsBytes = 1024 + 2 * ENTRY * TLB_SIZE + 16 * TLB_SIZE + 2 * ENTRY * G_SIZE;
    // The jump caches (one per privilege level: JC_SIZE 8-byte tags, then JC_SIZE 4-byte slots).
    const jcBytes = 36 * JC_SIZE;
    // The JIT's translation epoch and page cells (jit.ts remap/ensureValid), 8-byte aligned after.
    const cellsBytes = (4 * (JIT_PAGE_CELLS + 1) + 7) & ~7;
    // Then LOOP_BUFFER_BYTES where the JIT's loop runner encodes the self-loops it runs
    // (loop-runner.ts), and the JIT's entry of each table slot into its region (the dispatcher
    // reads it).
    const slotCapacity = jitSlotsFor(this.arena.bytes);
    const slotEntriesBytes = 4 * slotCapacity;
    const regs = this.arena.allocStatic(
      regsBytes + jcBytes + cellsBytes + LOOP_BUFFER_BYTES + slotEntriesBytes,
      `hart ${opts.hartId} registers, TLBs and JIT state`,
    );
    const jcAt = regs + regsBytes;
    const cellsAt = jcAt + jcBytes;
    const loopAt = cellsAt + cellsBytes;
    // x[i] is one little-endian i64 at regs + 8i (translated code loads and stores it whole): the
    // interpreter reads its halves as rl[i << 1] and rh[i << 1] (rh starts 4 bytes later).
    this.rl = this.arena.i32.subarray(regs >>> 2, (regs >>> 2) + 65);
    this.rh = this.arena.i32.subarray((regs >>> 2) + 1, (regs >>> 2) + 66);
    const buf = this.arena.i32.buffer;
    this.fpu = new Fpu(buf, regs + 768, regs + 528, this.rl, this.rh);
    this.res = new Int32Array(buf, regs + 544, 6);
    let at = regs + 1024;
    const arr = (n: number, bytes = 4): number => {
      const o = at;
      at += bytes * n;
      return o;
    };
    const L = {
      regs,
      exitPc: regs + 512,
      exitReason: regs + 520,
      nextSlot: regs + 524,
      pauseLeft: regs + 576,
      fpCells: regs + 528,
      resCells: regs + 544,
      fpRegs: regs + 768,
      rT: arr(TLB_SIZE, ENTRY),
      wT: arr(TLB_SIZE, ENTRY),
      xTL: arr(TLB_SIZE),
      xTH: arr(TLB_SIZE),
      xTA: arr(TLB_SIZE, 8),
      gT: arr(G_SIZE, ENTRY),
      gwT: arr(G_SIZE, ENTRY),
      gMask: G_MASK,
      memPages: this.arena.bytes / 65536,
      jcTag: [jcAt, jcAt + 8 * JC_SIZE, jcAt + 16 * JC_SIZE],
      jcSlot: [jcAt + 24 * JC_SIZE, jcAt + 28 * JC_SIZE, jcAt + 32 * JC_SIZE],
      epoch: cellsAt,
      cells: cellsAt + 4,
      loopBuffer: loopAt,
      slotEntries: loopAt + LOOP_BUFFER_BYTES,
      slotCapacity,
      base: regs,
    };
    this.layout = L;
    this.pauseLeft = L.pauseLeft >>> 2;

    this.rT = new Int32Array(buf, L.rT, TLB_ENTRY_WORDS * TLB_SIZE).fill(TLB_EMPTY);
    this.wT = new Int32Array(buf, L.wT, TLB_ENTRY_WORDS * TLB_SIZE).fill(TLB_EMPTY);
    this.gT = new Int32Array(buf, L.gT, TLB_ENTRY_WORDS * G_SIZE).fill(TLB_EMPTY);
    this.gwT = new Int32Array(buf, L.gwT, TLB_ENTRY_WORDS * G_SIZE).fill(TLB_EMPTY);
    this.xTL = new Int32Array(buf, L.xTL, TLB_SIZE).fill(TLB_EMPTY);
    this.xTH = new Int32Array(buf, L.xTH, TLB_SIZE);
    this.xTA = new Float64Array(buf, L.xTA, TLB_SIZE);
    this.i32 = this.arena.i32;
    this.u16 = this.arena.u16;
    this.u8 = this.arena.u8;
    this.view = this.arena.view;
    let cc = CODE_CHUNKS.get(this.arena);
    if (cc === undefined) {
      cc = new Map();
      CODE_CHUNKS.set(this.arena, cc);
    }
    this.codeChunks = cc;
    let hs = ARENA_HARTS.get(this.arena);
    if (hs === undefined) {
      hs = [];
      ARENA_HARTS.set(this.arena, hs);
    }
    hs.push(this);
    this.arenaHarts = hs;
    const useJit = JIT_DEFAULT && (opts.jit ?? true);
    this.jit = useJit
      ? new Jit(this, this.arena.memory, {
          ...(opts.jitThreshold !== undefined ? { threshold: opts.jitThreshold } : {}),
          ...(opts.jitHostFma !== undefined ? { hostFma: opts.jitHostFma } : {}),
          ...(opts.jitLoopRunner !== undefined ? { loopRunner: opts.jitLoopRunner } : {}),
        })
      : null;
    this.arena.codePages.onInvalidate((page, first, last) => this.dropCodePage(page, first, last));
    this.arena.codePages.onMark((page) => this.codePageMarked(page));
    this.arena.codePages.onChunksMarked(() => this.codeChunksMarked());
    this.addDebugPoints(this.triggerPoints);
    this.bus.onChange(() => this.mapChanged());
    this.warmUpPending = !opts.noWarmUp;
  }

  // ---------------------------------------------------------------- public API

  readReg(i: number): bigint {
    if (i === 0) return 0n;
    return (BigInt(this.rh[i << 1]! >>> 0) << 32n) | BigInt(this.rl[i << 1]! >>> 0);
  }

  writeReg(i: number, v: bigint): void {
    if (i === 0) return;
    const u = BigInt.asUintN(64, v);
    this.rl[i << 1] = Number(u & 0xffffffffn) | 0;
    this.rh[i << 1] = Number(u >> 32n) | 0;
  }

  /** The board drives MSIP(3), MTIP(7), SEIP(9), MEIP(11). */
  setPendingLine(bit: number, level: boolean): void {
    const m = 1 << bit;
    const old = this.mipLines;
    this.mipLines = level ? old | m : old & ~m;
    if (this.mipLines !== old) this.brk = true;
  }

  /** Stop run() after the current instruction (test finisher, host signal). */
  requestStop(): void {
    this.stopReq = true;
    this.brk = true;
  }

  /** Check these breakpoints and watchpoints too (the debugger's; shared by every hart). */
  addDebugPoints(points: DebugPoints): void {
    this.debugSources.push(points);
    points.onChange(() => this.debugPointsChanged());
    this.debugPointsChanged();
  }

  /**
   * The debugger's view of a virtual address: the physical address through the hart's current
   * translation (its privilege, satp), or -1 when unmapped. Raises nothing (a page walk may still
   * set accessed bits, as a hardware walk would).
   */
  debugTranslate(va: number, write = false): number {
    const saveExc = this.exc,
      sl = this.excTvalLo,
      sh = this.excTvalHi;
    const pa = this.translate(va | 0, Math.floor(va / TWO32) | 0, write ? ACC_W : ACC_R);
    this.exc = saveExc;
    this.excTvalLo = sl;
    this.excTvalHi = sh;
    return pa;
  }

  /** Resuming at pc: its breakpoint does not fire again before the instruction runs. */
  skipBreakpointAt(pc: number): void {
    this.bpSkip = pc;
  }

  /** Points changed: drop every cached translation so watched and breakpoint pages take the slow paths. */
  private debugPointsChanged(): void {
    this.debugActive = this.debugSources.some((d) => d.size > 0);
    this.flushTlb();
    this.jitFlushAll();
  }

  private pageHasExecPoint(vbase: number): boolean {
    for (const d of this.debugSources) if (d.execPages.has(vbase)) return true;
    return false;
  }

  /**
   * An instruction fetch at pc on a page with exec points: 0 = go on, -1 = a breakpoint exception
   * is pending (a trigger), -2 = stop for the debugger before the instruction (debugHit set).
   */
  private fetchPoint(pc: number): number {
    if (pc === this.bpSkip) {
      this.bpSkip = Number.NaN;
      return 0;
    }
    for (const d of this.debugSources) {
      const p = d.execAt(pc, this.priv);
      if (p === undefined) continue;
      if (p.action === 'debugger') {
        this.debugHit = { kind: 'exec', address: pc };
        this.requestStop();
        return -2;
      }
      this.setExc(Cause.Breakpoint, 0, 0); // tval 0, as QEMU 7.2
      return -1;
    }
    return 0;
  }

  /** A data point overlaps the virtual page of va (halves): no TLB entry, so every access is checked. */
  private watchedPage(lo: number, hi: number): boolean {
    if (!this.debugActive) return false;
    const page = hi * TWO32 + (lo >>> 0) - (lo & 4095);
    for (const d of this.debugSources) if (d.dataPages.has(page)) return true;
    return false;
  }

  /**
   * A data access of size bytes at va (halves) while points exist: records a debugger hit (the run
   * stops after this instruction) or raises a trigger's breakpoint exception (exc set).
   */
  private dataPoint(lo: number, hi: number, size: number, write: boolean): void {
    if (!this.watchedPage(lo, hi)) return;
    const va = hi * TWO32 + (lo >>> 0);
    const priv = this.dataPriv();
    for (const d of this.debugSources) {
      const p = d.dataAt(va, size, write, priv);
      if (p === undefined) continue;
      if (p.action === 'debugger') {
        this.debugHit = { kind: p.kind, address: va, access: write ? 'write' : 'read' };
        this.requestStop();
      } else this.setExc(Cause.Breakpoint, 0, 0);
      return;
    }
  }

  /**
   * Another hart is about to run: drop the LR reservation, so a store by that hart before this
   * one's SC makes the SC fail (the board runs harts in turns; a reservation does not outlive
   * the turn, which the spec allows: an SC may fail spuriously, and the LR/SC loop retries).
   */
  dropReservation(): void {
    this.res[RES_VALID] = 0;
  }

  /** Instructions retired. */
  get instret(): number {
    return this.icount - this.excCount;
  }

  /** Cycles: one per instruction attempted, plus the timing model's stalls (timing mode). */
  get cycle(): number {
    return this.icount + this.stallCycles;
  }

  /** Forget every cached translation (sfence.vma, satp write, address map change). */
  flushTlb(): void {
    this.tlbFlushes++;
    this.super1G.clear();
    this.super2M.clear();
    this.timedReads.clear();
    this.timedWrites.clear();
    this.rT.fill(TLB_EMPTY);
    this.wT.fill(TLB_EMPTY);
    this.xTL.fill(TLB_EMPTY);
    for (const m of this.codeSources) m.clear();
    // The chunk TLBs (16,384 entries each) stay empty unless the guest touched fine-interleaved
    // memory: a Linux boot flushes some 3,000 times and never fills them.
    if (this.gFilled) {
      this.gT.fill(TLB_EMPTY);
      this.gFilled = false;
    }
    if (this.gwPages.size > 0) this.emptyChunkWriteTlb();
    this.cbase = NaN;
    this.brk = true;
  }

  /**
   * sfence.vma: with rs1 = x0 every TLB entry; with an address, only that 4 KiB page's, unless a
   * superpage covering the address was walked since the last full flush (entries are 4 KiB, so
   * other pieces of a changed superpage could stay behind): then all. The kernel's linear map is
   * made of superpages while its sfence.vma of one address mostly name vmalloc and fixmap pages
   * (4 KiB leaves): a Linux boot fences 2,400 such addresses. With an ASID in rs2 (its low 16
   * bits, as satp holds them) other than satp's, nothing: entries are not tagged by ASID, but all
   * were filled under the current satp (satp writes flush). Translated code is kept either way:
   * all of it (Jit.remap) or that page's (Jit.remapPage) is checked again before it next runs.
   */
  private sfence(rs1: number, rs2: number): void {
    // Every entry was filled under the current satp (writes to satp empty the TLBs), so a fence
    // naming another address space's ASID has nothing to drop, and the translations of this
    // one stay current: an OS fencing a process that is not running costs nothing.
    if (rs2 !== 0 && (this.rl[rs2 << 1]! & 0xffff) !== ((this.satpHi >>> 12) & 0xffff)) {
      this.asidFencesSkipped++;
      return;
    }
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    if (rs1 === 0 || this.superCovers(lo, hi)) {
      this.flushTlb();
      // Translations survive: their pages are checked again before they next run (Jit.remap).
      this.jit?.remap();
    } else {
      this.timedReads.clear();
      this.timedWrites.clear();
      const tag = lo & -4096;
      const t = (lo >>> 12) & TLB_MASK;
      tlbDropPage(this.rT, this.gT, tag, hi);
      tlbDropPage(this.wT, this.gwT, tag, hi, this.gwCodePageEntries);
      if (this.xTL[t] === tag && this.xTH[t] === hi) this.xTL[t] = TLB_EMPTY;
      this.cbase = NaN;
      this.brk = true;
      const vpage = hi * TWO32 + (lo >>> 0) - (lo & 4095);
      for (const m of this.codeSources) m.delete(vpage);
      // Only code on that virtual page is checked again before it next runs.
      this.jit?.remapPage(vpage);
    }
  }

  /** A superpage leaf was walked: remember the 1 GiB or 2 MiB region it maps (sfence.vma). */
  private noteSuperLeaf(level: number, vpn2: number, vpn1: number): void {
    if (level === 2) this.super1G.add(vpn2);
    else this.super2M.add(vpn2 * 512 + vpn1);
  }

  /**
   * Whether the TLB may hold 4 KiB pieces of a superpage covering this address: an sfence.vma of
   * the address must then drop them all (entries do not say which leaf they came from).
   */
  private superCovers(lo: number, hi: number): boolean {
    if (this.super1G.size === 0 && this.super2M.size === 0) return false;
    const vpn2 = ((hi & 0x7f) << 2) | (lo >>> 30);
    return this.super1G.has(vpn2) || this.super2M.has(vpn2 * 512 + ((lo >>> 21) & 511));
  }

  private jitFlushAll(): void {
    this.jit?.flushAll();
  }
  /** Superpage leaves walked since the last full TLB flush: 1 GiB regions (VPN[2]) and 2 MiB ones (VPN[2] * 512 + VPN[1]). */
  private readonly super1G = new Set<number>();
  private readonly super2M = new Set<number>();
  /** Arena pages the chunk write TLB may hold entries into, since it was last emptied: a page that
   *  becomes code needs the TLB emptied only when it is one of them (codePageMarked). */
  private readonly gwPages = new Set<number>();
  /** The chunk write TLB's indices filled since it was last emptied (up to GW_FILLED_MAX; one
   *  more means "more than that": empty all of it). Emptying it is frequent when code is written
   *  (every chunk that gains code), and clearing 16,384 entries each time cost 5 % of a run
   *  that rewrites one instruction per 10^5 (bench/layouts smc-toggle). */
  private readonly gwFilled = new Int32Array(GW_FILLED_MAX);
  private gwFilledN = 0;
  /** The chunk read TLB may hold entries (set by chunkFill, cleared when flushTlb empties it). */
  private gFilled = false;
  /** sfence.vma naming another ASID than satp's (nothing to drop). */
  asidFencesSkipped = 0;
  /** flushTlb calls (callOut leaves translated code after a CSR write that flushed; tests read it). */
  tlbFlushes = 0;

  /** JIT counters (instructions in translated code, blocks, compile time, exits by reason); null without the JIT. */
  get jitStats(): JitStats | null {
    return this.jit === null ? null : this.jit.stats;
  }

  /**
   * The physical map or a route changed: forget everything derived from physical addresses.
   * Translated code stays, its pages checked again before they next run (a page whose arena
   * offset changed is dropped then): BAR and decoder programming changes MMIO, not RAM.
   */
  private mapChanged(): void {
    this.jit?.remap();
    this.physChunks.clear();
    this.decodedPhys.clear();
    this.physByArenaPage.clear();
    this.flushTlb();
  }

  /** Current mip value (lines OR software bits; with Sstc enabled STIP is time >= stimecmp). */
  get mip(): number {
    if ((this.menvcfgHi & MENVCFG_HI_STCE) === 0) return this.mipLines | this.mipSw;
    const v = this.mipLines | (this.mipSw & ~MIP_STIP);
    if (this.onSupervisorTimer === null && this.getTime() >= this.stimecmpValue()) return v | MIP_STIP;
    return v;
  }

  private stimecmpValue(): number {
    return (this.stimecmpHi >>> 0) * TWO32 + (this.stimecmpLo >>> 0);
  }

  /** Tell the timer about stimecmp (armed while menvcfg.STCE is set). */
  private armSupervisorTimer(): void {
    const on = (this.menvcfgHi & MENVCFG_HI_STCE) !== 0;
    this.onSupervisorTimer?.(on ? this.stimecmpValue() : undefined);
    this.brk = true;
  }

  /** Run up to maxInstructions; returns why it stopped. */
  run(maxInstructions: number): RunStop {
    this.i32[this.pauseLeft] = this.mayYield ? PAUSE_YIELD : PAUSE_NEVER;
    if (this.bpSkip === this.bpSkip) {
      // Passing over one breakpoint holds for this call only.
      try {
        return this.runLoop(maxInstructions);
      } finally {
        this.bpSkip = Number.NaN;
      }
    }
    return this.runLoop(maxInstructions);
  }

  private runLoop(maxInstructions: number): RunStop {
    let left = maxInstructions;
    for (;;) {
      if (this.stopReq) {
        this.stopReq = false;
        return 'stop';
      }
      // Pending interrupts are delivered before the limit check: run(0) takes them and stops.
      const pend = this.mip & this.mie;
      if (pend !== 0) {
        this.waiting = false;
        this.checkInterrupts(pend);
      } else if (this.waiting) {
        return 'wfi';
      }
      if (left <= 0) return 'limit';
      this.brk = false;
      // exec takes a small integer budget (a fractional or huge one would deoptimize its loop).
      let chunk = left >= 0x3fffffff ? 0x3fffffff : Math.ceil(left);
      if (this.warmUpPending) {
        if (this.icount >= WARM_UP_AFTER) {
          this.warmUpPending = false;
          warmUp((o) => new Hart({ ...o, noWarmUp: true, jitThreshold: 1 }), this.jit !== null);
        } else chunk = Math.min(chunk, WARM_UP_AFTER - this.icount);
      }
      left -=
        this.onTrace !== undefined ? this.execTraced() : this.jit !== null ? this.execJit(chunk) : this.exec(chunk);
      if (this.yielding) {
        this.yielding = false;
        return 'yield';
      }
    }
  }

  // ---------------------------------------------------------------- interrupts and traps

  /** Of the pending interrupts `pend` (mip & mie), those the hart would take now (M-level first). */
  private deliverable(pend: number): number {
    const mMode = this.priv === PRIV_M;
    const mEnabled = !mMode || (this.mstatus & MSTATUS_MIE) !== 0;
    const sEnabled = this.priv < PRIV_S || (this.priv === PRIV_S && (this.mstatus & MSTATUS_SIE) !== 0);
    const mPend = pend & ~this.mideleg;
    const sPend = pend & this.mideleg;
    if (mEnabled && mPend !== 0) return mPend;
    if (sEnabled && sPend !== 0) return sPend;
    return 0;
  }

  private checkInterrupts(pend: number): void {
    const take = this.deliverable(pend);
    if (take === 0) return;
    for (const irq of IRQ_PRIORITY) {
      if ((take & (1 << irq)) !== 0) {
        if (this.slowCounts) this.slow[CpuSlowPath.Interrupt]!++;
        this.pc = this.trap(irq, true, 0, 0, this.pc);
        return;
      }
    }
  }

  /** Raise the pending exception (this.exc) for the instruction at pc; returns the handler pc. */
  private takeException(pc: number): number {
    const cause = this.exc - 1;
    this.exc = 0;
    this.excCount++;
    if (this.slowCounts) this.slow[CpuSlowPath.Trap]!++;
    return this.trap(cause, false, this.excTvalLo, this.excTvalHi, pc);
  }

  private setExc(cause: number, tlo: number, thi: number): void {
    this.exc = cause + 1;
    this.excTvalLo = tlo;
    this.excTvalHi = thi;
  }

  /** Enter the trap handler; returns the new pc. epc NaN means bigPcLo/bigPcHi. */
  private trap(cause: number, isInt: boolean, tlo: number, thi: number, epc: number): number {
    let eLo: number, eHi: number;
    if (epc !== epc) {
      eLo = this.bigPcLo;
      eHi = this.bigPcHi;
    } else {
      eLo = epc | 0;
      eHi = Math.floor(epc / TWO32) | 0;
    }
    const deleg = this.priv <= PRIV_S && (((isInt ? this.mideleg : this.medeleg) >>> cause) & 1) !== 0;
    const old = this.priv;
    this.res[RES_VALID] = 0;
    let ms = this.mstatus;
    let baseLo: number, baseHi: number, mode: number;
    if (deleg) {
      this.scauseLo = cause;
      this.scauseHi = isInt ? 0x80000000 | 0 : 0;
      this.sepcLo = eLo;
      this.sepcHi = eHi;
      this.stvalLo = tlo;
      this.stvalHi = thi;
      ms =
        (ms & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP)) |
        ((ms & MSTATUS_SIE) !== 0 ? MSTATUS_SPIE : 0) |
        (old === PRIV_S ? MSTATUS_SPP : 0);
      this.priv = PRIV_S;
      baseLo = this.stvecLo;
      baseHi = this.stvecHi;
    } else {
      this.mcauseLo = cause;
      this.mcauseHi = isInt ? 0x80000000 | 0 : 0;
      this.mepcLo = eLo;
      this.mepcHi = eHi;
      this.mtvalLo = tlo;
      this.mtvalHi = thi;
      ms =
        (ms & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP)) |
        ((ms & MSTATUS_MIE) !== 0 ? MSTATUS_MPIE : 0) |
        (old << MSTATUS_MPP_SHIFT);
      this.priv = PRIV_M;
      baseLo = this.mtvecLo;
      baseHi = this.mtvecHi;
    }
    const ms0 = this.mstatus;
    this.mstatus = ms;
    mode = baseLo & 3;
    baseLo &= ~3;
    if (mode === 1 && isInt) baseLo = (baseLo + 4 * cause) | 0; // vector table is far from a 4 GiB edge
    this.privilegeChanged(old, ms0);
    return this.pcFromHalves(baseLo, baseHi);
  }

  /** A jump/return target as a pc Number, or NaN with the exact halves kept for the fetch fault. */
  private pcFromHalves(lo: number, hi: number): number {
    if (hi >= -0x100000 && hi < 0x100000) return hi * TWO32 + (lo >>> 0);
    this.bigPcLo = lo;
    this.bigPcHi = hi;
    return NaN;
  }

  private mret(pc: number): number {
    if (this.priv !== PRIV_M) return this.illegal(pc);
    let ms = this.mstatus;
    const mpp = (ms & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
    ms = (ms & ~(MSTATUS_MIE | MSTATUS_MPP)) | ((ms & MSTATUS_MPIE) !== 0 ? MSTATUS_MIE : 0) | MSTATUS_MPIE;
    if (mpp !== PRIV_M) ms &= ~MSTATUS_MPRV;
    const ms0 = this.mstatus;
    this.mstatus = ms;
    this.priv = mpp as Priv;
    this.privilegeChanged(PRIV_M, ms0);
    return this.pcFromHalves(this.mepcLo, this.mepcHi);
  }

  private sret(pc: number): number {
    if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TSR) !== 0)) return this.illegal(pc);
    let ms = this.mstatus;
    const spp = (ms & MSTATUS_SPP) !== 0 ? PRIV_S : PRIV_U;
    ms =
      (ms & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | ((ms & MSTATUS_SPIE) !== 0 ? MSTATUS_SIE : 0) | MSTATUS_SPIE;
    const priv0 = this.priv,
      ms0 = this.mstatus;
    this.mstatus = ms;
    this.priv = spp;
    this.privilegeChanged(priv0, ms0);
    return this.pcFromHalves(this.sepcLo, this.sepcHi);
  }

  /**
   * After a trap, mret or sret (privilege and mstatus were priv0, ms0): the TLB entries were
   * filled and permission-checked for a fetch privilege, a data privilege (MPRV, MPP) and
   * SUM/MXR, and stay valid while none of those changed. So a trap from S to S or an sret to S
   * (a kernel's interrupts and nested traps) keeps them; anything else empties the TLBs. Before,
   * every trap and return flushed: after each of them a Linux boot refilled some 280 pages.
   */
  private privilegeChanged(priv0: number, ms0: number): void {
    const ms = this.mstatus;
    const mprvData = ((ms | ms0) & MSTATUS_MPRV) !== 0 && ((ms ^ ms0) & (MSTATUS_MPRV | MSTATUS_MPP)) !== 0;
    if (priv0 !== this.priv || ((ms ^ ms0) & (MSTATUS_SUM | MSTATUS_MXR)) !== 0 || mprvData) this.flushTlb();
    // Either way the run loops leave, as a flush makes them: an sret or mret may have made an
    // interrupt deliverable, and both engines must deliver it at the same instruction.
    else this.brk = true;
  }

  /** Raise illegal-instruction for the instruction at pc (tval = its bits); returns handler pc. */
  private illegal(pc: number): number {
    this.setExc(Cause.Illegal, this.curRaw, 0);
    return this.takeException(pc);
  }
  /** Raw bits of the instruction being executed (set by exec before slow calls that may need it). */
  private curRaw = 0;

  // ---------------------------------------------------------------- the interpreter

  /** Execute up to max instructions; returns how many were attempted. Leaves on this.brk. */
  private exec(max: number): number {
    const rl = this.rl,
      rh = this.rh,
      i32 = this.i32,
      u16 = this.u16,
      u8 = this.u8;
    const rT = this.rT,
      wT = this.wT,
      gT = this.gT,
      gwT = this.gwT;
    // pc = cb + po: cb is the virtual base of the decoded page `code`, po an int32 offset, so the
    // hot path does int32 arithmetic only. lim = 4094 while `code` is valid for cb, else 0 (slow).
    const start = this.pc;
    let cb = start - (start & 4095),
      po = start & 4095,
      lim = 0;
    // Still on the page the last fetch decoded (same privilege: execute permission depends on it;
    // anything else that changes what a fetch there finds resets cbase): no fetchSlow at entry.
    // A block interpreted between translated ones (a million times in a Linux boot) mostly is.
    if (this.cbase === cb && this.cpriv === this.priv) lim = 4094;
    let code = this.code,
      craw = this.craw;
    let budget = max;
    const icount0 = this.icount;
    loop: while (budget > 0) {
      let arr = code;
      let s: number;
      if (po >>> 0 < lim) {
        s = po << 1;
        if (code[s] === 0) {
          if (craw >= 0) {
            decodeInto(this.u16[(craw + po) >>> 1]! | (this.u16[(craw + po + 2) >>> 1]! << 16), code, s);
            this.noteDecoded(craw, po, code[s]!);
          } else this.decodeChunkSlot(po);
        }
      } else {
        const pcAbs = cb + po;
        s = this.fetchSlow(pcAbs);
        code = this.code;
        craw = this.craw;
        if (s < 0) {
          if (s === -2) {
            // A debugger breakpoint: stop before the instruction (not attempted).
            cb = pcAbs;
            po = 0;
            break;
          }
          budget--;
          cb = this.takeException(pcAbs); // as the trap tail below: lim = 0 realigns cb
          po = 0;
          lim = 0;
          continue;
        }
        arr = this.fetchArr;
        if (this.cbase === this.cbase) {
          cb = this.cbase;
          po = (pcAbs - cb) | 0;
          lim = 4094;
        } else {
          cb = pcAbs - (pcAbs & 4095);
          po = pcAbs & 4095;
          lim = 0;
        }
      }
      const w0 = arr[s]!;
      const imm = arr[s + 1]!;
      const rd = (w0 >>> 8) & 63,
        rs1 = (w0 >>> 14) & 63,
        rs2 = (w0 >>> 20) & 63;
      const npc = po + 4 - ((w0 >>> 25) & 2); // W0_COMPRESSED is bit 26: branch-free length
      budget--;
      switch (w0 & 0xff) {
        case Op.ADDI: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          rh[rd << 1] = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          rl[rd << 1] = lo;
          po = npc;
          continue;
        }
        case Op.ADD: {
          const a = rl[rs1 << 1]!;
          const lo = (a + rl[rs2 << 1]!) | 0;
          rh[rd << 1] = (rh[rs1 << 1]! + rh[rs2 << 1]! + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          rl[rd << 1] = lo;
          po = npc;
          continue;
        }
        case Op.SUB: {
          const a = rl[rs1 << 1]!,
            b = rl[rs2 << 1]!;
          rh[rd << 1] = (rh[rs1 << 1]! - rh[rs2 << 1]! - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          rl[rd << 1] = (a - b) | 0;
          po = npc;
          continue;
        }
        case Op.ADDIW: {
          const v = (rl[rs1 << 1]! + imm) | 0;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.ADDW: {
          const v = (rl[rs1 << 1]! + rl[rs2 << 1]!) | 0;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SUBW: {
          const v = (rl[rs1 << 1]! - rl[rs2 << 1]!) | 0;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.LUI:
          rl[rd << 1] = imm;
          rh[rd << 1] = imm >> 31;
          po = npc;
          continue;
        case Op.AUIPC: {
          const v = cb + po + imm;
          rl[rd << 1] = v | 0;
          rh[rd << 1] = Math.floor(v / TWO32) | 0;
          po = npc;
          continue;
        }
        case Op.JAL: {
          const link = cb + npc;
          rl[rd << 1] = link | 0;
          rh[rd << 1] = link >= 0 && link < TWO32 ? 0 : Math.floor(link / TWO32) | 0;
          po += imm;
          continue;
        }
        case Op.JALR: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const link = cb + npc;
          rl[rd << 1] = link | 0;
          rh[rd << 1] = link >= 0 && link < TWO32 ? 0 : Math.floor(link / TWO32) | 0;
          const t = hi >= -0x100000 && hi < 0x100000 ? hi * TWO32 + ((lo & ~1) >>> 0) : this.pcFromHalves(lo & ~1, hi);
          const d = t - cb;
          if (d >= 0 && d < 4094) po = d | 0;
          else {
            cb = t - (t & 4095);
            po = t & 4095;
            lim = 0;
          }
          continue;
        }
        case Op.BEQ:
          po = rl[rs1 << 1] === rl[rs2 << 1] && rh[rs1 << 1] === rh[rs2 << 1] ? po + imm : npc;
          continue;
        case Op.BNE:
          po = rl[rs1 << 1] !== rl[rs2 << 1] || rh[rs1 << 1] !== rh[rs2 << 1] ? po + imm : npc;
          continue;
        case Op.BLT: {
          const ah = rh[rs1 << 1]!,
            bh = rh[rs2 << 1]!;
          po = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? po + imm : npc;
          continue;
        }
        case Op.BGE: {
          const ah = rh[rs1 << 1]!,
            bh = rh[rs2 << 1]!;
          po = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? npc : po + imm;
          continue;
        }
        case Op.BLTU: {
          const ah = rh[rs1 << 1]! >>> 0,
            bh = rh[rs2 << 1]! >>> 0;
          po = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? po + imm : npc;
          continue;
        }
        case Op.BGEU: {
          const ah = rh[rs1 << 1]! >>> 0,
            bh = rh[rs2 << 1]! >>> 0;
          po = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? npc : po + imm;
          continue;
        }
        case Op.SLTI: {
          const ah = rh[rs1 << 1]!,
            bh = imm >> 31;
          rl[rd << 1] = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < imm >>> 0) ? 1 : 0;
          rh[rd << 1] = 0;
          po = npc;
          continue;
        }
        case Op.SLTIU: {
          const ah = rh[rs1 << 1]! >>> 0,
            bh = (imm >> 31) >>> 0;
          rl[rd << 1] = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < imm >>> 0) ? 1 : 0;
          rh[rd << 1] = 0;
          po = npc;
          continue;
        }
        case Op.SLT: {
          const ah = rh[rs1 << 1]!,
            bh = rh[rs2 << 1]!;
          rl[rd << 1] = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? 1 : 0;
          rh[rd << 1] = 0;
          po = npc;
          continue;
        }
        case Op.SLTU: {
          const ah = rh[rs1 << 1]! >>> 0,
            bh = rh[rs2 << 1]! >>> 0;
          rl[rd << 1] = ah < bh || (ah === bh && rl[rs1 << 1]! >>> 0 < rl[rs2 << 1]! >>> 0) ? 1 : 0;
          rh[rd << 1] = 0;
          po = npc;
          continue;
        }
        case Op.XORI:
          rl[rd << 1] = rl[rs1 << 1]! ^ imm;
          rh[rd << 1] = rh[rs1 << 1]! ^ (imm >> 31);
          po = npc;
          continue;
        case Op.ORI:
          rl[rd << 1] = rl[rs1 << 1]! | imm;
          rh[rd << 1] = rh[rs1 << 1]! | (imm >> 31);
          po = npc;
          continue;
        case Op.ANDI:
          rl[rd << 1] = rl[rs1 << 1]! & imm;
          rh[rd << 1] = rh[rs1 << 1]! & (imm >> 31);
          po = npc;
          continue;
        case Op.XOR:
          rl[rd << 1] = rl[rs1 << 1]! ^ rl[rs2 << 1]!;
          rh[rd << 1] = rh[rs1 << 1]! ^ rh[rs2 << 1]!;
          po = npc;
          continue;
        case Op.OR:
          rl[rd << 1] = rl[rs1 << 1]! | rl[rs2 << 1]!;
          rh[rd << 1] = rh[rs1 << 1]! | rh[rs2 << 1]!;
          po = npc;
          continue;
        case Op.AND:
          rl[rd << 1] = rl[rs1 << 1]! & rl[rs2 << 1]!;
          rh[rd << 1] = rh[rs1 << 1]! & rh[rs2 << 1]!;
          po = npc;
          continue;
        case Op.SLLI:
          this.sll(rd, rs1, imm);
          po = npc;
          continue;
        case Op.SRLI:
          this.srl(rd, rs1, imm);
          po = npc;
          continue;
        case Op.SRAI:
          this.sra(rd, rs1, imm);
          po = npc;
          continue;
        case Op.SLL:
          this.sll(rd, rs1, rl[rs2 << 1]! & 63);
          po = npc;
          continue;
        case Op.SRL:
          this.srl(rd, rs1, rl[rs2 << 1]! & 63);
          po = npc;
          continue;
        case Op.SRA:
          this.sra(rd, rs1, rl[rs2 << 1]! & 63);
          po = npc;
          continue;
        case Op.SLLIW: {
          const v = rl[rs1 << 1]! << imm;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SRLIW: {
          const v = (rl[rs1 << 1]! >>> imm) | 0;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SRAIW: {
          const v = rl[rs1 << 1]! >> imm;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SLLW: {
          const v = rl[rs1 << 1]! << (rl[rs2 << 1]! & 31);
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SRLW: {
          const v = (rl[rs1 << 1]! >>> (rl[rs2 << 1]! & 31)) | 0;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SRAW: {
          const v = rl[rs1 << 1]! >> (rl[rs2 << 1]! & 31);
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }

        // ---- loads and stores: a TLB hit (tlb.ts) is one typed-array access; a miss leaves the
        // switch for the slow path below (memSlowNoTlbProbe) ----
        case Op.LD: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(rT, gT, lo, hi, 7);
          if (p < 0) break;
          const q = p >>> 2;
          rl[rd << 1] = i32[q]!;
          rh[rd << 1] = i32[q + 1]!;
          po = npc;
          continue;
        }
        case Op.LW: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(rT, gT, lo, hi, 3);
          if (p < 0) break;
          const q = p >>> 2;
          const v = i32[q]!;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.LWU: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(rT, gT, lo, hi, 3);
          if (p < 0) break;
          const q = p >>> 2;
          rl[rd << 1] = i32[q]!;
          rh[rd << 1] = 0;
          po = npc;
          continue;
        }
        case Op.LH:
        case Op.LHU: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(rT, gT, lo, hi, 1);
          if (p < 0) break;
          const v = (w0 & 0xff) === Op.LH ? (u16[p >>> 1]! << 16) >> 16 : u16[p >>> 1]!;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.LB:
        case Op.LBU: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(rT, gT, lo, hi, 0);
          if (p < 0) break;
          const v = (w0 & 0xff) === Op.LB ? (u8[p]! << 24) >> 24 : u8[p]!;
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.SD: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(wT, gwT, lo, hi, 7);
          if (p < 0) break;
          const q = p >>> 2;
          i32[q] = rl[rs2 << 1]!;
          i32[q + 1] = rh[rs2 << 1]!;
          po = npc;
          continue;
        }
        case Op.SW: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(wT, gwT, lo, hi, 3);
          if (p < 0) break;
          const q = p >>> 2;
          i32[q] = rl[rs2 << 1]!;
          po = npc;
          continue;
        }
        case Op.SH: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(wT, gwT, lo, hi, 1);
          if (p < 0) break;
          u16[p >>> 1] = rl[rs2 << 1]!;
          po = npc;
          continue;
        }
        case Op.SB: {
          const a = rl[rs1 << 1]!;
          const lo = (a + imm) | 0;
          const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          const p = tlbProbe(wT, gwT, lo, hi, 0);
          if (p < 0) break;
          u8[p] = rl[rs2 << 1]!;
          po = npc;
          continue;
        }

        // ---- M ----
        case Op.MUL:
          rl[rd << 1] = mul64(rl[rs1 << 1]!, rh[rs1 << 1]!, rl[rs2 << 1]!, rh[rs2 << 1]!);
          rh[rd << 1] = m64.hi;
          po = npc;
          continue;
        case Op.MULH:
          rl[rd << 1] = mulh64(rl[rs1 << 1]!, rh[rs1 << 1]!, rl[rs2 << 1]!, rh[rs2 << 1]!);
          rh[rd << 1] = m64.hi;
          po = npc;
          continue;
        case Op.MULHSU:
          rl[rd << 1] = mulhsu64(rl[rs1 << 1]!, rh[rs1 << 1]!, rl[rs2 << 1]!, rh[rs2 << 1]!);
          rh[rd << 1] = m64.hi;
          po = npc;
          continue;
        case Op.MULHU:
          rl[rd << 1] = mulhu64(rl[rs1 << 1]!, rh[rs1 << 1]!, rl[rs2 << 1]!, rh[rs2 << 1]!);
          rh[rd << 1] = m64.hi;
          po = npc;
          continue;
        case Op.MULW: {
          const v = Math.imul(rl[rs1 << 1]!, rl[rs2 << 1]!);
          rl[rd << 1] = v;
          rh[rd << 1] = v >> 31;
          po = npc;
          continue;
        }
        case Op.DIV:
        case Op.DIVU:
        case Op.REM:
        case Op.REMU:
          this.divrem(w0 & 0xff, rd, rs1, rs2);
          po = npc;
          continue;
        case Op.DIVW:
        case Op.DIVUW:
        case Op.REMW:
        case Op.REMUW:
          this.divremw(w0 & 0xff, rd, rs1, rs2);
          po = npc;
          continue;

        case Op.FENCE:
          po = npc;
          if (imm === FENCE_PAUSE && --i32[this.pauseLeft]! <= 0 && this.pausesUsedUp()) break loop;
          continue;
        case Op.FENCE_I: // decoded code is kept coherent with every write already: nothing to flush
          po = npc;
          continue;
        default: {
          // Atomics, system and illegal instructions: cold, out of line.
          this.icountNow = icount0 + (max - budget);
          this.icount = this.icountNow - 1; // devices (CLINT mtime) see an exact instret
          const next = this.execCold(w0, imm, arr[s + 2]!, cb + po);
          if (next === Cold.Next) {
            po = npc;
            continue;
          }
          if (next === Cold.NextAndLeave) {
            po = npc;
            break loop;
          }
          if (next === Cold.Jumped) {
            cb = this.pc;
            po = 0;
            break loop;
          }
          break; // Cold.Trap
        }
      }
      // Here: a load or store that missed the TLB, or an instruction that raised an exception.
      if (this.exc === 0) {
        this.icount = icount0 + (max - budget) - 1; // devices (CLINT mtime) see an exact instret
        const leave = this.memSlowNoTlbProbe(w0, imm);
        if (this.exc === 0) {
          po = npc;
          if (leave) break;
          continue;
        }
      }
      // The handler's pc as cb + 0 with lim = 0: the next fetch realigns cb to its page.
      cb = this.takeException(cb + po);
      po = 0;
      lim = 0;
    }
    this.pc = cb + po;
    this.icount = icount0 + (max - budget);
    return max - budget;
  }

  /**
   * A load or store whose TLB probe missed (the interpreter's inline probe, or translated code's):
   * straight to loadSlow/storeSlow, which never probe the page TLB again; the result goes to rd.
   * Returns whether exec must leave its loop (a store that set brk: code write). Exceptions are
   * left pending in this.exc.
   */
  private memSlowNoTlbProbe(w0: number, imm: number): boolean {
    const rl = this.rl,
      rh = this.rh;
    const rd = (w0 >>> 8) & 63,
      rs1 = (w0 >>> 14) & 63,
      rs2 = (w0 >>> 20) & 63;
    const a = rl[rs1 << 1]!;
    const lo = (a + imm) | 0;
    const hi = (rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
    const op = w0 & 0xff;
    let v: number;
    if (this.dataTiming !== null && op !== Op.SD && op !== Op.SW && op !== Op.SH && op !== Op.SB) {
      this.loadDependent = rs1 !== 0 && rs1 === this.lastLoadRd;
      this.lastLoadRd = rd;
    }
    switch (op) {
      case Op.SD:
      case Op.SW:
      case Op.SH:
      case Op.SB:
        this.storeSlow(
          lo,
          hi,
          op === Op.SD ? 8 : op === Op.SW ? 4 : op === Op.SH ? 2 : 1,
          rl[rs2 << 1]!,
          rh[rs2 << 1]!,
        );
        return this.brk;
      case Op.LD:
        v = this.loadSlow(lo, hi, 8);
        if (this.exc !== 0) return false;
        rl[rd << 1] = v;
        rh[rd << 1] = this.ldHi;
        return false;
      case Op.LW:
      case Op.LWU:
        v = this.loadSlow(lo, hi, 4) | 0;
        break;
      case Op.LH:
        v = (this.loadSlow(lo, hi, 2) << 16) >> 16;
        break;
      case Op.LHU:
        v = this.loadSlow(lo, hi, 2) & 0xffff;
        break;
      case Op.LB:
        v = (this.loadSlow(lo, hi, 1) << 24) >> 24;
        break;
      case Op.LBU:
        v = this.loadSlow(lo, hi, 1) & 0xff;
        break;
      default:
        throw new Error(`hart: memSlowNoTlbProbe given operation ${op}, not a load or store`);
    }
    if (this.exc !== 0) return false;
    rl[rd << 1] = v;
    rh[rd << 1] = op === Op.LWU ? 0 : v >> 31;
    return false;
  }

  /**
   * Atomics, system and illegal instructions, out of exec's loop (none is hot). exec has set
   * icount and icountNow; `imm` is the decoded immediate (the CSR number for Zicsr), `raw` the
   * instruction's bits, `pc` its address.
   */
  private execCold(w0: number, imm: number, raw: number, pc: number): Cold {
    const op = w0 & 0xff;
    const rd = (w0 >>> 8) & 63,
      rs1 = (w0 >>> 14) & 63,
      rs2 = (w0 >>> 20) & 63;
    this.curRaw = raw;
    if (isFpOp(op)) return this.fpInsn(op, rd, rs1, rs2, imm, raw);
    if (op >= Op.CBO_INVAL && op <= Op.CBO_ZERO) return this.cbo(op, rs1, raw);
    if (isBitOp(op)) {
      const lo = bitOp(op, this.rl[rs1 << 1]!, this.rh[rs1 << 1]!, this.rl[rs2 << 1]!, this.rh[rs2 << 1]!, imm);
      this.rl[rd << 1] = lo;
      this.rh[rd << 1] = bitOut.hi;
      return Cold.Next;
    }
    if (op >= Op.LR_W && op <= Op.AMOMAXU_D) {
      this.atomic(op, rd, rs1, rs2);
      if (this.exc !== 0) return Cold.Trap;
      return this.brk ? Cold.NextAndLeave : Cold.Next;
    }
    switch (op) {
      case Op.ECALL:
        this.setExc(Cause.EcallU + this.priv, 0, 0); // 8, 9, 11
        return Cold.Trap;
      case Op.EBREAK:
        this.setExc(Cause.Breakpoint, 0, 0);
        return Cold.Trap;
      case Op.CSRRW:
      case Op.CSRRS:
      case Op.CSRRC:
      case Op.CSRRWI:
      case Op.CSRRSI:
      case Op.CSRRCI:
        if (!this.csrInsn(op, rd, rs1, imm)) return Cold.Trap;
        return this.brk ? Cold.NextAndLeave : Cold.Next;
      case Op.MRET:
        this.pc = this.mret(pc);
        return Cold.Jumped;
      case Op.SRET:
        this.pc = this.sret(pc);
        return Cold.Jumped;
      case Op.WFI:
        if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TW) !== 0)) {
          this.setExc(Cause.Illegal, raw, 0);
          return Cold.Trap;
        }
        if ((this.mip & this.mie) === 0) this.waiting = true;
        else if (this.mayYield) this.yieldTurn(); // it cannot wait: an enabled interrupt is pending but masked
        return Cold.NextAndLeave;
      case Op.SFENCE_VMA:
        if (this.priv === PRIV_U || (this.priv === PRIV_S && (this.mstatus & MSTATUS_TVM) !== 0)) {
          this.setExc(Cause.Illegal, raw, 0);
          return Cold.Trap;
        }
        this.sfence(rs1, rs2);
        return Cold.NextAndLeave;
      default: // ILLEGAL (and UNDECODED, which cannot happen)
        this.setExc(Cause.Illegal, raw, 0);
        return Cold.Trap;
    }
  }

  /**
   * Zicbom/Zicboz (CMO spec 1.0.1): enabled by menvcfg (S and U) and senvcfg (U), else illegal;
   * cbo.inval runs as a flush when xenvcfg.CBIE = 01. The emulator has no caches of its own, so
   * clean/flush/inval only check that a load or a store to the block would be permitted (faults as
   * a store); cbo.zero stores zeros to the 64-byte block through the memory system (any route, any
   * interleave). Faults report the effective address (rs1) in xtval.
   */
  private cbo(op: number, rs1: number, raw: number): Cold {
    const priv = this.priv;
    const allowed = (bit: number) =>
      priv === PRIV_M || ((this.menvcfg & bit) !== 0 && (priv === PRIV_S || (this.senvcfg & bit) !== 0));
    let kind = op;
    if (op === Op.CBO_ZERO) {
      if (!allowed(ENVCFG_CBZE)) return this.cboIllegal(raw);
    } else if (op !== Op.CBO_INVAL) {
      if (!allowed(ENVCFG_CBCFE)) return this.cboIllegal(raw);
    } else if (priv !== PRIV_M) {
      const m = (this.menvcfg >>> ENVCFG_CBIE_SHIFT) & 3;
      const sv = (this.senvcfg >>> ENVCFG_CBIE_SHIFT) & 3;
      if (m === 0 || (priv === PRIV_U && sv === 0)) return this.cboIllegal(raw);
      if (m === 1 || (priv === PRIV_U && sv === 1)) kind = Op.CBO_FLUSH;
    }
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    if (kind === Op.CBO_ZERO) {
      const base = lo & -CBO_BLOCK;
      // Plain memory the write TLB holds: zero the block in place. Linux clears every page it
      // allocates this way (64 cbo.zero a page).
      const at = this.cboZeroCached(rs1);
      if (at >= 0) {
        this.u8.fill(0, at, at + CBO_BLOCK);
        return this.brk ? Cold.NextAndLeave : Cold.Next;
      }
      // Translate once for the fault (tval = rs1), then store the block.
      const pa = this.translate(lo, hi, ACC_W);
      if (pa < 0) return Cold.Trap;
      if (!this.pmp.check(pa - (pa % CBO_BLOCK), CBO_BLOCK, PMP_W, this.dataPriv())) {
        this.setExc(Cause.StoreAccess, lo, hi);
        return Cold.Trap;
      }
      for (let i = 0; i < CBO_BLOCK; i += 8) {
        this.storeSlow((base + i) | 0, hi, 8, 0, 0);
        if (this.exc !== 0) {
          this.excTvalLo = lo; // a device refusing part of the block: still the effective address
          this.excTvalHi = hi;
          return Cold.Trap;
        }
      }
      return this.brk ? Cold.NextAndLeave : Cold.Next;
    }
    // clean/flush/inval: permitted when a load or a store would be; else a store fault.
    let pa = this.translate(lo, hi, ACC_R);
    if (pa < 0) {
      this.exc = 0;
      pa = this.translate(lo, hi, ACC_W);
      if (pa < 0) return Cold.Trap;
    }
    const dp = this.dataPriv();
    const nothingThere = (this.bus.resolvePage(pa - (pa % 4096), false).flags & PageFlag.Fault) !== 0;
    if (nothingThere || (!this.pmp.check(pa, 1, PMP_R, dp) && !this.pmp.check(pa, 1, PMP_W, dp))) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return Cold.Trap;
    }
    return Cold.Next;
  }

  /**
   * Arena offset of the 64-byte block cbo.zero at rs1's address would zero when the write TLB holds
   * its page, else -1. A write entry is only filled for plain memory this privilege may store to,
   * with the same PMP permissions over the whole page and no code, device, watchpoint or timing
   * there: the walk and PMP check the block needs could only agree with it.
   */
  private cboZeroCached(rs1: number): number {
    const hi = this.rh[rs1 << 1]!;
    const base = this.rl[rs1 << 1]! & -CBO_BLOCK;
    return tlbProbe(this.wT, this.gwT, base, hi, CBO_BLOCK - 1);
  }

  private cboIllegal(raw: number): Cold {
    this.setExc(Cause.Illegal, raw, 0);
    return Cold.Trap;
  }

  /** An F/D instruction (interpreted): FS Off traps; loads and stores go through the slow paths. */
  private fpInsn(op: number, rd: number, rs1: number, rs2: number, imm: number, raw: number): Cold {
    const fpu = this.fpu;
    if (fpu.cells[FP_CELL_FS] === 0) {
      this.setExc(Cause.Illegal, raw, 0);
      return Cold.Trap;
    }
    if (op <= Op.FSD) {
      const a = this.rl[rs1 << 1]!;
      const lo = (a + imm) | 0;
      const hi = (this.rh[rs1 << 1]! + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
      const fi = fpu.fi;
      if (op === Op.FLW || op === Op.FLD) {
        const v = this.loadSlow(lo, hi, op === Op.FLW ? 4 : 8);
        if (this.exc !== 0) return Cold.Trap;
        fi[2 * rd] = v;
        fi[2 * rd + 1] = op === Op.FLW ? -1 : this.ldHi;
        fpu.cells[FP_CELL_FS] = 3;
        return Cold.Next;
      }
      this.storeSlow(lo, hi, op === Op.FSW ? 4 : 8, fi[2 * rs2]!, fi[2 * rs2 + 1]!);
      if (this.exc !== 0) return Cold.Trap;
      return this.brk ? Cold.NextAndLeave : Cold.Next;
    }
    if (!fpu.exec(op, rd, rs1, rs2, imm)) {
      this.setExc(Cause.Illegal, raw, 0);
      return Cold.Trap;
    }
    return Cold.Next;
  }

  /**
   * Run up to max instructions with the JIT: at each block start, a compiled block runs (it and
   * the blocks it chains to stop before the budget would be exceeded); otherwise the interpreter
   * executes exactly the block's instructions and counts its hotness. A block that exits for a
   * slow path (TLB miss, MMIO, code-page store, ...) leaves the pc at that instruction, which the
   * interpreter executes. Returns instructions attempted; leaves on this.brk like exec.
   */
  private execJit(max: number): number {
    const jit = this.jit!;
    const i32 = this.i32;
    const L = this.layout;
    const ePc = L.exitPc >>> 2,
      eReason = L.exitReason >>> 2;
    let left = max;
    while (left > 0) {
      const b = jit.block(this.priv, this.pc);
      if (b.fn !== null && left >= b.len && jit.ensureValid(b)) {
        this.jitEntryBudget = left;
        const rem = jit.enter(left, b.slot);
        const ran = left - rem;
        left = rem;
        this.icount += ran;
        jit.instructions += ran;
        const reason = i32[eReason]!;
        jit.exitCounts[reason]!++;
        this.pc = this.pcFromHalves(i32[ePc]!, i32[ePc + 1]!);
        if (reason === JitExit.Indirect) jit.fillJump(this.priv, this.pc);
        else if (reason === JitExit.Slow) {
          const n = this.execMemNoTlbProbe();
          left -= n;
          if (n < 1 || this.brk || this.waiting) break;
        } else if (this.brk)
          break; // a call-out asked to leave (CallOut.DoneLeave): interrupts first
        else if (i32[this.pauseLeft]! <= 0 && this.pausesUsedUp()) break; // a pause left: yield
        continue;
      }
      // A self-looping integer block runs in the loop runner (no module: jit.ts runLoop).
      if (b.selfLooped && b.fn === null && !this.debugActive && this.dataTiming === null) {
        const r = jit.runLoop(b, left);
        if (r !== 0) {
          const ran = (r < 0 ? -r : r) * b.len;
          left -= ran;
          this.icount += ran;
          this.pc = r < 0 ? b.loopEnd : b.pc;
          continue;
        }
      }
      if (jit.noteInterpreted(b)) jit.compileQueued();
      const want = Math.min(b.len, left);
      const chunkUses = chunkUse.count,
        checkedUses = chunkUse.checked;
      const n = this.exec(want);
      if (this.pc === b.pc && n === want) b.selfLooped = true;
      if (chunkUse.count !== chunkUses) b.dataInChunks = true;
      if (chunkUse.checked !== checkedUses) b.storesNextToCode = true;
      left -= n;
      if (n < want || this.brk || this.waiting) break;
    }
    return max - left;
  }

  /**
   * Translated code's slow exit: the load or store at pc missed its TLB probe there, so run it as
   * exec(1) would, minus the interpreter's inline probe (it would miss again): fetch, then
   * memSlowNoTlbProbe. Returns 1 (instructions attempted), as exec(1) does.
   */
  private execMemNoTlbProbe(): number {
    const pc = this.pc;
    const s = this.fetchSlow(pc);
    if (s === -2) return 0;
    if (s >= 0) {
      const arr = this.fetchArr;
      const w0 = arr[s]!;
      const op = w0 & 0xff;
      // Translated F/D code leaves here too (NaNs, directed rounding, FS Off, its loads and
      // stores): the interpreter runs that instruction.
      if (op < Op.LB || op > Op.SD) return this.exec(1);
      this.memSlowNoTlbProbe(w0, arr[s + 1]!);
      if (this.exc === 0) this.pc = pc + 4 - ((w0 >>> 25) & 2);
    }
    if (this.exc !== 0) this.pc = this.takeException(pc);
    this.icount++;
    return 1;
  }

  /** The turn's `pause` hints are used up: true when the hart now yields its turn (leave at once). */
  private pausesUsedUp(): boolean {
    if (!this.mayYield) {
      this.i32[this.pauseLeft] = PAUSE_NEVER;
      return false;
    }
    this.yieldTurn();
    return true;
  }

  /** End the turn after this instruction (run() returns 'yield'); brk makes both engines leave. */
  private yieldTurn(): void {
    this.yielding = true;
    this.brk = true;
  }

  /**
   * JitHost: translated code's CSR access or cache-block operation (jit-translate.ts jitCallOut),
   * done as the interpreter does it; rs1 is in the arena, rd goes there. Never traps from here:
   * an instruction that would is left undone (NotDone) and the interpreter runs it.
   */
  callOut(w0: number, imm: number, budgetAt: number): number {
    // Translated code counts what it retired only when it returns: for the CSRs and devices (the
    // CLINT's time, Sstc's STIP) the count is brought up to this instruction while it runs, as the
    // interpreter keeps it (icount: retired before it; icountNow: including it).
    const icount0 = this.icount;
    this.icount = icount0 + (this.jitEntryBudget - budgetAt);
    this.icountNow = this.icount + 1;
    const r = this.callOutNow(w0, imm);
    this.icount = icount0;
    return r;
  }

  private callOutNow(w0: number, imm: number): number {
    const op = w0 & 0xff;
    const rd = (w0 >>> 8) & 63,
      rs1 = (w0 >>> 14) & 63;
    const brk0 = this.brk,
      flushes = this.tlbFlushes;
    if (op <= Op.CSRRCI) {
      if (!this.csrInsn(op, rd, rs1, imm)) {
        this.exc = 0;
        return CallOut.NotDone;
      }
      // A write asks the interpreter to leave (brk) so pending interrupts are seen; translated code
      // leaves only when one is now deliverable, or when the write flushed the TLB.
      if (brk0 || this.tlbFlushes !== flushes || this.deliverable(this.mip & this.mie) !== 0) return CallOut.DoneLeave;
      this.brk = false;
      return CallOut.Done;
    }
    // cbo.zero stores 64 bytes one by one: only into plain memory, where nothing can fault after the
    // first store (a device refusing part of the block could, and translated code cannot undo it).
    if (op === Op.CBO_ZERO && this.cboZeroCached(rs1) < 0 && !this.plainStoreTarget(rs1)) return CallOut.NotDone;
    const dropped = this.jit!.invalidatedBlocks;
    if (this.cbo(op, rs1, 0) === Cold.Trap) {
      this.exc = 0;
      return CallOut.NotDone;
    }
    // Leave when the interpreter would have, or the zeroes overwrote translated code.
    return this.brk || this.jit!.invalidatedBlocks !== dropped ? CallOut.DoneLeave : CallOut.Done;
  }

  /** Whether a store at rs1's address would land in plain (cacheable) memory; no fault is raised. */
  private plainStoreTarget(rs1: number): boolean {
    const pa = this.translate(this.rl[rs1 << 1]!, this.rh[rs1 << 1]!, ACC_W);
    if (pa < 0) {
      this.exc = 0;
      return false;
    }
    const info = this.bus.resolvePage(pa - (pa % 4096), false);
    return info.arenaOffset >= 0 && (info.flags & NO_CACHE) === 0;
  }

  /** JitHost: where the code of the page holding pc is, when it may be translated. */
  codeSource(pc: number, priv: number): CodeSource | null {
    const vpage = pc - (pc & 4095);
    // Pages with breakpoints are interpreted (fetchSlow checks each instruction there).
    if (this.debugActive && this.pageHasExecPoint(vpage)) return null;
    const known = this.codeSources[priv]!;
    const hit = known.get(vpage);
    if (hit !== undefined) return hit;
    const src = this.findCodeSource(pc, priv);
    known.set(vpage, src);
    return src;
  }

  /** codeSource's answer worked out: a fetch walk, the PMP's decision and the physical page. */
  private findCodeSource(pc: number, priv: number): CodeSource | null {
    const savePriv = this.priv;
    const saveExc = this.exc,
      sl = this.excTvalLo,
      sh = this.excTvalHi;
    this.priv = priv as Priv;
    const lo = pc | 0,
      hi = Math.floor(pc / TWO32) | 0;
    const pa = this.translate(lo, hi, ACC_X);
    this.priv = savePriv;
    this.exc = saveExc;
    this.excTvalLo = sl;
    this.excTvalHi = sh;
    if (pa < 0 || this.walkPbmt === PBMT_IO) return null; // IO code is never translated
    const pbase = pa - (pa % 4096);
    if (this.pmp.pageDecision(pbase, PMP_X, priv) !== 1) return null;
    const info = this.bus.resolvePage(pbase, false);
    if (info.arenaOffset >= 0 && (info.flags & NO_CACHE) === 0) return { arena: info.arenaOffset, chunks: null };
    if (info.chunks !== null) return { arena: -1, chunks: info.chunks };
    return null;
  }

  /**
   * JitHost: the 16-byte granules `granules` (bits 0..15) of a 256 B chunk of a fine-interleaved page
   * hold code (decoded or translated). Stores to other chunks of the same device page stay on the
   * chunk TLB; stores into this one take a checked entry that lets through only those that miss its
   * code granules (storePhys).
   */
  markCodeChunk(key: number, granules: number): void {
    const old = this.codeChunks.get(key);
    const now = (old ?? 0) | granules;
    if (old === now) return;
    this.codeChunks.set(key, now);
    // Every hart of the arena may hold a chunk-TLB entry for it (plain, or checked with fewer granules).
    for (const h of this.arenaHarts) h.emptyChunkWriteTlb();
  }

  /** JitHost: the arena page holds translated code; writes to it must now take the slow path (codePageMarked). */
  markCode(page: number): void {
    this.arena.codePages.mark(page);
  }

  /** JitHost: bytes [first, last] of a RAM arena page hold translated code (granule-tracked page). */
  markCodeBytes(page: number, first: number, last: number): void {
    this.arena.codePages.markCodeBytes(page, first, last);
  }

  /** Single-step with trace callbacks (--trace): slower, exact. Reports rd when the instruction retired. */
  private execTraced(): number {
    const pc = this.pc;
    const raw = this.peekInsn(pc);
    const exc = this.excCount;
    const n = this.exec(1);
    const writes: TraceRegWrites = [];
    if (raw !== undefined && this.excCount === exc) {
      const rd = (decodeOne(raw)[0]! >>> 8) & 63;
      if (rd !== X0_SINK) writes.push([rd, this.readReg(rd)]);
    }
    this.onTrace!(pc, raw === undefined ? '<fetch fault>' : disassemble(raw, pc), writes);
    return n;
  }

  /** The instruction bits at pc without side effects on the guest, or undefined if not fetchable. */
  peekInsn(pc: number): number | undefined {
    if (pc !== pc) return undefined;
    const save = this.exc;
    const lo = this.fetchHalf(pc);
    if (lo < 0) {
      this.exc = save;
      return undefined;
    }
    if ((lo & 3) !== 3) return lo;
    const hi = this.fetchHalf(pc + 2);
    this.exc = save;
    if (hi < 0) return undefined;
    return (lo | (hi << 16)) >>> 0;
  }

  // ---------------------------------------------------------------- ALU helpers

  private sll(rd: number, rs1: number, s: number): void {
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    if (s === 0) {
      this.rl[rd << 1] = lo;
      this.rh[rd << 1] = hi;
    } else if (s < 32) {
      this.rh[rd << 1] = (hi << s) | (lo >>> (32 - s));
      this.rl[rd << 1] = lo << s;
    } else {
      this.rh[rd << 1] = lo << (s - 32);
      this.rl[rd << 1] = 0;
    }
  }

  private srl(rd: number, rs1: number, s: number): void {
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    if (s === 0) {
      this.rl[rd << 1] = lo;
      this.rh[rd << 1] = hi;
    } else if (s < 32) {
      this.rl[rd << 1] = (lo >>> s) | (hi << (32 - s));
      this.rh[rd << 1] = hi >>> s;
    } else {
      this.rl[rd << 1] = hi >>> (s - 32);
      this.rh[rd << 1] = 0;
    }
  }

  private sra(rd: number, rs1: number, s: number): void {
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    if (s === 0) {
      this.rl[rd << 1] = lo;
      this.rh[rd << 1] = hi;
    } else if (s < 32) {
      this.rl[rd << 1] = (lo >>> s) | (hi << (32 - s));
      this.rh[rd << 1] = hi >> s;
    } else {
      this.rl[rd << 1] = hi >> (s - 32);
      this.rh[rd << 1] = hi >> 31;
    }
  }

  private divrem(op: number, rd: number, rs1: number, rs2: number): void {
    let al = this.rl[rs1 << 1]!,
      ah = this.rh[rs1 << 1]!;
    let bl = this.rl[rs2 << 1]!,
      bh = this.rh[rs2 << 1]!;
    const isRem = op === Op.REM || op === Op.REMU;
    if (bl === 0 && bh === 0) {
      if (isRem) {
        this.rl[rd << 1] = al;
        this.rh[rd << 1] = ah;
      } else {
        this.rl[rd << 1] = -1;
        this.rh[rd << 1] = -1;
      }
      return;
    }
    if (op === Op.DIVU || op === Op.REMU) {
      const q = divu64(al, ah, bl, bh);
      if (isRem) {
        this.rl[rd << 1] = r64.lo;
        this.rh[rd << 1] = r64.hi;
      } else {
        this.rl[rd << 1] = q;
        this.rh[rd << 1] = m64.hi;
      }
      return;
    }
    // Signed: overflow case -2^63 / -1.
    if (al === 0 && ah === (0x80000000 | 0) && bl === -1 && bh === -1) {
      if (isRem) {
        this.rl[rd << 1] = 0;
        this.rh[rd << 1] = 0;
      } else {
        this.rl[rd << 1] = al;
        this.rh[rd << 1] = ah;
      }
      return;
    }
    const negA = ah < 0,
      negB = bh < 0;
    if (negA) {
      ah = (~ah + (al === 0 ? 1 : 0)) | 0;
      al = -al | 0;
    }
    if (negB) {
      bh = (~bh + (bl === 0 ? 1 : 0)) | 0;
      bl = -bl | 0;
    }
    let ql = divu64(al, ah, bl, bh),
      qh = m64.hi;
    let rl = r64.lo,
      rh = r64.hi;
    if (isRem) {
      if (negA) {
        rh = (~rh + (rl === 0 ? 1 : 0)) | 0;
        rl = -rl | 0;
      }
      this.rl[rd << 1] = rl;
      this.rh[rd << 1] = rh;
    } else {
      if (negA !== negB) {
        qh = (~qh + (ql === 0 ? 1 : 0)) | 0;
        ql = -ql | 0;
      }
      this.rl[rd << 1] = ql;
      this.rh[rd << 1] = qh;
    }
  }

  /** DIVW, DIVUW, REMW, REMUW: 32-bit operands, sign-extended result (x / 0 and overflow as the spec says). */
  private divremw(op: number, rd: number, rs1: number, rs2: number): void {
    const a = this.rl[rs1 << 1]!,
      b = this.rl[rs2 << 1]!;
    let v: number;
    if (op === Op.DIVW) v = b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : (a / b) | 0;
    else if (op === Op.DIVUW) v = b === 0 ? -1 : Math.floor((a >>> 0) / (b >>> 0)) | 0;
    else if (op === Op.REMW) v = b === 0 ? a : a === -0x80000000 && b === -1 ? 0 : (a % b) | 0;
    else v = b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
    this.rl[rd << 1] = v;
    this.rh[rd << 1] = v >> 31;
  }

  // ---------------------------------------------------------------- address translation

  /** Privilege used for loads/stores (MPRV). */
  private dataPriv(): number {
    if ((this.mstatus & MSTATUS_MPRV) !== 0 && this.priv === PRIV_M)
      return (this.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
    return this.priv;
  }

  /**
   * Translate a virtual address (halves) for access kind acc; returns the physical address, or -1
   * with the page fault / access fault pending in this.exc (tval = the virtual address).
   */
  translate(lo: number, hi: number, acc: number): number {
    const priv = acc === ACC_X ? this.priv : this.dataPriv();
    this.walkPbmt = 0;
    if (priv === PRIV_M || this.satpHi >>> 28 !== 8) {
      // Bare: physical = virtual; beyond 2^52 nothing exists (access fault via the bus check).
      if (hi < 0 || hi >= 0x100000) {
        this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
        return -1;
      }
      return hi * TWO32 + (lo >>> 0);
    }
    if ((hi << 25) >> 25 !== hi) {
      // bits 63:39 must equal bit 38
      this.setExc(PAGE_CAUSE[acc]!, lo, hi);
      return -1;
    }
    return this.walk(lo, hi, acc, priv);
  }

  private walk(lo: number, hi: number, acc: number, priv: number): number {
    if (this.slowCounts) this.slow[CpuSlowPath.PageWalk]!++;
    const bus = this.bus;
    for (let retry = 0; retry < 4; retry++) {
      let table = ((this.satpHi & 0xfff) >>> 0) * TWO32 + (this.satpLo >>> 0); // PPN (44 bits)
      table *= 4096;
      const vpn2 = ((hi & 0x7f) << 2) | (lo >>> 30);
      const vpn1 = (lo >>> 21) & 511;
      const vpn0 = (lo >>> 12) & 511;
      let level = 2;
      let pteAddr = 0,
        pl = 0,
        ph = 0;
      for (;;) {
        const idx = level === 2 ? vpn2 : level === 1 ? vpn1 : vpn0;
        pteAddr = table + idx * 8;
        if (!this.pmp.check(pteAddr, 8, PMP_R, PRIV_S)) {
          this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
          return -1;
        }
        pl = bus.load(pteAddr, 8) | 0;
        ph = bus.hi | 0;
        if (bus.fault !== 0) {
          this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
          return -1;
        }
        // Bits 63:54: N (no Svnapot) and the reserved 60:54 must be zero; PBMT (62:61) is checked below.
        if ((pl & 1) === 0 || (pl & 6) === 4 || ((ph >>> 22) & 0x27f) !== 0) {
          this.setExc(PAGE_CAUSE[acc]!, lo, hi);
          return -1;
        }
        const pbmt = (ph >>> 29) & 3;
        if ((pl & 0xa) !== 0) {
          // R or X: leaf. Svpbmt: PBMT needs menvcfg.PBMTE, and 3 is reserved.
          if (pbmt !== 0 && (pbmt === 3 || (this.menvcfgHi & MENVCFG_HI_PBMTE) === 0)) {
            this.setExc(PAGE_CAUSE[acc]!, lo, hi);
            return -1;
          }
          this.walkPbmt = pbmt;
          break;
        }
        if (pbmt !== 0) {
          // Non-leaf PTEs' bits 62:61 are reserved.
          this.setExc(PAGE_CAUSE[acc]!, lo, hi);
          return -1;
        }
        if (level === 0) {
          this.setExc(PAGE_CAUSE[acc]!, lo, hi);
          return -1;
        }
        level--;
        table = ((pl >>> 10) + (ph & 0x3fffff) * 4194304) * 4096;
      }
      // Leaf permission checks.
      const r = (pl & 2) !== 0,
        w = (pl & 4) !== 0,
        x = (pl & 8) !== 0,
        u = (pl & 16) !== 0;
      let okPerm: boolean;
      if (acc === ACC_X) okPerm = x;
      else if (acc === ACC_W) okPerm = w;
      else okPerm = r || ((this.mstatus & MSTATUS_MXR) !== 0 && x);
      if (priv === PRIV_U && !u) okPerm = false;
      if (priv === PRIV_S && u && (acc === ACC_X || (this.mstatus & MSTATUS_SUM) === 0)) okPerm = false;
      const ppnLow = pl >>> 10; // ppn bits 21:0 (ppn[1:0] are bits 17:0)
      if (level === 2 && (ppnLow & 0x3ffff) !== 0) okPerm = false;
      if (level === 1 && (ppnLow & 0x1ff) !== 0) okPerm = false;
      if (!okPerm) {
        this.setExc(PAGE_CAUSE[acc]!, lo, hi);
        return -1;
      }
      // Accessed/dirty: compare-and-swap through the bus, wherever the table lives.
      const need = 0x40 | (acc === ACC_W ? 0x80 : 0);
      if ((pl & need) !== need) {
        if (!this.pmp.check(pteAddr, 8, PMP_W, PRIV_S)) {
          this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
          return -1;
        }
        const cl = bus.load(pteAddr, 8) | 0,
          ch = bus.hi | 0;
        if (bus.fault !== 0) {
          this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
          return -1;
        }
        if (cl !== pl || ch !== ph) continue; // changed under us: walk again
        bus.store(pteAddr, 8, (pl | need) >>> 0, ph >>> 0);
        if (bus.fault !== 0) {
          this.setExc(ACCESS_CAUSE[acc]!, lo, hi);
          return -1;
        }
      }
      if (level > 0) this.noteSuperLeaf(level, vpn2, vpn1);
      let ppn = ppnLow + (ph & 0x3fffff) * 4194304;
      if (level === 2) ppn += vpn1 * 512 + vpn0;
      else if (level === 1) ppn += vpn0;
      return ppn * 4096 + (lo & 4095);
    }
    this.setExc(PAGE_CAUSE[acc]!, lo, hi);
    return -1;
  }

  // ---------------------------------------------------------------- loads and stores (slow paths)

  /** High half of the last loadSlow (8-byte loads). */
  private ldHi = 0;

  /** Data TLB entries may be filled: not for Svpbmt NC/IO pages, nor in timing mode (every access is charged). */
  private get fillsDataTlb(): boolean {
    return this.walkPbmt === 0 && this.dataTiming === null;
  }

  /** Timing mode may cache this page's translation: a cacheable page, no watchpoint on it. */
  private timingFillOk(lo: number, hi: number): boolean {
    return this.dataTiming !== null && this.walkPbmt === 0 && !this.debugActive && !this.watchedPage(lo, hi);
  }

  /** Timing mode: charge a data access at physical `pa` (cacheable unless the page is NC/IO). */
  private chargeData(pa: number, size: number, write: boolean): void {
    const t = this.dataTiming!;
    const now = this.icount + this.stallCycles;
    this.stallCycles +=
      this.walkPbmt === 0 ? t.access(pa, size, write, now, !write && this.loadDependent) : t.uncached(pa, write, now);
  }
  /** Timing mode: the current load's base register is the previous load's destination. */
  private loadDependent = false;
  /** The destination register of the last integer load (-1: none), for loadDependent. */
  private lastLoadRd = -1;

  /** Load size bytes at va (halves): returns the low 32 bits, ldHi the high; exc on fault. */
  private loadSlow(lo: number, hi: number, size: number): number {
    const off = lo & 4095;
    this.ldHi = 0;
    if ((lo & (size - 1)) !== 0 && (lo & 255) + size <= CHUNK) {
      // Misaligned inside a cached chunk (the inline probe, which missed, takes aligned ones only).
      const c = chunkProbe(this.gT, lo, hi, 0);
      if (c >= 0) return this.readArena(c, size);
    }
    if (off + size > 4096) return this.loadSplit(lo, hi, size);
    if ((lo & (size - 1)) !== 0) {
      // Misaligned inside a cached page (the interpreter's inline probe takes aligned ones only;
      // translated code's takes these too): no walk.
      const a = pageProbe(this.rT, lo, hi, 0);
      if (a >= 0) return this.readArena(a, size);
    }
    if (this.dataTiming !== null) {
      const a = this.timedReads.probe(lo, hi);
      if (a >= 0) {
        const pa = this.timedReads.physBase + off;
        this.chargeData(pa, size, false);
        if (this.dataSlowSink !== null) this.dataSlowSink(pa, size, false);
        return this.readArena(a + off, size);
      }
    }
    if (this.slowCounts) this.slow[(lo & (size - 1)) !== 0 ? CpuSlowPath.Misaligned : CpuSlowPath.LoadMiss]!++;
    const pa = this.translate(lo, hi, ACC_R);
    if (pa < 0) return 0;
    const priv = this.dataPriv();
    if (!this.pmp.check(pa, size, PMP_R, priv)) {
      this.setExc(Cause.LoadAccess, lo, hi);
      return 0;
    }
    // Svpbmt NC/IO pages get no TLB entry: every access comes here, where the timing model sees
    // the memory type and bypasses its caches.
    if (this.dataTiming !== null) this.chargeData(pa, size, false);
    if (this.dataSlowSink !== null) this.dataSlowSink(pa, size, false);
    let fill = this.fillsDataTlb;
    if (this.debugActive) {
      this.dataPoint(lo, hi, size, false);
      if (this.exc !== 0) return 0;
      fill = fill && !this.watchedPage(lo, hi);
    }
    const info = this.bus.resolvePage(pa, false);
    const p = info.arenaOffset;
    if (p >= 0 && (info.flags & NO_CACHE) === 0) {
      if (fill && this.pmp.pageDecision(pa - off, PMP_R, priv) === 1) tlbFill(this.rT, lo, hi, p);
      else if (this.timingFillOk(lo, hi) && this.pmp.pageDecision(pa - off, PMP_R, priv) === 1)
        this.timedReads.fill(lo, hi, pa - off, p);
      return this.readArena(p + off, size);
    }
    const tbl = info.chunks;
    if (tbl !== null && (off & 255) + size <= CHUNK) {
      const c = tbl[off >>> 8]!;
      if (fill && this.pmp.pageDecision(pa - off, PMP_R, priv) === 1) chunkFill(this.gT, lo, hi, c);
      this.gFilled = true;
      return this.readArena(c + (off & 255), size);
    }
    if (this.slowCounts) this.slow[CpuSlowPath.Mmio]!++;
    const v = this.bus.load(pa, size as 1 | 2 | 4 | 8);
    if (this.bus.fault !== 0) {
      this.setExc(Cause.LoadAccess, lo, hi);
      return 0;
    }
    this.ldHi = this.bus.hi | 0;
    return v | 0;
  }

  private readArena(a: number, size: number): number {
    const v = this.view;
    if (size === 8) {
      this.ldHi = v.getInt32(a + 4, true);
      return v.getInt32(a, true);
    }
    this.ldHi = 0;
    if (size === 4) return v.getInt32(a, true);
    if (size === 2) return v.getUint16(a, true);
    return this.u8[a]!;
  }

  /** A load crossing a page: byte by byte (tval = va for the first page, the second page's base for it). */
  private loadSplit(lo: number, hi: number, size: number): number {
    if (this.slowCounts) this.slow[CpuSlowPath.PageCross]!++;
    let vl = 0,
      vh = 0;
    for (let i = 0; i < size; i++) {
      const bl = (lo + i) | 0;
      const bh = (hi + (bl >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
      const b = this.loadSlow(bl, bh, 1) & 0xff;
      if (this.exc !== 0) return 0;
      if (i < 4) vl |= b << (8 * i);
      else vh |= b << (8 * (i - 4));
    }
    this.ldHi = vh;
    return vl;
  }

  private storeSlow(lo: number, hi: number, size: number, vl: number, vh: number): void {
    const off = lo & 4095;
    if ((lo & (size - 1)) !== 0 && (lo & 255) + size <= CHUNK) {
      // Misaligned inside a cached chunk (the inline probe, which missed, takes aligned ones only).
      const c = chunkProbe(this.gwT, lo, hi, 0);
      if (c >= 0) {
        this.writeArena(c, size, vl, vh);
        return;
      }
    }
    if (off + size > 4096) {
      this.storeSplit(lo, hi, size, vl, vh);
      return;
    }
    if ((lo & (size - 1)) !== 0) {
      const a = pageProbe(this.wT, lo, hi, 0);
      if (a >= 0) {
        this.writeArena(a, size, vl, vh);
        return;
      }
    }
    if (this.dataTiming !== null) {
      const a = this.timedWrites.probe(lo, hi);
      if (a >= 0) {
        const pa = this.timedWrites.physBase + off;
        this.chargeData(pa, size, true);
        if (this.dataSlowSink !== null) this.dataSlowSink(pa, size, true);
        this.writeArena(a + off, size, vl, vh);
        return;
      }
    }
    if (this.slowCounts) this.slow[(lo & (size - 1)) !== 0 ? CpuSlowPath.Misaligned : CpuSlowPath.StoreMiss]!++;
    const pa = this.translate(lo, hi, ACC_W);
    if (pa < 0) return;
    const priv = this.dataPriv();
    if (!this.pmp.check(pa, size, PMP_W, priv)) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return;
    }
    if (this.debugActive) {
      this.dataPoint(lo, hi, size, true);
      if (this.exc !== 0) return;
    }
    if (this.dataTiming !== null) this.chargeData(pa, size, true);
    if (this.dataSlowSink !== null) this.dataSlowSink(pa, size, true);
    this.storePhys(pa, size, vl, vh, lo, hi, priv);
  }

  /** Store at a checked physical address; fills the write TLB for plain RAM pages (va lo/hi). */
  private storePhys(pa: number, size: number, vl: number, vh: number, lo: number, hi: number, priv: number): void {
    const off = pa % 4096;
    const info = this.bus.resolvePage(pa, true);
    const p = info.arenaOffset;
    if (p >= 0 && (info.flags & (NO_CACHE | PageFlag.ReadOnly)) === 0) {
      const a = p + off;
      // A store that leaves the bytes as they were cannot make any translation stale.
      const code = (info.flags & PageFlag.Code) !== 0;
      const changesCode = code && !this.arenaHolds(a, size, vl, vh);
      this.writeArena(a, size, vl, vh);
      if (code) {
        if (changesCode) {
          if (this.slowCounts) this.slow[CpuSlowPath.CodeInvalidate]!++;
          this.arena.noteWrite(a, size); // drops the decoded page via onInvalidate (if it hit code)
        }
        // The written chunk of a granule-tracked page gets a chunk write-TLB entry: plain when it
        // holds no code, else checked, so translated code stores through it into the chunk's
        // other granules (code and data sharing 256 bytes, issue 14). Every such entry goes when
        // a chunk gains code (codeChunksMarked).
        const ap = p / 4096;
        const chunk = off >>> 8;
        const codeMask = this.arena.codePages.chunkCodeMask(ap, chunk);
        if (
          (off & 255) + size <= CHUNK &&
          codeMask !== -1 &&
          this.arena.codePages.has(ap) &&
          this.fillsDataTlb &&
          !this.watchedPage(lo, hi) &&
          (info.flags & PageFlag.DirtyTracked) === 0 &&
          this.pmp.pageDecision(pa - off, PMP_W, priv) === 1
        ) {
          this.noteChunkWriteFill(chunkWriteFill(this.gwT, lo, hi, p + (chunk << 8), codeMask));
          this.gwPages.add(ap);
          this.gwCodePageEntries = true;
        }
      } else if (
        this.fillsDataTlb &&
        !this.watchedPage(lo, hi) &&
        (info.flags & PageFlag.DirtyTracked) === 0 &&
        this.pmp.pageDecision(pa - off, PMP_W, priv) === 1
      ) {
        tlbFill(this.wT, lo, hi, p);
      } else if (
        this.timingFillOk(lo, hi) &&
        (info.flags & PageFlag.DirtyTracked) === 0 &&
        this.pmp.pageDecision(pa - off, PMP_W, priv) === 1
      ) {
        this.timedWrites.fill(lo, hi, pa - off, p);
      }
      return;
    }
    const tbl = info.chunks;
    if (tbl !== null && (off & 255) + size <= CHUNK) {
      {
        const c = tbl[off >>> 8]!;
        const ap = Math.floor(c / 4096);
        const codeMask = this.arena.codePages.has(ap) ? (this.codeChunks.get(Math.floor(c / CHUNK)) ?? 0) : 0;
        // The granules written (an access inside the chunk spans at most two); a store into code
        // that leaves the bytes as they were changes nothing.
        const written = (2 << (((off & 255) + size - 1) >>> 4)) - (1 << ((off & 255) >>> 4));
        const hitsCode = (codeMask & written) !== 0 && !this.arenaHolds(c + (off & 255), size, vl, vh);
        this.writeArena(c + (off & 255), size, vl, vh);
        if (hitsCode) {
          // Other chunks of this device page may hold code: tell the listener which chunk we
          // wrote (so only its slots are cleared), then re-mark the page for everyone else.
          if (this.slowCounts) this.slow[CpuSlowPath.CodeInvalidate]!++;
          this.selfWriteChunk = c;
          this.arena.noteWrite(c + (off & 255), size);
          this.selfWriteChunk = -1;
          if (this.physByArenaPage.has(ap) || this.jit?.hasPage(ap)) this.arena.codePages.remark(ap);
        } else if (
          this.fillsDataTlb &&
          !this.watchedPage(lo, hi) &&
          this.pmp.pageDecision(pa - off, PMP_W, priv) === 1
        ) {
          // No code written: a plain entry, or a checked one when the chunk holds code elsewhere.
          this.noteChunkWriteFill(chunkWriteFill(this.gwT, lo, hi, c, codeMask));
          this.gwPages.add(ap);
          if (codeMask !== 0) this.gwCodePageEntries = true;
        }
        return;
      }
    }
    if (this.slowCounts) this.slow[CpuSlowPath.Mmio]!++;
    this.bus.store(pa, size as 1 | 2 | 4 | 8, vl >>> 0, vh >>> 0);
    if (this.bus.fault !== 0) this.setExc(Cause.StoreAccess, lo, hi);
  }

  /** Whether arena bytes [a, a + size) already hold the value a store of (vl, vh) would write. */
  private arenaHolds(a: number, size: number, vl: number, vh: number): boolean {
    const v = this.view;
    if (size === 8) return v.getInt32(a, true) === (vl | 0) && v.getInt32(a + 4, true) === (vh | 0);
    if (size === 4) return v.getInt32(a, true) === (vl | 0);
    if (size === 2) return v.getUint16(a, true) === (vl & 0xffff);
    return this.u8[a] === (vl & 0xff);
  }

  private writeArena(a: number, size: number, vl: number, vh: number): void {
    const v = this.view;
    if (size === 8) {
      v.setInt32(a, vl, true);
      v.setInt32(a + 4, vh, true);
    } else if (size === 4) v.setInt32(a, vl, true);
    else if (size === 2) v.setUint16(a, vl & 0xffff, true);
    else this.u8[a] = vl;
  }

  /** A store crossing a page: both pages are checked before any byte is written (as QEMU does). */
  private storeSplit(lo: number, hi: number, size: number, vl: number, vh: number): void {
    if (this.slowCounts) this.slow[CpuSlowPath.PageCross]!++;
    const first = 4096 - (lo & 4095);
    const l2 = (lo + first) | 0;
    const h2 = (hi + (l2 >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
    const priv = this.dataPriv();
    const pa1 = this.translate(lo, hi, ACC_W);
    if (pa1 < 0) return;
    if (!this.pmp.check(pa1, first, PMP_W, priv)) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return;
    }
    const pa2 = this.translate(l2, h2, ACC_W);
    if (pa2 < 0) return;
    if (!this.pmp.check(pa2, size - first, PMP_W, priv)) {
      this.setExc(Cause.StoreAccess, l2, h2);
      return;
    }
    // Nothing mapped at either page: fault before writing any byte.
    if ((this.bus.resolvePage(pa1, false).flags & PageFlag.Fault) !== 0) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return;
    }
    if ((this.bus.resolvePage(pa2, false).flags & PageFlag.Fault) !== 0) {
      this.setExc(Cause.StoreAccess, l2, h2);
      return;
    }
    for (let i = 0; i < size; i++) {
      const b = (i < 4 ? vl >>> (8 * i) : vh >>> (8 * (i - 4))) & 0xff;
      const pa = i < first ? pa1 + i : pa2 + (i - first);
      const bl = (lo + i) | 0;
      const bh = (hi + (bl >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
      this.storePhys(pa, 1, b, 0, bl, bh, priv);
      if (this.exc !== 0) return;
    }
  }

  // ---------------------------------------------------------------- atomics

  private atomic(op: number, rd: number, rs1: number, rs2: number): void {
    const lo = this.rl[rs1 << 1]!,
      hi = this.rh[rs1 << 1]!;
    const isD = op >= Op.LR_D;
    const size = isD ? 8 : 4;
    const base = isD ? op - (Op.LR_D - Op.LR_W) : op;
    if ((lo & (size - 1)) !== 0) {
      this.setExc(base === Op.LR_W ? Cause.LoadMisaligned : Cause.StoreMisaligned, lo, hi);
      return;
    }
    if (base === Op.LR_W) {
      const v = this.loadSlow(lo, hi, size);
      if (this.exc !== 0) return;
      const vh = isD ? this.ldHi : v >> 31;
      const res = this.res;
      res[RES_VALID] = 1;
      res[RES_LO] = lo;
      res[RES_HI] = hi;
      res[RES_SIZE] = size;
      res[RES_VAL_LO] = v;
      res[RES_VAL_HI] = isD ? this.ldHi : 0;
      this.rl[rd << 1] = v;
      this.rh[rd << 1] = vh;
      return;
    }
    if (base === Op.SC_W) {
      const res = this.res;
      const ok = res[RES_VALID] !== 0 && res[RES_LO] === lo && res[RES_HI] === hi && res[RES_SIZE] === size;
      res[RES_VALID] = 0;
      if (!ok) {
        this.rl[rd << 1] = 1;
        this.rh[rd << 1] = 0;
        return;
      }
      const pa = this.amoAddress(lo, hi, size);
      if (pa < 0) return;
      const cur = this.physRead(pa, size, lo, hi);
      if (this.exc !== 0) return;
      if (cur !== res[RES_VAL_LO] || (isD && this.ldHi !== res[RES_VAL_HI])) {
        this.rl[rd << 1] = 1;
        this.rh[rd << 1] = 0;
        return;
      }
      this.storePhys(pa, size, this.rl[rs2 << 1]!, this.rh[rs2 << 1]!, lo, hi, this.dataPriv());
      if (this.exc !== 0) return;
      this.rl[rd << 1] = 0;
      this.rh[rd << 1] = 0;
      return;
    }
    const pa = this.amoAddress(lo, hi, size);
    if (pa < 0) return;
    const ol = this.physRead(pa, size, lo, hi);
    if (this.exc !== 0) return;
    const oh = isD ? this.ldHi : ol >> 31;
    const bl = this.rl[rs2 << 1]!,
      bh = isD ? this.rh[rs2 << 1]! : bl >> 31;
    let nl = bl,
      nh = bh;
    switch (base) {
      case Op.AMOSWAP_W:
        break;
      case Op.AMOADD_W:
        nl = (ol + bl) | 0;
        nh = (oh + bh + (nl >>> 0 < ol >>> 0 ? 1 : 0)) | 0;
        break;
      case Op.AMOXOR_W:
        nl = ol ^ bl;
        nh = oh ^ bh;
        break;
      case Op.AMOAND_W:
        nl = ol & bl;
        nh = oh & bh;
        break;
      case Op.AMOOR_W:
        nl = ol | bl;
        nh = oh | bh;
        break;
      case Op.AMOMIN_W:
      case Op.AMOMAX_W: {
        const less = oh < bh || (oh === bh && ol >>> 0 < bl >>> 0);
        const takeOld = base === Op.AMOMIN_W ? less : !less;
        if (takeOld) {
          nl = ol;
          nh = oh;
        }
        break;
      }
      default: {
        // AMOMINU / AMOMAXU
        const less = oh >>> 0 < bh >>> 0 || (oh === bh && ol >>> 0 < bl >>> 0);
        const takeOld = base === Op.AMOMINU_W ? less : !less;
        if (takeOld) {
          nl = ol;
          nh = oh;
        }
        break;
      }
    }
    this.storePhys(pa, size, nl, nh, lo, hi, this.dataPriv());
    if (this.exc !== 0) return;
    this.rl[rd << 1] = ol;
    this.rh[rd << 1] = oh;
  }

  /** Translate + PMP-check an AMO/SC address (faults are store/AMO faults). */
  private amoAddress(lo: number, hi: number, size: number): number {
    const pa = this.translate(lo, hi, ACC_W);
    if (pa < 0) return -1;
    const priv = this.dataPriv();
    if (!this.pmp.check(pa, size, PMP_W, priv) || !this.pmp.check(pa, size, PMP_R, priv)) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return -1;
    }
    if (this.debugActive) {
      // An AMO reads and writes: read, write and access points all fire.
      this.dataPoint(lo, hi, size, false);
      if (this.exc === 0 && this.debugHit === null) this.dataPoint(lo, hi, size, true);
      if (this.exc !== 0) return -1;
    }
    return pa;
  }

  /** AMO/SC read at a physical address (no TLB fill); a bus fault is a store/AMO access fault at va. */
  private physRead(pa: number, size: number, lo: number, hi: number): number {
    const info = this.bus.resolvePage(pa, false);
    if (info.arenaOffset >= 0 && (info.flags & NO_CACHE) === 0) {
      return this.readArena(info.arenaOffset + (pa % 4096), size);
    }
    const v = this.bus.load(pa, size as 1 | 2 | 4 | 8);
    if (this.bus.fault !== 0) {
      this.setExc(Cause.StoreAccess, lo, hi);
      return 0;
    }
    this.ldHi = this.bus.hi | 0;
    return v | 0;
  }

  // ---------------------------------------------------------------- instruction fetch (slow path)

  /** A 16-bit parcel at va for execution, or -1 with the fetch fault pending (tval = va). */
  private fetchHalf(pc: number): number {
    const lo = pc | 0,
      hi = Math.floor(pc / TWO32) | 0;
    const pa = this.translate(lo, hi, ACC_X);
    if (pa < 0) return -1;
    if (!this.pmp.check(pa, 2, PMP_X, this.priv)) {
      this.setExc(Cause.InstAccess, lo, hi);
      return -1;
    }
    const v = this.bus.load(pa, 2);
    if (this.bus.fault !== 0) {
      this.setExc(Cause.InstAccess, lo, hi);
      return -1;
    }
    return v & 0xffff;
  }

  /**
   * Fetch the instruction at pc when it is not on the current decoded page: switch pages (fetch
   * TLB, else translate and resolve), or decode into scratch for uncached code and page-straddling
   * instructions. Returns the slot index in this.fetchArr, or -1 with the fault pending.
   */
  private fetchSlow(pc: number): number {
    if (pc !== pc) {
      // Jump target beyond +-2^52: no such address under Sv39 (page fault) or physically (access fault).
      const paging = this.priv !== PRIV_M && this.satpHi >>> 28 === 8;
      this.setExc(paging ? Cause.InstPage : Cause.InstAccess, this.bigPcLo, this.bigPcHi);
      return -1;
    }
    const off = pc & 4095;
    const vbase = pc - off;
    if (this.debugActive && this.pageHasExecPoint(vbase)) {
      // Every instruction of this page comes here (fetchUncached leaves no current page).
      const r = this.fetchPoint(pc);
      if (r < 0) return r;
      return this.fetchUncached(pc);
    }
    const lo = pc | 0,
      hi = Math.floor(pc / TWO32) | 0;
    const t = (lo >>> 12) & TLB_MASK;
    if (this.xTL[t] === (lo & -4096) && this.xTH[t] === hi) {
      if (this.xTA[t]! >= 0) this.setCodePage(vbase, this.xTA[t]!);
      else this.setChunkPage(vbase, this.xCode[t]!, this.xPhys[t]!);
    } else {
      if (this.slowCounts) this.slow[CpuSlowPath.FetchPageChange]!++;
      this.cbase = NaN;
      const pa = this.translate(lo, hi, ACC_X);
      if (pa < 0) return -1;
      // Svpbmt IO: code there is fetched through the bus every time, never decoded and kept.
      if (this.walkPbmt === PBMT_IO) return this.fetchUncached(pc);
      const pbase = pa - off;
      const info = this.bus.resolvePage(pbase, false);
      const p = info.arenaOffset;
      if (p >= 0 && (info.flags & NO_CACHE) === 0 && this.pmp.pageDecision(pbase, PMP_X, this.priv) === 1) {
        this.xTL[t] = lo & -4096;
        this.xTH[t] = hi;
        this.xTA[t] = p;
        this.setCodePage(vbase, p);
      } else if (info.chunks !== null && this.pmp.pageDecision(pbase, PMP_X, this.priv) === 1) {
        const code = this.physCode(pbase, info.chunks);
        this.xTL[t] = lo & -4096;
        this.xTH[t] = hi;
        this.xTA[t] = -1;
        this.xCode[t] = code;
        this.xPhys[t] = pbase;
        this.setChunkPage(vbase, code, pbase);
      } else {
        return this.fetchUncached(pc);
      }
    }
    // On a cached page; only offset 4094 reaches here (or the first fetch on the page).
    const code = this.code;
    const s = off << 1;
    this.fetchArr = code;
    if (off < 4094) {
      if (code[s] === 0) {
        if (this.craw >= 0) {
          decodeInto(this.curHalf(off) | (this.curHalf(off + 2) << 16), code, s);
          this.noteDecoded(this.craw, off, code[s]!);
        } else this.decodeChunkSlot(off);
      }
      return s;
    }
    const low = this.curHalf(off);
    if ((low & 3) !== 3) {
      if (code[s] === 0) {
        if (this.craw >= 0) {
          decodeInto(low, code, s);
          this.noteDecoded(this.craw, off, code[s]!);
        } else this.decodeChunkSlot(off);
      }
      return s;
    }
    // A 32-bit instruction straddling two pages: fetch the second half from the next page.
    if (this.slowCounts) this.slow[CpuSlowPath.FetchStraddle]!++;
    const high = this.fetchHalf(pc + 2);
    if (high < 0) return -1;
    decodeInto(low | (high << 16), this.scratch, 0);
    this.fetchArr = this.scratch;
    return 0;
  }

  /** Fetch through the bus every time (MMIO, split or PMP-mixed pages). */
  private fetchUncached(pc: number): number {
    if (this.slowCounts) this.slow[CpuSlowPath.FetchUncached]!++;
    this.cbase = NaN;
    const low = this.fetchHalf(pc);
    if (low < 0) return -1;
    let raw = low;
    if ((low & 3) === 3) {
      const high = this.fetchHalf(pc + 2);
      if (high < 0) return -1;
      raw = low | (high << 16);
    }
    decodeInto(raw, this.scratch, 0);
    this.fetchArr = this.scratch;
    return 0;
  }

  /** A 16-bit parcel of the current decoded page (direct arena page, or a granule page's chunks). */
  private curHalf(off: number): number {
    if (this.craw >= 0) return this.u16[(this.craw + off) >>> 1]!;
    return this.u16[(this.curChunks![off >>> 8]! + (off & 255)) >>> 1]!;
  }

  private setChunkPage(vbase: number, code: Int32Array, pbase: number): void {
    this.cpriv = this.priv;
    this.cbase = vbase;
    this.code = code;
    this.craw = -1;
    this.curChunks = this.physChunks.get(pbase) ?? null;
    this.curPhys = pbase;
  }

  /**
   * Decoded slots for a fine-interleaved physical page, decoded lazily by decodeChunkSlot. Each
   * chunk's arena page is marked as code when an instruction is first decoded from it; a write to
   * that arena page (CPU, DMA, host) clears only the slots of the chunks it holds (dropCodePage),
   * because data and code of nearby pages share device pages under fine interleave.
   */
  private physCode(pbase: number, chunks: Float64Array): Int32Array {
    const have = this.decodedPhys.get(pbase);
    if (have !== undefined) return have;
    const code = new Int32Array(SLOTS_PER_PAGE * SLOT_WORDS);
    this.decodedPhys.set(pbase, code);
    this.physChunks.set(pbase, chunks);
    return code;
  }

  /** Decode slot `off` of the current granule page (a 32-bit form may read the next chunk). */
  private decodeChunkSlot(off: number): void {
    const tbl = this.curChunks!;
    const u16 = this.u16;
    const c0 = tbl[off >>> 8]!;
    const low = u16[(c0 + (off & 255)) >>> 1]!;
    // The granules of the instruction's bytes: its first half's, and its second half's (which may
    // lie in the next chunk, at its granule 0).
    const g0 = 1 << ((off & 255) >>> 4);
    if ((low & 3) === 3 && off < 4094) {
      const c1 = tbl[(off + 2) >>> 8]!;
      if (c1 !== c0) {
        this.markChunk(c0, g0);
        this.markChunk(c1, 1);
      } else this.markChunk(c0, g0 | (1 << (((off + 2) & 255) >>> 4)));
      decodeInto(low | (u16[(c1 + ((off + 2) & 255)) >>> 1]! << 16), this.code, off << 1);
    } else {
      this.markChunk(c0, g0);
      decodeInto(low, this.code, off << 1);
    }
  }

  /** Mark the arena page holding a code chunk of the current granule page. */
  private markChunk(chunkArenaOff: number, granules: number): void {
    const ap = Math.floor(chunkArenaOff / 4096);
    const cp = this.arena.codePages;
    const list = this.physByArenaPage.get(ap);
    if (list === undefined) this.physByArenaPage.set(ap, [this.curPhys]);
    else if (!list.includes(this.curPhys)) list.push(this.curPhys);
    this.markCodeChunk(Math.floor(chunkArenaOff / CHUNK), granules);
    // Every hart's cached writable chunks/pages into this arena page go (codePageMarked).
    cp.mark(ap);
  }

  /** An arena page became a code page (by any hart): writes to it must now take the slow path. */
  private codePageMarked(page: number): void {
    this.timedWrites.clear(); // timing mode: writes to a page that now holds code must go slow
    if (this.gwPages.has(page)) this.emptyChunkWriteTlb();
    tlbDropArenaPage(this.wT, page);
  }

  private setCodePage(vbase: number, arenaOff: number): void {
    this.cpriv = this.priv;
    const page = arenaOff / 4096;
    let code = this.decoded.get(page);
    if (code === undefined) {
      code = new Int32Array(SLOTS_PER_PAGE * SLOT_WORDS);
      this.decoded.set(page, code);
      // Writes to this page must now take the slow path: every hart drops write-TLB entries that
      // map it (codePageMarked). A page another hart marked already has none.
      // The page is tracked per 16-byte granule: noteDecoded marks where instructions come from.
      if (this.arena.codePages.has(page)) this.codePageMarked(page);
      else this.arena.codePages.markCodeBytes(page, 1, 0);
    }
    this.cbase = vbase;
    this.code = code;
    this.craw = arenaOff;
    this.curPhys = -1;
  }

  /** An instruction was decoded at offset `off` of the page at arena offset `craw` (w0: its slot word). */
  private noteDecoded(craw: number, off: number, w0: number): void {
    this.arena.codePages.markCodeBytes(craw / 4096, off, off + 3 - ((w0 >>> 25) & 2)); // 2 or 4 bytes
  }

  /** Chunks of a chunk-tracked page began to hold code: drop cached chunk writes that may reach them. */
  private codeChunksMarked(): void {
    if (this.gwCodePageEntries) this.emptyChunkWriteTlb();
  }

  /** Remember the chunk write-TLB index an entry went to, if any (-1), for emptyChunkWriteTlb. */
  private noteChunkWriteFill(g: number): void {
    if (g < 0) return;
    const n = this.gwFilledN;
    if (n < GW_FILLED_MAX) this.gwFilled[n] = g;
    if (n <= GW_FILLED_MAX) this.gwFilledN = n + 1;
  }

  /** Drop every chunk write-TLB entry: those filled since the last time, or all 16,384. */
  private emptyChunkWriteTlb(): void {
    const n = this.gwFilledN;
    if (n > GW_FILLED_MAX) this.gwT.fill(TLB_EMPTY);
    else for (let i = 0; i < n; i++) tlbEmptyEntry(this.gwT, this.gwFilled[i]!);
    this.gwFilledN = 0;
    this.gwPages.clear();
    this.gwCodePageEntries = false;
  }

  /** Arena page written (by anyone): forget its decoded instructions. */
  private dropCodePage(page: number, first: number, last: number): void {
    this.jit?.invalidatePage(page, this.selfWriteChunk, first, last);
    const code = this.decoded.get(page);
    if (code !== undefined) {
      // The slots of the bytes whose marks the write cleared, and the one before (a 32-bit
      // instruction there ends in them), are decoded again lazily, which marks their bytes again.
      const from = Math.max(0, first - 2);
      code.fill(0, from << 1, (last + 1) << 1);
      if (this.craw === page * 4096) this.cbase = NaN;
      this.brk = true;
    }
    const phys = this.physByArenaPage.get(page);
    if (phys !== undefined) {
      // Granule pages: clear the slots of the chunks this arena page holds (and the slot before
      // each, whose 32-bit form may end in it); the interpreter re-decodes them lazily. A write by
      // this hart names its chunk (selfWriteChunk): only that chunk's slots are cleared.
      const only = this.selfWriteChunk;
      if (only < 0) this.physByArenaPage.delete(page);
      for (const p of phys) {
        const code = this.decodedPhys.get(p);
        const tbl = this.physChunks.get(p);
        if (code === undefined || tbl === undefined) continue;
        for (let c = 0; c < CHUNKS_PER_PAGE; c++) {
          if (Math.floor(tbl[c]! / 4096) !== page || (only >= 0 && tbl[c] !== only)) continue;
          const first = c * (CHUNK / 2) * SLOT_WORDS;
          code.fill(0, Math.max(0, first - SLOT_WORDS), first + (CHUNK / 2) * SLOT_WORDS);
        }
      }
    }
  }

  // ---------------------------------------------------------------- CSRs

  /** Execute a Zicsr instruction; false = illegal (exception pending). */
  private csrInsn(op: number, rd: number, rs1: number, csr: number): boolean {
    const o = this.csrOut;
    const isImm = op >= Op.CSRRWI;
    const kind = isImm ? op - (Op.CSRRWI - Op.CSRRW) : op;
    const srcL = isImm ? rs1 : this.rl[rs1 << 1]!;
    const srcH = isImm ? 0 : this.rh[rs1 << 1]!;
    const writes = kind === Op.CSRRW || rs1 !== 0;
    if (((csr >>> 8) & 3) > this.priv || (writes && csr >>> 10 === 3)) {
      this.setExc(Cause.Illegal, this.curRaw, 0);
      return false;
    }
    if (!this.csrRead(csr, o)) {
      this.setExc(Cause.Illegal, this.curRaw, 0);
      return false;
    }
    const oldL = o.lo,
      oldH = o.hi;
    if (writes) {
      // mip.SEIP reads as the software bit OR the PLIC's line, but only the software bit takes part
      // in a CSRRS/CSRRC read-modify-write (priv spec 3.1.9): else clearing STIP would latch SEIP.
      const rmwL = csr === CSR.mip ? (oldL & ~MIP_SEIP) | (this.mipSw & MIP_SEIP) : oldL;
      let nl: number, nh: number;
      if (kind === Op.CSRRW) {
        nl = srcL;
        nh = srcH;
      } else if (kind === Op.CSRRS) {
        nl = rmwL | srcL;
        nh = oldH | srcH;
      } else {
        nl = rmwL & ~srcL;
        nh = oldH & ~srcH;
      }
      if (!this.csrWrite(csr, nl | 0, nh | 0)) {
        this.setExc(Cause.Illegal, this.curRaw, 0);
        return false;
      }
      this.brk = true;
    }
    this.rl[rd << 1] = oldL;
    this.rh[rd << 1] = oldH;
    return true;
  }

  private counterValue(baseLo: number, baseHi: number, at: number, now: number, o: { lo: number; hi: number }): void {
    const d = now - at;
    const lo = (baseLo >>> 0) + (d % TWO32);
    o.lo = lo | 0;
    o.hi = (baseHi + Math.floor(d / TWO32) + (lo >= TWO32 ? 1 : 0)) | 0;
  }

  /** Counts as seen by the executing instruction (it has not retired yet). */
  private cycNow(): number {
    return this.icountNow - 1 + this.stallCycles;
  }
  private insNow(): number {
    return this.icountNow - 1 - this.excCount;
  }

  private readCycle(o: { lo: number; hi: number }): void {
    if ((this.mcountinhibit & 1) !== 0) {
      o.lo = this.cycBaseLo;
      o.hi = this.cycBaseHi;
      return;
    }
    this.counterValue(this.cycBaseLo, this.cycBaseHi, this.cycAt, this.cycNow(), o);
  }
  private readInstret(o: { lo: number; hi: number }): void {
    if ((this.mcountinhibit & 4) !== 0) {
      o.lo = this.insBaseLo;
      o.hi = this.insBaseHi;
      return;
    }
    this.counterValue(this.insBaseLo, this.insBaseHi, this.insAt, this.insNow(), o);
  }

  /** Read a CSR into o; false if it does not exist (or is not accessible now). */
  csrRead(csr: number, o: { lo: number; hi: number }): boolean {
    o.lo = 0;
    o.hi = 0;
    if (csr >= 0xc00 && csr <= 0xc1f) {
      const bit = 1 << (csr & 31);
      if (this.priv < PRIV_M && (this.mcounteren & bit) === 0) return false;
      if (this.priv < PRIV_S && (this.scounteren & bit) === 0) return false;
      if (csr === CSR.cycle) this.readCycle(o);
      else if (csr === CSR.instret) this.readInstret(o);
      else if (csr === CSR.time) {
        const t = this.getTime();
        o.lo = (t % TWO32) | 0;
        o.hi = Math.floor(t / TWO32) | 0;
      }
      return true;
    }
    if (isTriggerCsr(csr)) return this.triggers.read(csr, o);
    if (csr >= 0xb03 && csr <= 0xb1f) return true; // mhpmcounter3..31: zero
    if (csr >= 0x323 && csr <= 0x33f) return true; // mhpmevent3..31: zero
    if (csr >= 0x3a0 && csr <= 0x3af) {
      if ((csr & 1) !== 0) return false; // odd pmpcfg do not exist on RV64
      if (csr <= 0x3a2) this.pmp.readCfg(csr - 0x3a0, o);
      return true;
    }
    if (csr >= 0x3b0 && csr <= 0x3ef) {
      if (csr < 0x3c0) this.pmp.readAddr(csr - 0x3b0, o);
      return true;
    }
    switch (csr) {
      case CSR.fflags:
      case CSR.frm:
      case CSR.fcsr: {
        const fpu = this.fpu;
        if (fpu.fs === 0) return false;
        o.lo = csr === CSR.fflags ? fpu.fflags : csr === CSR.frm ? fpu.frm : fpu.fflags | (fpu.frm << 5);
        return true;
      }
      case CSR.sstatus:
        o.lo = (this.mstatus & SSTATUS_MASK) | (this.fpu.fs << MSTATUS_FS_SHIFT);
        o.hi = SSTATUS_HI | (this.fpu.fs === 3 ? 0x80000000 | 0 : 0);
        return true;
      case CSR.sie:
        o.lo = this.mie & this.mideleg;
        return true;
      case CSR.sip:
        o.lo = this.mip & this.mideleg;
        return true;
      case CSR.stvec:
        o.lo = this.stvecLo;
        o.hi = this.stvecHi;
        return true;
      case CSR.scounteren:
        o.lo = this.scounteren;
        return true;
      case CSR.senvcfg:
        o.lo = this.senvcfg;
        return true;
      case CSR.stimecmp:
        // Sstc: S-mode needs menvcfg.STCE and mcounteren.TM (U never reaches here: an S-level CSR).
        if (this.priv === PRIV_S && ((this.menvcfgHi & MENVCFG_HI_STCE) === 0 || (this.mcounteren & 2) === 0))
          return false;
        o.lo = this.stimecmpLo;
        o.hi = this.stimecmpHi;
        return true;
      case CSR.sscratch:
        o.lo = this.sscratchLo;
        o.hi = this.sscratchHi;
        return true;
      case CSR.sepc:
        o.lo = this.sepcLo;
        o.hi = this.sepcHi;
        return true;
      case CSR.scause:
        o.lo = this.scauseLo;
        o.hi = this.scauseHi;
        return true;
      case CSR.stval:
        o.lo = this.stvalLo;
        o.hi = this.stvalHi;
        return true;
      case CSR.satp:
        if (this.priv === PRIV_S && (this.mstatus & MSTATUS_TVM) !== 0) return false;
        o.lo = this.satpLo;
        o.hi = this.satpHi;
        return true;
      case CSR.mstatus:
        o.lo = this.mstatus | (this.fpu.fs << MSTATUS_FS_SHIFT);
        o.hi = MSTATUS_HI | (this.fpu.fs === 3 ? 0x80000000 | 0 : 0); // SD summarises FS (no XS, VS)
        return true;
      case CSR.misa:
        o.lo = MISA_LO;
        o.hi = MISA_HI;
        return true;
      case CSR.medeleg:
        o.lo = this.medeleg;
        return true;
      case CSR.mideleg:
        o.lo = this.mideleg;
        return true;
      case CSR.mie:
        o.lo = this.mie;
        return true;
      case CSR.mtvec:
        o.lo = this.mtvecLo;
        o.hi = this.mtvecHi;
        return true;
      case CSR.mcounteren:
        o.lo = this.mcounteren;
        return true;
      case CSR.menvcfg:
        o.lo = this.menvcfg;
        o.hi = this.menvcfgHi;
        return true;
      case CSR.mcountinhibit:
        o.lo = this.mcountinhibit;
        return true;
      case CSR.mscratch:
        o.lo = this.mscratchLo;
        o.hi = this.mscratchHi;
        return true;
      case CSR.mepc:
        o.lo = this.mepcLo;
        o.hi = this.mepcHi;
        return true;
      case CSR.mcause:
        o.lo = this.mcauseLo;
        o.hi = this.mcauseHi;
        return true;
      case CSR.mtval:
        o.lo = this.mtvalLo;
        o.hi = this.mtvalHi;
        return true;
      case CSR.mip:
        o.lo = this.mip;
        return true;
      case CSR.mcycle:
        this.readCycle(o);
        return true;
      case CSR.minstret:
        this.readInstret(o);
        return true;
      case CSR.miselect:
      case CSR.mireg:
      case CSR.mtopei:
      case CSR.mtopi:
      case CSR.mvien:
      case CSR.mvip:
      case CSR.siselect:
      case CSR.sireg:
      case CSR.stopei:
      case CSR.stopi:
        return this.aiaRead(csr, o);
      case CSR.mvendorid:
      case CSR.marchid:
      case CSR.mimpid:
      case CSR.mconfigptr:
        return true;
      case CSR.mhartid:
        o.lo = this.hartId;
        return true;
      default:
        return false;
    }
  }

  /** Write a CSR (access already checked); false if illegal. */
  csrWrite(csr: number, lo: number, hi: number): boolean {
    if (isTriggerCsr(csr)) {
      this.triggers.write(csr, lo, hi);
      if (csr === CSR.tdata1 || csr === CSR.tdata2) this.triggerPoints.replace('exception', this.triggers.points());
      return true;
    }
    if (csr >= 0xb03 && csr <= 0xb1f) return true;
    if (csr >= 0x323 && csr <= 0x33f) return true;
    if (csr >= 0x3a0 && csr <= 0x3af) {
      if (csr <= 0x3a2) {
        this.pmp.writeCfg(csr - 0x3a0, lo, hi);
        this.flushTlb();
        this.jit?.remap();
      }
      return true;
    }
    if (csr >= 0x3b0 && csr <= 0x3ef) {
      if (csr < 0x3c0) {
        this.pmp.writeAddr(csr - 0x3b0, lo, hi);
        this.flushTlb();
        this.jit?.remap();
      }
      return true;
    }
    switch (csr) {
      case CSR.fflags:
      case CSR.frm:
      case CSR.fcsr: {
        const fpu = this.fpu;
        if (csr === CSR.fflags) fpu.fflags = lo;
        else if (csr === CSR.frm) fpu.frm = lo;
        else {
          fpu.fflags = lo;
          fpu.frm = lo >>> 5;
        }
        fpu.fs = 3;
        return true;
      }
      case CSR.sstatus:
        this.fpu.fs = (lo >>> MSTATUS_FS_SHIFT) & 3;
        this.setMstatus((this.mstatus & ~SSTATUS_WMASK) | (lo & SSTATUS_WMASK));
        return true;
      case CSR.sie:
        this.mie = (this.mie & ~this.mideleg) | (lo & this.mideleg & MIE_WMASK);
        return true;
      case CSR.sip: {
        const m = this.mideleg & MIP_SSIP; // only SSIP is writable through sip
        this.mipSw = (this.mipSw & ~m) | (lo & m);
        return true;
      }
      case CSR.stvec:
        if ((lo & 3) < 2) {
          this.stvecLo = lo;
          this.stvecHi = hi;
        }
        return true;
      case CSR.scounteren:
        this.scounteren = lo;
        return true;
      case CSR.senvcfg:
        this.senvcfg = envcfgLow(lo, this.senvcfg);
        return true;
      case CSR.stimecmp:
        this.stimecmpLo = lo;
        this.stimecmpHi = hi;
        this.armSupervisorTimer();
        return true;
      case CSR.sscratch:
        this.sscratchLo = lo;
        this.sscratchHi = hi;
        return true;
      case CSR.sepc:
        this.sepcLo = lo & ~1;
        this.sepcHi = hi;
        return true;
      case CSR.scause:
        this.scauseLo = lo;
        this.scauseHi = hi;
        return true;
      case CSR.stval:
        this.stvalLo = lo;
        this.stvalHi = hi;
        return true;
      case CSR.satp: {
        if (this.priv === PRIV_S && (this.mstatus & MSTATUS_TVM) !== 0) return false;
        const mode = hi >>> 28;
        if (mode === 0 || mode === 8) {
          this.satpLo = lo;
          this.satpHi = hi;
          this.flushTlb();
          this.jit?.remap();
        }
        return true; // other modes (Sv48, Sv57, reserved): WARL, satp unchanged
      }
      case CSR.mstatus:
        this.fpu.fs = (lo >>> MSTATUS_FS_SHIFT) & 3;
        this.setMstatus(lo);
        return true;
      case CSR.misa:
        return true; // WARL read-only
      case CSR.medeleg:
        this.medeleg = lo & MEDELEG_WMASK;
        return true;
      case CSR.mideleg:
        this.mideleg = lo & S_INTERRUPTS;
        return true;
      case CSR.mie:
        this.mie = lo & MIE_WMASK;
        return true;
      case CSR.mtvec:
        if ((lo & 3) < 2) {
          this.mtvecLo = lo;
          this.mtvecHi = hi;
        }
        return true;
      case CSR.mcounteren:
        this.mcounteren = lo;
        return true;
      case CSR.menvcfg: {
        this.menvcfg = envcfgLow(lo, this.menvcfg);
        const old = this.menvcfgHi;
        this.menvcfgHi = hi & (MENVCFG_HI_PBMTE | MENVCFG_HI_STCE);
        if (((old ^ this.menvcfgHi) & MENVCFG_HI_PBMTE) !== 0) {
          this.flushTlb();
          this.jit?.remap();
        }
        if (((old ^ this.menvcfgHi) & MENVCFG_HI_STCE) !== 0) this.armSupervisorTimer();
        return true;
      }
      case CSR.mcountinhibit: {
        // Freeze or resume: rebase so the value stays continuous.
        const o = this.csrOut;
        this.readCycle(o);
        const cl = o.lo,
          ch = o.hi;
        this.readInstret(o);
        const il = o.lo,
          ih = o.hi;
        this.mcountinhibit = lo & ~2;
        this.cycBaseLo = cl;
        this.cycBaseHi = ch;
        this.cycAt = this.cycNow();
        this.insBaseLo = il;
        this.insBaseHi = ih;
        this.insAt = this.insNow();
        return true;
      }
      case CSR.mscratch:
        this.mscratchLo = lo;
        this.mscratchHi = hi;
        return true;
      case CSR.mepc:
        this.mepcLo = lo & ~1;
        this.mepcHi = hi;
        return true;
      case CSR.mcause:
        this.mcauseLo = lo;
        this.mcauseHi = hi;
        return true;
      case CSR.mtval:
        this.mtvalLo = lo;
        this.mtvalHi = hi;
        return true;
      case CSR.mip:
        this.mipSw = (this.mipSw & ~MIP_WMASK) | (lo & MIP_WMASK);
        return true;
      case CSR.miselect:
      case CSR.mireg:
      case CSR.mtopei:
      case CSR.mvien:
      case CSR.mvip:
      case CSR.siselect:
      case CSR.sireg:
      case CSR.stopei:
        return this.aiaWrite(csr, lo, hi);
      // A written counter reads back the value written plus what retires after this instruction.
      case CSR.mcycle:
        this.cycBaseLo = lo;
        this.cycBaseHi = hi;
        this.cycAt = this.cycNow() + 1;
        return true;
      case CSR.minstret:
        this.insBaseLo = lo;
        this.insBaseHi = hi;
        this.insAt = this.insNow() + 1;
        return true;
      default:
        return false;
    }
  }

  /** The Smaia/Ssaia CSRs (AIA 1.0 chapter 2); false when the hart has no interrupt files. */
  private aiaRead(csr: number, o: { lo: number; hi: number }): boolean {
    const files = this.interruptFiles;
    if (files === null) return false;
    switch (csr) {
      case CSR.miselect:
        o.lo = this.miselect;
        return true;
      case CSR.mireg:
        return readIreg(this.miselect, files.m, o);
      case CSR.mtopei:
        o.lo = files.m.topei();
        return true;
      case CSR.mtopi:
        o.lo = topiOf(this.mip & this.mie & ~this.mideleg);
        return true;
      case CSR.mvien:
        return true; // no virtual supervisor interrupts: read-only zero
      case CSR.mvip:
        o.lo = this.mip & S_INTERRUPTS; // with mvien zero, mvip bits 1, 5, 9 alias mip's
        return true;
      case CSR.siselect:
        o.lo = this.siselect;
        return true;
      case CSR.sireg:
        return readIreg(this.siselect, files.s, o);
      case CSR.stopei:
        o.lo = files.s.topei();
        return true;
      default: // stopi
        o.lo = topiOf(this.mip & this.mie & this.mideleg);
        return true;
    }
  }

  private aiaWrite(csr: number, lo: number, hi: number): boolean {
    const files = this.interruptFiles;
    if (files === null) return false;
    switch (csr) {
      case CSR.miselect:
        this.miselect = lo & 0xfff; // WARL; 0x00..0xff must be holdable
        return true;
      case CSR.mireg:
        return writeIreg(this.miselect, files.m, lo, hi);
      case CSR.mtopei:
        files.m.claim();
        return true;
      case CSR.mvien:
        return true;
      case CSR.mvip:
        return this.csrWrite(CSR.mip, (this.mipSw & ~S_INTERRUPTS) | (lo & S_INTERRUPTS), 0);
      case CSR.siselect:
        this.siselect = lo & 0xfff;
        return true;
      case CSR.sireg:
        return writeIreg(this.siselect, files.s, lo, hi);
      default: // stopei
        files.s.claim();
        return true;
    }
  }

  private setMstatus(v: number): void {
    const old = this.mstatus;
    let n = (old & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK);
    if ((n & MSTATUS_MPP) === 2 << MSTATUS_MPP_SHIFT) n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP); // MPP=2 reserved: keep
    this.mstatus = n;
    if (((old ^ n) & (MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR)) !== 0) this.flushTlb();
  }
}

/** A written menvcfg/senvcfg low word: FIOM, CBCFE, CBZE and CBIE (whose reserved value 10 keeps the old one). */
function envcfgLow(lo: number, old: number): number {
  let cbie = (lo >>> ENVCFG_CBIE_SHIFT) & 3;
  if (cbie === 2) cbie = (old >>> ENVCFG_CBIE_SHIFT) & 3;
  return (lo & (ENVCFG_FIOM | ENVCFG_CBCFE | ENVCFG_CBZE)) | (cbie << ENVCFG_CBIE_SHIFT);
}

export { MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_SSIP, MIP_STIP };
