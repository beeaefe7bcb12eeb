// Regions: the equivalent of `cxl create-region` / `cxl destroy-region`. Owns the region records
// and the choice of decoders, target lists and DPA; programs every decoder on each path through its
// register image (endpoint -> switch -> host bridge) and commits in order. Refuses invalid requests
// naming the broken rule (src/cxl-math/decoder-rules.ts); never decodes HPAs itself.

import {
  checkDecoderRangeOrder,
  checkGranularity,
  checkGranularityChain,
  checkRangeAlignment,
  checkRegionGranularity,
  checkRegionSize,
  checkRegionWays,
  checkRootPosition,
  checkSwitchDecoderWays,
  checkWays,
  checkWaysAdvertised,
  type RuleIssue,
} from '../cxl-math/decoder-rules.js';
import { HDM_RANGE_UNIT } from '../cxl-math/hdm-registers.js';
import { granularityToEig, waysToEiw } from '../cxl-math/interleave.js';
import { xorHpaOf } from '../cxl-math/xor.js';
import { calcInterleavePosition, granularityChain, peerDistance, type PositionHop } from '../cxl-math/routing.js';
import type { HdmDecoderBlock } from './hdm-decoder.js';
import { RegionError } from './errors.js';
import { referenceDecode } from './reference-decoder.js';
import type { DecoderOwner, TopologyCore } from './topology.js';
import type { Type3Device } from './components.js';
import type { CxlWindow } from './window.js';

const hex = (n: number) => '0x' + n.toString(16);

export type RegionMode = 'ram' | 'pmem';

export interface CreateRegionOptions {
  name?: string;
  /** Window id. */
  window: string;
  ways: number;
  granularity: number;
  /** Memdev names (memN) or ids, in any order. */
  memdevs: string[];
  /** Bytes; a multiple of 256 MiB x ways. */
  size: number;
  /** HPA; default: the lowest free 256 MiB-aligned place in the window. */
  base?: number;
  /** Partition to map; default pmem when every memdev has persistent capacity and the window allows it, else ram. */
  mode?: RegionMode;
  /** Set Lock-on-Commit on every decoder (firmware-locked regions). */
  lock?: boolean;
  /**
   * 'linux' (default): positions from the topology as Linux's cxl_calc_interleave_pos computes
   * them, target lists in port order. 'given': memdevs are listed in position order (as
   * `cxl create-region -m` with explicit targets) and each target list is in first-appearance
   * order; refused when that order breaks the root position or distance rule.
   */
  order?: 'linux' | 'given';
}

export interface RegionTarget {
  /** Linux position (cxl_calc_interleave_pos). */
  position: number;
  /** The slot the compiled routing gives this device: floor((T(hpa) - base)/G) mod W. */
  routedSlot: number;
  memdev: Type3Device;
  decoder: number;
  dpaBase: number;
  dpaSize: number;
}

export interface RegionDecoderRef {
  owner: DecoderOwner;
  index: number;
}

export interface Region {
  name: string;
  window: CxlWindow;
  ways: number;
  granularity: number;
  base: number;
  size: number;
  mode: RegionMode;
  locked: boolean;
  /** In position order. */
  targets: RegionTarget[];
  /** Every decoder programmed, in commit order. */
  decoders: RegionDecoderRef[];
  /** Inferred from committed decoder registers (a guest or restored raw images), not created here. */
  discovered?: boolean;
}

/** Plain-JSON region record (snapshotState). */
export interface RegionRecord {
  name: string;
  window: string;
  ways: number;
  granularity: number;
  base: number;
  size: number;
  mode: RegionMode;
  locked: boolean;
  targets: {
    position: number;
    routedSlot: number;
    memdev: string;
    decoder: number;
    dpaBase: number;
    dpaSize: number;
  }[];
  decoders: { component: string; index: number }[];
}

function fail(issues: RuleIssue[]): void {
  if (issues.length) throw new RegionError(issues[0]!.code, issues[0]!.message);
}

/** Port number by which a component hangs below its parent. */
const portOf = (c: DecoderOwner): number => (c as { parentPort: { port: number } }).parentPort.port;

const componentName = (c: DecoderOwner): string =>
  c.kind === 'type3' ? `endpoint ${c.name}` : `${c.kind === 'hostBridge' ? 'host bridge' : 'switch'} ${c.id}`;

