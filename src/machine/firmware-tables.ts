// Firmware tables of a machine description: the AcpiPlatform (host bridges, windows, XOR maps,
// NUMA proximity domains, harts, generic ports, SLIT, HMAT) and every device's CDAT input, then the
// bytes. Owns the mapping from description fields to table inputs (documented in docs/tables.md);
// never writes guest memory (the board copies `layout.image` to `layout.base`) and never decodes.

import { ACPI_TABLE_ALIGN, buildAcpiLayout, type AcpiLayout } from '../firmware/acpi/build.js';
import type {
  AcpiHmat,
  AcpiLatencyBandwidth,
  HmatDataType,
  AcpiMemoryAffinity,
  AcpiPlatform,
  AcpiSystem,
  CfmwsRestriction,
} from '../firmware/acpi/platform.js';
import { buildEfiHandoff, efiHandoffSize, EFI_PAGE_SIZE, type EfiHandoff } from '../firmware/efi.js';
import { alignUp } from '../cxl-math/bits.js';
import { NS16550A_SIZE, UART0_IRQ } from '../devices/ns16550a.js';
import { TIMEBASE_HZ } from '../devices/clint.js';
import { PLIC_NUM_PRIORITIES, PLIC_NUM_SOURCES, PLIC_SIZE, plicContextOf } from '../devices/plic.js';
import { PCIE_INTX_IRQ_BASE } from '../pci/index.js';
import { APLIC_DOMAIN_SIZE, APLIC_NUM_SOURCES } from '../devices/aplic.js';
import { IMSIC_FILE_SIZE, IMSIC_NUM_IDS } from '../devices/imsic.js';
import { HMAT_DATA_TYPES, HMAT_HIERARCHIES } from '../firmware/acpi/hmat.js';
import { buildSwitchCdat, buildType3Cdat, type SwitchCdatInput, type Type3CdatInput } from '../cxl/cdat.js';
import {
  CHBCR_SIZE,
  ECAM_BASE,
  CBO_BLOCK_BYTES,
  APLIC_S_BASE,
  hartIsa,
  hostMmioWindow,
  IMSIC_S_BASE,
  PLIC_BASE,
  RAM_BASE,
  UART0_BASE,
  defaultAcpiBase,
  defaultChbsBase,
} from './board-map.js';
import {
  memdevsOf,
  validateDescription,
  type ChildDesc,
  type MachineDescription,
  type PortDesc,
  type SwitchDesc,
} from './description.js';
import { hex } from './sizes.js';
import { ConfigError, IssueList } from './errors.js';
import { AcpiTableError } from '../firmware/acpi/tables.js';
import { CdatError } from '../cxl/cdat.js';

/** 1 MB/s in HMAT = 2^20 bytes/s, as QEMU converts -numa hmat-lb bandwidth. */
const BYTES_PER_MB = 2 ** 20;

/** The EFI memory map's ranges: RAM below the tables, the tables and hand-off, RAM above. */
const EFI_MEMORY_RANGES = 3;

export interface FirmwareTablesOptions {
  /** Guest physical address of the RSDP (16-byte aligned). Default: defaultAcpiBase(). */
  acpiBase?: number;
  /** CHBS base of each host bridge (description order). Default: defaultChbsBase(index). */
  chbsBase?: (uid: number, index: number) => number;
  /** CDAT header sequence number. Default 0. */
  cdatSequence?: number;
  /**
   * Each host bridge's buses and share of the PCIe MMIO window as enumeration assigned them
   * (description order). Given: the platform tables (FADT, MADT, RHCT, SPCR, MCFG, DSDT) and the
   * EFI hand-off are built too, so Linux can boot with ACPI.
   */
  pciApertures?: readonly { hostBridge?: string; busFirst: number; busLast: number; base: number; size: number }[];
}

