// MSI-X (PCI Local Bus 3.0 §6.8.2; PCIe r6.0 §6.1.4, §7.7.2): the capability in config space, the
// vector table and Pending Bit Array behind a BAR, and `notify(vector)`, which a device model calls
// for one interrupt event. Owns the capability's registers, the table/PBA bytes and the masking
// rules; never knows where a message lands (the function hands it to its host bridge as an upstream
// memory write, and the board connects that to the system address space).

import { addCapability, CapId } from './cap-list.js';
import { COMMAND, type ConfigSpace, field, type CfgRegister } from './config-space.js';
import { PciConfigError } from './errors.js';
import type { MmioOps } from '../memory/index.js';

/** Capability length: header, Message Control, Table Offset/BIR, PBA Offset/BIR. */
export const MSIX_CAP_LENGTH = 12;
/** Bytes per table entry: Message Address lo, hi, Message Data, Vector Control. */
export const MSIX_ENTRY_SIZE = 16;
/** Table Size is N - 1 in 11 bits. */
export const MSIX_MAX_VECTORS = 2048;

export const MSIX_CONTROL = {
  name: 'msixControl',
  offset: 0x02,
  size: 2,
  fields: { tableSize: field(10, 0, 'RO'), functionMask: field(14, 14, 'RW'), enable: field(15, 15, 'RW') },
} as const satisfies CfgRegister;
/** Table Offset/BIR; the PBA register has the same layout. Offsets are QWORD aligned ([2:0] hold the BIR). */
export const MSIX_TABLE = {
  name: 'msixTable',
  offset: 0x04,
  size: 4,
  fields: { bir: field(2, 0, 'RO'), offset: field(31, 3, 'RO') },
} as const satisfies CfgRegister;
export const MSIX_PBA = {
  name: 'msixPba',
  offset: 0x08,
  size: 4,
  fields: { bir: field(2, 0, 'RO'), offset: field(31, 3, 'RO') },
} as const satisfies CfgRegister;

/** Byte offsets inside one table entry. */
export const MSIX_ENTRY = { addressLo: 0x0, addressHi: 0x4, data: 0x8, vectorControl: 0xc } as const;
/** Vector Control bit 0: the entry is masked (set at reset). */
export const MSIX_VECTOR_MASKED = 1;

/** What `notify` did with one interrupt event. */
export type MsixOutcome =
  /** The message (a DWORD memory write) went upstream. */
  | 'sent'
  /** The function or the entry is masked: the Pending bit is set, the message goes at unmask. */
  | 'pending'
  /** MSI-X Enable is clear: nothing happens here (the device uses INTx instead). */
  | 'disabled'
  /** Bus Master Enable is clear: the message cannot be issued and is lost (counted). */
  | 'no-bus-master'
  /** Vector number outside the table: a device-model bug, counted, never thrown. */
  | 'bad-vector';

/** What MSI-X needs of its function (PciFunction implements it). */
export interface MsixFunction {
  readonly name: string;
  readonly config: ConfigSpace;
  msix: Msix | null;
  /** Send a DWORD upstream memory write (through the host bridge). */
  memoryWrite(address: number, value: number): void;
  /** MSI-X Enable changed: re-evaluate the INTx pin (an enabled function must not drive INTx). */
  refreshIntx(): void;
}

export interface MsixOptions {
  /** Number of table entries, 1..2048. */
  vectors: number;
  /** BAR (0..5) holding the table and the PBA. */
  bir: number;
  /** Offsets in that BAR (QWORD aligned; default: table at 0, PBA right after it). */
  tableOffset?: number;
  pbaOffset?: number;
}

const TWO32 = 2 ** 32;

/**
 * One function's MSI-X: build it, declare a BAR with `ops: msix` of at least `barSize` bytes, then
 * `msix.install(fn)` adds the capability. Guest access to the BAR region: the table at
 * `tableOffset`, the PBA at `pbaOffset`, everything else reads 0 and ignores writes.
 *
 * Access rules. The spec requires aligned DWORD or QWORD accesses to the table and the PBA and leaves
 * others undefined; here reads of any width or alignment return the bytes, QWORD accesses arrive as
 * two DWORDs (low first, the memory layer splits them), and a write that is not an aligned DWORD
 * (after that split) is ignored and counted in `ignoredWrites`. The PBA is read-only (writes ignored).
 * Message Address bits [1:0] read 0 (the spec makes software write 0 there for DWORD alignment).
 */
