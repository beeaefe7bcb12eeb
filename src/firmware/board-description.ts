// The plain-data description of the RISC-V board that firmware tables are generated from (the
// flattened device tree now, ACPI later). Owns the shape only: no behaviour, no objects from the
// layers above (src/machine fills it in from the machine it built). Addresses and sizes are byte
// Numbers (exact below 2^53).

export interface AddressRange {
  base: number;
  size: number;
}

export interface HartDescription {
  hartId: number;
  /** The riscv,isa string, e.g. "rv64imac_zicsr_zifencei_zicntr". */
  isa: string;
  /** riscv,isa-base, e.g. "rv64i". */
  isaBase: string;
  /** riscv,isa-extensions, e.g. ["i", "m", "a", "c", "zicsr", "zifencei", "zicntr"]. */
  isaExtensions: string[];
  /** mmu-type, e.g. "riscv,sv39". */
  mmuType: string;
  /** riscv,cbom-block-size and riscv,cboz-block-size (Zicbom/Zicboz), when the hart has them. */
  cboBlockSize?: number;
}

export interface UartDescription extends AddressRange {
  /** PLIC or APLIC source number. */
  irq: number;
  clockFrequency: number;
}

export interface PlicDescription extends AddressRange {
  /** riscv,ndev: the number of usable sources (1..ndev). */
  ndev: number;
}

/** The AIA (QEMU virt `aia=aplic-imsic`): two APLIC domains and two levels of IMSIC files. */
export interface AiaDescription {
  /** Machine-level root domain (delegates every source to the supervisor domain). */
  aplicM: AddressRange;
  /** Supervisor-level domain: what Linux drives. */
  aplicS: AddressRange;
  /** riscv,num-sources: wired sources 1..sources. */
  sources: number;
  /** Interrupt files, one 4 KiB page per hart in hart order. */
  imsicM: AddressRange;
  imsicS: AddressRange;
  /** riscv,num-ids. */
  numIds: number;
  /** riscv,hart-index-bits: ceil(log2(harts)). */
  hartIndexBits: number;
}

export interface PcieDescription {
  /** ECAM window (pci-host-ecam-generic reg). */
  ecam: AddressRange;
  busFirst: number;
  busLast: number;
  /** 32-bit non-prefetchable MMIO window for BARs, identity mapped (PCI address = CPU address). */
  mmio: AddressRange;
  /** PLIC source of INTA on slot 0; INTx are swizzled over 4 sources from here (QEMU virt: 32). */
  intxIrqBase?: number;
  /** linux,pci-domain (default 0); distinct per host node. */
  domain?: number;
}

export interface CxlWindowDescription extends AddressRange {
  /** Window name (CFMW index or user name), for humans reading the tree. */
  name: string;
  interleaveWays: number;
  interleaveGranularity: number;
  /** How the host-bridge position is computed: plain modulo or XOR of HPA bits (CXIMS). */
  arithmetic?: 'modulo' | 'xor';
  /** Host bridge UIDs the window interleaves across, in target-list order. */
  targets: number[];
  /** Restrictions as CEDT names it: "volatile", "persistent", "type3", "type2", "fixed". */
  restrictions: string[];
}

/** A CXL host bridge: its ACPI UID, the ECAM buses it owns and its component registers (CHBCR). */
export interface CxlHostBridgeDescription {
  uid: number;
  busFirst: number;
  busLast: number;
  /** The 64 KiB component register block (the CEDT CHBS base and length). */
  component: AddressRange;
}

export interface BoardDescription {
  model: string;
  compatible: string[];
  /** System RAM ranges (each becomes a /memory@... node). */
  memory: AddressRange[];
  harts: HartDescription[];
  timebaseFrequency: number;
  uart: UartDescription;
  clint: AddressRange;
  /** The wired-interrupt controller: the PLIC, or with `aia` the APLIC (then `plic` is absent). */
  plic?: PlicDescription;
  aia?: AiaDescription;
  finisher: AddressRange;
  /** cxlemu's DMA copy engine (not on QEMU): registers and its PLIC source. */
  dma?: AddressRange & { irq: number };
  pcie?: PcieDescription;
  /**
   * One host node per PCI host bridge, each with its own bus range, ECAM slice (`ecam` covers
   * exactly its buses) and MMIO aperture; replaces `pcie` when present.
   */
  pcieHosts?: PcieDescription[];
  cxlWindows: CxlWindowDescription[];
  /** CXL host bridges (listed under /cxl-host-bridges); absent or empty: none. */
  cxlHostBridges?: CxlHostBridgeDescription[];
  chosen: {
    bootargs?: string;
    /** Bytes for /chosen/rng-seed (the kernel seeds its random number generator with them). */
    rngSeed?: Uint8Array;
    /** Guest physical address of the ACPI RSDP; 0 until cxlemu generates ACPI tables. */
    acpiRsdp: number;
    /** The initramfs in RAM, [start, end) (linux,initrd-start/end). */
    initrd?: { start: number; end: number };
    /** The EFI system table and memory map (linux,uefi-*): Linux then boots with ACPI. */
    efi?: EfiChosen;
  };
}

/** What /chosen says about an EFI hand-off without UEFI firmware (drivers/firmware/efi/fdtparams.c). */
export interface EfiChosen {
  systemTable: number;
  memoryMap: { start: number; size: number; descriptorSize: number; descriptorVersion: number };
}
