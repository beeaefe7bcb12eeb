// The block translator: RISC-V translation blocks (decoded slots, straight-line code ending in a
// branch/jump or before an instruction the JIT leaves to the interpreter) -> one WebAssembly module
// per batch, one function per region (blocks linked by direct control flow). It knows the hart's
// arena layout (JitLayout) and the decoded-slot form (isa.ts); it never decides what to compile or
// when (jit.ts does) and never runs code.
//
// A region is `(param i32 budget, i32 entry) (result i32 remaining)` (REGION_SIG). Each block
// starts with: if budget < n (its length) exit (reason Budget) before executing anything, so
// `--max-instructions` and the board's slices are exact. Guest registers live in i64 locals, loaded
// from the arena at entry and stored back at every exit. Loads/stores probe the software TLB, the
// first level inline and the others in a helper of the module (SlowProbes; branch hints keep it off
// the hot path); a miss (misaligned across a page, MMIO, code page, observed page: none of them
// have entries) exits with reason Slow and the precise pc of the instruction, which the hart runs
// straight through its slow path (execMemNoTlbProbe: no second probe). The probe is emitted by
// emitTlbProbe alone. Successors in the region are a branch to its dispatch loop; others are reached
// by storing their table slot and returning to the dispatcher (jit.ts), which calls the slot's
// region (or a stub that returns reason Chain); a block that jumps to its own start loops in place.

import { ModuleBuilder, ValType, type FunctionBuilder, type FuncSig } from './wasm/module-builder.js';
import { fpRegOperands, insnBytes, isBitOp, isFpOp, Op, X0_SINK } from './isa.js';
import { emitFpHelpers, emitFpInsn, type FpEmitContext, type FpHelpers, fpIntOperands, jitFp } from './jit-fp.js';
import { CHUNK, GRANULE, TLB_CHECKED, TLB_MASK } from './tlb.js';
import { CSR } from './csr.js';
import { FENCE_PAUSE } from './decode.js';
import { addressHex } from './disasm.js';

const { i32, i64 } = ValType;
const TWO32 = 4294967296;

/** Why a block returned to JS (stored at JitLayout.exitReason). */
export const enum JitExit {
  /** Reached a successor that is not compiled (table stub). */
  Chain = 0,
  /** Not enough budget left for the next block. */
  Budget = 1,
  /** A load/store missed the TLB (or is misaligned, MMIO, code page, observed): interpret it. */
  Slow = 2,
  /** jalr target: looked up by JS. */
  Indirect = 3,
  Count = 4,
}

export const JIT_EXIT_NAMES = ['chain', 'budget', 'slow', 'indirect'] as const;

/** Arena offsets the translated code uses (all constants baked into the module). */
export interface JitLayout {
  /** x0 (x[i] as a little-endian i64 at regs + 8i; x32 is the interpreter's sink for writes to x0). */
  regs: number;
  exitPc: number;
  exitReason: number;
  /** The table slot translated code continues at through the dispatcher (-1: leave to the hart). */
  nextSlot: number;
  /** `pause` hints the hart may still retire this turn before it yields (i32; <= 0: yield). */
  pauseLeft: number;
  /** The FPU's cells (fflags, frm, FS: i32 each) and f0..f31 (8 bytes each). */
  fpCells: number;
  /** The LR/SC reservation (i32 cells: valid, va lo, va hi, size; then the value read, an i64 at +16). */
  resCells: number;
  fpRegs: number;
  /** The read and write page TLBs: 16-byte entries (tlb.ts TLB_ENTRY_WORDS: tag lo, tag hi, arena offset minus the tag's va). */
  rT: number;
  wT: number;
  /** The read and write chunk TLBs, in the same format. */
  gT: number;
  gwT: number;
  /** Chunk-TLB index mask (entries - 1). */
  gMask: number;
  /** Arena size in wasm pages (the imported memory's limits). */
  memPages: number;
  /** The loop runner's encoding buffer (loop-runner.ts LOOP_BUFFER_BYTES; absent: no runner). */
  loopBuffer?: number;
  /** Jump caches (jalr targets -> table slot), one per privilege level U, S, M: i64 tags, i32 slots. */
  jcTag: readonly number[];
  jcSlot: readonly number[];
  /** The translation epoch (i32): bumped when virtual->physical code mappings may have changed. */
  epoch: number;
  /** Page cells (i32 each): the epoch at which each code page's mapping was last checked. */
  cells: number;
  /** Per table slot (i32 each, slotCapacity of them): the installed block's entry into its region. */
  slotEntries: number;
  /** Table slots the arena's harts may give out (jit.ts jitSlotsFor); more: flushAll. */
  slotCapacity: number;
  /** Where the hart's block of this state starts: translated code addresses every field above
   *  from it (the module imports it as the global `env.base`, relativeLayout). */
  base: number;
}

/** JitLayout fields that are not hart-state addresses (everything else is an arena offset). */
const NOT_ADDRESSES = new Set<string>(['gMask', 'memPages', 'slotCapacity', 'base']);

/** L with every address made relative to L.base, as translated code uses it (derived field by
 *  field, so an address added to the layout cannot stay absolute by mistake). */
export function relativeLayout(L: JitLayout): JitLayout {
  const b = L.base;
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(L))
    r[k] = NOT_ADDRESSES.has(k) ? v : Array.isArray(v) ? v.map((x: number) => x - b) : (v as number) - b;
  r['base'] = 0;
  return r as unknown as JitLayout;
}

/**
 * Entries of each jump cache (indexed by (target >> 1) & (JC_SIZE - 1)); an empty tag is -1. A
 * Linux boot returns to about 1,800 distinct hot targets: with 1,024 entries they evicted each
 * other 278,000 times (an exit to JS each).
 */
export const JC_SIZE = 8192;

export interface JitInsn {
  pc: number;
  w0: number;
  imm: number;
  raw: number;
}

export interface JitBlockCode {
  pc: number;
  insns: JitInsn[];
  /** pc after the last instruction (the fallthrough). */
  end: number;
  /** Probe the chunk TLB before the page TLB (the block's code or data is on fine-interleaved pages). */
  chunkFirst?: boolean;
  /** Stores probe the checked chunk entries first (the block stores next to code). */
  checkedFirst?: boolean;
  /**
   * The page cell of the block's (privilege, virtual page): at entry the block exits (reason
   * Chain, nothing executed) unless the cell holds the current epoch, so JS re-checks the page's
   * mapping first. Absent: no check (tests translating a lone block).
   */
  cell?: number;
}

/** A region `(budget, entry) -> remaining`: entry 2k enters its k-th block through the page-cell
 *  check, 2k + 1 past it. The table holds regions; the dispatcher passes the slot's entry. */
export const REGION_SIG: FuncSig = { params: [i32, i32], results: [i32] };

/** The dispatcher `(budget, table slot) -> remaining`: runs the slot's block, then the next one it names. */
export const DISPATCH_SIG: FuncSig = { params: [i32, i32], results: [i32] };

/** Operations the translator handles inside a block (imm: the decoded immediate). */
export function jitStraight(op: number, imm: number): boolean {
  return (
    (op >= Op.LUI && op <= Op.SRAW && !(op >= Op.JAL && op <= Op.BGEU)) ||
    (op === Op.FENCE && imm !== FENCE_PAUSE) ||
    op === Op.FENCE_I || // code is coherent with every write already (docs/jit.md "Code coherence")
    (op >= Op.MUL && op <= Op.REMUW) ||
    isAmo(op) ||
    isBitOp(op) ||
    jitFp(op)
  );
}

/** The A extension: AMOs are a load-op-store through the write TLB, LR/SC use the reservation
 *  cells the interpreter shares (JitLayout.resCells). */
function isAmo(op: number): boolean {
  return op >= Op.LR_W && op <= Op.AMOMAXU_D;
}

/**
 * S-mode CSRs whose accesses translated code makes through the hart (`JitHost.callOut`) instead
 * of leaving the block: their reads do not depend on instructions retired (unlike cycle, time,
 * instret) and their writes change nothing the running translation relies on (unlike satp, PMP,
 * menvcfg); a write that makes an interrupt deliverable, or flushes the TLB, leaves translated
 * code at once. On a Linux boot `csrrc`/`csrs sstatus` (interrupts off and on) were the first
 * untranslatable instruction of 110,000 interpreted blocks.
 */
const CALL_OUT_CSRS = new Set<number>([
  CSR.sstatus,
  CSR.sie,
  CSR.stvec,
  CSR.sscratch,
  CSR.sepc,
  CSR.scause,
  CSR.stval,
  CSR.sip,
]);

