// XOR interleave at the root (CFMWS arithmetic 1 + CXIMS, SPEC-NOTES 1.4).
// Owns the transform T and its pairing with the modulo math; never chooses maps (the platform's
// CXIMS list does) and never routes below the root. Parity is taken on the absolute HPA (DESIGN,
// "Decode basis"); the modulo step then works on the offset from the window base.
// Allocation free; maps are Numbers < 2^53 (bit positions above 52 cannot address anything).

import { lowestSetBit, parityOfAnd, testBit, withBit } from './bits.js';
import { hpaOffsetOf, isValidWays, positionOf, powerOfTwoPart } from './interleave.js';

/**
 * Linux hbiw_to_nr_maps: how many CXIMS maps a window with HBIW targets uses, one per power-of-two
 * position bit (log2 of the power-of-two part of HBIW); undefined for an invalid HBIW.
 */
export function xorMapsForHbiw(hbiw: number): number | undefined {
  return isValidWays(hbiw) ? powerOfTwoPart(hbiw) : undefined;
}

/**
 * T (Linux cxl_do_xormap_calc): for each of the first `count` maps in order, set address bit
 * ffs(map) to parity(addr & map). The maps' lowest bits are the power-of-two position bits, so T
 * is an involution (T(T(a)) = a) when no map covers another map's lowest bit that T changes.
 */
export function xorTransform(hpa: number, maps: ArrayLike<number>, count: number): number {
  let a = hpa;
  for (let i = 0; i < count; i++) {
    const m = maps[i]!;
    const bit = lowestSetBit(m);
    if (bit < 0) continue;
    a = withBit(a, bit, parityOfAnd(a, m));
  }
  return a;
}

/**
 * T is linear over GF(2) (each step sets a bit to the parity of other bits), so bit b of T(a) is
 * parity(a & mask_b) with mask_b = the set of k whose basis vector 2^k has bit b set in T(2^k).
 * Returns, for each bit T may change (each map's lowest bit), that mask, computed from
 * xorTransform itself: a hot path that applies these masks computes T by construction, with no
 * order dependence between the maps. Every other bit of T(a) is the bit of a.
 */
export function xorBitMasks(maps: ArrayLike<number>, count: number): { bit: number; mask: number }[] {
  const out: { bit: number; mask: number }[] = [];
  for (let i = 0; i < count; i++) {
    const bit = lowestSetBit(maps[i]!);
    if (bit < 0 || out.some((x) => x.bit === bit)) continue;
    let mask = 0;
    for (let k = 0; k < 52; k++) if (testBit(xorTransform(2 ** k, maps, count), bit)) mask += 2 ** k;
    out.push({ bit, mask });
  }
  return out;
}

/** XOR decode: A = T(hpa), then position = floor((A - base)/G) mod W (the routed slot at the root). */
export function xorPositionOf(
  hpa: number,
  base: number,
  ways: number,
  gran: number,
  maps: ArrayLike<number>,
  count: number,
): number {
  return positionOf(xorTransform(hpa, maps, count) - base, ways, gran);
}

/** XOR encode: SPA = T(base + modulo HPA offset of (dpaOffset, position)). Returns the absolute SPA. */
export function xorHpaOf(
  dpaOffset: number,
  position: number,
  base: number,
  ways: number,
  gran: number,
  maps: ArrayLike<number>,
  count: number,
): number {
  return xorTransform(base + hpaOffsetOf(dpaOffset, position, ways, gran), maps, count);
}
