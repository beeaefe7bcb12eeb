// The physical address space: a region tree, its flat map, and guest accesses through it. It owns
// access splitting (page, granule, region), MMIO size adaptation and fault reporting; it never
// decodes CXL itself (a window's WindowRouter does) and never throws for guest misbehaviour:
// every access leaves an AccessFault in `fault` (0 = done).
//
// Hot path (RAM): one page cached for reads and one for writes; a hit is two compares and an add
// plus the typed-array access. Everything else goes to the named slow functions.
//
// Observation (observe()): pages of an observed range or backed by an observed store are never
// cached here and carry PageFlag.Observed | PageFlag.Mmio in resolvePage, so every access to them
// reaches the slow path, where it is counted per observed target (and optionally logged).
//
// For a CPU's software TLB, resolvePage says everything about a physical page (kind, flags, arena
// offset, and a fine-interleaved page's 256 B chunk table), so no CPU ever touches a route.

import { MAX_ADDRESS } from '../cxl-math/addresses.js';
import { type Arena, PAGE_SIZE } from './arena.js';
import { AccessFault } from './fault.js';
import { type FlatRange, RangeKind, findRangeIndex } from './flat-map.js';
import { MemoryRegion, type AccessSize, type MmioOps, type RouteResult, type WindowRouter } from './region.js';
import { RegionTree, type ChangeListener } from './region-tree.js';
import { SlowPath, SlowPathCounters } from './slow-path-counters.js';
import type { BackingStore } from './store.js';
import { MEDIA_LINE, type MediaGuard } from './media-guard.js';

export { AccessFault, accessFaultName } from './fault.js';
export { MEDIA_LINE, type MediaGuard } from './media-guard.js';
export type { MmioOps, RouteResult, WindowRouter, AccessSize } from './region.js';
export type { ChangeListener } from './region-tree.js';
export type { AddressRange } from './flat-map.js';
export { FlatRange, RangeKind } from './flat-map.js';
export { MemoryRegion } from './region.js';
export { RegionTree } from './region-tree.js';

/** Physical addresses are below 2^52 (Sv39/Sv48 PPN width; spec MAX_ADDRESS). */
export const MAX_PHYS_ADDRESS = MAX_ADDRESS;

/** Bits of PageInfo.flags: anything set sends a TLB entry to the slow path for that access kind. */
export const PageFlag = {
  /** Writes fault (ROM). */
  ReadOnly: 1,
  /** Device registers: never cache. */
  Mmio: 2,
  /** The 4 KiB page is not one contiguous arena page (range ends inside it, or store offset unaligned). */
  Split: 4,
  /** CXL window page split by a fine interleave: resolve per granule. */
  Granule: 8,
  /** The arena page holds translated code: writes must go through Arena.noteWrite. */
  Code: 16,
  /** The store records dirty pages (file-backed): cache writable only via resolvePage(addr, true). */
  DirtyTracked: 32,
  /** Unassigned address or window page without a committed decode: every access faults. */
  Fault: 64,
  /**
   * The page holds observed bytes (AddressSpace.observe): never cache it; send every access through
   * load/store/readBytes/writeBytes so it is counted. Always set together with Mmio, the never-cache
   * bit every TLB already honours, so a TLB that does not know this bit stays exact.
   */
  Observed: 128,
  /**
   * Some byte of the page reaches media with a poisoned line or media that is disabled
   * (guardStore): never cache it, so every access reaches the slow path, where poisoned loads fault
   * (AccessFault.Poisoned) and disabled media reads all-ones. Always set together with Mmio, like
   * Observed.
   */
  Poisoned: 256,
} as const;

/** arenaFor result: the bytes live on disabled media (loads read all-ones, stores are dropped). */
const MEDIA_DISABLED = -1000;

/** A store an observation covers: every HPA that routes to it (RAM, a memdev partition, ...). */
export interface ObservedStore {
  store: BackingStore;
  /** Name in the access log (default store.name), e.g. the memdev "mem0". */
  label?: string;
  /** DPA of store offset 0 in the log (e.g. the volatile size for a persistent partition). */
  dpaBase?: number;
}

/** What to observe: a physical range, or stores (all HPAs that route to them). */
export type ObserveRequest =
  | { base: number; size: number; name?: string }
  | { store: BackingStore; name?: string; label?: string; dpaBase?: number }
  | { stores: readonly ObservedStore[]; name: string };

/** One observed target and the exact counts of the accesses that reached it. */
export interface ObservedTarget {
  readonly name: string;
  /** The range observed (range targets), or null (store targets). */
  readonly range: { base: number; size: number } | null;
  readonly stores: readonly BackingStore[];
  /** Accesses (pieces; see docs/observe-dma.md) and bytes. */
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
}

/** One line of the access log: `<r|w> <hpa> <size> <memdev|store|mmio region> <dpa|offset>`. */
export type ObserveLogSink = (line: string) => void;

/**
 * The piece of a fine-interleaved page a CPU caches as one unit: CXL granules are >= 256 B and
 * aligned, so each 256 B chunk of a window page is contiguous in one store.
 */
export const CHUNK_SIZE = 256;
const CHUNKS_PER_PAGE = PAGE_SIZE / CHUNK_SIZE;

/** A window route that reached a store. */
type Routed = RouteResult & { store: BackingStore };

/** Result of resolvePage; one object per AddressSpace, overwritten by the next call. */
export interface PageInfo {
  /** HPA of the page start. */
  base: number;
  kind: RangeKind;
  /** Arena offset of the page's first byte when the whole page is one arena page, else -1. */
  arenaOffset: number;
  flags: number;
  /** The flat range holding the page start, or null if unassigned. */
  range: FlatRange | null;
  /**
   * Granule pages (neither Mmio nor Fault) lying wholly in their window whose every 256 B chunk
   * is one plain run (routed, not dirty-tracked, not guarded, not observed): the arena offset of
   * each chunk (CHUNK_SIZE), else null. Shared and cached until the map or a route changes: read only.
   */
  chunks: Float64Array | null;
}

export interface AddressSpaceOptions {
  /** Size of the root container (default 2^52). */
  size?: number;
  name?: string;
}

