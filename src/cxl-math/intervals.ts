// Address-range bookkeeping that stays linear (n log n) in the number of ranges: overlap
// detection among windows and first-fit placement. A description may hold thousands of windows;
// pairwise checks made 10^5 of them take minutes.

export interface Span {
  base: number;
  /** Exclusive end. */
  end: number;
}

/**
 * Overlapping ranges as [i, j] index pairs with i < j: every range that overlaps an earlier one
 * (by base) is reported once, against the range reaching furthest before it. No pair means no
 * overlap at all.
 */
export function overlappingPairs(spans: readonly Span[]): [number, number][] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.base - spans[b]!.base || a - b);
  const out: [number, number][] = [];
  let reach = -1; // index of the range with the largest end so far
  for (const k of order) {
    const s = spans[k]!;
    if (s.end <= s.base) continue; // empty ranges overlap nothing
    if (reach >= 0 && s.base < spans[reach]!.end) out.push(reach < k ? [reach, k] : [k, reach]);
    if (reach < 0 || s.end > spans[reach]!.end) reach = k;
  }
  return out;
}

/** Non-overlapping ranges kept sorted by base, with a binary-searched first-overlap query. */
export class SpanSet {
  private readonly spans: Span[] = [];

  /** The first range (lowest base) that overlaps [base, end), or undefined. */
  firstOverlap(base: number, end: number): Span | undefined {
    // Lowest index whose end is above `base` (ends ascend with bases when ranges do not overlap).
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.spans[mid]!.end <= base) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.spans.length && this.spans[i]!.base < end; i++)
      if (this.spans[i]!.end > base) return this.spans[i];
    return undefined;
  }

  add(s: Span): void {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.spans[mid]!.base <= s.base) lo = mid + 1;
      else hi = mid;
    }
    this.spans.splice(lo, 0, s);
  }
}
