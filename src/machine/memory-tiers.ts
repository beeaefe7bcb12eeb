// The memory tiers a Linux 6.12 guest forms on this machine (mm/memory-tiers.c): its NUMA nodes
// (node 0: RAM and the harts; node 1 + i: window i, which Linux makes a node of because the SRAT
// leaves CFMWS windows out), each node's abstract distance and memory_tierN, the tiers in order,
// the top tier, and each node's demotion targets. Owns the tier and demotion rules only; every
// number comes from src/machine/linux-perf.ts (regionPerf, abstractDistance's constants).
//
// Demotion (establish_demotion_targets): a node demotes to the nodes of the next lower tier that
// are nearest to it (every node at the smallest SLIT distance, ties all kept), and falls back to
// every node of every lower tier; the lowest tier demotes nowhere. The top tier reaches down to the
// slowest tier that holds a node with CPUs. The guest's SLIT covers node 0 only, so Linux's
// defaults hold between the other nodes: 10 to itself, 20 to any other.

import type { MachineDescription } from './description.js';
import { type AccessCoordinates, ADISTANCE_DRAM, regionPerf, TIER_CHUNK } from './linux-perf.js';

export interface GuestTierNode {
  node: number;
  /** 'dram' (node 0, with the harts) or the window whose regions the node holds. */
  memory: 'dram' | { window: string; regions: string[] };
  hasCpus: boolean;
  /** The numbers the tier is computed from: ram.perf for DRAM, else the node's first region's access1. */
  access: AccessCoordinates;
  adistance: number;
  tier: number;
}

export interface GuestTier {
  tier: number;
  /** The abstract distances the tier spans: tier * 128 .. tier * 128 + 127. */
  adistanceStart: number;
  adistanceEnd: number;
  nodes: number[];
  /** At or above the top tier (no promotion from it; it holds, or is faster than, a node with CPUs). */
  topTier: boolean;
}

export interface GuestDemotion {
  node: number;
  /** The next lower tier's nearest nodes (empty: the node is in the lowest tier). */
  preferred: number[];
  /** Every node of every lower tier. */
  fallback: number[];
}

export interface GuestTiers {
  dramAdistance: number;
  chunkSize: number;
  nodes: GuestTierNode[];
  tiers: GuestTier[];
  /** The largest abstract distance of the top tier (top_tier_adistance). */
  topTierAdistance: number;
  demotion: GuestDemotion[];
  /** Windows with no committed region: their nodes hold no memory and join no tier (until a region is onlined). */
  emptyWindows: { window: string; node: number }[];
}

/** Linux's default distances where the SLIT says nothing (LOCAL_DISTANCE, REMOTE_DISTANCE). */
export const guestDistance = (a: number, b: number): number => (a === b ? 10 : 20);

