// Public API of src/cxl (CONTRACTS.md "src/cxl"): build a topology from a TopologySpec, create and
// destroy regions, translate addresses, audit placement, the reference decoder, `cxl list` data and
// saved state. Owns no logic of its own beyond composing the modules below.

import type { Arena } from '../memory/arena.js';
import type { AddressSpace } from '../memory/address-space.js';
import { audit, type AuditOptions, type AuditReport } from './audit.js';
import { HDM } from './hdm-decoder.js';
import { referenceDecode, type ReferenceResult } from './reference-decoder.js';
import { RegionManager, type CreateRegionOptions, type Region, type RegionRecord } from './region.js';
import { TopologyCore, type DecoderOwner } from './topology.js';
import { Type3Device } from './components.js';
import type { TopologySpec } from './topology-spec.js';
import { memdevAt, translateDpa, translateHpa, type TranslateResult } from './translate.js';
import { RegionError } from './errors.js';
import { discoverRegions, type DiscoveryResult } from './discover.js';

export type { TopologySpec } from './topology-spec.js';
export type * from './topology-spec.js';
export { TopologyError, RegionError, CxlBugError } from './errors.js';
export { HdmDecoderBlock, HDM, CAP, CTRL, GCTRL } from './hdm-decoder.js';
export type { DecoderView, HdmEvent, CommitOutcome } from './hdm-decoder.js';
export type { Region, RegionRecord, RegionTarget, CreateRegionOptions, RegionMode } from './region.js';
export type { AuditOptions, AuditReport, RegionAudit, AuditMismatch } from './audit.js';
export type { HpaTranslation, TranslateResult } from './translate.js';
export type { ReferenceResult, ReferenceStep } from './reference-decoder.js';
export { HostBridge } from './components.js';
export { CxlSwitch } from './components.js';
export { Type3Device };
export { Dport } from './components.js';
export { CxlWindow } from './window.js';
export { WindowRoute } from './router.js';
export type { DecoderOwner } from './topology.js';
export type { DiscoveryResult } from './discover.js';
export * from './component-registers.js';
export * from './ras.js';
export * from './pci-functions.js';
export { DeviceRegisters, DEVICE_REGS_SIZE } from './device-registers.js';
export type { DeviceRegistersOptions } from './device-registers.js';
export { mediaOf, connectMediaInvalidation, guardDeviceStores, PartitionMediaGuard } from './poison.js';
export {
  sendMailboxCommand,
  decodeMailboxOutput,
  parseOpcode,
  rcName,
  commandName,
  mailboxCommandList,
  injectPoisonInput,
  clearPoisonInput,
  poisonListInput,
  MailboxClientError,
} from './mailbox-client.js';
export type { MailboxReply, RegisterPort } from './mailbox-client.js';

/** Saved decoder + region state (plain JSON). */
export interface CxlState {
  version: 1;
  components: { id: string; globalControl: number; decoders: { index: number; regs: number[] }[] }[];
  regions: RegionRecord[];
}

export type ListVerbosity = 'brief' | 'full';

export class CxlTopology extends TopologyCore {
  readonly regionManager: RegionManager;

  private constructor(spec: TopologySpec, arena: Arena, addressSpace: AddressSpace | null) {
    super(spec, arena, addressSpace);
    this.regionManager = new RegionManager(this);
  }

  /** Build components, stores and windows; registers each window with `addressSpace` if given. */
  static build(spec: TopologySpec, arena: Arena, addressSpace?: AddressSpace | null): CxlTopology {
    return new CxlTopology(spec, arena, addressSpace ?? null);
  }

  get regions(): Region[] {
    return [...this.regionManager.regions.values()];
  }

  createRegion(o: CreateRegionOptions): Region {
    return this.regionManager.createRegion(o);
  }

  destroyRegion(name: string): void {
    this.regionManager.destroyRegion(name);
  }

  /**
   * Bring the region list in line with the decoder registers: drop regions whose endpoint
   * decoders were un-committed or reprogrammed, and add the regions committed endpoint decoders
   * form that no region owns (a guest driver's, or restored raw images).
   */
  syncRegions(): DiscoveryResult {
    return discoverRegions(this, this.regionManager);
  }

  translateHpa(hpa: number): TranslateResult {
    return translateHpa(this, this.regionManager, hpa);
  }

  /** The memdev the committed decoders route `hpa` to (the compiled router, unchecked), or null. */
  memdevAt(hpa: number): Type3Device | null {
    return memdevAt(this, hpa);
  }

  translateDpa(memdev: string, dpa: number): number[] {
    return translateDpa(this, memdev, dpa);
  }

  audit(options: AuditOptions = {}): AuditReport {
    return audit(this, this.regionManager, this.addressSpace, options);
  }

  referenceDecode(hpa: number): ReferenceResult {
    return referenceDecode(this.windows, hpa);
  }

