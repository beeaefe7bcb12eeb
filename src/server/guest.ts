// A guest that `cxlemu serve` runs while the dashboard is up: the run (the same runMachine as
// `cxlemu run`, with every option of run), its console output kept for the page, its run control
// (pause between slices, resume, kill), and a snapshot of what it is doing (instructions, MIPS,
// share in translated code, per-device traffic) that the event stream sends several times a
// second. Owns the bookkeeping only; the run loop yields to the event loop every slice, so the
// server answers while the guest runs.

import { createWriteStream, type WriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Board, RunResult } from '../machine/board.js';
import type { Machine } from '../machine/build.js';
import { observationText, type RunMachineOptions, runMachine } from '../machine/run.js';
import { type TimingStats, timingText } from '../machine/timing.js';
import { TrafficCounters, type TrafficStats } from '../machine/traffic.js';

/** The console text kept for the page (older output is dropped). */
const CONSOLE_LIMIT = 1 << 20;

/**
 * What the guest runs and how: runMachine's options (as `run` builds them from its command line).
 * The console (output, input) and the traffic counters are the dashboard's; `output` naming a
 * file (--uart-out) gets a copy of the console.
 */
export type GuestOptions = Omit<
  RunMachineOptions,
  'input' | 'console' | 'traffic' | 'onBoard' | 'onTiming' | 'hold'
> & {
  kernel: string;
};

export type GuestState = 'running' | 'paused' | 'finished' | 'failed';

export interface GuestSnapshot {
  state: GuestState;
  /** Instructions retired by every hart so far. */
  instret: number;
  /** Over the last interval between snapshots (0 while paused). */
  mips: number;
  /** Share of the instructions of that interval retired in translated code (null: no JIT, as in timing mode). */
  translatedShare: number | null;
  seconds: number;
  traffic: TrafficStats;
  /** Timing mode: the model's counters so far (cache hits and misses, the memory traffic they cause per target, queueing). */
  timing?: TimingStats;
  /** Console bytes produced so far (the page asks /api/console?from= for what it lacks). */
  consoleBytes: number;
  result?: { status: number; exit: string; message?: string };
  /** After the run: what run prints after its summary (timing counters, --observe counts). */
  report?: string;
  error?: string;
}

/** A control request that does not fit the guest's state (pause a finished guest, ...). */
export class GuestControlError extends Error {}

export class GuestRun {
  private board: Board | null = null;
  private readonly traffic: TrafficCounters;
  private console = '';
  private dropped = 0;
  private readonly started = performance.now();
  private last = { t: performance.now(), instret: 0, translated: 0 };
  private rate = { mips: 0, translatedShare: null as number | null };
  private state: GuestState = 'running';
  private result: RunResult | undefined;
  private report: string | undefined;
  private error: string | undefined;
  readonly done: Promise<void>;
  /** What the page types reaches the guest's UART through this stream. */
  private readonly input = new PassThrough();
  /** Ends this run alone (reset), besides the server's own stop. */
  private readonly kill = new AbortController();
  /** While paused: the promise the run loop waits on, and its release. */
  private held: { promise: Promise<void>; release: () => void } | null = null;
  private copy: WriteStream | null = null;
  private timing: (() => TimingStats) | null = null;

  constructor(machine: Machine, opts: GuestOptions, stop: AbortSignal) {
    this.traffic = new TrafficCounters(machine);
    const signal = AbortSignal.any([stop, this.kill.signal]);
    // A stop or kill also ends a pause, so the loop sees the abort.
    signal.addEventListener('abort', () => this.release(), { once: true });
    if (typeof opts.output === 'string') this.copy = createWriteStream(opts.output);
    const { output: _, ...rest } = opts;
    this.done = runMachine(machine, {
      ...rest,
      traffic: this.traffic,
      stop: signal,
      hold: () => this.held?.promise ?? null,
      onBoard: (b) => {
        this.board = b;
      },
      onTiming: (read) => {
        this.timing = read;
      },
      output: (c) => {
        this.append(Buffer.from(c).toString('latin1'));
        this.copy?.write(c);
      },
      input: this.input,
    })
      .then(
        (r) => {
          this.state = 'finished';
          if (r.kind !== 'program') return;
          this.result = r.result;
          const report = [
            ...(r.result.timing ? [timingText(r.result.timing)] : []),
            ...(r.observation ? [observationText(r.observation)] : []),
          ];
          if (report.length > 0) this.report = report.join('\n');
        },
        (e: unknown) => {
          this.state = 'failed';
          this.error = (e as Error).message;
        },
      )
      .finally(() => new Promise<void>((resolve) => (this.copy ? this.copy.end(resolve) : resolve())));
  }

  get current(): GuestState {
    return this.state;
  }

  /** Hold the run at the end of the current slice (guest time stands still). */
  pause(): void {
    if (this.state !== 'running') throw new GuestControlError(`cannot pause: the guest is ${this.state}`);
    let release = () => {};
    const promise = new Promise<void>((r) => {
      release = r;
    });
    this.held = { promise, release };
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') throw new GuestControlError(`cannot resume: the guest is ${this.state}, not paused`);
    this.release();
  }

  /** End the run (as Ctrl-A X would) and wait for it. */
  async stop(why: string): Promise<void> {
    this.kill.abort(new Error(why));
    await this.done;
  }

  private release(): void {
    const h = this.held;
    this.held = null;
    if (this.state === 'paused') this.state = 'running';
    h?.release();
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
    if (this.state === 'running' || this.state === 'paused') this.input.write(Buffer.from(text, 'latin1'));
  }

  /** Console text from byte `from` on (what was dropped comes back as nothing). */
  consoleFrom(from: number): { from: number; text: string } {
    const start = Math.max(from, this.dropped);
    return { from: start, text: this.console.slice(start - this.dropped) };
  }

  snapshot(): GuestSnapshot {
    const harts = this.board?.harts ?? [];
    const instret = harts.reduce((a, h) => a + h.instret, 0);
    const translated = harts.reduce((a, h) => a + (h.jitStats?.instructions ?? 0), 0);
    const now = performance.now();
    if (now - this.last.t >= 100) {
      const ran = instret - this.last.instret;
      this.rate = {
        mips: ran / ((now - this.last.t) * 1000),
        translatedShare:
          ran > 0 && harts.some((h) => h.jitStats !== null)
            ? Math.min(1, (translated - this.last.translated) / ran)
            : null,
      };
      this.last = { t: now, instret, translated };
    }
    const live = this.state === 'running';
    return {
      state: this.state,
      instret,
      mips: live ? this.rate.mips : 0,
      translatedShare: live ? this.rate.translatedShare : null,
      seconds: (now - this.started) / 1000,
      traffic: this.traffic.stats(),
      ...(this.timing ? { timing: this.timing() } : {}),
      consoleBytes: this.dropped + this.console.length,
      ...(this.result
        ? {
            result: {
              status: this.result.status,
              exit: this.result.exit.kind,
              ...(this.result.exit.message ? { message: this.result.exit.message } : {}),
            },
          }
        : {}),
      ...(this.report !== undefined ? { report: this.report } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}
