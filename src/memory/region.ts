// A memory region: one node of the region tree (RAM, ROM, MMIO, CXL window, container, alias) in
// QEMU's words, plus the device-facing interfaces (MmioOps, WindowRouter). Owns only the node's
// description; the tree (region-tree.ts) owns structure changes and the flat map renders it.

import type { BackingStore } from './store.js';

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

  private static backed(
    kind: 'ram' | 'rom',
    name: string,
    store: BackingStore,
    opts: { storeOffset?: number; size?: number },
  ): MemoryRegion {
    const so = opts.storeOffset ?? 0;
    const size = opts.size ?? store.size - so;
    if (!Number.isInteger(so) || so < 0 || so + size > store.size) {
      throw new RangeError(
        `region ${name}: store offset ${so} + size ${size} exceeds store ${store.name} size ${store.size}`,
      );
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
      throw new RangeError(
        `alias ${name}: offset ${offset} + size ${size} exceeds target ${target.name} size ${target.size}`,
      );
    }
    return new MemoryRegion('alias', name, size, null, 0, null, null, 0, target, offset);
  }
}

function checkOps(name: string, ops: MmioOps): void {
  const ok = (n: number, max: number) => n === 1 || n === 2 || n === 4 || (n === 8 && max === 8);
  if (!ok(ops.valid.min, 8) || !ok(ops.valid.max, 8) || ops.valid.min > ops.valid.max) {
    throw new RangeError(
      `mmio ${name}: valid sizes must be 1/2/4/8 with min <= max, got ${ops.valid.min}..${ops.valid.max}`,
    );
  }
  if (!ok(ops.impl.min, 4) || !ok(ops.impl.max, 4) || ops.impl.min > ops.impl.max) {
    throw new RangeError(
      `mmio ${name}: impl sizes must be 1/2/4 with min <= max, got ${ops.impl.min}..${ops.impl.max}`,
    );
  }
}
