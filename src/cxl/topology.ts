// The CXL topology built from a TopologySpec: host bridges, root ports, switches (any depth),
// type-3 devices with their stores, fixed memory windows and one router per window. Owns the
// component graph and the wiring decoder-change -> router invalidation -> address-space
// notification. It never decodes by itself (router.ts / reference-decoder.ts do).

import type { Arena } from '../memory/arena.js';
import type { AddressSpace } from '../memory/address-space.js';
import { BackingStore } from '../memory/store.js';
import { FileBackedStore } from '../memory/file-store.js';
import type { DecoderView, HdmDecoderBlock } from './hdm-decoder.js';
import { HostBridge } from './components.js';
import type { Dport, PortChild } from './components.js';
import { WindowRoute } from './router.js';
import { overlappingPairs } from '../cxl-math/intervals.js';
import { CxlSwitch } from './components.js';
import type { FileBackingSpec, SwitchSpec, TopologySpec, Type3Spec } from './topology-spec.js';
import { Type3Device } from './components.js';
import { CxlWindow, defaultXorMaps, xorListsOf } from './window.js';
import { TopologyError } from './errors.js';

/** Any component that owns an HDM decoder block. */
export type DecoderOwner = HostBridge | CxlSwitch | Type3Device;

export type RoutesChangedListener = (window: CxlWindow, range: { base: number; size: number }) => void;

export class TopologyCore {
  readonly spec: TopologySpec;
  readonly arena: Arena;
  readonly addressSpace: AddressSpace | null;
  readonly hostBridges: HostBridge[] = [];
  readonly switches: CxlSwitch[] = [];
  readonly memdevs: Type3Device[] = [];
  readonly windows: CxlWindow[] = [];
  readonly routers: WindowRoute[] = [];
  /** Platform XOR map lists by HBIG (the CXIMS entries), defaults filled in for XOR windows. */
  readonly xorLists: Map<number, number[]>;
  /** Linux-style port numbering for names (root0 = 0, then host bridges, switches, endpoints). */
  readonly portNumber = new Map<object, number>();
  private readonly routeListeners: RoutesChangedListener[] = [];
  /** Suppress per-commit notifications while a batch (region create/destroy) runs. */
  private batchDepth = 0;
  private readonly pendingWindows = new Set<number>();

  constructor(spec: TopologySpec, arena: Arena, addressSpace: AddressSpace | null) {
    this.spec = spec;
    this.arena = arena;
    this.addressSpace = addressSpace;
    const ids = new Set<string>();
    const claim = (id: string, path: string) => {
      if (ids.has(id)) throw new TopologyError(`${path}: id "${id}" is used twice`);
      ids.add(id);
    };
    const names = new Set<string>();
    spec.hostBridges.forEach((hs, i) => {
      claim(hs.id, `hostBridges[${i}]`);
      const hb = new HostBridge(hs);
      this.hostBridges.push(hb);
      const seenPorts = new Set<number>();
      hs.rootPorts.forEach((rs, j) => {
        const path = `hostBridges[${i}].rootPorts[${j}]`;
        claim(rs.id, path);
        if (seenPorts.has(rs.port))
          throw new TopologyError(`${path}.port: port number ${rs.port} is used twice in host bridge ${hs.id}`);
        seenPorts.add(rs.port);
        if (rs.port < 0 || rs.port > 255)
          throw new TopologyError(`${path}.port: ${rs.port} does not fit a target-list byte (0..255)`);
        if (rs.child) this.attach(hb.rootPorts[j]!, rs.child, path + '.child', claim, names);
      });
    });
    this.xorLists = xorListsOf(spec.xorMaps);
    spec.windows.forEach((ws, i) => {
      claim(ws.id, `windows[${i}]`);
      const targets = ws.targets.map((t, j) => {
        const hb = this.hostBridges.find((h) => h.id === t);
        if (!hb) throw new TopologyError(`windows[${i}].targets[${j}]: host bridge "${t}" does not exist`);
        return hb;
      });
      if (ws.arithmetic === 'xor' && !this.xorLists.has(ws.granularity))
        this.xorLists.set(ws.granularity, defaultXorMaps(ws.granularity));
      this.windows.push(new CxlWindow(ws, i, targets, this.xorLists));
    });
    const overlap = overlappingPairs(this.windows)[0];
    if (overlap) {
      const [i, j] = overlap;
      throw new TopologyError(`windows[${j}] (${this.windows[j]!.id}): range overlaps window ${this.windows[i]!.id}`);
    }
    for (const w of this.windows) this.routers.push(new WindowRoute(w));
    // Names: root0, then host bridges port1.., then switches and endpoints depth first.
    let n = 1;
    for (const hb of this.hostBridges) this.portNumber.set(hb, n++);
    for (const s of this.switches) this.portNumber.set(s, n++);
    for (const m of this.memdevs) this.portNumber.set(m, n++);
    for (const c of this.decoderOwners()) c.hdm?.onChange((b, idx, ev) => this.onDecoderChange(c, b, idx, ev));
    for (const c of this.decoderOwners()) if (c.hdm) c.hdm.rangeCheck = (idx, d) => this.windowRule(c, idx, d);
    if (addressSpace) {
      addressSpace.begin();
      try {
        this.windows.forEach((w, i) => addressSpace.window(`cxl-${w.id}`, w.base, w.size, this.routers[i]!));
      } finally {
        addressSpace.commit();
      }
    }
  }