/** A validated request: the window, the memdevs in the order given, and the partition mapped. */
interface RegionRequest {
  readonly o: CreateRegionOptions;
  readonly name: string;
  readonly who: string;
  readonly w: CxlWindow;
  readonly devs: Type3Device[];
  readonly mode: RegionMode;
}

/** Targets attached: each memdev's path (host bridge first) and each port's target list. */
interface RegionTargets {
  readonly paths: Map<Type3Device, DecoderOwner[]>;
  readonly targetList: Map<DecoderOwner, number[]>;
}

/** Everything decided before the first register write. */
interface RegionPlan extends RegionRequest, RegionTargets {
  readonly pos: Map<Type3Device, number>;
  readonly gOf: Map<DecoderOwner, number>;
  readonly base: number;
  readonly index: Map<DecoderOwner, number>;
  readonly dpaPlan: Map<Type3Device, { skip: number; dpaBase: number }>;
}

export class RegionManager {
  readonly topo: TopologyCore;
  readonly regions = new Map<string, Region>();

  constructor(topo: TopologyCore) {
    this.topo = topo;
  }

  /**
   * `cxl create-region`, in the phases of Linux's drivers/cxl/core/region.c: validate the request,
   * attach the targets (paths, per-port target lists, positions), set up the targets (ways and
   * granularity per port), place the HPA range and pick decoders and DPA, then program and commit
   * every decoder, rolling back on failure. Nothing is written before the last check passes.
   */
  createRegion(o: CreateRegionOptions): Region {
    const req = this.validateRequest(o);
    const targets = this.attachTargets(req);
    this.checkPortWays(req, targets);
    const pos = this.attachPositions(req, targets);
    const gOf = this.setupGranularity(req, targets);
    const base = o.base ?? this.allocBase(req.w, o.size, o.ways, req.who);
    this.checkHpaRange(req, base);
    const index = this.reserveDecoders(req, targets, base);
    const dpaPlan = this.allocDpa(req, index);
    const plan: RegionPlan = { ...req, ...targets, pos, gOf, base, index, dpaPlan };
    const ordered = [...req.devs].sort((a, b) => pos.get(a)! - pos.get(b)!);
    const committed = this.commitDecoders(plan, ordered);
    const slot = this.routedSlots(req.w, base, o.ways, o.granularity);
    const region: Region = {
      name: req.name,
      window: req.w,
      ways: o.ways,
      granularity: o.granularity,
      base,
      size: o.size,
      mode: req.mode,
      locked: o.lock ?? false,
      targets: ordered.map((d) => ({
        position: pos.get(d)!,
        routedSlot: slot.get(d) ?? -1,
        memdev: d,
        decoder: index.get(d)!,
        dpaBase: dpaPlan.get(d)!.dpaBase,
        dpaSize: o.size / o.ways,
      })),
      decoders: committed,
    };
    this.regions.set(req.name, region);
    return region;
  }

  /** Phase 1: name, window, ways, granularity, memdevs, size and partition (region rules 1-3, 8). */
  private validateRequest(o: CreateRegionOptions): RegionRequest {
    const t = this.topo;
    const name = o.name ?? this.nextName();
    const who = `region ${name}`;
    if (this.regions.has(name)) throw new RegionError('name-taken', `${who}: a region with this name exists`);
    const w = t.window(o.window);
    if (!w)
      throw new RegionError(
        'window',
        `${who}: window "${o.window}" does not exist (windows: ${t.windows.map((x) => x.id).join(', ')})`,
      );
    fail(checkWays(o.ways, 'region ways'));
    fail(checkGranularity(o.granularity, 'region granularity'));
    fail(checkRegionWays(o.ways, w.ways));
    fail(checkRegionGranularity(o.granularity, w.granularity, w.ways));
    if (o.memdevs.length !== o.ways) {
      throw new RegionError(
        'memdev-count',
        `${who}: ${o.ways}-way region needs ${o.ways} memdevs, got ${o.memdevs.length}`,
      );
    }
    const devs: Type3Device[] = [];
    for (const m of o.memdevs) {
      const d = t.memdev(m);
      if (!d) throw new RegionError('memdev', `${who}: memdev "${m}" does not exist`);
      if (devs.includes(d)) throw new RegionError('memdev-duplicate', `${who}: memdev ${d.name} is listed twice`);
      devs.push(d);
    }
    fail(checkRegionSize(o.size, o.ways));
    const pmemOk = w.persistent && devs.every((d) => d.persistentBytes > 0);
    const mode: RegionMode = o.mode ?? (pmemOk ? 'pmem' : 'ram');
    if (mode === 'pmem' && !w.persistent)
      throw new RegionError(
        'window-type',
        `${who}: window ${w.id} does not allow persistent memory (CFMWS restrictions)`,
      );
    if (mode === 'ram' && !w.volatile)
      throw new RegionError(
        'window-type',
        `${who}: window ${w.id} does not allow volatile memory (CFMWS restrictions)`,
      );
    return { o, name, who, w, devs, mode };
  }

