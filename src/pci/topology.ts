// The PCI hierarchy: functions (with their config space and BARs), buses and host bridges, and
// config routing below a host bridge by the live secondary/subordinate bus numbers of type-1
// bridges. Owns structure and routing; never maps memory itself (it tells the host bridge, whose
// owner — the ECAM — runs the BarMapper) and never knows PLIC numbers (intx.ts does). Upstream
// memory writes (MSI-X messages) go to the host bridge's sink, which the board connects.

import { type Bar, declareBar, type BarDeclaration, type BarHolder } from './bar.js';
import { pciePortTypeOf } from './capabilities.js';
import {
  BRIDGE_CONTROL,
  BUS_NUMBERS,
  COMMAND,
  ConfigSpace,
  HEADER_TYPE,
  INTERRUPT_PIN,
  STATUS,
  buildType0Header,
  buildType1Header,
  type Type0HeaderOptions,
  type Type1HeaderOptions,
} from './config-space.js';
import { PciConfigError } from './errors.js';
import type { Msix, MsixFunction } from './msix.js';

export type HeaderOptions = ({ type: 0 } & Type0HeaderOptions) | ({ type: 1 } & Type1HeaderOptions);

export interface PciFunctionOptions {
  name: string;
  header: HeaderOptions;
  bars?: readonly BarDeclaration[];
}

/** One PCI function: its config space, BARs, INTx pin and (when installed) MSI-X. */
export class PciFunction implements BarHolder, MsixFunction {
  readonly name: string;
  readonly config = new ConfigSpace();
  readonly bars: readonly Bar[];
  readonly isBridge: boolean;
  /** The bus below a type-1 function (null for type 0). */
  readonly secondaryBus: PciBus | null;
  parentBus: PciBus | null = null;
  /** Set by `Msix.install`. */
  msix: Msix | null = null;
  device = 0;
  function = 0;
  private intxAsserted = false;
  private intxDriven = false;

  constructor(o: PciFunctionOptions) {
    this.name = o.name;
    this.isBridge = o.header.type === 1;
    const cs = this.config;
    if (o.header.type === 0) buildType0Header(cs, o.header, o.name);
    else buildType1Header(cs, o.header, o.name);
    const slots = this.isBridge ? 2 : 6;
    const bars: Bar[] = [];
    const used = new Set<number>();
    for (const d of o.bars ?? []) {
      const words = d.kind === 'mem64' ? [d.index, d.index + 1] : [d.index];
      if (words.some((w) => used.has(w)))
        throw new PciConfigError(`${o.name} BAR${d.index}`, 'overlaps another BAR of the function');
      words.forEach((w) => used.add(w));
      bars.push(declareBar(cs, d, slots, o.name));
    }
    this.bars = bars;
    this.secondaryBus = this.isBridge ? new PciBus(null, this) : null;
    // Guest writes that can change decode: command, BARs, and a bridge's memory windows.
    const decode = () => this.host()?.decodeChanged();
    cs.onWrite(COMMAND.offset, 2, () => {
      decode();
      this.updateIntx();
    });
    cs.onWrite(0x10, slots * 4, decode);
    if (this.isBridge) {
      cs.onWrite(0x20, 0x10, decode);
      // Secondary Bus Reset: setting bit 6 resets every function below (PCI-to-PCI Bridge 1.2 §3.2.5.17).
      let sbr = false;
      cs.onWrite(BRIDGE_CONTROL.offset, 2, () => {
        const now = cs.getField(0, BRIDGE_CONTROL, 'secondaryBusReset') === 1;
        if (now && !sbr) this.resetBelow();
        sbr = now;
      });
    }
  }

  /**
   * Conventional reset of this function (FLR does this; pass `onFlr: () => f.reset()` to
   * addPcieCapability): config back to its reset image, models told, INTx and BAR decode follow.
   */
  reset(): void {
    this.config.reset();
    this.intxAsserted = false;
    this.updateIntx();
    this.host()?.decodeChanged();
  }

  /** Reset every function below a bridge (secondary bus reset). */
  resetBelow(): void {
    const stack: PciBus[] = this.secondaryBus ? [this.secondaryBus] : [];
    const all: PciFunction[] = [];
    while (stack.length > 0) {
      const b = stack.pop()!;
      for (const f of b.functions()) {
        all.push(f);
        if (f.secondaryBus) stack.push(f.secondaryBus);
      }
    }
    for (const f of all) {
      f.config.reset();
      f.intxAsserted = false;
      f.updateIntx();
    }
    this.host()?.decodeChanged();
  }

  /** The host bridge above (null while detached). */
  host(): PciHostBridge | null {
    return this.parentBus?.host ?? null;
  }

  get memoryEnabled(): boolean {
    return this.config.getField(0, COMMAND, 'memorySpace') === 1;
  }

