// Routing through the levels of a CXL hierarchy (SPEC-NOTES 1.3, 1.5 rules 6-7).
// Owns per-level target selection, the granularity chain, Linux's endpoint position and the
// distance rule arithmetic; never holds topology objects (callers pass plain numbers) and never
// computes DPAs (interleave.ts). Every level decodes on the offset from its decoder's base.

import { MAX_GRANULARITY, isThreeFamily, positionOf } from './interleave.js';

/** Target-list index selected at one level: floor(off/G) mod W (root, HB, switch alike). */
export function targetIndexOf(off: number, ways: number, gran: number): number {
  return positionOf(off, ways, gran);
}

/**
 * Ways used for address-bit routing below a decoder with `ways` targets: a 3-family root routes
 * its power-of-two part only (Linux cxl_port_setup_targets divides W_root by 3).
 */
export function routingWays(ways: number): number {
  return isThreeFamily(ways) ? ways / 3 : ways;
}

/**
 * Granularity of the decoder one level below a parent with (parentG, parentW):
 * G = parentG * parentW, with parentW replaced by parentW/3 for 3/6/12 (the 3-family rule).
 * For a host bridge pass the region G (not HBIG) and W_root. May exceed 16 KiB: check it.
 */
export function childGranularity(parentG: number, parentW: number): number {
  return parentG * routingWays(parentW);
}

/**
 * The granularity chain from the root down: result[0] is the host bridge decoder's G, result[i]
 * the G of the decoder i levels below the host bridge. `levelWays[i]` is the ways of the decoder
 * whose G is result[i] (only needed to continue the chain: the next G is result[i]*levelWays[i]).
 */
export function granularityChain(regionG: number, rootWays: number, levelWays: readonly number[]): number[] {
  const out: number[] = [];
  let g = childGranularity(regionG, rootWays);
  for (let i = 0; i < levelWays.length; i++) {
    out.push(g);
    g = childGranularity(g, levelWays[i]!);
  }
  return out;
}

/** True when a derived granularity is encodable (<= 16 KiB). */
export function isChainGranularityValid(g: number): boolean {
  return g <= MAX_GRANULARITY;
}

/** One hop of Linux's endpoint position walk: this port's index in its parent's target list. */
export interface PositionHop {
  /** Index of this component's dport in the parent decoder's target list. */
  readonly index: number;
  /** Interleave ways of the parent decoder (the root's W for the last hop). */
  readonly ways: number;
}

/**
 * Linux cxl_calc_interleave_pos: walk endpoint -> root, pos = pos * W_parent + index.
 * hops[0] is the level just above the endpoint, the last hop is the root window.
 * Example: root -> HB0{mem0, mem1}, HB1{mem2, mem3} gives mem0 0, mem2 1, mem1 2, mem3 3.
 */
export function calcInterleavePosition(hops: readonly PositionHop[]): number {
  let pos = 0;
  for (const h of hops) pos = pos * h.ways + h.index;
  return pos;
}

/**
 * Distance rule (Linux check_last_peer): at a port, distance = product of nr_targets of this port
 * and every port above it below the root, times W_root. `nrTargetsUp[0]` is this port.
 */
export function peerDistance(nrTargetsUp: readonly number[], rootWays: number): number {
  let d = rootWays;
  for (const n of nrTargetsUp) d *= n;
  return d;
}

/** Root target index an endpoint at `pos` must sit below: pos mod W_root (rule 7). */
export function rootTargetIndexForPosition(pos: number, rootWays: number): number {
  return pos % rootWays;
}
