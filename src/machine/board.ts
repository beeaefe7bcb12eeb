// The RISC-V board: QEMU `virt`-compatible device map around an AddressSpace, one hart, the device
// tree in guest memory, and the run loop. Owns wiring (UART -> PLIC -> MEIP/SEIP, CLINT ->
// MSIP/MTIP), boot register state (a0 = hart id, a1 = DTB address, pc = entry, as QEMU's reset
// vector leaves them), slice scheduling, deterministic WFI and the host exit status. Never builds
// CXL topology or RAM policy itself: the caller hands it an AddressSpace that may already hold RAM
// and CXL windows (docs/board.md), and it maps only what is missing.

import { open, type FileHandle } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { Arena, AddressSpace, BackingStore, type MmioOps } from '../memory/index.js';
import { Hart, type RunStop } from '../cpu/hart.js';
import type { DataTiming } from '../cpu/data-timing.js';
import type { JitStats } from '../cpu/jit.js';
import type { TimingStats } from './timing.js';
import type { TrafficStats } from './traffic.js';
import { ABI_NAMES, addressHex } from '../cpu/disasm.js';
import { CAUSE_NAMES, CSR } from '../cpu/csr.js';
import { Ns16550a, NS16550A_SIZE, UART0_IRQ, UART_CLOCK_HZ } from '../devices/ns16550a.js';
import { Clint, CLINT_SIZE, TIMEBASE_HZ } from '../devices/clint.js';
import { Plic, PLIC_SIZE, PLIC_NUM_SOURCES, plicContextOf } from '../devices/plic.js';
import { TestFinisher, FINISHER_SIZE, type FinisherOutcome } from '../devices/test-finisher.js';
import { DmaEngine, DMA_SIZE, DMA_IRQ } from '../devices/dma-engine.js';
import { Aplic, APLIC_DOMAIN_SIZE, APLIC_NUM_SOURCES } from '../devices/aplic.js';
import { IMSIC_FILE_SIZE, IMSIC_NUM_IDS, ImsicFile, ImsicPages } from '../devices/imsic.js';
import type { IrqLine } from '../devices/irq.js';
import { generateFdt, fdtAddress } from '../firmware/fdt.js';
import type {
  BoardDescription,
  CxlWindowDescription,
  EfiChosen,
  PcieDescription,
} from '../firmware/board-description.js';
import type { TopologySpec } from '../cxl/topology-spec.js';
import { IntxRouter, PCIE_INTX_IRQ_BASE, type Ecam } from '../pci/index.js';
import {
  CLINT_BASE,
  DEFAULT_RAM_SIZE,
  DMA_BASE,
  ECAM_BASE,
  ECAM_SIZE,
  FINISHER_BASE,
  CBO_BLOCK_BYTES,
  APLIC_M_BASE,
  APLIC_S_BASE,
  hartIsa,
  IMSIC_M_BASE,
  IMSIC_S_BASE,
  hostMmioWindow,
  MAX_HARTS,
  PCIE_MMIO_BASE,
  PCIE_MMIO_SIZE,
  PLIC_BASE,
  RAM_BASE,
  UART0_BASE,
} from './board-map.js';
import type { CxlHostBridgeDescription } from '../firmware/board-description.js';
import { isElf, loadElf, loadRaw, type LoadedImage } from './elf.js';
import { type BootRequest, prepareBoot, readRegularFile, writeBoot } from './linux-boot.js';
import { ConfigError } from './errors.js';
import { HartClock } from './hart-clock.js';
import { BoardDebugger } from './debug-target.js';
import { type GdbServerHandle, startGdbServer } from '../debug/index.js';

// The addresses: board-map.ts (DESIGN.md "Board").

export const DEFAULT_PCIE: PcieDescription = {
  ecam: { base: ECAM_BASE, size: ECAM_SIZE },
  busFirst: 0,
  busLast: 255,
  mmio: { base: PCIE_MMIO_BASE, size: PCIE_MMIO_SIZE },
  intxIrqBase: PCIE_INTX_IRQ_BASE,
};

// mip bit numbers the board drives.
const MIP_MSIP = 3;
const MIP_MTIP = 7;
const MIP_STIP = 5;
const MIP_SEIP = 9;
const MIP_MEIP = 11;

/** The hart as the board uses it (the contract of src/cpu/hart.ts, CONTRACTS.md). */
export type BoardHart = Pick<
  Hart,
  | 'pc'
  | 'instret'
  | 'cycle'
  | 'writeReg'
  | 'setPendingLine'
  | 'getTime'
  | 'run'
  | 'requestStop'
  | 'flushTlb'
  | 'onTrace'
  | 'hartId'
  | 'waiting'
  | 'mayYield'
  | 'mip'
  | 'mie'
  | 'dropReservation'
  | 'readReg'
  | 'addDebugPoints'
  | 'skipBreakpointAt'
  | 'debugHit'
  | 'debugTranslate'
> &
  Partial<
    Pick<
      Hart,
      'jitStats' | 'csrRead' | 'csrWrite' | 'onSupervisorTimer' | 'interruptFiles' | 'dataTiming' | 'dataSlowSink'
    >
  >;

export type HartFactory = (opts: {
  arena: Arena;
  bus: AddressSpace;
  hartId: number;
  resetPc: number;
  /** False in timing mode: every data access must reach the interpreter's slow path. */
  jit?: boolean;
}) => BoardHart;

export const defaultHartFactory: HartFactory = (opts) => new Hart(opts);

// ---- exits ----

/** 'reboot': the guest asked for a reset (finisher 0x7777, SBI system reset): the run ends as QEMU's -no-reboot. */
export type ExitKind = 'pass' | 'fail' | 'reboot' | 'quit' | 'limit' | 'error';

export interface RunExit {
  kind: ExitKind;
  /** Guest code for 'fail' (bits 31..16 of the finisher word); 0 otherwise. */
  code: number;
  /** Human-readable reason (always set for 'limit' and 'error'; set for a finisher reset). */
  message?: string;
}

export interface RunResult {
  exit: RunExit;
  /** The host exit status for `exit` (hostExitStatus). */
  status: number;
  instret: number;
  seconds: number;
  mips: number;
  /**
   * Per hart: instructions retired, the share run in translated (JIT) code (null without a JIT) and
   * the JIT's counters (with a JIT).
   */
  harts: { hart: number; instret: number; translatedShare: number | null; jit?: JitStats }[];
  /** Timing mode's counters (run with `timing`). */
  timing?: TimingStats;
  /** Functional-mode traffic counters (run with `stats`). */
  stats?: TrafficStats;
}