const EMPTY_END = -1;
/** Pages the read cache remembers behind its one entry (a power of two). */
const READ_PAGES = 8;

export class AddressSpace {
  readonly arena: Arena;
  readonly tree: RegionTree;
  readonly counters = new SlowPathCounters();
  /** High 32 bits of the last 8-byte load (0 after smaller loads), unsigned. -0: a double field
   *  from the start, as its values above 2^31 need (else the first such load, mid-run, deprecates
   *  this object's map and deoptimizes every function optimized for it). */
  hi = -0;
  /** Outcome of the last access (AccessFault.None = 0 when it completed). */
  fault: AccessFault = AccessFault.None;

  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private ranges: readonly FlatRange[] = [];
  private lastIndex = 0;
  // One-page caches, [read base, read end, read addend, write base, write end, write addend]:
  // HPAs in [base, end) are at arena offset addr + addend. A Float64Array keeps them unboxed.
  private readonly cache = new Float64Array([0, EMPTY_END, 0, 0, EMPTY_END, 0]);
  // Behind the read cache, the last READ_PAGES pages it held (direct-mapped by page number, the same
  // triples): a page walk reads three table pages in turn, and each read would evict the last.
  private readonly readPages = new Float64Array(READ_PAGES * 3).fill(EMPTY_END);
  private readonly route: RouteResult = { store: null, offset: 0, run: 0 };
  private readonly scratch = new Uint8Array(8);
  private readonly scratchBy: Uint8Array[] = [];
  private readonly cleanWatched = new Set<BackingStore>();
  private readonly page: PageInfo = {
    base: 0,
    kind: RangeKind.Unassigned,
    arenaOffset: -1,
    flags: 0,
    range: null,
    chunks: null,
  };
  /** resolvePage's chunk tables by page base (null: not every chunk is a plain run); cleared on every change. */
  private readonly chunkTables = new Map<number, Float64Array | null>();
  /** The store of the last successful resolveRun. */
  private runStore: BackingStore | null = null;
  // Observation: off unless observe() was called (one boolean test in the slow paths).
  private observing = false;
  private readonly obsTargets: ObservedTarget[] = [];
  private readonly obsRanges: { base: number; end: number; target: ObservedTarget }[] = [];
  private readonly obsStores = new Map<BackingStore, ObservedTarget[]>();
  private readonly storeLabels = new Map<BackingStore, { label: string; dpaBase: number }>();
  private readonly obsRoute: RouteResult = { store: null, offset: 0, run: 0 };
  /** Receives one line per observed access (null: counts only). */
  observeLog: ObserveLogSink | null = null;
  // Media guards (poison, disabled media): off unless guardStore() was called.
  private guarding = false;
  private readonly guards = new Map<BackingStore, MediaGuard>();
  private readonly guardRoute: RouteResult = { store: null, offset: 0, run: 0 };

  constructor(arena: Arena, opts: AddressSpaceOptions = {}) {
    this.arena = arena;
    this.u8 = arena.u8;
    this.u16 = arena.u16;
    this.u32 = arena.u32;
    this.tree = new RegionTree(opts.size ?? MAX_PHYS_ADDRESS, opts.name ?? 'system');
    for (let s = 0; s <= 8; s++) this.scratchBy.push(this.scratch.subarray(0, s));
    this.tree.onChange(() => {
      this.ranges = this.tree.ranges;
      this.lastIndex = 0;
      this.chunkTables.clear();
      this.flushCache();
    });
  }

  // ---- building the map (QEMU words; see region-tree.ts) ----

  get root(): MemoryRegion {
    return this.tree.root;
  }

  begin(): void {
    this.tree.begin();
  }

  commit(): void {
    this.tree.commit();
  }

  /** Listener gets the HPA ranges whose mapping changed (commit, or invalidateRoutes). */
  onChange(listener: ChangeListener): () => void {
    return this.tree.onChange(listener);
  }

  ram(
    name: string,
    base: number,
    store: BackingStore,
    opts: { storeOffset?: number; size?: number; priority?: number } = {},
  ): MemoryRegion {
    const r = MemoryRegion.ram(name, store, opts);
    this.tree.addSubregion(this.tree.root, base, r, opts.priority ?? 0);
    return r;
  }

  rom(
    name: string,
    base: number,
    store: BackingStore,
    opts: { storeOffset?: number; size?: number; priority?: number } = {},
  ): MemoryRegion {
    const r = MemoryRegion.rom(name, store, opts);
    this.tree.addSubregion(this.tree.root, base, r, opts.priority ?? 0);
    return r;
  }

  mmio(name: string, base: number, size: number, ops: MmioOps, priority = 0): MemoryRegion {
    const r = MemoryRegion.mmio(name, size, ops);
    this.tree.addSubregion(this.tree.root, base, r, priority);
    return r;
  }

  /** A CXL fixed memory window at `base`; the router receives absolute HPAs. */
  window(name: string, base: number, size: number, router: WindowRouter, priority = 0): MemoryRegion {
    const r = MemoryRegion.window(name, size, router, base);
    this.tree.addSubregion(this.tree.root, base, r, priority);
    return r;
  }

  remove(region: MemoryRegion): void {
    this.tree.removeSubregion(region);
  }

  /**
   * A window's routes changed (decoder commit/uncommit, region teardown): drop cached pages and
   * tell listeners (software TLB) which HPA range to flush.
   */
  invalidateRoutes(base: number, size: number): void {
    this.flushCache();
    this.tree.notify([{ base, size }]);
  }

  /** Drop the one-page caches. */
  flushCache(): void {
    this.cache[1] = EMPTY_END;
    this.cache[4] = EMPTY_END;
    for (let k = 1; k < READ_PAGES * 3; k += 3) this.readPages[k] = EMPTY_END;
  }

  /** The flat range holding addr, or null (unassigned). */
  lookup(addr: number): FlatRange | null {
    const i = this.findIndex(addr);
    return i < 0 ? null : this.ranges[i]!;
  }

  /** The current flat map. */
  flatRanges(): readonly FlatRange[] {
    return this.ranges;
  }