/**
 * Operations a block ends with whose work the hart does for translated code, through the imported
 * `callout` (JitHost.callOut), without leaving it: accesses to CALL_OUT_CSRS and the cache-block
 * operations (cbo.zero clears 64 bytes; clean/flush/inval only check permission).
 */
export function jitCallOut(op: number, imm: number): boolean {
  if (op >= Op.CSRRW && op <= Op.CSRRCI) return CALL_OUT_CSRS.has(imm & 0xfff);
  return op >= Op.CBO_INVAL && op <= Op.CBO_ZERO;
}

/**
 * Operations that end a block inside its translation: the call-outs, and `pause`, which counts
 * down the hart's pauseLeft cell and leaves translated code when it reaches 0 (the hart then
 * yields its turn, RunStop 'yield', if another hart can use it).
 */
export function jitEndsBlock(op: number, imm: number): boolean {
  return jitCallOut(op, imm) || (op === Op.FENCE && imm === FENCE_PAUSE);
}

/** What JitHost.callOut answers. */
export const enum CallOut {
  /** Done: carry on. */
  Done = 0,
  /** Done: leave translated code before the next instruction (interrupt, TLB flush, code written). */
  DoneLeave = 1,
  /** Not done (it traps, or needs the interpreter): exit Slow at the instruction. */
  NotDone = 2,
}

/** Operations that end a block and are translated (the jump is part of the block). */
export function jitTerminator(op: number): boolean {
  return op >= Op.JAL && op <= Op.BGEU;
}

function halves(v: number): [number, number] {
  return [v | 0, Math.floor(v / TWO32) | 0];
}

/**
 * Most blocks in one region function (a larger component is cut in pc order). Entering a region
 * loads every register any of its blocks uses, so large regions make each entry dear: a Linux
 * boot (6 M region entries) ran 9 % faster at 16 than at 128 (wall, medians of 8 interleaved
 * runs; 8 equal to 16, 32 5 % slower); the CPU suite's kernels did not move beyond noise.
 */
export const MAX_REGION_BLOCKS = 16;

/**
 * blocks[i] for each i of idx, in a new array built by push: always the same elements kind (V8's
 * Array.prototype.map may give a holey array when its caller is optimized and a packed one when
 * not, and code optimized for one deoptimizes on the other: emitRegion did, ~110 ms of TurboFan each).
 */
export function pick<T>(blocks: readonly T[], idx: readonly number[]): T[] {
  const out: T[] = [];
  for (let k = 0; k < idx.length; k++) out.push(blocks[idx[k]!]!);
  return out;
}

/**
 * The target of a block's closing jalr when the instruction just before it put a constant in the
 * jalr's base register (auipc or lui): the `call` and `tail` sequences that reach a function more
 * than 1 MiB away (Linux's kernel text is several MiB). Such a jalr is a direct jump, as jal is.
 * Null for any other block.
 */
function staticJalrTarget(insns: readonly JitInsn[]): number | null {
  const n = insns.length;
  const x = insns[n - 1];
  const p = insns[n - 2];
  if (x === undefined || p === undefined || (x.w0 & 0xff) !== Op.JALR) return null;
  const op = p.w0 & 0xff;
  const rd = (p.w0 >>> 8) & 63;
  if ((op !== Op.AUIPC && op !== Op.LUI) || rd === X0_SINK || rd !== ((x.w0 >>> 14) & 63)) return null;
  // pcs are the signed 64-bit values (kernel addresses negative), as for jal's pc + imm.
  const t = (op === Op.AUIPC ? p.pc + p.imm : p.imm) + x.imm;
  return t - (t & 1);
}

/**
 * Group a batch's blocks (indices, in pc order within a group) into regions: the connected
 * components of their direct control flow inside the batch, each cut into pieces of at most
 * MAX_REGION_BLOCKS.
 */
export function partitionRegions(blocks: readonly JitBlockCode[]): number[][] {
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.pc, i));
  const parent = blocks.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const link = (i: number, pc: number) => {
    const j = index.get(pc);
    if (j !== undefined) parent[find(i)] = find(j);
  };
  blocks.forEach((b, i) => {
    const x = b.insns[b.insns.length - 1]!;
    const op = x.w0 & 0xff;
    const rd = (x.w0 >>> 8) & 63;
    const jump = op === Op.JAL || op === Op.JALR;
    // Fallthrough (branches, blocks cut short) and the return site of a call.
    if (!jump || rd === 1 || rd === 5) link(i, b.end);
    if (op !== Op.JALR && jitTerminator(op)) link(i, x.pc + x.imm);
  });
  const groups = new Map<number, number[]>();
  blocks.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const out: number[][] = [];
  for (const g of groups.values()) {
    // In pc order: fallthroughs and forward branches are then branches to later blocks, which
    // emitRegion makes direct.
    g.sort((a, b) => blocks[a]!.pc - blocks[b]!.pc);
    if (g.length <= MAX_REGION_BLOCKS) {
      out.push(g);
      continue;
    }
    for (let k = 0; k < g.length; k += MAX_REGION_BLOCKS) out.push(g.slice(k, k + MAX_REGION_BLOCKS));
  }
  return out;
}

/**
 * Translate blocks into one module exporting its regions as `r0`, `r1`, ... (the order of
 * `opts.regions`, else of partitionRegions(blocks)); a region's k-th block is entered at entry 2k
 * (REGION_SIG). `slotOf(pc)` returns the table slot for a successor outside the batch.
 */
export function translateBatch(
  blocks: readonly JitBlockCode[],
  L: JitLayout,
  slotOf: (pc: number) => number,
  opts: {
    privIndex?: number;
    hostFma?: boolean;
    checkTypes?: boolean;
    /** The blocks' regions when the caller formed them already (partitionRegions of `blocks`). */
    regions?: number[][];
  } = {},
): ModuleBuilder {
  L = relativeLayout(L);
  const jc = opts.privIndex === undefined ? null : { tag: L.jcTag[opts.privIndex]!, slot: L.jcSlot[opts.privIndex]! };
  const m = new ModuleBuilder({ checkTypes: opts.checkTypes ?? false });
  m.importMemory('env', 'mem', { min: L.memPages, max: L.memPages, shared: true });
  const baseGlobal = m.importGlobal('env', 'base', i32);
  // Successors outside the region are reached through the JIT's dispatcher (a one-function module
  // owning the shared table, jit.ts): a region stores the successor's slot at L.nextSlot and
  // returns, and the dispatcher calls it. Importing the table itself would cost every
  // instantiation time in proportion to the table's size, and every table update time in
  // proportion to the instances; importing the dispatcher (to tail-call it) cost every module's
  // compilation about 100 us (V8 compiles an import wrapper per module).
  // CSR accesses and cache-block operations the hart does for translated code (jitCallOut).
  const callOut = blocks.some((b) => {
    const x = b.insns[b.insns.length - 1]!;
    return jitCallOut(x.w0 & 0xff, x.imm);
  })
    ? m.importFunction('env', 'callout', [i32, i32, i32], [i32])
    : -1;
  let mulhu: FunctionBuilder | null = null;
  const needsMulh = blocks.some((b) =>
    b.insns.some((x) => {
      const o = x.w0 & 0xff;
      return o === Op.MULH || o === Op.MULHU || o === Op.MULHSU;
    }),
  );
  // Regions: blocks linked by direct control flow (fallthrough, branch and jal targets, return
  // sites of calls) share one function and keep registers in locals between them; unrelated blocks
  // of the batch get regions of their own, so entering one loads only the registers it uses.
  const regions = opts.regions ?? partitionRegions(blocks);
  // Exported as r<i>: a block is entered through its region at entry 2k (k: its index there).
  const regionFns = regions.map((r) =>
    m.function(`r_${addressHex(blocks[r[0]!]!.pc)}`, REGION_SIG.params, REGION_SIG.results),
  );
  if (needsMulh) mulhu = emitMulhu(m);
  const probes = new SlowProbes(m, L);
  const fp = blocks.some((b) => b.insns.some((x) => isFpOp(x.w0 & 0xff))) ? emitFpHelpers(m) : null;
  regions.forEach((r, ri) =>
    emitRegion(
      regionFns[ri]!,
      pick(blocks, r),
      L,
      slotOf,
      callOut,
      mulhu,
      jc,
      fp,
      opts.hostFma === true,
      baseGlobal,
      probes,
    ),
  );
  regionFns.forEach((f, i) => m.exportFunction(`r${i}`, f));
  return m;
}

