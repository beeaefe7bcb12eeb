// A host-side stand-in for a CXL OS driver, for tests: it sees only what a guest sees — ECAM
// config reads/writes and MMIO loads/stores on the machine's AddressSpace, plus the host-bridge
// component-register addresses the device tree lists — and programs HDM decoders the way Linux
// does (endpoint -> switch -> host bridge, commit in index order, positions and target lists as
// cxl_calc_interleave_pos / port order). Fake-free: no topology objects are consulted.

import { ECAM_BASE, ecamOffset, findDvsec, findCapability, CapId, type ConfigReader } from '../../src/pci/index.js';
import { granularityChain } from '../../src/cxl-math/routing.js';
import { granularityToEig, waysToEiw } from '../../src/cxl-math/interleave.js';
import type { Machine } from '../../src/machine/build.js';

export const CXL_VENDOR = 0x1e98;

export interface Fn {
  bus: number;
  dev: number;
  fn: number;
  vendorDevice: number;
  classCode: number;
  headerType: number;
  /** PCIe port type (4 root, 5 USP, 6 DSP, 0 endpoint). */
  portType: number;
  /** Link Capabilities port number. */
  portNumber: number;
  secondary: number;
  subordinate: number;
  /** Component register block address (from the Register Locator and BAR), or -1. */
  component: number;
  /** Memory-device register block address, or -1. */
  memdevRegs: number;
  read: ConfigReader;
  write: (off: number, size: 1 | 2 | 4, v: number) => void;
}

export interface HostBridgeView {
  uid: number;
  busFirst: number;
  busLast: number;
  component: number;
}

export class HostDriver {
  readonly fns: Fn[] = [];
  readonly hostBridges: HostBridgeView[];

  constructor(readonly m: Machine) {
    // What the device tree's /cxl-host-bridges lists (the CEDT CHBS for ACPI guests).
    this.hostBridges = m.cxlHostBridges.map((h) => ({
      uid: h.uid,
      busFirst: h.busNr,
      busLast: h.busLast,
      component: h.component.base,
    }));
  }

  cfg(bus: number, dev: number, fn: number, off: number, size: 1 | 2 | 4): number {
    const v = this.m.addressSpace.load(ECAM_BASE + ecamOffset(bus, dev, fn, off), size);
    return v >>> 0;
  }

  cfgWrite(bus: number, dev: number, fn: number, off: number, size: 1 | 2 | 4, v: number): void {
    this.m.addressSpace.store(ECAM_BASE + ecamOffset(bus, dev, fn, off), size, v >>> 0);
  }

  r32(a: number): number {
    return this.m.addressSpace.load(a, 4) >>> 0;
  }

  w32(a: number, v: number): void {
    this.m.addressSpace.store(a, 4, v >>> 0);
  }

  /** Scan every bus/device/function of the ECAM (firmware numbered the buses). */
  enumerate(): this {
    for (let bus = 0; bus < 256; bus++) {
      for (let dev = 0; dev < 32; dev++) {
        for (let fn = 0; fn < 8; fn++) {
          const id = this.cfg(bus, dev, fn, 0, 4);
          if (id === 0xffffffff) {
            if (fn === 0) break;
            continue;
          }
          const read: ConfigReader = (o, s) => this.cfg(bus, dev, fn, o, s);
          const write = (o: number, s: 1 | 2 | 4, v: number) => this.cfgWrite(bus, dev, fn, o, s, v);
          const headerType = read(0x0e, 1) & 0x7f;
          const pcie = findCapability(read, CapId.PciExpress);
          const portType = pcie ? (read(pcie + 2, 2) >>> 4) & 0xf : -1;
          const portNumber = pcie ? read(pcie + 0x0c, 4) >>> 24 : -1;
          const bar = (i: number) => (read(0x10 + 4 * i, 4) & 0xfffffff0) + read(0x14 + 4 * i, 4) * 2 ** 32;
          let component = -1;
          let memdevRegs = -1;
          const rl = findDvsec(read, CXL_VENDOR, 8);
          if (rl) {
            const n = ((read(rl + 4, 4) >>> 20) - 0x0c) / 8;
            for (let i = 0; i < n; i++) {
              const lo = read(rl + 0x0c + 8 * i, 4);
              const hi = read(rl + 0x10 + 8 * i, 4);
              const addr = bar(lo & 7) + (lo & 0xffff0000) + hi * 2 ** 32;
              const id2 = (lo >>> 8) & 0xff;
              if (id2 === 1) component = addr;
              if (id2 === 3) memdevRegs = addr;
            }
          }
          const f: Fn = {
            bus,
            dev,
            fn,
            vendorDevice: id,
            classCode: read(0x08, 4) >>> 8,
            headerType,
            portType,
            portNumber,
            secondary: headerType === 1 ? read(0x19, 1) : -1,
            subordinate: headerType === 1 ? read(0x1a, 1) : -1,
            component,
            memdevRegs,
            read,
            write,
          };
          this.fns.push(f);
          if (fn === 0 && (read(0x0e, 1) & 0x80) === 0) break;
        }
      }
    }
    return this;
  }

