// Builds a machine from a validated description: description -> TopologySpec (plain data for
// src/cxl) -> arena, address space with RAM and the CXL windows, the CXL topology, and the
// firmware-committed regions. Owns the Machine object and its library API (everything the CLI
// does goes through here); never parses text (description.ts / qemu-parser.ts do) and never decodes.

import { eventConfigError, type EventInjection } from './event-spec.js';
import { EventInjectError } from '../cxl/errors.js';
import { encodeMediaEvent, eventLogOf } from '../cxl/mailbox/event-records.js';
import { Arena } from '../memory/arena.js';
import { AddressSpace } from '../memory/address-space.js';
import { BackingStore } from '../memory/store.js';
import { bindStores, discoverHostMemory, hostBackedStores, hostNodesFor, sysfsRootFromEnv } from './host.js';
import {
  CxlTopology,
  RegionError,
  TopologyError,
  type AuditOptions,
  type AuditReport,
  type Region,
  type TranslateResult,
  type TopologySpec,
  type Type3Spec,
  type SwitchSpec,
  type DownstreamPortSpec,
  type RootPortSpec,
  type PerfSpec,
  type DecoderCapsSpec,
  type FileBackingSpec,
  type WindowSpec,
  type XorMapSpec,
  type HostBridgeSpec,
  type CreateRegionOptions,
  type RegionMode,
} from '../cxl/index.js';
import {
  attachCxlPci,
  connectMediaInvalidation,
  setMemEnable,
  type CxlPci,
  type CxlState,
  type MemdevRegistersFactory,
} from '../cxl/index.js';
import { DeviceRegisters } from '../cxl/device-registers.js';
import { Ecam, enumerate, type EnumerationResult } from '../pci/index.js';
import {
  CHBCR_SIZE,
  ECAM_BASE,
  ECAM_SIZE,
  PCIE_MMIO_BASE,
  PCIE_MMIO_SIZE,
  RAM_BASE,
  defaultChbsBase,
} from './board-map.js';
import { ConfigError } from './errors.js';
import { buildFirmwareTables, type FirmwareTables } from './firmware-tables.js';
import {
  memdevsOf,
  validateDescription,
  type ChildDesc,
  ID_PATTERN,
  type DecoderCapsDesc,
  type FileDesc,
  type HostBridgeDesc,
  type MachineDescription,
  type PerfDesc,
  type PortDesc,
  type RegionDesc,
  type StoreDesc,
  type SwitchDesc,
  type Type3Desc,
  type WindowDesc,
  type XorMapDesc,
} from './description.js';
import { hex } from './sizes.js';
import { type AccessCoordinates, regionPerf } from './linux-perf.js';

// ---------------------------------------------------------------------------------------------
// Description -> TopologySpec.

/** True when A and B have the same fields, each of a type assignable both ways. */
type SameFields<A, B> = [A, keyof A] extends [B, keyof B] ? ([B, keyof B] extends [A, keyof A] ? true : false) : false;
/** Type3Spec fields that toTopologySpec derives (names, byte counts, backing files, "sized by"). */
type Type3SpecDerived =
  | 'name'
  | 'volatileBytes'
  | 'persistentBytes'
  | 'lsaBytes'
  | 'volatileFile'
  | 'persistentFile'
  | 'lsaFile'
  | 'sizedBy';
/**
 * Compile-time tie between the description (the schema's output) and src/cxl's plain-data
 * TopologySpec, which cannot import the schema: a field added on one side only fails to compile
 * here. Fields the topology does not use are named: a host bridge's numaNode and perf (ACPI's business).
 */
