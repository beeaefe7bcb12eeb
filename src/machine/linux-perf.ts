// What a Linux 6.12 guest derives from the description's performance numbers: each device's path
// coordinates, each region's access0/access1 (regionN/access0/read_latency ...) and the abstract
// distance and memory tier of the NUMA node the region becomes. The inputs are the ones the tables
// carry: the HMAT (CPU -> DRAM: ram.perf; CPU -> generic port: hostBridges[].perf), each switch's
// CDAT SSLBIS (switch perf), each device's DSLBIS (device perf) and each link's speed and width
// (Link Status). The rules are Linux's (drivers/cxl/core/cdat.c, port.c, pci.c; mm/memory-tiers.c):
//   - latency per device = DSLBIS + each switch's SSLBIS + one flit time per root/downstream port
//     link (68 B over the link's raw rate, rounded up to ns per hop) + the generic port's;
//   - bandwidth per device = min(DSLBIS, every SSLBIS, the generic port, the path's slowest link
//     after encoding);
//   - a region's latency is the slowest device's; its bandwidth is summed bottom-up with each
//     shared link, switch and host bridge capping what passes through it (when every device sits
//     at the same depth; otherwise the plain sum, as Linux falls back);
//   - adistance = 576 * (rl+wl)/(DRAM rl+wl) * (DRAM rb+wb)/(rb+wb), tier = adistance / 128.
// Only machines without a numa section (whose HMAT this project derives) are covered.

import {
  type ChildDesc,
  type LinkDesc,
  type MachineDescription,
  memdevsOf,
  type PerfDesc,
  type SwitchDesc,
  type Type3Desc,
} from './description.js';

