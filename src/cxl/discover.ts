// Regions recovered from register state: groups committed endpoint decoders that no known region
// owns (a guest driver programmed them over MMIO, or saved raw images were restored) into regions
// by (base, size, ways, granularity), with Linux positions computed from the committed target
// lists and routed slots from the reference decoder. Owns the inference only; never programs a
// decoder and never touches media.

import { xorHpaOf } from '../cxl-math/xor.js';
import { calcInterleavePosition, type PositionHop } from '../cxl-math/routing.js';
import type { Type3Device } from './components.js';
import { referenceDecode } from './reference-decoder.js';
import type { Region, RegionDecoderRef, RegionManager, RegionTarget } from './region.js';
import type { DecoderOwner, TopologyCore } from './topology.js';

export interface DiscoveryResult {
  /** Regions added to the region manager. */
  added: Region[];
  /** Names of regions dropped because their endpoint decoders no longer decode their range. */
  removed: string[];
  /** Groups of committed endpoint decoders that do not form a complete region (fewer devices than ways, no window). */
  incomplete: { base: number; size: number; ways: number; granularity: number; memdevs: string[]; reason: string }[];
}

/** Find committed endpoint decoders outside every known region and add the regions they form. */
export function discoverRegions(t: TopologyCore, rm: RegionManager): DiscoveryResult {
  const out: DiscoveryResult = { added: [], removed: [], incomplete: [] };
  // Regions whose endpoint decoders no longer hold their range (a guest un-committed them) are gone.
  for (const r of [...rm.regions.values()]) {
    const intact = r.targets.every((x) => {
      if (!x.memdev.hdm.isCommitted(x.decoder)) return false;
      const v = x.memdev.hdm.view(x.decoder);
      return v.base === r.base && v.size === r.size && v.ways === r.ways && v.granularity === r.granularity;
    });
    if (!intact) {
      rm.regions.delete(r.name);
      out.removed.push(r.name);
    }
  }
  const owned = new Set<string>();
  for (const r of rm.regions.values()) for (const x of r.targets) owned.add(`${x.memdev.id}/${x.decoder}`);
  const groups = new Map<string, { dev: Type3Device; index: number }[]>();
  for (const dev of t.memdevs) {
    for (let i = 0; i < dev.hdm.count; i++) {
      if (!dev.hdm.isCommitted(i) || owned.has(`${dev.id}/${i}`)) continue;
      const v = dev.hdm.view(i);
      const key = `${v.base}/${v.size}/${v.ways}/${v.granularity}`;
      const g = groups.get(key) ?? [];
      g.push({ dev, index: i });
      groups.set(key, g);
    }
  }
  for (const g of groups.values()) {
    const v = g[0]!.dev.hdm.view(g[0]!.index);
    const ways = v.ways!;
    const gran = v.granularity!;
    const names = g.map((x) => x.dev.name);
    const w = t.windows.find((x) => v.base >= x.base && v.base + v.size <= x.end);
    const bad = (reason: string) =>
      out.incomplete.push({ base: v.base, size: v.size, ways, granularity: gran, memdevs: names, reason });
    if (!w) {
      bad('no window holds the decoded range');
      continue;
    }
    if (g.length !== ways) {
      bad(`${g.length} committed endpoint decoder(s) for a ${ways}-way range`);
      continue;
    }
    const slot = new Map<Type3Device, number>();
    for (let k = 0; k < ways; k++) {
      const r = referenceDecode(t.windows, xorHpaOf(0, k, v.base, ways, gran, w.xorMaps, w.xorMaps.length));
      if (r.ok) slot.set(r.memdev, k);
    }
    // Every decoding component on each device's path must hold the range: endpoint decoders alone
    // (a host bridge or switch decoder missing from saved state) route nothing.
    const gap = g
      .flatMap(({ dev }) => t.pathOf(dev).slice(0, -1))
      .find((c) => c.hdm !== null && coveringDecoder(c, v.base, v.size) === null);
    if (gap) {
      bad(
        `${gap.id} has no committed HDM decoder covering 0x${v.base.toString(16)}..0x${(v.base + v.size - 1).toString(16)}, which the endpoint decoders of ${names.join(', ')} decode`,
      );
      continue;
    }
    const decoders: RegionDecoderRef[] = [];
    const seen = new Set<string>();
    const targets: RegionTarget[] = g.map(({ dev, index }) => {
      decoders.push({ owner: dev, index });
      const path = t.pathOf(dev);
      const hops: PositionHop[] = [];
      let ok = true;
      for (let k = path.length - 2; k >= 0; k--) {
        const c = path[k]!;
        const below = path[k + 1] as Type3Device;
        const found = coveringDecoder(c, v.base, v.size);
        if (found === null) {
          ok = ok && c.hdm === null; // a passthrough host bridge routes its one port
          hops.push({ index: 0, ways: 1 });
          continue;
        }
        const cv = c.hdm!.view(found);
        hops.push({ index: cv.targets.slice(0, cv.ways ?? 0).indexOf(below.parentPort.port), ways: cv.ways ?? 1 });
        const key = `${c.id}/${found}`;
        if (!seen.has(key)) {
          seen.add(key);
          decoders.push({ owner: c, index: found });
        }
      }
      hops.push({ index: w.targets.indexOf(path[0] as never), ways: w.ways });
      const routed = slot.get(dev) ?? -1;
      const position = ok && hops.every((h) => h.index >= 0) ? calcInterleavePosition(hops) : routed;
      const dpaBase = dev.hdm.dpaBase(index);
      return { position, routedSlot: routed, memdev: dev, decoder: index, dpaBase, dpaSize: v.size / ways };
    });
    targets.sort((a, b) => a.position - b.position);
    const first = targets[0]!;
    let n = 0;
    while (rm.regions.has(`region${n}`)) n++;
    const region: Region = {
      name: `region${n}`,
      window: w,
      ways,
      granularity: gran,
      base: v.base,
      size: v.size,
      mode: first.dpaBase < first.memdev.volatileBytes ? 'ram' : 'pmem',
      locked: g.every(({ dev, index }) => dev.hdm.isLocked(index)),
      targets,
      decoders,
      discovered: true,
    };
    rm.regions.set(region.name, region);
    out.added.push(region);
  }
  return out;
}

/** The committed decoder of `c` whose range holds [base, base + size), or null. */
function coveringDecoder(c: DecoderOwner, base: number, size: number): number | null {
  if (!c.hdm) return null;
  for (let i = 0; i < c.hdm.count; i++) {
    if (!c.hdm.isCommitted(i)) continue;
    const v = c.hdm.view(i);
    if (base >= v.base && base + size <= v.base + v.size) return i;
  }
  return null;
}
