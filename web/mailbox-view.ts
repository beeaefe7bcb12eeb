// The mailbox: send any command to a memdev (opcode or name, payload hex) and see the return code,
// the output bytes and the decoded fields, as `cxlemu mailbox --json` prints them; and poison:
// inject or clear a 64-byte line at a DPA, and the device's poison list.

import { api, post } from './api.js';
import { el, hex, say } from './dom.js';

interface Reply {
  memdev: string;
  opcode: string;
  command: string | null;
  rc: number;
  rcName: string;
  outputLength: number;
  output: string;
  decoded?: Record<string, unknown>;
  via: string;
}

function replyText(r: Reply): string {
  const bytes = r.output.match(/.{1,32}/g)?.map((l, i) => `  ${(i * 16).toString(16).padStart(4, '0')}: ${l.match(/../g)!.join(' ')}`) ?? [];
  return [
    `${r.memdev} ${r.opcode} ${r.command ?? '(not implemented by this device)'}: return code ${hex(r.rc)} (${r.rcName}), via the ${r.via}`,
    `output: ${r.outputLength} bytes`,
    ...bytes,
    ...(r.decoded ? ['decoded:', JSON.stringify(r.decoded, null, 2)] : []),
  ].join('\n');
}

export async function mailboxView(memdevs: string[]): Promise<HTMLElement> {
  const commands = await api<{ opcode: number; name: string }[]>('/api/mailbox/commands');
  const pick = (id: string) => el('select', { id }, ...memdevs.map((m) => el('option', { value: m }, m)));
  const memdev = pick('mbmem');
  const opcode = el('input', { id: 'mbop', size: 28, list: 'mbcommands', placeholder: 'identify-memory-device or 4000' });
  const payload = el('input', { id: 'mbpayload', size: 40, placeholder: 'payload hex (optional)' });
  const out = el('pre', { id: 'mbreply' });
  const form = el('form', { id: 'mailbox' }, memdev, ' ', opcode, ' ', payload, ' ', el('button', {}, 'send'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      say(out, replyText(await post<Reply>('/api/mailbox', { memdev: memdev.value, opcode: opcode.value, payload: payload.value })));
    } catch (e) {
      say(out, (e as Error).message, true);
    }
  });
  const datalist = el('datalist', { id: 'mbcommands' }, ...commands.map((c) => el('option', { value: c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') }, `${hex(c.opcode)} ${c.name}`)));

  const pmem = pick('pmem');
  const dpa = el('input', { id: 'pdpa', size: 14, placeholder: 'DPA, e.g. 0x1000' });
  const pout = el('pre', { id: 'poisonreply' });
  const poison = async (action: 'inject' | 'clear' | 'list') => {
    try {
      const r =
        action === 'list'
          ? await api<Reply>(`/api/poison?memdev=${encodeURIComponent(pmem.value)}`)
          : await post<Reply>('/api/poison', { memdev: pmem.value, dpa: dpa.value.trim(), action });
      say(pout, replyText(r), r.rc !== 0);
    } catch (e) {
      say(pout, (e as Error).message, true);
    }
  };
  const button = (id: string, text: string, f: () => void) => {
    const b = el('button', { id, type: 'button' }, text);
    b.addEventListener('click', f);
    return b;
  };
  return el(
    'div',
    {},
    el('h3', {}, 'Send a command'),
    form,
    datalist,
    out,
    el('h3', {}, 'Poison'),
    el('div', { id: 'poison' }, pmem, ' ', dpa, ' ', button('pinject', 'inject', () => poison('inject')), ' ', button('pclear', 'clear', () => poison('clear')), ' ', button('plist', 'list', () => poison('list'))),
    pout,
  );
}
