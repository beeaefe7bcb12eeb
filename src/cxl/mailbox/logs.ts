// Logs command set (CXL r3.x §8.2.9.5): Get Supported Logs (0400h) and Get Log (0401h). The only
// log is the Command Effects Log, generated from the command table, so it lists exactly the
// commands this mailbox implements (each {u16 opcode, u16 effects}).

import type { MailboxCommand, MailboxState } from './state.js';
import { fail, ok, put16, put32, RC, u32 } from './types.js';

/** CEL UUID 0da9c0b5-bf41-4b78-8f79-96b1623b3f17, bytes in textual order (Linux uuid_t). */
export const CEL_UUID = Uint8Array.from([
  0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78, 0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17,
]);
const CEL_ENTRY = 4;

export function commandEffectsLog(st: MailboxState): Uint8Array {
  const cmds = [...st.commands].sort((a, b) => a.opcode - b.opcode);
  const out = new Uint8Array(cmds.length * CEL_ENTRY);
  cmds.forEach((c, i) => {
    put16(out, CEL_ENTRY * i, c.opcode);
    put16(out, CEL_ENTRY * i + 2, c.effects);
  });
  return out;
}

export const logCommands: MailboxCommand[] = [
  {
    opcode: 0x0400,
    name: 'Get Supported Logs',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      // u16 count, 6 reserved, then {UUID, u32 size} per log.
      const out = new Uint8Array(8 + 20);
      put16(out, 0, 1);
      out.set(CEL_UUID, 8);
      put32(out, 24, st.commands.length * CEL_ENTRY);
      return ok(out);
    },
  },
  {
    opcode: 0x0401,
    name: 'Get Log',
    input: 0x18,
    effects: 0,
    needsMedia: false,
    run(st, inp) {
      for (let i = 0; i < 16; i++) if (inp[i] !== CEL_UUID[i]) return fail(RC.InvalidLog);
      const offset = u32(inp, 16);
      const length = u32(inp, 20);
      const cel = commandEffectsLog(st);
      if (length > st.payloadSize || offset + length > cel.length) return fail(RC.InvalidInput);
      return ok(cel.slice(offset, offset + length));
    },
  },
];
