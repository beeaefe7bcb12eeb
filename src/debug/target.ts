// The narrow interface the GDB stub drives: harts as threads, registers and memory as bytes,
// emulator-side breakpoints and watchpoints, and run control. src/machine implements it; the stub
// knows nothing else of the machine.

/** GDB's RISC-V register numbers: x0..x31 = 0..31, pc = 32, f0..f31 = 33..64, CSR n = 65 + n. */
export const REG_PC = 32;
export const REG_CSR0 = 65;

export type BreakKind = 'exec' | 'write' | 'read' | 'access';

export type StopReason =
  | { kind: 'breakpoint'; hart: number }
  | { kind: 'watchpoint'; hart: number; access: Exclude<BreakKind, 'exec'>; address: number }
  | { kind: 'step'; hart: number }
  | { kind: 'interrupted'; hart: number }
  /** The guest ended (power-off, finisher, reboot): exit status as the run would report it. */
  | { kind: 'exited'; status: number };

export interface DebugTarget {
  /** Hart ids, in order (GDB thread id = hart id + 1). */
  harts(): readonly number[];
  /** CSRs to describe to GDB (name and number); reading one that the hart lacks gives null. */
  csrs(): readonly { name: string; num: number }[];
  /** One register as little-endian bytes (8 for RV64), or null if the hart has no such register. */
  readRegister(hart: number, regno: number): Uint8Array | null;
  writeRegister(hart: number, regno: number, bytes: Uint8Array): boolean;
  /** Guest memory through the hart's current translation (virtual when paging is on). */
  readMemory(hart: number, address: number, length: number): Uint8Array | null;
  writeMemory(hart: number, address: number, bytes: Uint8Array): boolean;
  /** Emulator-side breakpoints (exec) and watchpoints: invisible to the guest. */
  insertBreak(kind: BreakKind, address: number, length: number): boolean;
  removeBreak(kind: BreakKind, address: number, length: number): boolean;
  /** A debugger connected: stop the machine if it runs (or it is already stopped, as with -S). */
  attach(): Promise<StopReason>;
  /**
   * Runs until a stop; with `step`, one instruction on that hart; with `only`, that hart alone runs
   * (the others stay stopped: GDB's vCont;c:N, used for its software single-step).
   */
  resume(opts: { step?: number; only?: number }): Promise<StopReason>;
  /** Asks a running resume() to stop soon with { kind: 'interrupted' }. */
  interrupt(): void;
  /** The debugger detached or killed the session: run on freely (detach) or end (kill). */
  detach(kill: boolean): void;
}
