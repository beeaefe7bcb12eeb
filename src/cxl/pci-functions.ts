// PCI functions of every CXL component, attached to the src/pci topology below one ECAM: root
// ports and switch ports (type-1 bridges with the CXL port DVSECs), switch upstream ports with CDAT
// over DOE, type-3 endpoints (type-0, class 05h/02h/10h, DSN, AER, DOE CDAT, the CXL device
// DVSECs, BAR0 = component registers + memory device registers, MSI-X in BAR4) and each host bridge's component
// register block at its CHBS address. Owns the config-space layout of CXL functions (SPEC-NOTES
// 2.1, 2.6) and the BAR0 layout; never decodes HPAs and never touches device media.

import type { AddressSpace, MmioOps } from '../memory/address-space.js';
import {
  addAer,
  addDoe,
  addDsn,
  addDvsec,
  addPcieCapability,
  field,
  type CfgRegister,
  type DoeMailbox,
  type Ecam,
  Msix,
  PciFunction,
  type PciHostBridge,
} from '../pci/index.js';
import { buildSwitchCdat, buildType3Cdat, type CdatTable, type Type3CdatInput } from './cdat.js';
import { COMPONENT_BLOCK_SIZE, ComponentRegisters } from './component-registers.js';
import type { CxlSwitch, Dport, HostBridge, Type3Device } from './components.js';
import { T3_MSIX } from './mailbox/types.js';
import type { TopologyCore } from './topology.js';
import type { LinkSpec } from './topology-spec.js';

export const CXL_DVSEC_VENDOR = 0x1e98;
/** CXL DVSEC ids (SPEC-NOTES 2.1). */
export const CXL_DVSEC = {
  device: 0,
  nonCxlFunctionMap: 2,
  portExtensions: 3,
  gpfPort: 4,
  gpfDevice: 5,
  flexBusPort: 7,
  registerLocator: 8,
} as const;
/** Register Locator block ids. */
export const REGLOC_BLOCK = { empty: 0, component: 1, barVirtualization: 2, memoryDevice: 3, cpmu: 4 } as const;
/** DOE CDAT Table Access protocol (vendor 0x1E98, type 2). */
export const DOE_CDAT_VENDOR = 0x1e98;
export const DOE_CDAT_TYPE = 2;

/** Type-3 endpoint ids as QEMU's cxl-type3 (8086:0d93, class 05h/02h prog-if 10h). */
export const TYPE3_IDS = { vendorId: 0x8086, deviceId: 0x0d93, classCode: 0x050210 } as const;
/** Bridge ids as QEMU: cxl-rp 8086:7075, cxl-upstream 19e5:a128, cxl-downstream 19e5:a129. */
export const ROOT_PORT_IDS = { vendorId: 0x8086, deviceId: 0x7075, classCode: 0x060400 } as const;
export const USP_IDS = { vendorId: 0x19e5, deviceId: 0xa128, classCode: 0x060400 } as const;
export const DSP_IDS = { vendorId: 0x19e5, deviceId: 0xa129, classCode: 0x060400 } as const;

/** Endpoint BAR0: 64-bit, 128 KiB; component registers at 0, memory device registers at 0x10000. */
export const ENDPOINT_BAR0_SIZE = 0x2_0000;
export const MEMDEV_REGS_OFFSET = 0x1_0000;
/**
 * Endpoint MSI-X: T3_MSIX.count vectors (QEMU's numbering) in their own 32-bit 4 KiB BAR4, as
 * QEMU's cxl-type3 puts its exclusive MSI-X BAR at index 4: table at 0, PBA at 0x800.
 */
export const ENDPOINT_MSIX_BAR = 4;
export const ENDPOINT_MSIX_PBA_OFFSET = 0x800;
/** Port BAR0: 64-bit, 64 KiB of component registers. */
export const PORT_BAR0_SIZE = COMPONENT_BLOCK_SIZE;

// ---- DVSEC register tables (offsets from the DVSEC start; SPEC-NOTES 2.1) ----