/** mulhu(a, b): the high 64 bits of the unsigned 128-bit product, from 32-bit partial products. */
function emitMulhu(m: ModuleBuilder): FunctionBuilder {
  const f = m.function('mulhu', [i64, i64], [i64]);
  const al = f.local(i64),
    ah = f.local(i64),
    bl = f.local(i64),
    bh = f.local(i64),
    lh = f.local(i64),
    hl = f.local(i64),
    mid = f.local(i64);
  const M = 0xffffffff;
  f.localGet(0).i64Const(M).i64And().localSet(al).localGet(0).i64Const(32).i64ShrU().localSet(ah);
  f.localGet(1).i64Const(M).i64And().localSet(bl).localGet(1).i64Const(32).i64ShrU().localSet(bh);
  f.localGet(al).localGet(bh).i64Mul().localSet(lh);
  f.localGet(ah).localGet(bl).i64Mul().localSet(hl);
  // mid = (al*bl >> 32) + (lh & M) + (hl & M)
  f.localGet(al).localGet(bl).i64Mul().i64Const(32).i64ShrU();
  f.localGet(lh).i64Const(M).i64And().i64Add().localGet(hl).i64Const(M).i64And().i64Add().localSet(mid);
  f.localGet(ah).localGet(bh).i64Mul();
  f.localGet(lh).i64Const(32).i64ShrU().i64Add();
  f.localGet(hl).i64Const(32).i64ShrU().i64Add();
  f.localGet(mid).i64Const(32).i64ShrU().i64Add();
  return f;
}

/**
 * Push x[r] (its local; x0 reads 0). A module-level function, not a closure of emitRegion: a call
 * site that had only ever seen one emitRegion's closure deoptimized emitRegion ("wrong call
 * target") when the next one's came, ~110 ms of TurboFan each time.
 */
function pushReg(f: FunctionBuilder, local: Int32Array, r: number): void {
  if (r === 0) f.i64Const(0);
  else f.localGet(local[r]!);
}

/**
 * One region function `(budget, entry) -> remaining` holding every block of a region: guest
 * registers stay in locals while control passes between its blocks (forward by a branch to the
 * later block, back round a br_table dispatch loop, instead of a tail call that stores and
 * reloads them), and leave it only at exits. Entry 2i runs block i from its page-cell check,
 * 2i + 1 from its budget check.
 */
