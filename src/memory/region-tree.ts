// The region tree: QEMU's memory model in its own words (RAM, ROM, MMIO, container, alias,
// priorities local to their container) plus a CXL window leaf whose bytes a WindowRouter resolves.
// It owns the tree and its transactions; rendering is flat-map.ts's pure function, and it never
// touches bytes or decodes CXL.

import { MemoryBugError } from './arena.js';
import { diffFlatMaps, renderFlatMap, type AddressRange, type FlatRange } from './flat-map.js';
import { MemoryRegion, type Subregion } from './region.js';

export { MemoryRegion } from './region.js';
export type { AccessSize, MmioOps, RouteResult, WindowRouter, RegionKind, Subregion } from './region.js';

const MAX_SIZE = 2 ** 52;

export type ChangeListener = (changed: readonly AddressRange[]) => void;

/**
 * Owns a root container, batches changes in transactions, and re-renders the flat map once per
 * outermost commit. A change outside a transaction commits at once.
 */
export class RegionTree {
  readonly root: MemoryRegion;
  private depth = 0;
  private dirty = false;
  private seq = 0;
  private flat: FlatRange[] = [];
  private readonly listeners: ChangeListener[] = [];

  constructor(size = MAX_SIZE, name = 'system') {
    this.root = MemoryRegion.container(name, size);
  }

  /** The current rendered flat map (sorted, disjoint). */
  get ranges(): readonly FlatRange[] {
    return this.flat;
  }

  begin(): void {
    this.depth++;
  }

  /** Ends a transaction; the outermost commit re-renders once and tells listeners what changed. */
  commit(): void {
    if (this.depth === 0) throw new MemoryBugError('RegionTree.commit() without begin()');
    if (--this.depth > 0 || !this.dirty) return;
    this.dirty = false;
    const next = renderFlatMap(this.root);
    const changed = diffFlatMaps(this.flat, next);
    this.flat = next;
    if (changed.length > 0) for (const l of this.listeners) l(changed);
  }

  /** Runs fn inside begin()/commit(). */
  transaction<T>(fn: () => T): T {
    this.begin();
    try {
      return fn();
    } finally {
      this.commit();
    }
  }

  /** Listener gets the HPA ranges whose mapping changed at each commit (or routes changed). */
  onChange(listener: ChangeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Tell listeners that mappings inside these ranges changed without a tree change (routes). */
  notify(changed: readonly AddressRange[]): void {
    if (changed.length > 0) for (const l of this.listeners) l(changed);
  }

  /** memory_region_add_subregion(_overlap): `child` at `offset` in `parent`, with a priority local to parent. */
  addSubregion(parent: MemoryRegion, offset: number, child: MemoryRegion, priority = 0): void {
    if (parent.kind !== 'container') {
      throw new RangeError(
        `cannot add ${child.name} to ${parent.name}: only containers take subregions (use a low-priority background region)`,
      );
    }
    if (child.parent !== null) throw new RangeError(`region ${child.name} is already in ${child.parent.name}`);
    if (!Number.isInteger(offset) || offset < 0 || offset + child.size > MAX_SIZE) {
      throw new RangeError(`region ${child.name}: offset ${offset} must be an integer with offset + size <= 2^52`);
    }
    if (!Number.isInteger(priority))
      throw new RangeError(`region ${child.name}: priority must be an integer, got ${priority}`);
    const sub: Subregion = { region: child, offset, priority, seq: this.seq++ };
    const subs = parent.subregions;
    let i = 0;
    while (i < subs.length && subs[i]!.priority > priority) i++;
    subs.splice(i, 0, sub);
    child.parent = parent;
    this.changed();
  }

  removeSubregion(child: MemoryRegion): void {
    const parent = child.parent;
    if (parent === null) throw new RangeError(`region ${child.name} is not in a container`);
    const i = parent.subregions.findIndex((s) => s.region === child);
    if (i < 0) throw new MemoryBugError(`region ${child.name} missing from its parent ${parent.name}`);
    parent.subregions.splice(i, 1);
    child.parent = null;
    this.changed();
  }

  /** memory_region_set_address: move a child inside its container. */
  moveSubregion(child: MemoryRegion, offset: number): void {
    const parent = child.parent;
    if (parent === null) throw new RangeError(`region ${child.name} is not in a container`);
    const sub = parent.subregions.find((s) => s.region === child)!;
    if (!Number.isInteger(offset) || offset < 0 || offset + child.size > MAX_SIZE) {
      throw new RangeError(`region ${child.name}: offset ${offset} must be an integer with offset + size <= 2^52`);
    }
    sub.offset = offset;
    this.changed();
  }

  setEnabled(region: MemoryRegion, enabled: boolean): void {
    region.enabled = enabled;
    this.changed();
  }

  /** Mark the tree changed (e.g. after mutating an alias target off-tree); commits if no transaction. */
  changed(): void {
    this.dirty = true;
    if (this.depth === 0) {
      this.depth = 1;
      this.commit();
    }
  }
}