const DESCRIPTION_MATCHES_TOPOLOGY_SPEC: {
  perf: SameFields<PerfDesc, PerfSpec>;
  decoders: SameFields<DecoderCapsDesc, DecoderCapsSpec>;
  file: SameFields<FileDesc, FileBackingSpec>;
  window: SameFields<WindowDesc, WindowSpec>;
  xorMap: SameFields<XorMapDesc, XorMapSpec>;
  hostBridge: SameFields<Omit<HostBridgeDesc, 'numaNode' | 'perf' | 'rootPorts'>, Omit<HostBridgeSpec, 'rootPorts'>>;
  rootPort: SameFields<Omit<PortDesc, 'child'>, Omit<RootPortSpec, 'child'>>;
  downstreamPort: SameFields<Omit<PortDesc, 'child'>, Omit<DownstreamPortSpec, 'child'>>;
  switch: SameFields<Omit<SwitchDesc, 'downstreamPorts'>, Omit<SwitchSpec, 'downstreamPorts'>>;
  type3: SameFields<Omit<Type3Desc, 'volatile' | 'persistent' | 'lsa'>, Omit<Type3Spec, Type3SpecDerived>>;
} = {
  perf: true,
  decoders: true,
  file: true,
  window: true,
  xorMap: true,
  hostBridge: true,
  rootPort: true,
  downstreamPort: true,
  switch: true,
  type3: true,
};
void DESCRIPTION_MATCHES_TOPOLOGY_SPEC;

/** The plain-data topology src/cxl builds from (memN names by description order). */
export function toTopologySpec(desc: MachineDescription): TopologySpec {
  const mems = memdevsOf(desc);
  const nameOf = new Map(mems.map((m) => [m.device, m]));
  const child = (c: ChildDesc): Type3Spec | SwitchSpec => {
    if (c.kind === 'switch')
      return { ...c, downstreamPorts: c.downstreamPorts.map(port), perf: { ...c.perf }, decoders: { ...c.decoders } };
    const e = nameOf.get(c)!;
    const { volatile, persistent, lsa, ...same } = c;
    const t: Type3Spec = {
      ...same,
      name: e.name,
      volatileBytes: volatile?.size ?? 0,
      persistentBytes: persistent?.size ?? 0,
      lsaBytes: lsa?.size ?? 0,
      sizedBy: `${e.path} (${e.name}, id ${c.id}) size`,
      perf: { ...c.perf },
      decoders: { ...c.decoders },
    };
    if (volatile?.file) t.volatileFile = { ...volatile.file };
    if (persistent?.file) t.persistentFile = { ...persistent.file };
    if (lsa?.file) t.lsaFile = { ...lsa.file };
    return t;
  };
  const port = ({ child: c, link, ...p }: PortDesc): DownstreamPortSpec & RootPortSpec =>
    c ? { ...p, link: { ...link }, child: child(c) } : { ...p, link: { ...link } };
  return {
    hostBridges: desc.cxl.hostBridges.map(({ numaNode: _acpiOnly, perf: _hmatOnly, ...hb }) => ({
      ...hb,
      rootPorts: hb.rootPorts.map(port),
      decoders: { ...hb.decoders },
    })),
    windows: desc.cxl.windows.map((w) => ({ ...w, targets: [...w.targets] })),
    xorMaps: desc.cxl.xorMaps.map((x) => ({ ...x, maps: [...x.maps] })),
  };
}

// ---------------------------------------------------------------------------------------------
// The machine.

export interface BuildOptions {
  /** Arena bytes (default: the 4 GiB reservation; tests may ask for less). */
  arenaBytes?: number;
  /** Skip applying description.state (regions): an empty, unprogrammed machine. */
  skipState?: boolean;
  /** Where host-backed media (host: { memType: cxlram }) find the host's nodes: default CXLEMU_SYSFS_ROOT or /sys. */
  sysfsRoot?: string;
}

/** A region request as the CLI and programs make it (memdevs: memN or ids, any order). */
export interface RegionRequest {
  name?: string;
  window: string;
  /** Default: the number of memdevs. */
  ways?: number;
  /** Default: the window's granularity, or 256 for a 1-way window (as Linux sets the root IG). */
  granularity?: number;
  size: number;
  base?: number;
  memdevs: string[];
  mode?: RegionMode;
  locked?: boolean;
}

/** What `translate` reports, numbers as numbers (the CLI formats them). */
export type HpaReport = TranslateResult;

export interface DpaReport {
  memdev: string;
  id: string;
  dpa: number;
  /** Every HPA that reaches (memdev, dpa) under the committed decoders (usually one). */
  hpas: { hpa: number; translation: TranslateResult }[];
}

