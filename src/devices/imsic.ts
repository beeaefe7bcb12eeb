// IMSIC (incoming MSI controller, RISC-V AIA 1.0 chapter 3): one interrupt file per hart and
// privilege level. A file holds the pending (eip) and enable (eie) bits of identities 1..numIds,
// eidelivery and eithreshold. Devices set a pending bit by writing the identity to the file's
// 4 KiB page (seteipnum_le at +0, seteipnum_be at +4); the hart reads and writes the rest through
// its *iselect/*ireg CSRs and claims with *topei. Owns the file state, the page layout and the
// file's output (MEIP or SEIP); never imports the CPU (the hart sees a file through the
// InterruptFileCsrs shape, which ImsicFile fulfils).

import type { MmioOps } from '../memory/index.js';
import { NO_IRQ, type IrqLine } from './irq.js';

/** Interrupt identities per file, as QEMU virt has them (riscv,num-ids = 255). */
export const IMSIC_NUM_IDS = 255;
/** One interrupt file's page. */
export const IMSIC_FILE_SIZE = 0x1000;
/** *iselect numbers of the interrupt file's registers (AIA 3.8). */
export const ISELECT = Object.freeze({
  eidelivery: 0x70,
  eithreshold: 0x72,
  eip0: 0x80,
  eip63: 0xbf,
  eie0: 0xc0,
  eie63: 0xff,
});
/** Page offsets of the two write-only registers. */
const SETEIPNUM_LE = 0x0;
const SETEIPNUM_BE = 0x4;

/** One interrupt file. */
export class ImsicFile {
  readonly numIds: number;
  private readonly eip: Uint32Array;
  private readonly eie: Uint32Array;
  private eidelivery = 0;
  private eithreshold = 0;
  private level = false;
  private readonly out: IrqLine;
  /** eithreshold holds as many bits as an identity needs (AIA 3.9.2). */
  private readonly thresholdMask: number;

  constructor(opts: { numIds?: number; out?: IrqLine } = {}) {
    const n = opts.numIds ?? IMSIC_NUM_IDS;
    // The spec allows 63..2047 identities in steps of 64 (numIds + 1 a multiple of 64).
    if (!Number.isInteger(n) || n < 63 || n > 2047 || (n + 1) % 64 !== 0)
      throw new RangeError(`IMSIC interrupt file: numIds must be 63, 127, ..., 2047, got ${n}`);
    this.numIds = n;
    this.eip = new Uint32Array((n + 1) / 32);
    this.eie = new Uint32Array((n + 1) / 32);
    this.thresholdMask = 2 ** Math.ceil(Math.log2(n + 1)) - 1;
    this.out = opts.out ?? NO_IRQ;
  }

  /** A message arrived: identity `id` becomes pending (identities outside 1..numIds are ignored). */
  setPending(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > this.numIds) return;
    this.eip[id >>> 5]! |= 1 << (id & 31);
    this.update();
  }

  pending(id: number): boolean {
    return id >= 1 && id <= this.numIds && (this.eip[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  enabled(id: number): boolean {
    return id >= 1 && id <= this.numIds && (this.eie[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  /**
   * The highest-priority (lowest-numbered) identity pending and enabled below eithreshold (when
   * it is not zero), or 0. Independent of eidelivery, as *topei is.
   */
  top(): number {
    const limit = this.eithreshold === 0 ? this.numIds : Math.min(this.numIds, this.eithreshold - 1);
    for (let w = 0; w < this.eip.length; w++) {
      const m = this.eip[w]! & this.eie[w]!;
      if (m === 0) continue;
      const id = w * 32 + (31 - Math.clz32(m & -m));
      return id <= limit ? id : 0;
    }
    return 0;
  }

  /** *topei's value: identity in bits 26:16 and again in 10:0 (its priority), or 0. */
  topei(): number {
    const id = this.top();
    return id === 0 ? 0 : (id << 16) | id;
  }

  /** A write to *topei: clear the pending bit of the identity *topei reported. */
  claim(): void {
    const id = this.top();
    if (id === 0) return;
    this.eip[id >>> 5]! &= ~(1 << (id & 31));
    this.update();
  }

  /**
   * Read register `sel` (an *iselect value 0x70..0xff) as a 64-bit CSR; false when it does not
   * exist on RV64 (the hart raises illegal instruction).
   */
  read(sel: number, o: { lo: number; hi: number }): boolean {
    o.lo = 0;
    o.hi = 0;
    if (sel === ISELECT.eidelivery) {
      o.lo = this.eidelivery;
      return true;
    }
    if (sel === ISELECT.eithreshold) {
      o.lo = this.eithreshold;
      return true;
    }
    const arr = this.arrayOf(sel);
    if (arr === null) return false;
    // eipK / eieK with K even hold identities 32K .. 32K+63 on RV64.
    const w = sel & 0x3f;
    o.lo = arr[w] ?? 0;
    o.hi = arr[w + 1] ?? 0;
    return true;
  }

  /** Write register `sel`; false when it does not exist on RV64. */
  write(sel: number, lo: number, hi: number): boolean {
    if (sel === ISELECT.eidelivery) {
      this.eidelivery = lo & 1; // WARL: 0 off, 1 on (0x40000000, APLIC direct mode, unsupported)
      this.update();
      return true;
    }
    if (sel === ISELECT.eithreshold) {
      this.eithreshold = lo & this.thresholdMask;
      this.update();
      return true;
    }
    const arr = this.arrayOf(sel);
    if (arr === null) return false;
    const w = sel & 0x3f;
    if (w < arr.length) arr[w] = w === 0 ? lo & ~1 : lo; // identity 0 does not exist
    if (w + 1 < arr.length) arr[w + 1] = hi;
    this.update();
    return true;
  }

  /** Back to reset: nothing pending or enabled, delivery off, threshold 0. */
  reset(): void {
    this.eip.fill(0);
    this.eie.fill(0);
    this.eidelivery = 0;
    this.eithreshold = 0;
    this.update();
  }

  /** eip or eie for an even register number, null for odd ones (RV64) and other values. */
  private arrayOf(sel: number): Uint32Array | null {
    if (sel < ISELECT.eip0 || sel > ISELECT.eie63 || (sel & 1) !== 0) return null;
    return sel < ISELECT.eie0 ? this.eip : this.eie;
  }

  private update(): void {
    const level = this.eidelivery === 1 && this.top() !== 0;
    if (level === this.level) return;
    this.level = level;
    this.out(level);
  }
}

/**
 * The pages of one privilege level's interrupt files, one per hart at `stride` bytes (hart index
 * = offset / stride). Only 32-bit writes to seteipnum_le/_be do anything; every read is 0.
 */
export class ImsicPages implements MmioOps {
  readonly valid = { min: 4, max: 4 } as const;
  readonly impl = { min: 4, max: 4 } as const;
  readonly size: number;

  constructor(
    readonly files: readonly ImsicFile[],
    readonly stride = IMSIC_FILE_SIZE,
  ) {
    this.size = files.length * stride;
  }

  read(): number {
    return 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const file = this.files[Math.floor(offset / this.stride)];
    const reg = offset % this.stride;
    if (file === undefined) return;
    if (reg === SETEIPNUM_LE) file.setPending(value >>> 0);
    else if (reg === SETEIPNUM_BE) file.setPending(byteSwap32(value) >>> 0);
  }
}

function byteSwap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