export interface AccessCoordinates {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

export interface RegionPerf {
  /** Linux's regionN/access0 (any initiator); access1 (CPU initiators) is the same here. */
  access0: AccessCoordinates;
  access1: AccessCoordinates;
  /** The memory tier's abstract distance and tier number (DRAM: 576, memory_tier4). */
  adistance: number;
  memoryTier: number;
}

/** MEMTIER_ADISTANCE_DRAM and the chunk one tier spans (mm/memory-tiers.c). */
export const ADISTANCE_DRAM = 576;
export const TIER_CHUNK = 128;

/** Per-lane data rate after 8b/10b or 128b/130b encoding, Mb/s (Linux's PCIE_SPEED2MBS_ENC). */
const ENCODED_MBPS: Record<number, number> = { 2.5: 2000, 5: 4000, 8: 7876, 16: 15753, 32: 31507, 64: 64000 };

const ceilNs = (ns: number) => Math.ceil(Math.round(ns * 1000) / 1000);

/** One flit (68 B, no flit mode) over the link's raw rate, in ns rounded up (cxl_pci_get_latency). */
export function linkLatencyNs(l: LinkDesc): number {
  const mbytesPerSec = Math.floor((l.speedGTs * 1000 * l.width) / 8);
  return Math.ceil(Math.floor((68 * 1_000_000) / mbytesPerSec) / 1000);
}

/** The link's raw rate, MB/s (cxl_pci_get_bandwidth). */
export function linkRawMBs(l: LinkDesc): number {
  return Math.floor((l.speedGTs * 1000 * l.width) / 8);
}

/** Width x encoded per-lane rate, Mb/s (pcie_bandwidth_available's per-link figure). */
function linkEncodedMbps(l: LinkDesc): number {
  return l.width * ENCODED_MBPS[l.speedGTs]!;
}

/** A device's place: the links and switches from its host bridge down to it. */
interface DevicePath {
  hostBridge: number;
  /** The root port's link (between the root port and the first child). */
  rootLink: LinkDesc;
  /** Switches top-down, each with the downstream port's link it leaves by. */
  switches: { sw: SwitchDesc; dspLink: LinkDesc; uspLink: LinkDesc }[];
  device: Type3Desc;
}

function devicePaths(desc: MachineDescription): Map<Type3Desc, DevicePath> {
  const out = new Map<Type3Desc, DevicePath>();
  desc.cxl.hostBridges.forEach((hb, h) => {
    for (const rp of hb.rootPorts) {
      const walk = (c: ChildDesc | undefined, up: LinkDesc, switches: DevicePath['switches']) => {
        if (!c) return;
        if (c.kind === 'type3') {
          out.set(c, { hostBridge: h, rootLink: rp.link, switches, device: c });
          return;
        }
        for (const dsp of c.downstreamPorts)
          walk(dsp.child, dsp.link, [...switches, { sw: c, dspLink: dsp.link, uspLink: up }]);
      };
      walk(rp.child, rp.link, []);
    }
  });
  return out;
}

/** Linux's per-device coordinates: DSLBIS combined with the path (cxl_endpoint_get_perf_coordinates). */
function devicePerf(p: DevicePath, gp: PerfDesc): AccessCoordinates {
  let rl = 0;
  let wl = 0;
  let bw = { r: Number.POSITIVE_INFINITY, w: Number.POSITIVE_INFINITY };
  // Bottom-up: each switch's SSLBIS (at its downstream port) and that port's link, then the root port's link.
  for (const s of [...p.switches].reverse()) {
    rl += ceilNs(s.sw.perf.readLatencyNs) + linkLatencyNs(s.dspLink);
    wl += ceilNs(s.sw.perf.writeLatencyNs) + linkLatencyNs(s.dspLink);
    bw = { r: Math.min(bw.r, s.sw.perf.readBandwidthMBs), w: Math.min(bw.w, s.sw.perf.writeBandwidthMBs) };
  }
  rl += linkLatencyNs(p.rootLink) + ceilNs(gp.readLatencyNs);
  wl += linkLatencyNs(p.rootLink) + ceilNs(gp.writeLatencyNs);
  bw = { r: Math.min(bw.r, gp.readBandwidthMBs), w: Math.min(bw.w, gp.writeBandwidthMBs) };
  // The path's slowest link: the endpoint's, every switch port's and the root port's.
  const endpointLink = p.switches.length ? p.switches[p.switches.length - 1]!.dspLink : p.rootLink;
  const links = [endpointLink, p.rootLink, ...p.switches.flatMap((s) => [s.dspLink, s.uspLink])];
  const path = Math.floor(Math.min(...links.map(linkEncodedMbps)) / 8);
  const d = p.device.perf;
  return {
    readLatencyNs: ceilNs(d.readLatencyNs) + rl,
    writeLatencyNs: ceilNs(d.writeLatencyNs) + wl,
    readBandwidthMBs: Math.min(d.readBandwidthMBs, bw.r, path),
    writeBandwidthMBs: Math.min(d.writeBandwidthMBs, bw.w, path),
  };
}

/**
 * The region's bandwidth summed bottom-up with shared links capping (cxl_region_shared_upstream_
 * bandwidth_update): per device min(its link, DSLBIS, its switch port's SSLBIS); per switch
 * min(its upstream link, the sum below, the SSLBIS of the port above it if any); per host bridge
 * min(sum of its root ports, the generic port). Undefined when devices sit at different depths.
 */
function sharedBandwidth(paths: DevicePath[], gps: PerfDesc[], which: 'r' | 'w'): number | undefined {
  const depth = paths[0]!.switches.length;
  if (paths.some((p) => p.switches.length !== depth)) return undefined;
  const pick = (x: PerfDesc) => (which === 'r' ? x.readBandwidthMBs : x.writeBandwidthMBs);
  // Buckets keyed by the node above: a switch (its USP) or, at the top, the host bridge.
  let level = new Map<unknown, { bw: number; p: DevicePath }>();
  for (const p of paths) {
    const last = p.switches[depth - 1];
    const link = last ? last.dspLink : p.rootLink;
    let e = Math.min(linkRawMBs(link), pick(p.device.perf));
    if (last) e = Math.min(e, pick(last.sw.perf));
    const key = last ? last.sw : `hb${p.hostBridge}`;
    const b = level.get(key);
    level.set(key, { bw: (b?.bw ?? 0) + e, p });
  }
  for (let d = depth - 1; d >= 0; d--) {
    const next = new Map<unknown, { bw: number; p: DevicePath }>();
    for (const { bw, p } of level.values()) {
      const s = p.switches[d]!;
      let v = Math.min(linkRawMBs(s.uspLink), bw);
      const above = p.switches[d - 1];
      if (above) v = Math.min(v, pick(above.sw.perf));
      const key = above ? above.sw : `hb${p.hostBridge}`;
      const b = next.get(key);
      next.set(key, { bw: (b?.bw ?? 0) + v, p });
    }
    level = next;
  }
  let total = 0;
  for (const { bw, p } of level.values()) total += Math.min(bw, pick(gps[p.hostBridge]!));
  return total;
}

/** abstract distance of `c` against DRAM's (mt_perf_to_adistance; truncating at each step). */
export function abstractDistance(c: AccessCoordinates, dram: AccessCoordinates): number {
  const a = Math.floor(
    (ADISTANCE_DRAM * (c.readLatencyNs + c.writeLatencyNs)) / (dram.readLatencyNs + dram.writeLatencyNs),
  );
  return Math.floor(
    (a * (dram.readBandwidthMBs + dram.writeBandwidthMBs)) / (c.readBandwidthMBs + c.writeBandwidthMBs),
  );
}

/**
 * Linux's view of a region of `memdevs` (memN names or device ids) on `desc`: access0/access1,
 * abstract distance and memory tier. Undefined for machines with a numa section (their HMAT is
 * hand-written, so Linux's numbers depend on it).
 */
/**
 * Every memdev's coordinates along its path (DSLBIS + switches + links + the generic port), keyed
 * by memN: what a load from that device costs, the timing model's CXL targets (src/machine/timing.ts).
 */
export function deviceCoordinates(desc: MachineDescription): Map<string, AccessCoordinates> {
  const paths = devicePaths(desc);
  const gps = desc.cxl.hostBridges.map((hb) => hb.perf);
  const out = new Map<string, AccessCoordinates>();
  for (const m of memdevsOf(desc)) {
    const p = paths.get(m.device);
    if (p) out.set(m.name, devicePerf(p, gps[p.hostBridge]!));
  }
  return out;
}

/** A part of the fabric that several devices' traffic crosses, with its bandwidth (MB/s). */
export interface SharedLink {
  name: string;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

/**
 * The shared parts of every memdev's path, top-down, keyed by memN: its host bridge (the generic
 * port's bandwidth, capped by the root port's link) and each switch above it (the SSLBIS and its
 * upstream link). The same object stands for a part wherever it is shared, so a timing model can
 * queue on it (src/machine/timing.ts).
 */
export function sharedLinks(desc: MachineDescription): Map<string, SharedLink[]> {
  const paths = devicePaths(desc);
  const made = new Map<unknown, SharedLink>();
  const once = (key: unknown, make: () => SharedLink) => {
    let v = made.get(key);
    if (v === undefined) {
      v = make();
      made.set(key, v);
    }
    return v;
  };
  const linkMBs = (l: LinkDesc) => Math.floor(linkEncodedMbps(l) / 8);
  const out = new Map<string, SharedLink[]>();
  for (const m of memdevsOf(desc)) {
    const p = paths.get(m.device);
    if (!p) continue;
    const hb = desc.cxl.hostBridges[p.hostBridge]!;
    const parts = [
      once(hb, () => ({
        name: hb.id,
        readBandwidthMBs: hb.perf.readBandwidthMBs,
        writeBandwidthMBs: hb.perf.writeBandwidthMBs,
      })),
      once(p.rootLink, () => ({
        name: `${hb.id} root port link`,
        readBandwidthMBs: linkMBs(p.rootLink),
        writeBandwidthMBs: linkMBs(p.rootLink),
      })),
      ...p.switches.map((sw) =>
        once(sw.sw, () => ({
          name: sw.sw.id,
          readBandwidthMBs: Math.min(sw.sw.perf.readBandwidthMBs, linkMBs(sw.uspLink)),
          writeBandwidthMBs: Math.min(sw.sw.perf.writeBandwidthMBs, linkMBs(sw.uspLink)),
        })),
      ),
    ];
    out.set(m.name, parts);
  }
  return out;
}

export function regionPerf(desc: MachineDescription, memdevs: readonly string[]): RegionPerf | undefined {
  if (desc.numa) return undefined;
  const byName = new Map(
    memdevsOf(desc).flatMap((m) => [[m.name, m.device] as const, [m.device.id, m.device] as const]),
  );
  const all = devicePaths(desc);
  const paths = memdevs.map((n) => all.get(byName.get(n)!)).filter((p): p is DevicePath => p !== undefined);
  if (paths.length === 0) return undefined;
  const gps = desc.cxl.hostBridges.map((hb) => hb.perf);
  const per = paths.map((p) => devicePerf(p, gps[p.hostBridge]!));
  const sum = (f: (c: AccessCoordinates) => number) => per.reduce((a, c) => a + f(c), 0);
  const c: AccessCoordinates = {
    readLatencyNs: Math.max(...per.map((x) => x.readLatencyNs)),
    writeLatencyNs: Math.max(...per.map((x) => x.writeLatencyNs)),
    readBandwidthMBs: sharedBandwidth(paths, gps, 'r') ?? sum((x) => x.readBandwidthMBs),
    writeBandwidthMBs: sharedBandwidth(paths, gps, 'w') ?? sum((x) => x.writeBandwidthMBs),
  };
  const r = desc.ram.perf;
  const dram: AccessCoordinates = {
    readLatencyNs: ceilNs(r.readLatencyNs),
    writeLatencyNs: ceilNs(r.writeLatencyNs),
    readBandwidthMBs: r.readBandwidthMBs,
    writeBandwidthMBs: r.writeBandwidthMBs,
  };
  const adistance = abstractDistance(c, dram);
  return { access0: c, access1: { ...c }, adistance, memoryTier: Math.floor(adistance / TIER_CHUNK) };
}
