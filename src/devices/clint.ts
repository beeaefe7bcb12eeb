// CLINT (SiFive core-local interruptor) as QEMU's `virt` board has it at 0x0200_0000: msip of hart
// i at 4*i, mtimecmp of hart i at 0x4000 + 8*i, one mtime at 0xBFF8, 10 MHz timebase. Owns mtime and
// each hart's mtimecmp/msip and drives each hart's MSIP and MTIP lines; never reads a hart itself
// (the board hands it an instruction clock).
//
// Time is deterministic by default: mtime advances one tick per `instructionsPerTick` (default 10)
// instructions of the board's clock (with one hart, instructions retired; with several, the
// scheduler's clock, see src/machine/hart-clock.ts), i.e. the 10 MHz timebase at a nominal 100 MIPS,
// so a run is reproducible.
// `realtime` ties mtime to the host's monotonic clock instead. mtime is a Number: exact below 2^53
// ticks (28 years at 10 MHz); guest writes above that are rounded (docs/board.md).
// mtimecmp reads 0 after reset and MTIP stays low until the guest first writes it (QEMU does the
// same: it evaluates the timer only on mtimecmp writes).
// Sstc's stimecmp is a hart CSR, but its comparison against time is a timer event like mtimecmp's:
// the hart hands its value here (setSupervisorCompare, while menvcfg.STCE is set) and the CLINT
// drives that hart's STIP line and plans slices and WFI skips around it too.

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

/** The most harts a CLINT (and the board) has; QEMU virt's layout has room for 4095. */
export const CLINT_MAX_HARTS = 8;

export interface ClintOptions {
  /** The board's instruction clock (deterministic time source): instructions retired so far. */
  instret: () => number;
  /** Harts served (1..CLINT_MAX_HARTS, default 1). */
  harts?: number;
  /** Tie mtime to the host clock instead of instret. */
  realtime?: boolean;
  /** Deterministic ratio; must be a positive integer. */
  instructionsPerTick?: number;
  /** Host monotonic clock in milliseconds (realtime mode); default performance.now. */
  nowMs?: () => number;
  /** Hart 0's lines (single-hart boards and tests). */
  msip?: IrqLine;
  mtip?: IrqLine;
  /** Every hart's lines, index = hart id (takes precedence over msip/mtip); stip for Sstc. */
  lines?: { msip: IrqLine; mtip: IrqLine; stip?: IrqLine }[];
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
  readonly harts: number;
  private readonly msipLines: IrqLine[];
  private readonly mtipLines: IrqLine[];
  private readonly stipLines: IrqLine[];
  private readonly onTimerChange: () => void;

  /** mtime = mtimeBase + ticks elapsed since (instretBase | nowBase). */
  private mtimeBase = 0;
  private instretBase = 0;
  private nowBase: number;
  // Per hart: mtimecmp halves and value, whether the guest wrote it, msip, MTIP level.
  private readonly cmpLo: number[];
  private readonly cmpHi: number[];
  private readonly cmp: number[];
  private readonly armed: boolean[];
  private readonly msipBit: number[];
  private readonly mtipLevel: boolean[];
  /** Per hart: Sstc's stimecmp (NaN while the hart has not armed it: STCE clear) and STIP level. */
  private readonly scmp: number[];
  private readonly stipLevel: boolean[];
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
    const harts = opts.harts ?? opts.lines?.length ?? 1;
    if (!Number.isInteger(harts) || harts < 1 || harts > CLINT_MAX_HARTS) {
      throw new RangeError(`CLINT harts must be an integer 1..${CLINT_MAX_HARTS}, got ${harts}`);
    }
    this.harts = harts;
    const lines = opts.lines ?? [{ msip: opts.msip ?? NO_IRQ, mtip: opts.mtip ?? NO_IRQ }];
    this.msipLines = Array.from({ length: harts }, (_, i) => lines[i]?.msip ?? NO_IRQ);
    this.mtipLines = Array.from({ length: harts }, (_, i) => lines[i]?.mtip ?? NO_IRQ);
    this.stipLines = Array.from({ length: harts }, (_, i) => lines[i]?.stip ?? NO_IRQ);
    this.scmp = new Array<number>(harts).fill(Number.NaN);
    this.stipLevel = new Array<boolean>(harts).fill(false);
    const zeros = () => new Array<number>(harts).fill(0);
    this.cmpLo = zeros();
    this.cmpHi = zeros();
    this.cmp = zeros();
    this.msipBit = zeros();
    this.armed = new Array<boolean>(harts).fill(false);
    this.mtipLevel = new Array<boolean>(harts).fill(false);
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

  /** Hart 0's mtimecmp as a Number (rounded above 2^53), or undefined while the guest has not armed it. */
  get mtimecmp(): number | undefined {
    return this.mtimecmpOf(0);
  }