/**
 * Host exit status: pass -> 0; fail with code c -> c & 0xff, or 1 if that is 0 (so a failure never
 * looks like success, deliberately unlike QEMU); reboot -> 3; quit (Ctrl-A X) -> 0 as QEMU; limit (--max-instructions, hung guest) -> 124;
 * internal error -> 70 (EX_SOFTWARE).
 */
export function hostExitStatus(exit: RunExit): number {
  switch (exit.kind) {
    case 'pass':
      return 0;
    case 'fail':
      return exit.code % 256 || 1;
    case 'reboot':
      return 3;
    case 'quit':
      return 0;
    case 'limit':
      return 124;
    case 'error':
      return 70;
  }
}

// ---- building ----

export interface BoardOptions {
  arena: Arena;
  addressSpace: AddressSpace;
  /**
   * Main RAM. `mapped: true` means the caller already mapped it in `addressSpace` (the board only
   * describes it and writes the DTB there); otherwise the board maps `store` (or a new store of
   * `size` bytes, sized by "-m") at `base`.
   */
  ram?: { base?: number; size?: number; store?: BackingStore; mapped?: boolean };
  /** CXL fixed memory windows to describe in the device tree (mapped by the caller). */
  cxlWindows?: CxlWindowDescription[];
  /**
   * PCIe host bridge to describe (default DEFAULT_PCIE; null: none). If nothing is mapped at the
   * ECAM base, the board maps an empty ECAM (reads all ones: no devices) at priority -1.
   */
  pcie?: PcieDescription | null;
  /** One device-tree PCI host per host bridge (a machine's CXL host bridges); overrides `pcie` in the tree. */
  pcieHosts?: PcieDescription[];
  /** Receives UART output bytes (default: dropped). */
  uartSink?: (byte: number) => void;
  /** Tie mtime to the host clock (`--realtime`). */
  realtime?: boolean;
  /** Deterministic ratio (default 10: 10 MHz at a nominal 100 MIPS). */
  instructionsPerTick?: number;
  bootargs?: string;
  /** /chosen/rng-seed: bytes that seed the kernel's random number generator at boot. */
  rngSeed?: Uint8Array;
  /** The initramfs range for /chosen (the caller writes its bytes). */
  initrd?: { start: number; end: number };
  /** ACPI RSDP address for /chosen/cxlemu,acpi-rsdp (0 until ACPI exists). */
  acpiRsdp?: number;
  /**
   * ACPI tables to copy into RAM at `base` (its RSDP address goes to /chosen/cxlemu,acpi-rsdp).
   * With `efi`, the image also holds the EFI system table and memory map, and /chosen names them
   * (linux,uefi-*): Linux then boots with ACPI instead of the device tree.
   */
  acpi?: { base: number; image: Uint8Array; rsdpAddress: number; efi?: EfiChosen };
  /** The machine's ECAM (already mapped at the ECAM base): its INTx are wired to the PLIC. */
  ecam?: Ecam;
  /** CXL host bridges (component register blocks at their CHBS) for the device tree. */
  cxlHostBridges?: CxlHostBridgeDescription[];
  /**
   * CXL memory devices (the machine's mailboxes): the board gives them its guest clock (ns from
   * mtime) and ticks them after every slice, so background-completion interrupts fire on time.
   */
  cxlDevices?: CxlDeviceHooks;
  hartFactory?: HartFactory;
  /** Harts (1..MAX_HARTS, default 1): ids 0..n-1, each with its CLINT and PLIC contexts. */
  harts?: number;
  /** Interrupt controllers: the PLIC (default, QEMU virt's) or the AIA (APLIC + an IMSIC per hart). */
  irqchip?: 'plic' | 'aia';
  /**
   * Timing mode: each hart's data accesses are charged to `harts[i]` (src/perf), the JIT is off,
   * and the board's clock (mtime) follows cycles (instructions + stalls), `cyclesPerTick` a tick.
   */
  timing?: { harts: readonly DataTiming[]; cyclesPerTick: number };
  /** Functional-mode traffic counters (`--stats`): every hart's slow-path data accesses go here. */
  dataSlowSink?: (pa: number, size: number, write: boolean) => void;
}

/** What the board needs of a machine's CXL memory devices (Machine implements it). */
export interface CxlDeviceHooks {
  attachClock(now: (() => bigint) | null): void;
  tickDevices(): void;
}

export interface Board {
  arena: Arena;
  addressSpace: AddressSpace;
  /** Hart 0 (the boot hart). */
  hart: BoardHart;
  /** Every hart, index = hart id. */
  harts: BoardHart[];
  /** The instruction clock mtime follows (deterministic mode). */
  clock: HartClock;
  uart: Ns16550a;
  clint: Clint;
  /** The PLIC (irqchip 'plic'), else null. */
  plic: Plic | null;
  /** The AIA (irqchip 'aia'): the APLIC and each hart's machine- and supervisor-level IMSIC files. */
  aia: BoardAia | null;
  finisher: TestFinisher;
  /** The DMA copy engine at 0x1000_9000 (PLIC source 11; docs/observe-dma.md). */
  dma: DmaEngine;
  description: BoardDescription;
  fdt: Uint8Array;
  fdtAddress: number;
  ram: { base: number; size: number };
  /** Load an ELF (or a raw binary at `rawAddress`, default RAM base) and set the boot registers. */
  loadKernel(bytes: Uint8Array, opts?: { what?: string; rawAddress?: number }): LoadedImage;
  /** On every hart: pc = entry, a0 = hart id, a1 = DTB address, a2 if given (QEMU's reset vector state). */
  setBootRegisters(entry: number, a2?: number): void;
  /** The finisher's outcome once the guest wrote it. */
  readonly finished: FinisherOutcome | undefined;
  /** Run after every slice: CXL device background work (mailbox completion interrupts). */
  afterSliceDevices(): void;
  /** The hart whose turn it is (undefined between turns): interrupts for others end its turn. */
  setRunning(hart: BoardHart | undefined): void;
}

export interface BoardAia {
  aplic: Aplic;
  /** Per hart (index = hart id). */
  imsic: { m: ImsicFile; s: ImsicFile }[];
}

/** An empty ECAM: every config read returns all ones (no device), writes are dropped. */
const EMPTY_ECAM: MmioOps = {
  valid: { min: 1, max: 4 },
  impl: { min: 4, max: 4 },
  read: () => 0xffffffff,
  write: () => {},
};

/** The board's devices, wired to the harts' interrupt lines through `line` (bound once the harts exist). */
interface BoardDevices {
  plic: Plic | null;
  aia: BoardAia | null;
  /** The line of wired interrupt source n (PLIC or APLIC source n). */
  source: (n: number) => IrqLine;
  uart: Ns16550a;
  clint: Clint;
  finisher: TestFinisher;
  dma: DmaEngine;
}