function emitRegion(
  f: FunctionBuilder,
  blocks: readonly JitBlockCode[],
  L: JitLayout,
  slotOf: (pc: number) => number,
  callOut: number,
  mulhu: FunctionBuilder | null,
  jc: { tag: number; slot: number } | null,
  fpHelpers: FpHelpers | null,
  hostFma: boolean,
  baseGlobal: number,
  probes: SlowProbes,
): void {
  const BUDGET = 0,
    ENTRY = 1;
  const K = blocks.length;
  const indexOf = new Map<number, number>();
  blocks.forEach((b, i) => indexOf.set(b.pc, i));
  // Registers any block uses (read or written) get a local; written ones are stored back at exits.
  const local = new Int32Array(33).fill(-1);
  const written: number[] = [];
  const use = (r: number) => {
    if (r !== 0 && r !== X0_SINK && local[r]! < 0) local[r] = 0;
  };
  // f registers the F/D instructions use: f64 locals (wasm keeps their NaN bit patterns).
  const fl = new Int32Array(32).fill(-1);
  const fUsed: number[] = [];
  const fWritten: number[] = [];
  for (const b of blocks)
    for (const x of b.insns) {
      const op = x.w0 & 0xff;
      const rd = (x.w0 >>> 8) & 63,
        rs1 = (x.w0 >>> 14) & 63,
        rs2 = (x.w0 >>> 20) & 63;
      const fmt = formatOf(op);
      if (fmt & F_RS1) use(rs1);
      if (fmt & F_RS2) use(rs2);
      if (fmt & F_RD && rd !== X0_SINK) {
        use(rd);
        if (!written.includes(rd)) written.push(rd);
      }
      if (!isFpOp(op)) continue;
      const o = fpRegOperands(op, rd, rs1, rs2, x.imm);
      for (const r of o.write >= 0 ? [...o.reads, o.write] : o.reads)
        if (fl[r]! < 0) {
          fl[r] = 0;
          fUsed.push(r);
        }
      if (o.write >= 0 && !fWritten.includes(o.write)) fWritten.push(o.write);
    }
  const usedRegs: number[] = [];
  for (let r = 1; r < 32; r++)
    if (local[r]! >= 0) {
      local[r] = f.local(i64);
      usedRegs.push(r);
    }
  for (const r of fUsed) fl[r] = f.local(ValType.f64);
  const va = f.local(i64),
    lo = f.local(i32),
    hi = f.local(i32),
    t = f.local(i32),
    addr = f.local(i32);
  const tmp = f.local(i64),
    tmp2 = f.local(i64),
    epc = f.local(i64),
    ek = f.local(i32),
    slot = f.local(i32),
    // The hart's state (JitLayout: registers, TLBs, exit cells, ...) is addressed from its base,
    // an imported global, so the module does not name one hart's addresses.
    B = f.local(i32);
  const hasFp = blocks.some((b) => b.insns.some((x) => isFpOp(x.w0 & 0xff)));

  const fpLocals = hasFp
    ? {
        d0: f.local(ValType.f64),
        d1: f.local(ValType.f64),
        d2: f.local(ValType.f64),
        e0: f.local(ValType.f64),
        e1: f.local(ValType.f64),
        e2: f.local(ValType.f64),
        e3: f.local(ValType.f64),
        e4: f.local(ValType.f64),
        e5: f.local(ValType.f64),
        t32: f.local(i32),
      }
    : null;

  const storePc = (pc: number) => {
    const [pl, ph] = halves(pc);
    f.localGet(B).i64ConstHalves(pl, ph).i64Store(8, L.exitPc);
  };
  const storeReason = (r: number) => {
    f.localGet(B).i32Const(r).i32Store(4, L.exitReason);
  };
  /** x[r]'s local to the arena. */
  const storeReg = (r: number) => {
    f.localGet(B)
      .localGet(local[r]!)
      .i64Store(8, L.regs + 8 * r);
  };
  /** Push x[r] as the arena holds it. */
  const loadReg = (r: number) => {
    f.localGet(B).i64Load(8, L.regs + 8 * r);
  };
  const storeRegs = () => {
    for (const r of fWritten)
      f.localGet(B)
        .localGet(fl[r]!)
        .f64Store(8, L.fpRegs + 8 * r);
    for (const r of written) storeReg(r);
  };

  f.globalGet(baseGlobal).localSet(B);
  for (const r of fUsed)
    f.localGet(B)
      .f64Load(8, L.fpRegs + 8 * r)
      .localSet(fl[r]!);
  for (const r of usedRegs) {
    loadReg(r);
    f.localSet(local[r]!);
  }
  // Exits, innermost first: out (pc and reason stored), tail (pc stored, table slot in `slot`),
  // indirect (target in va), slow (instruction at epc, index ek in its block, not executed).
  const slowLbl = f.block();
  const indirectLbl = f.block();
  const tailLbl = f.block();
  const outLbl = f.block();
  const disp = f.loop();
  // Entry e = 2i enters block i through its page-cell check, 2i + 1 after it (a jump from a block
  // on the same virtual page, whose cell was checked when that block was entered).
  const entryLbls: ReturnType<FunctionBuilder['block']>[] = [];
  for (let e = 2 * K - 1; e >= 0; e--) entryLbls[e] = f.block();
  f.localGet(ENTRY).brTable(entryLbls, entryLbls[0]!);

  const pageOf = (pc: number) => pc - (pc % 4096);
  // Return sites in the region (the pc after a call): a jalr landing on one stays in the region.
  const returnSites: number[] = [];
  for (const b of blocks)
    for (const x of b.insns) {
      const op = x.w0 & 0xff;
      const rd = (x.w0 >>> 8) & 63;
      if ((op === Op.JAL || op === Op.JALR) && (rd === 1 || rd === 5)) {
        const ret = x.pc + insnBytes(x.w0);
        if (indexOf.has(ret) && !returnSites.includes(ret)) returnSites.push(ret);
      }
    }
  const MAX_RETURN_SITES = 16;

  for (let bi = 0; bi < K; bi++) {
    const b = blocks[bi]!;
    const n = b.insns.length;
    f.end(entryLbls[2 * bi]!);
    // Entry: the page's mapping checked in this epoch (else JS checks it: exit Chain).
    if (b.cell !== undefined) {
      f.localGet(B)
        .i32Load(4, L.cells + 4 * b.cell)
        .localGet(B)
        .i32Load(4, L.epoch)
        .i32Ne()
        .ifHinted(false);
      storePc(b.pc);
      storeReason(JitExit.Chain);
      f.br(outLbl);
      f.end();
    }
    f.end(entryLbls[2 * bi + 1]!);
    // Exact budget: a block runs only when all of it fits.
    f.localGet(BUDGET).i32Const(n).i32LtS().ifHinted(false);
    storePc(b.pc);
    storeReason(JitExit.Budget);
    f.br(outLbl);
    f.end();
    const selfLoop = b.insns.some(
      (x, k) => k === n - 1 && jitTerminator(x.w0 & 0xff) && (x.w0 & 0xff) !== Op.JALR && x.pc + x.imm === b.pc,
    );
    const top = selfLoop ? f.loop() : null;

    /**
     * Continue at block j of this region, which starts at `target`: past its page-cell check when
     * it is on this block's virtual page. A later block's entry label still encloses this code, so
     * that is a branch forward to it; an earlier one (a loop) goes round the dispatch loop, whose
     * br_table is one indirect jump for every transition it takes.
     */
    const toBlock = (j: number, target: number) => {
      const e = 2 * j + (b.cell === undefined || pageOf(target) === pageOf(b.pc) ? 1 : 0);
      if (j > bi) f.br(entryLbls[e]!);
      else f.i32Const(e).localSet(ENTRY).br(disp);
    };
    const goTo = (target: number) => {
      // budget already reduced by n
      if (top !== null && target === b.pc) {
        f.localGet(BUDGET).i32Const(n).i32GeS().brIf(top);
        storePc(target);
        storeReason(JitExit.Budget);
        f.br(outLbl);
        return;
      }
      const j = indexOf.get(target);
      if (j !== undefined) {
        toBlock(j, target);
        return;
      }
      storePc(target);
      f.i32Const(slotOf(target)).localSet(slot).br(tailLbl);
    };
    const slowExit = (k: number) => {
      const [pl, ph] = halves(b.insns[k]!.pc);
      f.i64ConstHalves(pl, ph).localSet(epc).i32Const(k).localSet(ek).br(slowLbl);
    };
    /** va = rs1 + imm; leaves the host address in `addr` (or exits). */
    const tlb = (k: number, rs1: number, imm: number, size: number, write: boolean) => {
      pushReg(f, local, rs1);
      if (imm !== 0) f.i64Const(imm).i64Add();
      f.localSet(va);
      f.localGet(va).i32WrapI64().localSet(lo);
      // va's high word only on the way to the out-of-line probes (emitTlbProbe computes it there).
      emitTlbProbe(
        f,
        L,
        { lo, hi: -1, va, t, base: B },
        size,
        write,
        b.chunkFirst === true,
        () => slowExit(k),
        b.checkedFirst === true,
        probes,
      );
      f.localSet(addr);
    };
    const setRd = (rd: number) => {
      if (rd === X0_SINK) f.drop();
      else f.localSet(local[rd]!);
    };
    /** Atomics: a misaligned address exits (the interpreter raises the misaligned-address fault). */
    const alignedOrExit = (k: number, rs1: number, size: number) => {
      pushReg(f, local, rs1);
      f.i32WrapI64()
        .i32Const(size - 1)
        .i32And()
        .ifHinted(false);
      slowExit(k);
      f.end();
    };

    const fpc: FpEmitContext | null =
      hasFp && fpHelpers !== null
        ? {
            f,
            L,
            h: fpHelpers,
            getX: (r: number) => pushReg(f, local, r),
            setX: setRd,
            slowExit,
            tlb,
            addr,
            base: B,
            d0: fpLocals!.d0,
            d1: fpLocals!.d1,
            d2: fpLocals!.d2,
            e0: fpLocals!.e0,
            e1: fpLocals!.e1,
            e2: fpLocals!.e2,
            e3: fpLocals!.e3,
            e4: fpLocals!.e4,
            e5: fpLocals!.e5,
            t32: fpLocals!.t32,
            x0: tmp,
            x1: tmp2,
            fl,
            hostFma,
            fsChecked: false,
          }
        : null;
    /**
     * The block's last instruction is done: its n come off the budget, then it leaves translated
     * code at b.end when `leave` pushes a non-zero i32, else goes on to its successor.
     */
    const endBlock = (leave: () => void) => {
      f.localGet(BUDGET).i32Const(n).i32Sub().localSet(BUDGET);
      leave();
      f.if();
      storePc(b.end);
      storeReason(JitExit.Chain);
      f.br(outLbl);
      f.end();
      goTo(b.end);
    };
    let ended = false;
    for (let k = 0; k < n; k++) {
      const x = b.insns[k]!;
      const w0 = x.w0,
        imm = x.imm,
        op = w0 & 0xff;
      const rd = (w0 >>> 8) & 63,
        rs1 = (w0 >>> 14) & 63,
        rs2 = (w0 >>> 20) & 63;
      const len = insnBytes(w0);
      const pc = x.pc;
      const discard = rd === X0_SINK;
      switch (op) {
        case Op.AUIPC:
          if (!discard) {
            const [a, h] = halves(pc + imm);
            f.i64ConstHalves(a, h);
            setRd(rd);
          }
          break;
        case Op.MULH:
        case Op.MULHU:
        case Op.MULHSU:
          if (!discard) {
            pushReg(f, local, rs1);
            pushReg(f, local, rs2);
            f.call(mulhu!);
            if (op !== Op.MULHU) {
              // signed corrections: - (a < 0 ? b : 0) [- (b < 0 ? a : 0) for MULH]
              pushReg(f, local, rs2);
              pushReg(f, local, rs1);
              f.i64Const(63).i64ShrS().i64And().i64Sub();
              if (op === Op.MULH) {
                pushReg(f, local, rs1);
                pushReg(f, local, rs2);
                f.i64Const(63).i64ShrS().i64And().i64Sub();
              }
            }
            setRd(rd);
          }
          break;
        case Op.DIV:
        case Op.DIVU:
        case Op.REM:
        case Op.REMU:
          if (!discard) {
            pushReg(f, local, rs1);
            f.localSet(tmp);
            pushReg(f, local, rs2);
            f.localSet(tmp2);
            f.localGet(tmp2).i64Eqz().if(i64);
            if (op === Op.DIV || op === Op.DIVU) f.i64Const(-1);
            else f.localGet(tmp);
            f.else();
            if (op === Op.DIV || op === Op.REM) {
              // -2^63 / -1 overflows (wasm traps on div_s): quotient = dividend, remainder = 0.
              f.localGet(tmp)
                .i64Const(-(2n ** 63n))
                .i64Eq()
                .localGet(tmp2)
                .i64Const(-1)
                .i64Eq()
                .i32And()
                .if(i64);
              if (op === Op.DIV) f.localGet(tmp);
              else f.i64Const(0);
              f.else().localGet(tmp).localGet(tmp2);
              if (op === Op.DIV) f.i64DivS();
              else f.i64RemS();
              f.end();
            } else {
              f.localGet(tmp).localGet(tmp2);
              if (op === Op.DIVU) f.i64DivU();
              else f.i64RemU();
            }
            f.end();
            setRd(rd);
          }
          break;
        case Op.DIVW:
        case Op.DIVUW:
        case Op.REMW:
        case Op.REMUW:
          if (!discard) {
            pushReg(f, local, rs1);
            f.localSet(tmp); // only the low half is used
            pushReg(f, local, rs2);
            f.localSet(tmp2);
            f.localGet(tmp2).i32WrapI64().i32Eqz().if(i64);
            if (op === Op.DIVW || op === Op.DIVUW) f.i64Const(-1);
            else f.localGet(tmp).i32WrapI64().i64ExtendI32S();
            f.else();
            if (op === Op.DIVW || op === Op.REMW) {
              f.localGet(tmp)
                .i32WrapI64()
                .i32Const(-0x80000000)
                .i32Eq()
                .localGet(tmp2)
                .i32WrapI64()
                .i32Const(-1)
                .i32Eq()
                .i32And()
                .if(i64);
              if (op === Op.DIVW) f.i64Const(-0x80000000);
              else f.i64Const(0);
              f.else().localGet(tmp).i32WrapI64().localGet(tmp2).i32WrapI64();
              if (op === Op.DIVW) f.i32DivS();
              else f.i32RemS();
              f.i64ExtendI32S().end();
            } else {
              f.localGet(tmp).i32WrapI64().localGet(tmp2).i32WrapI64();
              if (op === Op.DIVUW) f.i32DivU();
              else f.i32RemU();
              f.i64ExtendI32S();
            }
            f.end();
            setRd(rd);
          }
          break;
        case Op.LB:
        case Op.LH:
        case Op.LW:
        case Op.LD:
        case Op.LBU:
        case Op.LHU:
        case Op.LWU: {
          const size = op === Op.LD ? 8 : op === Op.LW || op === Op.LWU ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
          tlb(k, rs1, imm, size, false);
          if (!discard) {
            f.localGet(addr);
            switch (op) {
              case Op.LB:
                f.i64Load8S(1, 0);
                break;
              case Op.LBU:
                f.i64Load8U(1, 0);
                break;
              case Op.LH:
                f.i64Load16S(2, 0);
                break;
              case Op.LHU:
                f.i64Load16U(2, 0);
                break;
              case Op.LW:
                f.i64Load32S(4, 0);
                break;
              case Op.LWU:
                f.i64Load32U(4, 0);
                break;
              default:
                f.i64Load(8, 0);
                break;
            }
            setRd(rd);
          }
          break;
        }
        case Op.SB:
        case Op.SH:
        case Op.SW:
        case Op.SD: {
          const size = op === Op.SD ? 8 : op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
          tlb(k, rs1, imm, size, true);
          f.localGet(addr);
          pushReg(f, local, rs2);
          if (size === 8) f.i64Store(8, 0);
          else if (size === 4) f.i64Store32(4, 0);
          else if (size === 2) f.i64Store16(2, 0);
          else f.i64Store8(1, 0);
          break;
        }
        case Op.FENCE:
          if (imm === FENCE_PAUSE) {
            // One pause fewer left this turn; at 0 leave (the hart decides whether to yield).
            endBlock(() => {
              f.localGet(B).localGet(B).i32Load(4, L.pauseLeft).i32Const(1).i32Sub().localTee(t);
              f.i32Store(4, L.pauseLeft);
              f.localGet(t).i32Const(0).i32LeS();
            });
            ended = true;
          }
          break;
        case Op.FENCE_I:
          break;
        case Op.LR_W:
        case Op.LR_D: {
          // As the interpreter: a load, then the reservation (address, size, the value read; SC.W
          // compares only the low word of the value cell).
          const size = op === Op.LR_D ? 8 : 4;
          alignedOrExit(k, rs1, size);
          tlb(k, rs1, 0, size, false);
          f.localGet(addr);
          if (size === 8) f.i64Load(8, 0);
          else f.i64Load32S(4, 0);
          f.localSet(tmp);
          const R = L.resCells;
          f.localGet(B).i32Const(1).i32Store(4, R);
          f.localGet(B)
            .localGet(lo)
            .i32Store(4, R + 4);
          f.localGet(B)
            .localGet(va)
            .i64Const(32)
            .i64ShrU()
            .i32WrapI64()
            .i32Store(4, R + 8);
          f.localGet(B)
            .i32Const(size)
            .i32Store(4, R + 12);
          f.localGet(B).localGet(tmp);
          f.i64Store(4, R + 16);
          if (!discard) {
            f.localGet(tmp);
            setRd(rd);
          }
          break;
        }
        case Op.SC_W:
        case Op.SC_D: {
          // Succeeds when the reservation holds this address and size and memory still holds the
          // value LR read; the reservation ends either way. Nothing changes before a TLB miss exits.
          const size = op === Op.SC_D ? 8 : 4;
          const R = L.resCells;
          alignedOrExit(k, rs1, size);
          pushReg(f, local, rs1);
          f.localSet(va);
          f.localGet(va).i32WrapI64().localSet(lo);
          f.localGet(va).i64Const(32).i64ShrU().i32WrapI64().localSet(hi);
          f.localGet(B).i32Load(4, R);
          f.localGet(B)
            .i32Load(4, R + 4)
            .localGet(lo)
            .i32Eq()
            .i32And();
          f.localGet(B)
            .i32Load(4, R + 8)
            .localGet(hi)
            .i32Eq()
            .i32And();
          f.localGet(B)
            .i32Load(4, R + 12)
            .i32Const(size)
            .i32Eq()
            .i32And()
            .if();
          tlb(k, rs1, 0, size, true);
          f.localGet(addr);
          if (size === 8)
            f.i64Load(8, 0)
              .localGet(B)
              .i64Load(4, R + 16)
              .i64Eq();
          else
            f.i32Load(4, 0)
              .localGet(B)
              .i32Load(4, R + 16)
              .i32Eq();
          f.if(i64);
          f.localGet(addr);
          pushReg(f, local, rs2);
          if (size === 8) f.i64Store(8, 0);
          else f.i64Store32(4, 0);
          f.i64Const(0);
          f.else().i64Const(1).end();
          f.localSet(tmp);
          f.else().i64Const(1).localSet(tmp).end();
          f.localGet(B).i32Const(0).i32Store(4, R);
          if (!discard) {
            f.localGet(tmp);
            setRd(rd);
          }
          break;
        }
        case Op.AMOSWAP_W:
        case Op.AMOADD_W:
        case Op.AMOXOR_W:
        case Op.AMOAND_W:
        case Op.AMOOR_W:
        case Op.AMOMIN_W:
        case Op.AMOMAX_W:
        case Op.AMOMINU_W:
        case Op.AMOMAXU_W:
        case Op.AMOSWAP_D:
        case Op.AMOADD_D:
        case Op.AMOXOR_D:
        case Op.AMOAND_D:
        case Op.AMOOR_D:
        case Op.AMOMIN_D:
        case Op.AMOMAX_D:
        case Op.AMOMINU_D:
        case Op.AMOMAXU_D: {
          // One hart runs at a time, so load-op-store is atomic. A write-TLB hit means the page is
          // writable (hence readable) RAM; misaligned, MMIO, code and observed pages take the slow path.
          const isD = op >= Op.LR_D;
          const size = isD ? 8 : 4;
          const base = isD ? op - (Op.LR_D - Op.LR_W) : op;
          alignedOrExit(k, rs1, size);
          tlb(k, rs1, 0, size, true);
          f.localGet(addr);
          if (isD) f.i64Load(8, 0);
          else f.i64Load32S(4, 0);
          f.localSet(tmp);
          // Min/max compare in the memory word's type: W values sign-extended for the signed
          // forms, zero-extended for the unsigned ones.
          const operand = (unsigned: boolean) => {
            pushReg(f, local, rs2);
            if (!isD) {
              if (unsigned) f.i64Const(0xffffffff).i64And();
              else f.i32WrapI64().i64ExtendI32S();
            }
          };
          const old = (unsigned: boolean) => {
            f.localGet(tmp);
            if (!isD && unsigned) f.i64Const(0xffffffff).i64And();
          };
          f.localGet(addr);
          switch (base) {
            case Op.AMOSWAP_W:
              pushReg(f, local, rs2);
              break;
            case Op.AMOADD_W:
              f.localGet(tmp);
              pushReg(f, local, rs2);
              f.i64Add();
              break;
            case Op.AMOXOR_W:
              f.localGet(tmp);
              pushReg(f, local, rs2);
              f.i64Xor();
              break;
            case Op.AMOAND_W:
              f.localGet(tmp);
              pushReg(f, local, rs2);
              f.i64And();
              break;
            case Op.AMOOR_W:
              f.localGet(tmp);
              pushReg(f, local, rs2);
              f.i64Or();
              break;
            default: {
              // select(old, operand, keep old)
              const unsigned = base === Op.AMOMINU_W || base === Op.AMOMAXU_W;
              old(unsigned);
              operand(unsigned);
              old(unsigned);
              operand(unsigned);
              if (base === Op.AMOMIN_W) f.i64LtS();
              else if (base === Op.AMOMAX_W) f.i64GtS();
              else if (base === Op.AMOMINU_W) f.i64LtU();
              else f.i64GtU();
              f.select();
              break;
            }
          }
          if (isD) f.i64Store(8, 0);
          else f.i64Store32(4, 0);
          if (!discard) {
            f.localGet(tmp);
            setRd(rd);
          }
          break;
        }
        case Op.JAL:
        case Op.JALR: {
          // The link, and the block's instructions off the budget (after the target is read: rd may be rs1).
          const linkAndCharge = () => {
            if (!discard) {
              const [a, h] = halves(pc + len);
              f.i64ConstHalves(a, h);
              setRd(rd);
            }
            f.localGet(BUDGET).i32Const(n).i32Sub().localSet(BUDGET);
          };
          // jal, and a jalr whose base the instruction before set to a constant (auipc/lui + jalr):
          // a direct jump, to a block of this region or through the target's slot.
          const target = op === Op.JAL ? pc + imm : staticJalrTarget(b.insns);
          if (target !== null) {
            linkAndCharge();
            goTo(target);
            ended = true;
            break;
          }
          pushReg(f, local, rs1);
          f.i64Const(imm).i64Add().i64Const(-2).i64And().localSet(va);
          linkAndCharge();
          // A return to a call site in this region (the usual `ret`) stays in the region.
          if (returnSites.length <= MAX_RETURN_SITES)
            for (const rs of returnSites) {
              const [a, h] = halves(rs);
              f.localGet(va).i64ConstHalves(a, h).i64Eq().if();
              toBlock(indexOf.get(rs)!, rs);
              f.end();
            }
          f.br(indirectLbl);
          ended = true;
          break;
        }
        case Op.BEQ:
        case Op.BNE:
        case Op.BLT:
        case Op.BGE:
        case Op.BLTU:
        case Op.BGEU: {
          f.localGet(BUDGET).i32Const(n).i32Sub().localSet(BUDGET);
          pushReg(f, local, rs1);
          pushReg(f, local, rs2);
          emitBranchTest(f, op);
          f.if();
          goTo(pc + imm);
          f.end();
          goTo(pc + len);
          ended = true;
          break;
        }
        default:
          if (fpc !== null && isFpOp(op)) {
            emitFpInsn(fpc, k, op, rd, rs1, rs2, imm);
            break;
          }
          if (jitCallOut(op, imm)) {
            // The hart does it (JitHost.callOut), reading rs1 from the arena and writing rd there.
            const csr = op <= Op.CSRRCI;
            if ((!csr || op <= Op.CSRRC) && rs1 !== 0) storeReg(rs1);
            // The budget left at this instruction: the block's n are taken off only at its end.
            f.i32Const(w0).i32Const(imm).localGet(BUDGET).i32Const(k).i32Sub().call(callOut).localSet(t);
            f.localGet(t).i32Const(CallOut.NotDone).i32Eq().ifHinted(false);
            slowExit(k);
            f.end();
            if (csr && !discard) {
              loadReg(rd);
              setRd(rd);
            }
            endBlock(() => f.localGet(t)); // CallOut.DoneLeave
            ended = true;
            break;
          }
          if (INT_OPS.has(op)) {
            if (!discard) {
              emitIntOp(
                f,
                op,
                constImmediate(f, imm),
                () => pushReg(f, local, rs1),
                () => pushReg(f, local, rs2),
              );
              setRd(rd);
            }
            break;
          }
          if (isBitOp(op)) {
            if (!discard) {
              emitBitOp(
                f,
                op,
                constImmediate(f, imm),
                () => pushReg(f, local, rs1),
                () => pushReg(f, local, rs2),
                tmp,
              );
              setRd(rd);
            }
            break;
          }
          throw new Error(`jit: operation ${op} cannot be translated (scan bug)`);
      }
    }
    if (!ended) {
      f.localGet(BUDGET).i32Const(n).i32Sub().localSet(BUDGET);
      goTo(b.end);
    }
    if (top !== null) f.end(top);
  }
  f.end(disp);
  f.end(outLbl);
  storeRegs();
  f.localGet(BUDGET).return();
  f.end(tailLbl);
  storeRegs();
  f.localGet(B).localGet(slot).i32Store(4, L.nextSlot);
  f.localGet(BUDGET).return();
  f.end(indirectLbl);
  storeRegs();
  f.localGet(B).localGet(va).i64Store(8, L.exitPc);
  if (jc !== null) {
    // Jump cache: a hit continues at the target's table slot (its stub if it was dropped).
    f.localGet(va)
      .i32WrapI64()
      .i32Const(1)
      .i32ShrU()
      .i32Const(JC_SIZE - 1)
      .i32And()
      .localSet(t);
    f.localGet(t).i32Const(3).i32Shl().localGet(B).i32Add().i64Load(8, jc.tag).localGet(va).i64Eq().if();
    f.localGet(B).localGet(t).i32Const(2).i32Shl().localGet(B).i32Add().i32Load(4, jc.slot).i32Store(4, L.nextSlot);
    f.localGet(BUDGET).return();
    f.end();
  }
  storeReason(JitExit.Indirect);
  f.localGet(BUDGET).return();
  f.end(slowLbl);
  // Slow exit: the instruction at epc (index ek of its block) has not executed.
  storeRegs();
  f.localGet(B).localGet(epc).i64Store(8, L.exitPc);
  storeReason(JitExit.Slow);
  f.localGet(BUDGET).localGet(ek).i32Sub();
}

