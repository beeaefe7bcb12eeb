// The router of one fixed memory window: compiles the committed decoder state below the window
// into closed-form routes and resolves HPAs with them. Compiles only when told that a decoder
// committed or un-committed (lazily, on the next resolve); never touches backing bytes.
//
// A compiled route splits the window at every committed decoder boundary into intervals. In an
// interval each component uses one decoder, so the choice of endpoint below each host bridge is
// periodic in the HPA with period P = lcm(G*W) of the interleaving decoders: one small table per
// root slot (at most 3 * 2^18 / 256 = 3072 entries). Resolve is then: root slot (XOR parity, one
// modulo on the window offset, a divide by 3 for 3/6/12), a table entry, and the endpoint's DPA
// (shift/mask, or one divide for 3-family endpoints).

import { targetIndexOf } from '../cxl-math/routing.js';
import type { BackingStore } from '../memory/store.js';
import type { DecoderView } from './hdm-decoder.js';
import type { Dport, HostBridge } from './components.js';
import type { PortChild } from './components.js';
import type { Type3Device, Partition } from './components.js';
import type { CxlWindow } from './window.js';

/** Same shape as src/memory's RouteResult (store, offset inside it, contiguous bytes). */
export interface RouteOut {
  store: BackingStore | null;
  offset: number;
  run: number;
}

/** One endpoint decoder as the router uses it. */
export interface EndpointRoute {
  device: Type3Device;
  decoder: number;
  base: number;
  size: number;
  ways: number;
  granularity: number;
  dpaBase: number;
  partition: Partition;
  store: BackingStore;
  /** Store offset of dpaBase. */
  storeBase: number;
  /** granularity * ways (bytes of HPA per DPA granule). */
  chunk: number;
  /** Power-of-two ways: chunk - 1 and granularity - 1 as low-half masks. */
  pow2: boolean;
  chunkMask: number;
  granMask: number;
}

interface Interval {
  lo: number;
  hi: number;
  /** Table period in bytes and entry granularity (run limit); gran = hi - lo when nothing interleaves. */
  period: number;
  gran: number;
  /** Per root slot: endpoint index per entry (-1 = no decode), or null when nothing routes. */
  tables: (Int16Array | null)[];
  /** Period and granule are powers of two <= 2^28 (low-half bit arithmetic applies). */
  pow2: boolean;
  periodMask: number;
  granShift: number;
  /** gran - 1 when gran is a power of two (an interleave granule), else -1 (no interleave). */
  granMask: number;
}

const NO_INTERVAL: Interval = {
  lo: 0,
  hi: 0,
  period: 1,
  gran: 1,
  tables: [],
  pow2: false,
  periodMask: 0,
  granShift: 0,
  granMask: -1,
};

const isPow2Le28 = (n: number) => Number.isInteger(n) && n > 0 && n <= 2 ** 28 && (n & (n - 1)) === 0;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Which decoder of a component covers `hpa` (committed, in range), by parsed views. */
function covering(views: readonly DecoderView[], hpa: number): DecoderView | undefined {
  for (const d of views) if (d.committed && hpa >= d.base && hpa < d.base + d.size) return d;
  return undefined;
}

export class WindowRoute {
  readonly window: CxlWindow;
  /** Compiled endpoints (indexed by table entries). */
  endpoints: EndpointRoute[] = [];
  private intervals: Interval[] = [];
  /** Last interval hit (intervals never overlap; NO_INTERVAL matches nothing). */
  private last: Interval = NO_INTERVAL;
  private readonly rootWays: number;
  /** Modulo root with power-of-two HBIW: slot = (lo32 >>> rootShift) & rootMask. */
  private readonly rootPow2: boolean;
  private readonly rootShift: number;
  private readonly rootMask: number;
  private dirty = true;
  /** Number of compiles so far (tests and bench). */
  compiles = 0;

