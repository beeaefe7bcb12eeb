// Identify command set (CXL r3.x §8.2.9.9.1): Identify Memory Device (4000h), 0x45 bytes (CXL 2.0's
// 0x43 plus r3's dynamic-capacity event log size). Capacities in 256 MiB units.

import { POISON_LIST_LIMIT } from '../poison.js';
import { EVENT_LOG_CAPACITY, type MailboxCommand } from './state.js';
import { CAPACITY_UNIT, ok, put16, put32, put64, putAscii } from './types.js';

export const IDENTIFY_BYTES = 0x45;

export const identifyCommands: MailboxCommand[] = [
  {
    opcode: 0x4000,
    name: 'Identify Memory Device',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      const out = new Uint8Array(IDENTIFY_BYTES);
      putAscii(out, 0, 0x10, st.fwSlots[st.activeSlot - 1] ?? '');
      put64(out, 0x10, st.capacity / CAPACITY_UNIT);
      put64(out, 0x18, st.volatileOnly / CAPACITY_UNIT);
      put64(out, 0x20, st.persistentOnly / CAPACITY_UNIT);
      put64(out, 0x28, st.partitionAlign / CAPACITY_UNIT);
      for (let i = 0; i < 4; i++) put16(out, 0x30 + 2 * i, EVENT_LOG_CAPACITY);
      put32(out, 0x38, st.device.lsaBytes);
      // Poison list maximum media error records (3 bytes), inject limit, caps (bit 1: scan media).
      out[0x3c] = POISON_LIST_LIMIT & 0xff;
      out[0x3d] = (POISON_LIST_LIMIT >>> 8) & 0xff;
      out[0x3e] = 0;
      put16(out, 0x3f, POISON_LIST_LIMIT);
      out[0x41] = 1 << 1;
      out[0x42] = 0;
      put16(out, 0x43, 0);
      return ok(out);
    },
  },
];