/** "0", "0-3", "0-1,4" (QEMU's cpus=) -> hart indices. */
function parseCpus(s: string | undefined): number[] {
  if (s === undefined) return [];
  const out: number[] = [];
  for (const part of s.split(/[,:]/)) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** The ACPI platform data a machine description implies. */
export function acpiPlatformOf(
  description: MachineDescription | unknown,
  opts: FirmwareTablesOptions = {},
): AcpiPlatform {
  const desc = validateDescription(description);
  const uidOf = new Map(desc.cxl.hostBridges.map((hb) => [hb.id, hb.uid]));
  const hostBridges = desc.cxl.hostBridges.map((hb, i) => ({
    uid: hb.uid,
    chbsBase: opts.chbsBase ? opts.chbsBase(hb.uid, i) : defaultChbsBase(i),
    chbsLength: CHBCR_SIZE,
    cxlVersion: 1 as const,
  }));
  const windows = desc.cxl.windows.map((w) => {
    const restrictions: CfmwsRestriction[] = ['type3'];
    if (w.volatile) restrictions.push('volatile');
    if (w.persistent) restrictions.push('persistent');
    return {
      base: w.base,
      size: w.size,
      targets: w.targets.map((t) => uidOf.get(t)!),
      granularity: w.granularity,
      arithmetic: w.arithmetic,
      restrictions,
      qtgId: w.qtgId,
    };
  });
  // XOR maps only matter to XOR windows; one CXIMS per granularity listed.
  const xorMaps = desc.cxl.xorMaps.map((x) => ({ granularity: x.granularity, maps: [...x.maps] }));

  const nodes = [...(desc.numa?.nodes ?? [])].sort((a, b) => a.nodeId - b.nodeId);
  const firstNode = nodes[0]?.nodeId ?? 0;
  // RAM: nodes with ramSize take consecutive ranges from RAM_BASE in node order (as QEMU lays out
  // node memdevs); whatever is left (all of it without NUMA data) belongs to the first node.
  const memory: AcpiMemoryAffinity[] = [];
  let at = RAM_BASE;
  const ramEnd = RAM_BASE + desc.ram.size;
  for (const n of nodes) {
    if (!n.ramSize) continue;
    const size = Math.min(n.ramSize, ramEnd - at);
    if (size > 0) memory.push({ proximityDomain: n.nodeId, base: at, size });
    at += size;
  }
  if (at < ramEnd) memory.push({ proximityDomain: firstNode, base: at, size: ramEnd - at });

  const hartNode = new Map<number, number>();
  for (const n of nodes) for (const c of parseCpus(n.cpus)) if (!hartNode.has(c)) hartNode.set(c, n.nodeId);
  const harts = Array.from({ length: desc.cpus }, (_, i) => ({
    acpiProcessorUid: i,
    proximityDomain: hartNode.get(i) ?? firstNode,
  }));

  // With a numa section (QEMU's -numa): a host bridge's numaNode is the proximity domain of its
  // generic port and numa.hmatLb says everything. Without one, the description's perf numbers are
  // the one source: a generic port per host bridge, placed after every proximity domain Linux
  // gives the windows itself (it numbers undescribed CFMWS windows from the highest SRAT memory or
  // hart domain + 1, and a generic port's domain is not a node, so sharing one would make Linux
  // tier the window by the port's numbers), and an HMAT with CPU -> DRAM and CPU -> generic port.
  const genericPorts = desc.numa
    ? desc.cxl.hostBridges
        .filter((hb) => hb.numaNode !== undefined)
        .map((hb) => ({ proximityDomain: hb.numaNode!, uid: hb.uid }))
    : desc.cxl.hostBridges.map((hb, i) => ({ proximityDomain: 1 + windows.length + i, uid: hb.uid }));

  const count = nodes.length > 0 ? nodes[nodes.length - 1]!.nodeId + 1 : 1;
  const distances: number[][] = Array.from({ length: count }, (_, i) =>
    Array.from({ length: count }, (_, j) => (i === j ? 10 : 20)),
  );
  const given = new Set<string>();
  const selfIssues = new IssueList();
  (desc.numa?.distances ?? []).forEach((d, i) => {
    if (d.src === d.dst && d.value !== 10)
      selfIssues.add(
        'bad_distance',
        `numa.distances[${i}].value`,
        d.value,
        '10 for a node to itself (SLIT local distance)',
      );
  });
  selfIssues.throwIfAny('cannot build the SLIT');
  for (const d of desc.numa?.distances ?? []) {
    if (d.src < count && d.dst < count && d.src !== d.dst) {
      distances[d.src]![d.dst] = d.value;
      given.add(`${d.src},${d.dst}`);
    }
  }
  // One direction given: the other is the same (QEMU's rule for -numa dist).
  for (const d of desc.numa?.distances ?? []) {
    if (d.src < count && d.dst < count && d.src !== d.dst && !given.has(`${d.dst},${d.src}`))
      distances[d.dst]![d.src] = d.value;
  }

  const platform: AcpiPlatform = { hostBridges, windows, xorMaps, memory, harts, genericPorts, distances };
  platform.hmat = desc.numa ? hmatOf(desc, memory, hartNode) : perfHmatOf(desc, genericPorts);
  if (opts.pciApertures) platform.system = systemOf(desc, opts.pciApertures, hostBridges);
  return platform;
}

/**
 * The board as FADT/MADT/RHCT/SPCR/MCFG/DSDT describe it: harts with their PLIC S-mode contexts,
 * the PLIC (GSI n = source n), the console UART, the one ECAM, one ACPI0016 per host bridge with its
 * buses and MMIO share (stopping below the host-bridge component registers, as in the device tree)
 * and the CXL root with each window's QTG id.
 */
function systemOf(
  desc: MachineDescription,
  apertures: NonNullable<FirmwareTablesOptions['pciApertures']>,
  hostBridges: readonly { uid: number; chbsBase: number }[],
): AcpiSystem {
  const chbcrBases = hostBridges.map((h) => h.chbsBase);
  const qtgIds = [...new Set(desc.cxl.windows.map((w) => w.qtgId))].sort((a, b) => a - b);
  return {
    timebaseHz: TIMEBASE_HZ,
    isa: hartIsa(desc.irqchip ?? 'plic').isa,
    mmu: 'sv39',
    cmoBlockBytes: CBO_BLOCK_BYTES,
    harts: Array.from({ length: desc.cpus }, (_, i) => ({ hartId: i, uid: i, plicContext: plicContextOf(i, 'S') })),
    ...(desc.irqchip === 'aia'
      ? {
          aia: {
            imsic: {
              base: IMSIC_S_BASE,
              stride: IMSIC_FILE_SIZE,
              numIds: IMSIC_NUM_IDS,
              hartIndexBits: Math.ceil(Math.log2(desc.cpus)),
              groupIndexShift: 24,
            },
            aplic: { id: 0, base: APLIC_S_BASE, size: APLIC_DOMAIN_SIZE, sources: APLIC_NUM_SOURCES, gsiBase: 0 },
          },
        }
      : {
          plic: {
            id: 0,
            base: PLIC_BASE,
            size: PLIC_SIZE,
            sources: PLIC_NUM_SOURCES - 1,
            maxPriority: PLIC_NUM_PRIORITIES,
            gsiBase: 0,
          },
        }),
    uart: { base: UART0_BASE, size: NS16550A_SIZE, gsi: UART0_IRQ, baud: 115200 },
    ecam: [{ base: ECAM_BASE, segment: 0, busFirst: 0, busLast: 255 }],
    pciHosts: desc.cxl.hostBridges.map((hb, i) => {
      const a = apertures.find((x) => x.hostBridge === hb.id) ?? apertures[i]!;
      const mmio = hostMmioWindow(a, chbcrBases);
      return {
        uid: hb.uid,
        segment: 0,
        busFirst: a.busFirst,
        busLast: a.busLast,
        mmio: mmio.size > 0 ? [mmio] : [],
        intxGsiBase: PCIE_INTX_IRQ_BASE,
      };
    }),
    ...(desc.cxl.hostBridges.length > 0 ? { cxlRoot: { qtgIds } } : {}),
  };
}

/**
 * The HMAT a description without a numa section implies: hart domain 0 is the one initiator; its
 * DRAM (domain 0, ram.perf) and each host bridge's generic port (hostBridges[].perf) are the
 * targets, with read and write latency (ps) and bandwidth (MB/s) given separately, as Linux needs
 * all four for a generic port. No memory-domain structure names a generic port (Linux would then
 * take its numbers from the wrong class).
 */
function perfHmatOf(desc: MachineDescription, genericPorts: readonly { proximityDomain: number }[]): AcpiHmat {
  const targets = [0, ...genericPorts.map((g) => g.proximityDomain)];
  const perfs = [desc.ram.perf, ...desc.cxl.hostBridges.map((hb) => hb.perf)];
  const row = (f: (p: MachineDescription['ram']['perf']) => number) => [perfs.map(f)];
  const lb = (dataType: HmatDataType, values: number[][]): AcpiLatencyBandwidth => ({
    hierarchy: 'memory',
    dataType,
    initiators: [0],
    targets,
    values,
  });
  return {
    memoryDomains: [{ memoryDomain: 0, initiatorDomain: 0 }],
    localities: [
      lb(
        'read-latency',
        row((p) => Math.round(p.readLatencyNs * 1000)),
      ),
      lb(
        'write-latency',
        row((p) => Math.round(p.writeLatencyNs * 1000)),
      ),
      lb(
        'read-bandwidth',
        row((p) => p.readBandwidthMBs),
      ),
      lb(
        'write-bandwidth',
        row((p) => p.writeBandwidthMBs),
      ),
    ],
  };
}

function hmatOf(desc: MachineDescription, memory: AcpiMemoryAffinity[], hartNode: Map<number, number>): AcpiHmat {
  const numa = desc.numa!;
  const lb = numa.hmatLb;
  const memNodes = new Set<number>([...memory.map((m) => m.proximityDomain), ...lb.map((h) => h.target)]);
  const cpuNodes = new Set(hartNode.values());
  const memoryDomains = [...memNodes]
    .sort((a, b) => a - b)
    .map((nodeId) => {
      const n = numa.nodes.find((x) => x.nodeId === nodeId);
      const initiator = n?.initiator ?? (cpuNodes.has(nodeId) ? nodeId : undefined);
      return initiator !== undefined ? { memoryDomain: nodeId, initiatorDomain: initiator } : { memoryDomain: nodeId };
    });
  const localities: AcpiLatencyBandwidth[] = [];
  for (const hierarchy of HMAT_HIERARCHIES) {
    for (const dataType of HMAT_DATA_TYPES) {
      const group = lb.filter((h) => h.hierarchy === hierarchy && h.dataType === dataType);
      if (group.length === 0) continue;
      const initiators = [...new Set(group.map((h) => h.initiator))].sort((a, b) => a - b);
      const targets = [...new Set(group.map((h) => h.target))].sort((a, b) => a - b);
      const values = initiators.map(() => targets.map((): number | undefined => undefined));
      for (const h of group) {
        const v = dataType.endsWith('latency')
          ? Math.round((h.latencyNs ?? 0) * 1000)
          : Math.round((h.bandwidthBytesPerSec ?? 0) / BYTES_PER_MB);
        values[initiators.indexOf(h.initiator)]![targets.indexOf(h.target)] = v;
      }
      localities.push({ hierarchy, dataType, initiators, targets, values });
    }
  }
  return { memoryDomains, localities };
}

export interface CdatInputs {
  memdevs: { memdev: string; id: string; input: Type3CdatInput }[];
  switches: { id: string; input: SwitchCdatInput }[];
}

/** Every type-3 device's and switch's CDAT input (perf from the description). */
export function cdatInputsOf(description: MachineDescription | unknown, opts: FirmwareTablesOptions = {}): CdatInputs {
  const desc = validateDescription(description);
  const sequence = opts.cdatSequence ?? 0;
  const memdevs = memdevsOf(desc).map((m) => {
    const d = m.device;
    const partitions: Type3CdatInput['partitions'] = [];
    const vol = d.volatile?.size ?? 0;
    if (vol > 0) partitions.push({ dpaBase: 0, length: vol, nonVolatile: false, perf: { ...d.perf } });
    if ((d.persistent?.size ?? 0) > 0)
      partitions.push({ dpaBase: vol, length: d.persistent!.size, nonVolatile: true, perf: { ...d.perf } });
    return { memdev: m.name, id: d.id, input: { partitions, sequence } };
  });
  const switches: CdatInputs['switches'] = [];
  const walk = (ports: readonly PortDesc[]) => {
    for (const p of ports) {
      const c: ChildDesc | undefined = p.child;
      if (c?.kind === 'switch') {
        const s: SwitchDesc = c;
        switches.push({
          id: s.id,
          input: { downstreamPorts: s.downstreamPorts.map((x) => x.port), perf: { ...s.perf }, sequence },
        });
        walk(s.downstreamPorts);
      }
    }
  };
  for (const hb of desc.cxl.hostBridges) walk(hb.rootPorts);
  return { memdevs, switches };
}

export interface FirmwareTables {
  /** RSDP, XSDT, then (with pciApertures) DSDT, FACP, APIC, RHCT, SPCR, MCFG, then CEDT, SRAT, SLIT, HMAT as placed (address = guest physical address). */
  acpi: { name: string; bytes: Uint8Array; address: number }[];
  /**
   * With pciApertures: the EFI system table and memory map Linux finds the tables through, placed
   * after the tables; `handoffImage` is the tables and this block as one image at `layout.base`
   * (the memory map lists it as ACPI reclaim memory).
   */
  efi?: EfiHandoff;
  handoffImage: Uint8Array;
  /** One CDAT per type-3 device (memN order). */
  cdat: { memdev: string; id: string; bytes: Uint8Array }[];
  /** One CDAT per switch upstream port (SSLBIS). */
  switchCdat: { switch: string; bytes: Uint8Array }[];
  layout: AcpiLayout;
  platform: AcpiPlatform;
  /** A human-readable view of every table's inputs and sizes. */
  decoded: string;
}

/** Every ACPI table (placed) and CDAT of a machine description: what `cxlemu tables` writes. */
export function buildFirmwareTables(
  description: MachineDescription | unknown,
  opts: FirmwareTablesOptions = {},
): FirmwareTables {
  const desc = validateDescription(description);
  try {
    return buildValidated(desc, opts);
  } catch (e) {
    if (e instanceof AcpiTableError || e instanceof CdatError) {
      throw new ConfigError(
        [{ code: 'firmware_table', path: descriptionPathOf(e.field, desc), value: e.value, allowed: e.allowed }],
        'cannot build the firmware tables',
      );
    }
    throw e;
  }
}

/** Table-input paths (`windows[1].qtgId`, `memdevs[0].partitions[1]...`) as description paths where they map. */
function descriptionPathOf(field: string, desc: MachineDescription): string {
  const m = /^(hostBridges|windows|xorMaps)\[(\d+)\](.*)$/.exec(field);
  if (m) return `cxl.${m[1]}[${m[2]}]${m[3]}`;
  if (field.startsWith('distances')) return `numa.distances (SLIT ${field})`;
  const c = /^(mem\d+)\.(.*)$/.exec(field);
  if (c) {
    const e = memdevsOf(desc).find((x) => x.name === c[1]);
    return e ? `${e.path}.perf (${c[2]})` : field;
  }
  return field;
}

function buildValidated(desc: MachineDescription, opts: FirmwareTablesOptions): FirmwareTables {
  const platform = acpiPlatformOf(desc, opts);
  const ram = { base: RAM_BASE, size: desc.ram.size };
  // The EFI block follows the tables.
  const efiRoom = platform.system ? ACPI_TABLE_ALIGN + efiHandoffSize(EFI_MEMORY_RANGES) : 0;
  const base = opts.acpiBase ?? defaultAcpiBase(ram, buildAcpiLayout(platform, 0).image.length + efiRoom);
  const layout = buildAcpiLayout(platform, base);
  const efi = platform.system ? efiHandoffOf(layout, ram) : undefined;
  let handoffImage = layout.image;
  if (efi) {
    handoffImage = new Uint8Array(efi.base + efi.image.length - layout.base);
    handoffImage.set(layout.image);
    handoffImage.set(efi.image, efi.base - layout.base);
  }
  const inputs = cdatInputsOf(desc, opts);
  const cdat = inputs.memdevs.map((m) => ({
    memdev: m.memdev,
    id: m.id,
    bytes: withPrefix(m.memdev, () => buildType3Cdat(m.input).bytes),
  }));
  const switchCdat = inputs.switches.map((s) => ({ switch: s.id, bytes: buildSwitchCdat(s.input).bytes }));
  return {
    acpi: layout.tables.map((t) => ({ name: t.name, bytes: t.bytes, address: t.address })),
    ...(efi ? { efi } : {}),
    handoffImage,
    cdat,
    switchCdat,
    layout,
    platform,
    decoded: describeTables(layout, platform, inputs),
  };
}

/**
 * The EFI system table and memory map after the tables: RAM is conventional memory except the
 * pages holding the tables and this block, which are ACPI reclaim (Linux keeps them and maps the
 * tables from there).
 */
function efiHandoffOf(layout: AcpiLayout, ram: { base: number; size: number }): EfiHandoff {
  const at = layout.base + alignUp(layout.image.length, ACPI_TABLE_ALIGN);
  const reclaimFrom = Math.floor(layout.base / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
  const reclaimTo = alignUp(at + efiHandoffSize(EFI_MEMORY_RANGES), EFI_PAGE_SIZE);
  const ramEnd = ram.base + ram.size;
  const memory = [
    { base: ram.base, size: reclaimFrom - ram.base, type: 'conventional' as const },
    { base: reclaimFrom, size: reclaimTo - reclaimFrom, type: 'acpiReclaim' as const },
    { base: reclaimTo, size: ramEnd - reclaimTo, type: 'conventional' as const },
  ].filter((r) => r.size > 0);
  return buildEfiHandoff({ base: at, rsdpAddress: layout.rsdpAddress, memory });
}

/** Re-throw a CdatError with the memdev name in front of its field. */
function withPrefix<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CdatError) throw new CdatError(`${prefix}.${e.field}`, e.value, e.allowed);
    throw e;
  }
}

