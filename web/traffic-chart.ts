// The last minute as a time chart (uPlot): MIPS on the left axis, each memory target's bytes per
// second (read + written, from the counters' deltas) on the right: in timing mode the memory
// traffic the caches let through, else the functional counters. One point per snapshot.

import uPlot from 'uplot';
import type { Snapshot } from './api.js';
import { colours } from './dom.js';

const WINDOW_S = 60;

export class TrafficChart {
  private plot: uPlot | null = null;
  private targets: string[] = [];
  private times: number[] = [];
  private mips: number[] = [];
  private rates: number[][] = [];
  private last: { t: number; bytes: Map<string, number> } | null = null;

  constructor(private readonly host: HTMLElement) {}

  add(s: Snapshot): void {
    if (!s.traffic || s.seconds === undefined) return;
    const t = Date.now() / 1000;
    const rows = s.timing?.targets ?? s.traffic.targets;
    const bytes = new Map(rows.map((r) => [r.target, r.bytesRead + r.bytesWritten]));
    const names = [...bytes.keys()];
    if (names.join() !== this.targets.join()) this.restart(names);
    const dt = this.last ? t - this.last.t : 0;
    this.times.push(t);
    this.mips.push(s.mips ?? 0);
    names.forEach((n, i) => {
      const before = this.last?.bytes.get(n) ?? bytes.get(n)!;
      this.rates[i]!.push(dt > 0 ? Math.max(0, (bytes.get(n)! - before) / dt) : 0);
    });
    this.last = { t, bytes };
    while (this.times.length > 0 && this.times[0]! < t - WINDOW_S) {
      this.times.shift();
      this.mips.shift();
      for (const r of this.rates) r.shift();
    }
    this.plot?.setData([this.times, this.mips, ...this.rates]);
  }

  private restart(names: string[]): void {
    this.plot?.destroy();
    this.targets = names;
    this.times = [];
    this.mips = [];
    this.rates = names.map(() => []);
    this.last = null;
    this.plot = new uPlot(
      {
        width: Math.min(1100, Math.max(480, this.host.clientWidth || 900)),
        height: 220,
        scales: { x: { time: true }, mips: {}, bytes: {} },
        series: [
          {},
          { label: 'MIPS', scale: 'mips', stroke: '#222', width: 2 },
          ...names.map((n, i) => ({ label: `${n} B/s`, scale: 'bytes', stroke: colours[i % colours.length]! })),
        ],
        axes: [{}, { scale: 'mips', label: 'MIPS' }, { scale: 'bytes', side: 1, label: 'bytes/s', size: 80, grid: { show: false } }],
      },
      [[], [], ...names.map(() => [])],
      this.host,
    );
  }
}
