// The region tree: QEMU's memory model in its own words (RAM, ROM, MMIO, container, alias,
// priorities local to their container) plus a CXL window leaf whose bytes a WindowRouter resolves.
// It owns the tree and its transactions; rendering is flat-map.ts's pure function, and it never
// touches bytes or decodes CXL.

import { MemoryBugError } from './arena.js';
import type { BackingStore } from './store.js';
import { diffFlatMaps, renderFlatMap, type AddressRange, type FlatRange } from './flat-map.js';

export type AccessSize = 1 | 2 | 4 | 8;

export interface MmioOps {
  /** Widths the bus may use, and the widths read/write implement; the core splits/merges. */
  valid: { min: 1 | 2 | 4 | 8; max: 1 | 2 | 4 | 8; unaligned?: boolean };
  impl: { min: 1 | 2 | 4; max: 1 | 2 | 4 };
  read(offset: number, size: 1 | 2 | 4): number; // unsigned value
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

export interface RouteResult {
  store: BackingStore | null;
  offset: number;
  run: number;
}

export interface WindowRouter {
  /** Resolve an absolute HPA inside the window. Fill `out` and return true (out.run = bytes
   *  from hpa that stay contiguous in out.store), or return false: no committed decode. */
  resolve(hpa: number, out: RouteResult): boolean;
}

export type RegionKind = 'ram' | 'rom' | 'mmio' | 'window' | 'container' | 'alias';

/** A child's place in its container. Priorities compare only between siblings. */
export interface Subregion {
  readonly region: MemoryRegion;
  offset: number;
  readonly priority: number;
  /** Insertion order; among equal priorities the later-added child wins, as in QEMU. */
  readonly seq: number;
}

const MAX_SIZE = 2 ** 52;

export class MemoryRegion {
  /** Container this region was added to (null for roots and alias targets kept off-tree). */
  parent: MemoryRegion | null = null;
  enabled = true;
  /** Children, highest priority first (later-added first among equals). Containers only. */
  readonly subregions: Subregion[] = [];

  private constructor(
    readonly kind: RegionKind,
    readonly name: string,
    readonly size: number,
    /** ram/rom: backing store and the store offset of the region's first byte. */
    readonly store: BackingStore | null,
    readonly storeOffset: number,
    readonly ops: MmioOps | null,
    readonly router: WindowRouter | null,
    /** window: the HPA handed to the router for the region's first byte. */
    readonly routerBase: number,
    readonly aliasTarget: MemoryRegion | null,
    readonly aliasOffset: number,
  ) {
    if (!Number.isInteger(size) || size <= 0 || size > MAX_SIZE) {
      throw new RangeError(`region ${name}: size must be an integer in 1..2^52, got ${size}`);
    }
  }

  static ram(name: string, store: BackingStore, opts: { storeOffset?: number; size?: number } = {}): MemoryRegion {
    return MemoryRegion.backed('ram', name, store, opts);
  }

  static rom(name: string, store: BackingStore, opts: { storeOffset?: number; size?: number } = {}): MemoryRegion {
    return MemoryRegion.backed('rom', name, store, opts);
  }

  private static backed(kind: 'ram' | 'rom', name: string, store: BackingStore, opts: { storeOffset?: number; size?: number }): MemoryRegion {
    const so = opts.storeOffset ?? 0;
    const size = opts.size ?? store.size - so;
    if (!Number.isInteger(so) || so < 0 || so + size > store.size) {
      throw new RangeError(`region ${name}: store offset ${so} + size ${size} exceeds store ${store.name} size ${store.size}`);
    }
    return new MemoryRegion(kind, name, size, store, so, null, null, 0, null, 0);
  }

  static mmio(name: string, size: number, ops: MmioOps): MemoryRegion {
    checkOps(name, ops);
    return new MemoryRegion('mmio', name, size, null, 0, ops, null, 0, null, 0);
  }

  /** A CXL fixed memory window; `routerBase` is the HPA of its first byte (usually its base). */
  static window(name: string, size: number, router: WindowRouter, routerBase = 0): MemoryRegion {
    return new MemoryRegion('window', name, size, null, 0, null, router, routerBase, null, 0);
  }

  static container(name: string, size: number): MemoryRegion {
    return new MemoryRegion('container', name, size, null, 0, null, null, 0, null, 0);
  }

  /** `size` bytes of `target` starting at `offset` inside it. */
  static alias(name: string, target: MemoryRegion, offset: number, size: number): MemoryRegion {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > target.size) {
      throw new RangeError(`alias ${name}: offset ${offset} + size ${size} exceeds target ${target.name} size ${target.size}`);
    }
    return new MemoryRegion('alias', name, size, null, 0, null, null, 0, target, offset);
  }
}

function checkOps(name: string, ops: MmioOps): void {
  const ok = (n: number, max: number) => n === 1 || n === 2 || n === 4 || (n === 8 && max === 8);
  if (!ok(ops.valid.min, 8) || !ok(ops.valid.max, 8) || ops.valid.min > ops.valid.max) {
    throw new RangeError(`mmio ${name}: valid sizes must be 1/2/4/8 with min <= max, got ${ops.valid.min}..${ops.valid.max}`);
  }
  if (!ok(ops.impl.min, 4) || !ok(ops.impl.max, 4) || ops.impl.min > ops.impl.max) {
    throw new RangeError(`mmio ${name}: impl sizes must be 1/2/4 with min <= max, got ${ops.impl.min}..${ops.impl.max}`);
  }
}

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
      throw new RangeError(`cannot add ${child.name} to ${parent.name}: only containers take subregions (use a low-priority background region)`);
    }
    if (child.parent !== null) throw new RangeError(`region ${child.name} is already in ${child.parent.name}`);
    if (!Number.isInteger(offset) || offset < 0 || offset + child.size > MAX_SIZE) {
      throw new RangeError(`region ${child.name}: offset ${offset} must be an integer with offset + size <= 2^52`);
    }
    if (!Number.isInteger(priority)) throw new RangeError(`region ${child.name}: priority must be an integer, got ${priority}`);
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