function createDevices(
  opts: BoardOptions,
  harts: number,
  line: (hart: number, bit: number) => (level: boolean) => void,
  clock: () => number,
  running: () => BoardHart | undefined,
): BoardDevices {
  let plic: Plic | null = null;
  let aia: BoardAia | null = null;
  let source: (n: number) => IrqLine;
  if (opts.irqchip === 'aia') {
    // Each IMSIC file drives its hart's MEIP or SEIP; the APLIC forwards wired sources as MSIs,
    // written into the address space like any device's (the IMSIC pages are mapped there).
    const imsic = Array.from({ length: harts }, (_, h) => ({
      m: new ImsicFile({ out: line(h, MIP_MEIP) }),
      s: new ImsicFile({ out: line(h, MIP_SEIP) }),
    }));
    const space = opts.addressSpace;
    const aplic = new Aplic({
      harts,
      numIds: IMSIC_NUM_IDS,
      imsic: { m: { base: IMSIC_M_BASE, lhxs: 0 }, s: { base: IMSIC_S_BASE, lhxs: 0 } },
      sendMsi: (address, data) => {
        space.store(address, 4, data);
      },
    });
    aia = { aplic, imsic };
    source = (n) => aplic.line(n);
  } else {
    const contextLines: ((level: boolean) => void)[] = [];
    for (let h = 0; h < harts; h++) {
      contextLines[plicContextOf(h, 'M')] = line(h, MIP_MEIP);
      contextLines[plicContextOf(h, 'S')] = line(h, MIP_SEIP);
    }
    const p = new Plic({ contextLines });
    plic = p;
    source = (n) => p.line(n);
  }
  const uart = new Ns16550a({ sink: opts.uartSink ?? (() => {}), irq: source(UART0_IRQ) });
  const clint = new Clint({
    instret: clock,
    harts,
    realtime: opts.realtime ?? false,
    instructionsPerTick: opts.timing?.cyclesPerTick ?? opts.instructionsPerTick,
    lines: Array.from({ length: harts }, (_, h) => ({
      msip: line(h, MIP_MSIP),
      mtip: line(h, MIP_MTIP),
      stip: line(h, MIP_STIP),
    })),
    // A new mtimecmp may fall inside the current slice: end it so the board re-plans.
    onTimerChange: () => running()?.requestStop(),
  });
  const finisher = new TestFinisher(() => running()?.requestStop());
  const dma = new DmaEngine({ bus: opts.addressSpace, irq: source(DMA_IRQ) });
  return { plic, aia, source, uart, clint, finisher, dma };
}

/** Map RAM (unless the caller did), the devices at their board-map bases and, if nothing is there, an empty ECAM. */
function mapBoard(
  opts: BoardOptions,
  d: BoardDevices,
  ram: { base: number; size: number },
  pcie: PcieDescription | null,
): void {
  const { arena, addressSpace: space } = opts;
  space.begin();
  if (!opts.ram?.mapped) {
    const store = opts.ram?.store ?? new BackingStore(arena, { name: 'ram', size: ram.size, sizedBy: '-m' });
    space.ram('ram', ram.base, store, { size: ram.size });
  }
  space.mmio('test-finisher', FINISHER_BASE, FINISHER_SIZE, d.finisher);
  space.mmio('clint', CLINT_BASE, CLINT_SIZE, d.clint);
  if (d.plic) space.mmio('plic', PLIC_BASE, PLIC_SIZE, d.plic);
  if (d.aia) {
    space.mmio('aplic-m', APLIC_M_BASE, APLIC_DOMAIN_SIZE, d.aia.aplic.root);
    space.mmio('aplic-s', APLIC_S_BASE, APLIC_DOMAIN_SIZE, d.aia.aplic.supervisor);
    const m = new ImsicPages(d.aia.imsic.map((f) => f.m));
    const s = new ImsicPages(d.aia.imsic.map((f) => f.s));
    space.mmio('imsic-m', IMSIC_M_BASE, m.size, m);
    space.mmio('imsic-s', IMSIC_S_BASE, s.size, s);
  }
  space.mmio('uart0', UART0_BASE, NS16550A_SIZE, d.uart);
  space.mmio('dma', DMA_BASE, DMA_SIZE, d.dma);
  if (pcie && space.lookup(pcie.ecam.base) === null) {
    space.mmio('ecam-empty', pcie.ecam.base, pcie.ecam.size, EMPTY_ECAM, -1);
  }
  space.commit();
}

/** What the device tree describes: the board map, the harts, the PCIe hosts and the CXL windows. */
function describeBoard(
  opts: BoardOptions,
  ram: { base: number; size: number },
  pcie: PcieDescription | null,
  harts: number,
): BoardDescription {
  const isa = hartIsa(opts.irqchip ?? 'plic');
  return {
    model: 'cxlemu,virt',
    compatible: ['cxlemu,virt', 'riscv-virtio'],
    memory: [{ base: ram.base, size: ram.size }],
    harts: Array.from({ length: harts }, (_, hartId) => ({
      hartId,
      isa: isa.isa,
      isaBase: 'rv64i',
      isaExtensions: [...isa.extensions],
      mmuType: 'riscv,sv39',
      cboBlockSize: CBO_BLOCK_BYTES,
    })),
    timebaseFrequency: TIMEBASE_HZ,
    uart: { base: UART0_BASE, size: NS16550A_SIZE, irq: UART0_IRQ, clockFrequency: UART_CLOCK_HZ },
    clint: { base: CLINT_BASE, size: CLINT_SIZE },
    ...(opts.irqchip === 'aia'
      ? {
          aia: {
            aplicM: { base: APLIC_M_BASE, size: APLIC_DOMAIN_SIZE },
            aplicS: { base: APLIC_S_BASE, size: APLIC_DOMAIN_SIZE },
            sources: APLIC_NUM_SOURCES,
            imsicM: { base: IMSIC_M_BASE, size: harts * IMSIC_FILE_SIZE },
            imsicS: { base: IMSIC_S_BASE, size: harts * IMSIC_FILE_SIZE },
            numIds: IMSIC_NUM_IDS,
            hartIndexBits: Math.ceil(Math.log2(harts)),
          },
        }
      : { plic: { base: PLIC_BASE, size: PLIC_SIZE, ndev: PLIC_NUM_SOURCES - 1 } }),
    finisher: { base: FINISHER_BASE, size: FINISHER_SIZE },
    dma: { base: DMA_BASE, size: DMA_SIZE, irq: DMA_IRQ },
    ...(pcie ? { pcie } : {}),
    ...(opts.pcieHosts && opts.pcieHosts.length > 0 ? { pcieHosts: opts.pcieHosts } : {}),
    cxlWindows: opts.cxlWindows ?? [],
    ...(opts.cxlHostBridges && opts.cxlHostBridges.length > 0 ? { cxlHostBridges: opts.cxlHostBridges } : {}),
    chosen: {
      acpiRsdp: opts.acpi?.rsdpAddress ?? opts.acpiRsdp ?? 0,
      ...(opts.acpi?.efi ? { efi: opts.acpi.efi } : {}),
      ...(opts.bootargs !== undefined ? { bootargs: opts.bootargs } : {}),
      ...(opts.rngSeed ? { rngSeed: opts.rngSeed } : {}),
      ...(opts.initrd ? { initrd: opts.initrd } : {}),
    },
  };
}

