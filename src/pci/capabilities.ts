// The capabilities of a function's config space: PCI Express (conventional list) and AER, DSN, DOE,
// DVSEC (extended list), each declared from its register table with its masks; list placement and
// walking come from cap-list.ts (re-exported here). Never interprets CXL DVSEC bodies (the cxl
// layer passes their register tables to `addDvsec`) nor DOE protocol contents (doe.ts handlers).

import {
  addCapability,
  addExtendedCapability,
  CapId,
  ExtCapId,
  findCapability,
  type ConfigReader,
} from './cap-list.js';
import { type ConfigSpace, field, writtenBits, type CfgRegister } from './config-space.js';
import { DoeMailbox, type DoeOptions } from './doe.js';
import { PciConfigError } from './errors.js';

export * from './cap-list.js';
export {
  DoeMailbox,
  DOE_REGS,
  DOE_CAP_LENGTH,
  DOE_MAX_DWORDS,
  DOE_VENDOR_PCI_SIG,
  DOE_TYPE_DISCOVERY,
  type DoeHandler,
  type DoeOptions,
} from './doe.js';

// ---- PCI Express capability (PCIe r6.0 §7.5.3) ----

export type PciePortType =
  | 'endpoint'
  | 'legacyEndpoint'
  | 'rcEndpoint'
  | 'rootPort'
  | 'upstreamPort'
  | 'downstreamPort';

/** Device/Port Type encodings of the PCI Express Capabilities register [7:4]. */
export const PORT_TYPE_CODE: Record<PciePortType, number> = {
  endpoint: 0x0,
  legacyEndpoint: 0x1,
  rootPort: 0x4,
  upstreamPort: 0x5,
  downstreamPort: 0x6,
  rcEndpoint: 0x9,
};