  get endpoints(): Fn[] {
    return this.fns.filter((f) => f.classCode === 0x050210);
  }

  /** DSN (the device serial). */
  serialOf(f: Fn): number {
    let pos = 0x100;
    for (let ttl = 0; ttl < 64 && pos >= 0x100; ttl++) {
      const h = f.read(pos, 4);
      if ((h & 0xffff) === 3) return f.read(pos + 4, 4) + f.read(pos + 8, 4) * 2 ** 32;
      pos = h >>> 20;
    }
    return -1;
  }

  /** The bridge whose secondary bus is `bus`. */
  bridgeAbove(bus: number): Fn | undefined {
    return this.fns.find((f) => f.headerType === 1 && f.secondary === bus);
  }

  hostBridgeOfBus(bus: number): HostBridgeView {
    const h = this.hostBridges.find((x) => bus >= x.busFirst && bus <= x.busLast);
    if (!h) throw new Error(`no host bridge owns bus ${bus}`);
    return h;
  }

  /** HDM decoder capability address of a component block, or -1 (walks the CXL.cachemem array). */
  hdmOf(component: number): number {
    const hdr = this.r32(component + 0x1000);
    const n = hdr >>> 24;
    for (let i = 1; i <= n; i++) {
      const h = this.r32(component + 0x1000 + 4 * i);
      if ((h & 0xffff) === 5) return component + 0x1000 + (h >>> 20);
    }
    return -1;
  }

  /** Committed-decoder count of an HDM capability (the next index to use). */
  nextDecoder(hdm: number): number {
    const count = [1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32][this.r32(hdm) & 0xf]!;
    let i = 0;
    while (i < count && (this.r32(hdm + 0x20 + 0x20 * i) & (1 << 10)) !== 0) i++;
    return i;
  }

  /** Program decoder `i` of `hdm` and set Commit; returns the Control register read back. */
  programDecoder(
    hdm: number,
    i: number,
    p: { base: number; size: number; ways: number; gran: number; targets?: number[]; skip?: number; commit?: boolean },
  ): number {
    const d = hdm + 0x10 + 0x20 * i;
    this.w32(hdm + 4, this.r32(hdm + 4) | 2); // HDM Decoder Enable
    this.w32(d + 0x00, p.base % 2 ** 32);
    this.w32(d + 0x04, Math.floor(p.base / 2 ** 32));
    this.w32(d + 0x08, p.size % 2 ** 32);
    this.w32(d + 0x0c, Math.floor(p.size / 2 ** 32));
    if (p.targets) {
      const t = p.targets;
      this.w32(d + 0x14, (t[0] ?? 0) | ((t[1] ?? 0) << 8) | ((t[2] ?? 0) << 16) | ((t[3] ?? 0) << 24));
      this.w32(d + 0x18, (t[4] ?? 0) | ((t[5] ?? 0) << 8) | ((t[6] ?? 0) << 16) | ((t[7] ?? 0) << 24));
    } else {
      const skip = p.skip ?? 0;
      this.w32(d + 0x14, skip % 2 ** 32);
      this.w32(d + 0x18, Math.floor(skip / 2 ** 32));
    }
    const ctrl = granularityToEig(p.gran)! | (waysToEiw(p.ways)! << 4) | (1 << 12);
    this.w32(d + 0x10, ctrl);
    if (p.commit !== false) this.w32(d + 0x10, ctrl | (1 << 9));
    return this.r32(d + 0x10);
  }

