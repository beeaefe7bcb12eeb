// PCI configuration space of one function: 4 KiB of bytes with per-byte write masks (RW bits),
// RW1C masks and everything else read-only, declared once from register tables; plus the type-0
// and type-1 header builders. Owns config bytes and their masks; never maps memory (bar.ts does)
// and never decodes bus numbers (ecam.ts does). Guest reads/writes of any size at any offset never
// throw: bytes outside 0..0xFFF read 0 and ignore writes.

import { PciConfigError } from './errors.js';

/** PCIe configuration space per function: 256 B conventional + 3840 B extended. */
export const CONFIG_SPACE_SIZE = 4096;
/** First byte of the extended capability list. */
export const EXTENDED_CONFIG_START = 0x100;

// ---- Register tables (STYLE habit 6) ----

/** RO and HwInit are read-only to software; RW bits take written values; RW1C bits clear on 1. */
export type CfgAccess = 'RO' | 'HwInit' | 'RW' | 'RW1C';

export interface CfgField {
  readonly hi: number;
  readonly lo: number;
  readonly access: CfgAccess;
}

/** One register: offset relative to the structure it belongs to (header, capability, DVSEC). */
export interface CfgRegister<F extends string = string> {
  readonly name: string;
  readonly offset: number;
  readonly size: 1 | 2 | 4;
  readonly fields: { readonly [K in F]: CfgField };
}

export const field = (hi: number, lo: number, access: CfgAccess): CfgField => ({ hi, lo, access });

/** Mask of bits [hi:lo] of a register of at most 32 bits (unsigned). */
export function fieldMask(f: CfgField): number {
  const width = f.hi - f.lo + 1;
  return width >= 32 ? 0xffffffff : ((2 ** width - 1) * 2 ** f.lo) >>> 0;
}

/** Write masks derived from a register's fields: RW bits and RW1C bits. */
export function masksOf(reg: CfgRegister): { rw: number; rw1c: number } {
  let rw = 0;
  let rw1c = 0;
  for (const name of Object.keys(reg.fields)) {
    const f = reg.fields[name]!;
    if (f.access === 'RW') rw = (rw | fieldMask(f)) >>> 0;
    else if (f.access === 'RW1C') rw1c = (rw1c | fieldMask(f)) >>> 0;
  }
  return { rw, rw1c };
}

/** Value of a register with the named fields deposited (others 0). */
export function composeRegister<F extends string>(reg: CfgRegister<F>, values: Partial<Record<F, number>>): number {
  let v = 0;
  for (const name of Object.keys(values) as F[]) {
    const f = reg.fields[name];
    const x = values[name];
    if (f === undefined || x === undefined) continue;
    v = (v | ((x * 2 ** f.lo) & fieldMask(f))) >>> 0;
  }
  return v >>> 0;
}

export type ReadHook = (offset: number, size: number) => void;
export type WriteHook = (offset: number, size: number, value: number) => void;

interface Hook<T> {
  readonly start: number;
  readonly end: number;
  readonly fn: T;
}

/**
 * The 4 KiB config space of one function. Guest accesses go through `read`/`write` (masks apply,
 * hooks run); host code builds the image with `declare`/`setRaw` (masks ignored).
 */
export class ConfigSpace {
  readonly bytes = new Uint8Array(CONFIG_SPACE_SIZE);
  /** Bits a guest write stores. */
  readonly wmask = new Uint8Array(CONFIG_SPACE_SIZE);
  /** Bits a guest write of 1 clears. */
  readonly w1cmask = new Uint8Array(CONFIG_SPACE_SIZE);
  /** Capability allocation state (capabilities.ts): next free offset and the last linked item. */
  nextCapOffset = 0x40;
  lastCapOffset = 0;
  nextExtOffset = EXTENDED_CONFIG_START;
  lastExtOffset = 0;
  private readHooks: Hook<ReadHook>[] = [];
  private writeHooks: Hook<WriteHook>[] = [];
  private resetImage: Uint8Array | null = null;
  private readonly resetListeners: (() => void)[] = [];

  // ---- guest side ----

  /** Little-endian read of `size` bytes (1, 2 or 4; other sizes read as 4) at any offset. */
  read(offset: number, size: number): number {
    const n = size === 1 || size === 2 ? size : 4;
    if (!Number.isInteger(offset)) return 0;
    for (const h of this.readHooks) {
      if (offset < h.end && offset + n > h.start) h.fn(offset, n);
    }
    return this.getRaw(offset, n);
  }

