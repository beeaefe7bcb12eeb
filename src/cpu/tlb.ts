// The data TLBs' entry format, for the interpreter: a direct-mapped page TLB (one per access kind,
// read and write) and a 256 B chunk TLB for fine-interleaved pages, each an array in the arena of
// 16-byte entries (TLB_ENTRY_WORDS): tag lo, tag hi, and the arena offset minus the tag's va, mod
// 2^32, so that an address is one add (arena = (entry + va lo) >>> 0). Translated code reads the
// same entries, the tag as one little-endian i64 (lo, then hi). This file is the interpreter's
// only probe and fill; the JIT emits the same probe (jit-translate.ts, emitTlbProbe). It never
// fills entries on its own: Hart's slow paths decide what may be cached.

import { CHUNK_SIZE } from '../memory/index.js';

/** Page TLB entries (indexed by va bits 12..21): 1,024 (a Linux boot's slow exits 137k at 256, 89k at 1,024, 80k at 4,096). */
export const TLB_SIZE = 1024;
export const TLB_MASK = TLB_SIZE - 1;
/**
 * Int32 words per entry of the page and chunk TLBs: tag lo, tag hi, arena offset minus the tag's
 * va, unused. One entry's tag is one i64 for translated code, and the offset sits in the same 16
 * bytes: a probe is one index computation, one i64 load and compare, one load of the offset. With
 * the tag's halves in two arrays a translated probe also shifted out va's high word, loaded and
 * compared it apart: suite matmul took 1.58-1.77 s instead of 1.22 (docs/jit.md).
 */
export const TLB_ENTRY_WORDS = 4;
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

/** Word index of page-TLB entry for va's low word lo. */
const pageEntry = (lo: number): number => ((lo >>> 12) & TLB_MASK) << 2;
/** Word index of chunk-TLB entry for va's low word lo. */
const chunkEntry = (lo: number): number => ((lo >>> 8) & G_MASK) << 2;

/**
 * Arena byte offset of va (lo, hi) when the page TLB `t` or the chunk TLB `g` holds it and the
 * access is aligned (`amask` = size - 1; a misaligned key never matches a tag), else -1. Small on
 * purpose: V8 inlines it at every load and store of the interpreter.
 */
export function tlbProbe(t: Int32Array, g: Int32Array, lo: number, hi: number, amask: number): number {
  const p = pageProbe(t, lo, hi, amask);
  return p >= 0 ? p : chunkProbe(g, lo, hi, amask);
}

/** As tlbProbe, the page TLB only (amask 0 accepts any access inside the page). */
export function pageProbe(t: Int32Array, lo: number, hi: number, amask: number): number {
  const i = pageEntry(lo);
  if (t[i] === (lo & (-4096 | amask)) && t[i + 1] === hi) return (t[i + 2]! + lo) >>> 0;
  return -1;
}

/** As tlbProbe, the chunk TLB only (amask 0 accepts any access inside the chunk). */
export function chunkProbe(g: Int32Array, lo: number, hi: number, amask: number): number {
  const i = chunkEntry(lo);
  if (g[i] === (lo & (-CHUNK | amask)) && g[i + 1] === hi) {
    chunkUse.count++;
    return (g[i + 2]! + lo) >>> 0;
  }
  return -1;
}

/** Cache the page holding va (lo, hi) at arena offset `arenaPage` in a page TLB. */
export function tlbFill(t: Int32Array, lo: number, hi: number, arenaPage: number): void {
  const i = pageEntry(lo);
  t[i] = lo & -4096;
  t[i + 1] = hi;
  t[i + 2] = arenaPage - (lo & -4096);
}

/** Cache the 256 B chunk holding va (lo, hi) at arena offset `arenaChunk` in a chunk TLB. */
export function chunkFill(g: Int32Array, lo: number, hi: number, arenaChunk: number): void {
  const i = chunkEntry(lo);
  g[i] = lo & -CHUNK;
  g[i + 1] = hi;
  g[i + 2] = arenaChunk - (lo & -CHUNK);
  chunkUse.count++;
}

/**
 * Cache a store's target in the chunk write TLB: the 256 B chunk holding va (lo, hi) when
 * `codeMask` (the chunk's 16-byte granules that hold code, bits 0..15) is 0, else a checked entry
 * for va's granule alone, unless that granule holds code (nothing is cached then). Returns the
 * entry filled (its index: words from 4 times that), or -1.
 */
export function chunkWriteFill(g: Int32Array, lo: number, hi: number, arenaChunk: number, codeMask: number): number {
  if (codeMask === 0) {
    chunkFill(g, lo, hi, arenaChunk);
    return (lo >>> 8) & G_MASK;
  }
  const off = lo & (CHUNK - GRANULE); // the granule's offset in its chunk
  if (((codeMask >>> (off >>> 4)) & 1) !== 0) return -1;
  const e = (lo >>> 4) & G_MASK;
  const i = e << 2;
  g[i] = (lo & -GRANULE) | TLB_CHECKED;
  g[i + 1] = hi;
  g[i + 2] = arenaChunk + off - (lo & -GRANULE);
  chunkUse.checked++;
  return e;
}

/** Empty entry `e` (an index as chunkWriteFill returns, not a word index) of a TLB. */
export function tlbEmptyEntry(t: Int32Array, e: number): void {
  t[e * TLB_ENTRY_WORDS] = TLB_EMPTY;
}

/** Drop every entry of page TLB `t` that maps into arena page `arenaPage`. */
export function tlbDropArenaPage(t: Int32Array, arenaPage: number): void {
  for (let i = 0; i < t.length; i += TLB_ENTRY_WORDS)
    if (t[i] !== TLB_EMPTY && Math.floor(((t[i + 2]! + t[i]!) >>> 0) / 4096) === arenaPage) t[i] = TLB_EMPTY;
}

/**
 * Drop the entry for the page whose tag is (tagLo, hi) from a page TLB and its chunks from a chunk
 * TLB; with `granules`, also its checked granule entries (a write TLB that may hold some).
 */
export function tlbDropPage(t: Int32Array, g: Int32Array, tagLo: number, hi: number, granules = false): void {
  const i = pageEntry(tagLo);
  if (t[i] === tagLo && t[i + 1] === hi) t[i] = TLB_EMPTY;
  for (let c = 0; c < CHUNKS_PER_PAGE; c++) {
    const ct = (tagLo + c * CHUNK) | 0;
    const k = chunkEntry(ct);
    if (g[k] === ct && g[k + 1] === hi) g[k] = TLB_EMPTY;
  }
  if (!granules) return;
  for (let o = 0; o < 4096; o += GRANULE) {
    const gt = (tagLo + o) | TLB_CHECKED | 0;
    const k = ((gt >>> 4) & G_MASK) << 2;
    if (g[k] === gt && g[k + 1] === hi) g[k] = TLB_EMPTY;
  }
}