export class Msix implements MmioOps {
  readonly valid = { min: 1, max: 8, unaligned: true } as const;
  readonly impl = { min: 1, max: 4 } as const;
  readonly vectors: number;
  readonly bir: number;
  readonly tableOffset: number;
  readonly pbaOffset: number;
  /** Smallest BAR (a power of two, at least 4 KiB) holding table and PBA at their offsets. */
  readonly barSize: number;
  /** Config-space offset of the capability (0 until installed). */
  capOffset = 0;
  /** Messages sent, lost for want of Bus Master Enable, and bad vector numbers. */
  readonly counts = { sent: 0, pending: 0, noBusMaster: 0, badVector: 0 };
  /** Guest writes ignored for their width or alignment. */
  ignoredWrites = 0;
  private readonly table: Uint32Array;
  private readonly pending: Uint8Array;
  private fn: MsixFunction | null = null;

  constructor(o: MsixOptions) {
    const what = 'MSI-X';
    if (!Number.isInteger(o.vectors) || o.vectors < 1 || o.vectors > MSIX_MAX_VECTORS)
      throw new PciConfigError(what, `vectors must be 1..${MSIX_MAX_VECTORS}, got ${o.vectors}`);
    if (!Number.isInteger(o.bir) || o.bir < 0 || o.bir > 5)
      throw new PciConfigError(what, `bir must be a BAR index 0..5, got ${o.bir}`);
    this.vectors = o.vectors;
    this.bir = o.bir;
    const tableBytes = o.vectors * MSIX_ENTRY_SIZE;
    const pbaBytes = Math.ceil(o.vectors / 64) * 8;
    this.tableOffset = o.tableOffset ?? 0;
    this.pbaOffset = o.pbaOffset ?? this.tableOffset + tableBytes;
    for (const [name, off] of [
      ['tableOffset', this.tableOffset],
      ['pbaOffset', this.pbaOffset],
    ] as const) {
      if (!Number.isInteger(off) || off < 0 || off >= TWO32 || off % 8 !== 0)
        throw new PciConfigError(what, `${name} must be a QWORD-aligned 32-bit offset, got ${off}`);
    }
    const overlap = this.tableOffset < this.pbaOffset + pbaBytes && this.pbaOffset < this.tableOffset + tableBytes;
    if (overlap) throw new PciConfigError(what, 'the table and the PBA must not overlap');
    const end = Math.max(this.tableOffset + tableBytes, this.pbaOffset + pbaBytes);
    let size = 4096;
    while (size < end) size *= 2;
    this.barSize = size;
    this.table = new Uint32Array(o.vectors * 4);
    this.pending = new Uint8Array(Math.ceil(o.vectors / 8));
    this.resetTable();
  }

  /** Add the capability to `fn`'s config space (after its other conventional capabilities). */
  install(fn: MsixFunction): number {
    if (this.fn !== null) throw new PciConfigError(`${fn.name} MSI-X`, `already installed on ${this.fn.name}`);
    if (fn.msix !== null) throw new PciConfigError(`${fn.name} MSI-X`, 'the function already has MSI-X');
    const cs = fn.config;
    const off = addCapability(cs, CapId.MsiX, MSIX_CAP_LENGTH, `${fn.name} MSI-X`);
    cs.declare(off, MSIX_CONTROL, this.vectors - 1);
    cs.declare(off, MSIX_TABLE, (this.tableOffset + this.bir) >>> 0);
    cs.declare(off, MSIX_PBA, (this.pbaOffset + this.bir) >>> 0);
    this.capOffset = off;
    this.fn = fn;
    fn.msix = this;
    cs.onWrite(off + MSIX_CONTROL.offset, 2, () => {
      fn.refreshIntx();
      this.flushPending();
    });
    // Setting Bus Master Enable lets pending messages of unmasked entries go.
    cs.onWrite(COMMAND.offset, 2, () => this.flushPending());
    // A function reset restores the control register from the reset image; the table resets too.
    cs.onReset(() => this.resetTable());
    return off;
  }

  get enabled(): boolean {
    return this.fn !== null && this.fn.config.getField(this.capOffset, MSIX_CONTROL, 'enable') === 1;
  }

  get functionMasked(): boolean {
    return this.fn !== null && this.fn.config.getField(this.capOffset, MSIX_CONTROL, 'functionMask') === 1;
  }

  /** Whether the function may issue memory requests (Command.Bus Master Enable). */
  get busMaster(): boolean {
    return this.fn !== null && this.fn.config.getField(0, COMMAND, 'busMaster') === 1;
  }

  entryMasked(vector: number): boolean {
    return (this.table[vector * 4 + 3]! & MSIX_VECTOR_MASKED) !== 0;
  }