  private attach(
    port: Dport,
    child: Type3Spec | SwitchSpec,
    path: string,
    claim: (id: string, p: string) => void,
    names: Set<string>,
  ): void {
    claim(child.id, path);
    if (child.kind === 'switch') {
      const sw = new CxlSwitch(child);
      sw.parentPort = port;
      port.child = sw;
      this.switches.push(sw);
      const seen = new Set<number>();
      child.downstreamPorts.forEach((ds, k) => {
        const p = `${path}.downstreamPorts[${k}]`;
        claim(ds.id, p);
        if (seen.has(ds.port))
          throw new TopologyError(`${p}.port: port number ${ds.port} is used twice in switch ${child.id}`);
        seen.add(ds.port);
        if (ds.port < 0 || ds.port > 255)
          throw new TopologyError(`${p}.port: ${ds.port} does not fit a target-list byte (0..255)`);
        if (ds.child) this.attach(sw.downstreamPorts[k]!, ds.child, p + '.child', claim, names);
      });
      return;
    }
    if (names.has(child.name)) throw new TopologyError(`${path}.name: memdev name "${child.name}" is used twice`);
    names.add(child.name);
    const SZ = 2 ** 28;
    if (child.volatileBytes % SZ !== 0 || child.persistentBytes % SZ !== 0) {
      throw new TopologyError(
        `${path}: volatileBytes ${child.volatileBytes} and persistentBytes ${child.persistentBytes} must be multiples of 256 MiB (HDM decoders map 256 MiB units)`,
      );
    }
    const mk = (what: string, size: number, file: FileBackingSpec | undefined): BackingStore | null => {
      if (size <= 0) return null;
      const name = `${child.name}-${what}`;
      const sizedBy = `${child.sizedBy} (${what})`;
      if (file) return new FileBackedStore(this.arena, { name, size, sizedBy, path: file.path, share: file.share });
      return new BackingStore(this.arena, { name, size, sizedBy });
    };
    const dev = new Type3Device(child, {
      volatile: mk('volatile', child.volatileBytes, child.volatileFile),
      persistent: mk('persistent', child.persistentBytes, child.persistentFile),
      lsa: mk('lsa', child.lsaBytes, child.lsaFile),
    });
    // Repartition on reset (Type3Device.repartition): fresh anonymous stores of the new sizes.
    dev.storeFactory = (what, size) =>
      new BackingStore(this.arena, {
        name: `${child.name}-${what}`,
        size,
        sizedBy: `${child.sizedBy} (${what}, repartitioned)`,
      });
    dev.parentPort = port;
    port.child = dev;
    this.memdevs.push(dev);
  }

  /** Every component with (possibly) an HDM decoder block: host bridges, switches, endpoints. */
  decoderOwners(): DecoderOwner[] {
    return [...this.hostBridges, ...this.switches, ...this.memdevs];
  }

  /** Linux-style decoder name decoderP.N. */
  decoderName(c: DecoderOwner, index: number): string {
    return `decoder${this.portNumber.get(c) ?? '?'}.${index}`;
  }

