// The block JIT's bookkeeping: which guest blocks exist (by privilege and virtual pc), how hot
// they are, which are compiled, the shared funcref table that links modules, batching, and code
// coherence (dropping translations when their arena pages are written). Translation itself is
// jit-translate.ts; running blocks and the exit protocol are in hart.ts (execJit).
//
// Caching rules: a block never crosses a 4 KiB page (a 32-bit instruction straddling two pages is
// always interpreted), so it depends on the code bytes of one guest page: its arena page (RAM, or
// a CXL page inside one granule run) or, on a fine-interleaved CXL page, the 256 B chunks its
// parcels were read from. Those arena pages are marked in the arena's CodePages bitmap; any write
// to them (CPU store in either engine, DMA, host API, device) reaches `invalidatePage` and drops
// the whole module holding the block (blocks of a module call each other directly). Blocks are
// keyed by virtual pc per privilege level. When the virtual->physical view of code may change
// (satp writes, sfence.vma, PMP writes) they are not dropped: `remap` bumps an epoch, and each
// (privilege, virtual page) has a cell holding the epoch at which its mapping was last checked.
// A block whose page cell is stale exits at entry; JS re-translates the page once (ensureValid)
// and, when it still maps the same arena page, marks the cell current and runs on: an address
// space switch costs one check per code page used afterwards instead of recompiling. A page that
// now maps elsewhere drops its blocks. A change of the physical map is a remap too (BAR and
// decoder programming move MMIO, not RAM). flushAll drops the hart's blocks (its breakpoints
// changed); cells used up drop every hart's. The harts of an arena share translations (JitShare,
// adopt): slots and cells are numbered for all of them, and modules address hart state from a base.
// Uncacheable code (MMIO, observed, PMP-mixed, unmapped, straddling) is never translated.

import { hostFusedMultiplyAdd } from './host-fma.js';
import { configureWasmTiering } from './wasm-tiering.js';
import {
  REGION_SIG,
  DISPATCH_SIG,
  JC_SIZE,
  type JIT_EXIT_NAMES,
  JitExit,
  jitStraight,
  jitEndsBlock,
  jitTerminator,
  partitionRegions,
  pick,
  translateBatch,
  type JitBlockCode,
  type JitInsn,
  type JitLayout,
} from './jit-translate.js';
import { decodeInto } from './decode.js';
import { insnBytes, SLOT_WORDS } from './isa.js';
import { Wasm, type WasmMemoryLike, type WasmModule, type WasmTable } from './wasm/wasm-api.js';
import { LoopRunner, loopRunnable } from './loop-runner.js';
import { ModuleBuilder } from './wasm/module-builder.js';

/** Interpreted block dispatches between the first queued block and its batch compile: a module costs
 *  milliseconds to compile and instantiate whatever its size, and every live instance makes table
 *  updates dearer, so batches gather a whole hot region (docs/jit.md has the measurements). */
export const BATCH_DELAY = 32768;

/** Times the translation of one (privilege, pc) may be dropped by writes to its code before that
 *  block is left to the interpreter (code patched in a loop would be recompiled over and over).
 *  Each drop also doubles the block's compile threshold, so code rewritten often compiles later. */
export const MAX_BLOCK_INVALIDATIONS = 12;

/** Most doublings of a block's threshold for writes to its page's code (2^6: 64 times the threshold).
 *  A module costs 0.3-0.6 ms to compile here (V8 maps fresh code space for each), the time to
 *  interpret some 30,000 instructions: code on a page rewritten again and again (a guest JIT's
 *  buffer, a recycled page) compiles only once it has shown it runs long. */
export const MAX_PAGE_BACKOFF = 6;

/** Drops on one arena page after which its code is left to the interpreter while the page keeps
 *  being rewritten (a guest JIT's buffer): such code never repays a module (docs/jit.md). */
export const MAX_PAGE_DROPS = 8;

/** Modules compiled without a drop on a rewritten page after which its drops are forgotten. */
export const PAGE_QUIET_MODULES = 64;

/** A queued block executed this many times the threshold compiles its batch at once (a hot loop
 *  should not wait BATCH_DELAY dispatches), unless its page's code was rewritten before: code
 *  that is rewritten often rarely runs long enough to repay a module of its own. */
export const HOT_FACTOR = 8;

/**
 * Table slots at start. Growing the shared table costs in proportion to the instances importing
 * it (V8 updates each one's dispatch table), and instantiating costs in proportion to its size:
 * 8192 is what a Linux boot ends up needing (about 7,000 (privilege, pc) pairs), measured best of
 * 1024 (grown as needed), 8192 and 16384.
 */
export const TABLE_INITIAL = 8192;

/** Page cells per hart (distinct (privilege, virtual page) pairs with code; more: flushAll). */
export const JIT_PAGE_CELLS = 8192;
/**
 * Table slots of an arena's harts (distinct (privilege, pc) pairs translated or named as a
 * successor; more: flushAll): 65,536 (each hart's entries 256 KiB; a Linux boot gives out about
 * 13,000), fewer in small arenas (1 per KiB, at least 1,024: the warm-up's 1 MiB arena).
 */
export function jitSlotsFor(arenaBytes: number): number {
  return Math.min(65536, Math.max(1024, 2 ** Math.floor(Math.log2(arenaBytes / 1024))));
}
/** Slots one compile may give out at most, per block compiled: its own and two successors. */
const SLOTS_PER_BLOCK = 3;

/** Longest block (instructions); bounds the time between interrupt checks inside chains. */
export const MAX_BLOCK = 64;

/** A translated region (REGION_SIG): `(budget, entry) -> remaining`. */
export type BlockFn = (budget: number, entry: number) => number;

/** Where a block's code bytes came from (scan's record): arena pages, chunk granules, RAM byte range. */
interface BlockDeps {
  pages: Set<number>;
  /** Chunk key (arena offset / 256) -> its 16-byte granules holding the block's code (chunked pages). */
  chunks: Map<number, number> | null;
  ramFirst: number;
  ramLast: number;
}

/** Where a guest page's code bytes are, for the translator. */
export interface CodeSource {
  /** Arena offset of the page (plain page) or -1. */
  arena: number;
  /** Arena offset of each 256 B chunk (fine-interleaved page), or null. */
  chunks: ArrayLike<number> | null;
}

/** What the JIT needs from the hart. */
export interface JitHost {
  readonly layout: JitLayout;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** Code bytes of the page holding pc for privilege priv, or null when it must not be cached. */
  codeSource(pc: number, priv: number): CodeSource | null;
  /** The arena page now holds translated code: mark it and drop write-TLB entries pointing into it. */
  markCode(arenaPage: number): void;
  /** Bytes [first, last] of a RAM (granule-tracked) arena page hold translated code. */
  markCodeBytes(arenaPage: number, first: number, last: number): void;
  /**
   * Do the CSR access or cache-block operation `w0`/`imm` (decoded form; its rs1 is in the arena)
   * for translated code: a CallOut answer (jit-translate.ts). `budgetAt`: the budget translated
   * code had left when it reached the instruction (its entry budget minus what it retired before).
   */
  callOut(w0: number, imm: number, budgetAt: number): number;
  /** Granules `granules` (bits 0..15) of a 256 B chunk (arena offset / 256) of a fine-interleaved page hold translated code. */
  markCodeChunk(key: number, granules: number): void;
}

