// CLINT (SiFive core-local interruptor) as QEMU's `virt` board has it at 0x0200_0000: msip at 0x0,
// mtimecmp at 0x4000, mtime at 0xBFF8, 10 MHz timebase. Owns mtime/mtimecmp/msip for one hart and
// drives its MSIP and MTIP lines; never reads the hart itself (the board hands it an instret source).
//
// Time is deterministic by default: mtime advances one tick per `instructionsPerTick` (default 10)
// instructions retired, i.e. the 10 MHz timebase at a nominal 100 MIPS, so a run is reproducible.
// `realtime` ties mtime to the host's monotonic clock instead. mtime is a Number: exact below 2^53
// ticks (28 years at 10 MHz); guest writes above that are rounded (docs/board.md).
// mtimecmp reads 0 after reset and MTIP stays low until the guest first writes it (QEMU does the
// same: it evaluates the timer only on mtimecmp writes).

import type { MmioOps } from '../memory/index.js';
import { NO_IRQ, type IrqLine } from './irq.js';

export const CLINT_SIZE = 0x10000;
export const CLINT_MSIP = 0x0000;
export const CLINT_MTIMECMP = 0x4000;
export const CLINT_MTIME = 0xbff8;
/** QEMU virt's timebase (the FDT's timebase-frequency). */
export const TIMEBASE_HZ = 10_000_000;
/** Default deterministic ratio: 10 MHz timebase at a nominal 100 MIPS. */
export const DEFAULT_INSTRUCTIONS_PER_TICK = 10;

const TWO32 = 0x1_0000_0000;

export interface ClintOptions {
  /** Instructions retired so far by the hart (deterministic time source). */
  instret: () => number;
  /** Tie mtime to the host clock instead of instret. */
  realtime?: boolean;
  /** Deterministic ratio; must be a positive integer. */
  instructionsPerTick?: number;
  /** Host monotonic clock in milliseconds (realtime mode); default performance.now. */
  nowMs?: () => number;
  msip?: IrqLine;
  mtip?: IrqLine;
  /** Called when the guest changes mtimecmp or mtime, so the board can re-plan its slice. */
  onTimerChange?: () => void;
}

export class Clint implements MmioOps {
  readonly valid = { min: 4, max: 8 } as const;
  readonly impl = { min: 4, max: 4 } as const;

  readonly realtime: boolean;
  readonly instructionsPerTick: number;
  private readonly instret: () => number;
  private readonly nowMs: () => number;
  private readonly msipLine: IrqLine;
  private readonly mtipLine: IrqLine;
  private readonly onTimerChange: () => void;

  /** mtime = mtimeBase + ticks elapsed since (instretBase | nowBase). */
  private mtimeBase = 0;
  private instretBase = 0;
  private nowBase: number;
  private cmpLo = 0;
  private cmpHi = 0;
  private cmp = 0;
  private armed = false;
  private msipBit = 0;
  private mtipLevel = false;
  /** High half latched by a read of mtime's low half (so an 8-byte read never tears). */
  private latchedHi = -1;

  constructor(opts: ClintOptions) {
    this.instret = opts.instret;
    this.realtime = opts.realtime ?? false;
    const ipt = opts.instructionsPerTick ?? DEFAULT_INSTRUCTIONS_PER_TICK;
    if (!Number.isInteger(ipt) || ipt < 1) {
      throw new RangeError(`CLINT instructionsPerTick must be a positive integer, got ${ipt}`);
    }
    this.instructionsPerTick = ipt;
    this.nowMs = opts.nowMs ?? (() => performance.now());
    this.msipLine = opts.msip ?? NO_IRQ;
    this.mtipLine = opts.mtip ?? NO_IRQ;
    this.onTimerChange = opts.onTimerChange ?? (() => {});
    this.nowBase = this.nowMs();
  }

  /** Current mtime in ticks (the hart's `time` CSR reads this). */
  mtime(): number {
    if (this.realtime) {
      return this.mtimeBase + Math.floor((this.nowMs() - this.nowBase) * (TIMEBASE_HZ / 1000));
    }
    return this.mtimeBase + Math.floor((this.instret() - this.instretBase) / this.instructionsPerTick);
  }