/** RAM that cannot hold what the board must place in it: bad input (-m), not a bug. */
function ramTooSmall(size: number | undefined, why: string): ConfigError {
  return new ConfigError(
    [{ code: 'too_small', path: '-m', value: size === undefined ? '(default)' : `${size} bytes`, allowed: why }],
    'RAM too small',
  );
}

/** Copy the ACPI tables (if any) into RAM at their base. */
function writeAcpi(opts: BoardOptions): void {
  if (!opts.acpi) return;
  const f = opts.addressSpace.writeBytes(opts.acpi.base, opts.acpi.image);
  if (f !== 0)
    throw ramTooSmall(
      opts.ram?.size,
      `cannot write the ACPI tables at 0x${opts.acpi.base.toString(16)}: RAM is not mapped there (fault ${f}; -m too small?)`,
    );
}

/** Place the device tree (QEMU's rule, clear of the ACPI tables) and copy it into RAM; returns its address. */
function writeDeviceTree(opts: BoardOptions, ram: { base: number; size: number }, fdt: Uint8Array): number {
  const space = opts.addressSpace;
  const fdtAt = fdtAddress(ram, fdt.length);
  if (fdtAt === undefined) {
    throw ramTooSmall(ram.size, `RAM of ${ram.size} bytes is too small for the ${fdt.length}-byte device tree (-m)`);
  }
  if (opts.acpi && fdtAt < opts.acpi.base + opts.acpi.image.length && opts.acpi.base < fdtAt + fdt.length) {
    throw ramTooSmall(
      ram.size,
      `the device tree at 0x${fdtAt.toString(16)} would overlap the ACPI tables at 0x${opts.acpi.base.toString(16)} (-m too small)`,
    );
  }
  const f = space.writeBytes(fdtAt, fdt);
  if (f !== 0)
    throw ramTooSmall(
      ram.size,
      `cannot write the device tree at 0x${fdtAt.toString(16)}: RAM is not mapped there (fault ${f})`,
    );
  return fdtAt;
}

/** Where main RAM sits and how big it is: the options' values, else the store's size, else the default. */
function boardRam(ram: BoardOptions['ram'], size = DEFAULT_RAM_SIZE): { base: number; size: number } {
  return { base: ram?.base ?? RAM_BASE, size: ram?.size ?? ram?.store?.size ?? size };
}

export function createBoard(opts: BoardOptions): Board {
  const { arena, addressSpace: space } = opts;
  const ram = boardRam(opts.ram);
  const pcie = opts.pcie === undefined ? DEFAULT_PCIE : opts.pcie;
  const n = opts.harts ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_HARTS)
    throw new RangeError(`harts must be an integer 1..${MAX_HARTS} (--smp), got ${n}`);

  // Late-bound so devices built before the harts can drive their lines. A line rising on a hart
  // other than the running one ends the running hart's turn (QEMU's round-robin kick), so an IPI
  // or interrupt is taken promptly instead of after a whole slice of spinning.
  const harts: BoardHart[] = [];
  // Timing mode: the clock counts cycles (instructions and stalls) instead of instructions.
  const clock = new HartClock(
    opts.timing
      ? Array.from({ length: n }, (_, i) => ({
          get instret() {
            return harts[i]?.cycle ?? 0;
          },
        }))
      : harts,
  );
  let running: BoardHart | undefined;
  const line = (h: number, bit: number) => (level: boolean) => {
    const target = harts[h];
    if (target === undefined) return;
    target.setPendingLine(bit, level);
    if (level && running !== undefined && running !== target) running.requestStop();
  };
  const devices = createDevices(
    opts,
    n,
    line,
    () => clock.now(),
    () => running,
  );
  const { plic, aia, uart, clint, finisher, dma } = devices;
  mapBoard(opts, devices, ram, pcie);
  // PCI INTx -> PLIC/APLIC sources intxIrqBase..+3 (QEMU virt swizzle).
  if (opts.ecam) new IntxRouter(devices.source, pcie?.intxIrqBase ?? PCIE_INTX_IRQ_BASE).connect(opts.ecam);
  // Upstream memory writes of PCI functions (MSI-X messages) land in the address space: with the
  // AIA on an IMSIC file's page; with the PLIC wherever the guest pointed them (no MSI controller).
  if (opts.ecam) opts.ecam.onMemoryWrite = (address, value) => space.store(address, 4, value);

  writeAcpi(opts);
  const description = describeBoard(opts, ram, pcie, n);
  const fdt = generateFdt(description);
  const fdtAt = writeDeviceTree(opts, ram, fdt);

  for (let hartId = 0; hartId < n; hartId++) {
    const h = (opts.hartFactory ?? defaultHartFactory)({
      arena,
      bus: space,
      hartId,
      resetPc: ram.base,
      ...(opts.timing ? { jit: false } : {}),
    });
    if (opts.timing) h.dataTiming = opts.timing.harts[hartId] ?? null;
    if (opts.dataSlowSink) h.dataSlowSink = opts.dataSlowSink;
    h.getTime = () => clint.mtime();
    if (aia) h.interruptFiles = aia.imsic[hartId]!;
    // Sstc: the hart's stimecmp is compared against mtime by the CLINT, which drives its STIP line.
    if (h.onSupervisorTimer !== undefined) h.onSupervisorTimer = (v) => clint.setSupervisorCompare(hartId, v);
    harts.push(h);
  }
  const h = harts[0]!;
  // CXL mailboxes run on guest time: mtime ticks (TIMEBASE_HZ) to ns.
  const cxlDevices = opts.cxlDevices ?? null;
  cxlDevices?.attachClock(() => BigInt(Math.floor((clint.mtime() * 1e9) / TIMEBASE_HZ)));
  // The Hart subscribes to addressSpace.onChange itself (flushTlb on every map change).

  const board: Board = {
    arena,
    addressSpace: space,
    hart: h,
    harts,
    clock,
    setRunning(hart) {
      running = hart;
    },
    uart,
    clint,
    plic,
    aia,
    finisher,
    dma,
    description,
    fdt,
    fdtAddress: fdtAt,
    ram: { base: ram.base, size: ram.size },
    afterSliceDevices() {
      cxlDevices?.tickDevices();
    },
    loadKernel(bytes, lo = {}) {
      const what = lo.what ?? 'kernel';
      const img = isElf(bytes) ? loadElf(bytes, space, what) : loadRaw(bytes, lo.rawAddress ?? ram.base, space, what);
      board.setBootRegisters(img.entry);
      return img;
    },
    setBootRegisters(entry, a2) {
      for (const x of harts) {
        x.pc = entry;
        x.writeReg(10, BigInt(x.hartId));
        x.writeReg(11, BigInt(fdtAt));
        if (a2 !== undefined) x.writeReg(12, BigInt(a2));
      }
    },
    get finished() {
      return finisher.outcome;
    },
  };
  board.setBootRegisters(ram.base);
  return board;
}

