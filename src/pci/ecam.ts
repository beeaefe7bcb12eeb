// The one ECAM (PCIe r6.0 §7.2.2; DESIGN.md Board: 0x3000_0000, 256 MiB = buses 0..255): decodes
// bus/device/function/register from the offset, hands the bus to the host bridge owning it, and
// through it to type-1 bridges by their bus numbers. Absent functions read all ones and ignore
// writes. Owns decode and the BarMapper of the PCIe MMIO window; never builds devices.

import type { AddressSpace, MemoryRegion, MmioOps } from '../memory/index.js';
import { BarMapper } from './bar.js';
import { PciConfigError } from './errors.js';
import {
  type DroppedWrite,
  type MemoryWriteSink,
  PciHostBridge,
  type HostBridgeOptions,
  type PciFunction,
} from './topology.js';

export const ECAM_BASE = 0x3000_0000;
/** 256 buses x 32 devices x 8 functions x 4 KiB. */
export const ECAM_SIZE = 0x1000_0000;
export const PCIE_MMIO_WINDOW = { base: 0x4000_0000, size: 0x4000_0000 } as const;

/** ECAM offset of bus/device/function/register: bus << 20 | device << 15 | function << 12 | reg. */
export function ecamOffset(bus: number, device: number, fn: number, reg = 0): number {
  return bus * 2 ** 20 + device * 2 ** 15 + fn * 2 ** 12 + reg;
}

/** Inverse of ecamOffset. */
export function decodeEcamOffset(offset: number): { bus: number; device: number; fn: number; reg: number } {
  return {
    bus: Math.floor(offset / 2 ** 20),
    device: (offset >>> 15) & 31,
    fn: (offset >>> 12) & 7,
    reg: offset & 0xfff,
  };
}

export interface EcamOptions {
  base?: number;
  size?: number;
  /** Where BARs may be mapped (default the board's PCIe MMIO window). */
  mmioWindow?: { base: number; size: number };
  /** When given, BARs are mapped here as guests enable them, and `map()` can place the ECAM. */
  space?: AddressSpace;
}

export interface PciStateSnapshot {
  version: 1;
  functions: { name: string; config: string }[];
}

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

export class Ecam implements MmioOps {
  readonly valid = { min: 1, max: 4 } as const;
  readonly impl = { min: 1, max: 4 } as const;
  readonly base: number;
  readonly size: number;
  readonly buses: number;
  readonly mmioWindow: { base: number; size: number };
  readonly hostBridges: PciHostBridge[] = [];
  readonly mapper: BarMapper | null;
  /** INTx changes of every function below every host bridge, present or added later (intx.ts). */
  onIntx: ((f: PciFunction, level: boolean) => void) | null = null;
  /**
   * Upstream memory writes (MSI-X messages) of every function below every host bridge. The board
   * sets it to a DWORD store into the system address space; while null, writes are dropped and
   * counted in `droppedWrites` / `lastDroppedWrite`.
   */
  onMemoryWrite: MemoryWriteSink | null = null;
  droppedWrites = 0;
  lastDroppedWrite: DroppedWrite | null = null;
  private readonly explicitLast = new Map<PciHostBridge, number | undefined>();
  private region: MemoryRegion | null = null;

  constructor(private readonly o: EcamOptions = {}) {
    this.base = o.base ?? ECAM_BASE;
    this.size = o.size ?? ECAM_SIZE;
    if (this.size % 2 ** 20 !== 0 || this.size < 2 ** 20 || this.size > ECAM_SIZE) {
      throw new PciConfigError('ECAM', `size must be 1..256 MiB in whole buses (1 MiB each), got ${this.size}`);
    }
    this.buses = this.size / 2 ** 20;
    this.mmioWindow = o.mmioWindow ?? PCIE_MMIO_WINDOW;
    this.mapper = o.space ? new BarMapper(o.space, this.mmioWindow) : null;
  }

