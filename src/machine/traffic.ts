// Functional-mode traffic counters (`run --stats`): per memory target (DRAM, each CXL device), per
// CXL window and per region, the data accesses the harts' slow paths saw. In functional mode a
// hart sees an access only when it misses its TLB (the first touch of a page after a flush, MMIO,
// misaligned or page-crossing pieces): these counters measure which memory a guest reaches and how
// often its translations are refilled there, not bytes moved (that is timing mode's job). They
// cost nothing on TLB hits. Classification as in timing mode, memoised per 256 B granule.

import type { Machine } from './build.js';

const GRANULE = 256;
const MEMO_LIMIT = 1 << 20;

export interface TrafficCount {
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface TrafficStats {
  /** What was counted: slow-path accesses (TLB misses and fills), not every access. */
  counted: 'slow-path accesses';
  targets: ({ target: string } & TrafficCount)[];
  windows: ({ window: string } & TrafficCount)[];
  regions: ({ region: string } & TrafficCount)[];
}

export interface Place {
  /** 'dram' or the memdev's name. */
  target: string;
  window: string | null;
  region: string | null;
}

/**
 * Where a physical address lands: DRAM, or the memdev the committed decoders route it to (with
 * its window and region); null for anything else (MMIO). Memoised per 256 B granule, the finest
 * interleave, until the address map changes. Shared by these counters and the timing model.
 */
export class MemoryPlaces {
  private readonly memo = new Map<number, Place | null>();
  private static readonly DRAM: Place = { target: 'dram', window: null, region: null };

  constructor(private readonly machine: Machine) {
    machine.addressSpace.onChange(() => this.memo.clear());
  }

  placeOf(pa: number): Place | null {
    const ram = this.machine.ram;
    if (pa >= ram.base && pa < ram.base + ram.size) return MemoryPlaces.DRAM;
    const g = Math.floor(pa / GRANULE);
    const hit = this.memo.get(g);
    if (hit !== undefined) return hit;
    const dev = this.machine.cxl.memdevAt(pa);
    let place: Place | null = null;
    if (dev !== null) {
      const w = this.machine.cxl.windows.find((x) => pa >= x.base && pa < x.base + x.size);
      const r = this.machine.regions.find((x) => pa >= x.base && pa < x.base + x.size);
      place = { target: dev.name, window: w?.id ?? null, region: r?.name ?? null };
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(g, place);
    return place;
  }
}

const zero = (): TrafficCount => ({ reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0 });

export class TrafficCounters {
  private readonly byTarget = new Map<string, TrafficCount>();
  private readonly byWindow = new Map<string, TrafficCount>();
  private readonly byRegion = new Map<string, TrafficCount>();
  private readonly places: MemoryPlaces;

  constructor(machine: Machine, places = new MemoryPlaces(machine)) {
    this.places = places;
  }

  /** The hart's sink (Hart.dataSlowSink). */
  readonly sink = (pa: number, size: number, write: boolean): void => {
    const p = this.places.placeOf(pa);
    if (p === null) return;
    add(this.byTarget, p.target, size, write);
    if (p.window !== null) add(this.byWindow, p.window, size, write);
    if (p.region !== null) add(this.byRegion, p.region, size, write);
  };

  stats(): TrafficStats {
    const list = <K extends string>(m: Map<string, TrafficCount>, key: K) =>
      [...m].map(([name, c]) => ({ [key]: name, ...c }) as { [P in K]: string } & TrafficCount);
    return {
      counted: 'slow-path accesses',
      targets: list(this.byTarget, 'target'),
      windows: list(this.byWindow, 'window'),
      regions: list(this.byRegion, 'region'),
    };
  }
}

function add(m: Map<string, TrafficCount>, key: string, size: number, write: boolean): void {
  let c = m.get(key);
  if (c === undefined) {
    c = zero();
    m.set(key, c);
  }
  if (write) {
    c.writes++;
    c.bytesWritten += size;
  } else {
    c.reads++;
    c.bytesRead += size;
  }
}

/** One indented line of counts (here and in timing mode's text). */
export function trafficLine(name: string, c: TrafficCount): string {
  return `  ${name}: ${c.reads} reads (${c.bytesRead} B), ${c.writes} writes (${c.bytesWritten} B)`;
}

/** The end-of-run text of `--stats`. */
export function trafficText(s: TrafficStats): string {
  return [
    `traffic (${s.counted}; TLB hits are not seen):`,
    ...s.targets.map((t) => trafficLine(t.target, t)),
    ...s.windows.map((w) => trafficLine(`window ${w.window}`, w)),
    ...s.regions.map((r) => trafficLine(`region ${r.region}`, r)),
  ].join('\n');
}
