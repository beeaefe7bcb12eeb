// A hart's view of the cache hierarchy: its private L1 (data) and L2 in front of the LLC that all
// harts share. Non-inclusive, write-back, write-allocate: a miss fills every level it passed; a
// dirty line evicted from one level is written into the next (allocating there), and a dirty line
// evicted from the LLC goes to memory. Owns the walk and the write-back cascade; timing is the
// model's (timing-model.ts).

import { type CacheGeometry, SetAssocCache } from './cache.js';

/** Where an access was served: 1 = L1, 2 = L2, 3 = LLC, 4 = memory. */
export type ServedBy = 1 | 2 | 3 | 4;

export class CacheHierarchy {
  readonly l1: SetAssocCache;
  readonly l2: SetAssocCache;
  /** Dirty lines the last access pushed out of the LLC (memory writes): the first `memoryWriteCount`. */
  readonly memoryWrites: number[] = [];
  memoryWriteCount = 0;

  constructor(
    geometry: { l1: CacheGeometry; l2: CacheGeometry },
    readonly llc: SetAssocCache,
    name = 'hart',
  ) {
    this.l1 = new SetAssocCache(`${name} L1`, geometry.l1);
    this.l2 = new SetAssocCache(`${name} L2`, geometry.l2);
  }

  /** Look a line up for a load (write false) or a store; returns the level that served it. */
  access(line: number, write: boolean): ServedBy {
    this.memoryWriteCount = 0;
    if (this.l1.access(line, write)) return 1;
    const e1 = this.l1.evicted;
    if (e1 >= 0) this.writeInto(this.l2, e1);
    if (this.l2.access(line, false)) return 2;
    const e2 = this.l2.evicted;
    if (e2 >= 0) this.writeInto(this.llc, e2);
    const hit = this.llc.access(line, false);
    if (this.llc.evicted >= 0) this.memoryWrites[this.memoryWriteCount++] = this.llc.evicted;
    return hit ? 3 : 4;
  }

  /** Bring a line into the L2 and LLC without touching the L1 (a prefetch); true if it came from memory. */
  prefetch(line: number): boolean {
    this.memoryWriteCount = 0;
    if (this.l2.contains(line)) return false;
    this.l2.access(line, false);
    const e2 = this.l2.evicted;
    if (e2 >= 0) this.writeInto(this.llc, e2);
    const hit = this.llc.access(line, false);
    if (this.llc.evicted >= 0) this.memoryWrites[this.memoryWriteCount++] = this.llc.evicted;
    return !hit;
  }

  /** A dirty line written back into `c` (allocated there if absent), cascading what that evicts. */
  private writeInto(c: SetAssocCache, line: number): void {
    c.writeBack(line);
    const e = c.evicted;
    if (e < 0) return;
    if (c === this.l2) this.writeInto(this.llc, e);
    else this.memoryWrites[this.memoryWriteCount++] = e;
  }
}