/** PCIe DVSEC for CXL Devices (id 0), CXL 2.0 length 0x38. */
export const DEVICE_DVSEC_LENGTH = 0x38;
export const DEVICE_DVSEC_REGS = {
  capability: {
    name: 'capability',
    offset: 0x0a,
    size: 2,
    fields: {
      cache: field(0, 0, 'RO'),
      io: field(1, 1, 'RO'),
      mem: field(2, 2, 'RO'),
      memHwInit: field(3, 3, 'RO'),
      hdmCount: field(5, 4, 'RO'),
      viral: field(14, 14, 'RO'),
    },
  },
  control: {
    name: 'control',
    offset: 0x0c,
    size: 2,
    fields: {
      cacheEnable: field(0, 0, 'RW'),
      ioEnable: field(1, 1, 'RO'),
      memEnable: field(2, 2, 'RW'),
      viralEnable: field(14, 14, 'RW'),
    },
  },
  status: { name: 'status', offset: 0x0e, size: 2, fields: { viralStatus: field(14, 14, 'RW1C') } },
  control2: {
    name: 'control2',
    offset: 0x10,
    size: 2,
    fields: {
      disableCaching: field(0, 0, 'RW'),
      initiateCacheWbInv: field(1, 1, 'RW'),
      initiateCxlReset: field(2, 2, 'RW'),
    },
  },
  status2: {
    name: 'status2',
    offset: 0x12,
    size: 2,
    fields: {
      cacheInvalid: field(0, 0, 'RO'),
      cxlResetComplete: field(1, 1, 'RO'),
      cxlResetError: field(2, 2, 'RO'),
      powerMgmtInitComplete: field(15, 15, 'RO'),
    },
  },
  lock: { name: 'lock', offset: 0x14, size: 2, fields: { configLock: field(0, 0, 'RW') } },
  capability2: {
    name: 'capability2',
    offset: 0x16,
    size: 2,
    fields: { cacheSizeUnit: field(3, 0, 'RO'), cacheSize: field(15, 8, 'RO') },
  },
  range1SizeHigh: { name: 'range1SizeHigh', offset: 0x18, size: 4, fields: { size: field(31, 0, 'RO') } },
  range1SizeLow: {
    name: 'range1SizeLow',
    offset: 0x1c,
    size: 4,
    fields: {
      infoValid: field(0, 0, 'RO'),
      active: field(1, 1, 'RO'),
      mediaType: field(4, 2, 'RO'),
      memoryClass: field(7, 5, 'RO'),
      desiredInterleave: field(12, 8, 'RO'),
      activeTimeout: field(15, 13, 'RO'),
      size: field(31, 28, 'RO'),
    },
  },
  range1BaseHigh: { name: 'range1BaseHigh', offset: 0x20, size: 4, fields: { base: field(31, 0, 'RW') } },
  range1BaseLow: { name: 'range1BaseLow', offset: 0x24, size: 4, fields: { base: field(31, 28, 'RW') } },
  range2SizeHigh: { name: 'range2SizeHigh', offset: 0x28, size: 4, fields: { size: field(31, 0, 'RO') } },
  range2SizeLow: {
    name: 'range2SizeLow',
    offset: 0x2c,
    size: 4,
    fields: {
      infoValid: field(0, 0, 'RO'),
      active: field(1, 1, 'RO'),
      mediaType: field(4, 2, 'RO'),
      memoryClass: field(7, 5, 'RO'),
      desiredInterleave: field(12, 8, 'RO'),
      activeTimeout: field(15, 13, 'RO'),
      size: field(31, 28, 'RO'),
    },
  },
  range2BaseHigh: { name: 'range2BaseHigh', offset: 0x30, size: 4, fields: { base: field(31, 0, 'RW') } },
  range2BaseLow: { name: 'range2BaseLow', offset: 0x34, size: 4, fields: { base: field(31, 28, 'RW') } },
} as const satisfies Record<string, CfgRegister>;

