// Timing mode's page cache. In timing mode the hart fills no data TLB entry, so that every load and
// store reaches the timing model; this small direct-mapped cache then saves those accesses the
// page walk, the PMP check and the address-space lookup. An entry maps a virtual page to its
// physical page (what the model is told) and its arena offset (where the bytes are). Filled only
// where a data TLB entry would be, dropped whenever those are.

const ENTRIES = 256;

export class TimingPageCache {
  private readonly key = new Float64Array(ENTRIES).fill(-1);
  private readonly phys = new Float64Array(ENTRIES);
  private readonly arena = new Float64Array(ENTRIES);
  /** The physical page base of the last hit. */
  physBase = 0;

  /** The arena offset of the page of va (lo, hi), or -1; on a hit `physBase` is its physical page. */
  probe(lo: number, hi: number): number {
    const k = (hi >>> 0) * 1048576 + (lo >>> 12);
    const i = k & (ENTRIES - 1);
    if (this.key[i] !== k) return -1;
    this.physBase = this.phys[i]!;
    return this.arena[i]!;
  }

  fill(lo: number, hi: number, physPage: number, arenaPage: number): void {
    const k = (hi >>> 0) * 1048576 + (lo >>> 12);
    const i = k & (ENTRIES - 1);
    this.key[i] = k;
    this.phys[i] = physPage;
    this.arena[i] = arenaPage;
  }

  clear(): void {
    this.key.fill(-1);
  }
}
