// Timestamp command set (CXL r3.x §8.2.9.4): Get (0300h) / Set (0301h), nanoseconds since 1970.
// The device keeps the host-set value and adds the time elapsed on its own clock since then.

import type { MailboxCommand } from './state.js';
import { ok, put64, u64big } from './types.js';

export const timestampCommands: MailboxCommand[] = [
  {
    opcode: 0x0300,
    name: 'Get Timestamp',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      const out = new Uint8Array(8);
      put64(out, 0, st.timestampNs());
      return ok(out);
    },
  },
  {
    opcode: 0x0301,
    name: 'Set Timestamp',
    input: 8,
    effects: 1 << 3,
    needsMedia: false,
    run(st, inp) {
      st.timestamp = { hostNs: u64big(inp, 0), atNs: st.now() };
      return ok();
    },
  },
];