/** CXL Extensions DVSEC for Ports (id 3), length 0x28. */
export const PORT_EXT_DVSEC_LENGTH = 0x28;
export const PORT_EXT_DVSEC_REGS = [
  { name: 'status', offset: 0x0a, size: 2, fields: { v: field(15, 0, 'RO') } },
  {
    name: 'control',
    offset: 0x0c,
    size: 2,
    fields: {
      unmaskSbr: field(0, 0, 'RW'),
      unmaskLinkDisable: field(1, 1, 'RW'),
      altMemIdSpaceEnable: field(2, 2, 'RW'),
      altBmeEnable: field(3, 3, 'RW'),
      viralEnable: field(14, 14, 'RW'),
    },
  },
  { name: 'altBusBase', offset: 0x0e, size: 1, fields: { v: field(7, 0, 'RW') } },
  { name: 'altBusLimit', offset: 0x0f, size: 1, fields: { v: field(7, 0, 'RW') } },
  { name: 'altMemBase', offset: 0x10, size: 2, fields: { v: field(15, 4, 'RW') } },
  { name: 'altMemLimit', offset: 0x12, size: 2, fields: { v: field(15, 4, 'RW') } },
  { name: 'altPrefMemBase', offset: 0x14, size: 2, fields: { v: field(15, 4, 'RW') } },
  { name: 'altPrefMemLimit', offset: 0x16, size: 2, fields: { v: field(15, 4, 'RW') } },
  { name: 'altPrefBaseHigh', offset: 0x18, size: 4, fields: { v: field(31, 0, 'RW') } },
  { name: 'altPrefLimitHigh', offset: 0x1c, size: 4, fields: { v: field(31, 0, 'RW') } },
  { name: 'rcrbBaseLow', offset: 0x20, size: 4, fields: { v: field(31, 0, 'RO') } },
  { name: 'rcrbBaseHigh', offset: 0x24, size: 4, fields: { v: field(31, 0, 'RO') } },
] as const satisfies readonly CfgRegister[];

/** GPF DVSEC for Ports (id 4), length 0x10: phase 1/2 timeouts (RW). */
export const GPF_PORT_DVSEC_LENGTH = 0x10;
export const GPF_PORT_DVSEC_REGS = [
  {
    name: 'phase1Control',
    offset: 0x0c,
    size: 2,
    fields: { timeoutBase: field(3, 0, 'RW'), timeoutScale: field(11, 8, 'RW') },
  },
  {
    name: 'phase2Control',
    offset: 0x0e,
    size: 2,
    fields: { timeoutBase: field(3, 0, 'RW'), timeoutScale: field(11, 8, 'RW') },
  },
] as const satisfies readonly CfgRegister[];

/** GPF DVSEC for Devices (id 5), length 0x10: phase 2 duration and power (RO). */
export const GPF_DEVICE_DVSEC_LENGTH = 0x10;
export const GPF_DEVICE_DVSEC_REGS = [
  { name: 'phase2Duration', offset: 0x0a, size: 2, fields: { base: field(3, 0, 'RO'), scale: field(11, 8, 'RO') } },
  { name: 'phase2Power', offset: 0x0c, size: 4, fields: { v: field(31, 0, 'RO') } },
] as const satisfies readonly CfgRegister[];

/** Flex Bus Port DVSEC (id 7), CXL 2.0 length 0x14: CXL.io and CXL.mem capable, enabled, negotiated. */
export const FLEXBUS_DVSEC_LENGTH = 0x14;
export const FLEXBUS_DVSEC_REGS = [
  {
    name: 'capability',
    offset: 0x0a,
    size: 2,
    fields: {
      cache: field(0, 0, 'RO'),
      io: field(1, 1, 'RO'),
      mem: field(2, 2, 'RO'),
      cxl2p0: field(5, 5, 'RO'),
      multiLogical: field(6, 6, 'RO'),
    },
  },
  {
    name: 'control',
    offset: 0x0c,
    size: 2,
    fields: {
      cacheEnable: field(0, 0, 'RW'),
      ioEnable: field(1, 1, 'RO'),
      memEnable: field(2, 2, 'RW'),
      cxlSyncHdrBypass: field(3, 3, 'RW'),
      driftBuffer: field(4, 4, 'RW'),
      cxl2p0Enable: field(5, 5, 'RW'),
      multiLogicalEnable: field(6, 6, 'RW'),
      disableRetimerCheck: field(7, 7, 'RW'),
    },
  },
  {
    name: 'status',
    offset: 0x0e,
    size: 2,
    fields: {
      cache: field(0, 0, 'RO'),
      io: field(1, 1, 'RO'),
      mem: field(2, 2, 'RO'),
      cxl2p0: field(5, 5, 'RO'),
      multiLogical: field(6, 6, 'RO'),
      correctableError: field(8, 8, 'RW1C'),
    },
  },
  { name: 'modifiedTsReceived', offset: 0x10, size: 4, fields: { v: field(31, 0, 'RO') } },
] as const satisfies readonly CfgRegister[];