const M32 = 0xffffffffn;
/** Byte-lane masks for rev8 and orc.b. */
const LANES_00FF = 0x00ff00ff00ff00ffn;
const LANES_0000FFFF = 0x0000ffff0000ffffn;
const LANES_7F = 0x7f7f7f7f7f7f7f7fn;
const LANES_80 = 0x8080808080808080n - (1n << 64n); // as a signed i64 constant

/** Pushes an immediate form's operand (a constant, a shift amount, a bit number) as an i64 or an i32. */
export interface OpImmediate {
  i64(): void;
  i32(): void;
}

/** The immediate `imm` as translated code has it: a constant. */
const constImmediate = (f: FunctionBuilder, imm: number): OpImmediate => ({
  i64: () => f.i64Const(imm),
  i32: () => f.i32Const(imm),
});

/**
 * One Zba/Zbb/Zbs/Zicond operation with WebAssembly's i64 operations; leaves rd's value on the
 * stack. `a`/`b` push rs1/rs2, `imm` the immediate of the immediate forms (a constant in
 * translated code, a value read at run time in the loop runner); `tmp` is an i64 scratch local.
 */
export function emitBitOp(
  f: FunctionBuilder,
  op: number,
  imm: OpImmediate,
  a: () => void,
  b: () => void,
  tmp: number,
): void {
  const zext32 = () => f.i64Const(M32).i64And();
  const w = (body: () => void) => {
    body();
    f.i64ExtendI32S();
  };
  switch (op) {
    case Op.SH1ADD:
    case Op.SH2ADD:
    case Op.SH3ADD:
      a();
      f.i64Const(op - Op.SH1ADD + 1).i64Shl();
      b();
      f.i64Add();
      return;
    case Op.ADD_UW:
      a();
      zext32();
      b();
      f.i64Add();
      return;
    case Op.SH1ADD_UW:
    case Op.SH2ADD_UW:
    case Op.SH3ADD_UW:
      a();
      zext32();
      f.i64Const(op - Op.SH1ADD_UW + 1).i64Shl();
      b();
      f.i64Add();
      return;
    case Op.SLLI_UW:
      a();
      zext32();
      imm.i64();
      f.i64Shl();
      return;
    case Op.ANDN:
    case Op.ORN:
      a();
      b();
      f.i64Const(-1).i64Xor();
      if (op === Op.ANDN) f.i64And();
      else f.i64Or();
      return;
    case Op.XNOR:
      a();
      b();
      f.i64Xor().i64Const(-1).i64Xor();
      return;
    case Op.CLZ:
      a();
      f.i64Clz();
      return;
    case Op.CTZ:
      a();
      f.i64Ctz();
      return;
    case Op.CPOP:
      a();
      f.i64Popcnt();
      return;
    case Op.CLZW:
    case Op.CTZW:
    case Op.CPOPW:
      a();
      f.i32WrapI64();
      if (op === Op.CLZW) f.i32Clz();
      else if (op === Op.CTZW) f.i32Ctz();
      else f.i32Popcnt();
      f.i64ExtendI32U();
      return;
    case Op.MAX:
    case Op.MAXU:
    case Op.MIN:
    case Op.MINU:
      // select(a, b, a > b) for max; (a < b) for min.
      a();
      b();
      a();
      b();
      if (op === Op.MAX) f.i64GtS();
      else if (op === Op.MAXU) f.i64GtU();
      else if (op === Op.MIN) f.i64LtS();
      else f.i64LtU();
      f.select();
      return;
    case Op.SEXT_B:
      a();
      f.i64Extend8S();
      return;
    case Op.SEXT_H:
      a();
      f.i64Extend16S();
      return;
    case Op.ZEXT_H:
      a();
      f.i64Const(0xffff).i64And();
      return;
    case Op.ROL:
    case Op.ROR:
      a();
      b();
      if (op === Op.ROL) f.i64Rotl();
      else f.i64Rotr();
      return;
    case Op.RORI:
      a();
      imm.i64();
      f.i64Rotr();
      return;
    case Op.ROLW:
    case Op.RORW:
      w(() => {
        a();
        f.i32WrapI64();
        b();
        f.i32WrapI64();
        if (op === Op.ROLW) f.i32Rotl();
        else f.i32Rotr();
      });
      return;
    case Op.RORIW:
      w(() => {
        a();
        f.i32WrapI64();
        imm.i32();
        f.i32Rotr();
      });
      return;
    case Op.ORC_B:
      // The top bit of each byte of ((x & 0x7f..) + 0x7f..) | x says "byte non-zero"; spread it.
      a();
      f.localSet(tmp);
      f.localGet(tmp).i64Const(LANES_7F).i64And().i64Const(LANES_7F).i64Add().localGet(tmp).i64Or();
      f.i64Const(LANES_80).i64And().i64Const(7).i64ShrU().i64Const(0xff).i64Mul();
      return;
    case Op.REV8:
      // Swap bytes within halfwords, halfwords within words, then the two words.
      a();
      f.localSet(tmp);
      f.localGet(tmp).i64Const(8).i64ShrU().i64Const(LANES_00FF).i64And();
      f.localGet(tmp).i64Const(LANES_00FF).i64And().i64Const(8).i64Shl().i64Or().localSet(tmp);
      f.localGet(tmp).i64Const(16).i64ShrU().i64Const(LANES_0000FFFF).i64And();
      f.localGet(tmp).i64Const(LANES_0000FFFF).i64And().i64Const(16).i64Shl().i64Or();
      f.i64Const(32).i64Rotl();
      return;
    case Op.BCLR:
    case Op.BSET:
    case Op.BINV:
    case Op.BCLRI:
    case Op.BSETI:
    case Op.BINVI: {
      const immForm = op === Op.BCLRI || op === Op.BSETI || op === Op.BINVI;
      a();
      f.i64Const(1);
      if (immForm) imm.i64();
      else b();
      f.i64Shl(); // wasm masks the shift count to 6 bits, as the spec's index does
      if (op === Op.BCLR || op === Op.BCLRI) f.i64Const(-1).i64Xor().i64And();
      else if (op === Op.BSET || op === Op.BSETI) f.i64Or();
      else f.i64Xor();
      return;
    }
    case Op.BEXT:
    case Op.BEXTI:
      a();
      if (op === Op.BEXTI) imm.i64();
      else b();
      f.i64ShrU().i64Const(1).i64And();
      return;
    case Op.CZERO_EQZ:
      // rs2 == 0 ? 0 : rs1
      f.i64Const(0);
      a();
      b();
      f.i64Eqz().select();
      return;
    case Op.CZERO_NEZ:
      a();
      f.i64Const(0);
      b();
      f.i64Eqz().select();
      return;
    default:
      throw new Error(`jit: ${op} is not a bit-manipulation operation`);
  }
}