  /**
   * Phase 2 (cxl_region_attach / cxl_port_attach_region): each memdev's path below the window, the
   * root position rule (7: W / W_root endpoints per root target) and each port's target list
   * (used dports in port order, or first appearance in the given order).
   */
  private attachTargets(req: RegionRequest): RegionTargets {
    const { o, who, w, devs } = req;
    const paths = new Map<Type3Device, DecoderOwner[]>();
    for (const d of devs) {
      const p = this.topo.pathOf(d);
      const hb = p[0]!;
      if (hb.kind !== 'hostBridge' || !w.targets.includes(hb)) {
        throw new RegionError(
          'memdev-not-in-window',
          `${who}: memdev ${d.name} sits below host bridge ${hb.id}, which is not a target of window ${w.id} (targets: ${w.targets.map((x) => x.id).join(', ')})`,
        );
      }
      paths.set(d, p);
    }
    const perHb = o.ways / w.ways;
    for (const hb of w.targets) {
      const n = devs.filter((d) => paths.get(d)![0] === hb).length;
      if (n !== perHb) {
        throw new RegionError(
          'root-position',
          `root position rule: ${who} interleaves ${o.ways} ways over window ${w.id}'s ${w.ways} host bridge(s), so each host bridge needs ${perHb} memdev(s) below it; host bridge ${hb.id} has ${n}`,
        );
      }
    }
    // Ports attach in the given order; 'linux' then sorts each list by port number.
    const targetList = new Map<DecoderOwner, number[]>();
    for (const d of devs) {
      const p = paths.get(d)!;
      for (let i = 0; i + 1 < p.length; i++) {
        let tl = targetList.get(p[i]!);
        if (!tl) targetList.set(p[i]!, (tl = []));
        const port = portOf(p[i + 1]!);
        if (!tl.includes(port)) tl.push(port);
      }
    }
    if (o.order !== 'given') for (const tl of targetList.values()) tl.sort((a, b) => a - b);
    return { paths, targetList };
  }

  /** Phase 3a (rule 4): every port's ways are usable there; endpoints advertise the region ways. */
  private checkPortWays(req: RegionRequest, { targetList }: RegionTargets): void {
    for (const [c, tl] of targetList) {
      if (c.hdm === null) {
        if (tl.length !== 1)
          throw new RegionError(
            'passthrough',
            `${req.who}: passthrough host bridge ${c.id} has no HDM decoder and cannot interleave ${tl.length} ways`,
          );
        continue;
      }
      const what = `${componentName(c)} decoder`;
      fail(checkSwitchDecoderWays(tl.length, c.hdm.targetCount, c.hdm.advertisedWays, what));
    }
    for (const d of req.devs) fail(checkWaysAdvertised(req.o.ways, d.hdm.advertisedWays, `endpoint ${d.name}`));
  }