function describeTables(layout: AcpiLayout, p: AcpiPlatform, inputs: CdatInputs): string {
  const L: string[] = [];
  for (const t of layout.tables) L.push(`${t.name.padEnd(4)} @ ${hex(t.address)}  ${t.bytes.length} bytes`);
  L.push('', `RSDP -> XSDT ${hex(layout.xsdtAddress)}`);
  const sys = p.system;
  if (sys) {
    L.push('', 'FACP  hardware-reduced ACPI 6.5, X_DSDT -> DSDT');
    L.push('APIC');
    const { plic, aia } = sys;
    for (const h of sys.harts)
      L.push(
        plic
          ? `  RINTC hart ${h.hartId}  uid ${h.uid}  PLIC ${plic.id} context ${h.plicContext}`
          : `  RINTC hart ${h.hartId}  uid ${h.uid}  IMSIC @ ${hex(aia!.imsic.base + h.hartId * aia!.imsic.stride)}`,
      );
    if (plic)
      L.push(
        `  PLIC  ${plic.id} @ ${hex(plic.base)} size ${hex(plic.size)}  ${plic.sources} sources  GSI base ${plic.gsiBase}`,
      );
    if (aia)
      L.push(
        `  IMSIC ${aia.imsic.numIds} ids  hart index bits ${aia.imsic.hartIndexBits}`,
        `  APLIC ${aia.aplic.id} @ ${hex(aia.aplic.base)} size ${hex(aia.aplic.size)}  ${aia.aplic.sources} sources  GSI base ${aia.aplic.gsiBase}  (MSI mode)`,
      );
    L.push(`RHCT  timebase ${sys.timebaseHz} Hz  ISA ${sys.isa}  MMU ${sys.mmu}  harts ${sys.harts.length}`);
    L.push(`SPCR  16550 @ ${hex(sys.uart.base)}  GSI ${sys.uart.gsi}  ${sys.uart.baud} baud`);
    L.push('MCFG');
    for (const e of sys.ecam)
      L.push(`  ECAM @ ${hex(e.base)}  segment ${e.segment}  buses ${hex(e.busFirst)}..${hex(e.busLast)}`);
    L.push(`DSDT  \\_SB: ${plic ? 'PLIC (RSCV0001)' : 'APLC (RSCV0002)'}, COM0 (RSCV0003)`);
    for (const h of sys.pciHosts)
      L.push(
        `  ACPI0016 uid ${h.uid}  segment ${h.segment} buses ${hex(h.busFirst)}..${hex(h.busLast)}  MMIO ${h.mmio.map((m) => `${hex(m.base)}+${hex(m.size)}`).join(' ') || 'none'}  INTx GSI ${h.intxGsiBase}..${h.intxGsiBase + 3}`,
      );
    if (sys.cxlRoot) L.push(`  ACPI0017 _DEP on every host bridge; QTG _DSM ids ${sys.cxlRoot.qtgIds.join(' ')}`);
  }
  if (p.hostBridges.length + p.windows.length > 0) {
    L.push('', 'CEDT');
    for (const hb of p.hostBridges)
      L.push(`  CHBS  uid ${hb.uid}  CHBCR ${hex(hb.chbsBase)} length ${hex(hb.chbsLength)}`);
    for (const w of p.windows) {
      L.push(
        `  CFMWS ${hex(w.base)} size ${hex(w.size)}  ${w.targets.length}-way ${w.arithmetic} granularity ${w.granularity}  restrictions ${w.restrictions.join(',')}  QTG ${w.qtgId}  targets (uid) ${w.targets.join(' ')}`,
      );
    }
    for (const x of p.xorMaps) L.push(`  CXIMS granularity ${x.granularity}  maps ${x.maps.map(hex).join(' ')}`);
  }
  L.push('', 'SRAT');
  for (const m of p.memory)
    L.push(
      `  memory  PXM ${m.proximityDomain}  ${hex(m.base)} size ${hex(m.size)}  enabled${m.hotPluggable ? ' hot-pluggable' : ''}${m.nonVolatile ? ' non-volatile' : ''}`,
    );
  for (const h of p.harts) L.push(`  RINTC   PXM ${h.proximityDomain}  ACPI processor UID ${h.acpiProcessorUid}`);
  for (const g of p.genericPorts)
    L.push(`  generic port  PXM ${g.proximityDomain}  ${g.hid ?? 'ACPI0016'} uid ${g.uid}`);
  if (p.distances) {
    L.push('', `SLIT  ${p.distances.length} localities`);
    p.distances.forEach((row, i) =>
      L.push(`  ${String(i).padStart(3)}: ${row.map((d) => String(d).padStart(3)).join(' ')}`),
    );
  }
  if (p.hmat) {
    L.push('', 'HMAT');
    for (const d of p.hmat.memoryDomains)
      L.push(
        `  memory PD ${d.memoryDomain}${d.initiatorDomain !== undefined ? `  initiator PD ${d.initiatorDomain}` : ''}`,
      );
    for (const lb of p.hmat.localities) {
      const unit = lb.dataType.endsWith('latency') ? 'ps' : 'MB/s';
      L.push(`  ${lb.hierarchy} ${lb.dataType} (${unit})`);
      lb.initiators.forEach((i, r) =>
        L.push(`    initiator ${i}: ${lb.targets.map((t, c) => `-> ${t} ${lb.values[r]![c] ?? '-'}`).join('  ')}`),
      );
    }
  }
  for (const m of inputs.memdevs) {
    L.push('', `CDAT ${m.memdev} (${m.id})`);
    m.input.partitions.forEach((part, h) => {
      L.push(
        `  DSMAS ${h}  DPA ${hex(part.dpaBase)} length ${hex(part.length)}${part.nonVolatile ? ' non-volatile' : ''}`,
      );
      L.push(
        `    DSLBIS read ${part.perf.readLatencyNs} ns, write ${part.perf.writeLatencyNs} ns, read ${part.perf.readBandwidthMBs} MB/s, write ${part.perf.writeBandwidthMBs} MB/s`,
      );
      L.push(`    DSEMTS ${part.nonVolatile ? 'non-volatile' : 'EFI_MEMORY_SP'} length ${hex(part.length)}`);
    });
  }
  for (const s of inputs.switches) {
    L.push('', `CDAT switch ${s.id}`);
    L.push(
      `  SSLBIS USP <-> DSP ${s.input.downstreamPorts.join(', ')}: read ${s.input.perf.readLatencyNs} ns, write ${s.input.perf.writeLatencyNs} ns, read ${s.input.perf.readBandwidthMBs} MB/s, write ${s.input.perf.writeBandwidthMBs} MB/s`,
    );
  }
  return `${L.join('\n')}\n`;
}
