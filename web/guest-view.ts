// The guest while it runs: run control (start, pause, resume, reset), its status line (state,
// instructions, MIPS, share in translated code), a per-target/region traffic table and the chart of
// the last minute, all from the snapshot the server streams several times a second; and its console.

import { type CacheCounts, post, type Snapshot, type TimingSnapshot, type TrafficRow } from './api.js';
import { el, say } from './dom.js';
import { GuestConsole } from './guest-console.js';
import { TrafficChart } from './traffic-chart.js';

export class GuestView {
  readonly element: HTMLElement;
  private readonly status = el('div', { id: 'guest' }, 'no guest (serve --kernel FILE runs one)');
  private readonly message = el('div', { id: 'guestmsg' });
  private readonly traffic = el('table', { id: 'traffic' });
  private readonly timing = el('table', { id: 'timing', hidden: true });
  private readonly afterRun = el('pre', { id: 'afterrun', hidden: true });
  private readonly buttons: Record<'start' | 'pause' | 'resume' | 'reset', HTMLButtonElement>;
  private readonly chart: TrafficChart;
  private readonly console: GuestConsole;
  private resets = 0;
  private previous: { t: number; rows: Map<string, TrafficRow> } | null = null;

  constructor() {
    const button = (what: 'start' | 'pause' | 'resume' | 'reset') => {
      const b = el('button', { id: `guest-${what}`, disabled: true }, what);
      b.addEventListener('click', async () => {
        try {
          this.show(await post<Snapshot>(`/api/guest/${what}`));
          say(this.message, '');
        } catch (e) {
          say(this.message, (e as Error).message, true);
        }
      });
      return b;
    };
    this.buttons = { start: button('start'), pause: button('pause'), resume: button('resume'), reset: button('reset') };
    const chartHost = el('div', { id: 'chart' });
    this.chart = new TrafficChart(chartHost);
    this.console = new GuestConsole((m) => say(this.message, m, true));
    this.element = el(
      'div',
      {},
      el('div', { class: 'controls' }, ...Object.values(this.buttons), ' ', this.status),
      this.message,
      this.console.element,
      chartHost,
      el('div', { class: 'tables' }, this.traffic, this.timing),
      this.afterRun,
    );
  }

  show(s: Snapshot): void {
    const b = this.buttons;
    b.start.disabled = !(s.state === 'stopped' || s.state === 'finished' || s.state === 'failed');
    b.pause.disabled = s.state !== 'running';
    b.resume.disabled = s.state !== 'paused';
    b.reset.disabled = s.state === 'none';
    if (s.resets !== this.resets) {
      this.resets = s.resets;
      this.previous = null;
      this.console.clear();
    }
    if (s.state === 'none') return;
    if (s.state === 'stopped') {
      this.status.textContent = 'stopped: press start';
      return;
    }
    const share = s.translatedShare === null || s.translatedShare === undefined ? '' : `, ${(s.translatedShare * 100).toFixed(1)}% translated`;
    this.status.textContent =
      `${s.state}: ${s.instret} instructions, ${(s.mips ?? 0).toFixed(1)} MIPS${share}` +
      (s.result ? `, exit status ${s.result.status} (${s.result.exit}${s.result.message ? `: ${s.result.message}` : ''})` : '') +
      (s.error ? `, ${s.error}` : '');
    if (s.traffic) {
      // Counts so far, and per second since the previous snapshot.
      const now = performance.now();
      const dt = this.previous ? (now - this.previous.t) / 1000 : 0;
      const seen = new Map<string, TrafficRow>();
      const rate = (name: string, r: TrafficRow, k: keyof TrafficRow) => {
        const before = this.previous?.rows.get(name);
        return dt > 0 && before ? Math.round(Math.max(0, r[k] - before[k]) / dt) : '';
      };
      const head = el(
        'tr',
        {},
        ...['target', 'reads', 'writes', 'bytes read', 'bytes written', 'reads/s', 'writes/s', 'bytes/s'].map((h) =>
          el('th', {}, h),
        ),
      );
      const row = (name: string, r: TrafficRow) => {
        seen.set(name, { ...r });
        const bytes = rate(name, r, 'bytesRead');
        const written = rate(name, r, 'bytesWritten');
        const cells = [name, r.reads, r.writes, r.bytesRead, r.bytesWritten, rate(name, r, 'reads'), rate(name, r, 'writes')];
        return el('tr', {}, ...[...cells, bytes === '' ? '' : Number(bytes) + Number(written)].map((c) => el('td', {}, c)));
      };
      this.traffic.replaceChildren(
        head,
        ...s.traffic.targets.map((t) => row(t.target, t)),
        ...s.traffic.regions.map((r) => row(`region ${r.region}`, r)),
      );
      this.previous = { t: now, rows: seen };
      this.chart.add(s);
    }
    if (s.timing) this.showTiming(s.timing);
    const after = [
      ...(s.report ? [s.report] : []),
      ...(s.audit ? [`audit after the guest: ${s.audit.ok ? 'ok' : 'FAILED'}\n${s.audit.text}`] : []),
    ];
    this.afterRun.hidden = after.length === 0;
    this.afterRun.textContent = after.join('\n\n');
    void this.console.update(s.consoleBytes ?? 0);
  }

  /** Timing mode: the memory traffic the caches let through, per target, and the caches' hit rates. */
  private showTiming(t: TimingSnapshot): void {
    const pct = (c: CacheCounts) => `${(c.hitRate * 100).toFixed(1)}%`;
    const th = (...h: string[]) => el('tr', {}, ...h.map((x) => el('th', {}, x)));
    const tr = (...c: (string | number)[]) => el('tr', {}, ...c.map((x) => el('td', {}, x)));
    this.timing.hidden = false;
    this.timing.replaceChildren(
      el('caption', {}, `timing model at ${t.cpuGHz} GHz: memory traffic (cache misses and writebacks)`),
      th('target', 'lines read', 'lines written', 'bytes read', 'bytes written', 'queueing ns'),
      ...t.targets.map((x) => tr(x.target, x.reads, x.writes, x.bytesRead, x.bytesWritten, Math.round(x.queueNs))),
      th('cache', 'hits', 'misses', 'writebacks', 'hit rate', 'stall cycles'),
      ...t.harts.flatMap((h) => [
        tr(`hart ${h.hart} L1`, h.l1.hits, h.l1.misses, h.l1.writebacks, pct(h.l1), h.stallCycles),
        tr(`hart ${h.hart} L2`, h.l2.hits, h.l2.misses, h.l2.writebacks, pct(h.l2), ''),
      ]),
      tr('LLC', t.llc.hits, t.llc.misses, t.llc.writebacks, pct(t.llc), ''),
    );
  }
}
