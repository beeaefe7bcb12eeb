// The board as the GDB stub sees it (src/debug/target.ts): harts as threads, registers, memory
// through each hart's translation, emulator-side breakpoints and watchpoints (debug-points.ts:
// invisible to the guest, honoured by the interpreter and the JIT), and run control. runBoard
// asks `gate()` before every turn and reports each turn with `afterTurn`; this class decides
// when the machine stands still. Owns the stopped/running state only.

import { CSR } from '../cpu/csr.js';
import { DebugPoints, type PointKind } from '../cpu/debug-points.js';
import { REG_CSR0, REG_PC, type BreakKind, type DebugTarget, type StopReason } from '../debug/index.js';
import type { Hart } from '../cpu/hart.js';
import type { AddressSpace } from '../memory/index.js';
import type { HartClock } from './hart-clock.js';

/** What the debugger uses of a hart (board.ts's BoardHart has all of it). */
type BoardHart = Pick<
  Hart,
  | 'hartId'
  | 'pc'
  | 'instret'
  | 'readReg'
  | 'writeReg'
  | 'requestStop'
  | 'run'
  | 'addDebugPoints'
  | 'skipBreakpointAt'
  | 'debugHit'
  | 'debugTranslate'
> &
  Partial<Pick<Hart, 'csrRead' | 'csrWrite'>>;

/** What the debugger uses of the board (board.ts's Board has all of it; no import, no cycle). */
export interface DebuggableBoard {
  readonly harts: readonly BoardHart[];
  readonly addressSpace: AddressSpace;
  readonly clock: HartClock;
  setRunning(hart: BoardHart | undefined): void;
}

/** The CSRs GDB is told about (org.gnu.gdb.riscv.csr), by their names in the hart's CSR table. */
const GDB_CSRS = [
  'sstatus',
  'sie',
  'stvec',
  'sscratch',
  'sepc',
  'scause',
  'stval',
  'sip',
  'satp',
  'mstatus',
  'misa',
  'medeleg',
  'mideleg',
  'mie',
  'mtvec',
  'mscratch',
  'mepc',
  'mcause',
  'mtval',
  'mip',
  'mhartid',
] as const satisfies readonly (keyof typeof CSR)[];
const CSRS: readonly { name: string; num: number }[] = GDB_CSRS.map((name) => ({ name, num: CSR[name] }));

const TWO64 = 2n ** 64n;

/** 8 little-endian bytes of a 64-bit value. */
function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/** The hart's Number form of a guest address given as an unsigned 64-bit value (kernel addresses are negative). */
export function hartAddress(a: bigint): number {
  return Number(BigInt.asIntN(64, a % TWO64));
}

export interface BoardDebuggerOptions {
  /** Stand still before the first instruction until the debugger continues (QEMU -S). */
  stopAtStart?: boolean;
}

export class BoardDebugger implements DebugTarget {
  readonly points = new DebugPoints();
  private stopped: boolean;
  private lastStop: StopReason;
  private command: { step?: number; only?: number } | null = null;
  /** The one hart allowed to run (vCont;c:N), else undefined: all. */
  private only: number | undefined;
  private wake: (() => void) | null = null;
  private waiter: ((r: StopReason) => void) | null = null;
  private interruptRequested = false;
  private killed = false;
  private exitedWith: StopReason | null = null;

  constructor(
    private readonly board: DebuggableBoard,
    opts: BoardDebuggerOptions = {},
  ) {
    for (const h of board.harts) h.addDebugPoints(this.points);
    this.stopped = opts.stopAtStart ?? false;
    this.lastStop = { kind: 'step', hart: 0 };
  }

  private hart(id: number): BoardHart | undefined {
    return this.board.harts[id];
  }

  // ---- DebugTarget: state ----

  harts(): readonly number[] {
    return this.board.harts.map((h) => h.hartId);
  }

  csrs(): readonly { name: string; num: number }[] {
    return CSRS;
  }

  readRegister(hart: number, regno: number): Uint8Array | null {
    const h = this.hart(hart);
    if (!h) return null;
    if (regno >= 0 && regno < 32) return le64(h.readReg(regno));
    if (regno === REG_PC) return le64(BigInt(h.pc));
    if (regno >= REG_CSR0 && regno < REG_CSR0 + 4096) {
      const o = { lo: 0, hi: 0 };
      if (!h.csrRead?.(regno - REG_CSR0, o)) return null;
      return le64((BigInt(o.hi >>> 0) << 32n) | BigInt(o.lo >>> 0));
    }
    return null;
  }

  writeRegister(hart: number, regno: number, bytes: Uint8Array): boolean {
    const h = this.hart(hart);
    if (!h || bytes.length < 8) return false;
    const v = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (regno >= 0 && regno < 32) {
      h.writeReg(regno, v);
      return true;
    }
    if (regno === REG_PC) {
      h.pc = hartAddress(v);
      return true;
    }
    if (regno >= REG_CSR0 && regno < REG_CSR0 + 4096 && h.csrWrite) {
      return h.csrWrite(regno - REG_CSR0, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
    }
    return false;
  }

  /** Bytes at a virtual address through the hart's translation, page by page; null if any is unmapped. */
  readMemory(hart: number, address: number, length: number): Uint8Array | null {
    const h = this.hart(hart);
    if (!h || length < 0 || length > 1 << 20) return null;
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const va = address + done;
      const n = Math.min(length - done, 4096 - (((va % 4096) + 4096) % 4096));
      const pa = h.debugTranslate(va);
      if (pa < 0 || this.board.addressSpace.readBytes(pa, out.subarray(done, done + n)) !== 0) return null;
      done += n;
    }
    return out;
  }

