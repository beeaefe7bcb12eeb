// The timing model: what a data access costs a hart in cycles, and the memory traffic it causes.
// Each hart has a private L1 and L2 and shares the LLC; a miss everywhere becomes a memory read of
// its target (DRAM, or the CXL device that the decode says owns the line), whose latency is the
// target's load-to-use latency and whose bandwidth is a queue: a target serves one 64-byte line
// per 64 / bandwidth ns, so requests issued faster wait. Each hart has a number of miss status
// holding registers (MSHRs): loads block until their data arrives, while stores (write-allocate,
// through a store buffer) and prefetches only occupy an MSHR. A stride prefetcher watches the
// hart's L1 misses and, once a stride repeats, fetches ahead into the L2, so one hart can stream at
// min(bandwidth, MSHRs x 64 B / latency) as real cores do. Dirty lines leaving the LLC are memory
// writes. Owns the cycle arithmetic and the counters; the caches are hierarchy.ts, the address ->
// target mapping is given by the machine (classify).

import { type CacheGeometry, LINE_BYTES, SetAssocCache } from './cache.js';
import { CacheHierarchy } from './hierarchy.js';

export interface TimingParams {
  /** Core clock: cycles per ns. */
  cpuGHz: number;
  l1: CacheGeometry & { latencyCycles: number };
  l2: CacheGeometry & { latencyCycles: number };
  llc: CacheGeometry & { latencyCycles: number };
  /** Outstanding misses per hart (loads, store fills, prefetches). */
  mshrs: number;
  /** Lines the prefetcher runs ahead of a detected stream (0 = no prefetcher). */
  prefetchDegree: number;
}

export const DEFAULT_TIMING: TimingParams = {
  cpuGHz: 2,
  l1: { sizeBytes: 32 * 1024, ways: 8, latencyCycles: 4 },
  l2: { sizeBytes: 1024 * 1024, ways: 16, latencyCycles: 14 },
  llc: { sizeBytes: 8 * 1024 * 1024, ways: 16, latencyCycles: 40 },
  mshrs: 16,
  prefetchDegree: 15,
};

/** Something with a bandwidth that lines queue for: a target, or a link several targets share. */
export interface BandwidthLimit {
  name: string;
  /** MB/s (10^6 bytes per second), as HMAT and CDAT state them. */
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

/**
 * A memory target: DRAM or one CXL device, with its load-to-use latency and bandwidth, and the
 * shared parts of its path (host bridge, switches) whose bandwidth it competes for.
 */
export interface MemoryTarget extends BandwidthLimit {
  readLatencyNs: number;
  writeLatencyNs: number;
  shared?: readonly BandwidthLimit[];
}

/** Traffic and queueing of one target. */
export interface TargetCounters {
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
  /** Total ns requests waited for the target to be free. */
  queueNs: number;
}

/** One bandwidth limit's queue: when it can start its next line. */
class LinkQueue {
  nextFreeNs = 0;
  readonly readNsPerLine: number;
  readonly writeNsPerLine: number;
  constructor(readonly limit: BandwidthLimit) {
    // MB/s = bytes per us: a 64-byte line takes 64 / (MB/s / 1000) ns.
    this.readNsPerLine = (LINE_BYTES * 1000) / limit.readBandwidthMBs;
    this.writeNsPerLine = (LINE_BYTES * 1000) / limit.writeBandwidthMBs;
  }
}

/**
 * A target's queue and the queues of the links it shares, in the order the data crosses them (the
 * device first, then each shared part up to the host bridge): a tandem of stages, each taking a
 * line when the line is ready there and the stage is free. So two devices below one switch each
 * work at their own rate while the switch's rate caps their sum.
 */
class TargetQueue {
  readonly counters: TargetCounters = { reads: 0, writes: 0, bytesRead: 0, bytesWritten: 0, queueNs: 0 };
  constructor(
    readonly target: MemoryTarget,
    /** The target's own queue first, then the shared parts of its path bottom-up. */
    private readonly queues: readonly LinkQueue[],
  ) {}

  /** When the line has passed every stage (ns), for a request issued at `nowNs`. */
  private start(nowNs: number, write: boolean): number {
    let t = nowNs;
    let waited = 0;
    for (const q of this.queues) {
      if (q.nextFreeNs > t) {
        waited += q.nextFreeNs - t;
        t = q.nextFreeNs;
      }
      q.nextFreeNs = t + (write ? q.writeNsPerLine : q.readNsPerLine);
    }
    this.counters.queueNs += waited;
    return t;
  }