  /** Little-endian write of `size` bytes through the masks, then the write hooks. */
  write(offset: number, size: number, value: number): void {
    const n = size === 1 || size === 2 ? size : 4;
    if (!Number.isInteger(offset)) return;
    this.ensureResetImage();
    const v = Number.isFinite(value) ? value >>> 0 : 0;
    const b = this.bytes;
    for (let i = 0; i < n; i++) {
      const o = offset + i;
      if (o < 0 || o >= CONFIG_SPACE_SIZE) continue;
      const x = (v >>> (8 * i)) & 0xff;
      const m = this.wmask[o]!;
      b[o] = ((b[o]! & ~m) | (x & m)) & ~(x & this.w1cmask[o]!);
    }
    for (const h of this.writeHooks) {
      if (offset < h.end && offset + n > h.start) h.fn(offset, n, v);
    }
  }

  /** Run `fn` before a guest read touching [offset, offset + length) (to refresh live bytes). */
  onRead(offset: number, length: number, fn: ReadHook): void {
    this.readHooks.push({ start: offset, end: offset + length, fn });
  }

  /** Run `fn` after a guest write touching [offset, offset + length), with the raw value. */
  onWrite(offset: number, length: number, fn: WriteHook): void {
    this.writeHooks.push({ start: offset, end: offset + length, fn });
  }

  // ---- reset (FLR, secondary bus reset) ----

  /**
   * Take the current bytes as the power-on image that `reset()` returns to. Builders may call it
   * when construction is done; otherwise the first guest write takes it (construction is
   * host-side only, so everything before that write is the built image).
   */
  captureResetImage(): void {
    this.resetImage = this.bytes.slice();
  }

  /** Take the reset image unless one was taken (before the first change that is not construction). */
  ensureResetImage(): void {
    if (this.resetImage === null) this.captureResetImage();
  }

  /** Run `fn` after every reset (models drop internal state: DOE buffers, pending work). */
  onReset(fn: () => void): void {
    this.resetListeners.push(fn);
  }

  /** Conventional reset of the function: bytes back to the reset image, then the listeners. */
  reset(): void {
    if (this.resetImage !== null) this.bytes.set(this.resetImage);
    for (const l of this.resetListeners) l();
  }

  // ---- host side (masks ignored) ----

  getRaw(offset: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const x = o >= 0 && o < CONFIG_SPACE_SIZE ? this.bytes[o]! : 0;
      v += x * 2 ** (8 * i);
    }
    return v;
  }

  setRaw(offset: number, size: number, value: number): void {
    const v = value >>> 0;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      if (o >= 0 && o < CONFIG_SPACE_SIZE) this.bytes[o] = (v >>> (8 * i)) & 0xff;
    }
  }

  /** Set the RW and RW1C masks of [offset, offset + size); every other bit becomes read-only. */
  setMasks(offset: number, size: number, rw: number, rw1c = 0): void {
    const a = rw >>> 0;
    const c = rw1c >>> 0;
    if ((a & c) !== 0)
      throw new PciConfigError(`config offset 0x${offset.toString(16)}`, 'a bit cannot be both RW and RW1C');
    this.checkRange(offset, size);
    for (let i = 0; i < size; i++) {
      this.wmask[offset + i] = (a >>> (8 * i)) & 0xff;
      this.w1cmask[offset + i] = (c >>> (8 * i)) & 0xff;
    }
  }

  /** Declare a register of a table at `base + reg.offset`: masks from its fields, then its value. */
  declare(base: number, reg: CfgRegister, value = 0): void {
    const { rw, rw1c } = masksOf(reg);
    this.setMasks(base + reg.offset, reg.size, rw, rw1c);
    this.setRaw(base + reg.offset, reg.size, value);
  }

  /** Declare every register of a table (values by register name, default 0). */
  declareAll(base: number, regs: readonly CfgRegister[], values: Record<string, number> = {}): void {
    for (const r of regs) this.declare(base, r, values[r.name] ?? 0);
  }

  /** A field's current value, by name. */
  getField<F extends string>(base: number, reg: CfgRegister<F>, name: F): number {
    const f = reg.fields[name];
    return Math.floor(this.getRaw(base + reg.offset, reg.size) / 2 ** f.lo) % 2 ** (f.hi - f.lo + 1);
  }

  /** Host-side deposit of a field (ignores masks: hardware state such as status bits). */
  setField<F extends string>(base: number, reg: CfgRegister<F>, name: F, value: number): void {
    const f = reg.fields[name];
    const m = fieldMask(f);
    const cur = this.getRaw(base + reg.offset, reg.size);
    this.setRaw(base + reg.offset, reg.size, ((cur & ~m) | ((value * 2 ** f.lo) & m)) >>> 0);
  }

  private checkRange(offset: number, size: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > CONFIG_SPACE_SIZE) {
      throw new PciConfigError(
        `config offset 0x${offset.toString(16)}`,
        `a register of ${size} bytes must lie inside the 4 KiB config space`,
      );
    }
  }
}