/** Locals emitTlbProbe reads (lo, hi: the virtual address's halves) and clobbers (t). */
export interface ProbeLocals {
  lo: number;
  /** va's high word (unused, -1, when `va` is given). */
  hi: number;
  /** The i64 local holding va (lo and hi are its halves), or -1: the key is then built from them. */
  va: number;
  t: number;
  /** The local holding the hart-state base the layout's offsets are relative to. */
  base: number;
}

/**
 * The software TLB probe, the one place translated code knows the entry format (the interpreter's
 * twin is tlb.ts, tlbProbe): leaves the arena address of a `size`-byte access at va (lo, hi) on
 * the stack when the page TLB holds it and the access stays inside the page, or the 256 B chunk
 * TLB (fine-interleaved pages) holds it and the access is aligned (the misalignment bits are part
 * of the compared chunk key). Otherwise it emits
 * `miss`, which must branch away (translated code then exits to memSlowNoTlbProbe, no second
 * probe). Stores also try a checked chunk entry (a chunk that holds code elsewhere: tlb.ts
 * TLB_CHECKED). The order follows where the block's interpreted runs found their data (jit.ts
 * Block.dataInChunks, storesNextToCode) or its own code: the chunk TLB first for fine-interleaved
 * pages, the checked entry first for stores next to code, else the page TLB first.
 */
