// The arena owns the one WebAssembly.Memory that holds every guest-visible byte (RAM, device
// media, LSA) and the CPU's hot state, the 4 KiB page allocator over it, and the code-page bitmap.
// It never grows (growing detaches every view) and never interprets the bytes it hands out.

/** The part of WebAssembly.Memory we use. tsconfig's lib (ES2022, no DOM) has no WebAssembly
 *  types, so the arena declares the shape it relies on; the value is the real global. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
};

/** Arena page size: the unit stores map on first touch and the software TLB caches. */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** WebAssembly page size (64 KiB); the memory is sized in these. */
export const WASM_PAGE_SIZE = 65536;
/** Node 20's wasm memories are 32-bit: 65536 wasm pages = 4 GiB is the most one arena holds. */
export const MAX_ARENA_BYTES = 65536 * WASM_PAGE_SIZE;

/** Thrown when guest-touched bytes exceed the arena; names the option that sized the memory. */
export class ArenaFullError extends Error {
  override readonly name = 'ArenaFullError';
  constructor(
    readonly sizedBy: string,
    readonly arenaBytes: number,
    readonly pagesInUse: number,
  ) {
    super(
      `guest memory arena is full (${arenaBytes} bytes, ${pagesInUse} pages of ${PAGE_SIZE} B in use) ` +
        `while mapping a page for ${sizedBy}: the touched bytes of all memories exceed what one ` +
        `arena holds; reduce ${sizedBy} or the other memory sizes`,
    );
  }
}

/** A broken invariant inside the memory layer (our bug, never the guest's). */
export class MemoryBugError extends Error {
  override readonly name = 'BugError';
}

/** A mark listener gets the page; an invalidate listener also the bytes [first, last] of it whose
 *  code marks the write cleared (the whole page for pages tracked whole). */
export type MarkListener = (arenaPage: number) => void;
export type InvalidateListener = (arenaPage: number, first: number, last: number) => void;

/**
 * One bit per arena page: set while the page holds bytes that translated code was built from.
 * The bitmap itself lives in the arena (at `bitmapOffset`, bit p of byte p>>3) so JIT code can
 * test it with one wasm load; `count` lets writers skip the bitmap entirely while no code exists.
 * A page marked through markCodeBytes is tracked per 16-byte granule: a write invalidates it only
 * when it touches a granule that holds code, so code and data sharing a page stay correct without
 * recompiling (issue 14); a page marked with mark() is tracked whole.
 */
export class CodePages {
  /** Number of marked pages; writers check this first (one compare when there is no JIT code). */
  count = 0;
  private readonly listeners: InvalidateListener[] = [];
  private readonly markListeners: MarkListener[] = [];
  /** Granule-tracked pages: bit g of word g >> 5 = 16-byte granule g holds code. Absent: tracked whole. */
  private readonly granules = new Map<number, Uint32Array>();
  private readonly chunkListeners: ((arenaPage: number, newChunks: number) => void)[] = [];

  constructor(
    private readonly bits: Uint8Array,
    /** Arena offset of the bitmap (bit p of byte p >> 3 is arena page p). */
    readonly bitmapOffset: number,
    readonly pages: number,
  ) {}

  /**
   * Code in bytes [first, last] (offsets in arena page `page`, granule-tracked). The first call marks
   * the page (mark listeners drop cached page writes); granules newly holding code are reported to
   * the chunk listeners with the 256-byte chunks they lie in (they drop cached chunk writes). No
   * effect on a page tracked whole. `first > last` only marks the page.
   */
  markCodeBytes(page: number, first: number, last: number): void {
    let g = this.granules.get(page);
    if (g === undefined) {
      if (this.has(page)) return; // tracked whole already
      g = new Uint32Array(8);
      this.granules.set(page, g);
      this.setBit(page);
    }
    if (first > last) return; // (first >>> 4 <= last >>> 4 would still hold for, e.g., 1 > 0)
    let fresh = 0;
    for (let k = first >>> 4; k <= last >>> 4; k++) {
      const bit = 1 << (k & 31);
      if ((g[k >>> 5]! & bit) === 0) {
        g[k >>> 5] = g[k >>> 5]! | bit;
        fresh |= 1 << (k >>> 4);
      }
    }
    if (fresh !== 0) for (const l of this.chunkListeners) l(page, fresh);
  }

  /**
   * The 16-byte granules of 256-byte chunk `chunk` of `page` that hold code, as bits 0..15; 0 on a
   * page without code, -1 on a page tracked whole (every granule may hold code).
   */
  chunkCodeMask(page: number, chunk: number): number {
    if (!this.has(page)) return 0;
    const g = this.granules.get(page);
    if (g === undefined) return -1;
    return (g[chunk >>> 1]! >>> ((chunk & 1) * 16)) & 0xffff;
  }