  get busMasterEnabled(): boolean {
    return this.config.getField(0, COMMAND, 'busMaster') === 1;
  }

  /** 0 none, 1..4 INTA..INTD. */
  get interruptPin(): number {
    return this.config.getField(0, INTERRUPT_PIN, 'pin');
  }

  /** Live bus number of the bus this function sits on, or -1 when detached. */
  get busNumber(): number {
    return this.parentBus?.number ?? -1;
  }

  /** Bridges only: live secondary and subordinate bus numbers. */
  get secondary(): number {
    return this.config.getField(0, BUS_NUMBERS, 'secondary');
  }

  get subordinate(): number {
    return this.config.getField(0, BUS_NUMBERS, 'subordinate');
  }

  upstreamBridges(): readonly ConfigSpace[] {
    const out: ConfigSpace[] = [];
    for (let b = this.parentBus; b !== null && b.bridge !== null; b = b.bridge.parentBus) out.push(b.bridge.config);
    return out;
  }

  /** Device side: drive the INTx pin (level). Sets Status.InterruptStatus; Command.InterruptDisable gates the line. */
  setIntx(level: boolean): void {
    this.intxAsserted = level;
    this.config.setField(0, STATUS, 'interruptStatus', level ? 1 : 0);
    this.updateIntx();
  }

  /**
   * Upstream DWORD memory write of this function (an MSI-X message), through its host bridge. A
   * detached function has no path upstream: the write is dropped.
   */
  memoryWrite(address: number, value: number): void {
    this.host()?.memoryWrite(this, address, value);
  }

  /** Re-evaluate the INTx line (MSI-X Enable changed). */
  refreshIntx(): void {
    this.updateIntx();
  }

  private updateIntx(): void {
    // With MSI-X enabled a function must not drive INTx (PCI Local Bus 3.0 §6.8.2.3).
    const drive =
      this.intxAsserted &&
      this.config.getField(0, COMMAND, 'interruptDisable') === 0 &&
      this.interruptPin !== 0 &&
      this.msix?.enabled !== true;
    if (drive === this.intxDriven) return;
    this.intxDriven = drive;
    this.host()?.intxChanged(this, drive);
  }

  /** Whether the function currently drives its INTx line. */
  get intxLevel(): boolean {
    return this.intxDriven;
  }
}

/** A bus: the root bus of a host bridge, or the secondary bus of a type-1 function. */
export class PciBus {
  private readonly slots = new Map<number, PciFunction>();

  constructor(
    private readonly rootOf: PciHostBridge | null,
    /** The bridge whose secondary bus this is (null for a root bus). */
    readonly bridge: PciFunction | null,
  ) {}

  get host(): PciHostBridge | null {
    return this.rootOf ?? this.bridge?.host() ?? null;
  }

  /** Live bus number: the host bridge's bus_nr, or the bridge's secondary bus register. */
  get number(): number {
    if (this.rootOf !== null) return this.rootOf.busNr;
    return this.bridge!.secondary;
  }

  /** Below a root port or downstream port the link reaches device 0 only (PCIe "only one child"). */
  get onlyDevice0(): boolean {
    if (this.bridge === null) return false;
    const cs = this.bridge.config;
    const t = pciePortTypeOf((o, s) => cs.getRaw(o, s));
    return t === 'rootPort' || t === 'downstreamPort';
  }

  /** Put `f` at device/function; returns it. Keeps the multi-function bit of function 0 right. */
  attach(device: number, fn: number, f: PciFunction): PciFunction {
    const what = `${f.name} at ${device}.${fn}`;
    if (!Number.isInteger(device) || device < 0 || device > 31)
      throw new PciConfigError(what, `device must be 0..31, got ${device}`);
    if (!Number.isInteger(fn) || fn < 0 || fn > 7) throw new PciConfigError(what, `function must be 0..7, got ${fn}`);
    if (this.slots.has(device * 8 + fn))
      throw new PciConfigError(what, `slot taken by ${this.slots.get(device * 8 + fn)!.name}`);
    if (f.parentBus !== null) throw new PciConfigError(what, 'function is already attached');
    if (f === this.bridge) throw new PciConfigError(what, 'a bridge cannot sit on its own secondary bus');
    if (this.onlyDevice0 && device !== 0)
      throw new PciConfigError(what, 'below a root or downstream port only device 0 is reachable');
    this.slots.set(device * 8 + fn, f);
    f.parentBus = this;
    f.device = device;
    f.function = fn;
    this.fixMultiFunction(device);
    this.host?.decodeChanged();
    return f;
  }

