// Information and Status command set (CXL r3.x §8.2.9.1): Request Abort Background Operation
// (0005h). Identify (0001h) and Background Operation Status (0002h) belong to switch / FM CCIs,
// not to the type-3 primary mailbox (as in QEMU), so they are not here.

import type { MailboxCommand } from './state.js';
import { fail, ok, RC } from './types.js';

export const infoCommands: MailboxCommand[] = [
  {
    opcode: 0x0005,
    name: 'Request Abort Background Operation',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      if (!st.backgroundRunning) return ok();
      return st.abortBackground() ? ok() : fail(RC.Busy);
    },
  },
];