  /** Whether bytes [first, last] of a granule-tracked `page` touch code (true on a page tracked whole). */
  private writeHitsCode(page: number, first: number, last: number): boolean {
    const g = this.granules.get(page);
    if (g === undefined) return true;
    for (let k = first >>> 4; k <= last >>> 4; k++) if ((g[k >>> 5]! >>> (k & 31)) & 1) return true;
    return false;
  }

  /** Called with (page, chunk bits) when chunks of a chunk-tracked page first hold code. */
  onChunksMarked(listener: (arenaPage: number, newChunks: number) => void): () => void {
    this.chunkListeners.push(listener);
    return () => {
      const i = this.chunkListeners.indexOf(listener);
      if (i >= 0) this.chunkListeners.splice(i, 1);
    };
  }

  mark(page: number): void {
    this.setBit(page, true);
  }

  /**
   * Mark `page` again right after a write cleared it, without the mark listeners: nothing could
   * cache a write to its code in between, so their flush would only cost (a store into a code
   * chunk of a fine-interleaved page does this on every store).
   */
  remark(page: number): void {
    this.setBit(page, false);
  }

  private setBit(page: number, notify = true): void {
    const i = page >>> 3;
    const m = 1 << (page & 7);
    if ((this.bits[i]! & m) === 0) {
      this.bits[i] = this.bits[i]! | m;
      this.count++;
      if (notify) for (const l of this.markListeners) l(page);
    }
  }

  /**
   * Called with the arena page when it becomes a code page, so every hart drops cached write
   * translations to it (writes to code pages must take the slow path that invalidates).
   */
  onMark(listener: MarkListener): () => void {
    this.markListeners.push(listener);
    return () => {
      const i = this.markListeners.indexOf(listener);
      if (i >= 0) this.markListeners.splice(i, 1);
    };
  }

  has(page: number): boolean {
    return (this.bits[page >>> 3]! & (1 << (page & 7))) !== 0;
  }

  clear(page: number): void {
    this.granules.delete(page);
    const i = page >>> 3;
    const m = 1 << (page & 7);
    if ((this.bits[i]! & m) !== 0) {
      this.bits[i] = this.bits[i]! & ~m;
      this.count--;
    }
  }

  /**
   * Called when a write hits code: with the arena page and the bytes whose marks it cleared. A page
   * tracked whole is cleared whole (0..4095); a granule-tracked page loses the marks of the written
   * 16-byte granules only (the listener drops what was built from them; code elsewhere on the page
   * stays marked and valid), and its bit once no granule holds code.
   */
  onInvalidate(listener: InvalidateListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Slow part of Arena.noteWrite: clear and report every marked page the bytes [first, last]
   * touch, except granule-tracked pages whose written granules hold no code.
   */
  invalidateBytes(first: number, last: number): void {
    const firstPage = Math.floor(first / PAGE_SIZE),
      lastPage = Math.floor(last / PAGE_SIZE);
    for (let p = firstPage; p <= lastPage; p++) {
      if (!this.has(p)) continue;
      const lo = p === firstPage ? first % PAGE_SIZE : 0;
      const hi = p === lastPage ? last % PAGE_SIZE : PAGE_SIZE - 1;
      if (!this.writeHitsCode(p, lo, hi)) continue;
      const g = this.granules.get(p);
      if (g === undefined) {
        this.clear(p);
        for (const l of this.listeners) l(p, 0, PAGE_SIZE - 1);
        continue;
      }
      for (let k = lo >>> 4; k <= hi >>> 4; k++) g[k >>> 5] = g[k >>> 5]! & ~(1 << (k & 31));
      if (g.every((w) => w === 0)) this.clear(p);
      for (const l of this.listeners) l(p, lo & ~15, hi | 15);
    }
  }

  /** Slow part of Arena.noteWrite: clear and report every marked page in [first, last]. */
  invalidateRange(firstPage: number, lastPage: number): void {
    for (let p = firstPage; p <= lastPage; p++) {
      if (this.has(p)) {
        this.clear(p);
        for (const l of this.listeners) l(p, 0, PAGE_SIZE - 1);
      }
    }
  }
}

export interface ArenaOptions {
  /** Arena size in bytes, a multiple of 64 KiB, at most 4 GiB (the default). Tests use less. */
  bytes?: number;
}

export class Arena {
  readonly memory: WasmMemory;
  readonly bytes: number;
  readonly pages: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  readonly codePages: CodePages;

  /** Next never-used page (bump pointer); pages below it are static, in use or on the free list. */
  private nextPage: number;
  private readonly freeList: Int32Array;
  /** 1 for pages of allocStatic blocks (never freed). */
  private readonly staticPage: Uint8Array;
  private freeCount = 0;
  private used = 0;
  private staticPages = 0;

