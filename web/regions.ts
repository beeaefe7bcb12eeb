// Regions: the committed ones with a destroy button each, and a form that creates one; both call
// the library (Machine.createRegion / destroyRegion) through the server, and a refusal shows the
// library's own message.

import { api, post } from './api.js';
import { el, hex, say, size } from './dom.js';
import type { Topology } from './topology-graph.js';

export function regionsView(reload: () => void): { element: HTMLElement; update(t: Topology): void } {
  const msg = el('pre', { id: 'regionmsg' });
  const list = el('div', { id: 'regions' });
  const update = (t: Topology) =>
    list.replaceChildren(
      ...(t.regions ?? []).map((r) => {
      const destroy = el('button', {}, 'destroy');
      destroy.addEventListener('click', async () => {
        try {
          await api(`/api/regions/${encodeURIComponent(r.region)}`, { method: 'DELETE' });
          say(msg, `${r.region} destroyed`);
          reload();
        } catch (e) {
          say(msg, (e as Error).message, true);
        }
      });
      return el(
        'div',
        { class: 'region', 'data-region': r.region },
        `${r.region}: ${hex(Number(r.resource))}, ${size(r.size)}, ${r.interleave_ways}-way ${r.interleave_granularity} B in ${r.window ?? '?'} `,
        destroy,
      );
      }),
    );
  const field = (id: string, sz: number, ph: string) => el('input', { id, size: sz, placeholder: ph });
  const win = field('rwin', 6, 'W1');
  const devs = field('rdevs', 14, 'mem2 mem0');
  const bytes = field('rsize', 10, '536870912');
  const name = field('rname', 6, 'R2');
  const form = el('form', { id: 'mkregion' }, 'window ', win, ' memdevs ', devs, ' size ', bytes, ' name ', name, ' ', el('button', {}, 'create'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body: Record<string, unknown> = {
      window: win.value.trim(),
      memdevs: devs.value.trim().split(/[ ,]+/).filter(Boolean),
      size: Number(bytes.value.trim()),
    };
    if (name.value.trim()) body.name = name.value.trim();
    try {
      const r = await post<{ region: string; base: number }>('/api/regions', body);
      say(msg, `${r.region} created at ${hex(r.base)}`);
      reload();
    } catch (e) {
      say(msg, (e as Error).message, true);
    }
  });
  return { element: el('div', {}, list, form, msg), update };
}