export interface RegisterLocatorEntry {
  bir: number;
  blockId: number;
  /** Offset in the BAR, 64 KiB aligned. */
  offset: number;
}

/** Register Locator low/high dwords (SPEC-NOTES 2.1): BIR [2:0], block id [15:8], offset [31:16] / [63:32]. */
export function registerLocatorDwords(e: RegisterLocatorEntry): [number, number] {
  const lo = (e.bir & 7) | ((e.blockId & 0xff) << 8) | ((e.offset % 2 ** 32) & 0xffff0000);
  return [lo >>> 0, Math.floor(e.offset / 2 ** 32) >>> 0];
}

/** Add the Register Locator DVSEC (id 8) with these entries. */
export function addRegisterLocator(f: PciFunction, entries: readonly RegisterLocatorEntry[]): number {
  const regs: CfgRegister[] = [];
  const values: Record<string, number> = {};
  entries.forEach((e, i) => {
    const [lo, hi] = registerLocatorDwords(e);
    regs.push({ name: `entry${i}Low`, offset: 0x0c + 8 * i, size: 4, fields: { v: field(31, 0, 'RO') } });
    regs.push({ name: `entry${i}High`, offset: 0x10 + 8 * i, size: 4, fields: { v: field(31, 0, 'RO') } });
    values[`entry${i}Low`] = lo;
    values[`entry${i}High`] = hi;
  });
  return addDvsec(f.config, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 0,
    dvsecId: CXL_DVSEC.registerLocator,
    length: 0x0c + 8 * entries.length,
    registers: regs,
    values,
    what: `${f.name} Register Locator DVSEC`,
  });
}

const FLEXBUS_ENABLED = 0x26; // CXL.io, CXL.mem, CXL 2.0

function addPortDvsecs(f: PciFunction): void {
  const cs = f.config;
  addDvsec(cs, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 0,
    dvsecId: CXL_DVSEC.portExtensions,
    length: PORT_EXT_DVSEC_LENGTH,
    registers: PORT_EXT_DVSEC_REGS,
    what: `${f.name} Extensions DVSEC for Ports`,
  });
  addDvsec(cs, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 0,
    dvsecId: CXL_DVSEC.gpfPort,
    length: GPF_PORT_DVSEC_LENGTH,
    registers: GPF_PORT_DVSEC_REGS,
    what: `${f.name} GPF DVSEC for Ports`,
  });
  addFlexBus(f);
  addRegisterLocator(f, [{ bir: 0, blockId: REGLOC_BLOCK.component, offset: 0 }]);
}

function addFlexBus(f: PciFunction): void {
  addDvsec(f.config, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 1,
    dvsecId: CXL_DVSEC.flexBusPort,
    length: FLEXBUS_DVSEC_LENGTH,
    registers: FLEXBUS_DVSEC_REGS,
    values: { capability: FLEXBUS_ENABLED, control: FLEXBUS_ENABLED, status: FLEXBUS_ENABLED },
    what: `${f.name} Flex Bus Port DVSEC`,
  });
}

/** CDAT Table Access over DOE (SPEC-NOTES 2.6): request code/type/handle; response code, type, next handle, entry. */
export function registerCdat(doe: DoeMailbox, source: CdatTable | (() => CdatTable)): void {
  doe.register(DOE_CDAT_VENDOR, DOE_CDAT_TYPE, (_v, _t, req) => {
    const table = typeof source === 'function' ? source() : source;
    if (req.length < 1) return null;
    const code = req[0]! & 0xff;
    const tableType = (req[0]! >>> 8) & 0xff;
    if (code !== 0 || tableType !== 0) return null;
    const e = table.entryAt(req[0]! >>> 16);
    if (e === null) return null;
    const dws = Math.ceil(e.bytes.length / 4);
    const out = new Array<number>(1 + dws).fill(0);
    out[0] = (e.next << 16) >>> 0;
    for (let i = 0; i < e.bytes.length; i++)
      out[1 + (i >> 2)] = (out[1 + (i >> 2)]! + e.bytes[i]! * 2 ** (8 * (i & 3))) >>> 0;
    return out;
  });
}