  constructor(opts: ArenaOptions = {}) {
    const bytes = opts.bytes ?? MAX_ARENA_BYTES;
    if (
      !Number.isInteger(bytes) ||
      bytes < 4 * WASM_PAGE_SIZE ||
      bytes > MAX_ARENA_BYTES ||
      bytes % WASM_PAGE_SIZE !== 0
    ) {
      throw new RangeError(
        `arena bytes must be a multiple of ${WASM_PAGE_SIZE} between ${4 * WASM_PAGE_SIZE} and ${MAX_ARENA_BYTES}, got ${bytes}`,
      );
    }
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
      throw new Error('cxlemu needs a little-endian host (guest memory is accessed through typed arrays)');
    }
    const wasmPages = bytes / WASM_PAGE_SIZE;
    // initial = maximum: reserved once, never grown, so views never detach.
    this.memory = new WebAssembly.Memory({ initial: wasmPages, maximum: wasmPages, shared: true });
    const buf = this.memory.buffer;
    this.bytes = bytes;
    this.pages = bytes / PAGE_SIZE;
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.view = new DataView(buf);
    this.freeList = new Int32Array(this.pages);
    this.staticPage = new Uint8Array(this.pages);
    // Page 0 is a guard: arena offset 0 is never handed out, so page-table entry 0 means "unmapped".
    this.nextPage = 1;
    this.staticPages = 1;
    const bitmapBytes = Math.ceil(this.pages / 8);
    const bitmapOff = this.allocStatic(bitmapBytes, 'code-page bitmap');
    this.codePages = new CodePages(this.u8.subarray(bitmapOff, bitmapOff + bitmapBytes), bitmapOff, this.pages);
  }

  /** Page-aligned, zeroed, permanent block (CPU/TLB/JIT state). Throws ArenaFullError. */
  allocStatic(bytes: number, what: string): number {
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new RangeError(`allocStatic(${what}): bytes must be a positive integer, got ${bytes}`);
    const n = Math.ceil(bytes / PAGE_SIZE);
    if (this.nextPage + n > this.pages) throw new ArenaFullError(what, this.bytes, this.used + this.staticPages);
    const off = this.nextPage * PAGE_SIZE;
    // Static blocks may follow pages already handed out by allocPage (a hart created after RAM was
    // touched), so they are remembered per page rather than as a prefix.
    this.staticPage.fill(1, this.nextPage, this.nextPage + n);
    this.nextPage += n;
    this.staticPages += n;
    this.u8.fill(0, off, off + n * PAGE_SIZE);
    return off;
  }

  /** A zeroed 4 KiB page; `sizedBy` names the option that sized the memory it is for ("-m"). */
  allocPage(sizedBy: string): number {
    let page: number;
    if (this.freeCount > 0) {
      page = this.freeList[--this.freeCount]!;
      const off = page * PAGE_SIZE;
      this.u8.fill(0, off, off + PAGE_SIZE);
    } else if (this.nextPage < this.pages) {
      // Never-used pages are still zero (fresh wasm memory), and the OS commits them lazily.
      page = this.nextPage++;
    } else {
      throw new ArenaFullError(sizedBy, this.bytes, this.used + this.staticPages);
    }
    this.used++;
    return page * PAGE_SIZE;
  }

  /**
   * `pages` contiguous never-used (zero, not yet committed by the OS) pages, each as if from
   * allocPage and returned by freePage; undefined when the never-used part of the arena is too
   * small (the caller falls back to allocPage). A store whose pages the host binds to NUMA nodes
   * takes its pages in such runs, so one mbind covers many pages.
   */
  allocFreshRun(pages: number): number | undefined {
    if (!Number.isInteger(pages) || pages <= 0)
      throw new RangeError(`allocFreshRun: pages must be positive, got ${pages}`);
    if (this.nextPage + pages > this.pages) return undefined;
    const off = this.nextPage * PAGE_SIZE;
    this.nextPage += pages;
    this.used += pages;
    return off;
  }

  /** Return a page from allocPage. Its code-page bit is invalidated (it may be reused for data). */
  freePage(off: number): void {
    if (
      off % PAGE_SIZE !== 0 ||
      off < PAGE_SIZE ||
      off >= this.nextPage * PAGE_SIZE ||
      this.staticPage[off / PAGE_SIZE] === 1
    ) {
      throw new MemoryBugError(`freePage(${off}): not a page handed out by allocPage`);
    }
    const page = off / PAGE_SIZE;
    if (this.codePages.has(page)) this.codePages.invalidateRange(page, page);
    this.freeList[this.freeCount++] = page;
    this.used--;
  }

  /** Pages currently handed out by allocPage (not counting static blocks). */
  get pagesInUse(): number {
    return this.used;
  }

  /**
   * Every writer of arena bytes (CPU slow path, DMA, host API, device-internal operations) calls
   * this, so translated code is invalidated through one place. One compare while no code exists.
   */
  noteWrite(arenaOffset: number, length: number): void {
    if (this.codePages.count === 0 || length <= 0) return;
    this.codePages.invalidateBytes(arenaOffset, arenaOffset + length - 1);
  }
}
