// Flattened device tree (DTB format version 17, devicetree specification v0.4 chapter 5) for the
// cxlemu RISC-V board, generated from a plain BoardDescription. Owns the node layout and the exact
// bytes; never looks at live devices (src/machine describes them, this file only writes).
//
// Bytes follow dtc's own conventions (header, empty reservation map at 0x28, structure block,
// strings with dtc's reuse of an existing string or suffix, no padding), so `dtc -I dtb -O dts`
// then `dtc -I dts -O dtb` gives back the same bytes: the tests use that as the byte-exact oracle.

import { hi32, lo32 } from '../cxl-math/bits.js';
import type {
  AddressRange,
  AiaDescription,
  BoardDescription,
  CxlHostBridgeDescription,
  CxlWindowDescription,
} from './board-description.js';

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
const HEADER_SIZE = 40;

// ---------------------------------------------------------------------------------------------
// A tiny tree model and its serializer.

export interface FdtProperty {
  name: string;
  value: Uint8Array;
}

export class FdtNode {
  readonly props: FdtProperty[] = [];
  readonly children: FdtNode[] = [];
  constructor(readonly name: string) {}

  prop(name: string, value: Uint8Array): this {
    this.props.push({ name, value });
    return this;
  }
  u32(name: string, ...cells: number[]): this {
    return this.prop(name, cells32(cells));
  }
  str(name: string, ...strings: string[]): this {
    return this.prop(name, stringList(strings));
  }
  empty(name: string): this {
    return this.prop(name, new Uint8Array(0));
  }
  child(name: string): FdtNode {
    const n = new FdtNode(name);
    this.children.push(n);
    return n;
  }
}

/** Big-endian 32-bit cells. */
export function cells32(cells: number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new RangeError(`FDT cell out of range: ${c}`);
    dv.setUint32(i * 4, c);
  });
  return out;
}

/** A 64-bit value as two cells (hi, lo); exact for values below 2^53. */
export function u64Cells(v: number): number[] {
  return [hi32(v), lo32(v)];
}

function stringList(strings: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length + 1, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length + 1;
  }
  return out;
}