// ---- glue for src/machine/build.ts ----

/** The CXL fixed memory windows of a topology, as the device tree describes them. */
export function cxlWindowsFromSpec(spec: TopologySpec): CxlWindowDescription[] {
  const uidOf = new Map(spec.hostBridges.map((hb) => [hb.id, hb.uid]));
  return spec.windows.map((w) => ({
    name: w.id,
    base: w.base,
    size: w.size,
    interleaveWays: w.targets.length,
    interleaveGranularity: w.granularity,
    arithmetic: w.arithmetic,
    targets: w.targets.map((t) => uidOf.get(t) ?? 0),
    restrictions: [...(w.volatile ? ['volatile'] : []), ...(w.persistent ? ['persistent'] : []), 'type3'],
  }));
}

/**
 * One device-tree PCI host per host bridge: its buses, its slice of the one ECAM (so bus/device/
 * function numbers are those of ACPI mode, where all share segment 0), and its share of the PCIe
 * MMIO window; the last share stops below the host-bridge component registers (CHBCR). Domains
 * are numbered in bus order, since Linux wants each host node in its own domain.
 */
export function pcieHostsOf(
  apertures: readonly { busFirst: number; busLast: number; base: number; size: number }[],
  hostBridges: readonly { component: { base: number } }[],
): PcieDescription[] {
  const chbcrBases = hostBridges.map((h) => h.component.base);
  return apertures.map((a, i) => ({
    domain: i,
    ecam: { base: ECAM_BASE + a.busFirst * 2 ** 20, size: (a.busLast - a.busFirst + 1) * 2 ** 20 },
    busFirst: a.busFirst,
    busLast: a.busLast,
    mmio: hostMmioWindow(a, chbcrBases),
    intxIrqBase: PCIE_INTX_IRQ_BASE,
  }));
}

/**
 * Board options for a machine built by src/machine/build.ts (its AddressSpace already holds RAM
 * and the CXL windows): `runProgram({ kernel, machine: boardOptionsForMachine(m) })`.
 */
export function boardOptionsForMachine(
  m: {
    arena: Arena;
    addressSpace: AddressSpace;
    ram: { base: number; size: number };
    spec: TopologySpec;
    ecam?: Ecam;
    firmwareTables?: {
      layout: { base: number; rsdpAddress: number };
      handoffImage: Uint8Array;
      efi?: { systemTable: number; memoryMap: EfiChosen['memoryMap'] };
    };
    cxlHostBridges?: { uid: number; busNr: number; busLast: number; component: { base: number; size: number } }[];
    enumeration?: { apertures: { busFirst: number; busLast: number; base: number; size: number }[] };
    attachClock?: CxlDeviceHooks['attachClock'];
    tickDevices?: CxlDeviceHooks['tickDevices'];
    /** The description's cpus: the board's harts. */
    initial?: { cpus: number; irqchip?: 'plic' | 'aia' | undefined };
  },
  opts: { acpi?: boolean } = {},
): NonNullable<RunProgramOptions['machine']> {
  const tables = m.firmwareTables;
  const layout = tables?.layout;
  // ACPI boot by default when there are CXL host bridges (Linux's CXL core starts only from ACPI).
  const acpi = opts.acpi ?? (m.cxlHostBridges?.length ?? 0) > 0;
  const efi =
    acpi && tables?.efi ? { systemTable: tables.efi.systemTable, memoryMap: tables.efi.memoryMap } : undefined;
  return {
    harts: m.initial?.cpus ?? 1,
    irqchip: m.initial?.irqchip ?? 'plic',
    arena: m.arena,
    addressSpace: m.addressSpace,
    ram: { base: m.ram.base, size: m.ram.size, mapped: true },
    cxlWindows: cxlWindowsFromSpec(m.spec),
    pcie: DEFAULT_PCIE,
    ...(m.enumeration ? { pcieHosts: pcieHostsOf(m.enumeration.apertures, m.cxlHostBridges ?? []) } : {}),
    ...(m.ecam ? { ecam: m.ecam } : {}),
    ...(tables && layout
      ? {
          acpi: {
            base: layout.base,
            image: tables.handoffImage,
            rsdpAddress: layout.rsdpAddress,
            ...(efi ? { efi } : {}),
          },
        }
      : {}),
    ...(m.cxlHostBridges
      ? {
          cxlHostBridges: m.cxlHostBridges.map((h) => ({
            uid: h.uid,
            busFirst: h.busNr,
            busLast: h.busLast,
            component: { ...h.component },
          })),
        }
      : {}),
    ...(m.attachClock && m.tickDevices
      ? { cxlDevices: { attachClock: m.attachClock.bind(m), tickDevices: m.tickDevices.bind(m) } }
      : {}),
  };
}

// ---- running ----

export interface RunOptions {
  /** Stop with exit 'limit' after this many instructions (--max-instructions). */
  maxInstructions?: number;
  /** Stop with exit 'limit' once this much wall-clock time has passed (a hung guest; --timeout). */
  timeoutSeconds?: number;
  /** Instructions per slice between event-loop yields (default 1,000,000). */
  sliceInstructions?: number;
  /** Host input for the UART (stdin); its end means no more input will come. */
  input?: NodeJS.ReadableStream | null;
  /** Called with each line of the instruction trace (--trace). */
  trace?: (line: string) => void;
  /** Called after every slice (flush buffered UART output, trace lines); awaited (backpressure). */
  afterSlice?: () => Promise<void> | void;
  /** Ends the run (exit kind 'quit') when aborted: the console's Ctrl-A X. */
  signal?: AbortSignal;
  /** A debugger's run control (GDB stub): asked before every turn, told after it. */
  debug?: BoardDebugger;
  /**
   * Asked before every turn: a promise holds the run (the dashboard's pause) until it settles.
   * Guest time does not move meanwhile (unless mtime follows the host clock, --realtime).
   */
  hold?: () => Promise<void> | null;
}

const DEFAULT_SLICE = 1_000_000;

