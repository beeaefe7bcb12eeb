// The placement audit: stamp 8-byte words through the HPA space (the memory AddressSpace, or the
// router when there is none), then read every device store directly and prove each word sits at
// the device and DPA the spec says. Full mode checks every word of the range from the device side
// (expected HPA by the spec's closed form at the device's routed slot); sampled mode checks the
// first/last 2*W*16 KiB plus N random words against the reference decoder. On file-backed media it
// saves the bytes it will overwrite and restores them afterwards (a scratch copy) unless `force`.

import type { AddressSpace } from '../memory/address-space.js';
import { FileBackedStore } from '../memory/file-store.js';
import type { BackingStore } from '../memory/store.js';
import { xorHpaOf } from '../cxl-math/xor.js';
import { referenceDecode } from './reference-decoder.js';
import type { Region, RegionManager } from './region.js';
import type { RouteOut, WindowRoute } from './router.js';
import type { TopologyCore } from './topology.js';
import type { Type3Device } from './components.js';
import { auditPattern, type PatternAudit } from './pattern-audit.js';

export interface AuditOptions {
  /** Region name; default every region. */
  region?: string;
  /**
   * 'full' checks every word (of `length` bytes from `offset`, default the whole region);
   * 'pattern' writes nothing and checks the guest's seeded pattern (pattern-audit.ts, `patternSeed`).
   */
  mode?: 'full' | 'sampled' | 'pattern';
  /** Pattern mode: the seed the guest wrote its pattern with. */
  patternSeed?: bigint;
  /** Full mode: bytes to audit (a multiple of G*W); default the rest of the region from `offset`. */
  length?: number;
  /** Full mode: where to start, in bytes from the region base (a multiple of G*W); default 0. */
  offset?: number;
  /** Sampled mode: random words besides the first/last 2*W*16 KiB (default 100000). */
  samples?: number;
  seed?: number;
  /** Stamp through 'addressSpace' (default when the topology has one) or 'router'. */
  via?: 'addressSpace' | 'router';
  /** Overwrite file-backed media instead of restoring it afterwards. */
  force?: boolean;
  /** Mismatches kept in the report (all are counted). Default 64. */
  maxMismatches?: number;
}

export interface AuditMismatch {
  hpa: number;
  expected: { memdev: string; dpa: number } | null;
  /** The 64-bit word found there (hex), and the HPA whose stamp it is, if it is a stamp. */
  found: { value: string; stampOf?: number } | { fault: string };
}

export interface RegionAudit {
  region: string;
  mode: 'full' | 'sampled' | 'pattern';
  ways: number;
  granularity: number;
  words: number;
  bytesChecked: number;
  /** Bytes verified per memdev. */
  perDevice: Record<string, number>;
  mismatchCount: number;
  mismatches: AuditMismatch[];
  /** True when file-backed media was saved and restored (scratch copy). */
  restoredMedia: boolean;
  seconds: number;
  /** Pattern mode: the pages found whole and in place (mismatches are misplaced guest words). */
  pattern?: PatternAudit;
}

export interface AuditReport {
  ok: boolean;
  regions: RegionAudit[];
}

const TWO32 = 2 ** 32;
const CHUNK = 1 << 20;

/** The stamp of `hpa`: low 32 bits of hpa, high = hpa[51:32] | tag << 20 (tag 1..0xfff). */
function stampHi(hpa: number, tag: number): number {
  return (Math.floor(hpa / TWO32) | (tag << 20)) >>> 0;
}

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** xorshift32, uniform in [0, 1). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / TWO32;
  }
}

/** Write `src` at `hpa` through the router (resolve + store.write per contiguous run). */
function writeViaRouter(router: WindowRoute, hpa: number, src: Uint8Array, out: RouteOut): boolean {
  let done = 0;
  while (done < src.length) {
    if (!router.resolve(hpa + done, out)) return false;
    const n = Math.min(out.run, src.length - done);
    out.store!.write(out.offset, src.subarray(done, done + n));
    done += n;
  }
  return true;
}

export function audit(
  t: TopologyCore,
  regions: RegionManager,
  as: AddressSpace | null,
  o: AuditOptions = {},
): AuditReport {
  const list = o.region ? [regions.regions.get(o.region)] : [...regions.regions.values()];
  if (list.some((r) => r === undefined)) throw new RangeError(`audit: region ${o.region} does not exist`);
  const out: RegionAudit[] = [];
  for (const r of list as Region[]) out.push(auditRegion(t, as, r, o));
  return { ok: out.every((x) => x.mismatchCount === 0), regions: out };
}

