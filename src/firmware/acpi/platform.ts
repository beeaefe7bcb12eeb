// AcpiPlatform: the plain-data input every ACPI table here is generated from (host bridges, CXL
// fixed memory windows, XOR maps, NUMA proximity domains, harts, generic ports, SLIT distances and
// HMAT data). Owns the shape only; src/machine fills it in from a machine description
// (src/machine/firmware-tables.ts). Addresses and sizes are byte Numbers (exact below 2^53).

import type { AcpiOem } from './tables.js';

/** A CXL host bridge as the CEDT CHBS describes it. */
export interface AcpiHostBridge {
  /** ACPI _UID of the ACPI0016 device; CFMWS target lists name host bridges by it. */
  uid: number;
  /** CHBS base: the host bridge component register block (CHBCR for CXL 2.0+). */
  chbsBase: number;
  /** 0x10000 for a CXL 2.0+ CHBCR, 0x2000 for a CXL 1.1 RCRB. */
  chbsLength: number;
  /** CHBS version: 1 = CXL 2.0+ (CHBCR), 0 = CXL 1.1 (RCRB). Default 1. */
  cxlVersion?: 0 | 1;
}

/** CFMWS window restriction bits (CEDT, SPEC-NOTES 4.4). */
export const CFMWS_RESTRICT = Object.freeze({
  type2: 1 << 0, // device-coherent
  type3: 1 << 1, // host-only coherent
  volatile: 1 << 2,
  persistent: 1 << 3,
  fixed: 1 << 4,
  backInvalidate: 1 << 5,
});
export type CfmwsRestriction = keyof typeof CFMWS_RESTRICT;

/** A CXL fixed memory window (one CEDT CFMWS). */
export interface AcpiWindow {
  base: number;
  size: number;
  /** Host bridge _UIDs in interleave position order (Linux commit 8f55ada7). */
  targets: number[];
  /** Host-bridge interleave granularity (HBIG) in bytes, 256..16384. */
  granularity: number;
  arithmetic: 'modulo' | 'xor';
  restrictions: CfmwsRestriction[];
  qtgId: number;
}

/** XOR maps for one host-bridge granularity (one CEDT CXIMS). */
export interface AcpiXorMaps {
  granularity: number;
  maps: number[];
}

/** An SRAT memory affinity structure (type 1). */
export interface AcpiMemoryAffinity {
  proximityDomain: number;
  base: number;
  size: number;
  hotPluggable?: boolean;
  nonVolatile?: boolean;
}

/** A hart's proximity domain: SRAT RINTC affinity structure (type 7, ACPI 6.6). */
export interface AcpiHartAffinity {
  /** ACPI processor UID (the MADT RINTC's UID; cxlemu uses the hart id). */
  acpiProcessorUid: number;
  proximityDomain: number;
  clockDomain?: number;
}

/** An SRAT generic port affinity structure (type 6): a host bridge as an ACPI0016 handle. */
export interface AcpiGenericPort {
  proximityDomain: number;
  /** _HID of the device handle; default "ACPI0016" (CXL host bridge). */
  hid?: string;
  /** _UID of the device handle (the host bridge's _UID). */
  uid: number;
}

/** HMAT memory proximity domain attributes (type 0). */
export interface AcpiMemoryDomain {
  memoryDomain: number;
  /** The attached initiator's proximity domain, when there is one. */
  initiatorDomain?: number;
}

export type HmatDataType =
  | 'access-latency'
  | 'read-latency'
  | 'write-latency'
  | 'access-bandwidth'
  | 'read-bandwidth'
  | 'write-bandwidth';
export type HmatHierarchy = 'memory' | 'first-level' | 'second-level' | 'third-level';

/** One HMAT SLLBI matrix (type 1): values in ps (latency) or MB/s (bandwidth); missing = no data. */
export interface AcpiLatencyBandwidth {
  hierarchy: HmatHierarchy;
  dataType: HmatDataType;
  initiators: number[];
  targets: number[];
  /** values[i][j]: initiators[i] -> targets[j]; undefined or 0 = no data. */
  values: (number | undefined)[][];
}

export interface AcpiHmat {
  memoryDomains: AcpiMemoryDomain[];
  localities: AcpiLatencyBandwidth[];
}