// ---- Header registers (PCI Local Bus 3.0 §6.1, PCIe r6.0 §7.5.1) ----

export const COMMAND = {
  name: 'command',
  offset: 0x04,
  size: 2,
  fields: {
    ioSpace: field(0, 0, 'RW'),
    memorySpace: field(1, 1, 'RW'),
    busMaster: field(2, 2, 'RW'),
    parityErrorResponse: field(6, 6, 'RW'),
    serrEnable: field(8, 8, 'RW'),
    interruptDisable: field(10, 10, 'RW'),
  },
} as const satisfies CfgRegister;

/** Status (0x06) and the type-1 secondary status (0x1E) share the error bits. */
const errorStatusFields = {
  masterDataParityError: field(8, 8, 'RW1C'),
  devselTiming: field(10, 9, 'RO'),
  signaledTargetAbort: field(11, 11, 'RW1C'),
  receivedTargetAbort: field(12, 12, 'RW1C'),
  receivedMasterAbort: field(13, 13, 'RW1C'),
  signaledSystemError: field(14, 14, 'RW1C'),
  detectedParityError: field(15, 15, 'RW1C'),
} as const;

export const STATUS = {
  name: 'status',
  offset: 0x06,
  size: 2,
  fields: {
    immediateReadiness: field(0, 0, 'RO'),
    interruptStatus: field(3, 3, 'RO'),
    capabilitiesList: field(4, 4, 'RO'),
    ...errorStatusFields,
  },
} as const satisfies CfgRegister;