  /** Add a host bridge owning [busNr, busLast]; busLast defaults to the next bridge's busNr - 1. */
  addHostBridge(o: HostBridgeOptions): PciHostBridge {
    const hb = new PciHostBridge(o);
    const what = `host bridge ${o.name}`;
    if (o.busNr >= this.buses)
      throw new PciConfigError(what, `bus_nr ${o.busNr} is past the ECAM's last bus ${this.buses - 1}`);
    if (o.busLast !== undefined && (!Number.isInteger(o.busLast) || o.busLast < o.busNr || o.busLast >= this.buses)) {
      throw new PciConfigError(what, `busLast must be in bus_nr..${this.buses - 1}, got ${o.busLast}`);
    }
    if (this.hostBridges.some((h) => h.name === o.name)) throw new PciConfigError(what, 'name already used');
    this.explicitLast.set(hb, o.busLast);
    const next = [...this.hostBridges, hb].sort((a, b) => a.busNr - b.busNr);
    for (let i = 0; i + 1 < next.length; i++) {
      if (next[i]!.busNr === next[i + 1]!.busNr)
        throw new PciConfigError(
          what,
          `bus_nr ${o.busNr} already owned by ${next[i]!.name === o.name ? next[i + 1]!.name : next[i]!.name}`,
        );
    }
    // Effective ranges: explicit busLast, else up to the next bridge; they must not overlap.
    for (let i = 0; i < next.length; i++) {
      const h = next[i]!;
      const limit = i + 1 < next.length ? next[i + 1]!.busNr - 1 : this.buses - 1;
      const ex = this.explicitLast.get(h);
      if (ex !== undefined && ex > limit) {
        throw new PciConfigError(
          what,
          `bus range ${h.busNr}..${ex} of ${h.name} overlaps ${next[i + 1]!.name} from bus ${next[i + 1]!.busNr}`,
        );
      }
    }
    for (let i = 0; i < next.length; i++) {
      const h = next[i]!;
      h.busLast = this.explicitLast.get(h) ?? (i + 1 < next.length ? next[i + 1]!.busNr - 1 : this.buses - 1);
    }
    this.hostBridges.splice(0, this.hostBridges.length, ...next);
    hb.onDecodeChange = () => this.refreshBars();
    hb.onIntx = (f, level) => this.onIntx?.(f, level);
    hb.onMemoryWrite = (address, value, f) => {
      if (this.onMemoryWrite) this.onMemoryWrite(address, value, f);
      else {
        this.droppedWrites++;
        this.lastDroppedWrite = { from: f.name, address, value };
      }
    };
    return hb;
  }

  /** The host bridge owning `bus`, or null. */
  hostFor(bus: number): PciHostBridge | null {
    for (const h of this.hostBridges) if (bus >= h.busNr && bus <= h.busLast) return h;
    return null;
  }

  /** The function a config access to bus/device/function reaches, or null. */
  functionAt(bus: number, device: number, fn: number): PciFunction | null {
    return this.hostFor(bus)?.route(bus, device, fn) ?? null;
  }

  /** Every function below every host bridge. */
  *functions(): IterableIterator<PciFunction> {
    for (const h of this.hostBridges) yield* h.allFunctions();
  }

  // ---- MmioOps ----

  read(offset: number, size: 1 | 2 | 4): number {
    const f = this.target(offset);
    if (f === null) return ALL_ONES[size];
    return f.config.read(offset & 0xfff, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const f = this.target(offset);
    if (f !== null) f.config.write(offset & 0xfff, size, value);
  }

  private target(offset: number): PciFunction | null {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) return null;
    return this.functionAt(Math.floor(offset / 2 ** 20), (offset >>> 15) & 31, (offset >>> 12) & 7);
  }

  /** Map the ECAM at its base in the address space given at construction. */
  map(priority = 0): MemoryRegion {
    const space = this.o.space;
    if (!space) throw new PciConfigError('ECAM', 'map() needs the `space` option');
    if (this.region) return this.region;
    this.region = space.mmio('pcie-ecam', this.base, this.size, this, priority);
    return this.region;
  }

  /**
   * Guest-programmed config state of every function, by name (bus numbers, BARs, command, windows,
   * capability control registers), for saved machine state. In-flight DOE exchanges are not kept:
   * a restored mailbox is idle.
   */
  snapshotState(): PciStateSnapshot {
    const functions: PciStateSnapshot['functions'] = [];
    for (const f of this.functions()) functions.push({ name: f.name, config: toHex(f.config.bytes) });
    return { version: 1, functions };
  }

  /** Put back a snapshot taken on a machine built the same way; BAR mappings follow. */
  restoreState(s: PciStateSnapshot): void {
    const byName = new Map([...this.functions()].map((f) => [f.name, f]));
    if (s.version !== 1) throw new PciConfigError('PCI state', `version must be 1, got ${String(s.version)}`);
    for (const [i, e] of s.functions.entries()) {
      const f = byName.get(e.name);
      if (!f) throw new PciConfigError(`PCI state functions[${i}]`, `no function named "${e.name}" in this machine`);
      if (!/^[0-9a-f]*$/.test(e.config) || e.config.length !== 2 * f.config.bytes.length) {
        throw new PciConfigError(`PCI state functions[${i}].config`, `must be ${f.config.bytes.length} bytes as hex`);
      }
    }
    for (const e of s.functions) {
      const cs = byName.get(e.name)!.config;
      cs.ensureResetImage(); // a reset after restore still returns to the built image
      cs.bytes.set(fromHex(e.config));
    }
    this.refreshBars();
  }

  /** Re-evaluate every BAR mapping (called after any decode-relevant config write). */
  refreshBars(): void {
    this.mapper?.refresh(this.functions());
  }
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
