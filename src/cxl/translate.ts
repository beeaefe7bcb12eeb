// Address translation for people and tools: HPA -> window, ports on the path, endpoint, DPA and
// position (and the routed slot where it differs from Linux's label); DPA -> HPA(s). The device
// and DPA are the compiled router's (the production route the CPU takes), checked on every call
// against the reference decoder; the reference walk supplies only the hop-by-hop explanation.
// A disagreement is our bug: it throws RouteMismatchError, never returns one answer silently.

import { hpaOffsetOf } from '../cxl-math/interleave.js';
import type { Type3Device } from './components.js';
import { CxlBugError } from './errors.js';
import { mediaOf } from './poison.js';
import { referenceDecode, type ReferenceResult, type ReferenceStep } from './reference-decoder.js';
import type { RegionManager } from './region.js';
import type { RouteOut } from './router.js';
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

/** What the compiled router does with one HPA: the device and DPA it reaches, or no route. */
type RoutedAnswer =
  | { ok: true; memdev: Type3Device; dpa: number; partition: 'volatile' | 'persistent' }
  | { ok: false; reason: string };

/** The compiled router and the reference decoder disagree about an HPA (a bug in cxlemu). */
export class RouteMismatchError extends CxlBugError {
  override name = 'RouteMismatchError';
  readonly hpa: number;
  readonly router: string;
  readonly reference: string;
  constructor(hpa: number, router: string, reference: string) {
    super(
      `HPA 0x${hpa.toString(16)}: the compiled router and the reference decoder disagree: router -> ${router}; reference decoder -> ${reference}`,
    );
    this.hpa = hpa;
    this.router = router;
    this.reference = reference;
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The production route for `hpa`: the window's router resolves it to a store and offset. */
function routeHpa(t: TopologyCore, hpa: number): RoutedAnswer {
  const w = t.windowAt(hpa);
  if (!w) return { ok: false, reason: `HPA ${hex(hpa)} is in no CXL window` };
  const out: RouteOut = { store: null, offset: 0, run: 0 };
  if (!w.router.resolve(hpa, out)) return { ok: false, reason: `window ${w.window.id} routes HPA ${hex(hpa)} nowhere` };
  // A partition store belongs to one device: offset o is DPA o (volatile) or volatileBytes + o.
  for (const dev of t.memdevs) {
    if (out.store === dev.volatileStore) return { ok: true, memdev: dev, dpa: out.offset, partition: 'volatile' };
    if (out.store === dev.persistentStore)
      return { ok: true, memdev: dev, dpa: dev.volatileBytes + out.offset, partition: 'persistent' };
  }
  return { ok: false, reason: `store ${out.store?.name ?? 'null'} of no memdev (offset ${hex(out.offset)})` };
}

/** The memdev the committed decoders send `hpa` to (the compiled router), or null. */
export function memdevAt(t: TopologyCore, hpa: number): Type3Device | null {
  const r = routeHpa(t, hpa);
  return r.ok ? r.memdev : null;
}

/**
 * The board's hook for a host load or fetch that faulted on poison at `hpa` (AccessFault.Poisoned):
 * routes the HPA to its device and DPA and reports it (DeviceMedia.reportPoisonedRead), so the
 * device logs the uncorrectable read once per line per poisoning. Returns whether a record was due
 * (false for an HPA that routes nowhere, a clean line, or a line already reported).
 */
export function reportPoisonedHpa(t: TopologyCore, hpa: number): boolean {
  const r = routeHpa(t, hpa);
  return r.ok && mediaOf(r.memdev).reportPoisonedRead(r.dpa);
}

const answerText = (a: RoutedAnswer | ReferenceResult): string =>
  a.ok ? `${a.memdev.name} DPA ${hex(a.dpa)} (${a.partition})` : `no route (${a.reason})`;

/** A routed answer and the reference walk that explains it. */
type CheckedRoute =
  | {
      ok: true;
      routed: Extract<RoutedAnswer, { ok: true }>;
      walk: Extract<ReferenceResult, { ok: true }>;
    }
  | { ok: false; reason: string };

/**
 * The router's answer for `hpa` with the reference decoder's walk, after checking that both reach
 * the same device and DPA (or that neither routes; the reason is then the reference's, which names
 * the level that stopped the decode). Throws RouteMismatchError on any disagreement.
 */
function checkedRoute(t: TopologyCore, hpa: number): CheckedRoute {
  const routed = routeHpa(t, hpa);
  const walk = referenceDecode(t.windows, hpa);
  if (!routed.ok && !walk.ok) return walk;
  if (routed.ok && walk.ok && walk.memdev === routed.memdev && walk.dpa === routed.dpa)
    return { ok: true, routed, walk };
  throw new RouteMismatchError(hpa, answerText(routed), answerText(walk));
}

export function translateHpa(t: TopologyCore, regions: RegionManager, hpa: number): TranslateResult {
  const c = checkedRoute(t, hpa);
  if (!c.ok) return c;
  const { routed, walk: r } = c;
  const out: HpaTranslation = {
    hpa,
    window: r.window.id,
    rootSlot: r.rootSlot,
    hostBridge: r.hostBridge.id,
    path: r.path,
    memdev: routed.memdev.name,
    endpointDecoder: t.decoderName(routed.memdev, r.endpointDecoder),
    dpa: routed.dpa,
    partition: routed.partition,
  };
  const reg = regions.regionAt(hpa);
  if (reg) {
    const tg = reg.targets.find((x) => x.memdev === routed.memdev);
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

/** Every HPA the router sends to (memdev, dpa) under the committed decoders (usually one), checked. */
export function translateDpa(t: TopologyCore, memdevName: string, dpa: number): number[] {
  const dev = t.memdev(memdevName);
  if (!dev) return [];
  const out: number[] = [];
  // Candidates from each committed endpoint decoder holding the DPA, one per interleave position.
  for (let i = 0; i < dev.hdm.count; i++) {
    if (!dev.hdm.isCommitted(i)) continue;
    const v = dev.hdm.view(i);
    const base = dev.hdm.dpaBase(i);
    const len = v.size / v.ways!;
    if (dpa < base || dpa >= base + len) continue;
    for (let s = 0; s < v.ways!; s++) {
      const h = v.base + hpaOffsetOf(dpa - base, s, v.ways!, v.granularity!);
      const c = checkedRoute(t, h);
      if (c.ok && c.routed.memdev === dev && c.routed.dpa === dpa) out.push(h);
    }
  }
  return out.sort((a, b) => a - b);
}