export class Block {
  count = 0;
  fn: BlockFn | null = null;
  /** Its entry into `fn`, its region (REGION_SIG): 2k for the region's k-th block. */
  entry = 0;
  queued = false;
  /** Never compile (its code keeps being rewritten: MAX_BLOCK_INVALIDATIONS). */
  interpretOnly = false;
  /** Interpreted executions before it is queued (the JIT's threshold, doubled per earlier drop). */
  threshold = 0;
  /** Arena page of its first instruction (-1: unknown). */
  page = -1;
  /** Its table slot once compiled (enter(budget, slot) runs it). */
  slot = -1;
  /** Its function is the one in its slot (false while parked: its page maps elsewhere now). */
  installed = false;
  /** Every block of its region (translated code that jumps to it without a slot) is on its page cell. */
  soloRegion = false;
  mod: CompiledModule | null = null;
  /** Arena pages (plain) or chunk keys (arenaOffset / 256) its code came from. */
  pages: number[] = [];
  chunks: number[] | null = null;
  /** Page cell (JIT_PAGE_CELLS) of its (privilege, virtual page); -1 until compiled. */
  cell = -1;
  /** The JIT's scan epoch when it was scanned (an untranslatable block is scanned again after it moves). */
  epoch = 0;
  /** Its interpreted runs used the chunk TLB (data on fine-interleaved pages): probe that one first. */
  dataInChunks = false;
  /** Its interpreted runs stored next to code (checked chunk entries): stores probe those first. */
  storesNextToCode = false;
  /** A version of code that flips (FLIP_RESCANS): compiled at its first run, alone. */
  flipVersion = false;
  /** A hash of its instruction words (scan), telling versions of the code at one pc apart. */
  words = 0;
  /** As a self-loop for the loop runner (runLoop; its instructions: len): its encoding's arena
   *  offset (-1: not one) and end, and what the decision stands on (page writes, epoch, buffer). */
  loopAt = -1;
  loopEnd = 0;
  loopStamp = -1;
  loopEpoch = 0;
  loopGen = 0;
  /** Instructions the loop runner retired for it (LOOP_COMPILE_AFTER). */
  loopRan = 0;
  /** An interpreted run of it ended back at its start: the only blocks runLoop looks at. */
  selfLooped = false;
  /** Code writes to its page (Jit.pageWrites) when it was scanned. */
  scanStamp = 0;
  /** Compiled from a RAM page (pages[0]): a copy of its bytes [ramFirst, ramLast] it was built
   *  from (revive compares them). Null for chunked pages. */
  codeBytes: Uint8Array | null = null;
  ramFirst = 0;
  ramLast = -1;
  constructor(
    readonly pc: number,
    readonly priv: number,
    public len: number,
    readonly ok: boolean,
  ) {}
}

class CompiledModule {
  blocks: Block[] = [];
  dead = false;
  /** Its blocks' functions, kept while it lies in the graveyard (revive). */
  fns: BlockFn[] = [];
}

/** Modules dropped by code writes kept for revival, per arena page (newest last). */
export const GRAVES_PER_PAGE = 4;
/**
 * Fresh scans of one (privilege, pc) with the same instruction words, on a page whose code flips
 * between versions, after which its block compiles at its first interpreted run, at once: a
 * version that keeps coming back but runs only a few times each time (a patch site's block run
 * once per pass) never reached the threshold with a fresh count each time, so every flip
 * re-scanned and interpreted it. (Counted per version: code generated anew at the same pcs, as
 * suite codegen does, must not compile at first sight.)
 */
export const FLIP_RESCANS = 3;
/** Versions of one pc's block counted for FLIP_RESCANS (the oldest is forgotten). */
const FLIP_VERSIONS = 4;
/**
 * Instructions a self-loop runs in the loop runner (loop-runner.ts) before it is left to the
 * JIT's usual path (interpreted runs, threshold, a module): a loop that runs this long repays its
 * module (the runner's 300-500 MIPS against 1-2 G in translated code); a generated loop run for a
 * few thousand iterations (suite codegen: about 41,000 instructions a round) never does.
 */
export const LOOP_COMPILE_AFTER = 200_000;
/** Versions of one (privilege, virtual page)'s translations parked while it maps elsewhere. */
export const PARKED_PER_PAGE = 4;

export interface JitStats {
  /** Instructions retired inside translated code. */
  instructions: number;
  /** Instructions retired by the loop runner (self-looping integer blocks not worth a module). */
  loopInstructions: number;
  blocksCompiled: number;
  modules: number;
  compileMs: number;
  /** Blocks installed from modules other harts of the arena compiled (Jit.adopt), and those modules. */
  blocksAdopted: number;
  modulesAdopted: number;
  /** Exits from translated code to JS, by reason. */
  exits: Record<(typeof JIT_EXIT_NAMES)[number], number>;
  /** Blocks dropped because their code bytes were written. */
  invalidatedBlocks: number;
  /** Whole-cache flushes (breakpoints, page cells exhausted). */
  flushes: number;
  /** Epoch bumps (satp, sfence.vma, PMP, physical map changes) and the page checks and drops they led to. */
  remaps: number;
  /** sfence.vma of one address: that page's cells made stale (remapPage). */
  pageRemaps: number;
  pageChecks: number;
  pagesRemapped: number;
  /** Page checks that put away the translations of the old mapping, and that installed a parked version. */
  pagesParked: number;
  pagesRestored: number;
}

export interface JitOptions {
  /** Interpreted executions of a block before it is queued for compilation. */
  threshold?: number;
  /** Queue length that triggers a batch compile (default 256). */
  batch?: number;
  /** Translate fmadd.d with the host's fused multiply-add (default: when host-fma.ts's probe finds it exact). */
  hostFma?: boolean;
  /** Run self-looping integer blocks in the loop runner before compiling them (default true;
   *  tests of what translated code does turn it off). */
  loopRunner?: boolean;
}

const PRIV_INDEX = [0, 1, -1, 2];

/**
 * Entries of the direct-mapped cache in front of the block maps (a power of two). A Linux boot
 * looks blocks up 1.5 million times among some 43,000: with 4,096 entries indexed by pc's low bits
 * alone (blocks at the same offset of pages 8 KiB apart collide) 220,000 lookups went on to the
 * map, with 16,384 entries and higher bits folded in 80,000 (43,000 of them first sightings).
 */
const RECENT_BLOCKS = 16384;
/** Its index for (priv, pc): pc's low bits, bits 15 and up folded in (pc | 0 truncates a 64-bit address as ToInt32 does). */
const recentIndex = (priv: number, pc: number): number =>
  (((pc | 0) >>> 1) ^ ((pc | 0) >>> 15) ^ (priv << 10)) & (RECENT_BLOCKS - 1);

/** A module compiled with block (priv, pc): the hart's JIT that compiled it, the block (its
 *  translation's metadata) and its export. */
interface SharedBlock {
  jit: Jit;
  module: WasmModule;
  /** Its region's export (r<index>); the block's entry there is block.entry. */
  index: number;
  block: Block;
}

/**
 * What the JITs of one arena's harts share. Translated code names table slots and page cells by
 * number and addresses its hart's state from an imported base (relativeLayout), so numbering
 * slots and cells once for all harts lets a module compiled by one hart serve the others: a hart
 * meeting a block another hart compiled instantiates that module for itself (Jit.adopt) instead
 * of interpreting the block up to its threshold and compiling it again.
 */