  /** Data in the shape of `cxl list` JSON: memdevs, buses (ports, dports, decoders, endpoints), regions. */
  toListJson(verbosity: ListVerbosity = 'brief'): { memdevs: unknown[]; buses: unknown[]; regions: unknown[] } {
    const hex = (n: number) => '0x' + n.toString(16);
    const decoders = (c: DecoderOwner) => {
      if (!c.hdm) return [];
      const out: unknown[] = [];
      for (let i = 0; i < c.hdm.count; i++) {
        const v = c.hdm.view(i);
        if (verbosity === 'brief' && !v.committed && !v.error) continue;
        const d: Record<string, unknown> = {
          decoder: this.decoderName(c, i),
          resource: v.base,
          size: v.size,
          interleave_ways: v.ways ?? null,
          interleave_granularity: v.granularity ?? null,
          state: v.committed ? (v.lock ? 'locked' : 'commit') : v.error ? 'error' : 'reset',
        };
        if (c.kind === 'type3') {
          d.dpa_resource = c.hdm.dpaBase(i);
          d.dpa_size = v.ways ? v.size / v.ways : 0;
          d.mode = v.ways ? (c.hdm.dpaBase(i) < c.volatileBytes ? 'ram' : 'pmem') : 'none';
          d.skip = v.skip;
        } else {
          d.nr_targets = v.ways ?? 0;
          d.targets = v.targets.slice(0, v.ways ?? 0);
        }
        if (v.error) d.error = c.hdm.reasons[i];
        out.push(d);
      }
      return out;
    };
    const memdevJson = (m: Type3Device) => ({
      memdev: m.name,
      id: m.id,
      ram_size: m.volatileBytes,
      pmem_size: m.persistentBytes,
      lsa_size: m.lsaBytes,
      serial: hex(m.serial),
      host: m.parentPort.id,
    });
    const portJson = (c: DecoderOwner): Record<string, unknown> => {
      const p = `port${this.portNumber.get(c)}`;
      const ports = c.kind === 'hostBridge' ? c.rootPorts : c.kind === 'switch' ? c.downstreamPorts : [];
      const j: Record<string, unknown> = {
        port: p,
        host: c.id,
        // A switch names the port above it, as cxl list's parent_dport does.
        ...(c.kind === 'switch' ? { parent_dport: c.parentPort.id } : {}),
        nr_dports: ports.length,
        dports: ports.map((d) => ({ dport: d.id, id: d.port })),
      };
      if (c.kind === 'hostBridge') j.passthrough = c.hdm === null;
      j[`decoders:${p}`] = decoders(c);
      const sws = ports.map((d) => d.child).filter((x): x is NonNullable<typeof x> => !!x && x.kind === 'switch');
      const eps = ports.map((d) => d.child).filter((x): x is NonNullable<typeof x> => !!x && x.kind === 'type3');
      if (sws.length) j[`ports:${p}`] = sws.map((s) => portJson(s));
      if (eps.length) {
        j[`endpoints:${p}`] = eps.map((e) => {
          const m = e as Type3Device;
          return {
            endpoint: `endpoint${this.portNumber.get(m)}`,
            host: m.name,
            memdev: memdevJson(m),
            [`decoders:endpoint${this.portNumber.get(m)}`]: decoders(m),
          };
        });
      }
      return j;
    };
    const buses = [
      {
        bus: 'root0',
        provider: 'ACPI.CXL',
        'decoders:root0': this.windows.map((w, i) => ({
          decoder: `decoder0.${i}`,
          id: w.id,
          resource: w.base,
          size: w.size,
          interleave_ways: w.ways,
          interleave_granularity: w.ways === 1 ? 256 : w.granularity,
          arithmetic: w.arithmetic,
          ...(w.xorMaps.length ? { xormaps: w.xorMaps.map(hex) } : {}),
          pmem_capable: w.persistent,
          volatile_capable: w.volatile,
          qos_class: w.qtgId,
          nr_targets: w.ways,
          targets: w.targets.map((h) => h.id),
        })),
        'ports:root0': this.hostBridges.map((hb) => portJson(hb)),
      },
    ];
    const regions = this.regions.map((r) => ({
      region: r.name,
      resource: r.base,
      size: r.size,
      type: r.mode,
      interleave_ways: r.ways,
      interleave_granularity: r.granularity,
      decode_state: r.locked ? 'locked' : 'commit',
      window: r.window.id,
      ...(r.discovered ? { origin: 'registers' } : {}),
      mappings: r.targets.map((x) => ({
        position: x.position,
        ...(x.routedSlot !== x.position ? { routed_slot: x.routedSlot } : {}),
        memdev: x.memdev.name,
        decoder: this.decoderName(x.memdev, x.decoder),
        dpa_resource: x.dpaBase,
        dpa_size: x.dpaSize,
      })),
    }));
    return { memdevs: this.memdevs.map(memdevJson), buses, regions };
  }

  /** Flush file-backed media and return every store's pages to the arena (the topology is unusable after). */
  close(): void {
    for (const m of this.memdevs) {
      for (const st of [m.volatileStore, m.persistentStore, m.lsaStore]) {
        if (!st) continue;
        st.flush();
        st.close();
      }
    }
  }