/** One trace line: `<pc, 16 hex digits>  <disassembly>  ; <reg>=<value> ...` (register writes). */
export function formatTrace(pc: number, text: string, regWrites: unknown): string {
  let line = `${pc.toString(16).padStart(16, '0')}  ${text}`;
  if (Array.isArray(regWrites) && regWrites.length > 0) {
    const parts = regWrites.map((w) => {
      if (Array.isArray(w) && w.length === 2 && typeof w[0] === 'number') {
        const v = typeof w[1] === 'bigint' ? BigInt.asUintN(64, w[1]) : w[1];
        return `${ABI_NAMES[w[0]] ?? `x${w[0]}`}=0x${(v as bigint | number).toString(16)}`;
      }
      return String(w);
    });
    line += `  ; ${parts.join(' ')}`;
  }
  return line;
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/** The UART's host input (stdin): bytes enter the receiver as they come; `wait` sleeps until input or a timeout. */
interface UartInput {
  /** More input may still come. */
  readonly open: boolean;
  /** Resolve after `ms` (Infinity: never), or as soon as input arrives or ends. */
  wait(ms: number): Promise<void>;
  /** End a pending wait now (the run is being stopped). */
  wake(): void;
  detach(): void;
}

function connectUartInput(uart: Ns16550a, input: NodeJS.ReadableStream | null): UartInput {
  let open = input !== null;
  let wake: (() => void) | null = null;
  const onData = (chunk: Buffer | string) => {
    uart.pushInput(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    wake?.();
  };
  const onEnd = () => {
    open = false;
    wake?.();
  };
  if (input) {
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('close', onEnd);
    input.resume();
  }
  return {
    get open() {
      return open;
    },
    wake() {
      wake?.();
    },
    async wait(ms) {
      await new Promise<void>((resolve) => {
        const timer = ms === Infinity ? undefined : setTimeout(resolve, Math.max(0, Math.ceil(ms)));
        wake = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    },
    detach() {
      if (!input) return;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('close', onEnd);
      input.pause();
    },
  };
}

/** The exit the finisher's outcome means. */
function finisherExit(fin: FinisherOutcome): RunExit {
  if (fin.kind === 'fail') return { kind: 'fail', code: fin.code };
  if (fin.kind === 'reset')
    return {
      kind: 'reboot',
      code: 0,
      message: 'guest rebooted (finisher 0x7777): the run ends, as with QEMU -no-reboot',
    };
  return { kind: 'pass', code: 0 };
}

/** Instructions per turn when several harts take turns (deterministic; about 1-5 ms of guest code). */
const HART_QUANTUM = 100_000;

/** Attempts in one slice that retire nothing before the run is declared a trap loop. */
const TRAP_LOOP_ATTEMPTS = 10_000;

function trapLoopExit(hart: BoardHart, attempts: number): RunExit {
  const csr = (n: number): string | undefined => {
    const o = { lo: 0, hi: 0 };
    return hart.csrRead?.(n, o)
      ? BigInt.asUintN(64, (BigInt(o.hi) << 32n) | BigInt(o.lo >>> 0)).toString(16)
      : undefined;
  };
  const cause = csr(CSR.mcause);
  const name = cause === undefined ? undefined : CAUSE_NAMES[Number.parseInt(cause, 16)];
  const why =
    cause === undefined
      ? ''
      : ` (mcause 0x${cause}${name ? ` ${name}` : ''}, mtval 0x${csr(CSR.mtval)}, mtvec 0x${csr(CSR.mtvec)})`;
  return {
    kind: 'limit',
    code: 0,
    message: `guest stuck in a trap loop at pc 0x${addressHex(hart.pc)}: ${attempts} instructions attempted, none retired${why}`,
  };
}

function hungExit(harts: readonly BoardHart[]): RunExit {
  const many = harts.length > 1;
  const where = harts.map((h) => `${many ? `hart ${h.hartId} ` : ''}pc 0x${addressHex(h.pc)}`).join(', ');
  return {
    kind: 'limit',
    code: 0,
    message:
      `guest hung: ${many ? `all ${harts.length} harts ` : ''}waiting in WFI (resume ${where}) with no timer that can wake it ` +
      `(mtimecmp unset, or reached while the interrupt is disabled in mie) and no UART input to come, ` +
      `after ${sum(harts, (h) => h.instret)} instructions`,
  };
}

const sum = (harts: readonly BoardHart[], f: (h: BoardHart) => number): number => harts.reduce((a, h) => a + f(h), 0);

/** Waiting in WFI with nothing pending that would wake it: its turn would retire nothing. */
const isIdle = (h: BoardHart): boolean => h.waiting && (h.mip & h.mie) === 0;

/**
 * Run the board's harts until the finisher, the instruction limit, a hang or an internal error.
 * Harts take turns in hart-id order in this one thread (deterministic: the same guest and input
 * give the same run); a hart waiting in WFI is skipped, and when all wait, time jumps to the next
 * timer event. --max-instructions counts every hart's attempts.
 */
export async function runBoard(board: Board, opts: RunOptions = {}): Promise<RunResult> {
  const { harts, clint, uart, clock } = board;
  const n = harts.length;
  // Tracing buffers a line per instruction: keep slices short so lines reach the file steadily.
  // Realtime: short slices too, so MTIP is re-evaluated against the host clock often enough.
  const slice = opts.sliceInstructions ?? (opts.trace || clint.realtime ? 10_000 : DEFAULT_SLICE);
  const max = opts.maxInstructions ?? Infinity;
  if (!(max >= 0)) throw new RangeError(`--max-instructions must be a non-negative integer, got ${max}`);
  if (!(Number.isInteger(slice) && slice > 0))
    throw new RangeError(`sliceInstructions must be a positive integer, got ${slice}`);
  const timeout = opts.timeoutSeconds ?? Infinity;
  if (!(timeout > 0)) throw new RangeError(`--timeout must be a positive number of seconds, got ${timeout}`);

  const input = connectUartInput(uart, opts.input ?? null);
  if (opts.trace) {
    const t = opts.trace;
    for (const h of harts) {
      const prefix = n > 1 ? `[${h.hartId}] ` : '';
      h.onTrace = (pc, text, regs) => t(prefix + formatTrace(pc, text, regs));
    }
  }
  const started = performance.now();
  const deadline = started + timeout * 1000;
  // One hart: slices are sized from the last one's speed to take about 20 ms (at most `slice`
  // instructions), so --timeout, input and Ctrl-A X are handled promptly even when the guest runs
  // slowly (a trap loop, OS code); a fast guest still runs full slices. Several harts: every turn
  // is HART_QUANTUM instructions, whatever the host's speed, so the interleaving (and the run) is
  // reproducible, and a hart spinning on another wastes at most one short turn.
  const targetMs = 20;
  let adaptive = n > 1 ? Math.min(slice, HART_QUANTUM) : Math.min(slice, 10_000);
  // Per hart: attempts in a row that retired nothing and left the pc where it was (TRAP_LOOP_ATTEMPTS).
  const stuck = new Array<number>(n).fill(0);
  // Per hart: its last turn ended with 'yield' (until its next turn begins).
  const yielded = new Array<boolean>(n).fill(false);
  let cur = 0;
  let exit: RunExit | undefined;
  const onAbort = () => {
    for (const h of harts) h.requestStop();
    input.wake();
  };
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const held = opts.hold?.() ?? null;
      if (held !== null) await held;
      const gate = opts.debug?.gate() ?? null;
      if (gate !== null && (await gate) === 'quit') {
        exit = { kind: 'quit', code: 0, message: 'the debugger killed the run' };
        break;
      }
      if (opts.signal?.aborted) {
        const why = opts.signal.reason instanceof Error ? opts.signal.reason.message : 'aborted';
        exit = { kind: 'quit', code: 0, message: `${why} at pc 0x${addressHex(harts[cur]!.pc)}` };
        break;
      }
      clint.update();
      // The limit counts instructions attempted (retired or trapped), so a guest stuck in a
      // fault loop, which retires nothing, still reaches it.
      const attempted = sum(harts, (h) => h.cycle);
      if (attempted >= max) {
        const done = sum(harts, (h) => h.instret);
        exit = {
          kind: 'limit',
          code: 0,
          message: `stopped after ${attempted} instructions attempted, ${done} retired (--max-instructions ${max})`,
        };
        break;
      }
      if (performance.now() >= deadline) {
        const done = sum(harts, (h) => h.instret);
        exit = {
          kind: 'limit',
          code: 0,
          message: `timed out after ${timeout} s (--timeout) at pc 0x${addressHex(harts[cur]!.pc)}, ${done} instructions`,
        };
        break;
      }
      // A hart the debugger holds (it resumed another alone) is as good as idle.
      const debug = opts.debug;
      const idle = debug ? (h: BoardHart) => isIdle(h) || !debug.mayRun(h) : isIdle;
      if (harts.every(idle)) {
        // Deterministic: nothing else can happen while every hart waits, so time jumps to the
        // next mtimecmp.
        if (!clint.realtime && clint.skipToNextEvent()) continue;
        const ms = clint.realtime ? clint.msUntilNextEvent() : Infinity;
        if (ms === Infinity && !input.open) {
          exit = hungExit(harts);
          break;
        }
        // Wait for the host: input, or the realtime timer.
        await input.wait(Math.min(ms, deadline - performance.now()));
        continue;
      }
      while (idle(harts[cur]!)) cur = (cur + 1) % n;
      const hart = harts[cur]!;
      // A hart that yielded its last turn (RunStop 'yield': spinning, or a WFI that could not wait)
      // counts as waiting until its next turn: the guest's time runs as if it had spun on.
      yielded[cur] = false;
      let waiting = 0;
      for (let i = 0; i < n; i++) if (i !== cur && (isIdle(harts[i]!) || yielded[i])) waiting++;
      // Yielding pays only when another hart can take the turn.
      hart.mayYield = n > 1 && harts.some((h) => h !== hart && !idle(h));

      // Run up to the slice, the limit or the next timer event, whichever comes first.
      const before = hart.cycle;
      const done = hart.instret;
      let budget = Math.min(adaptive, max - attempted);
      clock.begin(hart, waiting);
      const ev = clint.instretOfNextEvent();
      if (ev !== Infinity && ev > clock.now()) budget = Math.min(budget, clock.instructionsUntil(ev));
      const t0 = performance.now();
      const pcBefore = hart.pc;
      board.setRunning(hart);
      let why: RunStop;
      try {
        why = hart.run(budget);
      } finally {
        board.setRunning(undefined);
        clock.end();
      }
      // Another hart runs next: this one's LR reservation does not survive (dropReservation).
      if (n > 1) hart.dropReservation();
      opts.debug?.afterTurn(hart);
      // Thousands of attempts that retire nothing, ending where they began: every attempt traps
      // (an unmapped entry point or trap vector). Nothing can change that: stop and say why.
      if (why === 'yield') yielded[cur] = true;
      const s =
        why !== 'wfi' && why !== 'yield' && hart.instret === done && hart.pc === pcBefore
          ? stuck[cur]! + hart.cycle - before
          : 0;
      stuck[cur] = s;
      if (s >= TRAP_LOOP_ATTEMPTS) {
        exit = trapLoopExit(hart, s);
        break;
      }
      if (n === 1 && (adaptive < slice || performance.now() - t0 > targetMs)) {
        const ms = performance.now() - t0;
        const ran = hart.cycle - before;
        if (ran > 0 && ms > 0) adaptive = Math.max(1000, Math.min(slice, Math.floor((ran / ms) * targetMs)));
      }
      cur = (cur + 1) % n;
      clint.update();
      board.afterSliceDevices();
      if (opts.afterSlice) await opts.afterSlice();
      const fin = board.finished;
      if (fin) {
        exit = finisherExit(fin);
        break;
      }
      if (why === 'wfi' || why === 'yield') continue;
      await yieldToEventLoop();
    }
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    exit = {
      kind: 'error',
      code: 0,
      message: `internal error after ${sum(harts, (h) => h.instret)} instructions: ${msg}`,
    };
  } finally {
    opts.debug?.finished(hostExitStatus(exit ?? { kind: 'error', code: 0 }));
    opts.signal?.removeEventListener('abort', onAbort);
    input.detach();
    for (const h of harts) h.onTrace = undefined;
  }
  const seconds = (performance.now() - started) / 1000;
  const instret = sum(harts, (h) => h.instret);
  return {
    exit,
    status: hostExitStatus(exit),
    instret,
    seconds,
    mips: seconds > 0 ? instret / seconds / 1e6 : 0,
    harts: harts.map((h) => {
      const jit = h.jitStats ?? null;
      const r = h.instret;
      return {
        hart: h.hartId,
        instret: r,
        translatedShare: jit && r > 0 ? Math.min(1, jit.instructions / r) : null,
        ...(jit ? { jit } : {}),
      };
    }),
  };
}

// ---- the one call the CLI makes ----

export interface RunProgramOptions extends RunOptions {
  /** ELF or raw binary: a path or the bytes. */
  kernel: string | Uint8Array;
  /** Where a raw (non-ELF) kernel goes; default the RAM base. */
  rawAddress?: number;
  /**
   * A machine built by src/machine (AddressSpace with RAM and CXL windows already mapped). Without
   * it, runProgram builds a plain board with `ramSize` bytes of RAM at RAM_BASE (board-map.ts).
   */
  machine?: Omit<BoardOptions, 'uartSink' | 'realtime' | 'instructionsPerTick' | 'hartFactory'>;
  /** RAM size when no machine is given (default 128 MiB, QEMU's default). */
  ramSize?: number;
  /** Harts when no machine is given (default 1; a machine says its own). */
  harts?: number;
  /** Arena size when no machine is given (default: the 4 GiB reservation). */
  arenaBytes?: number;
  /** UART output: a stream (default process.stdout), a file path, or a callback. */
  output?: NodeJS.WritableStream | string | ((chunk: Uint8Array) => void);
  /** Trace file path or line callback (--trace FILE). */
  traceFile?: string;
  realtime?: boolean;
  instructionsPerTick?: number;
  hartFactory?: HartFactory;
  /** Called once the kernel is loaded, just before the first instruction (e.g. start observing). */
  beforeRun?: (board: Board) => void;
  /** Firmware, initramfs, command line and rng-seed (`--bios`, `--initrd`, `--append`, `--rng-seed`; docs/linux.md). */
  boot?: BootRequest;
  /** Write the device tree the guest would get to this file and stop before the first instruction. */
  dumpDtb?: string;
  /**
   * Serve a GDB stub on host:port (`--gdb tcp::1234`); `stopAtStart` waits for the debugger before
   * the first instruction (QEMU -S). `onListening` hears the bound port (0 asks for any).
   */
  gdb?: { host: string; port: number; stopAtStart?: boolean; onListening?: (port: number) => void };
}

/** Open a file the run writes (UART output, trace); a ConfigError naming the option when it cannot be. */
async function openForWriting(path: string, option: string, what: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (e) {
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path: option,
          value: path,
          allowed: `a writable file for ${what} (${(e as Error).message})`,
        },
      ],
      `cannot open ${option} ${path}`,
    );
  }
}