class JitShare {
  readonly jits: Jit[] = [];
  readonly slotMaps: Map<number, number>[] = [new Map(), new Map(), new Map()];
  nextSlot = 0;
  readonly cellMaps: Map<number, number>[] = [new Map(), new Map(), new Map()];
  nextCell = 0;
  /** The last module compiled with each (privilege, pc), by privilege index. */
  readonly compiled: Map<number, SharedBlock>[] = [new Map(), new Map(), new Map()];

  /** Forget every block of every hart (the numbering starts over). */
  flushAll(): void {
    for (const j of this.jits) j.flushAll();
    for (const m of this.slotMaps) m.clear();
    this.nextSlot = 0;
    for (const m of this.cellMaps) m.clear();
    this.nextCell = 0;
    for (const m of this.compiled) m.clear();
  }
}

/** The shares, by arena memory and then by whether the JITs use the host's fused multiply-add
 *  (the only translation option a machine's harts could differ in). */
const SHARES = new WeakMap<object, Map<boolean, JitShare>>();

function shareFor(memory: object, hostFma: boolean): JitShare {
  let byFma = SHARES.get(memory);
  if (byFma === undefined) {
    byFma = new Map();
    SHARES.set(memory, byFma);
  }
  let share = byFma.get(hostFma);
  if (share === undefined) {
    share = new JitShare();
    byFma.set(hostFma, share);
  }
  return share;
}

export class Jit {
  readonly threshold: number;
  /** fmadd.d uses the host's (probed, exact) fused multiply-add. */
  readonly hostFma: boolean;
  readonly batch: number;
  /** Type-check emitted code as it is built (CXLEMU_JIT_CHECK=1; V8 validates every module anyway,
   *  this names the translator's mistake). Off by default: it doubles translation time. */
  readonly checkTypes = process.env['CXLEMU_JIT_CHECK'] === '1';
  /** Blocks by virtual pc, one map per privilege level (U, S, M). */
  private maps: Map<number, Block>[] = [new Map(), new Map(), new Map()];
  /**
   * The blocks last looked up, direct-mapped by pc: an entry is what the block map holds for its
   * (priv, pc) (install, uninstall, flushAll and block keep it so). Map lookups keyed by a 64-bit
   * address (a heap number, hashed each time) cost about 50 ns: a Linux boot makes 1.4 M of them.
   */
  private readonly recent: (Block | undefined)[] = new Array<Block | undefined>(RECENT_BLOCKS).fill(undefined);
  /** Slot and cell numbering and compiled modules shared with the arena's other harts. */
  private readonly share: JitShare;
  /** This hart's instances of modules other harts compiled (adopt), and its record of each. */
  private readonly adopted = new Map<WasmModule, { exports: Record<string, unknown>; mod: CompiledModule }>();
  /** Blocks installed from modules other harts compiled, and those modules. */
  blocksAdopted = 0;
  modulesAdopted = 0;
  readonly table: WasmTable;
  private readonly stub: BlockFn;
  private queue: Block[] = [];
  /** Interpreted block dispatches since the first queued block (batches form while this grows). */
  private sinceQueued = 0;
  private readonly byPage = new Map<number, Set<Block>>();
  /**
   * Modules dropped because their code was written, per arena page: when the bytes go back to what
   * a module was built from (a kernel flipping a static key or a trace site back, a patched
   * instruction restored), the module is revived instead of rebuilt (revivePending).
   */
  private readonly graves = new Map<number, CompiledModule[]>();
  /** Arena pages written since the last revival check. */
  private readonly reviveCheck = new Set<number>();
  /** Arena pages where a module was revived: their code flips between versions, each compiled once,
   *  so rewrites there cost no backoff (block, noteInterpreted) and a new version compiles promptly. */
  private readonly flipPages = new Set<number>();
  /** Runs self-looping integer blocks without a module of their own (null: no buffer in the layout). */
  private readonly loops: LoopRunner | null;
  /** Code writes per arena page (an uncompiled block scanned, or a loop decision made, before a
   *  write to its page is made again). */
  private readonly pageWrites: Int32Array;
  /** Instructions the loop runner retired. */
  loopInstructions = 0;
  /** Fresh scans of each (privilege, pc) on flip pages, per version (Block.words): FLIP_RESCANS. */
  private readonly flipScans: Map<number, Map<number, number>>[] = [new Map(), new Map(), new Map()];
  private readonly u8: Uint8Array;
  revived = 0;
  /** Times the translation of each (privilege, pc) was dropped by code writes (kept until flushAll). */
  private readonly blockInvalidations: Map<number, number>[] = [new Map(), new Map(), new Map()];
  /** Arena pages whose translated code was dropped by writes: how often, and the module count at
   *  the last drop. Their blocks get modules of their own (rewriting them does not drop stable
   *  code compiled in the same batch) and higher thresholds (MAX_PAGE_BACKOFF, MAX_PAGE_DROPS); a
   *  page quiet for PAGE_QUIET_MODULES compiled modules is forgiven (a recycled page that settled
   *  down compiles normally again). */
  private readonly volatilePages = new Map<number, { drops: number; atModule: number }>();
  readonly exitCounts = new Float64Array(JitExit.Count);
  instructions = 0;
  blocksCompiled = 0;
  modules = 0;
  compileMs = 0;
  invalidatedBlocks = 0;
  flushes = 0;
  /** Bumped by remap and remapPage: blocks found untranslatable are scanned again after either. */
  private scanEpoch = 1;
  /** Current epoch (mirrored at layout.epoch) and the page cells (mirrored at layout.cells). */
  private epoch = 1;
  /** Per cell: the arena offset of the page it was checked against (-1: a fine-interleaved page). */
  private readonly cellArena = new Float64Array(JIT_PAGE_CELLS);
  /** Per cell of a fine-interleaved page: the arena offset of each 256 B chunk it was checked against. */
  private readonly cellChunks: (number[] | undefined)[] = [];
  /** Per cell: its compiled blocks for the arena page it is checked against (installed in their slots). */
  private readonly cellBlocks: (Set<Block> | undefined)[] = [];
  /**
   * Per cell: translations of its virtual page built while it mapped other RAM pages, by arena
   * offset (oldest first). Two processes mapping one virtual page to different physical pages
   * (text of two programs at the same address) each keep theirs across context switches: the page
   * check that finds the other mapping swaps the versions instead of recompiling (switchPage).
   */
  private readonly parked: (Map<number, Block[]> | undefined)[] = [];
  /** Versions parked and brought back by page checks. */
  pagesParked = 0;
  pagesRestored = 0;
  remaps = 0;
  pageRemaps = 0;
  pageChecks = 0;
  pagesRemapped = 0;
  /** Last compiled module's wasm bytes (tests print them). */
  lastBytes: Uint8Array | null = null;
  private readonly imports: Record<string, Record<string, unknown>>;
  /**
   * Run the compiled block in table slot `slot` with `budget`: JS enters translated code through
   * this one function, so V8 keeps one optimised JS-to-wasm call instead of a generic wrapper for
   * each of thousands of block functions.
   */
  readonly enter: (budget: number, slot: number) => number;