  /**
   * Build a region as Linux does over `eps` (endpoint functions): path to the root from bus
   * numbers, target lists in port order, positions by cxl_calc_interleave_pos, the granularity
   * chain, then program endpoint -> switch -> host bridge and commit. `rootTargets`: the window's
   * host-bridge UIDs in CFMWS order. Returns positions by endpoint and every Control read back.
   */
  buildRegion(o: { eps: Fn[]; base: number; size: number; gran: number; rootTargets: number[] }): {
    positions: Map<Fn, number>;
    controls: number[];
  } {
    const ways = o.eps.length;
    const wRoot = o.rootTargets.length;
    // Path of each endpoint: [hostBridge, usp?, ...] as component keys with the dport number used.
    type Level = { key: string; hdm: number; port: number };
    const paths = new Map<Fn, Level[]>();
    for (const ep of o.eps) {
      const levels: Level[] = [];
      let bus = ep.bus;
      for (;;) {
        const port = this.bridgeAbove(bus);
        if (!port) throw new Error(`no bridge above bus ${bus}`);
        if (port.portType === 4) {
          const hb = this.hostBridgeOfBus(port.bus);
          levels.unshift({ key: `hb${hb.uid}`, hdm: this.hdmOf(hb.component), port: port.portNumber });
          break;
        }
        // A DSP: its USP sits on the DSP's primary bus; the component is the USP.
        const usp = this.fns.find((f) => f.portType === 5 && f.secondary === port.bus);
        if (!usp) throw new Error('DSP without USP');
        levels.unshift({ key: `usp${usp.bus}`, hdm: this.hdmOf(usp.component), port: port.portNumber });
        bus = usp.bus;
      }
      paths.set(ep, levels);
    }
    const targets = new Map<string, number[]>();
    for (const lv of paths.values())
      for (const l of lv) {
        const t = targets.get(l.key) ?? [];
        if (!t.includes(l.port)) t.push(l.port);
        targets.set(l.key, t);
      }
    for (const t of targets.values()) t.sort((a, b) => a - b);
    const positions = new Map<Fn, number>();
    for (const ep of o.eps) {
      const lv = paths.get(ep)!;
      const hb = this.hostBridgeOfBus(ep.bus);
      let pos = 0;
      // cxl_calc_interleave_pos: from the endpoint up, pos = pos * W_parent + index.
      const hops: { index: number; ways: number }[] = [];
      for (let k = lv.length - 1; k >= 0; k--) {
        const t = targets.get(lv[k]!.key)!;
        hops.push({ index: t.indexOf(lv[k]!.port), ways: t.length });
      }
      hops.push({ index: o.rootTargets.indexOf(hb.uid), ways: wRoot });
      for (const h of hops) pos = pos * h.ways + h.index;
      positions.set(ep, pos);
    }
    const controls: number[] = [];
    const done = new Set<string>();
    for (const ep of [...o.eps].sort((a, b) => positions.get(a)! - positions.get(b)!)) {
      const hdm = this.hdmOf(ep.component);
      controls.push(
        this.programDecoder(hdm, this.nextDecoder(hdm), { base: o.base, size: o.size, ways, gran: o.gran, skip: 0 }),
      );
      const lv = paths.get(ep)!;
      const chain = granularityChain(
        o.gran,
        wRoot,
        lv.map((l) => targets.get(l.key)!.length),
      );
      for (let k = lv.length - 1; k >= 0; k--) {
        const l = lv[k]!;
        if (done.has(l.key) || l.hdm < 0) continue;
        done.add(l.key);
        const t = targets.get(l.key)!;
        controls.push(
          this.programDecoder(l.hdm, this.nextDecoder(l.hdm), {
            base: o.base,
            size: o.size,
            ways: t.length,
            gran: chain[k]!,
            targets: t,
          }),
        );
      }
    }
    return { positions, controls };
  }
}

export const COMMITTED = 1 << 10;
export const ERROR_NOT_COMMITTED = 1 << 11;
