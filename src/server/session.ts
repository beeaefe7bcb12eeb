// What `cxlemu serve` serves: one machine and the guest it runs, with the run control the page
// offers (start, pause, resume, reset). A reset is a power cycle: the guest stops, the machine is
// closed (file-backed media written back) and rebuilt from its description and the regions
// created so far (decoders a guest programmed itself are gone, as after a platform reset; a
// pending partition split takes effect), and the guest starts again. Owns the lifecycle only.

import { Machine } from '../machine/build.js';
import type { MachineDescription } from '../machine/description.js';
import { auditText } from '../machine/report.js';
import type { AuditReport } from '../machine/index.js';
import { GuestControlError, type GuestOptions, GuestRun, type GuestSnapshot } from './guest.js';

export interface SessionOptions {
  /** The guest that start (and serve, unless `paused`) runs. */
  guest?: GuestOptions;
  /** Do not start the guest until the page's Start. */
  paused?: boolean;
  /** After the guest exits, audit this way (run --audit: every region): the result joins the snapshot. */
  audit?: (m: Machine) => AuditReport;
  /** Notices of a rebuilt machine (serve prints them as run does). */
  onNotice?: (n: string) => void;
}

/** The snapshot the page gets: the guest's, or why there is none. */
export type SessionSnapshot =
  | (GuestSnapshot & { audit?: { ok: boolean; text: string }; resets: number })
  | { state: 'none' | 'stopped'; resets: number };

export class Session {
  private guestRun: GuestRun | null = null;
  private audit: { ok: boolean; text: string } | undefined;
  private resets = 0;
  /** Reset closes machines it built; the first belongs to the caller. */
  private readonly first: Machine;

  constructor(
    public machine: Machine,
    private readonly opts: SessionOptions,
    private readonly stopSignal: AbortSignal,
  ) {
    this.first = machine;
    if (opts.guest && !opts.paused) this.start();
  }

  get guest(): GuestRun | null {
    return this.guestRun;
  }

  start(): void {
    const g = this.opts.guest;
    if (!g) throw new GuestControlError('no guest to start: serve runs one with --kernel FILE');
    const state = this.guestRun?.current;
    if (state === 'running' || state === 'paused')
      throw new GuestControlError(`cannot start: the guest is already ${state} (reset starts it again)`);
    this.audit = undefined;
    const run = new GuestRun(this.machine, g, this.stopSignal);
    this.guestRun = run;
    if (this.opts.audit) {
      const audit = this.opts.audit;
      void run.done.then(() => {
        if (this.guestRun !== run || run.current !== 'finished') return;
        // Regions the guest committed are audited too (inferred from the registers, as run --audit).
        this.machine.syncRegions();
        const rep = audit(this.machine);
        this.audit = { ok: rep.ok, text: auditText(rep) };
      });
    }
  }

  pause(): void {
    if (!this.guestRun) throw new GuestControlError('cannot pause: no guest has started');
    this.guestRun.pause();
  }

  resume(): void {
    if (!this.guestRun) throw new GuestControlError('cannot resume: no guest has started');
    this.guestRun.resume();
  }

  /** Power cycle: stop the guest, rebuild the machine, start the guest again (when there is one). */
  async reset(): Promise<void> {
    await this.guestRun?.stop('reset from the dashboard');
    const description = resetDescription(this.machine);
    // Closing is idempotent: the caller's own close of the first machine afterwards does nothing more.
    this.machine.close();
    this.machine = Machine.build(description);
    for (const n of this.machine.notices) this.opts.onNotice?.(n);
    if (this.opts.onNotice) this.machine.onNotice = this.opts.onNotice;
    this.resets++;
    this.guestRun = null;
    if (this.opts.guest) this.start();
  }

  snapshot(): SessionSnapshot {
    const g = this.guestRun;
    if (!g) return { state: this.opts.guest ? 'stopped' : 'none', resets: this.resets };
    return { ...g.snapshot(), ...(this.audit ? { audit: this.audit } : {}), resets: this.resets };
  }

  /** Stop the guest (if any) and close the machines this session built. */
  async close(): Promise<void> {
    await this.guestRun?.stop('the dashboard stopped');
    if (this.machine !== this.first) this.machine.close();
  }
}

/** The machine as a platform reset leaves it: its description, the regions created so far, nothing a guest programmed. */
export function resetDescription(m: Machine): MachineDescription {
  const d = m.describe();
  return { ...d, state: { regions: d.state?.regions ?? [] } };
}
