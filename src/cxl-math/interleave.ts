// CXL interleave encodings and the modulo decode inside one decoder (SPEC-NOTES 1.1, 1.2).
// Owns eiw/eig/decoder-count encodings and HPA offset <-> (position, DPA offset). Never routes
// through levels (routing.ts) and never applies XOR (xor.ts). The decode functions allocate
// nothing and use Number arithmetic only: offsets are < 2^52, G and W are small, and the chunk
// index c = floor(off/G) is exact because G is a power of two.

import type { Dpa, Hpa } from './addresses.js';

/** Interleave ways cxlemu supports (SPEC-NOTES 1.1; no 9-way, Linux commit c7ad3dc3). */
export const VALID_WAYS = [1, 2, 3, 4, 6, 8, 12, 16] as const;
export type Ways = (typeof VALID_WAYS)[number];

/** Interleave granularities 256 B .. 16 KiB (eig 0..6). */
export const VALID_GRANULARITIES = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;
export type Granularity = (typeof VALID_GRANULARITIES)[number];

/** Valid eiw values (Control [7:4], CFMWS ENIW). */
export const VALID_EIWS = [0, 1, 2, 3, 4, 8, 9, 10] as const;
/** Valid eig values (Control [3:0], CFMWS HBIG). */
export const VALID_EIGS = [0, 1, 2, 3, 4, 5, 6] as const;

export const MIN_GRANULARITY = 256;
export const MAX_GRANULARITY = 16384;

export function isValidWays(ways: number): ways is Ways {
  return (VALID_WAYS as readonly number[]).includes(ways);
}

export function isValidGranularity(g: number): g is Granularity {
  return (VALID_GRANULARITIES as readonly number[]).includes(g);
}

/** True for 3, 6, 12 ("3-family": W = 3 * 2^k). */
export function isThreeFamily(ways: number): boolean {
  return ways === 3 || ways === 6 || ways === 12;
}

/** eiw for W: W = eiw < 8 ? 1 << eiw : 3 << (eiw - 8). Undefined for an invalid W. */
export function waysToEiw(ways: number): number | undefined {
  switch (ways) {
    case 1:
      return 0;
    case 2:
      return 1;
    case 4:
      return 2;
    case 8:
      return 3;
    case 16:
      return 4;
    case 3:
      return 8;
    case 6:
      return 9;
    case 12:
      return 10;
    default:
      return undefined;
  }
}

/** W for eiw; undefined for eiw 5-7, >= 11, or non-integers. */
export function eiwToWays(eiw: number): Ways | undefined {
  switch (eiw) {
    case 0:
      return 1;
    case 1:
      return 2;
    case 2:
      return 4;
    case 3:
      return 8;
    case 4:
      return 16;
    case 8:
      return 3;
    case 9:
      return 6;
    case 10:
      return 12;
    default:
      return undefined;
  }
}

/** eig for G (G = 256 << eig); undefined for an invalid G. */
export function granularityToEig(g: number): number | undefined {
  const i = (VALID_GRANULARITIES as readonly number[]).indexOf(g);
  return i < 0 ? undefined : i;
}

/** G for eig 0..6; undefined otherwise. */
export function eigToGranularity(eig: number): Granularity | undefined {
  return Number.isInteger(eig) && eig >= 0 && eig <= 6 ? VALID_GRANULARITIES[eig] : undefined;
}

/** For a power-of-two W: log2(W); for the 3-family: k with W = 3 * 2^k. */
export function powerOfTwoPart(ways: number): number {
  switch (ways) {
    case 1:
    case 3:
      return 0;
    case 2:
    case 6:
      return 1;
    case 4:
    case 12:
      return 2;
    case 8:
      return 3;
    case 16:
      return 4;
    default:
      throw new RangeError(`powerOfTwoPart: ${String(ways)} is not a valid interleave ways`);
  }
}

// ---- Decoder count encoding (HDM Decoder Capability [3:0], SPEC-NOTES 1.1) ----

/** QEMU cxl_decoder_count_enc / CXL r3.1 8.2.4.20.1: encoding -> number of decoders. */
export const VALID_DECODER_COUNTS = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32] as const;

/** Decoders for a Capability [3:0] encoding (0..12); undefined for reserved encodings. */
export function encodingToDecoderCount(enc: number): number | undefined {
  return Number.isInteger(enc) && enc >= 0 && enc < VALID_DECODER_COUNTS.length ? VALID_DECODER_COUNTS[enc] : undefined;
}

/** Capability [3:0] encoding for a decoder count; undefined if the count cannot be encoded. */
export function decoderCountToEncoding(count: number): number | undefined {
  const i = (VALID_DECODER_COUNTS as readonly number[]).indexOf(count);
  return i < 0 ? undefined : i;
}

// ---- Modulo decode (SPEC-NOTES 1.2) ----

/** Interleave position of HPA offset `off`: floor(off/G) mod W. */
export function positionOf(off: number, ways: number, gran: number): number {
  return Math.floor(off / gran) % ways;
}

/** DPA offset of HPA offset `off`: floor(c/W)*G + (off mod G), c = floor(off/G). */
export function dpaOffsetOf(off: number, ways: number, gran: number): number {
  const c = Math.floor(off / gran);
  return Math.floor(c / ways) * gran + (off % gran);
}

/** HPA offset of (DPA offset, position): (floor(DPAoff/G)*W + pos)*G + (DPAoff mod G). */
export function hpaOffsetOf(dpaOffset: number, position: number, ways: number, gran: number): number {
  return (Math.floor(dpaOffset / gran) * ways + position) * gran + (dpaOffset % gran);
}

/** Absolute HPA -> DPA through one decoder (base B, W, G, DPA base of the decoder). */
export function hpaToDpa(hpa: Hpa, base: Hpa, ways: number, gran: number, dpaBase: Dpa): Dpa {
  return (dpaBase + dpaOffsetOf(hpa - base, ways, gran)) as Dpa;
}

/** DPA + position -> absolute HPA through one decoder; inverse of hpaToDpa/positionOf. */
export function dpaToHpa(dpa: Dpa, dpaBase: Dpa, position: number, base: Hpa, ways: number, gran: number): Hpa {
  return (base + hpaOffsetOf(dpa - dpaBase, position, ways, gran)) as Hpa;
}

/**
 * Endpoint DPA base of decoder n (SPEC-NOTES 1.2):
 * sum over m < n of (skip_m + size_m / W_m), plus skip_n. Sizes and skips in bytes.
 */
export function endpointDpaBase(
  decoders: ReadonlyArray<{ readonly skip: number; readonly size: number; readonly ways: number }>,
  n: number,
): number {
  let dpa = 0;
  for (let m = 0; m < n; m++) {
    const d = decoders[m]!;
    dpa += d.skip + d.size / d.ways;
  }
  return dpa + decoders[n]!.skip;
}