export function emitTlbProbe(
  f: FunctionBuilder,
  L: JitLayout,
  x: ProbeLocals,
  size: number,
  write: boolean,
  chunkFirst: boolean,
  miss: () => void,
  checkedFirst = false,
  rest: SlowProbes | null = null,
  from = 0,
): void {
  const { lo, hi, va, t, base } = x;
  /**
   * One probe's test: t = the entry's byte offset (((lo >>> shift) & mask) * 16: computed as
   * (lo >>> (shift - 4)) & (mask << 4), one shift fewer) plus the hart's base; leaves an i32,
   * zero exactly when the entry's tag (one i64: lo, then hi) is va's key ((va & keyMask) |
   * keyBits, keyMask sign-extended, so va's high word is all of the key's), else 1.
   */
  const tagTest = (shift: number, mask: number, table: number, keyMask: number, keyBits = 0) => {
    f.localGet(lo);
    if (shift !== 4) f.i32Const(shift - 4).i32ShrU();
    f.i32Const(mask << 4).i32And();
    f.localGet(base).i32Add();
    f.localSet(t);
    f.localGet(t).i64Load(8, table);
    if (va >= 0) f.localGet(va).i64Const(keyMask).i64And();
    else {
      // No va local (SlowProbes' helpers get its halves): (hi << 32) | (lo & keyMask).
      f.localGet(lo).i32Const(keyMask).i32And().i64ExtendI32U();
      f.localGet(hi).i64ExtendI32U().i64Const(32).i64Shl().i64Or();
    }
    if (keyBits !== 0) f.i64Const(keyBits).i64Or();
    f.i64Ne();
  };
  /** A hit: the entry's arena offset minus its tag's va (its third word), plus va (tlb.ts). */
  const hitAt = (table: number) => () => {
    f.localGet(t)
      .i32Load(4, table + 8)
      .localGet(lo)
      .i32Add();
  };
  const pT = write ? L.wT : L.rT;
  const gT = write ? L.gwT : L.gT;
  // The aligned key, as a chunk's: the misalignment bits are part of it, so a misaligned access
  // misses here and takes `pageMisaligned` after the other probes (a cheaper hit for the common case).
  const page = () => tagTest(12, TLB_MASK, pT, -4096 | (size - 1));
  // Misaligned is fine inside the page (wasm loads are unaligned-safe); not across its end: the
  // last byte's offset carries into bit 12 exactly when the access crosses it.
  const pageMisaligned = () => {
    tagTest(12, TLB_MASK, pT, -4096);
    f.localGet(lo)
      .i32Const(4095)
      .i32And()
      .i32Const(size - 1)
      .i32Add()
      .i32Const(12)
      .i32ShrU()
      .i32Or();
  };
  const pageHit = hitAt(pT);
  const chunk = () => tagTest(8, L.gMask, gT, -CHUNK | (size - 1));
  const chunkHit = hitAt(gT);
  // Stores only: a checked entry (one 16-byte granule without code in a chunk that holds code:
  // tlb.ts TLB_CHECKED), at the granule's index. An aligned access of up to 8 bytes lies in one.
  const checked = () => tagTest(4, L.gMask, L.gwT, -GRANULE | (size - 1), TLB_CHECKED);
  const checkedHit = hitAt(L.gwT);
  // The probes in order, each a (test, hit) pair; the first that holds gives the address.
  const both: [() => void, () => void][] = chunkFirst
    ? [
        [chunk, chunkHit],
        [page, pageHit],
      ]
    : [
        [page, pageHit],
        [chunk, chunkHit],
      ];
  const probes: [() => void, () => void][] = !write
    ? [...both]
    : checkedFirst
      ? [[checked, checkedHit], ...both]
      : [...both, [checked, checkedHit]];
  if (size > 1) probes.push([pageMisaligned, pageHit]);
  const chain = (i: number): void => {
    if (i === probes.length) {
      miss();
      return;
    }
    if (rest !== null && i > from) {
      // The probes after the first in a function of the module's own (SlowProbes): 0 is a miss.
      f.localGet(lo);
      if (va >= 0) f.localGet(va).i64Const(32).i64ShrU().i32WrapI64();
      else f.localGet(hi);
      f.localGet(base)
        .call(rest.helper(size, write, chunkFirst, checkedFirst))
        .localTee(t)
        .i32Eqz()
        .ifHinted(false);
      miss();
      f.end();
      f.localGet(t);
      return;
    }
    probes[i]![0]();
    // The first probe's hit is the hot path (with SlowProbes, the rest is a call TurboFan keeps
    // out of it, spills included).
    if (i === from && rest !== null) f.i32Eqz().ifHinted(true, i32);
    else f.i32Eqz().if(i32);
    probes[i]![1]();
    f.else();
    chain(i + 1);
    f.end();
  };
  chain(from);
}

/**
 * A module's out-of-line TLB probes: translated code tests the first probe of emitTlbProbe's order
 * inline and calls one of these for the others (the chunk TLB after the page TLB or the other way
 * round, a store's checked entry, a misaligned access inside a page), which it seldom needs where
 * its interpreted runs predicted the order. A Linux boot's translations were 5.9 MB of wasm for
 * 44,000 guest instructions with every probe inline, two thirds of it the probes. One function per
 * (size, store, order) the module uses: (lo, hi, base) -> the arena address, or 0 on a miss (arena
 * page 0 is a guard: no entry maps there).
 */
