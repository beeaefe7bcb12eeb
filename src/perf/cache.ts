// One set-associative, write-back, write-allocate cache of 64-byte lines with LRU replacement:
// the building block of the timing model's L1/L2/LLC. Addresses are line numbers (byte address /
// 64, exact as Numbers below 2^53). Owns tags, LRU order and dirty bits; knows nothing of timing.

export const LINE_BYTES = 64;

export interface CacheGeometry {
  /** Total bytes (a multiple of ways * 64 whose set count is a power of two). */
  sizeBytes: number;
  ways: number;
}

export class CacheError extends Error {
  override readonly name = 'CacheError';
}

export class SetAssocCache {
  readonly sets: number;
  readonly ways: number;
  private readonly setMask: number;
  /** Line number per (set, way); -1 = invalid. */
  private readonly tags: Float64Array;
  /** Last-use stamp per (set, way): the smallest is the LRU way. */
  private readonly stamps: Float64Array;
  private readonly dirty: Uint8Array;
  private clock = 0;
  hits = 0;
  misses = 0;
  writebacks = 0;
  /** The dirty line the last fill evicted, or -1. */
  evicted = -1;

  constructor(
    readonly name: string,
    g: CacheGeometry,
  ) {
    const { sizeBytes, ways } = g;
    if (!Number.isInteger(ways) || ways < 1 || ways > 64)
      throw new CacheError(`${name}: ways must be an integer 1..64, got ${ways}`);
    const sets = sizeBytes / (ways * LINE_BYTES);
    if (!Number.isInteger(sets) || sets < 1 || (sets & (sets - 1)) !== 0)
      throw new CacheError(
        `${name}: size ${sizeBytes} B with ${ways} ways gives ${sets} sets; it must be a power of two (size = sets x ways x 64 B)`,
      );
    this.sets = sets;
    this.ways = ways;
    this.setMask = sets - 1;
    this.tags = new Float64Array(sets * ways).fill(-1);
    this.stamps = new Float64Array(sets * ways);
    this.dirty = new Uint8Array(sets * ways);
  }

  // The set is the line number's low bits: `&` keeps the low 32 bits of any line below 2^53.

  /** Whether `line` is present (no LRU update, no counting). */
  contains(line: number): boolean {
    const base = ((line % this.sets) & this.setMask) * this.ways;
    for (let w = 0; w < this.ways; w++) if (this.tags[base + w] === line) return true;
    return false;
  }

  /**
   * Look `line` up; on a hit mark it used (and dirty for a write) and return true. On a miss,
   * fill it in the LRU way (dirty for a write), leave the evicted dirty line in `evicted` (or -1)
   * and return false.
   */
  access(line: number, write: boolean): boolean {
    const base = ((line % this.sets) & this.setMask) * this.ways;
    const stamp = ++this.clock;
    let lru = base;
    for (let w = 0; w < this.ways; w++) {
      const i = base + w;
      if (this.tags[i] === line) {
        this.stamps[i] = stamp;
        if (write) this.dirty[i] = 1;
        this.hits++;
        this.evicted = -1;
        return true;
      }
      if (this.stamps[i]! < this.stamps[lru]!) lru = i;
    }
    this.misses++;
    this.evicted = this.tags[lru]! >= 0 && this.dirty[lru] === 1 ? this.tags[lru]! : -1;
    if (this.evicted >= 0) this.writebacks++;
    this.tags[lru] = line;
    this.stamps[lru] = stamp;
    this.dirty[lru] = write ? 1 : 0;
    return false;
  }

  /**
   * A dirty line written back from the level above: marked dirty where present, else filled dirty
   * in the LRU way (the evicted dirty line left in `evicted`). Not counted as a hit or a miss.
   */
  writeBack(line: number): void {
    const base = ((line % this.sets) & this.setMask) * this.ways;
    let lru = base;
    for (let w = 0; w < this.ways; w++) {
      const i = base + w;
      if (this.tags[i] === line) {
        this.dirty[i] = 1;
        this.evicted = -1;
        return;
      }
      if (this.stamps[i]! < this.stamps[lru]!) lru = i;
    }
    this.evicted = this.tags[lru]! >= 0 && this.dirty[lru] === 1 ? this.tags[lru]! : -1;
    if (this.evicted >= 0) this.writebacks++;
    this.tags[lru] = line;
    this.stamps[lru] = ++this.clock;
    this.dirty[lru] = 1;
  }

  resetCounts(): void {
    this.hits = 0;
    this.misses = 0;
    this.writebacks = 0;
  }
}
