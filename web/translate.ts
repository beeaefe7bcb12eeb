// The translate box: HPA -> device and DPA, and back (memdev + DPA -> HPAs), answered by the same
// library calls as `cxlemu translate --json`; the answer is shown as that JSON.

import { api } from './api.js';
import { el, say } from './dom.js';

export function translateView(): HTMLElement {
  const out = el('pre', { id: 'translation' });
  const hpa = el('input', { id: 'hpa', placeholder: 'HPA, e.g. 0x100001234', size: 28 });
  const memdev = el('input', { id: 'dmem', size: 6, placeholder: 'mem2' });
  const dpa = el('input', { id: 'dpa', size: 14, placeholder: '0x100' });
  const show = async (q: string) => {
    try {
      out.textContent = JSON.stringify(await api(`/api/translate?${q}`), null, 2);
      out.classList.remove('error');
    } catch (e) {
      say(out, (e as Error).message, true);
    }
  };
  const forward = el('form', { id: 'tr' }, hpa, ' ', el('button', {}, 'translate'));
  forward.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void show(`hpa=${encodeURIComponent(hpa.value.trim())}`);
  });
  const back = el('form', { id: 'trdpa' }, 'or back: memdev ', memdev, ' DPA ', dpa, ' ', el('button', {}, 'to HPA'));
  back.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void show(`memdev=${encodeURIComponent(memdev.value.trim())}&dpa=${encodeURIComponent(dpa.value.trim())}`);
  });
  return el('div', {}, forward, back, out);
}
