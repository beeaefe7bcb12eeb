// The flat map owns the rendered view of a region tree: a sorted list of disjoint ranges, each
// naming the leaf it reaches and that leaf's offset. Rendering is pure (tree in, ranges out) and
// never decodes CXL: a window range just names its router. Holes are unassigned (access fault).

import type { MemoryRegion } from './region.js';

/** Leaf kinds as small integers for the hot path (0 is "unassigned", never stored in a range). */
export enum RangeKind {
  Unassigned = 0,
  Ram = 1,
  Rom = 2,
  Mmio = 3,
  Window = 4,
}

export interface AddressRange {
  base: number;
  size: number;
}

export class FlatRange {
  constructor(
    /** First HPA of the range. */
    readonly base: number,
    /** One past the last HPA. */
    readonly end: number,
    readonly kind: RangeKind,
    /** The leaf region reached (ram, rom, mmio or window). */
    readonly region: MemoryRegion,
    /** Offset inside `region` of the byte at `base`. */
    readonly offset: number,
  ) {}

  /**
   * Target address of the byte at `base`: store offset (ram/rom), MMIO offset (mmio) or the HPA
   * handed to the router (window). For addr in range: target = targetBase + (addr - base).
   */
  get targetBase(): number {
    const r = this.region;
    if (this.kind === RangeKind.Ram || this.kind === RangeKind.Rom) return r.storeOffset + this.offset;
    if (this.kind === RangeKind.Window) return r.routerBase + this.offset;
    return this.offset;
  }
}

function kindOf(region: MemoryRegion): RangeKind {
  switch (region.kind) {
    case 'ram':
      return RangeKind.Ram;
    case 'rom':
      return RangeKind.Rom;
    case 'mmio':
      return RangeKind.Mmio;
    case 'window':
      return RangeKind.Window;
    default:
      return RangeKind.Unassigned;
  }
}

const MAX_DEPTH = 64;

/**
 * Render a region tree to sorted, disjoint ranges, as QEMU's render_memory_region does: siblings
 * in descending priority, each leaf filling only addresses no higher-priority sibling claimed;
 * holes in a higher-priority container or alias let lower ones show through. Adjacent pieces of
 * the same leaf at contiguous offsets are merged. Pure: reads the tree, returns a new array.
 */
export function renderFlatMap(root: MemoryRegion, rootBase = 0): FlatRange[] {
  const out: FlatRange[] = [];
  render(root, rootBase, rootBase, rootBase + root.size, out, 0);
  return simplify(out);
}

function render(
  mr: MemoryRegion,
  base: number,
  clipStart: number,
  clipEnd: number,
  out: FlatRange[],
  depth: number,
): void {
  if (!mr.enabled) return;
  if (depth > MAX_DEPTH)
    throw new RangeError(`region ${mr.name}: alias/container nesting deeper than ${MAX_DEPTH} (an alias loop?)`);
  const s = Math.max(clipStart, base);
  const e = Math.min(clipEnd, base + mr.size);
  if (s >= e) return;
  if (mr.kind === 'alias') {
    render(mr.aliasTarget!, base - mr.aliasOffset, s, e, out, depth + 1);
    return;
  }
  if (mr.kind === 'container') {
    for (const sub of mr.subregions) render(sub.region, base + sub.offset, s, e, out, depth + 1);
    return;
  }
  insertLeaf(out, mr, base, s, e);
}

/** Fill the parts of [s, e) not yet covered in `out` (sorted, disjoint) with `mr`. */
function insertLeaf(out: FlatRange[], mr: MemoryRegion, base: number, s: number, e: number): void {
  const kind = kindOf(mr);
  // First range that ends after s.
  let lo = 0;
  let hi = out.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (out[mid]!.end <= s) lo = mid + 1;
    else hi = mid;
  }
  let i = lo;
  let cur = s;
  while (cur < e) {
    if (i < out.length && out[i]!.base <= cur) {
      cur = Math.max(cur, out[i]!.end);
      i++;
      continue;
    }
    const next = i < out.length ? Math.min(e, out[i]!.base) : e;
    out.splice(i, 0, new FlatRange(cur, next, kind, mr, cur - base));
    i++;
    cur = next;
  }
}

function simplify(ranges: FlatRange[]): FlatRange[] {
  const out: FlatRange[] = [];
  for (const r of ranges) {
    const p = out[out.length - 1];
    if (p !== undefined && p.end === r.base && p.region === r.region && p.offset + (p.end - p.base) === r.offset) {
      out[out.length - 1] = new FlatRange(p.base, r.end, p.kind, p.region, p.offset);
    } else {
      out.push(r);
    }
  }
  return out;
}

/** Index of the range holding addr, or -1. Binary search over sorted disjoint ranges. */
export function findRangeIndex(ranges: readonly FlatRange[], addr: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid]!;
    if (addr < r.base) hi = mid - 1;
    else if (addr >= r.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * HPA ranges whose mapping differs between two flat maps (a different leaf, or the same leaf at
 * a different offset, or assigned vs unassigned), merged where adjacent. Pure.
 */
export function diffFlatMaps(a: readonly FlatRange[], b: readonly FlatRange[]): AddressRange[] {
  const cuts: number[] = [];
  for (const r of a) cuts.push(r.base, r.end);
  for (const r of b) cuts.push(r.base, r.end);
  cuts.sort((x, y) => x - y);
  const out: AddressRange[] = [];
  let ia = 0;
  let ib = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const s = cuts[k]!;
    const e = cuts[k + 1]!;
    if (s === e) continue;
    while (ia < a.length && a[ia]!.end <= s) ia++;
    while (ib < b.length && b[ib]!.end <= s) ib++;
    const ra = ia < a.length && a[ia]!.base <= s ? a[ia]! : null;
    const rb = ib < b.length && b[ib]!.base <= s ? b[ib]! : null;
    const same =
      ra === rb ||
      (ra !== null && rb !== null && ra.region === rb.region && ra.offset - ra.base === rb.offset - rb.base);
    if (same) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.base + last.size === s) last.size += e - s;
    else out.push({ base: s, size: e - s });
  }
  return out;
}