/** The CDAT input of a type-3 device: one DSMAS per partition (volatile, then persistent), perf from its spec. */
export function type3CdatInput(dev: Type3Device): Type3CdatInput {
  const partitions: Type3CdatInput['partitions'] = [];
  if (dev.volatileBytes > 0)
    partitions.push({ dpaBase: 0, length: dev.volatileBytes, nonVolatile: false, perf: { ...dev.spec.perf } });
  if (dev.persistentBytes > 0)
    partitions.push({
      dpaBase: dev.volatileBytes,
      length: dev.persistentBytes,
      nonVolatile: true,
      perf: { ...dev.spec.perf },
    });
  return { partitions, sequence: 0 };
}

/** Reads 0 and ignores writes: stands in for the memory device registers until the mailbox model exists. */
export const PLACEHOLDER_MEMDEV_REGISTERS: MmioOps = {
  valid: { min: 1, max: 8, unaligned: true },
  impl: { min: 1, max: 4 },
  read: () => 0,
  write: () => {},
};

/** Makes the memory-device register block (BAR0 + 0x10000) of an endpoint. */
export type MemdevRegistersFactory = (dev: Type3Device, o: { raiseIrq: (level: boolean) => void }) => MmioOps;

/** Endpoint BAR0: component registers below 0x10000, memory device registers above. */
class EndpointBar0 implements MmioOps {
  readonly valid = { min: 1, max: 8, unaligned: true } as const;
  readonly impl = { min: 1, max: 4 } as const;
  constructor(
    readonly component: ComponentRegisters,
    readonly memdev: MmioOps,
  ) {}
  read(offset: number, size: 1 | 2 | 4): number {
    if (offset < MEMDEV_REGS_OFFSET) return offset + size <= MEMDEV_REGS_OFFSET ? this.component.read(offset, size) : 0;
    return this.memdev.read(offset - MEMDEV_REGS_OFFSET, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset < MEMDEV_REGS_OFFSET) {
      if (offset + size <= MEMDEV_REGS_OFFSET) this.component.write(offset, size, value);
      return;
    }
    this.memdev.write(offset - MEMDEV_REGS_OFFSET, size, value);
  }
}

export interface CxlPciOptions {
  /** CHBS base of host bridge `index` (description order). */
  chbsBase: (index: number) => number;
  /** Maps the host-bridge component blocks here (in one transaction) when given. */
  space?: AddressSpace;
  /** The memory device registers of each endpoint (default PLACEHOLDER_MEMDEV_REGISTERS). */
  memdevRegisters?: MemdevRegistersFactory;
}

export interface CxlHostBridgePci {
  hostBridge: HostBridge;
  pci: PciHostBridge;
  component: ComponentRegisters;
  chbsBase: number;
}

export interface CxlEndpointPci {
  device: Type3Device;
  fn: PciFunction;
  component: ComponentRegisters;
  memdevRegisters: MmioOps;
  doe: DoeMailbox;
  cdat: CdatTable;
  /** Config-space offset of the PCIe DVSEC for CXL Devices (id 0); Control at +0x0C. */
  deviceDvsec: number;
  /** The function's MSI-X (table and PBA in BAR4; vectors as T3_MSIX). */
  msix: Msix;
}

/** Set Mem_Enable (CXL device DVSEC Control bit 2) of an endpoint as firmware does, through config space. */
export function setMemEnable(ep: CxlEndpointPci, on: boolean): void {
  const at = ep.deviceDvsec + DEVICE_DVSEC_REGS.control.offset;
  const v = ep.fn.config.read(at, 2);
  ep.fn.config.write(at, 2, on ? v | 4 : v & ~4);
}