  /**
   * Phase 2b (cxl_region_attach_position / cxl_calc_interleave_pos): each endpoint's position, and
   * the distance rule (6): every path multiplies to the region ways and no two share a position.
   */
  private attachPositions(req: RegionRequest, { paths, targetList }: RegionTargets): Map<Type3Device, number> {
    const { o, w, devs } = req;
    const pos = new Map<Type3Device, number>();
    const taken = new Map<number, Type3Device>();
    for (const d of devs) {
      const p = paths.get(d)!;
      const hops: PositionHop[] = [];
      for (let i = p.length - 2; i >= 0; i--) {
        const tl = targetList.get(p[i]!)!;
        hops.push({ index: tl.indexOf(portOf(p[i + 1]!)), ways: tl.length });
      }
      const rootIdx = w.targets.indexOf(p[0] as never);
      hops.push({ index: rootIdx, ways: w.ways });
      const product = peerDistance(
        hops.slice(0, -1).map((h) => h.ways),
        w.ways,
      );
      if (product !== o.ways) {
        const route = p
          .slice(0, -1)
          .map((c) => c.id)
          .join(' -> ');
        throw new RegionError(
          'distance',
          `distance rule: memdev ${d.name}'s path (${route}) interleaves ${product} ways in total, but the region has ${o.ways}; every endpoint's path must multiply to the region ways`,
        );
      }
      const ps = calcInterleavePosition(hops);
      if (o.order === 'given' && ps !== devs.indexOf(d)) {
        const gi = devs.indexOf(d);
        fail(checkRootPosition(gi, w.ways, rootIdx));
        throw new RegionError(
          'distance',
          `distance rule: memdev ${d.name} is listed at position ${gi}, but its place in the target lists (first appearance in position order) gives position ${ps}`,
        );
      }
      const other = taken.get(ps);
      if (other)
        throw new RegionError('distance', `distance rule: memdevs ${other.name} and ${d.name} both get position ${ps}`);
      taken.set(ps, d);
      pos.set(d, ps);
    }
    return pos;
  }

  /** Phase 3b (cxl_port_setup_targets, rule 5): the granularity of every port's decoder. */
  private setupGranularity(req: RegionRequest, { paths, targetList }: RegionTargets): Map<DecoderOwner, number> {
    const { o, w } = req;
    const gOf = new Map<DecoderOwner, number>();
    for (const d of req.devs) {
      const p = paths.get(d)!;
      const levelWays = p.slice(0, -1).map((c) => targetList.get(c)!.length);
      fail(checkGranularityChain(o.granularity, w.ways, levelWays));
      const chain = granularityChain(o.granularity, w.ways, levelWays);
      p.slice(0, -1).forEach((c, i) => gOf.set(c, chain[i]!));
    }
    return gOf;
  }

  /** Phase 4a (alloc_hpa): the range is aligned, inside the window, and overlaps no region. */
  private checkHpaRange(req: RegionRequest, base: number): void {
    const { o, who, w } = req;
    fail(checkRangeAlignment(base, o.size, `${who}`));
    if (base < w.base || base + o.size > w.end) {
      throw new RegionError(
        'region-outside-window',
        `${who}: range ${hex(base)}-${hex(base + o.size - 1)} is not inside window ${w.id} ${hex(w.base)}-${hex(w.end - 1)}`,
      );
    }
    const unit = HDM_RANGE_UNIT * o.ways;
    if ((base - w.base) % unit !== 0) {
      throw new RegionError(
        'region-alignment',
        `alignment rule: ${who} base ${hex(base)} is ${hex(base - w.base)} into window ${w.id}: the offset must be a multiple of 256 MiB x ${o.ways} ways = ${hex(unit)} (Linux allocates region HPA at that alignment)`,
      );
    }
    for (const r of this.regions.values()) {
      if (r.window === w && base < r.base + r.size && r.base < base + o.size) {
        throw new RegionError(
          'region-overlap',
          `${who}: range ${hex(base)}-${hex(base + o.size - 1)} overlaps region ${r.name} ${hex(r.base)}-${hex(r.base + r.size - 1)}`,
        );
      }
    }
  }

  /** Phase 4b: the next free decoder of every component, above the ones already committed. */
  private reserveDecoders(req: RegionRequest, { targetList }: RegionTargets, base: number): Map<DecoderOwner, number> {
    const comps: DecoderOwner[] = [...req.devs, ...[...targetList.keys()].filter((c) => c.hdm !== null)];
    const index = new Map<DecoderOwner, number>();
    for (const c of comps) {
      const hdm = c.hdm!;
      const n = hdm.committedCount();
      const cname = componentName(c);
      if (n >= hdm.count)
        throw new RegionError(
          'no-free-decoder',
          `${req.who}: ${cname} has no free decoder (all ${hdm.count} committed)`,
        );
      if (n > 0) {
        const issue = checkDecoderRangeOrder([hdm.view(n - 1), { base, size: req.o.size }], n - 1)[0];
        if (issue) {
          throw new RegionError(issue.code, `${req.who}: ${cname} ${this.topo.decoderName(c, n)}: ${issue.message}`);
        }
      }
      index.set(c, n);
    }
    return index;
  }

