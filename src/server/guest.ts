// A guest that `cxlemu serve --kernel FILE` runs while the dashboard is up: the run (the same
// runMachine as `cxlemu run`), its console output kept for the page, and a snapshot of what it is
// doing (instructions, MIPS, per-device traffic) that the event stream sends several times a
// second. Owns the bookkeeping only; the run loop yields to the event loop every slice, so the
// server answers while the guest runs.

import { PassThrough } from 'node:stream';
import type { Board, RunResult } from '../machine/board.js';
import type { Machine } from '../machine/build.js';
import { runMachine } from '../machine/run.js';
import { TrafficCounters, type TrafficStats } from '../machine/traffic.js';
import type { TimingParams } from '../machine/timing.js';

/** The console text kept for the page (older output is dropped). */
const CONSOLE_LIMIT = 1 << 20;

export interface GuestOptions {
  kernel: string;
  initrd?: string;
  append?: string;
  /** Timing mode (as run --timing): every access is then counted, so the traffic moves continuously. */
  timing?: TimingParams;
}

export interface GuestSnapshot {
  state: 'running' | 'finished' | 'failed';
  /** Instructions retired by every hart so far. */
  instret: number;
  /** Over the last interval between snapshots. */
  mips: number;
  seconds: number;
  traffic: TrafficStats;
  /** Console bytes produced so far (the page asks /api/console?from= for what it lacks). */
  consoleBytes: number;
  result?: { status: number; exit: string };
  error?: string;
}

export class GuestRun {
  private board: Board | null = null;
  private readonly traffic: TrafficCounters;
  private console = '';
  private dropped = 0;
  private readonly started = performance.now();
  private last = { t: performance.now(), instret: 0 };
  private mips = 0;
  private state: GuestSnapshot['state'] = 'running';
  private result: RunResult | undefined;
  private error: string | undefined;
  readonly done: Promise<void>;
  /** What the page types reaches the guest's UART through this stream. */
  private readonly input = new PassThrough();

  constructor(machine: Machine, opts: GuestOptions, stop: AbortSignal) {
    this.traffic = new TrafficCounters(machine);
    this.done = runMachine(machine, {
      kernel: opts.kernel,
      traffic: this.traffic,
      stop,
      onBoard: (b) => {
        this.board = b;
      },
      output: (c) => this.append(Buffer.from(c).toString('latin1')),
      input: this.input,
      ...(opts.timing ? { timing: opts.timing } : {}),
      ...(opts.initrd !== undefined || opts.append !== undefined
        ? {
            boot: {
              ...(opts.initrd !== undefined ? { initrd: opts.initrd } : {}),
              ...(opts.append !== undefined ? { append: opts.append } : {}),
            },
          }
        : {}),
    }).then(
      (r) => {
        this.state = 'finished';
        if (r.kind === 'program') this.result = r.result;
      },
      (e: unknown) => {
        this.state = 'failed';
        this.error = (e as Error).message;
      },
    );
  }

  private append(s: string): void {
    this.console += s;
    if (this.console.length > CONSOLE_LIMIT) {
      const cut = this.console.length - CONSOLE_LIMIT / 2;
      this.console = this.console.slice(cut);
      this.dropped += cut;
    }
  }

  /** Bytes typed into the console: they reach the UART's receiver as a terminal's would. */
  type(text: string): void {
    if (this.state === 'running') this.input.write(Buffer.from(text, 'latin1'));
  }

  /** Console text from byte `from` on (what was dropped comes back as nothing). */
  consoleFrom(from: number): { from: number; text: string } {
    const start = Math.max(from, this.dropped);
    return { from: start, text: this.console.slice(start - this.dropped) };
  }

  snapshot(): GuestSnapshot {
    const instret = this.board ? this.board.harts.reduce((a, h) => a + h.instret, 0) : 0;
    const now = performance.now();
    if (now - this.last.t >= 100) {
      this.mips = (instret - this.last.instret) / ((now - this.last.t) * 1000);
      this.last = { t: now, instret };
    }
    return {
      state: this.state,
      instret,
      mips: this.state === 'running' ? this.mips : 0,
      seconds: (now - this.started) / 1000,
      traffic: this.traffic.stats(),
      consoleBytes: this.dropped + this.console.length,
      ...(this.result ? { result: { status: this.result.status, exit: this.result.exit.kind } } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}