export const PCIE_CAPS = {
  name: 'pcieCapabilities',
  offset: 0x02,
  size: 2,
  fields: {
    version: field(3, 0, 'RO'),
    portType: field(7, 4, 'RO'),
    slotImplemented: field(8, 8, 'RO'),
    interruptMessageNumber: field(13, 9, 'RO'),
  },
} as const satisfies CfgRegister;
export const PCIE_DEVCAP = {
  name: 'deviceCapabilities',
  offset: 0x04,
  size: 4,
  fields: {
    maxPayloadSupported: field(2, 0, 'RO'),
    extendedTag: field(5, 5, 'RO'),
    roleBasedErrorReporting: field(15, 15, 'RO'),
    flr: field(28, 28, 'RO'),
  },
} as const satisfies CfgRegister;
/** Bit 15 (Initiate FLR / Bridge Config Retry Enable) reads 0; FLR is a write hook of the device. */
export const PCIE_DEVCTL = {
  name: 'deviceControl',
  offset: 0x08,
  size: 2,
  fields: {
    correctableErrorReporting: field(0, 0, 'RW'),
    nonFatalErrorReporting: field(1, 1, 'RW'),
    fatalErrorReporting: field(2, 2, 'RW'),
    unsupportedRequestReporting: field(3, 3, 'RW'),
    relaxedOrdering: field(4, 4, 'RW'),
    maxPayloadSize: field(7, 5, 'RW'),
    extendedTagEnable: field(8, 8, 'RW'),
    phantomFunctions: field(9, 9, 'RW'),
    auxPower: field(10, 10, 'RW'),
    noSnoop: field(11, 11, 'RW'),
    maxReadRequest: field(14, 12, 'RW'),
    initiateFlr: field(15, 15, 'RO'),
  },
} as const satisfies CfgRegister;
export const PCIE_DEVSTA = {
  name: 'deviceStatus',
  offset: 0x0a,
  size: 2,
  fields: {
    correctableDetected: field(0, 0, 'RW1C'),
    nonFatalDetected: field(1, 1, 'RW1C'),
    fatalDetected: field(2, 2, 'RW1C'),
    unsupportedRequestDetected: field(3, 3, 'RW1C'),
    auxPowerDetected: field(4, 4, 'RO'),
    transactionsPending: field(5, 5, 'RO'),
    emergencyPowerReduction: field(6, 6, 'RW1C'),
  },
} as const satisfies CfgRegister;
export const PCIE_LNKCAP = {
  name: 'linkCapabilities',
  offset: 0x0c,
  size: 4,
  fields: {
    maxLinkSpeed: field(3, 0, 'RO'),
    maxLinkWidth: field(9, 4, 'RO'),
    aspmSupport: field(11, 10, 'RO'),
    dllActiveReporting: field(20, 20, 'RO'),
    linkBwNotification: field(21, 21, 'RO'),
    portNumber: field(31, 24, 'RO'),
  },
} as const satisfies CfgRegister;
const lnkctlCommon = {
  aspmControl: field(1, 0, 'RW'),
  rcb: field(3, 3, 'RW'),
  retrainLink: field(5, 5, 'RO'),
  commonClock: field(6, 6, 'RW'),
  extendedSynch: field(7, 7, 'RW'),
  clockPmEnable: field(8, 8, 'RW'),
  hwAutonomousWidthDisable: field(9, 9, 'RW'),
} as const;
export const PCIE_LNKCTL_ENDPOINT = {
  name: 'linkControl',
  offset: 0x10,
  size: 2,
  fields: lnkctlCommon,
} as const satisfies CfgRegister;
/** Downstream-facing ports add Link Disable and the bandwidth interrupt enables. */
export const PCIE_LNKCTL_PORT = {
  name: 'linkControl',
  offset: 0x10,
  size: 2,
  fields: {
    ...lnkctlCommon,
    linkDisable: field(4, 4, 'RW'),
    bwMgmtInterruptEnable: field(10, 10, 'RW'),
    autonomousBwInterruptEnable: field(11, 11, 'RW'),
  },
} as const satisfies CfgRegister;
export const PCIE_LNKSTA = {
  name: 'linkStatus',
  offset: 0x12,
  size: 2,
  fields: {
    currentLinkSpeed: field(3, 0, 'RO'),
    negotiatedLinkWidth: field(9, 4, 'RO'),
    linkTraining: field(11, 11, 'RO'),
    slotClock: field(12, 12, 'RO'),
    dllLinkActive: field(13, 13, 'RO'),
    linkBwMgmtStatus: field(14, 14, 'RW1C'),
    linkAutonomousBwStatus: field(15, 15, 'RW1C'),
  },
} as const satisfies CfgRegister;
export const PCIE_SLTCAP = {
  name: 'slotCapabilities',
  offset: 0x14,
  size: 4,
  fields: {
    hotPlugCapable: field(6, 6, 'RO'),
    noCommandCompleted: field(18, 18, 'RO'),
    physicalSlotNumber: field(31, 19, 'RO'),
  },
} as const satisfies CfgRegister;
export const PCIE_SLTCTL = {
  name: 'slotControl',
  offset: 0x18,
  size: 2,
  fields: { control: field(12, 0, 'RW') },
} as const satisfies CfgRegister;
export const PCIE_SLTSTA = {
  name: 'slotStatus',
  offset: 0x1a,
  size: 2,
  fields: {
    attentionButtonPressed: field(0, 0, 'RW1C'),
    powerFaultDetected: field(1, 1, 'RW1C'),
    mrlSensorChanged: field(2, 2, 'RW1C'),
    presenceDetectChanged: field(3, 3, 'RW1C'),
    commandCompleted: field(4, 4, 'RW1C'),
    mrlSensorState: field(5, 5, 'RO'),
    presenceDetectState: field(6, 6, 'RO'),
    emiState: field(7, 7, 'RO'),
    dllStateChanged: field(8, 8, 'RW1C'),
  },
} as const satisfies CfgRegister;
export const PCIE_RTCTL = {
  name: 'rootControl',
  offset: 0x1c,
  size: 2,
  fields: {
    serrOnCorrectable: field(0, 0, 'RW'),
    serrOnNonFatal: field(1, 1, 'RW'),
    serrOnFatal: field(2, 2, 'RW'),
    pmeInterruptEnable: field(3, 3, 'RW'),
    crsSoftwareVisibility: field(4, 4, 'RO'),
  },
} as const satisfies CfgRegister;
export const PCIE_RTCAP = {
  name: 'rootCapabilities',
  offset: 0x1e,
  size: 2,
  fields: { crsSoftwareVisibility: field(0, 0, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_RTSTA = {
  name: 'rootStatus',
  offset: 0x20,
  size: 4,
  fields: { pmeRequesterId: field(15, 0, 'RO'), pmeStatus: field(16, 16, 'RW1C'), pmePending: field(17, 17, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_DEVCAP2 = {
  name: 'deviceCapabilities2',
  offset: 0x24,
  size: 4,
  fields: {
    completionTimeoutRanges: field(3, 0, 'RO'),
    completionTimeoutDisable: field(4, 4, 'RO'),
    ariForwarding: field(5, 5, 'RO'),
  },
} as const satisfies CfgRegister;
export const PCIE_DEVCTL2 = {
  name: 'deviceControl2',
  offset: 0x28,
  size: 2,
  fields: {
    completionTimeoutDisable: field(4, 4, 'RW'),
    idoRequest: field(8, 8, 'RW'),
    idoCompletion: field(9, 9, 'RW'),
  },
} as const satisfies CfgRegister;
export const PCIE_DEVSTA2 = {
  name: 'deviceStatus2',
  offset: 0x2a,
  size: 2,
  fields: { value: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_LNKCAP2 = {
  name: 'linkCapabilities2',
  offset: 0x2c,
  size: 4,
  fields: { supportedSpeeds: field(7, 1, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_LNKCTL2 = {
  name: 'linkControl2',
  offset: 0x30,
  size: 2,
  fields: {
    targetLinkSpeed: field(3, 0, 'RW'),
    enterCompliance: field(4, 4, 'RW'),
    hwAutonomousSpeedDisable: field(5, 5, 'RW'),
    selectableDeemphasis: field(6, 6, 'RO'),
    transmitMargin: field(9, 7, 'RW'),
    enterModifiedCompliance: field(10, 10, 'RW'),
    complianceSos: field(11, 11, 'RW'),
    compliancePreset: field(15, 12, 'RW'),
  },
} as const satisfies CfgRegister;
export const PCIE_LNKSTA2 = {
  name: 'linkStatus2',
  offset: 0x32,
  size: 2,
  fields: { value: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_SLOT2 = {
  name: 'slot2',
  offset: 0x34,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
export const PCIE_SLTCTL2_STA2 = {
  name: 'slotControlStatus2',
  offset: 0x38,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
/** Version 2 capability: 0x3C bytes. */
export const PCIE_CAP_LENGTH = 0x3c;

export interface PcieCapabilityOptions {
  portType: PciePortType;
  /** Link Capabilities Port Number (the id CXL HDM target lists use for root ports and DSPs). */
  portNumber?: number;
  /** 1 = 2.5 GT/s ... 5 = 32 GT/s (default 5, CXL 2.0 at Gen5), 6 = 64 GT/s. */
  linkSpeed?: number;
  /** Link width in lanes (default 16). */
  linkWidth?: number;
  /** Root and downstream ports: slot number (marks the slot implemented). */
  slotNumber?: number;
  /**
   * Root and downstream ports: whether a device is attached below, read live into Link Status DLL
   * Link Active and Slot Status Presence Detect State (default: always up).
   */
  linkUp?: () => boolean;
  /** Endpoint: Function Level Reset supported (Initiate FLR writes call `onFlr`). */
  flr?: boolean;
  onFlr?: () => void;
}

export interface PcieCapability {
  offset: number;
  portType: PciePortType;
}

/** Add the PCI Express capability with masks for this device/port type. */
export function addPcieCapability(cs: ConfigSpace, o: PcieCapabilityOptions, what = 'PCIe capability'): PcieCapability {
  const speed = o.linkSpeed ?? 5;
  const width = o.linkWidth ?? 16;
  const portNumber = o.portNumber ?? 0;
  if (!Number.isInteger(speed) || speed < 1 || speed > 6)
    throw new PciConfigError(what, `linkSpeed must be 1..6 (2.5..64 GT/s), got ${speed}`);
  if (![1, 2, 4, 8, 12, 16, 32].includes(width))
    throw new PciConfigError(what, `linkWidth must be 1, 2, 4, 8, 12, 16 or 32 lanes, got ${width}`);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 255)
    throw new PciConfigError(what, `portNumber must be 0..255, got ${portNumber}`);
  const isPort = o.portType === 'rootPort' || o.portType === 'downstreamPort' || o.portType === 'upstreamPort';
  const downstreamFacing = o.portType === 'rootPort' || o.portType === 'downstreamPort';
  const slot = downstreamFacing && o.slotNumber !== undefined;
  const off = addCapability(cs, CapId.PciExpress, PCIE_CAP_LENGTH, what);
  // Every register starts read-only zero; the tables below open the bits this type implements.
  cs.setMasks(off + 2, PCIE_CAP_LENGTH - 2, 0);
  cs.declare(off, PCIE_CAPS);
  cs.setField(off, PCIE_CAPS, 'version', 2);
  cs.setField(off, PCIE_CAPS, 'portType', PORT_TYPE_CODE[o.portType]);
  cs.setField(off, PCIE_CAPS, 'slotImplemented', slot ? 1 : 0);
  cs.declare(off, PCIE_DEVCAP);
  cs.setField(off, PCIE_DEVCAP, 'maxPayloadSupported', 1); // 256 B
  cs.setField(off, PCIE_DEVCAP, 'extendedTag', 1);
  cs.setField(off, PCIE_DEVCAP, 'roleBasedErrorReporting', 1);
  const flr = !isPort && o.flr === true;
  cs.setField(off, PCIE_DEVCAP, 'flr', flr ? 1 : 0);
  cs.declare(off, PCIE_DEVCTL, 0x2810); // relaxed ordering, no snoop, 512 B max read request (spec reset values)
  cs.declare(off, PCIE_DEVSTA);
  cs.declare(off, PCIE_LNKCAP);
  cs.setField(off, PCIE_LNKCAP, 'maxLinkSpeed', speed);
  cs.setField(off, PCIE_LNKCAP, 'maxLinkWidth', width);
  cs.setField(off, PCIE_LNKCAP, 'portNumber', portNumber);
  cs.setField(off, PCIE_LNKCAP, 'dllActiveReporting', downstreamFacing ? 1 : 0);
  cs.setField(off, PCIE_LNKCAP, 'linkBwNotification', downstreamFacing ? 1 : 0);
  cs.declare(off, downstreamFacing ? PCIE_LNKCTL_PORT : PCIE_LNKCTL_ENDPOINT);
  cs.declare(off, PCIE_LNKSTA);
  cs.setField(off, PCIE_LNKSTA, 'currentLinkSpeed', speed);
  cs.setField(off, PCIE_LNKSTA, 'negotiatedLinkWidth', width);
  cs.setField(off, PCIE_LNKSTA, 'slotClock', 1);
  cs.setField(off, PCIE_LNKSTA, 'dllLinkActive', downstreamFacing ? 1 : 0);
  if (slot) {
    const n = o.slotNumber!;
    if (!Number.isInteger(n) || n < 0 || n >= 2 ** 13)
      throw new PciConfigError(what, `slotNumber must be 0..8191, got ${n}`);
    cs.declare(off, PCIE_SLTCAP);
    cs.setField(off, PCIE_SLTCAP, 'physicalSlotNumber', n);
    cs.setField(off, PCIE_SLTCAP, 'noCommandCompleted', 1);
    cs.declare(off, PCIE_SLTCTL);
    cs.declare(off, PCIE_SLTSTA);
    cs.setField(off, PCIE_SLTSTA, 'presenceDetectState', 1);
  }
  if (o.portType === 'rootPort') {
    cs.declare(off, PCIE_RTCTL);
    cs.declare(off, PCIE_RTCAP);
    cs.declare(off, PCIE_RTSTA);
  }
  cs.declare(off, PCIE_DEVCAP2);
  cs.setField(off, PCIE_DEVCAP2, 'completionTimeoutDisable', 1);
  cs.declare(off, PCIE_DEVCTL2);
  cs.declare(off, PCIE_DEVSTA2);
  cs.declare(off, PCIE_LNKCAP2);
  cs.setField(off, PCIE_LNKCAP2, 'supportedSpeeds', 2 ** speed - 1);
  cs.declare(off, PCIE_LNKCTL2, speed);
  cs.declare(off, PCIE_LNKSTA2);
  cs.declare(off, PCIE_SLOT2);
  cs.declare(off, PCIE_SLTCTL2_STA2);
  if (downstreamFacing && o.linkUp) {
    const up = o.linkUp;
    cs.onRead(off + PCIE_LNKSTA.offset, 2, () => cs.setField(off, PCIE_LNKSTA, 'dllLinkActive', up() ? 1 : 0));
    if (slot)
      cs.onRead(off + PCIE_SLTSTA.offset, 2, () => cs.setField(off, PCIE_SLTSTA, 'presenceDetectState', up() ? 1 : 0));
  }
  if (flr && o.onFlr) {
    const onFlr = o.onFlr;
    cs.onWrite(off + PCIE_DEVCTL.offset, 2, (a, n, v) => {
      if ((writtenBits(a, n, v, off + PCIE_DEVCTL.offset, 2) & 0x8000) !== 0) onFlr();
    });
  }
  return { offset: off, portType: o.portType };
}

/** The Device/Port Type of a function's PCIe capability, or undefined without one. */
export function pciePortTypeOf(read: ConfigReader): PciePortType | undefined {
  const off = findCapability(read, CapId.PciExpress);
  if (off === 0) return undefined;
  const code = (read(off + 2, 2) >>> 4) & 0xf;
  for (const [k, v] of Object.entries(PORT_TYPE_CODE)) if (v === code) return k as PciePortType;
  return undefined;
}

// ---- AER (PCIe r6.0 §7.8.4) ----

/** Uncorrectable error bits implemented (DLP 4 .. poisoned TLP egress blocked 26). */
export const AER_UNCORRECTABLE_BITS = 0x07fff030;
/** Correctable error bits implemented (receiver error 0 .. header log overflow 15). */
export const AER_CORRECTABLE_BITS = 0x0000f1c1;

export const AER_REGS = [
  { name: 'uncorStatus', offset: 0x04, size: 4, fields: { bits: field(26, 4, 'RW1C') } },
  { name: 'uncorMask', offset: 0x08, size: 4, fields: { bits: field(26, 4, 'RW') } },
  { name: 'uncorSeverity', offset: 0x0c, size: 4, fields: { bits: field(26, 4, 'RW') } },
  { name: 'corStatus', offset: 0x10, size: 4, fields: { bits: field(15, 0, 'RW1C') } },
  { name: 'corMask', offset: 0x14, size: 4, fields: { bits: field(15, 0, 'RW') } },
  { name: 'capControl', offset: 0x18, size: 4, fields: { firstErrorPointer: field(4, 0, 'RO') } },
  { name: 'headerLog0', offset: 0x1c, size: 4, fields: { v: field(31, 0, 'RO') } },
  { name: 'headerLog1', offset: 0x20, size: 4, fields: { v: field(31, 0, 'RO') } },
  { name: 'headerLog2', offset: 0x24, size: 4, fields: { v: field(31, 0, 'RO') } },
  { name: 'headerLog3', offset: 0x28, size: 4, fields: { v: field(31, 0, 'RO') } },
] as const satisfies readonly CfgRegister[];
/** Root ports only. */
export const AER_ROOT_REGS = [
  { name: 'rootErrorCommand', offset: 0x2c, size: 4, fields: { enables: field(2, 0, 'RW') } },
  {
    name: 'rootErrorStatus',
    offset: 0x30,
    size: 4,
    fields: { bits: field(6, 0, 'RW1C'), messageNumber: field(31, 27, 'RO') },
  },
  { name: 'errorSourceId', offset: 0x34, size: 4, fields: { v: field(31, 0, 'RO') } },
] as const satisfies readonly CfgRegister[];
export const AER_LENGTH = 0x48;

export interface Aer {
  offset: number;
  /** Device-side: record an uncorrectable error (a bit of AER_UNCORRECTABLE_BITS). */
  reportUncorrectable(bit: number): void;
  /** Device-side: record a correctable error. */
  reportCorrectable(bit: number): void;
}

/** Add AER (version 2) with the spec's default masks and severities. */
export function addAer(cs: ConfigSpace, o: { rootPort?: boolean } = {}): Aer {
  const off = addExtendedCapability(cs, ExtCapId.Aer, 2, AER_LENGTH, 'AER');
  cs.setMasks(off + 4, AER_LENGTH - 4, 0);
  const masks = {
    uncorStatus: AER_UNCORRECTABLE_BITS,
    uncorMask: AER_UNCORRECTABLE_BITS,
    uncorSeverity: AER_UNCORRECTABLE_BITS,
    corStatus: AER_CORRECTABLE_BITS,
    corMask: AER_CORRECTABLE_BITS,
  } as Record<string, number>;
  for (const r of AER_REGS) {
    cs.declare(off, r);
    const m = masks[r.name];
    // Narrow the field masks to the implemented bits (the gaps are reserved).
    if (m !== undefined)
      cs.setMasks(off + r.offset, 4, r.name.endsWith('Status') ? 0 : m, r.name.endsWith('Status') ? m : 0);
  }
  cs.setRaw(off + 0x08, 4, 0x00400000); // uncorrectable internal error masked by default
  cs.setRaw(off + 0x0c, 4, 0x00462030); // DLP, surprise down, FC protocol, receiver overflow, malformed, internal: fatal
  cs.setRaw(off + 0x14, 4, 0x00006000); // advisory non-fatal and corrected internal masked
  if (o.rootPort) for (const r of AER_ROOT_REGS) cs.declare(off, r);
  const report = (reg: number, implemented: number, bit: number, first: boolean) => {
    if (!Number.isInteger(bit) || bit < 0 || bit > 31 || ((implemented >>> bit) & 1) === 0) {
      throw new PciConfigError('AER', `bit ${bit} is not an implemented error bit`);
    }
    const before = cs.getRaw(off + reg, 4);
    cs.setRaw(off + reg, 4, (before | (1 << bit)) >>> 0);
    if (first && (before & implemented) === 0) cs.setRaw(off + 0x18, 1, (cs.getRaw(off + 0x18, 1) & ~0x1f) | bit);
  };
  return {
    offset: off,
    reportUncorrectable: (bit) => report(0x04, AER_UNCORRECTABLE_BITS, bit, true),
    reportCorrectable: (bit) => report(0x10, AER_CORRECTABLE_BITS, bit, false),
  };
}

// ---- Device Serial Number (PCIe r6.0 §7.9.3) ----

export const DSN_LENGTH = 0x0c;

/** Add DSN: the 64-bit serial as two read-only dwords. */
export function addDsn(cs: ConfigSpace, serial: bigint): number {
  if (serial < 0n || serial >= 1n << 64n) throw new PciConfigError('DSN', `serial must fit 64 bits, got ${serial}`);
  const off = addExtendedCapability(cs, ExtCapId.Dsn, 1, DSN_LENGTH, 'DSN');
  cs.setMasks(off + 4, 8, 0);
  cs.setRaw(off + 4, 4, Number(serial & 0xffffffffn));
  cs.setRaw(off + 8, 4, Number(serial >> 32n));
  return off;
}

// ---- DVSEC (PCIe r6.0 §7.9.6) ----

export const DVSEC_HEADER1 = {
  name: 'dvsecHeader1',
  offset: 0x04,
  size: 4,
  fields: { vendor: field(15, 0, 'RO'), revision: field(19, 16, 'RO'), length: field(31, 20, 'RO') },
} as const satisfies CfgRegister;
export const DVSEC_HEADER2 = {
  name: 'dvsecHeader2',
  offset: 0x08,
  size: 2,
  fields: { id: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
/** First body byte: registers of a DVSEC body sit at offsets >= 0x0A from the DVSEC start. */
export const DVSEC_BODY_START = 0x0a;

export interface DvsecOptions {
  vendor: number;
  revision: number;
  dvsecId: number;
  /** Whole structure length in bytes, headers included (12 bits). */
  length: number;
  /** Body registers, offsets relative to the DVSEC start (so SPEC-NOTES' +0x0A etc. as written). */
  registers?: readonly CfgRegister[];
  /** Initial register values by register name (default 0). */
  values?: Record<string, number>;
  what?: string;
}

/**
 * Add a DVSEC: headers, then the body declared from register tables (every undeclared body byte
 * is RO 0). Returns its offset; the cxl layer adds write hooks (`cs.onWrite`) for live fields.
 */
export function addDvsec(cs: ConfigSpace, o: DvsecOptions): number {
  const what = o.what ?? `DVSEC ${o.vendor.toString(16)}:${o.dvsecId}`;
  if (!Number.isInteger(o.vendor) || o.vendor < 0 || o.vendor > 0xffff)
    throw new PciConfigError(what, `vendor must be 16 bits, got ${o.vendor}`);
  if (!Number.isInteger(o.revision) || o.revision < 0 || o.revision > 15)
    throw new PciConfigError(what, `revision must be 0..15, got ${o.revision}`);
  if (!Number.isInteger(o.dvsecId) || o.dvsecId < 0 || o.dvsecId > 0xffff)
    throw new PciConfigError(what, `dvsecId must be 16 bits, got ${o.dvsecId}`);
  if (!Number.isInteger(o.length) || o.length < DVSEC_BODY_START || o.length > 0xfff) {
    throw new PciConfigError(what, `length must be 0x0A..0xFFF bytes (headers included), got ${o.length}`);
  }
  for (const r of o.registers ?? []) {
    if (r.offset < DVSEC_BODY_START || r.offset + r.size > o.length) {
      throw new PciConfigError(
        what,
        `register ${r.name} at +0x${r.offset.toString(16)} must lie in the body (0x0A..length 0x${o.length.toString(16)})`,
      );
    }
  }
  const off = addExtendedCapability(cs, ExtCapId.Dvsec, 1, o.length, what);
  cs.setMasks(off + 4, o.length - 4, 0);
  cs.setRaw(off + 4, 4, 0);
  cs.setField(off, DVSEC_HEADER1, 'vendor', o.vendor);
  cs.setField(off, DVSEC_HEADER1, 'revision', o.revision);
  cs.setField(off, DVSEC_HEADER1, 'length', o.length);
  cs.setField(off, DVSEC_HEADER2, 'id', o.dvsecId);
  for (const r of o.registers ?? []) cs.declare(off, r, o.values?.[r.name] ?? 0);
  return off;
}

// ---- DOE (PCIe r6.0 §6.30; state machine in doe.ts) ----

/** Add a DOE instance; register protocols on the returned mailbox (Discovery is built in). */
export function addDoe(cs: ConfigSpace, opts: DoeOptions = {}): DoeMailbox {
  return new DoeMailbox(cs, opts);
}