export class Machine {
  readonly arena: Arena;
  readonly addressSpace: AddressSpace;
  readonly ram: { base: number; size: number; store: BackingStore };
  readonly cxl: CxlTopology;
  readonly spec: TopologySpec;
  /** The description the machine was built from (state as given). */
  readonly initial: MachineDescription;
  /** The one ECAM (board-map ECAM_BASE) with a PCI host bridge per CXL host bridge. */
  readonly ecam: Ecam;
  /** PCI functions and component register blocks of every CXL component. */
  readonly cxlPci: CxlPci;
  /** Bus numbers and BARs firmware-style enumeration assigned before any guest runs. */
  readonly enumeration: EnumerationResult;
  private tables: FirmwareTables | undefined;
  /** What building and running did that a user should know (host binding); the CLI prints them. */
  readonly notices: string[] = [];
  /** Told each notice as it comes (notices after build arrive during a run). */
  onNotice: ((s: string) => void) | undefined;

  private constructor(desc: MachineDescription, opts: BuildOptions) {
    this.initial = desc;
    this.spec = toTopologySpec(desc);
    this.arena = new Arena(opts.arenaBytes !== undefined ? { bytes: opts.arenaBytes } : {});
    this.addressSpace = new AddressSpace(this.arena);
    const store = new BackingStore(this.arena, {
      name: 'ram',
      size: desc.ram.size,
      sizedBy: 'RAM size (-m / ram.size)',
    });
    this.ram = { base: RAM_BASE, size: desc.ram.size, store };
    this.addressSpace.begin();
    this.addressSpace.ram('ram', RAM_BASE, store);
    this.addressSpace.commit();
    try {
      this.cxl = CxlTopology.build(this.spec, this.arena, this.addressSpace);
    } catch (e) {
      if (e instanceof TopologyError) {
        throw new ConfigError(
          [{ code: 'topology', path: 'cxl', value: undefined, allowed: e.message }],
          'cannot build the CXL topology',
        );
      }
      throw e;
    }
    this.ecam = new Ecam({
      space: this.addressSpace,
      base: ECAM_BASE,
      size: ECAM_SIZE,
      mmioWindow: { base: PCIE_MMIO_BASE, size: PCIE_MMIO_SIZE },
    });
    this.ecam.map();
    this.cxlPci = attachCxlPci(this.cxl, this.ecam, {
      chbsBase: defaultChbsBase,
      space: this.addressSpace,
      memdevRegisters: MEMDEV_REGISTERS,
    });
    this.enumeration = enumerate(this.ecam);
    // Firmware enables CXL.mem on every endpoint (CXL device DVSEC Control Mem_Enable) and, as it
    // must then, HDM decoding (global HDM Decoder Enable): Linux refuses a device with Mem_Enable
    // set, HDM decoding off and no DVSEC range inside a CFMWS ("Range register decodes outside
    // platform defined CXL ranges").
    for (const ep of this.cxlPci.endpoints) {
      setMemEnable(ep, true);
      ep.device.hdm.enable();
    }
    // Poison and media-state changes flush the TLB entries of every window reaching the device.
    connectMediaInvalidation(this.cxl);
  }

  /** The memory device registers (mailbox) of a memdev (memN or description id). */
  deviceRegisters(ref: string): DeviceRegisters {
    const ep = this.cxlPci.endpoints.find((e) => e.device.name === ref || e.device.id === ref);
    if (!ep) {
      throw new ConfigError(
        [
          {
            code: 'unknown_memdev',
            path: 'memdev',
            value: ref,
            allowed: `one of ${this.cxlPci.endpoints.map((e) => e.device.name).join(', ') || '(no type-3 devices)'} or their ids`,
          },
        ],
        `no memdev ${ref}`,
      );
    }
    return ep.memdevRegisters as DeviceRegisters;
  }

  /** Every endpoint's memory device registers, in memN order. */
  get allDeviceRegisters(): DeviceRegisters[] {
    return this.cxlPci.endpoints.map((e) => e.memdevRegisters as DeviceRegisters);
  }

  /**
   * Time source of every device's mailbox: guest ns (the board passes its mtime), or null for the
   * deterministic clock (100 us per register access and per tick).
   */
  attachClock(now: (() => bigint) | null): void {
    this.clockNow = now;
    for (const r of this.allDeviceRegisters) r.setClock(now);
  }

