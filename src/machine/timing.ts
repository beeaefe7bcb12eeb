// Timing mode for a built machine: the timing model (src/perf) with its memory targets taken from
// the description, the one source of the numbers CDAT and HMAT carry too. DRAM is `ram.perf`; each
// CXL device is its path as Linux adds it up (linux-perf.ts deviceCoordinates: DSLBIS, switches,
// links, the generic port), and queues also on the parts of the path other devices share (its host
// bridge and root port link, each switch above it: linux-perf.ts sharedLinks). Physical addresses
// are classified by traffic.ts's MemoryPlaces (RAM range, else the compiled router), which the
// model's window and region counters share.

import { CacheError } from '../perf/cache.js';
import { type MemoryTarget, TimingError, TimingModel, type TimingParams } from '../perf/timing-model.js';
import { ConfigError } from './errors.js';
import { TIMEBASE_HZ } from '../devices/clint.js';
import type { Machine } from './build.js';
import { deviceCoordinates, sharedLinks } from './linux-perf.js';
import { MemoryPlaces, TrafficCounters, type TrafficStats, trafficLine } from './traffic.js';

/** mtime ticks at TIMEBASE_HZ: cycles per tick at `cpuGHz` (rounded to a whole number, at least 1). */
export function cyclesPerTick(cpuGHz: number): number {
  return Math.max(1, Math.round((cpuGHz * 1e9) / TIMEBASE_HZ));
}

/** Each model's memory traffic by target, window and region (the lines its misses and write-backs move). */
const memoryTraffic = new WeakMap<TimingModel, TrafficCounters>();

export function buildTimingModel(machine: Machine, params: TimingParams, harts: number): TimingModel {
  const desc = machine.initial;
  const dram: MemoryTarget = { name: 'dram', ...desc.ram.perf };
  const devices = new Map<string, MemoryTarget>();
  const shared = sharedLinks(desc);
  for (const [name, c] of deviceCoordinates(desc))
    devices.set(name, { name, ...c, shared: [...(shared.get(name) ?? [])].reverse() });
  const places = new MemoryPlaces(machine);
  const classify = (pa: number): MemoryTarget | null => {
    const p = places.placeOf(pa);
    return p === null ? null : p.target === 'dram' ? dram : (devices.get(p.target) ?? null);
  };
  try {
    const traffic = new TrafficCounters(machine, places);
    const model = new TimingModel(params, harts, classify, traffic.sink);
    memoryTraffic.set(model, traffic);
    return model;
  } catch (e) {
    if (!(e instanceof CacheError || e instanceof TimingError)) throw e;
    throw new ConfigError(
      [
        {
          code: 'bad_timing',
          path: 'timing',
          value: e.message,
          allowed: 'cache sizes of sets x ways x 64 B with a power-of-two set count',
        },
      ],
      `bad timing parameters: ${e.message}`,
    );
  }
}

/** What a timing run reports: per hart its cycles, stalls and cache counts; per memory target its traffic. */
export interface TimingStats {
  cpuGHz: number;
  harts: {
    hart: number;
    stallCycles: number;
    prefetches: number;
    l1: CacheCounts;
    l2: CacheCounts;
  }[];
  llc: CacheCounts;
  targets: {
    target: string;
    reads: number;
    writes: number;
    bytesRead: number;
    bytesWritten: number;
    queueNs: number;
  }[];
  /** The same memory traffic (CXL.mem and DRAM lines) by CXL window and region. */
  windows: TrafficStats['windows'];
  regions: TrafficStats['regions'];
}

export interface CacheCounts {
  hits: number;
  misses: number;
  writebacks: number;
  hitRate: number;
}

function counts(c: { hits: number; misses: number; writebacks: number }): CacheCounts {
  const n = c.hits + c.misses;
  return { hits: c.hits, misses: c.misses, writebacks: c.writebacks, hitRate: n === 0 ? 0 : c.hits / n };
}

export function timingStats(model: TimingModel): TimingStats {
  const memory = memoryTraffic.get(model)?.stats();
  return {
    cpuGHz: model.params.cpuGHz,
    harts: model.harts.map((h) => ({
      hart: h.hartId,
      stallCycles: h.stallCycles,
      prefetches: h.prefetches,
      l1: counts(h.caches.l1),
      l2: counts(h.caches.l2),
    })),
    llc: counts(model.llc),
    targets: model.targetCounters().map((t) => ({ target: t.target, ...t.counters })),
    windows: memory?.windows ?? [],
    regions: memory?.regions ?? [],
  };
}

/** The end-of-run text of `--timing`. */
export function timingText(s: TimingStats): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const cache = (c: CacheCounts) =>
    `${c.hits} hits, ${c.misses} misses (${pct(c.hitRate)}), ${c.writebacks} write-backs`;
  const lines = [`timing (${s.cpuGHz} GHz):`];
  for (const h of s.harts) {
    lines.push(`  hart ${h.hart}: ${h.stallCycles} stall cycles, ${h.prefetches} prefetches`);
    lines.push(`    L1 ${cache(h.l1)}`, `    L2 ${cache(h.l2)}`);
  }
  lines.push(`  LLC ${cache(s.llc)}`);
  for (const t of s.targets)
    lines.push(
      `  ${t.target}: ${t.reads} reads (${t.bytesRead} B), ${t.writes} writes (${t.bytesWritten} B), queueing ${t.queueNs.toFixed(0)} ns`,
    );
  for (const w of s.windows) lines.push(trafficLine(`window ${w.window}`, w));
  for (const r of s.regions) lines.push(trafficLine(`region ${r.region}`, r));
  return lines.join('\n');
}