  /** Remove the function at device/function (hot-unplug); its BARs are unmapped. */
  detach(device: number, fn: number): PciFunction | undefined {
    const f = this.slots.get(device * 8 + fn);
    if (f === undefined) return undefined;
    const host = this.host;
    if (f.intxLevel) host?.intxChanged(f, false);
    this.slots.delete(device * 8 + fn);
    f.parentBus = null;
    this.fixMultiFunction(device);
    host?.decodeChanged();
    return f;
  }

  get(device: number, fn: number): PciFunction | undefined {
    return this.slots.get(device * 8 + fn);
  }

  functions(): IterableIterator<PciFunction> {
    return this.slots.values();
  }

  private fixMultiFunction(device: number): void {
    const f0 = this.slots.get(device * 8);
    if (f0 === undefined) return;
    let others = false;
    for (let i = 1; i < 8; i++) if (this.slots.has(device * 8 + i)) others = true;
    f0.config.setField(0, HEADER_TYPE, 'multiFunction', others ? 1 : 0);
  }
}

export interface HostBridgeOptions {
  name: string;
  /** First bus number it owns in the one ECAM (its root bus). */
  busNr: number;
  /** Last bus number it owns (default: up to the next host bridge's bus_nr - 1, or the ECAM's last). */
  busLast?: number;
}

/**
 * Where a function's upstream memory writes go (the board connects it to the system address space).
 * `address` is a Number below 2^52; `value` a DWORD; `from` the requester.
 */
export type MemoryWriteSink = (address: number, value: number, from: PciFunction) => void;

/** The last upstream write dropped for want of a sink (or for an address beyond 2^52). */
export interface DroppedWrite {
  from: string;
  address: number;
  value: number;
}

/** A host bridge owning bus range [busNr, busLast] of the ECAM. */
export class PciHostBridge {
  readonly name: string;
  readonly busNr: number;
  busLast: number;
  readonly rootBus: PciBus;
  /** Set by the owner (Ecam): a guest write may have changed BAR decode. */
  onDecodeChange: (() => void) | null = null;
  /** Set by the INTx router. */
  onIntx: ((f: PciFunction, level: boolean) => void) | null = null;
  /** Upstream memory writes of the functions below (MSI-X messages); the Ecam sets a forwarder. */
  onMemoryWrite: MemoryWriteSink | null = null;
  /** Upstream writes dropped here: no sink, or an address at or above 2^52. */
  droppedWrites = 0;
  lastDroppedWrite: DroppedWrite | null = null;

  constructor(o: HostBridgeOptions) {
    if (!Number.isInteger(o.busNr) || o.busNr < 0 || o.busNr > 255)
      throw new PciConfigError(`host bridge ${o.name}`, `bus_nr must be 0..255, got ${o.busNr}`);
    this.name = o.name;
    this.busNr = o.busNr;
    this.busLast = o.busLast ?? 255;
    this.rootBus = new PciBus(this, null);
  }

  decodeChanged(): void {
    this.onDecodeChange?.();
  }

  intxChanged(f: PciFunction, level: boolean): void {
    this.onIntx?.(f, level);
  }

  /** An upstream DWORD memory write from `f`: to the sink, or dropped and counted (never thrown). */
  memoryWrite(f: PciFunction, address: number, value: number): void {
    const sink = this.onMemoryWrite;
    if (sink === null || !(address >= 0 && address < 2 ** 52)) {
      this.droppedWrites++;
      this.lastDroppedWrite = { from: f.name, address, value: value >>> 0 };
      return;
    }
    sink(address, value >>> 0, f);
  }

  /**
   * The function a type-1 config request for bus/device/function reaches, or null (Unsupported
   * Request: all ones). Bridges forward by their live secondary/subordinate numbers.
   */
  route(bus: number, device: number, fn: number): PciFunction | null {
    if (bus < this.busNr || bus > this.busLast) return null;
    let cur = this.rootBus;
    let curNr = this.busNr;
    for (let hops = 0; hops < 256; hops++) {
      if (bus === curNr) {
        if (device !== 0 && cur.onlyDevice0) return null;
        return cur.get(device, fn) ?? null;
      }
      let next: PciFunction | null = null;
      for (const f of cur.functions()) {
        if (!f.isBridge) continue;
        const sec = f.secondary;
        if (sec > curNr && sec <= bus && bus <= f.subordinate) {
          next = f;
          break;
        }
      }
      if (next === null) return null;
      cur = next.secondaryBus!;
      curNr = next.secondary;
    }
    return null;
  }

  /** Every function below this host bridge, depth first (bridges before their children). */
  *allFunctions(): IterableIterator<PciFunction> {
    const stack: PciBus[] = [this.rootBus];
    while (stack.length > 0) {
      const b = stack.pop()!;
      for (const f of b.functions()) {
        yield f;
        if (f.secondaryBus) stack.push(f.secondaryBus);
      }
    }
  }
}
