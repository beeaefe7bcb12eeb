// Firmware Update command set (CXL r3.x §8.2.9.3): Get FW Info (0200h) only. Transfer FW (0201h)
// and Activate FW (0202h) are not implemented (Unsupported; not in the Command Effects Log).

import type { MailboxCommand } from './state.js';
import { ok, putAscii } from './types.js';

export const firmwareCommands: MailboxCommand[] = [
  {
    opcode: 0x0200,
    name: 'Get FW Info',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      // +0 slots supported, +1 slot info (active [2:0], staged [5:3]), +2 activation caps,
      // +0x10.. four 16-byte revision strings.
      const out = new Uint8Array(0x50);
      out[0] = st.fwSlots.length;
      out[1] = st.activeSlot & 7;
      out[2] = 0;
      st.fwSlots.forEach((s, i) => putAscii(out, 0x10 + 0x10 * i, 0x10, s));
      return ok(out);
    },
  },
];
