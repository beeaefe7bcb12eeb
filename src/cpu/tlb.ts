// The data TLBs' entry format, for the interpreter: a direct-mapped page TLB (one per access kind,
// read and write) and a 256 B chunk TLB for fine-interleaved pages, each as three arrays in the
// arena (tag lo, tag hi, and the arena offset minus the tag's va, mod 2^32, so that an address is
// one add: arena = (entry + va lo) >>> 0) so translated code reads the same entries. This file is the
// interpreter's only probe and fill; the JIT emits the same probe (jit-translate.ts,
// emitTlbProbe). It never fills entries on its own: Hart's slow paths decide what may be cached.

import { CHUNK_SIZE } from '../memory/index.js';

/** Page TLB entries (indexed by va bits 12..21): 1,024 (a Linux boot's slow exits 137k at 256, 89k at 1,024, 80k at 4,096). */
export const TLB_SIZE = 1024;
export const TLB_MASK = TLB_SIZE - 1;
/** A tag no lookup key has (keys have bits 3..11 clear, even with misalignment bits): an empty entry. */
export const TLB_EMPTY = 0x10;
/**
 * Marks a checked chunk write-TLB entry: one 16-byte granule, holding no code, of a chunk that holds
 * code in other granules (code and data sharing 256 bytes). Such entries sit at the granule's own
 * index, (va >> 4) & G_MASK, among the plain chunk entries: no plain key (nor TLB_EMPTY) has
 * this bit and every checked key has it, so neither probe can hit the other's entry. Only translated code's store
 * probe reads them (jit-translate.ts emitTlbProbe): as cheap as a chunk probe, where a per-chunk
 * entry with a mask of code granules cost a load and a variable shift per store (bench/layouts
 * samepage 0.179 s -> see docs/jit.md).
 */
export const TLB_CHECKED = 0x8; // bit 3: above an aligned key's misalignment bits (0..2), below a granule's
/** Fine-interleave chunk: CXL granules are >= 256 B and aligned, so a 256 B chunk is contiguous. */
export const CHUNK = CHUNK_SIZE;
export const CHUNKS_PER_PAGE = 4096 / CHUNK;
// 16,384 chunk entries cover 4 MiB of finely interleaved memory (a 1,024-entry table, 256 KiB,
// missed on every chunk of a 1 MiB sweep: region-bandwidth bench 0.2x RAM).
export const G_SIZE = 16384;
export const G_MASK = G_SIZE - 1;
/** Code is tracked in 16-byte granules (memory/code-pages); checked write entries cover one each. */
export const GRANULE = 16;

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
  if (tl[t] === (lo & (-4096 | amask)) && th[t] === hi) return (ta[t]! + lo) >>> 0;
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
    return (ga[g]! + lo) >>> 0;
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
  ta[t] = arenaPage - (lo & -4096);
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
  ga[g] = arenaChunk - (lo & -CHUNK);
  chunkUse.count++;
}

/**
 * Cache a store's target in the chunk write TLB: the 256 B chunk holding va (lo, hi) when
 * `codeMask` (the chunk's 16-byte granules that hold code, bits 0..15) is 0, else a checked entry
 * for va's granule alone, unless that granule holds code (nothing is cached then). Returns the
 * index filled, or -1.
 */
export function chunkWriteFill(
  gl: Int32Array,
  gh: Int32Array,
  ga: Uint32Array,
  lo: number,
  hi: number,
  arenaChunk: number,
  codeMask: number,
): number {
  if (codeMask === 0) {
    chunkFill(gl, gh, ga, lo, hi, arenaChunk);
    return (lo >>> 8) & G_MASK;
  }
  const off = lo & (CHUNK - GRANULE); // the granule's offset in its chunk
  if (((codeMask >>> (off >>> 4)) & 1) !== 0) return -1;
  const g = (lo >>> 4) & G_MASK;
  gl[g] = (lo & -GRANULE) | TLB_CHECKED;
  gh[g] = hi;
  ga[g] = arenaChunk + off - (lo & -GRANULE);
  chunkUse.checked++;
  return g;
}

/**
 * Drop the entry for the page whose tag is (tagLo, hi) from a page TLB and its chunks from a chunk
 * TLB; with `granules`, also its checked granule entries (a write TLB that may hold some).
 */
export function tlbDropPage(
  tl: Int32Array,
  th: Int32Array,
  gl: Int32Array,
  gh: Int32Array,
  tagLo: number,
  hi: number,
  granules = false,
): void {
  const t = (tagLo >>> 12) & TLB_MASK;
  if (tl[t] === tagLo && th[t] === hi) tl[t] = TLB_EMPTY;
  for (let c = 0; c < CHUNKS_PER_PAGE; c++) {
    const ct = (tagLo + c * CHUNK) | 0;
    const g = (ct >>> 8) & G_MASK;
    if (gl[g] === ct && gh[g] === hi) gl[g] = TLB_EMPTY;
  }
  if (!granules) return;
  for (let o = 0; o < 4096; o += GRANULE) {
    const gt = (tagLo + o) | TLB_CHECKED | 0;
    const g = (gt >>> 4) & G_MASK;
    if (gl[g] === gt && gh[g] === hi) gl[g] = TLB_EMPTY;
  }
}