  /** A line read issued at `nowNs`: when its data arrives. */
  read(nowNs: number): number {
    const start = this.start(nowNs, false);
    this.counters.reads++;
    this.counters.bytesRead += LINE_BYTES;
    return start + this.target.readLatencyNs;
  }

  /** A line written back at `nowNs` (nobody waits for it; it takes the path's time). */
  write(nowNs: number): void {
    this.start(nowNs, true);
    this.counters.writes++;
    this.counters.bytesWritten += LINE_BYTES;
  }
}

export class TimingError extends Error {
  override readonly name = 'TimingError';
}

/** The model of a whole machine: the shared LLC, the targets, one HartTiming per hart. */
export class TimingModel {
  readonly params: TimingParams;
  readonly llc: SetAssocCache;
  readonly harts: HartTiming[];
  private readonly queues = new Map<MemoryTarget, TargetQueue>();
  private readonly links = new Map<BandwidthLimit, LinkQueue>();

  /**
   * `classify(pa)` names the target of a physical address; null for addresses that are not
   * memory (they are not modelled).
   */
  constructor(
    params: TimingParams,
    harts: number,
    readonly classify: (pa: number) => MemoryTarget | null,
    /** Told of every line read from or written to memory (the machine attributes it to windows and regions). */
    readonly onMemory: ((pa: number, bytes: number, write: boolean) => void) | null = null,
  ) {
    checkParams(params);
    this.params = params;
    this.llc = new SetAssocCache('LLC', params.llc);
    this.harts = Array.from({ length: harts }, (_, i) => new HartTiming(this, i));
  }

  queueOf(t: MemoryTarget): TargetQueue {
    let q = this.queues.get(t);
    if (q === undefined) {
      q = new TargetQueue(t, [new LinkQueue(t), ...(t.shared ?? []).map((l) => this.linkQueue(l))]);
      this.queues.set(t, q);
    }
    return q;
  }

  private linkQueue(l: BandwidthLimit): LinkQueue {
    let q = this.links.get(l);
    if (q === undefined) {
      q = new LinkQueue(l);
      this.links.set(l, q);
    }
    return q;
  }

  /** Per-target traffic, in the order targets were first touched. */
  targetCounters(): { target: string; counters: TargetCounters }[] {
    return [...this.queues.values()].map((q) => ({ target: q.target.name, counters: { ...q.counters } }));
  }
}

/** One hart's caches, MSHRs and prefetcher. */
export class HartTiming {
  readonly caches: CacheHierarchy;
  /** Line -> cycle its data arrives, for misses in flight (loads done, store fills, prefetches). */
  private readonly inFlight = new Map<number, number>();
  private lastMissLine = -1;
  private lastStride = 0;
  /** Stall cycles this hart has been charged. */
  stallCycles = 0;
  prefetches = 0;

  constructor(
    private readonly model: TimingModel,
    readonly hartId: number,
  ) {
    const p = model.params;
    this.caches = new CacheHierarchy({ l1: p.l1, l2: p.l2 }, model.llc, `hart ${hartId}`);
  }

  /**
   * A data access of `size` bytes at physical `pa` issued at cycle `now`; returns the stall cycles
   * beyond the instruction's own cycle. A `dependent` load (its address came from the previous
   * load) pays the full load-to-use latency of the level that serves it; other loads overlap with
   * the work around them, as an out-of-order core's do, and wait only for data still on its way. A
   * store waits for nothing but a free MSHR.
   */
  access(pa: number, size: number, write: boolean, now: number, dependent = false): number {
    if (this.model.classify(pa) === null) return 0; // not memory (MMIO): not modelled, not cached
    const first = Math.floor(pa / LINE_BYTES);
    const last = Math.floor((pa + size - 1) / LINE_BYTES);
    let stall = this.line(first, write, now, dependent);
    if (last !== first) stall = Math.max(stall, this.line(last, write, now + stall, dependent));
    this.stallCycles += stall;
    return stall;
  }

  /**
   * An uncacheable access (Svpbmt NC/IO): straight to its target, never cached; a load waits for
   * the data, a store for nothing.
   */
  uncached(pa: number, write: boolean, now: number): number {
    const t = this.model.classify(pa);
    if (t === null) return 0;
    const q = this.model.queueOf(t);
    const ghz = this.model.params.cpuGHz;
    this.model.onMemory?.(pa, LINE_BYTES, write);
    if (write) {
      q.write(now / ghz);
      return 0;
    }
    const stall = Math.max(0, Math.ceil(q.read(now / ghz) * ghz - now) - 1);
    this.stallCycles += stall;
    return stall;
  }

