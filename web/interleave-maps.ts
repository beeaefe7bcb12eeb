// Each window's interleave map: 256 cells from `from`, `step` bytes apart, each coloured by the device
// its first byte reaches (/api/map, the machine's own decode). Click a cell: 16x closer around it,
// down to one granule per cell; "zoom out": 16x wider, up to the whole window.

import { api } from './api.js';
import { colours, el, hex } from './dom.js';
import type { Topology } from './topology-graph.js';

interface WindowDecoder {
  decoder: string;
  id?: string;
  resource: number;
  size: number;
  interleave_granularity?: number;
}

const CELLS = 256;

function colourOf(memdev: string | null, names: string[]): string {
  return memdev === null ? '#ddd' : colours[names.indexOf(memdev) % colours.length]!;
}

export async function drawMaps(host: HTMLElement, t: Topology): Promise<void> {
  const names = t.memdevs.map((m) => m.memdev);
  const root = t.buses?.[0];
  const windows = ((root?.[`decoders:${root.bus}`] as WindowDecoder[] | undefined) ?? []);
  const legend = el('div', { class: 'legend' }, ...names.map((n) => el('span', { style: `background:${colourOf(n, names)}` }, n)), el('span', { style: 'background:#ddd' }, 'no device'));
  const parts: HTMLElement[] = [legend];
  for (const d of windows) {
    const name = d.id ?? d.decoder;
    const base = d.resource;
    const gran = d.interleave_granularity ?? 256;
    const widest = Math.max(gran, Math.floor(d.size / CELLS / gran) * gran);
    const view = { from: base, step: gran };
    const title = el('h3', { 'data-window': name });
    const zoomOut = el('button', { class: 'zoomout' }, 'zoom out');
    const row = el('div', { class: 'map', 'data-window': name });
    const render = async (): Promise<void> => {
      const m = await api<{ memdevs: (string | null)[] }>(`/api/map?from=${view.from}&step=${view.step}&count=${CELLS}`);
      title.replaceChildren(
        `${name} (${d.decoder}) from ${hex(view.from)}, ${view.step} B per cell${view.step === gran ? ' (granules)' : ''} `,
        zoomOut,
      );
      row.dataset.step = String(view.step);
      row.replaceChildren(
        ...m.memdevs.map((md, i) => {
          const at = view.from + i * view.step;
          const c = el('div', { class: 'cell', title: `${hex(at)}: ${md ?? 'no device'}`, style: `background:${colourOf(md, names)}` });
          c.addEventListener('click', () => {
            if (view.step <= gran) return;
            view.step = Math.max(gran, view.step / 16);
            view.from = Math.max(base, Math.min(at, base + d.size - CELLS * view.step));
            void render();
          });
          return c;
        }),
      );
    };
    zoomOut.addEventListener('click', () => {
      view.step = Math.min(view.step * 16, widest);
      view.from = Math.max(base, Math.min(view.from, base + d.size - CELLS * view.step));
      void render();
    });
    await render();
    parts.push(title, row);
  }
  host.replaceChildren(...parts);
}