  /** Advance background mailbox work of every device (the board calls it after each slice). */
  tickDevices(): void {
    for (const r of this.allDeviceRegisters) r.tick();
    this.injectDueEvents();
  }

  /**
   * Add an event record to a memdev's log at guest time `e.atSeconds` (0: at once), as a device
   * that found the error would; the device signals its event interrupt as configured. Checked now:
   * an unknown memdev or a bad field throws (ConfigError / EventInjectError naming it).
   */
  scheduleEvent(e: EventInjection): void {
    const regs = this.deviceRegisters(e.memdev);
    try {
      encodeMediaEvent(regs.device, eventLogOf(e.log), e.kind, e.fields); // validate before the run
    } catch (err) {
      throw err instanceof EventInjectError ? eventConfigError(err, e.memdev) : err;
    }
    this.pendingEvents.push(e);
    this.pendingEvents.sort((a, b) => a.atSeconds - b.atSeconds);
    if (e.atSeconds === 0) this.injectDueEvents();
  }

  private clockNow: (() => bigint) | null = null;
  private readonly pendingEvents: EventInjection[] = [];

  private injectDueEvents(): void {
    const now = this.clockNow ? Number(this.clockNow()) / 1e9 : 0;
    while (this.pendingEvents.length > 0 && this.pendingEvents[0]!.atSeconds <= now) {
      const e = this.pendingEvents.shift()!;
      this.deviceRegisters(e.memdev).injectEvent(e.log, e.kind, e.fields);
    }
  }

  /** Conventional reset of one device's function (config space and memory device registers). */
  resetDevice(ref: string): void {
    this.deviceRegisters(ref);
    const ep = this.cxlPci.endpoints.find((e) => e.device.name === ref || e.device.id === ref)!;
    ep.fn.config.reset();
  }

  /**
   * The ACPI tables (platform tables, DSDT and EFI hand-off included: the PCI apertures are this
   * machine's enumeration) and CDATs of the description, built once; the board copies them into RAM.
   */
  get firmwareTables(): FirmwareTables {
    this.tables ??= buildFirmwareTables(this.initial, { pciApertures: this.enumeration.apertures });
    return this.tables;
  }

  /** Host-bridge component register blocks as the device tree lists them. */
  get cxlHostBridges(): {
    id: string;
    uid: number;
    busNr: number;
    busLast: number;
    component: { base: number; size: number };
  }[] {
    return this.cxlPci.hostBridges.map((h) => ({
      id: h.hostBridge.id,
      uid: h.hostBridge.uid,
      busNr: h.pci.busNr,
      busLast: h.pci.busLast,
      component: { base: h.chbsBase, size: CHBCR_SIZE },
    }));
  }

  /** Build a machine from a description object (validated here) or a resolved description. */
  static build(description: MachineDescription | unknown, opts: BuildOptions = {}): Machine {
    const desc = validateDescription(description);
    const m = new Machine(desc, opts);
    m.bindHostBacked(desc, opts.sysfsRoot);
    if (!opts.skipState) m.applyState(desc);
    return m;
  }

  private notice(s: string): void {
    this.notices.push(s);
    this.onNotice?.(s);
  }

  /** Host-backed media (docs/host-cxl.md): their arena pages go to the host's CXL nodes. */
  private bindHostBacked(desc: MachineDescription, sysfsRoot: string | undefined): void {
    const stores = hostBackedStores(desc);
    if (stores.length === 0) return;
    const nodes = hostNodesFor(stores, discoverHostMemory(sysfsRoot ?? sysfsRootFromEnv()));
    bindStores(
      stores.map((s, i) => {
        const dev = this.cxl.memdevs.find((d) => d.name === s.memdev)!;
        const store = (s.kind === 'volatile' ? dev.volatileStore : dev.persistentStore)!;
        return { store, what: `${s.memdev} ${s.kind} (host-mem-type=cxlram)`, nodes: nodes[i]! };
      }),
      (t) => this.notice(t),
    );
  }

