// A backing store owns the bytes of one memory (RAM, a device's media, an LSA) as arena pages
// mapped on first touch through its page table. It never knows where it is mapped in the HPA
// space, and never decodes anything: callers hand it store offsets.
//
// Untouched pages: every access through this API (reads included) maps the page on first touch,
// so a page always has one arena offset the software TLB can cache. Reads of a never-written page
// return zeros (fresh arena pages are zero; FileBackedStore pages them in from its file).

import { type Arena, MemoryBugError, PAGE_SIZE } from './arena.js';

/** Largest store: the page table is one Int32Array of size / 4 KiB entries. */
export const MAX_STORE_BYTES = 2 ** 44;

export interface BackingStoreOptions {
  name: string;
  size: number;
  /** The option that sized this memory, named in ArenaFullError ("-m", "memory-backend-ram vmem0 size"). */
  sizedBy?: string;
}

export type CleanListener = (store: BackingStore) => void;

/**
 * Where a store's pages must live in host memory (host NUMA binding). The store takes its arena
 * pages in runs of `runPages` fresh pages and calls `place` once per run, before any page of it is
 * touched; `place` returns an error text when it could not place them (the store goes on).
 */
export interface PagePlacement {
  runPages: number;
  place(arenaOffset: number, bytes: number): string | undefined;
}

export class BackingStore {
  readonly name: string;
  readonly size: number;
  readonly arena: Arena;
  readonly sizedBy: string;
  /** Store page -> arena page index; 0 = not yet mapped (arena page 0 is a guard never handed out). */
  readonly pageTable: Int32Array;
  /**
   * True when writes must be recorded (FileBackedStore): whoever caches a writable arena offset
   * must get it from arenaOffsetForWrite and drop it when onClean fires.
   */
  readonly tracksDirty: boolean = false;
  protected mapped = 0;
  protected closed = false;
  private readonly cleanListeners: CleanListener[] = [];
  private placement: PagePlacement | undefined;
  /** The current placed run: next page to hand out and its end (arena offsets). */
  private runNext = 0;
  private runEnd = 0;
  /** The first error placement reported (later runs are tried again and may succeed). */
  placementError: string | undefined;

  constructor(arena: Arena, opts: BackingStoreOptions) {
    const { name, size } = opts;
    if (!Number.isInteger(size) || size <= 0 || size > MAX_STORE_BYTES) {
      throw new RangeError(`store ${name}: size must be an integer in 1..${MAX_STORE_BYTES} bytes, got ${size}`);
    }
    this.name = name;
    this.size = size;
    this.arena = arena;
    this.sizedBy = opts.sizedBy ?? `memory ${name} size`;
    this.pageTable = new Int32Array(Math.ceil(size / PAGE_SIZE));
  }

  /** Arena offset of store offset `off`, mapping its page on first touch. Caller checks 0 <= off < size. */
  arenaOffset(off: number): number {
    const page = Math.floor(off / PAGE_SIZE);
    let ap = this.pageTable[page]!;
    if (ap === 0) ap = this.mapPage(page);
    return ap * PAGE_SIZE + (off % PAGE_SIZE);
  }

  /** As arenaOffset, and marks the page dirty: use it when the offset will be written through. */
  arenaOffsetForWrite(off: number): number {
    const a = this.arenaOffset(off);
    this.markDirty(Math.floor(off / PAGE_SIZE));
    return a;
  }

  /** Arena offset if the page is mapped, else -1 (never maps). */
  arenaOffsetIfMapped(off: number): number {
    const ap = this.pageTable[Math.floor(off / PAGE_SIZE)]!;
    return ap === 0 ? -1 : ap * PAGE_SIZE + (off % PAGE_SIZE);
  }

  /**
   * False when the page holding `off` is known to read as zeros without mapping it (never
   * touched); readers that only look (audits) skip such pages instead of mapping them.
   */
  mayHoldData(off: number): boolean {
    return this.pageTable[Math.floor(off / PAGE_SIZE)] !== 0;
  }

  /** Pages mapped so far (first-touched). */
  touchedPages(): number {
    return this.mapped;
  }

  /** Listeners told after flush() cleaned the dirty pages: drop cached writable offsets. */
  onClean(listener: CleanListener): () => void {
    this.cleanListeners.push(listener);
    return () => {
      const i = this.cleanListeners.indexOf(listener);
      if (i >= 0) this.cleanListeners.splice(i, 1);
    };
  }

  protected notifyClean(): void {
    for (const l of this.cleanListeners) l(this);
  }

  /** Place this store's pages from now on (before any is mapped: pages mapped earlier would stay unplaced). */
  setPlacement(p: PagePlacement): void {
    if (this.mapped > 0)
      throw new MemoryBugError(`store ${this.name}: setPlacement after ${this.mapped} pages were mapped`);
    this.placement = p;
  }

  /** A page for a placed store: the next of its run, or a new run (placed once), else one placed page. */
  private placedPage(p: PagePlacement): number {
    if (this.runNext === this.runEnd) {
      const pages = Math.min(p.runPages, this.pageTable.length - this.mapped);
      const run = this.arena.allocFreshRun(pages);
      const off = run ?? this.arena.allocPage(this.sizedBy);
      const bytes = run === undefined ? PAGE_SIZE : pages * PAGE_SIZE;
      const err = p.place(off, bytes);
      if (err !== undefined) this.placementError ??= err;
      this.runNext = off;
      this.runEnd = off + bytes;
    }
    const off = this.runNext;
    this.runNext += PAGE_SIZE;
    return off;
  }

