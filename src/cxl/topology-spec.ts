// The plain-data input that builds a CXL topology: what src/machine hands to src/cxl.
// Owns the shape only (no validation beyond types, no behaviour); src/machine validates user input
// into this shape, src/cxl builds components from it. Sizes and addresses are plain byte Numbers
// (exact below 2^53).

/** Performance attributes of one device's media; the single source for CDAT and HMAT. */
export interface PerfSpec {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}

/** The PCIe link below a root or downstream port: what both ends' Link Status registers report. */
export interface LinkSpec {
  /** 2.5, 5, 8, 16, 32 or 64 GT/s. */
  speedGTs: number;
  /** Lanes: 1, 2, 4, 8, 12, 16 or 32. */
  width: number;
}

/** What an HDM decoder capability register advertises (SPEC-NOTES 2.3). */
export interface DecoderCapsSpec {
  /** Number of HDM decoders (1, 2, 4, 6, 8, 10, ..., 32 as the count encoding allows). */
  count: number;
  /** Advertise and route 3/6/12-way interleave (capability bit 11). Default true. */
  ways3_6_12: boolean;
  /** Advertise 16-way interleave (capability bit 12). Default true. */
  ways16: boolean;
}

/** A file that backs a store (memory-backend-file / LSA). */
export interface FileBackingSpec {
  path: string;
  /** Accepted for QEMU compatibility: written back on flush; not live-shared with other processes. */
  share: boolean;
}

export interface Type3Spec {
  kind: 'type3';
  /** Description id (e.g. QEMU's -device id); memN is derived from description order. */
  id: string;
  /** memN, in description order. */
  name: string;
  serial: number;
  volatileBytes: number;
  persistentBytes: number;
  lsaBytes: number;
  /** Backing files; absent means anonymous (arena-only) memory. */
  persistentFile?: FileBackingSpec;
  volatileFile?: FileBackingSpec;
  lsaFile?: FileBackingSpec;
  /** The option or field that sized each store, named in "arena full" errors. */
  sizedBy: string;
  perf: PerfSpec;
  decoders: DecoderCapsSpec;
}

export interface DownstreamPortSpec {
  id: string;
  /** Port number: the id a parent decoder's target list names. */
  port: number;
  link: LinkSpec;
  child?: Type3Spec | SwitchSpec;
}

export interface SwitchSpec {
  kind: 'switch';
  /** The upstream port's id. */
  id: string;
  downstreamPorts: DownstreamPortSpec[];
  decoders: DecoderCapsSpec;
  /** Link/switch latency and bandwidth for SSLBIS (CDAT of the USP). */
  perf: PerfSpec;
}

export interface RootPortSpec {
  id: string;
  port: number;
  link: LinkSpec;
  child?: Type3Spec | SwitchSpec;
}

export interface HostBridgeSpec {
  id: string;
  /** ACPI _UID; CEDT CHBS and CFMWS target lists name host bridges by it. */
  uid: number;
  /** First bus number this host bridge owns in the one ECAM. */
  busNr: number;
  rootPorts: RootPortSpec[];
  decoders: DecoderCapsSpec;
  /** QEMU's hdm_for_passthrough: a 1-port host bridge still gets an HDM decoder capability. */
  hdmForPassthrough: boolean;
}

export interface WindowSpec {
  id: string;
  /** Base HPA, 256 MiB aligned (3/6/12-way: a multiple of 768 MiB). */
  base: number;
  size: number;
  /** Host bridge ids in position order. */
  targets: string[];
  /** Host-bridge interleave granularity (HBIG) in bytes, 256..16384. */
  granularity: number;
  arithmetic: 'modulo' | 'xor';
  /** CFMWS window restrictions. */
  volatile: boolean;
  persistent: boolean;
  qtgId: number;
}

/** Platform XOR maps for one host-bridge granularity (one CEDT CXIMS). */
export interface XorMapSpec {
  granularity: number;
  maps: number[];
}

export interface TopologySpec {
  hostBridges: HostBridgeSpec[];
  windows: WindowSpec[];
  xorMaps: XorMapSpec[];
}
