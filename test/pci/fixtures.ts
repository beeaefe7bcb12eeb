// Shared fixtures for the PCI tests: a recording MMIO device for BARs, and a two-host-bridge
// topology (root ports, a switch, endpoints) like the default CXL machine. Not an oracle itself.
import type { MmioOps } from '../../src/memory/index.js';
import { addAer, addDoe, addDsn, addDvsec, addPcieCapability, type PciePortType } from '../../src/pci/capabilities.js';
import { field, type CfgRegister } from '../../src/pci/config-space.js';
import { Ecam, type EcamOptions } from '../../src/pci/ecam.js';
import { PciFunction, type PciBus } from '../../src/pci/topology.js';

/** A 4 KiB register file that remembers accesses: reads return `tag + offset`. */
export class RegFile implements MmioOps {
  readonly valid = { min: 1, max: 8 } as const;
  readonly impl = { min: 4, max: 4 } as const;
  readonly writes: [number, number][] = [];
  constructor(readonly tag: number) {}
  read(offset: number): number {
    return (this.tag + offset) >>> 0;
  }
  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.writes.push([offset, value]);
  }
}

export const CXL_VENDOR = 0x1e98;

export function port(name: string, type: PciePortType, portNumber: number, opts: { bars?: boolean } = {}): PciFunction {
  const f = new PciFunction({
    name,
    header: {
      type: 1,
      vendorId: 0x19e5,
      deviceId: type === 'rootPort' ? 0x7075 : type === 'upstreamPort' ? 0x7076 : 0x7077,
      classCode: 0x060400,
      interruptPin: 1,
    },
    bars: opts.bars ? [{ index: 0, kind: 'mem64', size: 0x10000, ops: new RegFile(0x5000_0000) }] : [],
  });
  addPcieCapability(f.config, {
    portType: type,
    portNumber,
    ...(type === 'upstreamPort'
      ? {}
      : { slotNumber: portNumber, linkUp: () => f.secondaryBus!.get(0, 0) !== undefined }),
  });
  addAer(f.config, { rootPort: type === 'rootPort' });
  return f;
}

/** A type-3-like endpoint: 64-bit BAR0 (64 KiB), 32-bit BAR2 (4 KiB), PCIe + AER + DSN + DOE + DVSEC. */
export function endpoint(name: string, serial = 1n): PciFunction {
  const f = new PciFunction({
    name,
    header: {
      type: 0,
      vendorId: 0x8086,
      deviceId: 0x0d93,
      classCode: 0x050210,
      revision: 1,
      interruptPin: 1,
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
    },
    bars: [
      { index: 0, kind: 'mem64', size: 0x10000, ops: new RegFile(0x1000_0000) },
      { index: 2, kind: 'mem32', size: 0x1000, ops: new RegFile(0x2000_0000) },
    ],
  });
  addPcieCapability(f.config, { portType: 'endpoint', flr: true });
  addAer(f.config);
  addDsn(f.config, serial);
  addDoe(f.config);
  addDvsec(f.config, {
    vendor: CXL_VENDOR,
    revision: 1,
    dvsecId: 0,
    length: 0x38,
    registers: SAMPLE_DVSEC_REGS,
    values: { capability: 0x0014 },
  });
  return f;
}

/** A DVSEC body shaped like CXL DVSEC id 0's first registers (a test table, not the cxl layer's). */
export const SAMPLE_DVSEC_REGS: readonly CfgRegister[] = [
  { name: 'capability', offset: 0x0a, size: 2, fields: { memCapable: field(2, 2, 'RO'), hdmCount: field(5, 4, 'RO') } },
  { name: 'control', offset: 0x0c, size: 2, fields: { memEnable: field(2, 2, 'RW') } },
  { name: 'status', offset: 0x0e, size: 2, fields: { viralStatus: field(14, 14, 'RW1C') } },
];

export interface Topology {
  ecam: Ecam;
  rp0: PciFunction;
  rp1: PciFunction;
  usp: PciFunction;
  dsp0: PciFunction;
  dsp1: PciFunction;
  mem0: PciFunction;
  mem1: PciFunction;
  mem2: PciFunction;
  mem3: PciFunction;
  rp2: PciFunction;
  mem4: PciFunction;
}

/**
 * hb0 (bus 0): rp0 (00:00.0) -> mem0; rp1 (00:01.0) -> usp -> dsp0 (dev 0) -> mem1, dsp1 (dev 1) -> mem2;
 * mem3 directly on bus 0 at 00:03.0. hb1 (bus 0x40): rp2 (40:00.0) -> mem4.
 */
export function buildTopology(opts: EcamOptions = {}): Topology {
  const ecam = new Ecam(opts);
  const hb0 = ecam.addHostBridge({ name: 'hb0', busNr: 0 });
  const hb1 = ecam.addHostBridge({ name: 'hb1', busNr: 0x40 });
  const rp0 = hb0.rootBus.attach(0, 0, port('rp0', 'rootPort', 0));
  const rp1 = hb0.rootBus.attach(1, 0, port('rp1', 'rootPort', 1));
  const mem3 = hb0.rootBus.attach(3, 0, endpoint('mem3', 3n));
  const mem0 = rp0.secondaryBus!.attach(0, 0, endpoint('mem0', 10n));
  const usp = rp1.secondaryBus!.attach(0, 0, port('usp', 'upstreamPort', 0, { bars: true }));
  const dsp0 = usp.secondaryBus!.attach(0, 0, port('dsp0', 'downstreamPort', 0));
  const dsp1 = usp.secondaryBus!.attach(1, 0, port('dsp1', 'downstreamPort', 1));
  const mem1 = dsp0.secondaryBus!.attach(0, 0, endpoint('mem1', 11n));
  const mem2 = dsp1.secondaryBus!.attach(0, 0, endpoint('mem2', 12n));
  const rp2 = hb1.rootBus.attach(0, 0, port('rp2', 'rootPort', 0));
  const mem4 = rp2.secondaryBus!.attach(0, 0, endpoint('mem4', 14n));
  return { ecam, rp0, rp1, usp, dsp0, dsp1, mem0, mem1, mem2, mem3, rp2, mem4 };
}

/** Program a bridge's bus numbers through config writes, as enumeration software does. */
export function setBuses(f: PciFunction, primary: number, secondary: number, subordinate: number): void {
  f.config.write(0x18, 4, primary | (secondary << 8) | (subordinate << 16));
}

/** Bus numbers Linux would assign depth first: hb0 0..5, hb1 0x40..0x41. */
export function assignBusNumbers(t: Topology): void {
  setBuses(t.rp0, 0, 1, 1);
  setBuses(t.rp1, 0, 2, 5);
  setBuses(t.usp, 2, 3, 5);
  setBuses(t.dsp0, 3, 4, 4);
  setBuses(t.dsp1, 3, 5, 5);
  setBuses(t.rp2, 0x40, 0x41, 0x41);
}

export function busOf(b: PciBus): number {
  return b.number;
}