/** The guest's tiers, or undefined for a machine with a numa section (its HMAT is hand-written). */
export function guestMemoryTiers(desc: MachineDescription): GuestTiers | undefined {
  if (desc.numa) return undefined;
  const r = desc.ram.perf;
  const nodes: GuestTierNode[] = [
    {
      node: 0,
      memory: 'dram',
      hasCpus: true,
      access: {
        readLatencyNs: Math.ceil(r.readLatencyNs),
        writeLatencyNs: Math.ceil(r.writeLatencyNs),
        readBandwidthMBs: r.readBandwidthMBs,
        writeBandwidthMBs: r.writeBandwidthMBs,
      },
      adistance: ADISTANCE_DRAM,
      tier: Math.floor(ADISTANCE_DRAM / TIER_CHUNK),
    },
  ];
  const emptyWindows: GuestTiers['emptyWindows'] = [];
  desc.cxl.windows.forEach((w, i) => {
    const node = 1 + i;
    const regions = desc.state.regions.filter((x) => x.window === w.id);
    // The first region's numbers answer for the node (the first CXL adistance notifier registered).
    const p = regions.length > 0 ? regionPerf(desc, regions[0]!.memdevs) : undefined;
    if (!p) {
      emptyWindows.push({ window: w.id, node });
      return;
    }
    nodes.push({
      node,
      memory: { window: w.id, regions: regions.map((x) => x.name) },
      hasCpus: false,
      access: p.access1,
      adistance: p.adistance,
      tier: p.memoryTier,
    });
  });

  const ids = [...new Set(nodes.map((n) => n.tier))].sort((a, b) => a - b);
  const slowestCpuTier = Math.max(...nodes.filter((n) => n.hasCpus).map((n) => n.tier));
  const topTierAdistance = slowestCpuTier * TIER_CHUNK + TIER_CHUNK - 1;
  const tiers: GuestTier[] = ids.map((tier) => ({
    tier,
    adistanceStart: tier * TIER_CHUNK,
    adistanceEnd: tier * TIER_CHUNK + TIER_CHUNK - 1,
    nodes: nodes.filter((n) => n.tier === tier).map((n) => n.node),
    topTier: tier <= slowestCpuTier,
  }));
  const demotion = nodes.map((n): GuestDemotion => {
    const k = ids.indexOf(n.tier);
    const next = tiers[k + 1];
    const fallback = tiers
      .slice(k + 1)
      .flatMap((t) => t.nodes)
      .sort((a, b) => a - b);
    if (!next) return { node: n.node, preferred: [], fallback };
    const best = Math.min(...next.nodes.map((t) => guestDistance(n.node, t)));
    return { node: n.node, preferred: next.nodes.filter((t) => guestDistance(n.node, t) === best), fallback };
  });
  return {
    dramAdistance: ADISTANCE_DRAM,
    chunkSize: TIER_CHUNK,
    nodes,
    tiers,
    topTierAdistance,
    demotion,
    emptyWindows,
  };
}

const pair = (a: number, b: number) => `${a}/${b}`;

/** The text `cxlemu tiers` prints. */
export function guestTiersText(t: GuestTiers): string {
  const L: string[] = [
    'memory tiers a Linux 6.12 guest forms from this machine (HMAT, CDAT, links; mm/memory-tiers.c)',
    `abstract distance = ${t.dramAdistance} * (rl+wl)/(DRAM rl+wl) * (DRAM rb+wb)/(rb+wb); tier = adistance / ${t.chunkSize}`,
    '',
    'node  memory                      read/write latency ns  read/write bandwidth MB/s  adistance  tier',
  ];
  for (const n of t.nodes) {
    const what = n.memory === 'dram' ? 'DRAM, cpus' : `${n.memory.window}: ${n.memory.regions.join(', ')}`;
    L.push(
      `${String(n.node).padEnd(6)}${what.padEnd(28)}${pair(n.access.readLatencyNs, n.access.writeLatencyNs).padEnd(23)}${pair(n.access.readBandwidthMBs, n.access.writeBandwidthMBs).padEnd(27)}${String(n.adistance).padEnd(11)}memory_tier${n.tier}`,
    );
  }
  for (const e of t.emptyWindows) L.push(`${String(e.node).padEnd(6)}${e.window}: no region (no memory, no tier)`);
  L.push('', 'tiers (fastest first):');
  for (const x of t.tiers)
    L.push(
      `  memory_tier${x.tier}: adistance ${x.adistanceStart}..${x.adistanceEnd}, node ${x.nodes.join(', ')}${x.topTier ? ' (top tier)' : ''}`,
    );
  L.push('', `demotion (top tier: adistance up to ${t.topTierAdistance}):`);
  for (const d of t.demotion)
    L.push(
      d.preferred.length === 0
        ? `  node ${d.node}: lowest tier, no demotion target`
        : `  node ${d.node} -> node ${d.preferred.join(', ')} (fallback: node ${d.fallback.join(', ')})`,
    );
  return `${L.join('\n')}\n`;
}