  mtimecmpOf(hart: number): number | undefined {
    return this.armed[hart] ? this.cmp[hart] : undefined;
  }

  get mtip(): boolean {
    return this.mtipLevel[0]!;
  }

  get msip(): boolean {
    return this.msipBit[0] !== 0;
  }

  /**
   * Sstc: hart `hart`'s stimecmp as a Number (rounded above 2^53), or undefined to disarm it
   * (menvcfg.STCE clear: STIP is then the hart's software bit and the line stays low).
   */
  setSupervisorCompare(hart: number, value: number | undefined): void {
    this.scmp[hart] = value ?? Number.NaN;
    this.update();
    this.onTimerChange();
  }

  /** Re-evaluate every hart's MTIP and STIP against the current mtime (the board calls this at slice boundaries). */
  update(): void {
    const now = this.mtime();
    for (let h = 0; h < this.harts; h++) {
      const level = this.armed[h]! && now >= this.cmp[h]!;
      if (level !== this.mtipLevel[h]) {
        this.mtipLevel[h] = level;
        this.mtipLines[h]!(level);
      }
      const s = now >= this.scmp[h]!; // false while NaN (disarmed)
      if (s !== this.stipLevel[h]) {
        this.stipLevel[h] = s;
        this.stipLines[h]!(s);
      }
    }
  }

  /** The earliest mtimecmp or armed stimecmp still ahead of mtime, or Infinity. */
  private nextCmp(now: number): number {
    let next = Infinity;
    for (let h = 0; h < this.harts; h++) {
      if (this.armed[h] && this.cmp[h]! > now) next = Math.min(next, this.cmp[h]!);
      if (this.scmp[h]! > now) next = Math.min(next, this.scmp[h]!);
    }
    return next;
  }

  /**
   * Deterministic mode: the clock value (instructions) at which mtime reaches the earliest pending
   * mtimecmp (so the board ends a slice exactly there), or Infinity when none is armed and ahead.
   */
  instretOfNextEvent(): number {
    if (this.realtime) return Infinity;
    const next = this.nextCmp(this.mtime());
    if (next === Infinity) return Infinity;
    return this.instretBase + (next - this.mtimeBase) * this.instructionsPerTick;
  }

  /** Realtime mode: host milliseconds until mtime reaches the earliest mtimecmp ahead of it (Infinity if none). */
  msUntilNextEvent(): number {
    const now = this.mtime();
    const next = this.nextCmp(now);
    return next === Infinity ? Infinity : (next - now) / (TIMEBASE_HZ / 1000);
  }

  /**
   * Every hart waits (WFI) with nothing pending: jump mtime forward to the earliest mtimecmp
   * (deterministic mode) and raise that MTIP. Returns false when there is nothing to skip to: no
   * timer armed ahead of mtime (a reached one already has MTIP up and its hart still waits: it has
   * MTIE clear, so only other sources can wake it).
   */
  skipToNextEvent(): boolean {
    if (this.realtime) return false;
    const next = this.nextCmp(this.mtime());
    if (next === Infinity) {
      this.update();
      return false;
    }
    this.rebase(next);
    this.update();
    return true;
  }

  private rebase(mtime: number): void {
    this.mtimeBase = mtime;
    this.instretBase = this.instret();
    this.nowBase = this.nowMs();
  }

  /** The hart whose msip word is at `offset`, else -1. */
  private msipHart(offset: number): number {
    const h = (offset - CLINT_MSIP) >>> 2;
    return offset >= CLINT_MSIP && offset < CLINT_MSIP + 4 * this.harts && (offset & 3) === 0 ? h : -1;
  }

  /** The hart whose mtimecmp (either half) is at `offset`, else -1. */
  private cmpHart(offset: number): number {
    const h = (offset - CLINT_MTIMECMP) >>> 3;
    return offset >= CLINT_MTIMECMP && offset < CLINT_MTIMECMP + 8 * this.harts && (offset & 3) === 0 ? h : -1;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    const m = this.msipHart(offset);
    if (m >= 0) return this.msipBit[m]!;
    const c = this.cmpHart(offset);
    if (c >= 0) return (offset & 4) === 0 ? this.cmpLo[c]! : this.cmpHi[c]!;
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
    // Registers of harts that do not exist and reserved space read as zero.
    return 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    this.latchedHi = -1;
    const v = value >>> 0;
    const m = this.msipHart(offset);
    if (m >= 0) {
      const bit = v & 1;
      if (bit !== this.msipBit[m]) {
        this.msipBit[m] = bit;
        this.msipLines[m]!(bit !== 0);
      }
      return;
    }
    const c = this.cmpHart(offset);
    if (c >= 0) {
      if ((offset & 4) === 0) this.cmpLo[c] = v;
      else this.cmpHi[c] = v;
      this.cmp[c] = this.cmpHi[c]! * TWO32 + this.cmpLo[c]!;
      this.armed[c] = true;
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