  private line(line: number, write: boolean, now: number, dependent: boolean): number {
    const p = this.model.params;
    const served = this.caches.access(line, write);
    this.writeBackAll(now);
    if (served !== 1) this.train(line, now);
    // A line still on its way (a prefetch or an earlier miss) costs the wait for it.
    const ready = this.inFlight.size === 0 ? undefined : this.inFlight.get(line);
    if (ready !== undefined) {
      if (ready <= now) this.inFlight.delete(line);
      else if (!write) return Math.max(ready - now, dependent ? p.l1.latencyCycles : 1) - 1;
    }
    if (served < 4) {
      if (write || !dependent) return 0;
      return (served === 1 ? p.l1 : served === 2 ? p.l2 : p.llc).latencyCycles - 1;
    }
    // From memory: wait for a free MSHR, then the target's queue and latency.
    const issue = now + this.waitForMshr(now);
    const arrive = this.memoryRead(line, issue);
    if (arrive === null) return 0; // not memory (MMIO): not modelled
    this.inFlight.set(line, arrive);
    if (write) return issue - now; // the store buffer hides the fill; only a full MSHR file stalls
    return Math.max(0, arrive - now - 1);
  }

  /** Cycles until an MSHR is free at `now` (0 if one is). */
  private waitForMshr(now: number): number {
    let busy = 0;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [l, r] of this.inFlight) {
      if (r <= now) this.inFlight.delete(l);
      else {
        busy++;
        if (r < earliest) earliest = r;
      }
    }
    return busy < this.model.params.mshrs ? 0 : earliest - now;
  }

  /** A memory read of `line` issued at cycle `at`: the cycle its data arrives, or null (not memory). */
  private memoryRead(line: number, at: number): number | null {
    const t = this.model.classify(line * LINE_BYTES);
    if (t === null) return null;
    const ghz = this.model.params.cpuGHz;
    this.model.onMemory?.(line * LINE_BYTES, LINE_BYTES, false);
    return Math.ceil(this.model.queueOf(t).read(at / ghz) * ghz);
  }

  private writeBackAll(now: number): void {
    const n = this.caches.memoryWriteCount;
    if (n === 0) return;
    const ghz = this.model.params.cpuGHz;
    for (let i = 0; i < n; i++) {
      const pa = this.caches.memoryWrites[i]! * LINE_BYTES;
      const t = this.model.classify(pa);
      if (t === null) continue;
      this.model.onMemory?.(pa, LINE_BYTES, true);
      this.model.queueOf(t).write(now / ghz);
    }
  }

  /** The stride prefetcher: two L1 misses at the same stride start fetching ahead into the L2. */
  private train(line: number, now: number): void {
    const stride = line - this.lastMissLine;
    this.lastMissLine = line;
    const repeat = stride !== 0 && stride === this.lastStride && Math.abs(stride) <= 64;
    this.lastStride = stride;
    if (!repeat) return;
    const p = this.model.params;
    for (let k = 1; k <= p.prefetchDegree; k++) {
      const target = line + k * stride;
      if (this.inFlight.has(target) || this.caches.l1.contains(target)) continue;
      if (this.waitForMshr(now) > 0) return; // no free MSHR: prefetches never stall the hart
      if (!this.caches.prefetch(target)) continue; // already in the L2/LLC
      this.writeBackAll(now);
      const arrive = this.memoryRead(target, now);
      if (arrive === null) return;
      this.inFlight.set(target, arrive);
      this.prefetches++;
    }
  }
}

function checkParams(p: TimingParams): void {
  if (!(p.cpuGHz > 0 && p.cpuGHz <= 10)) throw new TimingError(`timing.cpuGHz must be in (0, 10], got ${p.cpuGHz}`);
  for (const [k, c] of [
    ['l1', p.l1],
    ['l2', p.l2],
    ['llc', p.llc],
  ] as const)
    if (!Number.isInteger(c.latencyCycles) || c.latencyCycles < 1 || c.latencyCycles > 1000)
      throw new TimingError(`timing.${k}.latencyCycles must be an integer 1..1000, got ${c.latencyCycles}`);
  if (!Number.isInteger(p.mshrs) || p.mshrs < 1 || p.mshrs > 256)
    throw new TimingError(`timing.mshrs must be an integer 1..256, got ${p.mshrs}`);
  if (!Number.isInteger(p.prefetchDegree) || p.prefetchDegree < 0 || p.prefetchDegree > 64)
    throw new TimingError(`timing.prefetchDegree must be an integer 0..64, got ${p.prefetchDegree}`);
}
