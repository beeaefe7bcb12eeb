// The guest-pattern audit: read-only proof of where a guest's own writes went. A guest (the Linux
// init's cxlemu.kmem) writes at every 8-byte word of host physical address A the value A ^ K, with
// K = seed * 0x9e3779b97f4a7c15 mod 2^64, through whatever decoders it programmed. Afterwards this
// reads every device's share of the region straight from its store and, at each word, computes the
// HPA the spec's decode maps there (closed form at the device's routed slot): a word equal to
// HPA ^ K is the guest's and in place; a word equal to B ^ K for another HPA B of the region is a
// guest word that landed at the wrong device or DPA. Nothing is written.

import { xorHpaOf } from '../cxl-math/xor.js';
import type { Region } from './region.js';
import type { BackingStore } from '../memory/store.js';
import type { Type3Device } from './components.js';

/** The multiplier that spreads a small seed over 64 bits (the golden ratio, as splitmix64's). */
export const PATTERN_MULTIPLIER = 0x9e3779b97f4a7c15n;
const MASK64 = (1n << 64n) - 1n;
const TWO32 = 2 ** 32;
const PAGE = 4096;

/** K for a seed: seed * 0x9e3779b97f4a7c15 mod 2^64. */
export function patternKey(seed: bigint): bigint {
  return (seed * PATTERN_MULTIPLIER) & MASK64;
}

/** The guest's word at `hpa` for `seed` (what a test or a second implementation writes). */
export function patternWord(seed: bigint, hpa: number): bigint {
  return BigInt(hpa) ^ patternKey(seed);
}

export interface PatternMisplaced {
  /** The HPA whose word this is (from its value). */
  wordOf: number;
  /** Where it was found: the device, DPA and the HPA the decode maps there. */
  memdev: string;
  dpa: number;
  at: number;
}

export interface PatternAudit {
  seed: string;
  key: string;
  /** Words read from the devices. */
  words: number;
  /** Pattern words found where the decode says, per memdev (bytes). */
  perDevice: Record<string, number>;
  /** 4 KiB HPA pages whose 512 words are all the guest's and in place, as [start, end) runs. */
  ranges: { start: number; end: number }[];
  wholePages: number;
  /** Pages with some, not all, of their words in place. */
  partialPages: number;
  misplacedCount: number;
  misplaced: PatternMisplaced[];
}

function storeOf(d: Type3Device, mode: 'ram' | 'pmem'): BackingStore {
  return (mode === 'ram' ? d.volatileStore : d.persistentStore)!;
}

/** Check the guest pattern of `seed` in region `r`, reading every device's share once. */
export function auditPattern(r: Region, seed: bigint, maxKeep = 64): PatternAudit {
  const key = patternKey(seed);
  const kLo = Number(key & 0xffffffffn) >>> 0;
  const kHi = Number(key >> 32n) >>> 0;
  const G = r.granularity;
  const W = r.ways;
  const w = r.window;
  const end = r.base + r.size;
  // Good words per page of the region (at most 512, so 16 bits).
  const perPage = new Uint16Array(Math.ceil(r.size / PAGE));
  const res: PatternAudit = {
    seed: `0x${seed.toString(16)}`,
    key: `0x${key.toString(16)}`,
    words: 0,
    perDevice: {},
    ranges: [],
    wholePages: 0,
    partialPages: 0,
    misplacedCount: 0,
    misplaced: [],
  };
  const buf = new Uint8Array(PAGE);
  const u32 = new Uint32Array(buf.buffer);
  // A page of device offsets covers one granule's part (G >= 4 KiB) or several granules.
  const seg = Math.min(G, PAGE);
  const share = r.size / W;
  for (const tg of r.targets) {
    const st = storeOf(tg.memdev, r.mode);
    const sBase = tg.dpaBase - (r.mode === 'ram' ? 0 : tg.memdev.volatileBytes);
    let good = 0;
    res.words += share / 8;
    for (let page = 0; page < share; page += PAGE) {
      // Never-touched media reads as zeros: nothing of the guest's there, and no need to map it.
      if (!st.mayHoldData(sBase + page)) continue;
      st.read(sBase + page, buf);
      for (let s0 = 0; s0 < PAGE; s0 += seg) {
        const off = page + s0;
        const inG = off % G;
        const h0 = xorHpaOf(off - inG, tg.routedSlot, r.base, W, G, w.xorMaps, w.xorMaps.length) + inG;
        const lo0 = h0 % TWO32;
        const hi0 = Math.floor(h0 / TWO32);
        const last = (s0 + seg) / 4;
        for (let k = s0 / 4, j = 0; k < last; k += 2, j += 8) {
          // Segments are at least 256 B and aligned, so lo0 + j never carries into the high half.
          const lo = (u32[k]! ^ kLo) >>> 0;
          const hi = (u32[k + 1]! ^ kHi) >>> 0;
          if (lo === lo0 + j && hi === hi0) {
            good++;
            perPage[Math.floor((h0 + j - r.base) / PAGE)]!++;
            continue;
          }
          const of = hi * TWO32 + lo;
          if (of >= r.base && of < end && lo % 8 === 0) {
            res.misplacedCount++;
            if (res.misplaced.length < maxKeep)
              res.misplaced.push({ wordOf: of, memdev: tg.memdev.name, dpa: tg.dpaBase + off + j, at: h0 + j });
          }
        }
      }
    }
    res.perDevice[tg.memdev.name] = good * 8;
  }
  const whole = PAGE / 8;
  for (let p = 0; p < perPage.length; p++) {
    const c = perPage[p]!;
    if (c === 0) continue;
    if (c !== whole) {
      res.partialPages++;
      continue;
    }
    res.wholePages++;
    const start = r.base + p * PAGE;
    const prev = res.ranges[res.ranges.length - 1];
    if (prev && prev.end === start) prev.end += PAGE;
    else res.ranges.push({ start, end: start + PAGE });
  }
  return res;
}