class ByteSink {
  buf = new Uint8Array(4096);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, v);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  align4(): void {
    while (this.len % 4) this.bytes(new Uint8Array(1));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Serialize a tree rooted at `root` (whose name is ""), as dtc -O dtb would. */
export function serializeFdt(root: FdtNode, bootCpuidPhys = 0): Uint8Array {
  const enc = new TextEncoder();
  const struct = new ByteSink();
  let strings = '';
  // dtc's stringtable_insert: reuse any existing occurrence (including a suffix of a longer name).
  const stringOffset = (name: string): number => {
    const needle = name + '\0';
    for (let i = 0; i < strings.length; i++) {
      if (strings.startsWith(needle, i)) return i;
    }
    const off = strings.length;
    strings += needle;
    return off;
  };
  const emit = (node: FdtNode): void => {
    struct.u32(FDT_BEGIN_NODE);
    struct.bytes(enc.encode(node.name + '\0'));
    struct.align4();
    for (const p of node.props) {
      struct.u32(FDT_PROP);
      struct.u32(p.value.length);
      struct.u32(stringOffset(p.name));
      struct.bytes(p.value);
      struct.align4();
    }
    for (const c of node.children) emit(c);
    struct.u32(FDT_END_NODE);
  };
  emit(root);
  struct.u32(FDT_END);
  const structBytes = struct.result();
  const stringBytes = enc.encode(strings);

  const rsvOff = HEADER_SIZE;
  const rsvSize = 16; // the terminating (0, 0) entry only
  const structOff = rsvOff + rsvSize;
  const stringsOff = structOff + structBytes.length;
  const total = stringsOff + stringBytes.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [
    FDT_MAGIC,
    total,
    structOff,
    stringsOff,
    rsvOff,
    FDT_VERSION,
    FDT_LAST_COMP_VERSION,
    bootCpuidPhys,
    stringBytes.length,
    structBytes.length,
  ];
  header.forEach((v, i) => dv.setUint32(i * 4, v));
  out.set(structBytes, structOff);
  out.set(stringBytes, stringsOff);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The cxlemu board's tree.

function hex(n: number): string {
  return n.toString(16);
}

/** Phandles, fixed so the tree is the same bytes for the same description. */
export const PHANDLE = {
  plic: 1,
  finisher: 2,
  aplicM: 3,
  aplicS: 4,
  imsicM: 5,
  imsicS: 6,
  cpuIntcBase: 0x10,
  cpuBase: 0x100,
} as const;

/** Level-high in the APLIC's two-cell interrupt specifier (IRQ_TYPE_LEVEL_HIGH). */
const IRQ_LEVEL_HIGH = 4;

/** reg with #address-cells = 2, #size-cells = 2. */
function reg2(base: number, size: number): number[] {
  return [...u64Cells(base), ...u64Cells(size)];
}

/** The board's device tree as a node tree (exposed for tests and tools). */
export function buildBoardTree(d: BoardDescription): FdtNode {
  const root = new FdtNode('');
  root
    .u32('#address-cells', 2)
    .u32('#size-cells', 2)
    .str('compatible', ...d.compatible)
    .str('model', d.model);

  const uartPath = `/soc/serial@${hex(d.uart.base)}`;
  const chosen = root.child('chosen');
  chosen.str('stdout-path', uartPath);
  if (d.chosen.bootargs !== undefined) chosen.str('bootargs', d.chosen.bootargs);
  if (d.chosen.rngSeed !== undefined) chosen.prop('rng-seed', d.chosen.rngSeed);
  chosen.u32('cxlemu,acpi-rsdp', ...u64Cells(d.chosen.acpiRsdp));
  if (d.chosen.efi) {
    const e = d.chosen.efi;
    chosen.u32('linux,uefi-system-table', ...u64Cells(e.systemTable));
    chosen.u32('linux,uefi-mmap-start', ...u64Cells(e.memoryMap.start));
    chosen.u32('linux,uefi-mmap-size', e.memoryMap.size);
    chosen.u32('linux,uefi-mmap-desc-size', e.memoryMap.descriptorSize);
    chosen.u32('linux,uefi-mmap-desc-ver', e.memoryMap.descriptorVersion);
    chosen.u32('linux,uefi-secure-boot', 0);
  }
  if (d.chosen.initrd) {
    chosen.u32('linux,initrd-start', ...u64Cells(d.chosen.initrd.start));
    chosen.u32('linux,initrd-end', ...u64Cells(d.chosen.initrd.end));
  }

  for (const m of d.memory) {
    root
      .child(`memory@${hex(m.base)}`)
      .str('device_type', 'memory')
      .u32('reg', ...reg2(m.base, m.size));
  }

  const cpus = root.child('cpus');
  cpus.u32('#address-cells', 1).u32('#size-cells', 0).u32('timebase-frequency', d.timebaseFrequency);
  for (const h of d.harts) {
    const cpu = cpus.child(`cpu@${hex(h.hartId)}`);
    cpu
      .u32('phandle', PHANDLE.cpuBase + h.hartId)
      .str('device_type', 'cpu')
      .u32('reg', h.hartId)
      .str('status', 'okay')
      .str('compatible', 'riscv')
      .str('riscv,isa', h.isa)
      .str('riscv,isa-base', h.isaBase)
      .str('riscv,isa-extensions', ...h.isaExtensions)
      .str('mmu-type', h.mmuType);
    if (h.cboBlockSize !== undefined)
      cpu.u32('riscv,cbom-block-size', h.cboBlockSize).u32('riscv,cboz-block-size', h.cboBlockSize);
    cpu
      .child('interrupt-controller')
      .u32('#address-cells', 0)
      .u32('#interrupt-cells', 1)
      .empty('interrupt-controller')
      .str('compatible', 'riscv,cpu-intc')
      .u32('phandle', PHANDLE.cpuIntcBase + h.hartId);
  }
  const cluster = cpus.child('cpu-map').child('cluster0');
  for (const h of d.harts) cluster.child(`core${h.hartId}`).u32('cpu', PHANDLE.cpuBase + h.hartId);

  // Wired interrupts: one PLIC cell, or the supervisor APLIC's source and level-high.
  const wiredParent = d.aia ? PHANDLE.aplicS : PHANDLE.plic;
  const wired = (irq: number): number[] => (d.aia ? [irq, IRQ_LEVEL_HIGH] : [irq]);

  const soc = root.child('soc');
  soc.u32('#address-cells', 2).u32('#size-cells', 2).str('compatible', 'simple-bus').empty('ranges');

  soc
    .child(`test@${hex(d.finisher.base)}`)
    .u32('phandle', PHANDLE.finisher)
    .u32('reg', ...reg2(d.finisher.base, d.finisher.size))
    .str('compatible', 'sifive,test1', 'sifive,test0', 'syscon');

  soc
    .child(`serial@${hex(d.uart.base)}`)
    .u32('interrupts', ...wired(d.uart.irq))
    .u32('interrupt-parent', wiredParent)
    .u32('clock-frequency', d.uart.clockFrequency)
    .u32('reg', ...reg2(d.uart.base, d.uart.size))
    .str('compatible', 'ns16550a');

  if (d.dma) {
    soc
      .child(`dma@${hex(d.dma.base)}`)
      .u32('interrupts', ...wired(d.dma.irq))
      .u32('interrupt-parent', wiredParent)
      .u32('reg', ...reg2(d.dma.base, d.dma.size))
      .str('compatible', 'cxlemu,dma-copy');
  }

  for (const p of d.pcieHosts ?? (d.pcie ? [d.pcie] : [])) {
    const pci = soc.child(`pci@${hex(p.ecam.base)}`);
    pci
      .u32('#address-cells', 3)
      .u32('#size-cells', 2)
      .u32('#interrupt-cells', 1)
      .str('compatible', 'pci-host-ecam-generic')
      .str('device_type', 'pci')
      .u32('linux,pci-domain', p.domain ?? 0)
      .u32('bus-range', p.busFirst, p.busLast)
      .empty('dma-coherent')
      .u32('reg', ...reg2(p.ecam.base, p.ecam.size));
    // 32-bit memory space (0x0200_0000), identity mapped.
    if (p.mmio.size > 0)
      pci.u32('ranges', 0x0200_0000, ...u64Cells(p.mmio.base), ...u64Cells(p.mmio.base), ...u64Cells(p.mmio.size));
    else pci.empty('ranges');
    if (p.intxIrqBase !== undefined) {
      // QEMU virt's swizzle: slot s, pin n (1..4) -> PLIC source base + (s + n - 1) % 4.
      const map: number[] = [];
      for (let slot = 0; slot < 4; slot++) {
        for (let pin = 1; pin <= 4; pin++) {
          map.push(slot << 11, 0, 0, pin, wiredParent, ...wired(p.intxIrqBase + ((slot + pin - 1) % 4)));
        }
      }
      pci.u32('interrupt-map-mask', 0x1800, 0, 0, 7).u32('interrupt-map', ...map);
    }
    // MSIs from PCI functions go to the supervisor-level IMSIC files.
    if (d.aia) pci.u32('msi-parent', PHANDLE.imsicS);
  }

  const intcRefs = (cause: number[]): number[] =>
    d.harts.flatMap((h) => cause.flatMap((c) => [PHANDLE.cpuIntcBase + h.hartId, c]));

  if (d.plic) {
    soc
      .child(`plic@${hex(d.plic.base)}`)
      .u32('phandle', PHANDLE.plic)
      .u32('riscv,ndev', d.plic.ndev)
      .u32('reg', ...reg2(d.plic.base, d.plic.size))
      // Context 2h = M-mode external (11), 2h+1 = S-mode external (9).
      .u32('interrupts-extended', ...intcRefs([11, 9]))
      .empty('interrupt-controller')
      .str('compatible', 'sifive,plic-1.0.0', 'riscv,plic0')
      .u32('#address-cells', 0)
      .u32('#interrupt-cells', 1);
  }
  if (d.aia) addAiaNodes(soc, d.aia, intcRefs);

  soc
    .child(`clint@${hex(d.clint.base)}`)
    // M-mode software (3) and timer (7) interrupts.
    .u32('interrupts-extended', ...intcRefs([3, 7]))
    .u32('reg', ...reg2(d.clint.base, d.clint.size))
    .str('compatible', 'sifive,clint0', 'riscv,clint0');

  root
    .child('poweroff')
    .u32('value', 0x5555)
    .u32('offset', 0)
    .u32('regmap', PHANDLE.finisher)
    .str('compatible', 'syscon-poweroff');
  root
    .child('reboot')
    .u32('value', 0x7777)
    .u32('offset', 0)
    .u32('regmap', PHANDLE.finisher)
    .str('compatible', 'syscon-reboot');

  if (d.cxlWindows.length > 0) addCxlWindows(root, d.cxlWindows);
  if (d.cxlHostBridges && d.cxlHostBridges.length > 0) addCxlHostBridges(root, d.cxlHostBridges);
  return root;
}

/**
 * CXL host bridges (the CEDT's CHBS, for guests without ACPI) under /cxl-host-bridges: one
 * `host-bridge@<component base>` per bridge with reg = its 64 KiB component register block,
 * cxlemu,uid (ACPI _UID, the CFMWS target id) and bus-range (the ECAM buses it owns).
 */
function addCxlHostBridges(root: FdtNode, hbs: CxlHostBridgeDescription[]): void {
  const node = root.child('cxl-host-bridges');
  node.u32('#address-cells', 2).u32('#size-cells', 2).str('compatible', 'cxlemu,cxl-host-bridges');
  for (const h of [...hbs].sort((a, b) => a.component.base - b.component.base)) {
    node
      .child(`host-bridge@${hex(h.component.base)}`)
      .str('compatible', 'cxlemu,cxl-host-bridge')
      .u32('reg', ...reg2(h.component.base, h.component.size))
      .u32('cxlemu,uid', h.uid)
      .u32('bus-range', h.busFirst, h.busLast);
  }
}

/**
 * CXL fixed memory windows (the CEDT's CFMWS, until ACPI exists) under /cxl-windows: one
 * `window@<base>` per window with reg, interleave ways/granularity, target host-bridge UIDs and
 * restrictions. Deliberately not /memory nodes: window addresses are not RAM until a region is
 * committed, and an OS must not allocate from them.
 */
function addCxlWindows(root: FdtNode, windows: CxlWindowDescription[]): void {
  const node = root.child('cxl-windows');
  node.u32('#address-cells', 2).u32('#size-cells', 2).str('compatible', 'cxlemu,cxl-fixed-memory-windows');
  const sorted = [...windows].sort((a, b) => a.base - b.base);
  for (const w of sorted) {
    const n = node.child(`window@${hex(w.base)}`);
    n.str('compatible', 'cxlemu,cfmw')
      .u32('reg', ...reg2(w.base, w.size))
      .str('cxlemu,name', w.name)
      .u32('cxlemu,interleave-ways', w.interleaveWays)
      .u32('cxlemu,interleave-granularity', w.interleaveGranularity);
    if (w.arithmetic !== undefined) n.str('cxlemu,interleave-arithmetic', w.arithmetic);
    n.u32('cxlemu,targets', ...w.targets);
    if (w.restrictions.length > 0) n.str('cxlemu,restrictions', ...w.restrictions);
  }
}

/** The board's DTB bytes. */
export function generateFdt(d: BoardDescription): Uint8Array {
  const bootHart = d.harts[0]?.hartId ?? 0;
  return serializeFdt(buildBoardTree(d), bootHart);
}

/**
 * Where the DTB goes in guest RAM, as QEMU's riscv_compute_fdt_addr does: just below the top of
 * the first RAM range (capped at 3 GiB when RAM starts below it), aligned down to 2 MiB; if RAM is
 * too small for that, aligned down to 8 bytes. Returns undefined if it does not fit at all.
 */
export function fdtAddress(ram: { base: number; size: number }, fdtSize: number): number | undefined {
  const end = ram.base + ram.size;
  const top = ram.base < 3 * 2 ** 30 ? Math.min(end, 3 * 2 ** 30) : end;
  const mb2 = 2 * 2 ** 20;
  let addr = Math.floor((top - fdtSize) / mb2) * mb2;
  if (addr < ram.base) addr = Math.floor((top - fdtSize) / 8) * 8;
  if (addr < ram.base || fdtSize > ram.size) return undefined;
  return addr;
}

/**
 * The AIA nodes as QEMU virt writes them for `aia=aplic-imsic`: an IMSIC node per privilege level
 * (M files signal cause 11, S files cause 9; identity 1 is the IPI) and the two APLIC domains,
 * the machine-level one delegating every source to the supervisor-level one. OpenSBI 1.1 reads
 * the older `riscv,delegate`, Linux `riscv,delegation`: both are written.
 */
function addAiaNodes(soc: FdtNode, a: AiaDescription, intcRefs: (cause: number[]) => number[]): void {
  const imsic = (r: AddressRange, phandle: number, cause: number) => {
    soc
      .child(`imsics@${hex(r.base)}`)
      .u32('phandle', phandle)
      .u32('riscv,ipi-id', 1)
      .u32('riscv,num-ids', a.numIds)
      .u32('riscv,hart-index-bits', a.hartIndexBits)
      .u32('reg', ...reg2(r.base, r.size))
      .u32('interrupts-extended', ...intcRefs([cause]))
      .empty('msi-controller')
      .empty('interrupt-controller')
      .u32('#interrupt-cells', 0)
      .str('compatible', 'riscv,imsics');
  };
  imsic(a.imsicS, PHANDLE.imsicS, 9);
  imsic(a.imsicM, PHANDLE.imsicM, 11);
  const aplic = (r: AddressRange, phandle: number, msiParent: number) =>
    soc
      .child(`aplic@${hex(r.base)}`)
      .u32('phandle', phandle)
      .u32('riscv,num-sources', a.sources)
      .u32('reg', ...reg2(r.base, r.size))
      .u32('msi-parent', msiParent)
      .empty('interrupt-controller')
      .u32('#interrupt-cells', 2)
      .str('compatible', 'riscv,aplic');
  aplic(a.aplicS, PHANDLE.aplicS, PHANDLE.imsicS);
  aplic(a.aplicM, PHANDLE.aplicM, PHANDLE.imsicM)
    .u32('riscv,delegation', PHANDLE.aplicS, 1, a.sources)
    .u32('riscv,delegate', PHANDLE.aplicS, 1, a.sources)
    .u32('riscv,children', PHANDLE.aplicS);
}