  /** mtimecmp as a Number (rounded above 2^53), or undefined while the guest has not armed it. */
  get mtimecmp(): number | undefined {
    return this.armed ? this.cmp : undefined;
  }

  get mtip(): boolean {
    return this.mtipLevel;
  }

  get msip(): boolean {
    return this.msipBit !== 0;
  }

  /** Re-evaluate MTIP against the current mtime (the board calls this at slice boundaries). */
  update(): void {
    const level = this.armed && this.mtime() >= this.cmp;
    if (level !== this.mtipLevel) {
      this.mtipLevel = level;
      this.mtipLine(level);
    }
  }

  /**
   * Deterministic mode: the instret at which mtime reaches mtimecmp (so the board ends a slice
   * exactly there), or Infinity when no timer is armed or it has already fired.
   */
  instretOfNextEvent(): number {
    if (!this.armed || this.realtime) return Infinity;
    if (this.mtime() >= this.cmp) return Infinity;
    return this.instretBase + (this.cmp - this.mtimeBase) * this.instructionsPerTick;
  }

  /** Realtime mode: host milliseconds until mtime reaches mtimecmp (Infinity if unarmed). */
  msUntilNextEvent(): number {
    if (!this.armed) return Infinity;
    const ticks = this.cmp - this.mtime();
    return ticks <= 0 ? 0 : ticks / (TIMEBASE_HZ / 1000);
  }

  /**
   * WFI with nothing pending: jump mtime forward to mtimecmp (deterministic mode) and raise MTIP.
   * Returns false when there is nothing to skip to: no timer armed, or mtime already reached it
   * (then MTIP is already up and the hart still waits: it has MTIE clear, so only other sources
   * can wake it).
   */
  skipToNextEvent(): boolean {
    if (!this.armed || this.realtime) return false;
    const now = this.mtime();
    if (now >= this.cmp) {
      this.update();
      return false;
    }
    this.rebase(this.cmp);
    this.update();
    return true;
  }

  private rebase(mtime: number): void {
    this.mtimeBase = mtime;
    this.instretBase = this.instret();
    this.nowBase = this.nowMs();
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    if (offset === CLINT_MSIP) return this.msipBit;
    if (offset === CLINT_MTIMECMP) return this.cmpLo;
    if (offset === CLINT_MTIMECMP + 4) return this.cmpHi;
    if (offset === CLINT_MTIME) {
      const t = this.mtime();
      this.latchedHi = Math.floor(t / TWO32) % TWO32;
      return t % TWO32;
    }
    if (offset === CLINT_MTIME + 4) {
      const hi = this.latchedHi >= 0 ? this.latchedHi : Math.floor(this.mtime() / TWO32) % TWO32;
      this.latchedHi = -1;
      return hi;
    }
    // Other harts' registers (one hart only) and reserved space read as zero.
    return 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.latchedHi = -1;
    const v = value >>> 0;
    if (offset === CLINT_MSIP) {
      const bit = v & 1;
      if (bit !== this.msipBit) {
        this.msipBit = bit;
        this.msipLine(bit !== 0);
      }
      return;
    }
    if (offset === CLINT_MTIMECMP || offset === CLINT_MTIMECMP + 4) {
      if (offset === CLINT_MTIMECMP) this.cmpLo = v;
      else this.cmpHi = v;
      this.cmp = this.cmpHi * TWO32 + this.cmpLo;
      this.armed = true;
      this.update();
      this.onTimerChange();
      return;
    }
    if (offset === CLINT_MTIME || offset === CLINT_MTIME + 4) {
      const t = this.mtime();
      let lo = t % TWO32;
      let hi = Math.floor(t / TWO32) % TWO32;
      if (offset === CLINT_MTIME) lo = v;
      else hi = v;
      this.rebase(hi * TWO32 + lo);
      this.update();
      this.onTimerChange();
    }
  }
}