export interface AcpiPlatform {
  oem?: AcpiOem;
  hostBridges: AcpiHostBridge[];
  windows: AcpiWindow[];
  xorMaps: AcpiXorMaps[];
  memory: AcpiMemoryAffinity[];
  harts: AcpiHartAffinity[];
  genericPorts: AcpiGenericPort[];
  /** SLIT: distances[i][j] from locality i to j (10 local, 255 unreachable). Absent: no SLIT. */
  distances?: number[][];
  /** Absent: no HMAT. */
  hmat?: AcpiHmat;
  /** Absent: no FADT/MADT/RHCT/SPCR/MCFG/DSDT (a device-tree boot). */
  system?: AcpiSystem;
}

/** A hart as the MADT (RINTC) and RHCT describe it. */
export interface AcpiHart {
  hartId: number;
  /** ACPI processor UID (SRAT RINTC affinity and RHCT hart-info nodes name harts by it). */
  uid: number;
  /** The PLIC context of this hart's S-mode external interrupt (RINTC external INTC id bits 15:0; PLIC machines). */
  plicContext: number;
}

/** The PLIC as the MADT (type 27) and the DSDT (RSCV0001) describe it. */
export interface AcpiPlic {
  /** PLIC id (RINTC external INTC id bits 31:24). */
  id: number;
  base: number;
  size: number;
  /** Usable sources 1..sources. */
  sources: number;
  maxPriority: number;
  /** The GSI of source 0 (_GSB); source n is GSI gsiBase + n. */
  gsiBase: number;
}

/**
 * The AIA as the MADT (IMSIC type 25, APLIC type 26, the RINTC's IMSIC fields) and the DSDT
 * (RSCV0002) describe it: the supervisor-level IMSIC files and APLIC domain only (the machine
 * level belongs to the firmware).
 */
export interface AcpiAia {
  imsic: {
    /** Supervisor-level file of hart index 0; hart i's is at base + i * stride. */
    base: number;
    stride: number;
    numIds: number;
    hartIndexBits: number;
    /** Group index shift (no groups here; QEMU writes 24, the smallest allowed). */
    groupIndexShift: number;
  };
  aplic: {
    /** APLIC id (the DSDT device's _UID). */
    id: number;
    base: number;
    size: number;
    sources: number;
    /** The GSI of source 0 (_GSB); source n is GSI gsiBase + n. */
    gsiBase: number;
  };
}

/** A 16550 UART (SPCR console, DSDT RSCV0003). */
export interface AcpiUart {
  base: number;
  size: number;
  gsi: number;
  baud: number;
}

/** One ECAM range (an MCFG allocation). */
export interface AcpiEcam {
  base: number;
  segment: number;
  busFirst: number;
  busLast: number;
}

/** A CXL host bridge as the DSDT describes it: an ACPI0016 PCI root. */
export interface AcpiPciHost {
  /** _UID: its CHBS uid. */
  uid: number;
  segment: number;
  busFirst: number;
  busLast: number;
  /** MMIO windows forwarded to the bridge's buses (identity mapped). */
  mmio: { base: number; size: number }[];
  /** PLIC GSI of INTA on slot 0; INTx swizzle over 4 GSIs from here (QEMU virt). */
  intxGsiBase: number;
}

/**
 * The machine's platform part: what FADT, MADT, RHCT, SPCR, MCFG and the DSDT describe. Absent:
 * only the CXL/NUMA tables are built (the device tree describes the rest).
 */
export interface AcpiSystem {
  timebaseHz: number;
  /** RHCT ISA string, e.g. "rv64imac_zicsr_zifencei_zicntr". */
  isa: string;
  mmu: 'sv39' | 'sv48' | 'sv57';
  /** Zicbom/Zicbop/Zicboz cache-block size in bytes (the RHCT CMO node); absent: none. */
  cmoBlockBytes?: number;
  harts: AcpiHart[];
  /** The wired-interrupt controller: exactly one of `plic` and `aia`. */
  plic?: AcpiPlic;
  aia?: AcpiAia;
  uart: AcpiUart;
  ecam: AcpiEcam[];
  pciHosts: AcpiPciHost[];
  /** The CXL root (ACPI0017) with the windows' QTG ids (its _DSM's answer); absent without CXL host bridges. */
  cxlRoot?: { qtgIds: number[] };
}