  /** Phase 4c (alloc_dpa): each endpoint's DPA, after its last decoder, inside the partition. */
  private allocDpa(req: RegionRequest, index: Map<DecoderOwner, number>): RegionPlan['dpaPlan'] {
    const { o, who, mode } = req;
    const dpaSize = o.size / o.ways;
    const dpaPlan = new Map<Type3Device, { skip: number; dpaBase: number }>();
    for (const d of req.devs) {
      const n = index.get(d)!;
      const last = n === 0 ? 0 : d.hdm.dpaBase(n - 1) + d.hdm.view(n - 1).size / d.hdm.view(n - 1).ways!;
      const [pStart, pEnd] = mode === 'ram' ? [0, d.volatileBytes] : [d.volatileBytes, d.capacity];
      const start = Math.max(last, pStart);
      const free = Math.max(0, pEnd - start);
      if (dpaSize > free) {
        throw new RegionError(
          'dpa-capacity',
          `${who}: memdev ${d.name} has ${hex(free)} bytes free in its ${mode === 'ram' ? 'volatile' : 'persistent'} partition, the region needs ${hex(dpaSize)} per device (size / ways)`,
        );
      }
      dpaPlan.set(d, { skip: start - last, dpaBase: start });
    }
    return dpaPlan;
  }

  /**
   * Phase 5 (cxl_region_decode_commit): for each endpoint in position order, program and commit
   * endpoint -> switches -> host bridge through the register images. A decoder that reports
   * Error-Not-Committed rolls back every decoder this region committed (cxl_region_decode_reset).
   */
  private commitDecoders(plan: RegionPlan, ordered: readonly Type3Device[]): RegionDecoderRef[] {
    const t = this.topo;
    const { o, who, base, index } = plan;
    const lock = o.lock ?? false;
    const committed: RegionDecoderRef[] = [];
    const commitOne = (c: DecoderOwner, hdm: HdmDecoderBlock, i: number): void => {
      const r = hdm.commit(i);
      if (r.kind === 'error') {
        const msg = `${who}: ${t.decoderName(c, i)} (${c.id}) reported Error-Not-Committed: ${r.reason}`;
        hdm.uncommit(i);
        this.rollback(committed);
        throw new RegionError('commit-failed', msg);
      }
      committed.push({ owner: c, index: i });
    };
    const eig = granularityToEig(o.granularity)!;
    const eiw = waysToEiw(o.ways)!;
    t.batch(() => {
      for (const d of ordered) {
        const i = index.get(d)!;
        d.hdm.enable();
        d.hdm.program(i, { base, size: o.size, eiw, eig, skip: plan.dpaPlan.get(d)!.skip, lock, hostOnly: true });
        commitOne(d, d.hdm, i);
        const p = plan.paths.get(d)!;
        for (let k = p.length - 2; k >= 0; k--) {
          const c = p[k]!;
          if (!c.hdm || committed.some((x) => x.owner === c)) continue;
          const tl = plan.targetList.get(c)!;
          c.hdm.enable();
          c.hdm.program(index.get(c)!, {
            base,
            size: o.size,
            eiw: waysToEiw(tl.length)!,
            eig: granularityToEig(plan.gOf.get(c)!)!,
            targets: tl,
            lock,
          });
          commitOne(c, c.hdm, index.get(c)!);
        }
      }
    });
    return committed;
  }

  /** Routed slots (where compiled routing sends chunk k of the region), from the reference decoder. */
  private routedSlots(w: CxlWindow, base: number, ways: number, gran: number): Map<Type3Device, number> {
    const slot = new Map<Type3Device, number>();
    for (let k = 0; k < ways; k++) {
      const r = referenceDecode(this.topo.windows, xorHpaOf(0, k, base, ways, gran, w.xorMaps, w.xorMaps.length));
      if (r.ok) slot.set(r.memdev, k);
    }
    return slot;
  }

  private rollback(committed: RegionDecoderRef[]): void {
    for (let k = committed.length - 1; k >= 0; k--) {
      const { owner, index } = committed[k]!;
      owner.hdm!.uncommit(index);
    }
    committed.length = 0;
  }

