// The guest's serial console in a terminal (xterm.js): what the guest writes appears as it would in
// a terminal, keys typed into it reach the UART's receiver (Enter sends a carriage return, as a
// terminal does). A plain-text log of everything received sits beside it for copying.

import { Terminal } from '@xterm/xterm';
import { api, post } from './api.js';
import { el } from './dom.js';

export class GuestConsole {
  readonly element: HTMLElement;
  private readonly term: Terminal;
  private readonly log: HTMLElement;
  private at = 0;
  private fetching = false;

  constructor(onError: (m: string) => void) {
    const screen = el('div', { id: 'terminal' });
    this.log = el('pre', { id: 'console' });
    const details = el('details', {}, el('summary', {}, 'console log (plain text)'), this.log);
    this.element = el('div', {}, screen, details);
    this.term = new Terminal({ convertEol: true, rows: 18, cols: 120, scrollback: 5000, fontSize: 13 });
    this.term.open(screen);
    this.term.onData((text) => {
      post('/api/console', { text }).catch((e: unknown) => onError((e as Error).message));
    });
  }

  /** The guest restarted (reset): a fresh screen. */
  clear(): void {
    this.at = 0;
    this.term.reset();
    this.log.textContent = '';
  }

  /** Fetch what the guest wrote beyond what is shown (the snapshot says how much there is). */
  async update(consoleBytes: number): Promise<void> {
    if (consoleBytes <= this.at || this.fetching) return;
    this.fetching = true;
    try {
      const c = await api<{ from: number; text: string }>(`/api/console?from=${this.at}`);
      this.term.write(c.text);
      this.log.textContent += c.text;
      this.at = c.from + c.text.length;
    } finally {
      this.fetching = false;
    }
  }

  focus(): void {
    this.term.focus();
  }
}