  protected mapPage(page: number): number {
    if (this.closed) throw new MemoryBugError(`store ${this.name}: access after close()`);
    const off = this.placement ? this.placedPage(this.placement) : this.arena.allocPage(this.sizedBy);
    this.fillNewPage(page, off);
    this.mapped++;
    const ap = off / PAGE_SIZE;
    this.pageTable[page] = ap;
    return ap;
  }

  /** Hook: fill a freshly mapped (zeroed) arena page with the page's initial contents. */
  protected fillNewPage(_page: number, _arenaOffset: number): void {}

  /** Hook: record that a store page is about to be written. */
  protected markDirty(_page: number): void {}

  private check(off: number, len: number, what: string): void {
    if (!(off >= 0 && len >= 0 && off + len <= this.size && Number.isInteger(off))) {
      throw new RangeError(`store ${this.name}: ${what} at offset ${off} length ${len} is outside 0..${this.size}`);
    }
  }

  /** Copy store bytes [off, off + dst.length) into dst, page by page. */
  read(off: number, dst: Uint8Array): void {
    this.check(off, dst.length, 'read');
    const u8 = this.arena.u8;
    let done = 0;
    while (done < dst.length) {
      const o = off + done;
      const n = Math.min(dst.length - done, PAGE_SIZE - (o % PAGE_SIZE));
      const a = this.arenaOffset(o);
      dst.set(u8.subarray(a, a + n), done);
      done += n;
    }
  }

  /** Copy src into store bytes [off, off + src.length), page by page, through arena.noteWrite. */
  write(off: number, src: Uint8Array): void {
    this.check(off, src.length, 'write');
    const u8 = this.arena.u8;
    let done = 0;
    while (done < src.length) {
      const o = off + done;
      const n = Math.min(src.length - done, PAGE_SIZE - (o % PAGE_SIZE));
      const a = this.arenaOffsetForWrite(o);
      u8.set(src.subarray(done, done + n), a);
      this.arena.noteWrite(a, n);
      done += n;
    }
  }

  fill(off: number, len: number, byte: number): void {
    this.check(off, len, 'fill');
    const u8 = this.arena.u8;
    let done = 0;
    while (done < len) {
      const o = off + done;
      const n = Math.min(len - done, PAGE_SIZE - (o % PAGE_SIZE));
      const a = this.arenaOffsetForWrite(o);
      u8.fill(byte, a, a + n);
      this.arena.noteWrite(a, n);
      done += n;
    }
  }

  readU8(off: number): number {
    this.check(off, 1, 'readU8');
    return this.arena.u8[this.arenaOffset(off)]!;
  }

  /** Little-endian; split across pages byte by byte when the value straddles one. */
  readU16(off: number): number {
    return this.readLE(off, 2, 'readU16');
  }

  readU32(off: number): number {
    return this.readLE(off, 4, 'readU32');
  }

  readU64(off: number): bigint {
    this.check(off, 8, 'readU64');
    const lo = this.readLE(off, 4, 'readU64');
    const hi = this.readLE(off + 4, 4, 'readU64');
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  writeU8(off: number, v: number): void {
    this.writeLE(off, 1, v, 'writeU8');
  }

  writeU16(off: number, v: number): void {
    this.writeLE(off, 2, v, 'writeU16');
  }

  writeU32(off: number, v: number): void {
    this.writeLE(off, 4, v, 'writeU32');
  }

  writeU64(off: number, v: bigint): void {
    this.check(off, 8, 'writeU64');
    const x = BigInt.asUintN(64, v);
    this.writeLE(off, 4, Number(x & 0xffffffffn), 'writeU64');
    this.writeLE(off + 4, 4, Number(x >> 32n), 'writeU64');
  }

  private readLE(off: number, size: number, what: string): number {
    this.check(off, size, what);
    if ((off % PAGE_SIZE) + size <= PAGE_SIZE) {
      const a = this.arenaOffset(off);
      const v = this.arena.view;
      return size === 1 ? v.getUint8(a) : size === 2 ? v.getUint16(a, true) : v.getUint32(a, true);
    }
    let r = 0;
    for (let i = size - 1; i >= 0; i--) r = r * 256 + this.arena.u8[this.arenaOffset(off + i)]!;
    return r;
  }

  private writeLE(off: number, size: number, value: number, what: string): void {
    this.check(off, size, what);
    const v = value >>> 0;
    if ((off % PAGE_SIZE) + size <= PAGE_SIZE) {
      const a = this.arenaOffsetForWrite(off);
      const dv = this.arena.view;
      if (size === 1) dv.setUint8(a, v & 0xff);
      else if (size === 2) dv.setUint16(a, v & 0xffff, true);
      else dv.setUint32(a, v, true);
      this.arena.noteWrite(a, size);
      return;
    }
    for (let i = 0; i < size; i++) {
      const a = this.arenaOffsetForWrite(off + i);
      this.arena.u8[a] = (v >>> (8 * i)) & 0xff;
      this.arena.noteWrite(a, 1);
    }
  }

  /** Plain stores hold nothing outside the arena: nothing to write back. */
  flush(): void {}

  /** Returns every mapped page to the arena. Further access is a bug. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.releasePages();
    this.closed = true;
  }

  protected releasePages(): void {
    const pt = this.pageTable;
    // A store never touched maps nothing: skip the walk over its (possibly 655,360) entries.
    for (let p = 0; p < pt.length && this.mapped > 0; p++) {
      const ap = pt[p]!;
      if (ap !== 0) {
        this.arena.freePage(ap * PAGE_SIZE);
        pt[p] = 0;
        this.mapped--;
      }
    }
    this.mapped = 0;
    // The unused tail of a placed run goes back too.
    for (; this.runNext < this.runEnd; this.runNext += PAGE_SIZE) this.arena.freePage(this.runNext);
  }
}