  destroyRegion(name: string): void {
    const r = this.regions.get(name);
    if (!r)
      throw new RegionError(
        'region',
        `region ${name} does not exist (regions: ${[...this.regions.keys()].join(', ') || 'none'})`,
      );
    for (const d of r.decoders) {
      if (d.owner.hdm!.isLocked(d.index)) {
        throw new RegionError(
          'locked',
          `region ${name} is locked: ${this.topo.decoderName(d.owner, d.index)} (${d.owner.id}) has Lock-on-Commit set, so its decoders stay committed until reset`,
        );
      }
      const highest = d.owner.hdm!.committedCount() - 1;
      if (highest !== d.index) {
        const other = [...this.regions.values()].find((x) =>
          x.decoders.some((y) => y.owner === d.owner && y.index === highest),
        );
        throw new RegionError(
          'destroy-order',
          `region ${name} cannot be destroyed before ${other ? `region ${other.name}` : `decoder ${highest}`}: ${this.topo.decoderName(d.owner, d.index)} (${d.owner.id}) is not the highest committed decoder (decoders are reset from the highest committed one)`,
        );
      }
    }
    this.topo.batch(() => {
      for (let k = r.decoders.length - 1; k >= 0; k--) {
        const d = r.decoders[k]!;
        const res = d.owner.hdm!.uncommit(d.index);
        if (!res.ok) throw new RegionError('uncommit-failed', `region ${name}: ${res.reason}`);
      }
    });
    this.regions.delete(name);
  }

  /** Lowest free base in `w` for `size` bytes, 256 MiB x ways aligned from the window base. */
  private allocBase(w: CxlWindow, size: number, ways: number, who: string): number {
    const unit = HDM_RANGE_UNIT * ways;
    const taken = [...this.regions.values()]
      .filter((r) => r.window === w)
      .map((r) => [r.base, r.base + r.size] as const)
      .sort((a, b) => a[0] - b[0]);
    let at = w.base;
    for (const [lo, hi] of taken) {
      if (at + size <= lo) break;
      if (hi > at) at = w.base + Math.ceil((hi - w.base) / unit) * unit;
    }
    if (at + size > w.end)
      throw new RegionError('window-full', `${who}: window ${w.id} has no free ${hex(size)}-byte range`);
    return at;
  }

  private nextName(): string {
    for (let i = 0; ; i++) if (!this.regions.has(`region${i}`)) return `region${i}`;
  }

  /** Region containing `hpa`. */
  regionAt(hpa: number): Region | undefined {
    for (const r of this.regions.values()) if (hpa >= r.base && hpa < r.base + r.size) return r;
    return undefined;
  }

  toRecord(r: Region): RegionRecord {
    return {
      name: r.name,
      window: r.window.id,
      ways: r.ways,
      granularity: r.granularity,
      base: r.base,
      size: r.size,
      mode: r.mode,
      locked: r.locked,
      targets: r.targets.map((x) => ({
        position: x.position,
        routedSlot: x.routedSlot,
        memdev: x.memdev.name,
        decoder: x.decoder,
        dpaBase: x.dpaBase,
        dpaSize: x.dpaSize,
      })),
      decoders: r.decoders.map((d) => ({ component: d.owner.id, index: d.index })),
    };
  }

  fromRecord(rec: RegionRecord): Region {
    const t = this.topo;
    const w = t.window(rec.window);
    if (!w) throw new RegionError('window', `saved region ${rec.name}: window "${rec.window}" does not exist`);
    const owners = t.decoderOwners();
    const region: Region = {
      name: rec.name,
      window: w,
      ways: rec.ways,
      granularity: rec.granularity,
      base: rec.base,
      size: rec.size,
      mode: rec.mode,
      locked: rec.locked,
      targets: rec.targets.map((x) => {
        const m = t.memdev(x.memdev);
        if (!m) throw new RegionError('memdev', `saved region ${rec.name}: memdev "${x.memdev}" does not exist`);
        return {
          position: x.position,
          routedSlot: x.routedSlot,
          memdev: m,
          decoder: x.decoder,
          dpaBase: x.dpaBase,
          dpaSize: x.dpaSize,
        };
      }),
      decoders: rec.decoders.map((d) => {
        const owner = owners.find((c) => c.id === d.component);
        if (!owner?.hdm)
          throw new RegionError('component', `saved region ${rec.name}: component "${d.component}" has no decoders`);
        return { owner, index: d.index };
      }),
    };
    this.regions.set(region.name, region);
    return region;
  }
}
