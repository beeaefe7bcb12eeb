// Base Address Registers: declaration (size -> write masks, so sizing by writing all ones works with
// no special code), decoding of the programmed address, and the mapper that keeps each enabled BAR's
// MmioOps mapped in the AddressSpace inside the PCIe MMIO window. Owns BAR masks and mappings; never
// allocates addresses (the guest, or firmware via enumerate.ts, programs them).

import type { AddressSpace, MemoryRegion, MmioOps } from '../memory/index.js';
import {
  BAR0_OFFSET,
  COMMAND,
  type ConfigSpace,
  MEMORY_BASE,
  MEMORY_LIMIT,
  PREF_BASE,
  PREF_BASE_UPPER,
  PREF_LIMIT,
  PREF_LIMIT_UPPER,
} from './config-space.js';
import { PciConfigError } from './errors.js';
import { isPowerOfTwo } from '../memory/index.js';

export type BarKind = 'mem32' | 'mem64';

export interface BarDeclaration {
  /** BAR number: 0..5 on type 0, 0..1 on type 1; a mem64 BAR also takes index + 1. */
  index: number;
  kind: BarKind;
  /** Power of two, >= 16 bytes (mem32 <= 2 GiB; mem64 <= 2^52). */
  size: number;
  prefetchable?: boolean;
  /** The registers behind the BAR (device model). */
  ops: MmioOps;
  /** Region name in the address map (default "<function>.bar<index>"). */
  name?: string;
}

const TWO32 = 4294967296;

/** One declared BAR of a function. */
export class Bar {
  region: MemoryRegion | null = null;
  /** Address it is mapped at, or -1. */
  mappedAt = -1;

  constructor(
    readonly config: ConfigSpace,
    readonly decl: BarDeclaration,
    readonly regionName: string,
  ) {}

  get index(): number {
    return this.decl.index;
  }

  get size(): number {
    return this.decl.size;
  }

  /** Config offset of the BAR's low dword. */
  get configOffset(): number {
    return BAR0_OFFSET + 4 * this.decl.index;
  }

  /** The programmed address (size-aligned by the masks), or -1 above 2^52 (never mappable). */
  address(): number {
    const lo = (this.config.getRaw(this.configOffset, 4) & 0xfffffff0) >>> 0;
    const hi = this.decl.kind === 'mem64' ? this.config.getRaw(this.configOffset + 4, 4) : 0;
    if (hi >= 2 ** 20) return -1;
    return hi * TWO32 + lo;
  }
}

/** Low 4 bits of a memory BAR: bit 0 = 0 (memory), [2:1] type, bit 3 prefetchable. */
export function barTypeBits(kind: BarKind, prefetchable: boolean): number {
  return (kind === 'mem64' ? 0x4 : 0) | (prefetchable ? 0x8 : 0);
}

/** Declare a BAR in a header with `slots` BARs (6 type 0, 2 type 1): masks and type bits. */
export function declareBar(cs: ConfigSpace, d: BarDeclaration, slots: number, owner: string): Bar {
  const what = `${owner} BAR${d.index}`;
  const words = d.kind === 'mem64' ? 2 : 1;
  if (!Number.isInteger(d.index) || d.index < 0 || d.index + words > slots) {
    throw new PciConfigError(what, `a ${d.kind} BAR needs ${words} of the header's ${slots} BAR slots from its index`);
  }
  const maxSize = d.kind === 'mem64' ? 2 ** 52 : 2 ** 31;
  if (!isPowerOfTwo(d.size) || d.size < 16 || d.size > maxSize) {
    throw new PciConfigError(
      what,
      `size must be a power of two from 16 B to ${maxSize === 2 ** 31 ? '2 GiB' : '2^52'}, got ${d.size}`,
    );
  }
  const off = BAR0_OFFSET + 4 * d.index;
  const loMask = d.size >= TWO32 ? 0 : ((TWO32 - d.size) & 0xfffffff0) >>> 0;
  cs.setMasks(off, 4, loMask);
  cs.setRaw(off, 4, barTypeBits(d.kind, d.prefetchable ?? false));
  if (d.kind === 'mem64') {
    const hiMask = d.size <= TWO32 ? 0xffffffff : (TWO32 - d.size / TWO32) >>> 0;
    cs.setMasks(off + 4, 4, hiMask);
    cs.setRaw(off + 4, 4, 0);
  }
  return new Bar(cs, d, d.name ?? `${owner}.bar${d.index}`);
}