  /** Commit the description's regions as platform firmware would, in order (locked if asked). */
  private applyState(desc: MachineDescription): void {
    desc.state.regions.forEach((r, i) => {
      try {
        this.createRegion(regionRequestOf(r));
      } catch (e) {
        if (e instanceof ConfigError) {
          const issues = e.issues.map((x) => {
            const path = `state.regions[${i}]${x.path === 'region' ? '' : `.${x.path}`}`;
            return x.message !== undefined ? { ...x, path, message: `${path}: ${x.message}` } : { ...x, path };
          });
          throw new ConfigError(issues, `cannot commit firmware region ${r.name}`);
        }
        throw e;
      }
    });
    if (desc.state.decoders && desc.state.decoders.length > 0) {
      const images = decoderImagesOf(desc.state.decoders);
      try {
        this.cxl.applyDecoderImages(images, 'state.decoders');
      } catch (e) {
        throw asConfigError(e, 'state.decoders', undefined, 'cannot restore the saved decoder registers');
      }
      // What we save we can load, and what we load must decode: committed endpoint decoders that
      // do not form a region (a switch or host-bridge decoder missing, too few devices) are refused.
      const found = this.cxl.syncRegions();
      if (found.incomplete.length > 0)
        throw new ConfigError(
          found.incomplete.map((x) => ({
            code: 'incomplete_region',
            path: 'state.decoders',
            value: `${x.ways}-way ${x.granularity} B at 0x${x.base.toString(16)} (${x.memdevs.join(', ')})`,
            allowed: `decoders that form a whole region: ${x.reason}`,
          })),
          'the saved decoder registers do not form the regions they claim',
        );
    }
  }

  /**
   * Bring the region list in line with the decoder registers (after a guest programmed decoders
   * over MMIO): regions are inferred from committed endpoint decoders and dropped when un-committed.
   */
  syncRegions(): ReturnType<CxlTopology['syncRegions']> {
    return this.cxl.syncRegions();
  }

  // ---- state-changing operations ----

  /** Create and commit a region (the library's `cxl create-region`). Throws ConfigError naming the rule. */
  createRegion(req: RegionRequest): Region {
    // Checked here as the description checks it, so what is created can always be saved and loaded.
    if (req.name !== undefined && !ID_PATTERN.test(req.name)) {
      throw new ConfigError(
        [{ code: 'bad_name', path: 'region name', value: req.name, allowed: 'letters, digits and _ . - : only' }],
        'cannot create region',
      );
    }
    const w = this.cxl.windows.find((x) => x.id === req.window);
    const o: CreateRegionOptions = {
      window: req.window,
      ways: req.ways ?? req.memdevs.length,
      granularity: req.granularity ?? (w && w.ways > 1 ? w.granularity : 256),
      memdevs: [...req.memdevs],
      size: req.size,
    };
    if (req.name !== undefined) o.name = req.name;
    if (req.base !== undefined) o.base = req.base;
    if (req.mode !== undefined) o.mode = req.mode;
    if (req.locked) o.lock = true;
    try {
      return this.cxl.createRegion(o);
    } catch (e) {
      throw asConfigError(
        e,
        'region',
        req.name ?? '(new)',
        `cannot create region${req.name !== undefined ? ` ${req.name}` : ''}`,
      );
    }
  }

  /** Destroy a region (refused, naming the reason, when firmware locked it or order forbids it). */
  destroyRegion(name: string): void {
    try {
      this.cxl.destroyRegion(name);
    } catch (e) {
      throw asConfigError(e, 'region', name, `cannot destroy region ${name}`);
    }
  }

  // ---- queries ----

  get regions(): Region[] {
    return this.cxl.regions;
  }

  translateHpa(hpa: number): HpaReport {
    return this.cxl.translateHpa(hpa);
  }

  /** DPA -> HPA(s), each with its full forward translation. `memdev`: memN or a device id. */
  translateDpa(memdev: string, dpa: number): DpaReport {
    const dev = this.cxl.memdev(memdev);
    if (!dev) {
      throw new ConfigError(
        [
          {
            code: 'unknown_memdev',
            path: 'memdev',
            value: memdev,
            allowed: `memN or a type-3 device id (${this.cxl.memdevs.map((m) => `${m.name}=${m.id}`).join(', ')})`,
          },
        ],
        'bad argument',
      );
    }
    const total = dev.volatileBytes + dev.persistentBytes;
    if (!Number.isSafeInteger(dpa) || dpa < 0 || dpa >= total) {
      throw new ConfigError(
        [
          {
            code: 'bad_dpa',
            path: 'dpa',
            value: dpa,
            allowed: `a DPA below ${hex(total)} (the capacity of ${dev.name})`,
          },
        ],
        'bad argument',
      );
    }
    const hpas = this.cxl.translateDpa(dev.name, dpa);
    return {
      memdev: dev.name,
      id: dev.id,
      dpa,
      hpas: hpas.map((hpa) => ({ hpa, translation: this.cxl.translateHpa(hpa) })),
    };
  }