/**
 * Build (or complete) the board, load the kernel and run it. Input problems found before the
 * guest starts (unreadable kernel, ElfLoadError, RAM too small) are thrown; anything thrown while
 * the guest runs becomes exit kind 'error' (status 70).
 */
export async function runProgram(opts: RunProgramOptions): Promise<RunResult> {
  // A regular file only: /dev/zero or a FIFO would be read forever.
  const kernelBytes =
    typeof opts.kernel === 'string' ? readRegularFile(opts.kernel, '--kernel', 'kernel') : opts.kernel;
  const what = typeof opts.kernel === 'string' ? opts.kernel : 'kernel';

  // UART output, buffered per slice.
  const pending: number[] = [];
  let write: (chunk: Uint8Array) => Promise<void> | void;
  let fileOut: FileHandle | undefined;
  const out = opts.output ?? process.stdout;
  if (typeof out === 'function') write = out;
  else if (typeof out === 'string') {
    fileOut = await openForWriting(out, '--uart-out', 'the UART output');
    const fh = fileOut;
    write = async (c) => {
      await fh.write(c);
    };
  } else {
    write = (c) =>
      new Promise<void>((resolve, reject) => {
        out.write(c, (err) => (err ? reject(err) : resolve()));
      });
  }
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return;
    const chunk = Uint8Array.from(pending);
    pending.length = 0;
    flushing = flushing.then(() => write(chunk));
  };

  let traceHandle: FileHandle | undefined;
  let trace = opts.trace;
  const traceBuf: string[] = [];
  if (opts.traceFile !== undefined) {
    traceHandle = await openForWriting(opts.traceFile, '--trace', 'the trace');
    trace = (l) => traceBuf.push(l);
  }

  const ram = boardRam(opts.machine?.ram, opts.ramSize);
  const boot = prepareBoot(kernelBytes, what, opts.boot ?? {}, ram, opts.machine?.acpi?.base);
  // ACPI boot: no EFI runtime services exist, so the kernel must not look for them.
  const bootargs =
    opts.machine?.acpi?.efi && boot.header
      ? [boot.append, 'efi=noruntime'].filter((x) => x !== undefined && x !== '').join(' ')
      : boot.append;
  const chosen = {
    ...(bootargs !== undefined ? { bootargs } : {}),
    ...(boot.rngSeed !== null ? { rngSeed: boot.rngSeed } : {}),
    ...(boot.plan?.initrd ? { initrd: boot.plan.initrd } : {}),
  };

  const common = {
    ...chosen,
    uartSink: (b: number) => pending.push(b),
    realtime: opts.realtime,
    instructionsPerTick: opts.instructionsPerTick,
    hartFactory: opts.hartFactory,
  };
  let board: Board;
  if (opts.machine) board = createBoard({ ...opts.machine, ...common });
  else {
    const arena = new Arena(opts.arenaBytes !== undefined ? { bytes: opts.arenaBytes } : {});
    board = createBoard({
      arena,
      addressSpace: new AddressSpace(arena),
      ram: { size: ram.size },
      ...(opts.harts !== undefined ? { harts: opts.harts } : {}),
      ...common,
    });
  }
  if (boot.plan) {
    const w = writeBoot(board.addressSpace, boot, 0);
    board.setBootRegisters(w.entry, w.a2);
  } else board.loadKernel(kernelBytes, { what, rawAddress: opts.rawAddress });

  let gdbServer: GdbServerHandle | undefined;
  const afterSlice = async () => {
    flush();
    if (traceHandle && traceBuf.length > 0) {
      const text = traceBuf.join('\n') + '\n';
      traceBuf.length = 0;
      await traceHandle.write(text);
    }
    await flushing;
  };
  try {
    if (opts.dumpDtb !== undefined) {
      // As QEMU's -machine dumpdtb: the tree exactly as the guest would get it, then stop.
      await writeFile(opts.dumpDtb, board.fdt);
      const message = `device tree (${board.fdt.length} bytes) written to ${opts.dumpDtb}`;
      return { exit: { kind: 'pass', code: 0, message }, status: 0, instret: 0, seconds: 0, mips: 0, harts: [] };
    }
    opts.beforeRun?.(board);
    let debug: BoardDebugger | undefined;
    if (opts.gdb) {
      debug = new BoardDebugger(board, { stopAtStart: opts.gdb.stopAtStart ?? false });
      gdbServer = await startGdbServer(debug, opts.gdb.host, opts.gdb.port);
      opts.gdb.onListening?.(gdbServer.port);
    }
    const result = await runBoard(board, {
      ...opts,
      ...(trace ? { trace } : {}),
      afterSlice,
      ...(debug ? { debug } : {}),
    });
    await afterSlice();
    return result;
  } finally {
    await gdbServer?.close();
    await fileOut?.close();
    await traceHandle?.close();
  }
}
