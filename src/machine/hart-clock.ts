// The board's instruction clock: the deterministic time base of the CLINT (mtime) when several
// harts take turns in one thread. Owns the arithmetic only; the board says which hart runs and how
// many others wait.
//
// Clock = (instructions retired by all harts + idle credit) / harts. A hart waiting in WFI while
// another runs is credited with the instructions the running hart retires, as if it had idled
// alongside. So over a round in which every hart runs k instructions the clock advances k; while
// one hart runs and the rest wait it advances one per instruction of the running hart; and with
// one hart it is exactly its instret.
// The clock only ever grows, whichever hart reads it: Linux's timekeeping reads `time` on every
// hart and assumes it never goes back.

/** What the clock reads of a hart. */
export interface ClockHart {
  readonly instret: number;
}

export class HartClock {
  private credited = 0;
  private running: ClockHart | null = null;
  private startInstret = 0;
  private idleWeight = 0;

  constructor(private readonly harts: readonly ClockHart[]) {}

  /** The clock, in instructions. */
  now(): number {
    let sum = this.credited;
    for (const h of this.harts) sum += h.instret;
    if (this.running !== null) sum += this.idleWeight * (this.running.instret - this.startInstret);
    return sum / this.harts.length;
  }

  /** `hart` starts a turn while `waiting` other harts wait in WFI. */
  begin(hart: ClockHart, waiting: number): void {
    this.running = hart;
    this.startInstret = hart.instret;
    this.idleWeight = waiting;
  }

  /** The turn ended: the waiting harts keep the credit they earned during it. */
  end(): void {
    if (this.running === null) return;
    this.credited += this.idleWeight * (this.running.instret - this.startInstret);
    this.running = null;
    this.idleWeight = 0;
  }

  /** Instructions the running hart retires before the clock reaches `at` (at least 1). */
  instructionsUntil(at: number): number {
    const rate = (1 + this.idleWeight) / this.harts.length;
    return Math.max(1, Math.ceil((at - this.now()) / rate));
  }
}