  isPending(vector: number): boolean {
    return ((this.pending[vector >>> 3]! >>> (vector & 7)) & 1) === 1;
  }

  /** The message of an entry: address (hi * 2^32 + lo) and data. */
  message(vector: number): { address: number; data: number } {
    const e = vector * 4;
    return { address: this.table[e + 1]! * TWO32 + this.table[e]!, data: this.table[e + 2]! };
  }

  /**
   * One interrupt event on `vector` (edge: one message per call). Enabled and unmasked: the message
   * goes upstream. Masked (function or entry): the Pending bit is set and the message is sent when
   * the vector becomes unmasked (one message however many events came meanwhile, as the spec says).
   * Bus Master Enable clear: PCIe r6.0 §7.5.1.1.3 — a function with Bus Master Enable clear must not
   * issue memory requests, and since MSI/MSI-X messages are memory writes, it issues none; the spec
   * defines no latching for this case, so the message is lost and counted, as in QEMU.
   */
  notify(vector: number): MsixOutcome {
    if (!Number.isInteger(vector) || vector < 0 || vector >= this.vectors) {
      this.counts.badVector++;
      return 'bad-vector';
    }
    if (!this.enabled) return 'disabled';
    if (this.functionMasked || this.entryMasked(vector)) {
      this.setPending(vector, true);
      this.counts.pending++;
      return 'pending';
    }
    if (!this.busMaster) {
      this.counts.noBusMaster++;
      return 'no-bus-master';
    }
    this.send(vector);
    return 'sent';
  }

  /** Device side: the event behind a pending vector went away (the spec lets the function clear it). */
  clearPending(vector: number): void {
    if (Number.isInteger(vector) && vector >= 0 && vector < this.vectors) this.setPending(vector, false);
  }

  // ---- MmioOps: the table and the PBA inside the BAR ----

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.byteAt(offset + i);
    return v;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const t = offset - this.tableOffset;
    if (t >= 0 && t < this.vectors * MSIX_ENTRY_SIZE) {
      if (size !== 4 || t % 4 !== 0) {
        this.ignoredWrites++;
        return;
      }
      this.writeTable(t >>> 2, value >>> 0);
      return;
    }
    // The PBA is read-only; other offsets in the BAR hold nothing.
    this.ignoredWrites++;
  }

  // ---- internals ----

  private byteAt(offset: number): number {
    const t = offset - this.tableOffset;
    if (t >= 0 && t < this.vectors * MSIX_ENTRY_SIZE) return (this.table[t >>> 2]! >>> (8 * (t & 3))) & 0xff;
    const p = offset - this.pbaOffset;
    if (p >= 0 && p < Math.ceil(this.vectors / 64) * 8) return p < this.pending.length ? this.pending[p]! : 0;
    return 0;
  }

  private writeTable(dword: number, value: number): void {
    const vector = dword >>> 2;
    switch (dword & 3) {
      case 0:
        this.table[dword] = (value & ~3) >>> 0; // Message Address [1:0]: DWORD alignment, read 0
        return;
      case 1:
      case 2:
        this.table[dword] = value;
        return;
      default: {
        // Vector Control: only Mask (bit 0) is implemented; [31:1] reserved, read 0 (no TPH steering tags).
        const was = this.entryMasked(vector);
        this.table[dword] = value & MSIX_VECTOR_MASKED;
        if (was && !this.entryMasked(vector)) this.flushPending();
      }
    }
  }

  /** Send every pending message whose vector is now deliverable (enabled, unmasked, bus master). */
  private flushPending(): void {
    if (!this.enabled || this.functionMasked || !this.busMaster) return;
    for (let i = 0; i < this.pending.length; i++) {
      if (this.pending[i] === 0) continue;
      for (let b = 0; b < 8; b++) {
        const v = i * 8 + b;
        if (this.isPending(v) && !this.entryMasked(v)) {
          this.setPending(v, false);
          this.send(v);
        }
      }
    }
  }

  private send(vector: number): void {
    const { address, data } = this.message(vector);
    this.counts.sent++;
    this.fn!.memoryWrite(address, data);
  }

  private setPending(vector: number, on: boolean): void {
    const bit = 1 << (vector & 7);
    const i = vector >>> 3;
    this.pending[i] = on ? this.pending[i]! | bit : this.pending[i]! & ~bit;
  }

  /** Reset state: every entry masked, addresses and data 0, nothing pending. */
  private resetTable(): void {
    this.table.fill(0);
    for (let v = 0; v < this.vectors; v++) this.table[v * 4 + 3] = MSIX_VECTOR_MASKED;
    this.pending.fill(0);
  }
}