  memdev(nameOrId: string): Type3Device | undefined {
    return this.memdevs.find((m) => m.name === nameOrId || m.id === nameOrId);
  }

  window(id: string): CxlWindow | undefined {
    return this.windows.find((w) => w.id === id);
  }

  hostBridgeOf(c: PortChild): HostBridge {
    let p = c.parentPort.parent;
    while (p.kind === 'switch') p = p.parentPort.parent;
    return p;
  }

  /** Components from the host bridge down to `dev` (HB first, endpoint last). */
  pathOf(dev: Type3Device): DecoderOwner[] {
    const out: DecoderOwner[] = [dev];
    let p = dev.parentPort.parent;
    while (p.kind === 'switch') {
      out.unshift(p);
      p = p.parentPort.parent;
    }
    out.unshift(p);
    return out;
  }

  onRoutesChanged(listener: RoutesChangedListener): () => void {
    this.routeListeners.push(listener);
    return () => {
      const i = this.routeListeners.indexOf(listener);
      if (i >= 0) this.routeListeners.splice(i, 1);
    };
  }

  /** Run `fn` with route notifications batched into one per affected window. */
  batch<T>(fn: () => T): T {
    this.batchDepth++;
    try {
      return fn();
    } finally {
      if (--this.batchDepth === 0) this.flushNotifications();
    }
  }

  private onDecoderChange(c: DecoderOwner, _b: HdmDecoderBlock, _index: number, _ev: string): void {
    const hb = c.kind === 'hostBridge' ? c : this.hostBridgeOf(c);
    this.windows.forEach((w, i) => {
      if (w.targets.includes(hb)) {
        this.routers[i]!.invalidate();
        this.pendingWindows.add(i);
      }
    });
    if (this.batchDepth === 0) this.flushNotifications();
  }

  private flushNotifications(): void {
    const list = [...this.pendingWindows];
    this.pendingWindows.clear();
    for (const i of list) {
      const w = this.windows[i]!;
      this.addressSpace?.invalidateRoutes(w.base, w.size);
      for (const l of this.routeListeners) l(w, { base: w.base, size: w.size });
    }
  }

  /**
   * cxlemu's commit rule over windows (docs/cxl-registers.md "Commit rules"): [base, base+size)
   * lies inside one window whose targets reach `c`'s host bridge; an endpoint decoder of W ways
   * has (base - window base) and size multiples of 256 MiB x W (Linux allocates region HPA so).
   */
  windowRule(c: DecoderOwner, index: number, d: DecoderView): { code: string; message: string } | undefined {
    const hex = (n: number) => '0x' + n.toString(16);
    const hb = c.kind === 'hostBridge' ? c : this.hostBridgeOf(c);
    const name = c.kind === 'type3' ? c.name : c.id;
    const who = `decoder ${index} of ${c.hdm!.owner.name}`;
    const w = this.windows.find((x) => d.base >= x.base && d.base + d.size <= x.end && x.targets.includes(hb));
    if (!w) {
      return {
        code: 'window-route',
        message: `${who}: range ${hex(d.base)}-${hex(d.base + d.size - 1)} is outside any window that routes to ${name} (a decoder range must lie inside one CFMWS window whose targets include host bridge ${hb.id})`,
      };
    }
    if (c.kind === 'type3' && d.ways !== undefined) {
      const unit = 2 ** 28 * d.ways;
      const off = d.base - w.base;
      if (off % unit !== 0 || d.size % unit !== 0) {
        return {
          code: 'alignment-ways',
          message: `${who}: base ${hex(d.base)} (window ${w.id} + ${hex(off)}) and size ${hex(d.size)} must be multiples of 256 MiB x ${d.ways} ways = ${hex(unit)} from the window base (Linux allocates region HPA at that alignment)`,
        };
      }
    }
    return undefined;
  }

  /** The window containing `hpa`, with its router. */
  windowAt(hpa: number): { window: CxlWindow; router: WindowRoute } | undefined {
    for (let i = 0; i < this.windows.length; i++) {
      if (this.windows[i]!.contains(hpa)) return { window: this.windows[i]!, router: this.routers[i]! };
    }
    return undefined;
  }
}