/** Whether a type-1 bridge forwards [base, base + size) downstream (memory enable + a window). */
export function bridgeForwards(cs: ConfigSpace, base: number, size: number): boolean {
  if (cs.getField(0, COMMAND, 'memorySpace') === 0) return false;
  const end = base + size - 1;
  const memBase = cs.getField(0, MEMORY_BASE, 'address') * 2 ** 20;
  const memLimit = cs.getField(0, MEMORY_LIMIT, 'address') * 2 ** 20 + 0xfffff;
  if (memBase <= memLimit && base >= memBase && end <= memLimit) return true;
  const pHi = cs.getField(0, PREF_BASE_UPPER, 'address');
  const pLimHi = cs.getField(0, PREF_LIMIT_UPPER, 'address');
  if (pHi >= 2 ** 20 || pLimHi >= 2 ** 20) return false;
  const pBase = pHi * TWO32 + cs.getField(0, PREF_BASE, 'address') * 2 ** 20;
  const pLimit = pLimHi * TWO32 + cs.getField(0, PREF_LIMIT, 'address') * 2 ** 20 + 0xfffff;
  return pBase <= pLimit && base >= pBase && end <= pLimit;
}

/** What the mapper needs of a function (topology.ts implements it). */
export interface BarHolder {
  readonly config: ConfigSpace;
  readonly bars: readonly Bar[];
  /** Config spaces of the bridges between the function and its host bridge, nearest first. */
  upstreamBridges(): readonly ConfigSpace[];
}

/**
 * Keeps BAR mappings equal to what the config registers say: a BAR is mapped when its function's
 * Memory Space Enable is set, every bridge above forwards its range, and it lies inside the PCIe
 * MMIO window. All changes of one refresh go in one AddressSpace transaction.
 */
export class BarMapper {
  private readonly mapped = new Set<Bar>();

  constructor(
    readonly space: AddressSpace,
    readonly window: { base: number; size: number },
    /** Priority among the root's children (above a background region, e.g. an empty window). */
    readonly priority = 1,
  ) {}

  /** Where `bar` should be mapped now, or -1. */
  desiredAddress(holder: BarHolder, bar: Bar): number {
    if (holder.config.getField(0, COMMAND, 'memorySpace') === 0) return -1;
    const a = bar.address();
    if (a < 0 || a < this.window.base || a + bar.size > this.window.base + this.window.size) return -1;
    for (const br of holder.upstreamBridges()) if (!bridgeForwards(br, a, bar.size)) return -1;
    return a;
  }

  /** Recompute every BAR of `holders`; BARs mapped before but no longer held are unmapped. */
  refresh(holders: Iterable<BarHolder>): void {
    const changes: { bar: Bar; to: number }[] = [];
    const seen = new Set<Bar>();
    for (const h of holders) {
      for (const bar of h.bars) {
        seen.add(bar);
        const to = this.desiredAddress(h, bar);
        if (to !== bar.mappedAt) changes.push({ bar, to });
      }
    }
    for (const bar of this.mapped) if (!seen.has(bar)) changes.push({ bar, to: -1 });
    if (changes.length === 0) return;
    this.space.begin();
    try {
      for (const { bar, to } of changes) {
        if (bar.region !== null) {
          this.space.remove(bar.region);
          bar.region = null;
          bar.mappedAt = -1;
          this.mapped.delete(bar);
        }
        if (to >= 0) {
          bar.region = this.space.mmio(bar.regionName, to, bar.size, bar.decl.ops, this.priority);
          bar.mappedAt = to;
          this.mapped.add(bar);
        }
      }
    } finally {
      this.space.commit();
    }
  }
}