export class SlowProbes {
  private readonly fns = new Map<number, FunctionBuilder>();
  constructor(
    private readonly m: ModuleBuilder,
    private readonly L: JitLayout,
  ) {}

  helper(size: number, write: boolean, chunkFirst: boolean, checkedFirst: boolean): FunctionBuilder {
    const key = size * 8 + (write ? 4 : 0) + (chunkFirst ? 2 : 0) + (checkedFirst && write ? 1 : 0);
    let h = this.fns.get(key);
    if (h === undefined) {
      h = this.m.function(`probe${key}`, [i32, i32, i32], [i32]);
      const hf = h;
      const t = hf.local(i32);
      emitTlbProbe(
        hf,
        this.L,
        { lo: 0, hi: 1, va: -1, t, base: 2 },
        size,
        write,
        chunkFirst,
        () => hf.i32Const(0),
        checkedFirst,
        null,
        1,
      );
      this.fns.set(key, h);
    }
    return h;
  }
}

/** Register-register operations emitIntOp emits (b pushes rs2). */
export const INT_REG_OPS: readonly Op[] = [
  Op.ADD,
  Op.SUB,
  Op.SLL,
  Op.SLT,
  Op.SLTU,
  Op.XOR,
  Op.SRL,
  Op.SRA,
  Op.OR,
  Op.AND,
  Op.MUL,
  Op.ADDW,
  Op.SUBW,
  Op.SLLW,
  Op.SRLW,
  Op.SRAW,
  Op.MULW,
];
/** Operations emitIntOp emits with the immediate. */
export const INT_IMM_OPS: readonly Op[] = [
  Op.LUI,
  Op.ADDI,
  Op.SLTI,
  Op.SLTIU,
  Op.XORI,
  Op.ORI,
  Op.ANDI,
  Op.SLLI,
  Op.SRLI,
  Op.SRAI,
  Op.ADDIW,
  Op.SLLIW,
  Op.SRLIW,
  Op.SRAIW,
];
const INT_OPS = new Set<number>([...INT_REG_OPS, ...INT_IMM_OPS]);
/** emitBitOp's operations that read rs2, and the others (one register, or the immediate). */
export const BIT_REG_OPS: readonly Op[] = [
  Op.SH1ADD,
  Op.SH2ADD,
  Op.SH3ADD,
  Op.ADD_UW,
  Op.SH1ADD_UW,
  Op.SH2ADD_UW,
  Op.SH3ADD_UW,
  Op.ANDN,
  Op.ORN,
  Op.XNOR,
  Op.MAX,
  Op.MAXU,
  Op.MIN,
  Op.MINU,
  Op.ROL,
  Op.ROLW,
  Op.ROR,
  Op.RORW,
  Op.BCLR,
  Op.BEXT,
  Op.BINV,
  Op.BSET,
  Op.CZERO_EQZ,
  Op.CZERO_NEZ,
];
export const BIT_OTHER_OPS: readonly Op[] = [
  Op.CLZ,
  Op.CLZW,
  Op.CTZ,
  Op.CTZW,
  Op.CPOP,
  Op.CPOPW,
  Op.SEXT_B,
  Op.SEXT_H,
  Op.ZEXT_H,
  Op.ORC_B,
  Op.REV8,
  Op.SLLI_UW,
  Op.RORI,
  Op.RORIW,
  Op.BCLRI,
  Op.BEXTI,
  Op.BINVI,
  Op.BSETI,
];

/** A conditional branch's test: (rs1, rs2) on the stack as i64s -> i32, non-zero when taken. */
export function emitBranchTest(f: FunctionBuilder, op: number): void {
  if (op === Op.BEQ) f.i64Eq();
  else if (op === Op.BNE) f.i64Ne();
  else if (op === Op.BLT) f.i64LtS();
  else if (op === Op.BGE) f.i64GeS();
  else if (op === Op.BLTU) f.i64LtU();
  else f.i64GeU();
}

/**
 * One RV64I/M register operation that cannot trap (LUI, the register-immediate and
 * register-register ALU operations and their W forms, MUL, MULW); leaves rd's value on the stack.
 * `a`/`b` push rs1/rs2, `imm` the immediate (a constant in translated code, a value read at run
 * time in the loop runner). Shared by the translator and loop-runner.ts.
 */
export function emitIntOp(f: FunctionBuilder, op: number, imm: OpImmediate, a: () => void, b: () => void): void {
  if (op === Op.LUI) {
    imm.i64();
    return;
  }
  const withImm = (op >= Op.ADDI && op <= Op.SRAI) || (op >= Op.ADDIW && op <= Op.SRAIW);
  const w = I32_OPCODE[op];
  if (w !== undefined) {
    // W forms: on the low words, the result sign-extended.
    a();
    f.i32WrapI64();
    if (withImm) imm.i32();
    else {
      b();
      f.i32WrapI64();
    }
    f.op(w).i64ExtendI32S();
    return;
  }
  a();
  if (withImm) imm.i64();
  else b();
  const o = I64_OPCODE[op];
  if (o !== undefined) f.op(o);
  else if (op === Op.SLT || op === Op.SLTI) f.i64LtS().i64ExtendI32U();
  else if (op === Op.SLTU || op === Op.SLTIU) f.i64LtU().i64ExtendI32U();
  else throw new Error(`emitIntOp: operation ${op} is not a register operation`);
}

/** The wasm i64 operation of each ALU instruction, register or immediate form. */
const I64_OPCODE: Partial<Record<number, number>> = {
  [Op.ADD]: 0x7c, // i64.add
  [Op.ADDI]: 0x7c,
  [Op.SUB]: 0x7d, // i64.sub
  [Op.MUL]: 0x7e, // i64.mul
  [Op.AND]: 0x83, // i64.and
  [Op.ANDI]: 0x83,
  [Op.OR]: 0x84, // i64.or
  [Op.ORI]: 0x84,
  [Op.XOR]: 0x85, // i64.xor
  [Op.XORI]: 0x85,
  [Op.SLL]: 0x86, // i64.shl
  [Op.SLLI]: 0x86,
  [Op.SRA]: 0x87, // i64.shr_s
  [Op.SRAI]: 0x87,
  [Op.SRL]: 0x88, // i64.shr_u
  [Op.SRLI]: 0x88,
};

/** The wasm i32 operation of each W-form instruction. */
const I32_OPCODE: Partial<Record<number, number>> = {
  [Op.ADDW]: 0x6a, // i32.add
  [Op.ADDIW]: 0x6a,
  [Op.SUBW]: 0x6b, // i32.sub
  [Op.MULW]: 0x6c, // i32.mul
  [Op.SLLW]: 0x74, // i32.shl
  [Op.SLLIW]: 0x74,
  [Op.SRAW]: 0x75, // i32.shr_s
  [Op.SRAIW]: 0x75,
  [Op.SRLW]: 0x76, // i32.shr_u
  [Op.SRLIW]: 0x76,
};

const F_RD = 1,
  F_RS1 = 2,
  F_RS2 = 4;
function formatOf(op: number): number {
  if (isFpOp(op)) {
    const u = fpIntOperands(op);
    return (u.rs1 ? F_RS1 : 0) | (u.rd ? F_RD : 0);
  }
  switch (op) {
    case Op.LUI:
    case Op.AUIPC:
    case Op.JAL:
      return F_RD;
    case Op.FENCE:
    case Op.FENCE_I:
      return 0;
    case Op.CSRRW:
    case Op.CSRRS:
    case Op.CSRRC:
      return F_RD | F_RS1;
    case Op.CSRRWI:
    case Op.CSRRSI:
    case Op.CSRRCI:
      return F_RD;
    case Op.CBO_INVAL:
    case Op.CBO_CLEAN:
    case Op.CBO_FLUSH:
    case Op.CBO_ZERO:
      return F_RS1;
    case Op.BEQ:
    case Op.BNE:
    case Op.BLT:
    case Op.BGE:
    case Op.BLTU:
    case Op.BGEU:
    case Op.SB:
    case Op.SH:
    case Op.SW:
    case Op.SD:
      return F_RS1 | F_RS2;
    case Op.JALR:
    case Op.LB:
    case Op.LH:
    case Op.LW:
    case Op.LD:
    case Op.LBU:
    case Op.LHU:
    case Op.LWU:
    case Op.ADDI:
    case Op.SLTI:
    case Op.SLTIU:
    case Op.XORI:
    case Op.ORI:
    case Op.ANDI:
    case Op.SLLI:
    case Op.SRLI:
    case Op.SRAI:
    case Op.ADDIW:
    case Op.SLLIW:
    case Op.SRLIW:
    case Op.SRAIW:
      return F_RD | F_RS1;
    default:
      return F_RD | F_RS1 | F_RS2;
  }
}
