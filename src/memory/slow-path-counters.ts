// Counts every trip off the memory fast path, by reason (STYLE habit 14). Owns only the counters;
// never changes behaviour. A no-op (one compare) unless `enabled` is set.

export enum SlowPath {
  /** Access missed the one-page cache and went to the flat map. */
  CacheMiss = 0,
  /** Access straddled a page, region or granule boundary and was split. */
  Split,
  /** MMIO callback dispatch. */
  Mmio,
  /** CXL window access resolved through its WindowRouter. */
  Window,
  /** Misaligned RAM access inside one page (done byte-wise). */
  Misaligned,
  /** Write to an arena page marked as holding translated code. */
  CodePage,
  /** Access ended in an AccessFault. */
  Fault,
  /** Access to an observed page (AddressSpace.observe): counted, never cached. */
  Observed,
  /** Count of reasons; keep last. */
  Count,
}

export class SlowPathCounters {
  enabled = false;
  readonly counts = new Uint32Array(SlowPath.Count);

  hit(reason: SlowPath): void {
    if (this.enabled) this.counts[reason] = this.counts[reason]! + 1;
  }

  reset(): void {
    this.counts.fill(0);
  }

  /** Reason name -> count, for bench JSON. */
  snapshot(): Record<string, number> {
    const r: Record<string, number> = {};
    for (let i = 0; i < SlowPath.Count; i++) r[SlowPath[i]!] = this.counts[i]!;
    return r;
  }
}