  writeMemory(hart: number, address: number, bytes: Uint8Array): boolean {
    const h = this.hart(hart);
    if (!h) return false;
    for (let done = 0; done < bytes.length; ) {
      const va = address + done;
      const n = Math.min(bytes.length - done, 4096 - (((va % 4096) + 4096) % 4096));
      const pa = h.debugTranslate(va, true);
      // writeBytes tells the arena, so decoded and translated code of those bytes is dropped.
      if (pa < 0 || this.board.addressSpace.writeBytes(pa, bytes.subarray(done, done + n)) !== 0) return false;
      done += n;
    }
    return true;
  }

  insertBreak(kind: BreakKind, address: number, length: number): boolean {
    this.points.add({ kind: kind as PointKind, address, length, action: 'debugger' });
    return true;
  }

  removeBreak(kind: BreakKind, address: number, length: number): boolean {
    return this.points.remove({ kind: kind as PointKind, address, length, action: 'debugger' });
  }

  // ---- DebugTarget: run control ----

  attach(): Promise<StopReason> {
    if (this.exitedWith) return Promise.resolve(this.exitedWith);
    if (this.stopped) return Promise.resolve(this.lastStop);
    const p = new Promise<StopReason>((r) => (this.waiter = r));
    this.interrupt();
    return p;
  }

  resume(opts: { step?: number; only?: number }): Promise<StopReason> {
    if (this.exitedWith) return Promise.resolve(this.exitedWith);
    const p = new Promise<StopReason>((r) => (this.waiter = r));
    this.command = opts;
    this.wake?.();
    return p;
  }

  interrupt(): void {
    this.interruptRequested = true;
    for (const h of this.board.harts) h.requestStop();
    this.wake?.();
  }

  detach(kill: boolean): void {
    this.points.clear();
    if (kill) this.killed = true;
    else {
      this.only = undefined;
      this.stopped = false;
      this.interruptRequested = false;
    }
    this.wake?.();
  }

  // ---- the run loop's side ----

  /**
   * Before every turn: null when the machine runs on; otherwise a promise that settles when it may
   * run again ('run') or must end ('quit': the debugger killed it). Single steps happen in here.
   */
  gate(): Promise<'run' | 'quit'> | null {
    if (this.killed) return Promise.resolve('quit');
    if (!this.stopped && !this.interruptRequested) return null;
    return this.standStill();
  }

  private async standStill(): Promise<'run' | 'quit'> {
    for (;;) {
      if (this.killed) return 'quit';
      if (this.interruptRequested) {
        this.interruptRequested = false;
        this.stop({ kind: 'interrupted', hart: this.lastHart() });
      }
      if (!this.stopped) return 'run';
      const cmd = this.command;
      this.command = null;
      if (cmd === null) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      const h = this.hart(cmd.step ?? cmd.only ?? this.lastHart());
      // Leaving a breakpoint: its instruction runs before it can fire again.
      h?.skipBreakpointAt(h.pc);
      if (cmd.step === undefined || !h) {
        this.only = cmd.only;
        this.stopped = false;
        return 'run';
      }
      this.stepOne(h);
    }
  }

  /** One instruction on h (an interrupt it takes first counts as the step's start). */
  private stepOne(h: BoardHart): void {
    this.board.setRunning(h);
    this.board.clock.begin(h, 0);
    try {
      h.run(1);
    } finally {
      this.board.clock.end();
      this.board.setRunning(undefined);
    }
    if (!this.afterTurn(h)) this.stop({ kind: 'step', hart: h.hartId });
  }

  /** Whether the debugger lets this hart run now (all do, unless it resumed one alone). */
  mayRun(h: BoardHart): boolean {
    return this.only === undefined || this.only === h.hartId;
  }

  /** After a turn: a breakpoint or watchpoint hit stops the machine; true if it did. */
  afterTurn(h: BoardHart): boolean {
    const hit = h.debugHit;
    if (hit === null) return false;
    h.debugHit = null;
    if (hit.kind === 'exec') this.stop({ kind: 'breakpoint', hart: h.hartId });
    else this.stop({ kind: 'watchpoint', hart: h.hartId, access: hit.kind, address: hit.address });
    return true;
  }

  /** The run ended: a waiting debugger hears the exit status. */
  finished(status: number): void {
    this.exitedWith = { kind: 'exited', status };
    this.settle(this.exitedWith);
  }

  private lastHart(): number {
    const s = this.lastStop;
    return s.kind === 'exited' ? 0 : s.hart;
  }

  private stop(r: StopReason): void {
    this.stopped = true;
    this.only = undefined;
    this.lastStop = r;
    this.settle(r);
  }

  private settle(r: StopReason): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(r);
  }
}