  constructor(
    private readonly host: JitHost,
    memory: unknown,
    opts: JitOptions = {},
  ) {
    configureWasmTiering();
    const envT = Number(process.env['CXLEMU_JIT_THRESHOLD']);
    this.threshold = opts.threshold ?? (Number.isInteger(envT) && envT > 0 ? envT : 50);
    this.hostFma = opts.hostFma ?? hostFusedMultiplyAdd();
    this.u8 = new Uint8Array(host.u16.buffer, host.u16.byteOffset, host.u16.byteLength);
    this.batch = opts.batch ?? 256;
    this.table = new Wasm.Table({ element: 'anyfunc', initial: TABLE_INITIAL });
    // The stub: a slot whose block is not compiled returns at once (the caller stored the pc).
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: host.layout.memPages, max: host.layout.memPages, shared: true });
    const f = m.function('stub', REGION_SIG.params, REGION_SIG.results);
    f.i32Const(0).i32Const(JitExit.Chain).i32Store(4, host.layout.exitReason).localGet(0);
    m.exportFunction('stub', f);
    this.stub = new Wasm.Instance(new Wasm.Module(m.toBytes()), { env: { mem: memory } }).exports['stub'] as BlockFn;
    // The dispatcher: the only instance importing the table (see translateBatch). It calls the
    // slot's block; a block leaving for a successor outside its region names the successor's slot
    // in the nextSlot cell and returns, and the dispatcher calls that one; any other exit leaves
    // the cell at -1 and the dispatcher returns to the hart.
    const d = new ModuleBuilder();
    d.importMemory('env', 'mem', { min: host.layout.memPages, max: host.layout.memPages, shared: true });
    d.importTable('env', 'tbl', { min: 1 });
    const df = d.function('dispatch', DISPATCH_SIG.params, DISPATCH_SIG.results);
    const next = host.layout.nextSlot;
    const again = df.loop();
    df.i32Const(0).i32Const(-1).i32Store(4, next);
    // (budget, the slot's entry into its region, the slot) -> call_indirect.
    df.localGet(0)
      .localGet(1)
      .i32Const(2)
      .i32Shl()
      .i32Load(4, host.layout.slotEntries)
      .localGet(1)
      .callIndirect(REGION_SIG)
      .localSet(0);
    df.i32Const(0).i32Load(4, next).localSet(1);
    df.localGet(1).i32Const(0).i32GeS().brIf(again);
    df.end(again);
    df.localGet(0);
    d.exportFunction('dispatch', df);
    const dispatch = new Wasm.Instance(new Wasm.Module(d.toBytes()), { env: { tbl: this.table, mem: memory } }).exports[
      'dispatch'
    ];
    // callout: CSR accesses and cache-block operations translated code has the hart do (jitCallOut).
    // base: where this hart's state starts (translated code addresses it from there: relativeLayout).
    this.imports = {
      env: {
        mem: memory,
        callout: (w0: number, imm: number, b: number) => host.callOut(w0, imm, b),
        base: new Wasm.Global({ value: 'i32', mutable: false }, host.layout.base),
      },
    };
    this.enter = dispatch as (budget: number, slot: number) => number;
    this.share = shareFor(memory as object, this.hostFma);
    this.share.jits.push(this);
    for (let s = 0; s < this.share.nextSlot; s++) this.slotAllocated(s);
    const L = host.layout;
    this.loops =
      L.loopBuffer === undefined || opts.loopRunner === false
        ? null
        : new LoopRunner(memory as WasmMemoryLike, L.memPages, L.regs, L.loopBuffer, host.i32);
    this.pageWrites = new Int32Array(L.memPages * 16);
    this.clearJumpCaches();
    this.host.i32[host.layout.epoch >>> 2] = this.epoch;
  }

  get stats(): JitStats {
    const e = this.exitCounts;
    return {
      instructions: this.instructions,
      loopInstructions: this.loopInstructions,
      blocksCompiled: this.blocksCompiled,
      modules: this.modules,
      compileMs: this.compileMs,
      blocksAdopted: this.blocksAdopted,
      modulesAdopted: this.modulesAdopted,
      exits: { chain: e[0]!, budget: e[1]!, slow: e[2]!, indirect: e[3]! },
      invalidatedBlocks: this.invalidatedBlocks,
      flushes: this.flushes,
      remaps: this.remaps,
      pageRemaps: this.pageRemaps,
      pagesParked: this.pagesParked,
      pagesRestored: this.pagesRestored,
      pageChecks: this.pageChecks,
      pagesRemapped: this.pagesRemapped,
    };
  }

  /** The block starting at pc (scanned on first sight). */
  block(priv: number, pc: number): Block {
    if (this.reviveCheck.size > 0) this.revivePending();
    let b = this.known(priv, pc);
    let fresh: Block | undefined;
    // An uncompiled block whose page was written since its scan may be other code now (no
    // translation depended on it, so nothing dropped it: its length would be stale). The same
    // words keep the block (and its count).
    if (b !== undefined && b.fn === null && b.page >= 0 && b.scanStamp !== this.pageWrites[b.page]) {
      fresh = this.scan(priv, pc, null);
      if (fresh.ok === b.ok && fresh.page === b.page && fresh.len === b.len && fresh.words === b.words) {
        b.scanStamp = this.pageWrites[b.page]!;
        fresh = undefined;
      } else b = undefined;
    }
    // A block found untranslatable (unmapped, MMIO, ...) before a remap may be translatable now.
    if (b === undefined || (!b.ok && b.epoch !== this.scanEpoch)) {
      b = fresh ?? this.scan(priv, pc, null);
      b.epoch = this.scanEpoch;
      if (b.page >= 0) b.scanStamp = this.pageWrites[b.page]!;
      const drops = this.blockInvalidations[PRIV_INDEX[priv]!]!.get(pc) ?? 0;
      const pageDrops = b.page < 0 || this.flipPages.has(b.page) ? 0 : this.pageDrops(b.page);
      b.threshold = this.threshold * 2 ** Math.min(drops + Math.min(pageDrops, MAX_PAGE_BACKOFF), 10);
      b.interpretOnly = drops >= MAX_BLOCK_INVALIDATIONS || pageDrops >= MAX_PAGE_DROPS;
      if (b.ok && b.page >= 0 && this.flipPages.has(b.page) && this.flipScan(priv, pc, b.words) >= FLIP_RESCANS) {
        b.flipVersion = true;
        b.threshold = 1;
      }
      if (b.ok && !b.interpretOnly && this.share.jits.length > 1) this.adopt(b);
      // After adopt: a flush there (the cells ran out) empties the maps, and b is still current.
      this.maps[PRIV_INDEX[priv]!]!.set(pc, b);
    }
    this.recent[recentIndex(priv, pc)] = b;
    return b;
  }

  /**
   * Block b (just scanned) was compiled by another hart of the arena, from the same code on the
   * same arena page and still installed there: run that translation here too (this hart's
   * instance of the module, created on first use: its registers, TLBs and cells through its own
   * base), with the same dependencies, instead of interpreting b up to the threshold and compiling
   * it again.
   */
  private adopt(b: Block): void {
    const e = this.share.compiled[PRIV_INDEX[b.priv]!]!.get(b.pc);
    if (e === undefined || e.jit === this || this.share.nextSlot >= this.host.layout.slotCapacity) return;
    const o = e.block;
    if (o.fn === null || !o.installed || o.page !== b.page || o.len !== b.len || o.words !== b.words) return;
    const src = this.host.codeSource(b.pc, b.priv);
    if (src === null || src.arena < 0 || src.arena !== o.page * 4096) return;
    const cell = this.cellFor(b.priv, b.pc, src);
    if (cell !== o.cell) return;
    let mine = this.adopted.get(e.module);
    if (mine === undefined) {
      const inst = new Wasm.Instance(e.module, this.imports as never);
      mine = { exports: inst.exports, mod: new CompiledModule() };
      this.adopted.set(e.module, mine);
      this.modulesAdopted++;
    }
    b.cell = cell;
    b.soloRegion = o.soloRegion;
    b.entry = o.entry;
    this.attach(b, mine.mod, mine.exports[`r${e.index}`] as BlockFn);
    b.pages = [...o.pages];
    b.chunks = o.chunks === null ? null : [...o.chunks];
    b.codeBytes = o.codeBytes;
    b.ramFirst = o.ramFirst;
    b.ramLast = o.ramLast;
    for (const pg of b.pages) this.dependsOn(b, pg);
    this.blocksAdopted++;
  }

  /** Block b runs as `fn` of module `mod` (compiled here or adopted): in its slot, its module's. */
  private attach(b: Block, mod: CompiledModule, fn: BlockFn): void {
    b.mod = mod;
    mod.blocks.push(b);
    b.slot = this.slotFor(b.priv, b.pc);
    this.install(b, fn);
  }

  /** Count a fresh scan of (priv, pc) on a flip page finding the instruction words `words`: the
   *  scans of that version so far (FLIP_VERSIONS versions kept per pc, the oldest forgotten). */
  private flipScan(priv: number, pc: number, words: number): number {
    const all = this.flipScans[PRIV_INDEX[priv]!]!;
    let versions = all.get(pc);
    if (versions === undefined) {
      versions = new Map();
      all.set(pc, versions);
    }
    const n = (versions.get(words) ?? 0) + 1;
    versions.delete(words);
    versions.set(words, n); // newest last
    if (versions.size > FLIP_VERSIONS) versions.delete(versions.keys().next().value!);
    return n;
  }

  /** What the block map holds for (priv, pc), looked up in the recent-blocks cache first. */
  private known(priv: number, pc: number): Block | undefined {
    const r = this.recent[recentIndex(priv, pc)];
    return r !== undefined && r.pc === pc && r.priv === priv ? r : this.maps[PRIV_INDEX[priv]!]!.get(pc);
  }

  /**
   * Run block b (not compiled, seen to branch back to its start) in the loop runner when it is a
   * self-looping integer block: as many whole iterations as `left` allows. Returns the iterations
   * run, negative when the loop's branch fell through (the next pc is b.loopEnd, else b.pc), 0
   * when b is not such a loop (interpret it). A decision stands while b's arena page is not
   * written; one to run it also only while no mapping may have changed (scanEpoch: satp,
   * sfence.vma of any address, PMP, the physical map), since it was made for b's page as mapped then.
   */
  runLoop(b: Block, left: number): number {
    const loops = this.loops;
    if (loops === null || b.page < 0) return 0;
    const stamp = this.pageWrites[b.page]!;
    if (b.loopStamp !== stamp || (b.loopAt >= 0 && (b.loopEpoch !== this.scanEpoch || b.loopGen !== loops.generation)))
      this.decideLoop(b, loops, stamp);
    if (b.loopAt < 0) return 0;
    const n = b.len;
    if (left < n) return 0;
    const r = loops.iterate(b.loopAt, n, Math.floor(left / n));
    const ran = (r < 0 ? -r : r) * n;
    this.loopInstructions += ran;
    b.loopRan += ran;
    // Long-running: the JIT's usual path (a module) from now on.
    if (b.loopRan >= LOOP_COMPILE_AFTER) b.loopAt = -1;
    return r;
  }

  /** Decide afresh whether b runs in the loop runner (page write stamp `stamp`): b.loopAt is its
   *  encoding, or -1 when it is not a runnable loop. */
  private decideLoop(b: Block, loops: LoopRunner, stamp: number): void {
    b.loopStamp = stamp;
    b.loopEpoch = this.scanEpoch;
    b.loopAt = -1;
    b.loopRan = 0;
    // RAM code only (a fine-interleaved page's code is tracked per chunk, not per byte range).
    const src = this.host.codeSource(b.pc, b.priv);
    if (src === null || src.arena < 0) return;
    const insns: JitInsn[] = [];
    const deps: BlockDeps = { pages: new Set(), chunks: null, ramFirst: 4096, ramLast: -1 };
    const s = this.scan(b.priv, b.pc, insns, deps);
    if (!s.ok) return;
    b.len = s.len; // the encoding's length (the runner retires whole iterations of b.len)
    if (src.arena !== b.page * 4096) {
      // Its virtual page maps elsewhere now (b is not compiled: nothing else noticed): b is the
      // code found there.
      b.page = src.arena / 4096;
      b.scanStamp = this.pageWrites[b.page]!;
      b.loopStamp = b.scanStamp;
    }
    if (!loopRunnable(b.pc, insns)) return;
    // Its bytes are code now: a write to them reaches invalidatePage (the decision is made again).
    this.host.markCodeBytes(b.page, deps.ramFirst, deps.ramLast);
    const last = insns[insns.length - 1]!;
    b.loopAt = loops.encode(insns);
    b.loopGen = loops.generation;
    b.loopEnd = last.pc + insnBytes(last.w0);
  }

  /** Count one interpreted execution of b; queue it when hot. True when a batch should compile now. */
  noteInterpreted(b: Block): boolean {
    if (b.ok && b.fn === null && !b.interpretOnly) {
      if (!b.queued) {
        if (++b.count >= b.threshold) {
          b.queued = true;
          this.queue.push(b);
          if (b.flipVersion) return true;
        }
      } else if (
        ++b.count >= b.threshold * HOT_FACTOR &&
        (!this.volatilePages.has(b.page) || this.flipPages.has(b.page))
      )
        return true;
    }
    if (this.queue.length === 0) return false;
    return ++this.sinceQueued >= BATCH_DELAY || this.queue.length >= this.batch;
  }

  /** scan's decoded instruction (one buffer: a Linux boot scans some 230,000 instructions). */
  private readonly scanSlot = new Int32Array(SLOT_WORDS);

  /** Decode the block at pc: its length and whether it can be translated (fills code when asked). */
  private scan(priv: number, pc: number, code: JitInsn[] | null, deps?: BlockDeps): Block {
    if (pc !== pc) return new Block(pc, priv, 1, false);
    const src = this.host.codeSource(pc, priv);
    if (src === null) return new Block(pc, priv, 1, false);
    const u16 = this.host.u16;
    const pageBase = pc - (pc & 4095);
    const half = (off: number): number => {
      if (src.arena >= 0) {
        if (deps !== undefined) {
          deps.ramFirst = Math.min(deps.ramFirst, off);
          deps.ramLast = Math.max(deps.ramLast, off + 1);
        }
        return u16[(src.arena + off) >>> 1]!;
      }
      const c = src.chunks![off >>> 8]!;
      if (deps !== undefined) {
        deps.pages.add(Math.floor(c / 4096));
        // The halfword's 16-byte granule in its chunk.
        const key = Math.floor(c / 256);
        deps.chunks!.set(key, (deps.chunks!.get(key) ?? 0) | (1 << ((off & 255) >>> 4)));
      }
      return u16[(c + (off & 255)) >>> 1]!;
    };
    if (deps !== undefined && src.arena >= 0) deps.pages.add(src.arena / 4096);
    let off = pc & 4095;
    let n = 0;
    let words = 0x811c9dc5;
    while (n < MAX_BLOCK && off < 4096) {
      const low = half(off);
      let raw = low;
      if ((low & 3) === 3) {
        if (off === 4094) break; // straddles the page: the interpreter executes it
        raw = (low | (half(off + 2) << 16)) >>> 0;
      }
      words = Math.imul(words ^ raw, 0x01000193);
      const slot = this.scanSlot;
      decodeInto(raw, slot, 0);
      const op = slot[0]! & 0xff;
      const straight = jitStraight(op, slot[1]!);
      if (!straight && !jitTerminator(op) && !jitEndsBlock(op, slot[1]!)) break;
      if (code !== null) code.push({ pc: pageBase + off, w0: slot[0]!, imm: slot[1]!, raw });
      n++;
      off += (low & 3) === 3 ? 4 : 2;
      if (!straight) break; // the terminator ends the block
    }
    if (n === 0) return new Block(pc, priv, 1, false);
    const b = new Block(pc, priv, n, true);
    b.words = words;
    b.page = src.arena >= 0 ? src.arena / 4096 : Math.floor(src.chunks![(pc & 4095) >>> 8]! / 4096);
    return b;
  }

  /** Table slot of (priv, pc): the compiled block, or the stub until it is compiled. */
  private slotFor(priv: number, pc: number): number {
    const sm = this.share.slotMaps[PRIV_INDEX[priv]!]!;
    let s = sm.get(pc);
    if (s === undefined) {
      // compileQueued and adopt leave room for every slot they give out (the layout's slotCapacity).
      const cap = this.host.layout.slotCapacity;
      if (this.share.nextSlot >= cap) throw new Error(`jit: more than ${cap} table slots`);
      s = this.share.nextSlot++;
      for (const j of this.share.jits) j.slotAllocated(s);
      sm.set(pc, s);
    }
    return s;
  }

  /** Slot s was given out (by any hart of the arena): it holds this hart's stub until installed. */
  private slotAllocated(s: number): void {
    if (s >= this.table.length) this.table.grow(Math.max(1024, this.table.length));
    this.table.set(s, this.stub as never);
  }

  /** Compile every queued block into one module. */
  compileQueued(): void {
    // Slots for all of it, or everything goes (the numbering starts over; the blocks queue again).
    if (this.share.nextSlot + SLOTS_PER_BLOCK * this.queue.length > this.host.layout.slotCapacity) {
      this.share.flushAll();
      return;
    }
    const q = this.queue;
    this.queue = [];
    this.sinceQueued = 0;
    const blocks: Block[] = [];
    const codes: JitBlockCode[] = [];
    const depsList: BlockDeps[] = [];
    for (const b of q) {
      b.queued = false;
      if (b.fn !== null) continue;
      if (b.page >= 0 && this.volatilePages.has(b.page) && b.count < 2 * b.threshold && !b.flipVersion) {
        // Rewritten code that went quiet while queued (its round of use is likely over): not worth
        // a module; it queues again if it runs on.
        b.count = 0;
        continue;
      }
      const map = this.maps[PRIV_INDEX[b.priv]!]!;
      if (map.get(b.pc) !== b) continue; // flushed meanwhile
      // Another hart compiled it since this one first met it: its translation serves here too.
      if (this.share.jits.length > 1) {
        this.adopt(b);
        if (b.fn !== null) continue;
      }
      const insns: JitInsn[] = [];
      const src = this.host.codeSource(b.pc, b.priv);
      const deps = {
        pages: new Set<number>(),
        chunks: src !== null && src.arena < 0 ? new Map<number, number>() : null,
        ramFirst: 4096,
        ramLast: -1,
      };
      const fresh = this.scan(b.priv, b.pc, insns, deps);
      if (!fresh.ok || insns.length === 0) continue;
      const cell = this.cellFor(b.priv, b.pc, src!);
      if (cell < 0) return; // cells exhausted: everything was flushed
      b.cell = cell;
      b.len = insns.length;
      const last = insns[insns.length - 1]!;
      const lastLen = insnBytes(last.w0);
      blocks.push(b);
      codes.push({
        pc: b.pc,
        insns,
        end: last.pc + lastLen,
        chunkFirst: deps.chunks !== null || b.dataInChunks,
        checkedFirst: b.storesNextToCode,
        cell,
      });
      depsList.push(deps);
    }
    if (blocks.length === 0) return;
    const t0 = performance.now();
    // One module per privilege level in a batch (successor slots are per privilege), and code on
    // pages that were rewritten before apart from the rest.
    const groups = new Map<number, number[]>();
    blocks.forEach((b, i) => {
      let key = b.priv * 2;
      for (const pg of depsList[i]!.pages) if (this.volatilePages.has(pg)) key = b.priv * 2 + 1;
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    });
    for (const [key, idx] of groups) {
      const p = key >> 1;
      const group = pick(codes, idx);
      const regions = partitionRegions(group);
      // Whether each region stays on one page cell (switchPage parks only those).
      for (const r of regions) {
        const solo = r.every((k) => blocks[idx[k]!]!.cell === blocks[idx[r[0]!]!]!.cell);
        for (const k of r) blocks[idx[k]!]!.soloRegion = solo;
      }
      const bytes = translateBatch(group, this.host.layout, (pc) => this.slotFor(p, pc), {
        privIndex: PRIV_INDEX[p]!,
        hostFma: this.hostFma,
        checkTypes: this.checkTypes,
        regions,
      }).toBytes();
      this.lastBytes = bytes;
      const module = new Wasm.Module(bytes);
      const inst = new Wasm.Instance(module, this.imports as never);
      const mod = new CompiledModule();
      const compiled = this.share.compiled[PRIV_INDEX[p]!]!;
      // The group's j-th block is the k-th of region ri: it runs as export r<ri> from entry 2k.
      const regionOf = new Int32Array(idx.length);
      regions.forEach((r, ri) =>
        r.forEach((j, k) => {
          regionOf[j] = ri;
          blocks[idx[j]!]!.entry = 2 * k;
        }),
      );
      idx.forEach((i, j) => {
        const b = blocks[i]!;
        this.attach(b, mod, inst.exports[`r${regionOf[j]}`] as BlockFn);
        if (this.share.jits.length > 1) compiled.set(b.pc, { jit: this, module, index: regionOf[j]!, block: b });
        const d = depsList[i]!;
        b.pages = [...d.pages];
        b.chunks = d.chunks === null ? null : [...d.chunks.keys()];
        if (d.chunks === null && b.pages.length === 1 && d.ramLast >= d.ramFirst) {
          const at = b.pages[0]! * 4096 + d.ramFirst;
          b.codeBytes = this.u8.slice(at, at + d.ramLast - d.ramFirst + 1);
          b.ramFirst = d.ramFirst;
          b.ramLast = d.ramLast;
        } else b.codeBytes = null;
        if (d.chunks !== null) for (const [k, granules] of d.chunks) this.host.markCodeChunk(k, granules);
        for (const pg of b.pages) {
          this.dependsOn(b, pg);
          // A RAM page is tracked per 16-byte granule (stores next to the code keep it); others whole.
          if (d.chunks === null) this.host.markCodeBytes(pg, d.ramFirst, d.ramLast);
          else this.host.markCode(pg);
        }
      });
      this.modules++;
      this.blocksCompiled += idx.length;
    }
    this.compileMs += performance.now() - t0;
  }

  /**
   * Arena page written: drop translations built from its bytes [first, last] (16-byte granules;
   * blocks elsewhere on the page stay), only those using chunk `onlyChunk` if >= 0.
   */
  invalidatePage(page: number, onlyChunk: number, first = 0, last = 4095): void {
    // Uncompiled blocks scanned and loop decisions made before this write are looked at again.
    if (page < this.pageWrites.length) this.pageWrites[page] = (this.pageWrites[page]! + 1) | 0;
    // The write may have brought back the bytes of a module dropped earlier, or dropped modules
    // whose own bytes it did not change (a page tracked whole): the next lookup checks.
    const set = this.byPage.get(page);
    if (set === undefined) {
      if (this.graves.has(page)) this.reviveCheck.add(page);
      return;
    }
    const key = onlyChunk >= 0 ? Math.floor(onlyChunk / 256) : -1;
    let dropped = false;
    for (const b of [...set]) {
      if (key >= 0 && b.chunks !== null && !b.chunks.includes(key)) continue;
      // A block of a RAM page whose granules the write did not touch keeps its code marks: it stays.
      if (b.codeBytes !== null && (b.ramLast >>> 4 < first >>> 4 || b.ramFirst >>> 4 > last >>> 4)) continue;
      if (!dropped) {
        dropped = true;
        this.volatilePages.set(page, { drops: this.pageDrops(page) + 1, atModule: this.modules });
      }
      const inv = this.blockInvalidations[PRIV_INDEX[b.priv]!]!;
      inv.set(b.pc, (inv.get(b.pc) ?? 0) + 1);
      if (b.mod !== null) this.dropModule(b.mod, page);
      else set.delete(b);
    }
    if (this.graves.has(page)) this.reviveCheck.add(page);
  }

  /**
   * After code writes (checked at the next block lookup, outside the write's own callbacks): a
   * module dropped from a written page whose every block's bytes are again those it was built from
   * is put back as it was (same functions, same table slots), unless one of its pcs has been
   * compiled anew meanwhile.
   */
  private revivePending(): void {
    for (const page of this.reviveCheck) {
      const list = this.graves.get(page);
      if (list === undefined) continue;
      // Newest first; modules of different code on the page all come back, and of two versions of
      // the same code only the first (revive refuses pcs that are live again).
      for (let k = list.length - 1; k >= 0; k--) {
        const mod = list[k]!;
        if (this.sameBytes(mod) && this.revive(mod)) list.splice(k, 1);
      }
      if (list.length === 0) this.graves.delete(page);
    }
    this.reviveCheck.clear();
  }

  /** Block b's translation depends on arena page pg (invalidatePage finds it there). */
  private dependsOn(b: Block, pg: number): void {
    let s = this.byPage.get(pg);
    if (s === undefined) {
      s = new Set();
      this.byPage.set(pg, s);
    }
    s.add(b);
  }

  private sameBytes(mod: CompiledModule): boolean {
    return mod.blocks.every((b) => this.blockBytesSame(b));
  }

  private revive(mod: CompiledModule): boolean {
    for (const b of mod.blocks) {
      const cur = this.maps[PRIV_INDEX[b.priv]!]!.get(b.pc);
      if (cur !== undefined && cur !== b && cur.fn !== null) return false;
      // Its virtual page must still be checked against the arena page it was built from.
      if (this.cellArena[b.cell] !== b.pages[0]! * 4096) return false;
    }
    mod.dead = false;
    mod.blocks.forEach((b, j) => {
      const i = PRIV_INDEX[b.priv]!;
      // Its drop cost no compile after all: forget it (and the page's), and treat the page as one
      // whose code flips between versions.
      this.blockInvalidations[i]!.delete(b.pc);
      this.install(b, mod.fns[j]!);
      for (const pg of b.pages) {
        this.dependsOn(b, pg);
        this.host.markCodeBytes(pg, b.ramFirst, b.ramLast);
        this.volatilePages.delete(pg);
        this.flipPages.add(pg);
      }
    });
    mod.fns = [];
    this.revived++;
    return true;
  }

  /** True while some translation depends on the arena page. */
  hasPage(page: number): boolean {
    const s = this.byPage.get(page);
    return s !== undefined && s.size > 0;
  }

  /** Drop a module; `buryOn` (an arena page whose code was written) keeps it for revival when it can be. */
  private dropModule(mod: CompiledModule, buryOn = -1): void {
    if (mod.dead) return;
    mod.dead = true;
    if (buryOn >= 0 && mod.blocks.every((b) => b.codeBytes !== null)) {
      mod.fns = mod.blocks.map((b) => b.fn!);
      let list = this.graves.get(buryOn);
      if (list === undefined) {
        list = [];
        this.graves.set(buryOn, list);
      }
      list.push(mod);
      if (list.length > GRAVES_PER_PAGE) list.shift();
    }
    for (const b of mod.blocks) {
      this.uninstall(b);
      this.forget(b);
      this.invalidatedBlocks++;
    }
  }

  /** After an Indirect exit to pc: if its block is compiled, remember pc -> slot in the jump cache. */
  fillJump(priv: number, pc: number): void {
    if (pc !== pc) return;
    const i = PRIV_INDEX[priv]!;
    const b = this.known(priv, pc);
    if (b === undefined || b.fn === null) return;
    const h = ((pc | 0) >>> 1) & (JC_SIZE - 1);
    const L = this.host.layout;
    const i32 = this.host.i32;
    i32[(L.jcTag[i]! >>> 2) + 2 * h] = pc | 0;
    i32[(L.jcTag[i]! >>> 2) + 2 * h + 1] = Math.floor(pc / 4294967296) | 0;
    i32[(L.jcSlot[i]! >>> 2) + h] = b.slot; // a compiled block in the map is installed in its slot
  }

  private clearJumpCaches(): void {
    const L = this.host.layout;
    for (const t of L.jcTag) this.host.i32.fill(-1, t >>> 2, (t >>> 2) + 2 * JC_SIZE);
  }

  /**
   * The cell of (priv, page of pc), current as of now (the caller just translated the page to
   * `arena`); -1 when the cells ran out (everything is flushed and the cells start over).
   */
  private cellFor(priv: number, pc: number, src: CodeSource): number {
    const map = this.share.cellMaps[PRIV_INDEX[priv]!]!;
    const vpage = pc - (pc & 4095);
    let c = map.get(vpage);
    if (c === undefined) {
      if (this.share.nextCell >= JIT_PAGE_CELLS) {
        this.share.flushAll();
        return -1;
      }
      c = this.share.nextCell++;
      map.set(vpage, c);
    } else if (!this.sameSource(c, src)) {
      // The page maps elsewhere now (its old blocks were not run since the remap): park them.
      // Nothing is brought back here: the block being compiled is the new mapping's version.
      this.switchPage(c, priv, null);
    }
    this.checkedAgainst(c, src);
    return c;
  }

  /** Cell c stands for its page mapped to `src`, as of this epoch. */
  private checkedAgainst(c: number, src: CodeSource): void {
    this.cellArena[c] = src.arena;
    this.cellChunks[c] = src.chunks === null ? undefined : Array.from(src.chunks);
    this.host.i32[(this.host.layout.cells >>> 2) + c] = this.epoch;
  }

  /** Times translations on an arena page were dropped by writes, forgiven after a quiet spell. */
  private pageDrops(page: number): number {
    const v = this.volatilePages.get(page);
    if (v === undefined) return 0;
    if (this.modules - v.atModule <= PAGE_QUIET_MODULES) return v.drops;
    this.volatilePages.delete(page);
    return 0;
  }

  /**
   * The virtual->physical view of code may have changed (satp write, sfence.vma, PMP): every page
   * is checked again before its blocks next run (ensureValid), none is recompiled for nothing.
   */
  remap(): void {
    this.remaps++;
    this.scanEpoch++;
    this.epoch = (this.epoch + 1) | 0 || 1;
    this.host.i32[this.host.layout.epoch >>> 2] = this.epoch;
  }

  /**
   * The view of one virtual page may have changed (sfence.vma of an address): only its cells go
   * stale (0 is never an epoch), so only its code is checked again before it next runs.
   */
  remapPage(vpage: number): void {
    this.pageRemaps++;
    this.scanEpoch++;
    const cells = this.host.layout.cells >>> 2;
    for (const map of this.share.cellMaps) {
      const c = map.get(vpage);
      if (c !== undefined) this.host.i32[cells + c] = 0;
    }
  }

  /**
   * Before running compiled block b: if its page was not checked in this epoch, translate the page
   * again; same arena page: mark it current (true); else drop the page's blocks (false: interpret
   * and let them be rebuilt for the new mapping).
   */
  ensureValid(b: Block): boolean {
    const cells = this.host.layout.cells >>> 2;
    const i32 = this.host.i32;
    if (i32[cells + b.cell] === this.epoch) return true;
    this.pageChecks++;
    const src = this.host.codeSource(b.pc, b.priv);
    if (src !== null && this.sameSource(b.cell, src)) {
      i32[cells + b.cell] = this.epoch;
      return true;
    }
    this.pagesRemapped++;
    this.switchPage(b.cell, b.priv, src);
    // The cell now stands for the new mapping (with the version parked for it, if any).
    if (src !== null) this.checkedAgainst(b.cell, src);
    return false; // b is the old mapping's: interpret; the next lookup finds the page's version
  }

  /** Block b runs as `fn`: the block of its pc, in its slot, one of its cell's live blocks. */
  private install(b: Block, fn: BlockFn): void {
    b.fn = fn;
    this.maps[PRIV_INDEX[b.priv]!]!.set(b.pc, b); // an uncompiled block scanned meanwhile is replaced
    this.recent[recentIndex(b.priv, b.pc)] = b;
    this.table.set(b.slot, fn as never);
    this.host.i32[(this.host.layout.slotEntries >>> 2) + b.slot] = b.entry;
    b.installed = true;
    let set = this.cellBlocks[b.cell];
    if (set === undefined) {
      set = new Set();
      this.cellBlocks[b.cell] = set;
    }
    set.add(b);
  }

  /** Block b no longer runs: out of the block map, its slot back to the stub (b.fn is kept). */
  private uninstall(b: Block): void {
    const map = this.maps[PRIV_INDEX[b.priv]!]!;
    if (map.get(b.pc) === b) map.delete(b.pc);
    const h = recentIndex(b.priv, b.pc);
    if (this.recent[h] === b) this.recent[h] = undefined;
    // A parked block's slot holds another version of the pc (or the stub): leave it.
    if (b.installed) this.table.set(b.slot, this.stub as never);
    b.installed = false;
    this.cellBlocks[b.cell]?.delete(b);
  }

  /**
   * Cell c's virtual page maps elsewhere now: put away the translations built for the old mapping
   * (kept, with their code marks, for when it maps back; a write into their bytes still drops
   * them), or drop them when they cannot be kept (fine-interleaved or page-straddling code); then,
   * if `to` is a RAM page a version was parked for, install that version again.
   */
  private switchPage(c: number, priv: number, to: CodeSource | null): void {
    const live = this.cellBlocks[c];
    const from = this.cellArena[c]!;
    if (live !== undefined && live.size > 0) {
      const blocks = [...live];
      // Parked only when no translation of another page can reach them but through their slots:
      // a region spanning two pages branches between them directly (its other page's check
      // passes, and the parked half would run for the new mapping).
      if (from >= 0 && blocks.every((b) => b.soloRegion && b.codeBytes !== null && b.pages.length === 1)) {
        for (const b of blocks) this.uninstall(b);
        let versions = this.parked[c];
        if (versions === undefined) {
          versions = new Map();
          this.parked[c] = versions;
        }
        versions.delete(from);
        versions.set(from, blocks);
        if (versions.size > PARKED_PER_PAGE) {
          const [oldest, old] = versions.entries().next().value!;
          versions.delete(oldest);
          for (const b of old) this.forget(b);
        }
        this.pagesParked++;
      } else {
        for (const b of blocks) if (b.mod !== null) this.dropModule(b.mod);
      }
    }
    if (to === null || to.arena < 0) return;
    const version = this.parked[c]?.get(to.arena);
    if (version === undefined) return;
    this.parked[c]!.delete(to.arena);
    let restored = false;
    for (const b of version) {
      if (b.fn === null || b.mod === null || b.mod.dead || !this.blockBytesSame(b)) {
        this.forget(b);
        continue;
      }
      const cur = this.known(priv, b.pc);
      if (cur !== undefined && cur.fn !== null) continue; // compiled anew meanwhile
      this.install(b, b.fn);
      restored = true;
    }
    if (restored) this.pagesRestored++;
  }

  /** Block b's function is given up: out of the page index (a parked block's module may live on for its other blocks). */
  private forget(b: Block): void {
    for (const pg of b.pages) {
      const set = this.byPage.get(pg);
      if (set !== undefined) {
        set.delete(b);
        if (set.size === 0) this.byPage.delete(pg);
      }
    }
    b.fn = null;
  }

  /** Whether the RAM bytes block b was built from are still there. */
  private blockBytesSame(b: Block): boolean {
    const want = b.codeBytes!;
    const at = b.pages[0]! * 4096 + b.ramFirst;
    const u8 = this.u8;
    for (let i = 0; i < want.length; i++) if (u8[at + i] !== want[i]) return false;
    return true;
  }

  /** Whether a page's code is where cell c was checked: the same arena page, or the same chunks. */
  private sameSource(c: number, src: CodeSource): boolean {
    if (src.arena !== this.cellArena[c]) return false;
    if (src.chunks === null) return true;
    const old = this.cellChunks[c];
    if (old === undefined || old.length !== src.chunks.length) return false;
    for (let i = 0; i < old.length; i++) if (old[i] !== src.chunks[i]) return false;
    return true;
  }

  /** Forget every block of this hart (its breakpoints and watchpoints changed; JitShare.flushAll
   *  for every hart when the cells run out, and starts the numbering over). Slot and cell numbers
   *  stay given out: they are the arena's. */
  flushAll(): void {
    this.flushes++;
    for (const m of this.blockInvalidations) m.clear();
    this.volatilePages.clear();
    for (const m of this.maps) m.clear();
    this.recent.fill(undefined);
    for (const sm of this.share.slotMaps) for (const s of sm.values()) this.table.set(s, this.stub as never);
    this.adopted.clear();
    this.clearJumpCaches();
    for (const set of this.byPage.values())
      for (const b of set) {
        if (b.mod) b.mod.dead = true;
        b.fn = null;
      }
    this.byPage.clear();
    for (const b of this.queue) b.queued = false;
    this.queue = [];
    this.sinceQueued = 0;
    this.cellBlocks.length = 0;
    this.parked.length = 0;
    this.graves.clear(); // their table slots are given out again
    this.reviveCheck.clear();
    this.flipPages.clear();
    for (const m of this.flipScans) m.clear();
  }
}
