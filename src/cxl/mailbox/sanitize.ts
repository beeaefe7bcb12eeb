// Sanitize command set (CXL r3.x §8.2.9.9.5): Sanitize (4400h) and Secure Erase (4401h), both run
// here as background operations: the media is disabled from the start until the sweep completes,
// then every media byte is zeroed through the device's BackingStores (arena.noteWrite keeps
// translated code coherent) and the poison list is emptied. Sanitize also zeroes the LSA and drops
// the event logs (as QEMU does). A reset during either leaves the media disabled until a Sanitize
// completes.

import { ArenaFullError } from '../../memory/arena.js';
import { zeroStore } from '../poison.js';
import type { MailboxCommand, MailboxState } from './state.js';
import { RC } from './types.js';

export const SANITIZE = 0x4400;
export const SECURE_ERASE = 0x4401;

function start(st: MailboxState, opcode: number, finish: (s: MailboxState) => void) {
  st.media.setMediaDisabled(true);
  st.startBackground({
    opcode,
    durationNs: st.sweepNs(st.capacity),
    abortable: false,
    finish: (s) => {
      try {
        s.media.zeroAll();
        finish(s);
      } catch (e) {
        // A file-backed store is zeroed page by page through the arena; one larger than the arena's
        // free pages cannot be: the operation fails and the media stays disabled (as after any
        // failed sanitize).
        if (e instanceof ArenaFullError) {
          s.sanitizeInterrupted = true;
          return RC.InternalError;
        }
        throw e;
      }
      s.media.clearAll();
      s.sanitizeInterrupted = false;
      s.media.setMediaDisabled(false);
      return RC.Success;
    },
  });
  return { rc: RC.BackgroundStarted };
}

export const sanitizeCommands: MailboxCommand[] = [
  {
    // Allowed while the media is disabled: a completed Sanitize is how an interrupted one recovers.
    opcode: SANITIZE,
    name: 'Sanitize',
    input: 0,
    effects: (1 << 2) | (1 << 5) | (1 << 6),
    needsMedia: false,
    run(st) {
      return start(st, SANITIZE, (s) => {
        if (s.device.lsaStore) zeroStore(s.device.lsaStore);
        s.device.lsaStore?.flush();
        for (const l of s.logs) {
          l.records.length = 0;
          l.overflowCount = 0;
        }
      });
    },
  },
  {
    opcode: SECURE_ERASE,
    name: 'Secure Erase',
    input: 0,
    effects: (1 << 2) | (1 << 5) | (1 << 6),
    needsMedia: true,
    run(st) {
      return start(st, SECURE_ERASE, () => {});
    },
  },
];
