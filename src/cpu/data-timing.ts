// What the hart asks of a timing model (src/perf fulfils it; the CPU never imports it): the stall
// cycles of a data access at a physical address, cacheable or not (Svpbmt NC/IO).

export interface DataTiming {
  /**
   * A cacheable load or store of `size` bytes at `pa`, issued at cycle `now`: its stall cycles.
   * `dependent`: a load whose base register the previous load wrote (pointer chasing).
   */
  access(pa: number, size: number, write: boolean, now: number, dependent: boolean): number;
  /** An uncacheable one (NC/IO page): straight to memory. */
  uncached(pa: number, write: boolean, now: number): number;
}