  constructor(window: CxlWindow) {
    this.window = window;
    this.rootWays = window.ways;
    this.rootPow2 = window.arithmetic === 'modulo' && isPow2Le28(window.ways);
    this.rootShift = Math.log2(window.granularity) | 0;
    this.rootMask = (window.ways - 1) | 0;
  }

  /** Mark the route stale; the next resolve recompiles. */
  invalidate(): void {
    this.dirty = true;
  }

  /**
   * WindowRouter: resolve absolute `hpa` into (store, offset, run). False = no committed decode.
   * Power-of-two intervals work on the low 32 bits (`hpa >>> 0` is ToUint32: exact mod 2^32 for
   * integers < 2^53; every base is 256 MiB aligned and every period <= 256 KiB, so the selector
   * bits all sit in the low half). 3/6/12 and non-interleaved intervals take Number arithmetic.
   */
  resolve(hpa: number, out: RouteOut): boolean {
    if (this.dirty) this.compile();
    let iv = this.last;
    if (!(hpa >= iv.lo && hpa < iv.hi)) {
      const ivs = this.intervals;
      let found: Interval | undefined;
      for (let i = 0; i < ivs.length; i++) {
        const x = ivs[i]!;
        if (hpa < x.hi) {
          if (hpa >= x.lo) found = x;
          break;
        }
      }
      if (found === undefined) return false;
      this.last = iv = found;
    }
    const lo = hpa >>> 0;
    const slot =
      this.rootWays === 1 ? 0 : this.rootPow2 ? (lo >>> this.rootShift) & this.rootMask : this.window.rootSlot(hpa);
    const table = iv.tables[slot];
    if (table === null || table === undefined) return false;
    let t: number;
    let e: number;
    if (iv.pow2) {
      t = lo & iv.periodMask;
      e = table[t >>> iv.granShift]!;
    } else {
      // 3-family periods: the offset is below 2^31 in every realistic interval (int remainder).
      const o = hpa - iv.lo;
      t = o < 2147483648 ? (o | 0) % iv.period : o % iv.period;
      e = table[Math.floor(t / iv.gran)]!;
    }
    if (e < 0) return false;
    const ep = this.endpoints[e]!;
    const off = hpa - ep.base;
    out.store = ep.store;
    if (ep.ways === 1) out.offset = ep.storeBase + off;
    else if (ep.pow2) {
      // off - (off mod chunk) is a multiple of chunk: the division is exact.
      out.offset = ep.storeBase + ((off - (lo & ep.chunkMask)) / ep.chunk) * ep.granularity + (lo & ep.granMask);
    } else {
      out.offset = ep.storeBase + Math.floor(off / ep.chunk) * ep.granularity + (lo & ep.granMask);
    }
    const run = iv.granMask >= 0 ? iv.gran - (t & iv.granMask) : iv.hi - hpa;
    const left = iv.hi - hpa;
    out.run = Math.min(run, left);
    return true;
  }

