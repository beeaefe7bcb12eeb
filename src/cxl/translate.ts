// Address translation for people and tools: HPA -> window, ports on the path, endpoint, DPA and
// position (and the routed slot where it differs from Linux's label); DPA -> HPA(s). Uses the
// reference decoder's walk (register state), so it shows what the hardware state does.

import { hpaOffsetOf } from '../cxl-math/interleave.js';
import { referenceDecode, type ReferenceStep } from './reference-decoder.js';
import type { RegionManager } from './region.js';
import type { TopologyCore } from './topology.js';

export interface HpaTranslation {
  hpa: number;
  window: string;
  /** Root slot (index into the window's targets) and its host bridge. */
  rootSlot: number;
  hostBridge: string;
  path: ReferenceStep[];
  memdev: string;
  endpointDecoder: string;
  dpa: number;
  partition: 'volatile' | 'persistent';
  region?: string;
  /** Linux position label of the device in its region. */
  position?: number;
  /** The compiled routing slot, reported only when it differs from `position`. */
  routedSlot?: number;
}

export type TranslateResult = { ok: true; value: HpaTranslation } | { ok: false; reason: string };

export function translateHpa(t: TopologyCore, regions: RegionManager, hpa: number): TranslateResult {
  const r = referenceDecode(t.windows, hpa);
  if (!r.ok) return r;
  const out: HpaTranslation = {
    hpa,
    window: r.window.id,
    rootSlot: r.rootSlot,
    hostBridge: r.hostBridge.id,
    path: r.path,
    memdev: r.memdev.name,
    endpointDecoder: t.decoderName(r.memdev, r.endpointDecoder),
    dpa: r.dpa,
    partition: r.partition,
  };
  const reg = regions.regionAt(hpa);
  if (reg) {
    const tg = reg.targets.find((x) => x.memdev === r.memdev);
    out.region = reg.name;
    if (tg) {
      out.position = tg.position;
      const a = r.window.xorTransform(hpa);
      const slot = Math.floor((a - reg.base) / reg.granularity) % reg.ways;
      if (slot !== tg.position) out.routedSlot = slot;
    }
  }
  return { ok: true, value: out };
}

/** Every HPA that reaches (memdev, dpa) under the committed decoders (usually one). */
export function translateDpa(t: TopologyCore, memdevName: string, dpa: number): number[] {
  const dev = t.memdev(memdevName);
  if (!dev) return [];
  const out: number[] = [];
  for (let i = 0; i < dev.hdm.count; i++) {
    if (!dev.hdm.isCommitted(i)) continue;
    const v = dev.hdm.view(i);
    const base = dev.hdm.dpaBase(i);
    const len = v.size / v.ways!;
    if (dpa < base || dpa >= base + len) continue;
    for (let s = 0; s < v.ways!; s++) {
      const h = v.base + hpaOffsetOf(dpa - base, s, v.ways!, v.granularity!);
      const r = referenceDecode(t.windows, h);
      if (r.ok && r.memdev === dev && r.dpa === dpa) out.push(h);
    }
  }
  return out.sort((a, b) => a - b);
}