  /** Route HPA `addr` of window range `r` into `out`: false when no committed decode reaches a store. */
  private routeWindow(r: FlatRange, addr: number, out: RouteResult): out is Routed {
    return r.region.router!.resolve(r.region.routerBase + r.offset + (addr - r.base), out) && out.store !== null;
  }

  private findIndex(addr: number): number {
    const rs = this.ranges;
    const li = this.lastIndex;
    if (li < rs.length) {
      const r = rs[li]!;
      if (addr >= r.base && addr < r.end) return li;
    }
    const i = findRangeIndex(rs, addr);
    if (i >= 0) this.lastIndex = i;
    return i;
  }

  // ---- hot path ----

  /** Load `size` bytes little-endian: returns the low 32 bits unsigned; `hi` gets the high 32. */
  load(addr: number, size: AccessSize): number {
    const c = this.cache;
    if (addr >= c[0]! && addr + size <= c[1]!) {
      const a = addr + c[2]!;
      if ((a & (size - 1)) === 0) {
        this.fault = AccessFault.None;
        if (size === 8) {
          const i = a >>> 2;
          this.hi = this.u32[i + 1]!;
          return this.u32[i]!;
        }
        this.hi = 0;
        if (size === 4) return this.u32[a >>> 2]!;
        if (size === 1) return this.u8[a]!;
        return this.u16[a >>> 1]!;
      }
    }
    return this.loadSlow(addr, size);
  }

  /** Store `size` bytes little-endian from lo (and hi for 8). Returns the fault (also in `fault`). */
  store(addr: number, size: AccessSize, lo: number, hi = 0): AccessFault {
    const c = this.cache;
    if (addr >= c[3]! && addr + size <= c[4]!) {
      const a = addr + c[5]!;
      if ((a & (size - 1)) === 0 && this.arena.codePages.count === 0) {
        this.fault = AccessFault.None;
        if (size === 8) {
          const i = a >>> 2;
          this.u32[i] = lo;
          this.u32[i + 1] = hi;
        } else if (size === 4) this.u32[a >>> 2] = lo;
        else if (size === 1) this.u8[a] = lo;
        else this.u16[a >>> 1] = lo;
        return AccessFault.None;
      }
    }
    return this.storeSlow(addr, size, lo, hi);
  }

  // ---- slow path ----

  private setFault(f: AccessFault): AccessFault {
    this.fault = f;
    if (f !== AccessFault.None) this.counters.hit(SlowPath.Fault);
    return f;
  }

  /** Arena offset for [addr, addr+size) when it lies in one arena page of a RAM/ROM/window range
   *  (filling the read or write cache), -1 if the access must be split or is MMIO, -2 - fault. */
  private arenaFor(addr: number, size: number, write: boolean): number {
    const i = this.findIndex(addr);
    if (i < 0) return -2 - AccessFault.Unassigned;
    const r = this.ranges[i]!;
    if (addr + size > r.end) return -1;
    const kind = r.kind;
    let store: BackingStore;
    let off: number;
    let cacheStart: number;
    let cacheEnd: number;
    if (kind === RangeKind.Ram || kind === RangeKind.Rom) {
      if (write && kind === RangeKind.Rom) return -2 - AccessFault.ReadOnly;
      store = r.region.store!;
      off = r.region.storeOffset + r.offset + (addr - r.base);
      const inPage = off % PAGE_SIZE;
      if (inPage + size > PAGE_SIZE) return -1;
      cacheStart = Math.max(r.base, addr - inPage);
      cacheEnd = Math.min(r.end, addr - inPage + PAGE_SIZE);
    } else if (kind === RangeKind.Window) {
      this.counters.hit(SlowPath.Window);
      const route = this.route;
      if (!this.routeWindow(r, addr, route)) {
        return -2 - AccessFault.Unrouted;
      }
      store = route.store;
      off = route.offset;
      if (!(off >= 0 && off + Math.min(route.run, size) <= store.size)) return -2 - AccessFault.OutOfStore;
      const n = Math.min(route.run, PAGE_SIZE - (off % PAGE_SIZE), r.end - addr);
      if (size > n) return -1;
      cacheStart = addr;
      cacheEnd = addr + n;
    } else {
      return -1;
    }
    let noCache = false;
    if (this.guarding) {
      const g = this.guards.get(store);
      if (g?.active) {
        if (g.disabled) {
          if (this.observing) this.noteObserved(addr, size, write, store, off, null);
          return MEDIA_DISABLED;
        }
        if (g.pageHasPoison(off)) {
          // Never cached: every access to the page comes back here.
          if (!write && g.poisoned(off, size)) {
            g.poisonedLoad?.(off, size);
            return -2 - AccessFault.Poisoned;
          }
          noCache = true;
        }
      }
    }
    if (this.observing) {
      this.noteObserved(addr, size, write, store, off, null);
      if (this.spanObserved(cacheStart, cacheEnd, store)) {
        this.counters.hit(SlowPath.Observed);
        return write ? store.arenaOffsetForWrite(off) : store.arenaOffset(off);
      }
    }
    if (noCache) return write ? store.arenaOffsetForWrite(off) : store.arenaOffset(off);
    let a: number;
    if (write) {
      a = store.arenaOffsetForWrite(off);
      if (store.tracksDirty && !this.cleanWatched.has(store)) {
        this.cleanWatched.add(store);
        store.onClean(() => {
          this.cache[4] = EMPTY_END;
        });
      }
      this.cache[3] = cacheStart;
      this.cache[4] = cacheEnd;
      this.cache[5] = a - addr;
    } else {
      a = store.arenaOffset(off);
      this.cache[0] = cacheStart;
      this.cache[1] = cacheEnd;
      this.cache[2] = a - addr;
      // Under each HPA page the range touches (two when it is not page-aligned).
      const rp = this.readPages;
      for (let pg = Math.floor(cacheStart / PAGE_SIZE); pg * PAGE_SIZE < cacheEnd; pg++) {
        const k = (pg & (READ_PAGES - 1)) * 3;
        rp[k] = cacheStart;
        rp[k + 1] = cacheEnd;
        rp[k + 2] = a - addr;
      }
    }
    return a;
  }