  /** The placement audit of every region (or one): bytes per device and every mismatch. */
  audit(options: AuditOptions = {}): AuditReport {
    this.cxl.syncRegions();
    if (options.region !== undefined && !this.cxl.regions.some((r) => r.name === options.region)) {
      throw new ConfigError(
        [
          {
            code: 'unknown_region',
            path: 'region',
            value: options.region,
            allowed: `a region name (${this.cxl.regions.map((r) => r.name).join(', ') || 'none committed'})`,
          },
        ],
        'bad argument',
      );
    }
    return this.cxl.audit(options);
  }

  /** `cxl list` shaped data: 0 = memdevs and regions, 1 = plus buses with committed decoders, 2 = every decoder. */
  list(verbosity: 0 | 1 | 2 = 0): Record<string, unknown> {
    this.cxl.syncRegions();
    const j = this.cxl.toListJson(verbosity >= 2 ? 'full' : 'brief');
    if (verbosity === 0) return { memdevs: j.memdevs, regions: j.regions };
    // -v: what a Linux guest computes for each region from the tables (regionN/access0, its tier).
    for (const r of j.regions as { region: string; mappings?: { memdev: string }[] }[]) {
      const perf = regionPerf(
        this.initial,
        (r.mappings ?? []).map((m) => m.memdev),
      );
      if (!perf) continue;
      const sysfs = (c: AccessCoordinates) => ({
        read_latency: c.readLatencyNs,
        write_latency: c.writeLatencyNs,
        read_bandwidth: c.readBandwidthMBs,
        write_bandwidth: c.writeBandwidthMBs,
      });
      Object.assign(r, {
        access0: sysfs(perf.access0),
        access1: sysfs(perf.access1),
        adistance: perf.adistance,
        memory_tier: perf.memoryTier,
      });
    }
    return j;
  }

  /** The effective description: the machine as built plus its current state (committed regions). */
  describe(): MachineDescription {
    this.cxl.syncRegions();
    const decoders = this.cxl.registerOnlyDecoderImages();
    return {
      ...this.initial,
      cxl: this.partitionedCxl(),
      state: {
        regions: this.cxl.regions.filter((r) => !r.discovered).map(regionDescOf),
        ...(decoders.length ? { decoders } : {}),
      },
    };
  }

  /**
   * The description's CXL section with each device's volatile/persistent sizes set to the split its
   * mailbox holds: the pending one (Set Partition Info) if any, else the active one. A rebuild from
   * the saved description is the reset that applies a pending split (docs/mailbox.md "Partitions").
   */
  private partitionedCxl(): MachineDescription['cxl'] {
    let cxl: MachineDescription['cxl'] | null = null;
    const built = memdevsOf(this.initial);
    this.cxlPci.endpoints.forEach((ep, i) => {
      const st = (ep.memdevRegisters as DeviceRegisters).state;
      const dev = ep.device;
      const vol = st.nextVolatile ?? st.activeVolatile;
      // Compared with the description (a reset may already have re-split the live device).
      if (vol === (built.find((e) => e.index === i)!.device.volatile?.size ?? 0)) return;
      cxl ??= structuredClone(this.initial.cxl);
      const t = memdevsOf({ cxl }).find((e) => e.index === i)!.device;
      const pers = dev.capacity - vol;
      const keep = (old: StoreDesc | undefined, size: number): StoreDesc | undefined =>
        size > 0
          ? {
              ...(old?.file ? { file: { ...old.file } } : {}),
              ...(old?.host ? { host: structuredClone(old.host) } : {}),
              size,
            }
          : undefined;
      const v = keep(t.volatile, vol);
      const p = keep(t.persistent, pers);
      if (v) t.volatile = v;
      else delete t.volatile;
      if (p) t.persistent = p;
      else delete t.persistent;
    });
    return cxl ?? this.initial.cxl;
  }