/** Every CXL function and register block of a topology. */
export class CxlPci {
  readonly hostBridges: CxlHostBridgePci[] = [];
  readonly endpoints: CxlEndpointPci[] = [];
  /** Root ports and DSPs by their Dport. */
  readonly ports = new Map<Dport, { fn: PciFunction; component: ComponentRegisters }>();
  /** Switch upstream ports. */
  readonly upstreamPorts = new Map<
    CxlSwitch,
    { fn: PciFunction; component: ComponentRegisters; doe: DoeMailbox; cdat: CdatTable }
  >();

  /** Every component register block (host bridges, ports, USPs, endpoints) with a name. */
  componentBlocks(): { name: string; block: ComponentRegisters }[] {
    const out: { name: string; block: ComponentRegisters }[] = [];
    for (const h of this.hostBridges) out.push({ name: `host bridge ${h.hostBridge.id}`, block: h.component });
    for (const [d, p] of this.ports) out.push({ name: d.id, block: p.component });
    for (const [s, p] of this.upstreamPorts) out.push({ name: s.id, block: p.component });
    for (const e of this.endpoints) out.push({ name: e.device.id, block: e.component });
    return out;
  }
}

/**
 * Build the PCI functions of `topo` on `ecam`: one PCI host bridge per CXL host bridge (its bus_nr),
 * root ports at device n of its root bus, a switch's USP at device 0 below its port and DSPs at
 * device n below the USP, endpoints at device 0 below their port.
 */
export function attachCxlPci(topo: TopologyCore, ecam: Ecam, o: CxlPciOptions): CxlPci {
  const out = new CxlPci();
  const memdevRegs = o.memdevRegisters ?? (() => PLACEHOLDER_MEMDEV_REGISTERS);
  topo.hostBridges.forEach((hb, i) => {
    const pci = ecam.addHostBridge({ name: hb.id, busNr: hb.busNr });
    const component = new ComponentRegisters({ hdm: hb.hdm, link: false });
    out.hostBridges.push({ hostBridge: hb, pci, component, chbsBase: o.chbsBase(i) });
    hb.rootPorts.forEach((rp, n) => {
      const { fn } = bridge(rp.id, ROOT_PORT_IDS, 'rootPort', rp.port, n, out, rp, rp.link);
      pci.rootBus.attach(n, 0, fn);
      if (rp.child) attachChild(rp.child, fn, rp.link, out, memdevRegs);
    });
  });
  if (o.space) {
    const space = o.space;
    space.begin();
    try {
      for (const h of out.hostBridges)
        space.mmio(`cxl-chbcr-${h.hostBridge.id}`, h.chbsBase, COMPONENT_BLOCK_SIZE, h.component);
    } finally {
      space.commit();
    }
  }
  return out;
}

/** PCIe Link Capabilities/Status speed codes: 1 = 2.5 GT/s ... 6 = 64 GT/s. */
const LINK_SPEED_CODE: Record<number, number> = { 2.5: 1, 5: 2, 8: 3, 16: 4, 32: 5, 64: 6 };

/** A link as the PCIe capability's options (both ends of a link report the same). */
function linkFields(link: LinkSpec): { linkSpeed: number; linkWidth: number } {
  const code = LINK_SPEED_CODE[link.speedGTs];
  if (code === undefined) throw new RangeError(`link speed ${link.speedGTs} GT/s: one of 2.5, 5, 8, 16, 32, 64`);
  return { linkSpeed: code, linkWidth: link.width };
}

function bridge(
  name: string,
  ids: { vendorId: number; deviceId: number; classCode: number },
  portType: 'rootPort' | 'downstreamPort' | 'upstreamPort',
  portNumber: number,
  slot: number,
  out: CxlPci,
  dport: Dport | null,
  link: LinkSpec,
  hdm: ComponentRegisters['hdm'] = null,
): { fn: PciFunction; component: ComponentRegisters } {
  const component = new ComponentRegisters({ hdm });
  const fn = new PciFunction({
    name,
    header: { type: 1, ...ids, interruptPin: 0 },
    bars: [{ index: 0, kind: 'mem64', size: PORT_BAR0_SIZE, ops: component }],
  });
  addPcieCapability(
    fn.config,
    portType === 'upstreamPort'
      ? { portType, portNumber, ...linkFields(link) }
      : { portType, portNumber, slotNumber: slot, linkUp: () => dport?.child != null, ...linkFields(link) },
  );
  addAer(fn.config, { rootPort: portType === 'rootPort' });
  addPortDvsecs(fn);
  if (dport) out.ports.set(dport, { fn, component });
  return { fn, component };
}

