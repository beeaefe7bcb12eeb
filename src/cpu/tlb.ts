// The data TLBs' entry format, for the interpreter: a direct-mapped page TLB (one per access kind,
// read and write) and a 256 B chunk TLB for fine-interleaved pages, each as three arrays in the
// arena (tag lo, tag hi, arena offset) so translated code reads the same entries. This file is the
// interpreter's only probe and fill; the JIT emits the same probe (jit-translate.ts,
// emitTlbProbe). It never fills entries on its own: Hart's slow paths decide what may be cached.

import { CHUNK_SIZE } from '../memory/index.js';

/** Page TLB entries (indexed by va bits 12..21): 1,024 (a Linux boot's slow exits 137k at 256, 89k at 1,024, 80k at 4,096). */
export const TLB_SIZE = 1024;
export const TLB_MASK = TLB_SIZE - 1;
/** A tag no lookup key has (keys have bits 3..11 clear, even with misalignment bits): an empty entry. */
export const TLB_EMPTY = 0x10;
/**
 * Marks a chunk write-TLB entry whose chunk holds code in some of its 16-byte granules: the plain
 * probe misses it (no key has this bit), and translated code's second look (jit-translate.ts
 * emitTlbProbe) stores through it when the granule written is clear in the entry's mask (gwTM).
 */
export const TLB_CHECKED = 0x20;
/** Fine-interleave chunk: CXL granules are >= 256 B and aligned, so a 256 B chunk is contiguous. */
export const CHUNK = CHUNK_SIZE;
export const CHUNKS_PER_PAGE = 4096 / CHUNK;
// 16,384 chunk entries cover 4 MiB of finely interleaved memory (a 1,024-entry table, 256 KiB,
// missed on every chunk of a 1 MiB sweep: region-bandwidth bench 0.2x RAM).
export const G_SIZE = 16384;
export const G_MASK = G_SIZE - 1;

/**
 * Data accesses the chunk TLB served or filled (`count`), and checked chunk write entries filled
 * (`checked`: stores next to code), by the interpreter's probes and the hart's fills. The JIT reads
 * them around a block's interpreted runs to learn where the block's data lives, and orders the
 * probes of its translation to match (chunk TLB first; for stores, the checked entry first).
 */
export const chunkUse = { count: 0, checked: 0 };

/**
 * Arena byte offset of va (lo, hi) when the page TLB (tl, th, ta) or the chunk TLB (gl, gh, ga)
 * holds it and the access is aligned (`amask` = size - 1; a misaligned key never matches a tag),
 * else -1. Small on purpose: V8 inlines it at every load and store of the interpreter.
 */
export function tlbProbe(
  tl: Int32Array,
  th: Int32Array,
  ta: Uint32Array,
  gl: Int32Array,
  gh: Int32Array,
  ga: Uint32Array,
  lo: number,
  hi: number,
  amask: number,
): number {
  const t = (lo >>> 12) & TLB_MASK;
  if (tl[t] === (lo & (-4096 | amask)) && th[t] === hi) return ta[t]! + (lo & 4095);
  return chunkProbe(gl, gh, ga, lo, hi, amask);
}

/** As tlbProbe, the chunk TLB only (amask 0 accepts any access inside the chunk). */
export function chunkProbe(
  gl: Int32Array,
  gh: Int32Array,
  ga: Uint32Array,
  lo: number,
  hi: number,
  amask: number,
): number {
  const g = (lo >>> 8) & G_MASK;
  if (gl[g] === (lo & (-CHUNK | amask)) && gh[g] === hi) {
    chunkUse.count++;
    return ga[g]! + (lo & (CHUNK - 1));
  }
  return -1;
}

/** Cache the page holding va (lo, hi) at arena offset `arenaPage` in a page TLB. */
export function tlbFill(
  tl: Int32Array,
  th: Int32Array,
  ta: Uint32Array,
  lo: number,
  hi: number,
  arenaPage: number,
): void {
  const t = (lo >>> 12) & TLB_MASK;
  tl[t] = lo & -4096;
  th[t] = hi;
  ta[t] = arenaPage;
}

/** Cache the 256 B chunk holding va (lo, hi) at arena offset `arenaChunk` in a chunk TLB. */
export function chunkFill(
  gl: Int32Array,
  gh: Int32Array,
  ga: Uint32Array,
  lo: number,
  hi: number,
  arenaChunk: number,
): void {
  const g = (lo >>> 8) & G_MASK;
  gl[g] = lo & -CHUNK;
  gh[g] = hi;
  ga[g] = arenaChunk;
  chunkUse.count++;
}

/**
 * Cache the 256 B chunk holding va (lo, hi) in the chunk write TLB: a plain entry when `codeMask` is
 * 0, else a checked one, which stores reach (from translated code) only into the 16-byte granules
 * whose bit in `codeMask` (the chunk's code) is clear.
 */
export function chunkWriteFill(
  gl: Int32Array,
  gh: Int32Array,
  ga: Uint32Array,
  gm: Uint32Array,
  lo: number,
  hi: number,
  arenaChunk: number,
  codeMask: number,
): void {
  if (codeMask === 0) {
    chunkFill(gl, gh, ga, lo, hi, arenaChunk);
    return;
  }
  const g = (lo >>> 8) & G_MASK;
  gl[g] = (lo & -CHUNK) | TLB_CHECKED;
  gh[g] = hi;
  ga[g] = arenaChunk;
  gm[g] = codeMask;
  chunkUse.checked++;
}

/** Drop the entry for the page whose tag is (tagLo, hi) from a page TLB and its chunks from a chunk TLB. */
export function tlbDropPage(
  tl: Int32Array,
  th: Int32Array,
  gl: Int32Array,
  gh: Int32Array,
  tagLo: number,
  hi: number,
): void {
  const t = (tagLo >>> 12) & TLB_MASK;
  if (tl[t] === tagLo && th[t] === hi) tl[t] = TLB_EMPTY;
  for (let c = 0; c < CHUNKS_PER_PAGE; c++) {
    const ct = (tagLo + c * CHUNK) | 0;
    const g = (ct >>> 8) & G_MASK;
    if ((gl[g]! & ~TLB_CHECKED) === ct && gh[g] === hi) gl[g] = TLB_EMPTY;
  }
}