  /** Write back file-backed media and release the stores. */
  close(): void {
    for (const m of this.cxl.memdevs) {
      for (const s of [m.volatileStore, m.persistentStore, m.lsaStore]) s?.close();
    }
  }
}

/** The memory device registers (mailbox model) behind each endpoint's BAR0 + 0x10000, INTx to its function. */
const MEMDEV_REGISTERS: MemdevRegistersFactory = (dev, o) => new DeviceRegisters(dev, { raiseIrq: o.raiseIrq });

/** state.decoders entries: `{ id, globalControl, decoders: [{ index, regs: 8 dwords }] }` (CxlState components). */
function decoderImagesOf(list: unknown[]): CxlState['components'] {
  const issues: { code: string; path: string; value: unknown; allowed: string }[] = [];
  const u32 = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  const out: CxlState['components'] = [];
  list.forEach((e, i) => {
    const path = `state.decoders[${i}]`;
    const o = e as { id?: unknown; globalControl?: unknown; decoders?: unknown };
    if (typeof e !== 'object' || e === null || typeof o.id !== 'string') {
      issues.push({
        code: 'bad_decoder_image',
        path: `${path}.id`,
        value: o?.id,
        allowed: 'a component id (host bridge, switch or type-3 device)',
      });
      return;
    }
    if (o.globalControl !== undefined && !u32(o.globalControl))
      issues.push({
        code: 'bad_decoder_image',
        path: `${path}.globalControl`,
        value: o.globalControl,
        allowed: 'a 32-bit register value',
      });
    if (!Array.isArray(o.decoders)) {
      issues.push({
        code: 'bad_decoder_image',
        path: `${path}.decoders`,
        value: o.decoders,
        allowed: 'an array of { index, regs: [8 dwords] }',
      });
      return;
    }
    const decs: { index: number; regs: number[] }[] = [];
    o.decoders.forEach((d: { index?: unknown; regs?: unknown }, k: number) => {
      const p = `${path}.decoders[${k}]`;
      if (typeof d?.index !== 'number' || !Number.isInteger(d.index) || d.index < 0)
        issues.push({
          code: 'bad_decoder_image',
          path: `${p}.index`,
          value: d?.index,
          allowed: 'a decoder index >= 0',
        });
      else if (!Array.isArray(d.regs) || d.regs.length !== 8 || !d.regs.every(u32))
        issues.push({
          code: 'bad_decoder_image',
          path: `${p}.regs`,
          value: d.regs,
          allowed: '8 register dwords (base lo/hi, size lo/hi, control, target list or skip lo/hi, reserved)',
        });
      else decs.push({ index: d.index, regs: d.regs as number[] });
    });
    out.push({ id: o.id, globalControl: (o.globalControl as number | undefined) ?? 2, decoders: decs });
  });
  if (issues.length) throw new ConfigError(issues, 'bad saved decoder registers');
  return out;
}

function regionRequestOf(r: RegionDesc): RegionRequest {
  const q: RegionRequest = {
    name: r.name,
    window: r.window,
    ways: r.ways,
    granularity: r.granularity,
    size: r.size,
    memdevs: r.memdevs,
    locked: r.locked,
  };
  if (r.base !== undefined) q.base = r.base;
  if (r.mode !== undefined) q.mode = r.mode;
  return q;
}

/** A committed region as description state (memdevs in position order, explicit base). */
export function regionDescOf(r: Region): RegionDesc {
  return {
    name: r.name,
    window: r.window.id,
    ways: r.ways,
    granularity: r.granularity,
    size: r.size,
    base: r.base,
    memdevs: r.targets.map((t) => t.memdev.name),
    mode: r.mode,
    locked: r.locked,
  };
}

function asConfigError(e: unknown, path: string, value: unknown, heading: string): unknown {
  if (e instanceof RegionError)
    return new ConfigError([{ code: e.code, path, value, allowed: e.message, message: e.message }], heading);
  if (e instanceof ConfigError) return e;
  return e;
}