function patternRegion(r: Region, o: AuditOptions, t0: number): RegionAudit {
  if (o.patternSeed === undefined) throw new RangeError('audit: pattern mode needs patternSeed');
  const p = auditPattern(r, o.patternSeed, o.maxMismatches ?? 64);
  const key = BigInt(p.key);
  return {
    region: r.name,
    mode: 'pattern',
    ways: r.ways,
    granularity: r.granularity,
    words: p.words,
    bytesChecked: p.words * 8,
    perDevice: p.perDevice,
    mismatchCount: p.misplacedCount,
    mismatches: p.misplaced.map((m) => ({
      hpa: m.at,
      expected: { memdev: m.memdev, dpa: m.dpa },
      found: { value: `0x${(BigInt(m.wordOf) ^ key).toString(16).padStart(16, '0')}`, stampOf: m.wordOf },
    })),
    restoredMedia: false,
    seconds: (performance.now() - t0) / 1000,
    pattern: p,
  };
}

function storeOf(d: Type3Device, mode: 'ram' | 'pmem'): BackingStore {
  return (mode === 'ram' ? d.volatileStore : d.persistentStore)!;
}

function auditRegion(t: TopologyCore, as: AddressSpace | null, r: Region, o: AuditOptions): RegionAudit {
  const t0 = performance.now();
  const mode = o.mode ?? 'sampled';
  if (mode === 'pattern') return patternRegion(r, o, t0);
  const via = o.via ?? (as ? 'addressSpace' : 'router');
  const tag = ((o.seed ?? 1) % 0xfff) + 1;
  const maxKeep = o.maxMismatches ?? 64;
  const w = r.window;
  const router = t.routers[w.index]!;
  const routeOut: RouteOut = { store: null, offset: 0, run: 0 };
  const res: RegionAudit = {
    region: r.name,
    mode,
    ways: r.ways,
    granularity: r.granularity,
    words: 0,
    bytesChecked: 0,
    perDevice: {},
    mismatchCount: 0,
    mismatches: [],
    restoredMedia: false,
    seconds: 0,
  };
  for (const tg of r.targets) res.perDevice[tg.memdev.name] = 0;
  const miss = (m: AuditMismatch) => {
    res.mismatchCount++;
    if (res.mismatches.length < maxKeep) res.mismatches.push(m);
  };
  const decodeFound = (lo: number, hi: number): AuditMismatch['found'] => {
    const value = '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
    return hi >>> 20 === tag ? { value, stampOf: (hi & 0xfffff) * TWO32 + lo } : { value };
  };

  // Words to stamp (sampled) or the length (full).
  let length = r.size;
  const start = o.offset ?? 0;
  let sample: Float64Array | null = null;
  if (mode === 'full') {
    length = o.length ?? r.size - start;
    const gw = r.granularity * r.ways;
    if (start < 0 || start % gw !== 0 || length <= 0 || start + length > r.size || length % gw !== 0) {
      throw new RangeError(
        `audit: offset ${start} and length ${length} must be multiples of G*W = ${gw} within the region size ${r.size}`,
      );
    }
  } else {
    const edge = Math.min(2 * r.ways * 16384, r.size);
    const n = o.samples ?? 100_000;
    sample = new Float64Array(2 * (edge / 8) + n);
    let k = 0;
    for (let off = 0; off < edge; off += 8) sample[k++] = r.base + off;
    for (let off = r.size - edge; off < r.size; off += 8) sample[k++] = r.base + off;
    const rng = new Rng(o.seed ?? 1);
    const words = r.size / 8;
    for (let i = 0; i < n; i++) sample[k++] = r.base + Math.floor(rng.next() * words) * 8;
  }

  // Scratch copy of file-backed media: save what the audit overwrites (whole DPA ranges in full
  // mode, the 4 KiB pages holding sampled words otherwise) and restore it afterwards.
  const saved: { store: BackingStore; off: number; bytes: Uint8Array }[] = [];
  const fileBacked = r.targets.some((tg) => storeOf(tg.memdev, r.mode) instanceof FileBackedStore);
  if (fileBacked && !o.force) {
    res.restoredMedia = true;
    if (mode === 'full') {
      for (const tg of r.targets) {
        const st = storeOf(tg.memdev, r.mode);
        const off = tg.dpaBase - (r.mode === 'ram' ? 0 : tg.memdev.volatileBytes) + start / r.ways;
        const bytes = new Uint8Array(length / r.ways);
        st.read(off, bytes);
        saved.push({ store: st, off, bytes });
      }
    } else {
      const seen = new Set<string>();
      for (let i = 0; i < sample!.length; i++) {
        const ref = referenceDecode(t.windows, sample![i]!);
        if (!ref.ok) continue;
        const st = ref.partition === 'volatile' ? ref.memdev.volatileStore! : ref.memdev.persistentStore!;
        if (!(st instanceof FileBackedStore)) continue;
        const page = Math.floor(ref.storeOffset / 4096) * 4096;
        const key = `${st.name}/${page}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const bytes = new Uint8Array(4096);
        st.read(page, bytes);
        saved.push({ store: st, off: page, bytes });
      }
    }
  }
  try {
    if (mode === 'full') {
      // Stamp every word through the HPA space, 1 MiB at a time.
      const buf = new Uint8Array(Math.min(CHUNK, length));
      // Host is little-endian (the arena requires it): word k = u32[2k] (low), u32[2k+1] (high).
      const u32 = new Uint32Array(buf.buffer);
      for (let off = start; off < start + length; off += buf.length) {
        const n = Math.min(buf.length, start + length - off);
        const hpa0 = r.base + off;
        let lo = hpa0 % TWO32;
        let hi = stampHi(hpa0, tag);
        for (let k = 0; k < n / 4; k += 2) {
          u32[k] = lo;
          u32[k + 1] = hi;
          lo += 8;
          if (lo >= TWO32) {
            lo -= TWO32;
            hi++;
          }
        }
        const chunk = buf.subarray(0, n);
        const okWrite =
          via === 'addressSpace' ? as!.writeBytes(hpa0, chunk) === 0 : writeViaRouter(router, hpa0, chunk, routeOut);
        if (!okWrite)
          miss({
            hpa: hpa0,
            expected: null,
            found: { fault: `write of ${n} bytes at 0x${hpa0.toString(16)} faulted (no committed decode)` },
          });
      }
      // Read every device store back; expected HPA by the spec's closed form at the routed slot.
      const G = r.granularity;
      const W = r.ways;
      const devStart = start / W;
      const devEnd = devStart + length / W;
      for (const tg of r.targets) {
        const st = storeOf(tg.memdev, r.mode);
        const sBase = tg.dpaBase - (r.mode === 'ram' ? 0 : tg.memdev.volatileBytes);
        const slot = tg.routedSlot;
        for (let off = devStart; off < devEnd; off += buf.length) {
          const n = Math.min(buf.length, devEnd - off);
          const chunk = buf.subarray(0, n);
          st.read(sBase + off, chunk);
          // Expected HPA per granule (closed form), then contiguous words inside it.
          let good = 0;
          for (let g0 = 0; g0 < n; g0 += G) {
            const h0 = xorHpaOf(off + g0, slot, r.base, W, G, w.xorMaps, w.xorMaps.length);
            const lo0 = h0 % TWO32;
            const hi0 = stampHi(h0, tag);
            const end = Math.min(g0 + G, n) / 4;
            for (let k = g0 / 4, j = 0; k < end; k += 2, j += 8) {
              if (u32[k] === lo0 + j && u32[k + 1] === hi0) {
                good++;
                continue;
              }
              const dOff = off + g0 + j;
              miss({
                hpa: h0 + j,
                expected: { memdev: tg.memdev.name, dpa: tg.dpaBase + dOff },
                found: decodeFound(u32[k]!, u32[k + 1]!),
              });
            }
          }
          res.words += n / 8;
          res.perDevice[tg.memdev.name]! += good * 8;
        }
      }
    } else {
      const s = sample!;
      const word = new Uint8Array(8);
      const wdv = new DataView(word.buffer);
      for (let i = 0; i < s.length; i++) {
        const h = s[i]!;
        const lo = h % TWO32;
        const hi = stampHi(h, tag);
        if (via === 'addressSpace') {
          const f = as!.store(h, 8, lo, hi);
          if (f !== 0) miss({ hpa: h, expected: null, found: { fault: `store faulted (${f})` } });
        } else {
          wdv.setUint32(0, lo, true);
          wdv.setUint32(4, hi, true);
          if (!writeViaRouter(router, h, word, routeOut))
            miss({ hpa: h, expected: null, found: { fault: 'no committed decode' } });
        }
      }
      for (let i = 0; i < s.length; i++) {
        const h = s[i]!;
        const ref = referenceDecode(t.windows, h);
        res.words++;
        if (!ref.ok) {
          miss({ hpa: h, expected: null, found: { fault: ref.reason } });
          continue;
        }
        const st = ref.partition === 'volatile' ? ref.memdev.volatileStore! : ref.memdev.persistentStore!;
        const lo = st.readU32(ref.storeOffset);
        const hi = st.readU32(ref.storeOffset + 4);
        if (lo !== h % TWO32 || hi !== stampHi(h, tag))
          miss({ hpa: h, expected: { memdev: ref.memdev.name, dpa: ref.dpa }, found: decodeFound(lo, hi) });
        else res.perDevice[ref.memdev.name] = (res.perDevice[ref.memdev.name] ?? 0) + 8;
      }
    }
  } finally {
    for (const s of saved) s.store.write(s.off, s.bytes);
  }
  res.bytesChecked = res.words * 8;
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}