  private loadSlow(addr: number, size: AccessSize): number {
    // A page the read cache held before: it becomes the cache's entry again.
    const rp = this.readPages;
    const k = (Math.floor(addr / PAGE_SIZE) & (READ_PAGES - 1)) * 3;
    if (addr >= rp[k]! && addr + size <= rp[k + 1]!) {
      const c = this.cache;
      c[0] = rp[k]!;
      c[1] = rp[k + 1]!;
      c[2] = rp[k + 2]!;
      this.fault = AccessFault.None;
      this.hi = 0;
      return this.loadArena(addr + c[2]!, size);
    }
    this.counters.hit(SlowPath.CacheMiss);
    this.hi = 0;
    if (!(addr >= 0 && addr + size <= MAX_PHYS_ADDRESS)) {
      this.setFault(AccessFault.Unassigned);
      return 0;
    }
    const a = this.arenaFor(addr, size, false);
    if (a >= 0) {
      this.fault = AccessFault.None;
      return this.loadArena(a, size);
    }
    if (a === MEDIA_DISABLED) {
      this.fault = AccessFault.None;
      if (size === 8) this.hi = 0xffffffff;
      return size >= 4 ? 0xffffffff : 2 ** (8 * size) - 1;
    }
    if (a < -1) {
      this.setFault(-2 - a);
      return 0;
    }
    const r = this.ranges[this.findIndex(addr)]!;
    if (r.kind === RangeKind.Mmio && addr + size <= r.end) {
      if (this.observing) this.noteObserved(addr, size, false, null, r.offset + (addr - r.base), r.region.name);
      return this.mmioLoad(r.region.ops!, r.offset + (addr - r.base), size);
    }
    // Straddles a page, granule or region boundary: probe every piece first so a fault leaves
    // no partial effect, then move the bytes.
    this.counters.hit(SlowPath.Split);
    const f = this.probe(addr, size, false);
    if (f !== AccessFault.None) {
      this.setFault(f);
      return 0;
    }
    const buf = this.scratchBy[size]!;
    this.fault = AccessFault.None;
    const f2 = this.readBytes(addr, buf);
    if (f2 !== AccessFault.None) return 0;
    const b = this.scratch;
    if (size === 8) this.hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
    if (size === 1) return b[0]!;
    if (size === 2) return b[0]! | (b[1]! << 8);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  private loadArena(a: number, size: AccessSize): number {
    if ((a & (size - 1)) !== 0) {
      this.counters.hit(SlowPath.Misaligned);
      const u8 = this.u8;
      if (size === 8) this.hi = (u8[a + 4]! | (u8[a + 5]! << 8) | (u8[a + 6]! << 16) | (u8[a + 7]! << 24)) >>> 0;
      if (size === 2) return u8[a]! | (u8[a + 1]! << 8);
      return (u8[a]! | (u8[a + 1]! << 8) | (u8[a + 2]! << 16) | (u8[a + 3]! << 24)) >>> 0;
    }
    if (size === 8) {
      this.hi = this.u32[(a >>> 2) + 1]!;
      return this.u32[a >>> 2]!;
    }
    if (size === 4) return this.u32[a >>> 2]!;
    if (size === 1) return this.u8[a]!;
    return this.u16[a >>> 1]!;
  }

  private storeSlow(addr: number, size: AccessSize, lo: number, hi: number): AccessFault {
    this.counters.hit(SlowPath.CacheMiss);
    if (!(addr >= 0 && addr + size <= MAX_PHYS_ADDRESS)) return this.setFault(AccessFault.Unassigned);
    const a = this.arenaFor(addr, size, true);
    if (a >= 0) {
      this.storeArena(a, size, lo, hi);
      return (this.fault = AccessFault.None);
    }
    if (a === MEDIA_DISABLED) return (this.fault = AccessFault.None);
    if (a < -1) return this.setFault(-2 - a);
    const r = this.ranges[this.findIndex(addr)]!;
    if (r.kind === RangeKind.Mmio && addr + size <= r.end) {
      if (this.observing) this.noteObserved(addr, size, true, null, r.offset + (addr - r.base), r.region.name);
      return this.mmioStore(r.region.ops!, r.offset + (addr - r.base), size, lo, hi);
    }
    this.counters.hit(SlowPath.Split);
    const f = this.probe(addr, size, true);
    if (f !== AccessFault.None) return this.setFault(f);
    const b = this.scratch;
    for (let k = 0; k < 4; k++) b[k] = (lo >>> (8 * k)) & 0xff;
    for (let k = 0; k < 4; k++) b[4 + k] = (hi >>> (8 * k)) & 0xff;
    return this.writeBytes(addr, this.scratchBy[size]!);
  }

  private storeArena(a: number, size: AccessSize, lo: number, hi: number): void {
    if (this.arena.codePages.count !== 0) {
      this.counters.hit(SlowPath.CodePage);
      this.arena.noteWrite(a, size);
    }
    if ((a & (size - 1)) !== 0) {
      this.counters.hit(SlowPath.Misaligned);
      const u8 = this.u8;
      const n = size < 4 ? size : 4;
      for (let k = 0; k < n; k++) u8[a + k] = (lo >>> (8 * k)) & 0xff;
      if (size === 8) for (let k = 0; k < 4; k++) u8[a + 4 + k] = (hi >>> (8 * k)) & 0xff;
      return;
    }
    if (size === 8) {
      this.u32[a >>> 2] = lo;
      this.u32[(a >>> 2) + 1] = hi;
    } else if (size === 4) this.u32[a >>> 2] = lo;
    else if (size === 1) this.u8[a] = lo;
    else this.u16[a >>> 1] = lo;
  }

  /** Fault the access [addr, addr+len) would take, without side effects on bytes (MMIO not called). */
  private probe(addr: number, len: number, write: boolean): AccessFault {
    let done = 0;
    while (done < len) {
      const at = addr + done;
      const i = this.findIndex(at);
      if (i < 0) return AccessFault.Unassigned;
      const r = this.ranges[i]!;
      let n = Math.min(len - done, r.end - at);
      if (r.kind === RangeKind.Rom && write) return AccessFault.ReadOnly;
      if (r.kind === RangeKind.Window) {
        const route = this.route;
        if (!this.routeWindow(r, at, route)) {
          return AccessFault.Unrouted;
        }
        n = Math.min(n, Math.max(1, route.run));
        if (!(route.offset >= 0 && route.offset + n <= route.store.size)) return AccessFault.OutOfStore;
        if (this.guarding && !write && this.piecePoisoned(route.store, route.offset, n)) return AccessFault.Poisoned;
      } else if (this.guarding && !write && (r.kind === RangeKind.Ram || r.kind === RangeKind.Rom)) {
        if (this.piecePoisoned(r.region.store!, r.region.storeOffset + r.offset + (at - r.base), n))
          return AccessFault.Poisoned;
      } else if (r.kind === RangeKind.Mmio) {
        const ops = r.region.ops!;
        const off = r.offset + (at - r.base);
        const s = mmioChunk(ops, off, n);
        if (s < ops.valid.min) return AccessFault.BadSize;
      }
      done += n;
    }
    return AccessFault.None;
  }

  // ---- MMIO size adaptation (QEMU access_with_adjusted_size, simplified) ----

  private mmioLoad(ops: MmioOps, off: number, size: AccessSize): number {
    this.counters.hit(SlowPath.Mmio);
    this.hi = 0;
    if (size < ops.valid.min || size > ops.valid.max) {
      this.setFault(AccessFault.BadSize);
      return 0;
    }
    if (!ops.valid.unaligned && off % size !== 0) {
      this.setFault(AccessFault.Misaligned);
      return 0;
    }
    this.fault = AccessFault.None;
    const imin = ops.impl.min;
    const imax = ops.impl.max;
    if (size >= imin && size <= imax) return ops.read(off, size as 1 | 2 | 4) >>> 0;
    if (size > imax) {
      // Split into impl.max pieces, lowest address first, assembled little-endian.
      let lo = 0;
      let hi = 0;
      for (let p = 0; p < size; p += imax) {
        const v = maskTo(ops.read(off + p, imax), imax);
        if (p < 4) lo += v * 2 ** (8 * p);
        else hi += v * 2 ** (8 * (p - 4));
      }
      this.hi = hi;
      return lo;
    }
    // Narrower than the implementation: read the enclosing impl.min unit and extract.
    const aligned = off - (off % imin);
    if (off + size <= aligned + imin) {
      const v = maskTo(ops.read(aligned, imin), imin);
      return Math.floor(v / 2 ** (8 * (off - aligned))) % 2 ** (8 * size);
    }
    let lo = 0;
    for (let k = 0; k < size; k++) {
      const o = off + k;
      const al = o - (o % imin);
      const v = maskTo(ops.read(al, imin), imin);
      lo += (Math.floor(v / 2 ** (8 * (o - al))) % 256) * 2 ** (8 * k);
    }
    return lo;
  }

  private mmioStore(ops: MmioOps, off: number, size: AccessSize, lo: number, hi: number): AccessFault {
    this.counters.hit(SlowPath.Mmio);
    if (size < ops.valid.min || size > ops.valid.max) return this.setFault(AccessFault.BadSize);
    if (!ops.valid.unaligned && off % size !== 0) return this.setFault(AccessFault.Misaligned);
    this.fault = AccessFault.None;
    const imin = ops.impl.min;
    const imax = ops.impl.max;
    if (size >= imin && size <= imax) {
      ops.write(off, size as 1 | 2 | 4, maskTo(lo, size));
      return AccessFault.None;
    }
    if (size > imax) {
      for (let p = 0; p < size; p += imax) {
        const v = p < 4 ? Math.floor((lo >>> 0) / 2 ** (8 * p)) : Math.floor((hi >>> 0) / 2 ** (8 * (p - 4)));
        ops.write(off + p, imax, maskTo(v, imax));
      }
      return AccessFault.None;
    }
    // Narrower than the implementation: QEMU widens the write; the other bytes of the unit are 0.
    const aligned = off - (off % imin);
    if (off + size <= aligned + imin) {
      ops.write(aligned, imin, (maskTo(lo, size) * 2 ** (8 * (off - aligned))) >>> 0);
      return AccessFault.None;
    }
    for (let k = 0; k < size; k++) {
      const o = off + k;
      const al = o - (o % imin);
      ops.write(al, imin, (((lo >>> (8 * k)) & 0xff) * 2 ** (8 * (o - al))) >>> 0);
    }
    return AccessFault.None;
  }

  // ---- bulk ----

  /** Copy guest bytes [addr, addr + dst.length) into dst. On a fault, bytes before it were copied. */
  readBytes(addr: number, dst: Uint8Array): AccessFault {
    return this.bulk(addr, dst, false);
  }

  /** Copy src to guest bytes at addr. On a fault, bytes before it were written. */
  writeBytes(addr: number, src: Uint8Array): AccessFault {
    return this.bulk(addr, src, true);
  }

  private bulk(addr: number, buf: Uint8Array, write: boolean): AccessFault {
    const len = buf.length;
    // No range lies at or above 2^52, so the walk itself faults there after moving the bytes below.
    if (!(addr >= 0)) return this.setFault(AccessFault.Unassigned);
    const u8 = this.u8;
    let done = 0;
    while (done < len) {
      const at = addr + done;
      const i = this.findIndex(at);
      if (i < 0) return this.setFault(AccessFault.Unassigned);
      const r = this.ranges[i]!;
      let n = Math.min(len - done, r.end - at);
      let store: BackingStore;
      let off: number;
      if (r.kind === RangeKind.Ram || r.kind === RangeKind.Rom) {
        if (write && r.kind === RangeKind.Rom) return this.setFault(AccessFault.ReadOnly);
        store = r.region.store!;
        off = r.region.storeOffset + r.offset + (at - r.base);
      } else if (r.kind === RangeKind.Window) {
        this.counters.hit(SlowPath.Window);
        const route = this.route;
        if (!this.routeWindow(r, at, route)) {
          return this.setFault(AccessFault.Unrouted);
        }
        store = route.store;
        off = route.offset;
        n = Math.min(n, route.run);
        if (!(n > 0 && off >= 0 && off + n <= store.size)) return this.setFault(AccessFault.OutOfStore);
      } else {
        const ops = r.region.ops!;
        const mo = r.offset + (at - r.base);
        const s = mmioChunk(ops, mo, n) as AccessSize;
        if (s < ops.valid.min) return this.setFault(AccessFault.BadSize);
        if (this.observing) this.noteObserved(at, s, write, null, mo, r.region.name);
        let f: AccessFault;
        if (write) {
          let lo = 0;
          let hi = 0;
          for (let k = Math.min(s, 4) - 1; k >= 0; k--) lo = lo * 256 + buf[done + k]!;
          for (let k = s - 1; k >= 4; k--) hi = hi * 256 + buf[done + k]!;
          f = this.mmioStore(ops, mo, s, lo, hi);
        } else {
          const lo = this.mmioLoad(ops, mo, s);
          f = this.fault;
          for (let k = 0; k < Math.min(s, 4); k++) buf[done + k] = Math.floor(lo / 2 ** (8 * k)) % 256;
          for (let k = 4; k < s; k++) buf[done + k] = Math.floor(this.hi / 2 ** (8 * (k - 4))) % 256;
        }
        if (f !== AccessFault.None) return f;
        done += s;
        continue;
      }
      n = Math.min(n, PAGE_SIZE - (off % PAGE_SIZE));
      if (this.guarding) {
        const g = this.guards.get(store);
        if (g?.active) {
          if (g.disabled) {
            // Disabled media: reads return all-ones, writes are dropped.
            if (this.observing) this.noteObserved(at, n, write, store, off, null);
            if (!write) buf.fill(0xff, done, done + n);
            done += n;
            continue;
          }
          if (!write && g.poisoned(off, n)) {
            // Move the bytes before the first poisoned line, then fault.
            let k = 0;
            for (;;) {
              const step = Math.min(MEDIA_LINE - ((off + k) % MEDIA_LINE), n - k);
              if (g.poisoned(off + k, step)) break;
              k += step;
            }
            if (k > 0) {
              const a = store.arenaOffset(off);
              buf.set(u8.subarray(a, a + k), done);
            }
            return this.setFault(AccessFault.Poisoned);
          }
        }
      }
      if (this.observing) this.noteObserved(at, n, write, store, off, null);
      if (write) {
        const a = store.arenaOffsetForWrite(off);
        u8.set(buf.subarray(done, done + n), a);
        this.arena.noteWrite(a, n);
      } else {
        const a = store.arenaOffset(off);
        buf.set(u8.subarray(a, a + n), done);
      }
      done += n;
    }
    return (this.fault = AccessFault.None);
  }

  // ---- conveniences (not hot) ----

  readU64(addr: number): bigint {
    const lo = this.load(addr, 8);
    return (BigInt(this.hi) << 32n) | BigInt(lo);
  }

  writeU64(addr: number, v: bigint): AccessFault {
    const x = BigInt.asUintN(64, v);
    return this.store(addr, 8, Number(x & 0xffffffffn), Number(x >> 32n));
  }

  // ---- for the software TLB ----

  /** Bytes from the address given to the last successful resolveRun that stay in one arena page. */
  runLength = 0;

  /**
   * Arena offset of the byte at addr when it is RAM, ROM or a routed window byte, else -1 (MMIO,
   * unassigned, unrouted, or a ROM byte with forWrite). Sets `runLength` to how many bytes from
   * addr stay contiguous in that arena page (bounded by page, range and interleave granule), so a
   * TLB can fill a per-granule table for a page split by fine interleave (resolvePage builds
   * PageInfo.chunks from it). Marks dirty-tracked pages dirty when forWrite. Does not touch the
   * access caches.
   */
  resolveRun(addr: number, forWrite = false): number {
    this.runLength = 0;
    const i = this.findIndex(addr);
    if (i < 0) return -1;
    const r = this.ranges[i]!;
    let store: BackingStore;
    let off: number;
    let n = r.end - addr;
    if (r.kind === RangeKind.Ram || (r.kind === RangeKind.Rom && !forWrite)) {
      store = r.region.store!;
      off = r.region.storeOffset + r.offset + (addr - r.base);
    } else if (r.kind === RangeKind.Window) {
      const route = this.route;
      if (!this.routeWindow(r, addr, route)) return -1;
      store = route.store;
      off = route.offset;
      n = Math.min(n, route.run);
      if (!(n > 0 && off >= 0 && off + n <= store.size)) return -1;
    } else {
      return -1;
    }
    if (this.guarding) {
      const g = this.guards.get(store);
      if (g?.active && (g.disabled || g.pageHasPoison(off))) return -1;
    }
    this.runLength = Math.min(n, PAGE_SIZE - (off % PAGE_SIZE));
    if (this.observing && this.spanObserved(addr, addr + this.runLength, store)) {
      this.runLength = 0;
      return -1;
    }
    this.runStore = store;
    return forWrite ? store.arenaOffsetForWrite(off) : store.arenaOffset(off);
  }

  /**
   * What the 4 KiB page holding addr is, for a TLB fill: kind, the arena offset of the page start
   * when the whole page is one arena page (RAM/ROM, or a window page inside one granule run), and
   * PageFlag bits, and for a fine-interleaved page its 256 B chunk table (PageInfo.chunks). This is
   * all a CPU needs to fill its TLBs: it never sees routes. `forWrite` marks a dirty-tracked store's
   * page dirty (the caller may then cache it writable until the store's onClean fires). Returns a
   * reused object.
   */
  resolvePage(addr: number, forWrite = false): PageInfo {
    const p = this.page;
    const base = addr - (addr % PAGE_SIZE);
    p.base = base;
    p.arenaOffset = -1;
    p.flags = 0;
    p.range = null;
    p.chunks = null;
    p.kind = RangeKind.Unassigned;
    const obs = this.observing && this.pageObserved(base) ? PageFlag.Observed | PageFlag.Mmio : 0;
    const i = this.findIndex(base);
    if (i < 0) {
      p.flags = PageFlag.Fault | PageFlag.Split;
      if (this.findIndex(Math.min(addr, base + PAGE_SIZE - 1)) >= 0) p.flags = PageFlag.Split;
      p.flags |= obs;
      return p;
    }
    p.flags = obs;
    const r = this.ranges[i]!;
    p.range = r;
    p.kind = r.kind;
    if (r.end < base + PAGE_SIZE) p.flags |= PageFlag.Split;
    if (r.kind === RangeKind.Mmio) {
      p.flags |= PageFlag.Mmio;
      return p;
    }
    let store: BackingStore;
    let off: number;
    if (r.kind === RangeKind.Window) {
      const route = this.route;
      if (!this.routeWindow(r, base, route)) {
        p.flags |= PageFlag.Fault;
        return p;
      }
      store = route.store;
      off = route.offset;
      if (route.run < PAGE_SIZE) p.flags |= PageFlag.Granule;
    } else {
      if (r.kind === RangeKind.Rom) p.flags |= PageFlag.ReadOnly;
      store = r.region.store!;
      off = r.region.storeOffset + r.offset + (base - r.base);
    }
    if (off % PAGE_SIZE !== 0) p.flags |= PageFlag.Split;
    if (store.tracksDirty) p.flags |= PageFlag.DirtyTracked;
    if (this.guarding && this.pageGuarded(base)) p.flags |= PageFlag.Poisoned | PageFlag.Mmio;
    if ((p.flags & (PageFlag.Granule | PageFlag.Mmio)) === PageFlag.Granule && r.end >= base + PAGE_SIZE) {
      p.chunks = this.chunkTable(base);
    }
    if ((p.flags & (PageFlag.Split | PageFlag.Granule)) !== 0) return p;
    const a = forWrite && r.kind !== RangeKind.Rom ? store.arenaOffsetForWrite(off) : store.arenaOffset(off);
    p.arenaOffset = a;
    if (this.arena.codePages.has(a / PAGE_SIZE)) p.flags |= PageFlag.Code;
    return p;
  }

  /** The arena offset of each 256 B chunk of the window page at `base` (PageInfo.chunks), cached. */
  private chunkTable(base: number): Float64Array | null {
    const have = this.chunkTables.get(base);
    if (have !== undefined) return have;
    let t: Float64Array | null = new Float64Array(CHUNKS_PER_PAGE);
    for (let c = 0; c < CHUNKS_PER_PAGE; c++) {
      const a = this.resolveRun(base + c * CHUNK_SIZE);
      // Dirty-tracked stores are left out: a write through the table would not mark the page dirty.
      if (a < 0 || this.runLength < CHUNK_SIZE || this.runStore!.tracksDirty) {
        t = null;
        break;
      }
      t[c] = a;
    }
    this.chunkTables.set(base, t);
    return t;
  }

  // ---- media guards (poison, disabled media; docs/memory.md) ----

  /**
   * Put `store`'s bytes under `guard` (one guard per store; a second call replaces the first):
   * wherever the store is reached (RAM region, any window route), pages whose store page holds a
   * poisoned line, or all pages while the media is disabled, are never cached (resolvePage sets
   * Poisoned | Mmio, resolveRun refuses them, the one-page caches skip them); a load or fetch
   * touching a poisoned line faults with AccessFault.Poisoned; disabled media reads all-ones and
   * drops stores. The guard's owner must call invalidateRoutes (or notify) when its state changes.
   * Returns a function removing the guard.
   */
  guardStore(store: BackingStore, guard: MediaGuard): () => void {
    const prev = this.guards.get(store);
    this.guards.set(store, guard);
    this.guarding = true;
    this.flushCache();
    // Cached translations change only if the store already had (or now has) poison or disabled media.
    if (guard.active || prev?.active === true) this.tree.notify([{ base: 0, size: this.tree.root.size }]);
    return () => {
      if (this.guards.get(store) !== guard) return;
      this.guards.delete(store);
      this.guarding = this.guards.size !== 0;
      this.flushCache();
      if (guard.active) this.tree.notify([{ base: 0, size: this.tree.root.size }]);
    };
  }

  /** Whether a load of store bytes [off, off + n) touches a poisoned line (disabled media never faults). */
  private piecePoisoned(store: BackingStore, off: number, n: number): boolean {
    const g = this.guards.get(store);
    if (g?.active !== true || g.disabled || !g.poisoned(off, n)) return false;
    g.poisonedLoad?.(off, n);
    return true;
  }

  /** Whether any byte of the 4 KiB page at `base` reaches a guarded store page with poison or disabled media. */
  private pageGuarded(base: number): boolean {
    let any = false;
    for (const g of this.guards.values())
      if (g.active) {
        any = true;
        break;
      }
    if (!any) return false;
    const end = base + PAGE_SIZE;
    let at = base;
    while (at < end) {
      const i = this.findIndex(at);
      if (i < 0) {
        let next = end;
        for (const r of this.ranges)
          if (r.base > at) {
            next = Math.min(next, r.base);
            break;
          }
        at = next;
        continue;
      }
      const r = this.ranges[i]!;
      let store: BackingStore | null = null;
      let off = 0;
      let n = Math.min(end, r.end) - at;
      if (r.kind === RangeKind.Window) {
        const route = this.guardRoute;
        if (this.routeWindow(r, at, route)) {
          store = route.store;
          off = route.offset;
          n = Math.max(1, Math.min(n, route.run));
        } else {
          n = Math.min(n, 256); // unrouted: the finest granule
        }
      } else if (r.kind === RangeKind.Ram || r.kind === RangeKind.Rom) {
        store = r.region.store;
        off = r.region.storeOffset + r.offset + (at - r.base);
      }
      if (store !== null) {
        n = Math.min(n, PAGE_SIZE - (off % PAGE_SIZE));
        const g = this.guards.get(store);
        if (g?.active && (g.disabled || g.pageHasPoison(off))) return true;
      }
      at += n;
    }
    return false;
  }

  // ---- observation (docs/observe-dma.md) ----

  /**
   * Observe a physical range, or stores (every HPA that routes to them, under any decode, now or
   * later): their pages leave every cache (resolvePage flags them Observed | Mmio, listeners are told
   * to flush) and each access to them is counted in the returned target, piece by piece (an access
   * split at a page, granule or region boundary counts once per piece it moves). Instruction
   * fetches count as the CPU makes them (reads). Costs nothing for other pages beyond the slow
   * path's one boolean test.
   */
  observe(req: ObserveRequest): ObservedTarget {
    let target: ObservedTarget;
    if ('base' in req) {
      if (
        !(
          Number.isSafeInteger(req.base) &&
          Number.isSafeInteger(req.size) &&
          req.base >= 0 &&
          req.size > 0 &&
          req.base + req.size <= MAX_PHYS_ADDRESS
        )
      ) {
        throw new RangeError(
          `observe: range 0x${req.base.toString(16)}+0x${req.size.toString(16)} must be non-empty and below 2^52`,
        );
      }
      target = {
        name: req.name ?? `0x${req.base.toString(16)}+0x${req.size.toString(16)}`,
        range: { base: req.base, size: req.size },
        stores: [],
        reads: 0,
        writes: 0,
        bytesRead: 0,
        bytesWritten: 0,
      };
      this.obsRanges.push({ base: req.base, end: req.base + req.size, target });
      this.obsRanges.sort((a, b) => a.base - b.base);
    } else {
      const list: readonly ObservedStore[] =
        'stores' in req
          ? req.stores
          : [
              {
                store: req.store,
                ...(req.label !== undefined ? { label: req.label } : {}),
                ...(req.dpaBase !== undefined ? { dpaBase: req.dpaBase } : {}),
              },
            ];
      target = {
        name: req.name ?? list.map((x) => x.label ?? x.store.name).join('+'),
        range: null,
        stores: list.map((x) => x.store),
        reads: 0,
        writes: 0,
        bytesRead: 0,
        bytesWritten: 0,
      };
      for (const x of list) {
        if (x.label !== undefined || x.dpaBase !== undefined)
          this.labelStore(x.store, x.label ?? x.store.name, x.dpaBase ?? 0);
        const have = this.obsStores.get(x.store);
        if (have) have.push(target);
        else this.obsStores.set(x.store, [target]);
      }
    }
    this.obsTargets.push(target);
    this.observing = true;
    this.flushCache();
    // Cached translations of these pages must go: a range is told exactly; a store may sit anywhere.
    this.tree.notify([target.range ?? { base: 0, size: this.tree.root.size }]);
    return target;
  }

  /** Name (and DPA base) the access log uses for a store, e.g. a memdev's partition. */
  labelStore(store: BackingStore, label: string, dpaBase = 0): void {
    this.storeLabels.set(store, { label, dpaBase });
  }

  /** Every observed target, in the order observe() made them. */
  get observations(): readonly ObservedTarget[] {
    return this.obsTargets;
  }

  /** Zero every target's counts (the targets stay observed). */
  resetObservationCounts(): void {
    for (const t of this.obsTargets) t.reads = t.writes = t.bytesRead = t.bytesWritten = 0;
  }

  /** Count (and log) one piece [addr, addr+n) moved to/from `store` at `off`, or MMIO region `mmio` at offset `off`. */
  private noteObserved(
    addr: number,
    n: number,
    write: boolean,
    store: BackingStore | null,
    off: number,
    mmio: string | null,
  ): void {
    let hit = false;
    const end = addr + n;
    for (const o of this.obsRanges) {
      if (o.base >= end) break;
      if (o.end <= addr) continue;
      count(o.target, write, Math.min(end, o.end) - Math.max(addr, o.base));
      hit = true;
    }
    if (store !== null) {
      const ts = this.obsStores.get(store);
      if (ts !== undefined) {
        for (const t of ts) count(t, write, n);
        hit = true;
      }
    }
    if (hit && this.observeLog !== null) {
      let who: string;
      let where: number;
      if (store !== null) {
        const l = this.storeLabels.get(store);
        who = l?.label ?? store.name;
        where = (l?.dpaBase ?? 0) + off;
      } else {
        who = `mmio:${mmio ?? '?'}`;
        where = off;
      }
      this.observeLog(`${write ? 'w' : 'r'} 0x${addr.toString(16)} ${n} ${who} 0x${where.toString(16)}`);
    }
  }

  /** Whether [start, end), whose bytes are in `store` (or null), touches an observed range or store. */
  private spanObserved(start: number, end: number, store: BackingStore | null): boolean {
    if (store !== null && this.obsStores.has(store)) return true;
    for (const o of this.obsRanges) {
      if (o.base >= end) break;
      if (o.end > start) return true;
    }
    return false;
  }

  /** Whether any byte of the 4 KiB page at `base` is observed (walks ranges and routes of the page). */
  private pageObserved(base: number): boolean {
    const end = base + PAGE_SIZE;
    if (this.spanObserved(base, end, null)) return true;
    if (this.obsStores.size === 0) return false;
    let at = base;
    while (at < end) {
      const i = this.findIndex(at);
      if (i < 0) {
        let next = end;
        for (const r of this.ranges)
          if (r.base > at) {
            next = Math.min(next, r.base);
            break;
          }
        at = next;
        continue;
      }
      const r = this.ranges[i]!;
      if (r.kind === RangeKind.Window) {
        const route = this.obsRoute;
        if (this.routeWindow(r, at, route)) {
          if (this.obsStores.has(route.store)) return true;
          at += Math.max(1, Math.min(route.run, r.end - at));
        } else {
          at += 256; // unrouted: the finest granule
        }
      } else {
        if (r.region.store !== null && this.obsStores.has(r.region.store)) return true;
        at = r.end;
      }
    }
    return false;
  }
}

/** Largest MMIO access size to use for `n` bytes at `off` in bulk/split accesses (may be < valid.min). */
function mmioChunk(ops: MmioOps, off: number, n: number): number {
  for (let s = ops.valid.max as number; s >= 1; s >>= 1) {
    if (s <= n && (ops.valid.unaligned === true || off % s === 0)) return s;
  }
  return 0;
}

function maskTo(v: number, size: number): number {
  return size >= 4 ? v >>> 0 : (v >>> 0) % 2 ** (8 * size);
}

function count(t: ObservedTarget, write: boolean, n: number): void {
  if (write) {
    t.writes++;
    t.bytesWritten += n;
  } else {
    t.reads++;
    t.bytesRead += n;
  }
}