export const VENDOR_ID = {
  name: 'vendorId',
  offset: 0x00,
  size: 2,
  fields: { vendorId: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
export const DEVICE_ID = {
  name: 'deviceId',
  offset: 0x02,
  size: 2,
  fields: { deviceId: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
export const REVISION_CLASS = {
  name: 'revisionClass',
  offset: 0x08,
  size: 4,
  fields: {
    revision: field(7, 0, 'RO'),
    progIf: field(15, 8, 'RO'),
    subclass: field(23, 16, 'RO'),
    baseClass: field(31, 24, 'RO'),
  },
} as const satisfies CfgRegister;
export const CACHE_LINE_SIZE = {
  name: 'cacheLineSize',
  offset: 0x0c,
  size: 1,
  fields: { value: field(7, 0, 'RW') },
} as const satisfies CfgRegister;
/** PCIe: the latency timer is RO 0. */
export const LATENCY_TIMER = {
  name: 'latencyTimer',
  offset: 0x0d,
  size: 1,
  fields: { value: field(7, 0, 'RO') },
} as const satisfies CfgRegister;
export const HEADER_TYPE = {
  name: 'headerType',
  offset: 0x0e,
  size: 1,
  fields: { layout: field(6, 0, 'RO'), multiFunction: field(7, 7, 'RO') },
} as const satisfies CfgRegister;
export const BIST = {
  name: 'bist',
  offset: 0x0f,
  size: 1,
  fields: { value: field(7, 0, 'RO') },
} as const satisfies CfgRegister;
export const CAPABILITIES_POINTER = {
  name: 'capabilitiesPointer',
  offset: 0x34,
  size: 1,
  fields: { pointer: field(7, 0, 'RO') },
} as const satisfies CfgRegister;
export const INTERRUPT_LINE = {
  name: 'interruptLine',
  offset: 0x3c,
  size: 1,
  fields: { line: field(7, 0, 'RW') },
} as const satisfies CfgRegister;
/** 0 none, 1..4 = INTA..INTD. */
export const INTERRUPT_PIN = {
  name: 'interruptPin',
  offset: 0x3d,
  size: 1,
  fields: { pin: field(7, 0, 'RO') },
} as const satisfies CfgRegister;

// Type 0 only.
export const CARDBUS_CIS = {
  name: 'cardbusCis',
  offset: 0x28,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
export const SUBSYSTEM = {
  name: 'subsystem',
  offset: 0x2c,
  size: 4,
  fields: { subsystemVendorId: field(15, 0, 'RO'), subsystemId: field(31, 16, 'RO') },
} as const satisfies CfgRegister;
/** Expansion ROM BAR: hardwired 0 (no option ROM), so sizing reads 0 = not implemented. */
export const EXPANSION_ROM_TYPE0 = {
  name: 'expansionRom',
  offset: 0x30,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
export const MIN_GNT_MAX_LAT = {
  name: 'minGntMaxLat',
  offset: 0x3e,
  size: 2,
  fields: { value: field(15, 0, 'RO') },
} as const satisfies CfgRegister;

// Type 1 only.
export const BUS_NUMBERS = {
  name: 'busNumbers',
  offset: 0x18,
  size: 4,
  fields: {
    primary: field(7, 0, 'RW'),
    secondary: field(15, 8, 'RW'),
    subordinate: field(23, 16, 'RW'),
    secondaryLatencyTimer: field(31, 24, 'RO'),
  },
} as const satisfies CfgRegister;
/** No I/O forwarding: I/O base/limit read 0 whatever is written (Linux then skips the I/O window). */
export const IO_BASE_LIMIT = {
  name: 'ioBaseLimit',
  offset: 0x1c,
  size: 2,
  fields: { value: field(15, 0, 'RO') },
} as const satisfies CfgRegister;
export const SECONDARY_STATUS = {
  name: 'secondaryStatus',
  offset: 0x1e,
  size: 2,
  fields: errorStatusFields,
} as const satisfies CfgRegister;
/** Memory base/limit: address bits [31:20] in [15:4]. */
export const MEMORY_BASE = {
  name: 'memoryBase',
  offset: 0x20,
  size: 2,
  fields: { address: field(15, 4, 'RW') },
} as const satisfies CfgRegister;
export const MEMORY_LIMIT = {
  name: 'memoryLimit',
  offset: 0x22,
  size: 2,
  fields: { address: field(15, 4, 'RW') },
} as const satisfies CfgRegister;
/** Prefetchable base/limit: [3:0] = 1 (64-bit decode), address bits [31:20] in [15:4]. */
export const PREF_BASE = {
  name: 'prefBase',
  offset: 0x24,
  size: 2,
  fields: { addressing: field(3, 0, 'RO'), address: field(15, 4, 'RW') },
} as const satisfies CfgRegister;
export const PREF_LIMIT = {
  name: 'prefLimit',
  offset: 0x26,
  size: 2,
  fields: { addressing: field(3, 0, 'RO'), address: field(15, 4, 'RW') },
} as const satisfies CfgRegister;
export const PREF_BASE_UPPER = {
  name: 'prefBaseUpper',
  offset: 0x28,
  size: 4,
  fields: { address: field(31, 0, 'RW') },
} as const satisfies CfgRegister;
export const PREF_LIMIT_UPPER = {
  name: 'prefLimitUpper',
  offset: 0x2c,
  size: 4,
  fields: { address: field(31, 0, 'RW') },
} as const satisfies CfgRegister;
export const IO_UPPER = {
  name: 'ioUpper',
  offset: 0x30,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
export const EXPANSION_ROM_TYPE1 = {
  name: 'expansionRom',
  offset: 0x38,
  size: 4,
  fields: { value: field(31, 0, 'RO') },
} as const satisfies CfgRegister;
export const BRIDGE_CONTROL = {
  name: 'bridgeControl',
  offset: 0x3e,
  size: 2,
  fields: {
    parityErrorResponse: field(0, 0, 'RW'),
    serrEnable: field(1, 1, 'RW'),
    isaEnable: field(2, 2, 'RW'),
    vgaEnable: field(3, 3, 'RW'),
    vga16: field(4, 4, 'RW'),
    masterAbortMode: field(5, 5, 'RO'),
    secondaryBusReset: field(6, 6, 'RW'),
  },
} as const satisfies CfgRegister;

/** BAR registers start here (type 0: 6 BARs; type 1: 2). */
export const BAR0_OFFSET = 0x10;

const COMMON_HEADER: readonly CfgRegister[] = [
  VENDOR_ID,
  DEVICE_ID,
  COMMAND,
  STATUS,
  REVISION_CLASS,
  CACHE_LINE_SIZE,
  LATENCY_TIMER,
  HEADER_TYPE,
  BIST,
  CAPABILITIES_POINTER,
  INTERRUPT_LINE,
  INTERRUPT_PIN,
];
export const TYPE0_HEADER: readonly CfgRegister[] = [
  ...COMMON_HEADER,
  CARDBUS_CIS,
  SUBSYSTEM,
  EXPANSION_ROM_TYPE0,
  MIN_GNT_MAX_LAT,
];
export const TYPE1_HEADER: readonly CfgRegister[] = [
  ...COMMON_HEADER,
  BUS_NUMBERS,
  IO_BASE_LIMIT,
  SECONDARY_STATUS,
  MEMORY_BASE,
  MEMORY_LIMIT,
  PREF_BASE,
  PREF_LIMIT,
  PREF_BASE_UPPER,
  PREF_LIMIT_UPPER,
  IO_UPPER,
  EXPANSION_ROM_TYPE1,
  BRIDGE_CONTROL,
];

export interface HeaderIds {
  vendorId: number;
  deviceId: number;
  revision?: number;
  /** 24-bit class code: base class [23:16], subclass [15:8], prog-if [7:0] (type 3: 0x050210). */
  classCode: number;
  /** 0 none, 1..4 INTA..INTD. */
  interruptPin?: number;
}

export interface Type0HeaderOptions extends HeaderIds {
  subsystemVendorId?: number;
  subsystemId?: number;
}

export type Type1HeaderOptions = HeaderIds;

function checkU(what: string, name: string, v: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits)
    throw new PciConfigError(what, `${name} must be an integer in 0..${2 ** bits - 1}, got ${v}`);
}

function commonIds(cs: ConfigSpace, o: HeaderIds, layout: number, what: string): void {
  checkU(what, 'vendorId', o.vendorId, 16);
  checkU(what, 'deviceId', o.deviceId, 16);
  checkU(what, 'classCode', o.classCode, 24);
  checkU(what, 'revision', o.revision ?? 0, 8);
  const pin = o.interruptPin ?? 0;
  if (!Number.isInteger(pin) || pin < 0 || pin > 4)
    throw new PciConfigError(what, `interruptPin must be 0 (none) or 1..4 (INTA..INTD), got ${pin}`);
  cs.setRaw(VENDOR_ID.offset, 2, o.vendorId);
  cs.setRaw(DEVICE_ID.offset, 2, o.deviceId);
  cs.setRaw(REVISION_CLASS.offset, 4, (o.classCode * 256 + (o.revision ?? 0)) >>> 0);
  cs.setField(0, HEADER_TYPE, 'layout', layout);
  cs.setField(0, INTERRUPT_PIN, 'pin', pin);
}

/** Type-0 (endpoint) header: masks of every header register; BARs stay RO 0 until bar.ts declares them. */
export function buildType0Header(cs: ConfigSpace, o: Type0HeaderOptions, what = 'type-0 header'): void {
  cs.declareAll(0, TYPE0_HEADER);
  for (let i = 0; i < 6; i++) cs.setMasks(BAR0_OFFSET + 4 * i, 4, 0);
  commonIds(cs, o, 0, what);
  checkU(what, 'subsystemVendorId', o.subsystemVendorId ?? 0, 16);
  checkU(what, 'subsystemId', o.subsystemId ?? 0, 16);
  cs.setField(0, SUBSYSTEM, 'subsystemVendorId', o.subsystemVendorId ?? 0);
  cs.setField(0, SUBSYSTEM, 'subsystemId', o.subsystemId ?? 0);
}

/** Type-1 (PCI-PCI bridge: root port, switch port) header. */
export function buildType1Header(cs: ConfigSpace, o: Type1HeaderOptions, what = 'type-1 header'): void {
  cs.declareAll(0, TYPE1_HEADER);
  for (let i = 0; i < 2; i++) cs.setMasks(BAR0_OFFSET + 4 * i, 4, 0);
  commonIds(cs, o, 1, what);
  cs.setField(0, PREF_BASE, 'addressing', 1);
  cs.setField(0, PREF_LIMIT, 'addressing', 1);
}

/** Header layout (0 endpoint, 1 bridge) of a built space. */
export function headerLayout(cs: ConfigSpace): number {
  return cs.getField(0, HEADER_TYPE, 'layout');
}

/**
 * The bits of a register at `regOffset` (`regSize` bytes) that a write of `size` bytes at `offset`
 * touched, positioned as in the register (bytes not written are 0). For hooks that act on
 * write-1 bits (Go, Abort) whatever the access width.
 */
export function writtenBits(offset: number, size: number, value: number, regOffset: number, regSize = 4): number {
  let v = 0;
  for (let i = 0; i < size; i++) {
    const o = offset + i - regOffset;
    if (o < 0 || o >= regSize) continue;
    v += ((value >>> (8 * i)) & 0xff) * 2 ** (8 * o);
  }
  return v >>> 0;
}