  /** Committed decoders (as register images) and regions, as plain JSON. */
  snapshotState(): CxlState {
    const components: CxlState['components'] = [];
    for (const c of this.decoderOwners()) {
      const hdm = c.hdm;
      if (!hdm) continue;
      const decs: { index: number; regs: number[] }[] = [];
      for (let i = 0; i < hdm.count; i++) {
        if (!hdm.isCommitted(i)) continue;
        const o = HDM.DECODER0 + HDM.STRIDE * i;
        const regs: number[] = [];
        for (let k = 0; k < 8; k++) regs.push(hdm.read(o + 4 * k, 4));
        decs.push({ index: i, regs });
      }
      const gc = hdm.read(HDM.GLOBAL_CTRL, 4);
      if (decs.length || gc) components.push({ id: c.id, globalControl: gc, decoders: decs });
    }
    return { version: 1, components, regions: this.regions.map((r) => this.regionManager.toRecord(r)) };
  }

  /**
   * Raw decoder images (CxlState components) written over the current state without resetting
   * anything: per component, Global Control, then each decoder's registers and Commit in index
   * order. Throws RegionError naming `path[i]` when a component is unknown or a decoder refuses.
   */
  applyDecoderImages(list: CxlState['components'], path = 'decoders'): void {
    const owners = this.decoderOwners();
    this.batch(() => {
      list.forEach((s, i) => {
        const c = owners.find((x) => x.id === s.id);
        if (!c?.hdm)
          throw new RegionError(
            'component',
            `${path}[${i}].id: component "${s.id}" has no HDM decoders in this topology`,
          );
        c.hdm.write(HDM.GLOBAL_CTRL, 4, s.globalControl);
        for (const d of [...s.decoders].sort((a, b) => a.index - b.index)) {
          if (!Number.isInteger(d.index) || d.index < 0 || d.index >= c.hdm.count) {
            throw new RegionError(
              'decoder-index',
              `${path}[${i}].decoders: index ${d.index} is not a decoder of ${c.id} (0..${c.hdm.count - 1})`,
            );
          }
          const o = HDM.DECODER0 + HDM.STRIDE * d.index;
          for (const k of [0, 1, 2, 3, 5, 6, 7]) c.hdm.write(o + 4 * k, 4, d.regs[k] ?? 0);
          c.hdm.write(o + HDM.CTRL, 4, (d.regs[4] ?? 0) & ~(1 << 9));
          const r = c.hdm.commit(d.index);
          if (r.kind === 'error')
            throw new RegionError(
              'commit-failed',
              `${path}[${i}]: ${this.decoderName(c, d.index)} (${c.id}) did not commit: ${r.reason}`,
            );
        }
      });
    });
  }

  /** Raw images of the committed decoders no created (non-discovered) region owns. */
  registerOnlyDecoderImages(): CxlState['components'] {
    const taken = new Set<string>();
    for (const r of this.regions) if (!r.discovered) for (const d of r.decoders) taken.add(`${d.owner.id}/${d.index}`);
    const out: CxlState['components'] = [];
    for (const c of this.decoderOwners()) {
      const hdm = c.hdm;
      if (!hdm) continue;
      const decs: { index: number; regs: number[] }[] = [];
      for (let i = 0; i < hdm.count; i++) {
        if (!hdm.isCommitted(i) || taken.has(`${c.id}/${i}`)) continue;
        const o = HDM.DECODER0 + HDM.STRIDE * i;
        const regs: number[] = [];
        for (let k = 0; k < 8; k++) regs.push(hdm.read(o + 4 * k, 4));
        decs.push({ index: i, regs });
      }
      if (decs.length) out.push({ id: c.id, globalControl: hdm.read(HDM.GLOBAL_CTRL, 4), decoders: decs });
    }
    return out;
  }

  /** Reset every decoder, then re-program and commit the saved ones in index order. */
  restoreState(state: CxlState): void {
    if (state.version !== 1)
      throw new RegionError(
        'state-version',
        `saved CXL state version ${String(state.version)} is not supported (expected 1)`,
      );
    const owners = this.decoderOwners();
    this.batch(() => {
      for (const c of owners) c.hdm?.reset();
      this.regionManager.regions.clear();
      for (const s of state.components) {
        const c = owners.find((x) => x.id === s.id);
        if (!c?.hdm)
          throw new RegionError(
            'component',
            `saved CXL state: component "${s.id}" has no HDM decoders in this topology`,
          );
        c.hdm.write(HDM.GLOBAL_CTRL, 4, s.globalControl);
        for (const d of [...s.decoders].sort((a, b) => a.index - b.index)) {
          const o = HDM.DECODER0 + HDM.STRIDE * d.index;
          // Registers except Control, then Control with Commit.
          for (const k of [0, 1, 2, 3, 5, 6, 7]) c.hdm.write(o + 4 * k, 4, d.regs[k]!);
          c.hdm.write(o + HDM.CTRL, 4, d.regs[4]! & ~(1 << 9));
          const r = c.hdm.commit(d.index);
          if (r.kind === 'error')
            throw new RegionError(
              'commit-failed',
              `saved CXL state: ${this.decoderName(c, d.index)} (${c.id}) did not commit: ${r.reason}`,
            );
        }
      }
    });
    for (const rec of state.regions) this.regionManager.fromRecord(rec);
  }
}