  /** Compile the committed decoder state below this window. */
  compile(): void {
    this.dirty = false;
    this.compiles++;
    const w = this.window;
    const endpoints: EndpointRoute[] = [];
    const epIndex = new Map<string, number>();
    // Parse every reachable component's decoders once.
    const views = new Map<object, DecoderView[]>();
    const bounds = new Set<number>([w.base, w.base + w.size]);
    const visit = (c: HostBridge | PortChild): void => {
      const hdm = c.hdm;
      if (hdm) {
        const vs: DecoderView[] = [];
        const active = c.kind !== 'type3' || (hdm.enabled && hdm.memEnabled);
        for (let i = 0; i < hdm.count; i++) {
          const v = hdm.view(i);
          if (!v.committed || !active) continue;
          vs.push(v);
          for (const b of [v.base, v.base + v.size]) if (b > w.base && b < w.base + w.size) bounds.add(b);
        }
        views.set(c, vs);
      }
      if (c.kind === 'hostBridge')
        for (const p of c.rootPorts) {
          if (p.child) visit(p.child);
        }
      else if (c.kind === 'switch')
        for (const p of c.downstreamPorts) {
          if (p.child) visit(p.child);
        }
    };
    for (const hb of new Set(w.targets)) visit(hb);
    const cuts = [...bounds].sort((a, b) => a - b);

    const endpointOf = (dev: Type3Device, d: DecoderView): number => {
      const key = `${dev.name}/${d.index}`;
      let i = epIndex.get(key);
      if (i !== undefined) return i;
      const dpaBase = dev.hdm.dpaBase(d.index);
      const loc = dev.locate(dpaBase);
      if (!loc) return -1;
      i = endpoints.length;
      endpoints.push({
        device: dev,
        decoder: d.index,
        base: d.base,
        size: d.size,
        ways: d.ways! | 0,
        granularity: d.granularity! | 0,
        dpaBase,
        partition: loc.partition,
        store: loc.store,
        storeBase: loc.offset,
        chunk: (d.granularity! * d.ways!) | 0,
        pow2: isPow2Le28(d.granularity! * d.ways!),
        chunkMask: (d.granularity! * d.ways! - 1) | 0,
        granMask: (d.granularity! - 1) | 0,
      });
      epIndex.set(key, i);
      return i;
    };

    // Walk below a host bridge at `hpa` with the parsed decoders: endpoint index or -1.
    const walk = (c: HostBridge | PortChild, hpa: number): number => {
      for (let depth = 0; depth < 64; depth++) {
        if (c.kind === 'type3') {
          const d = covering(views.get(c) ?? [], hpa);
          return d ? endpointOf(c, d) : -1;
        }
        let port: Dport | undefined;
        if (c.kind === 'hostBridge' && c.hdm === null) port = c.rootPorts[0];
        else {
          const d = covering(views.get(c) ?? [], hpa);
          if (!d) return -1;
          port = c.portById(d.targets[targetIndexOf(hpa - d.base, d.ways!, d.granularity!)]!);
        }
        if (!port?.child) return -1;
        c = port.child;
      }
      return -1;
    };

    const intervals: Interval[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const lo = cuts[k]!;
      const hi = cuts[k + 1]!;
      // Period and granule of the decoders in effect in [lo, hi).
      let period = 1;
      let gran = Infinity;
      if (w.ways > 1) gran = w.granularity;
      for (const vs of views.values()) {
        const d = covering(vs, lo);
        if (!d || d.ways === 1) continue;
        const p = d.granularity! * d.ways!;
        period = (period / gcd(period, p)) * p;
        if (d.granularity! < gran) gran = d.granularity!;
      }
      if (gran === Infinity) {
        gran = hi - lo;
        period = gran;
      } else if (period < gran) period = gran;
      const entries = period / gran;
      const tables: (Int16Array | null)[] = [];
      for (let s = 0; s < w.ways; s++) {
        const hb = w.targets[s]!;
        const t = new Int16Array(entries);
        let any = false;
        for (let e = 0; e < entries; e++) {
          const v = walk(hb, lo + e * gran);
          t[e] = v;
          if (v >= 0) any = true;
        }
        tables.push(any ? t : null);
      }
      // Small integers are stored as int32 (`| 0`) so remainders and masks stay integer operations.
      if (period < 2 ** 30) period |= 0;
      if (gran < 2 ** 30) gran |= 0;
      const pow2 = isPow2Le28(period) && isPow2Le28(gran);
      if (tables.some((t) => t !== null))
        intervals.push({
          lo,
          hi,
          period,
          gran,
          tables,
          pow2,
          periodMask: pow2 ? (period - 1) | 0 : 0,
          granShift: pow2 ? Math.log2(gran) | 0 : 0,
          granMask: isPow2Le28(gran) && gran <= 16384 ? (gran - 1) | 0 : -1,
        });
    }
    this.endpoints = endpoints;
    this.intervals = intervals;
    this.last = NO_INTERVAL;
  }
}