function attachChild(
  child: NonNullable<Dport['child']>,
  parent: PciFunction,
  link: LinkSpec,
  out: CxlPci,
  memdevRegs: MemdevRegistersFactory,
): void {
  if (child.kind === 'switch') {
    const sw = child;
    const { fn: usp, component } = bridge(sw.id, USP_IDS, 'upstreamPort', 0, 0, out, null, link, sw.hdm);
    const doe = addDoe(usp.config);
    const cdat = buildSwitchCdat({
      downstreamPorts: sw.downstreamPorts.map((d) => d.port),
      perf: { ...sw.spec.perf },
      sequence: 0,
    });
    registerCdat(doe, cdat);
    parent.secondaryBus!.attach(0, 0, usp);
    out.upstreamPorts.set(sw, { fn: usp, component, doe, cdat });
    sw.downstreamPorts.forEach((dp, n) => {
      const { fn } = bridge(dp.id, DSP_IDS, 'downstreamPort', dp.port, n, out, dp, dp.link);
      usp.secondaryBus!.attach(n, 0, fn);
      if (dp.child) attachChild(dp.child, fn, dp.link, out, memdevRegs);
    });
    return;
  }
  out.endpoints.push(endpoint(child, parent, link, memdevRegs));
}

function endpoint(
  dev: Type3Device,
  parent: PciFunction,
  link: LinkSpec,
  memdevRegs: MemdevRegistersFactory,
): CxlEndpointPci {
  const component = new ComponentRegisters({ hdm: dev.hdm });
  let fn: PciFunction | null = null;
  const memdev = memdevRegs(dev, { raiseIrq: (level) => fn?.setIntx(level) });
  const msix = new Msix({ vectors: T3_MSIX.count, bir: ENDPOINT_MSIX_BAR, pbaOffset: ENDPOINT_MSIX_PBA_OFFSET });
  fn = new PciFunction({
    name: dev.id,
    header: {
      type: 0,
      ...TYPE3_IDS,
      interruptPin: 1,
      subsystemVendorId: TYPE3_IDS.vendorId,
      subsystemId: TYPE3_IDS.deviceId,
    },
    bars: [
      { index: 0, kind: 'mem64', size: ENDPOINT_BAR0_SIZE, ops: new EndpointBar0(component, memdev) },
      { index: ENDPOINT_MSIX_BAR, kind: 'mem32', size: msix.barSize, ops: msix },
    ],
  });
  const cs = fn.config;
  const f = fn;
  addPcieCapability(cs, { portType: 'endpoint', flr: true, onFlr: () => f.reset(), ...linkFields(link) });
  msix.install(fn);
  // The memory device registers signal by MSI-X once the host enables it (DeviceRegisters.connectMsix).
  const msiCapable = memdev as MmioOps & { connectMsix?: (m: Msix | null) => void };
  if (typeof msiCapable.connectMsix === 'function') msiCapable.connectMsix(msix);
  addDsn(cs, BigInt(dev.serial));
  addAer(cs);
  const doe = addDoe(cs);
  // The CDAT follows the live split: a repartition (reset) rebuilds it with the next sequence number.
  let cdatSeq = 0;
  let cdat = buildType3Cdat(type3CdatInput(dev));
  dev.onRepartition(() => {
    cdatSeq = (cdatSeq + 1) >>> 0;
    cdat = buildType3Cdat({ ...type3CdatInput(dev), sequence: cdatSeq });
    ep.cdat = cdat;
  });
  registerCdat(doe, () => cdat);
  // PCIe DVSEC for CXL Devices: Mem_Capable, IO_Capable, HDM_Count = ranges; range n = partition n.
  const parts = [dev.volatileBytes, dev.persistentBytes].filter((s) => s > 0);
  const values: Record<string, number> = {
    capability: 0x2 | 0x4 | (Math.min(2, Math.max(1, parts.length)) << 4),
    control: 0x2,
  };
  parts.slice(0, 2).forEach((size, i) => {
    values[`range${i + 1}SizeHigh`] = Math.floor(size / 2 ** 32);
    // Memory_Info_Valid, Memory_Active, media type 010b ("CXL memory"), class 010b, size [31:28].
    values[`range${i + 1}SizeLow`] = (((size % 2 ** 32) & 0xf0000000) | 0x3 | (2 << 2) | (2 << 5)) >>> 0;
  });
  const deviceDvsec = addDvsec(cs, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 1,
    dvsecId: CXL_DVSEC.device,
    length: DEVICE_DVSEC_LENGTH,
    registers: Object.values(DEVICE_DVSEC_REGS),
    values,
    what: `${dev.id} PCIe DVSEC for CXL Devices`,
  });
  // Mem_Enable (Control bit 2) gates decoding: clear at power-on (firmware enumeration sets it);
  // like the HDM decoders it survives FLR / secondary bus reset (CXL.mem state), so a reset puts
  // the live bit back into the restored bytes.
  const memEnableAt = deviceDvsec + DEVICE_DVSEC_REGS.control.offset;
  dev.hdm.setMemEnable(false);
  cs.onWrite(memEnableAt, 2, () => dev.hdm.setMemEnable((cs.getRaw(memEnableAt, 2) & 4) !== 0));
  cs.onReset(() => cs.setRaw(memEnableAt, 2, (cs.getRaw(memEnableAt, 2) & ~4) | (dev.hdm.memEnabled ? 4 : 0)));
  // The memory device registers take the function's reset (FLR, secondary bus reset): mailbox
  // registers to reset values, background work dropped, a pending repartition applied.
  const resettable = memdev as MmioOps & { reset?: () => void };
  if (typeof resettable.reset === 'function') cs.onReset(() => resettable.reset!());
  // After that reset (which may have repartitioned the device) the DVSEC ranges describe the live
  // split: HDM_Count and range n = partition n (the reset image holds the split at build time).
  cs.onReset(() => {
    const live = [dev.volatileBytes, dev.persistentBytes].filter((s) => s > 0);
    const capAt = deviceDvsec + DEVICE_DVSEC_REGS.capability.offset;
    cs.setRaw(capAt, 2, (cs.getRaw(capAt, 2) & ~0x30) | (Math.min(2, Math.max(1, live.length)) << 4));
    for (let i = 0; i < 2; i++) {
      const size = live[i] ?? 0;
      const hiAt = deviceDvsec + DEVICE_DVSEC_REGS[i === 0 ? 'range1SizeHigh' : 'range2SizeHigh'].offset;
      const loAt = deviceDvsec + DEVICE_DVSEC_REGS[i === 0 ? 'range1SizeLow' : 'range2SizeLow'].offset;
      cs.setRaw(hiAt, 4, Math.floor(size / 2 ** 32));
      cs.setRaw(loAt, 4, size > 0 ? (((size % 2 ** 32) & 0xf0000000) | 0x3 | (2 << 2) | (2 << 5)) >>> 0 : 0);
    }
  });
  addDvsec(cs, {
    vendor: CXL_DVSEC_VENDOR,
    revision: 0,
    dvsecId: CXL_DVSEC.gpfDevice,
    length: GPF_DEVICE_DVSEC_LENGTH,
    registers: GPF_DEVICE_DVSEC_REGS,
    what: `${dev.id} GPF DVSEC for Devices`,
  });
  addFlexBus(fn);
  addRegisterLocator(fn, [
    { bir: 0, blockId: REGLOC_BLOCK.component, offset: 0 },
    { bir: 0, blockId: REGLOC_BLOCK.memoryDevice, offset: MEMDEV_REGS_OFFSET },
  ]);
  // FLR and secondary bus reset leave CXL.mem state (HDM decoders) alone (CXL 2.0 §8.1.3.2).
  cs.captureResetImage();
  parent.secondaryBus!.attach(0, 0, fn);
  const ep: CxlEndpointPci = { device: dev, fn, component, memdevRegisters: memdev, doe, cdat, deviceDvsec, msix };
  return ep;
}
