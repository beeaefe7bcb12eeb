// Events command set (CXL r3.x §8.2.9.2): Get Event Records (0100h), Clear Event Records (0101h),
// Get/Set Event Interrupt Policy (0102h/0103h). Logs live in MailboxState; records are 128 bytes.

import { EVENT_RECORD_BYTES, type MailboxCommand } from './state.js';
import { fail, ok, put16, put64, RC, u16 } from './types.js';

/** Get Event Records output header (flags, overflow count and times, record count). */
const GET_HDR = 0x20;
/** Clear Event Records input header: log, flags, handle count, 3 reserved bytes. */
const CLEAR_HDR = 6;

export const eventCommands: MailboxCommand[] = [
  {
    opcode: 0x0100,
    name: 'Get Event Records',
    input: 1,
    effects: 0,
    needsMedia: false,
    run(st, inp) {
      const log = inp[0]!;
      if (log > 3) return fail(RC.InvalidInput); // 4 = dynamic capacity: no DC regions here
      const l = st.logs[log]!;
      const max = Math.floor((st.payloadSize - GET_HDR) / EVENT_RECORD_BYTES);
      const n = Math.min(max, l.records.length);
      const out = new Uint8Array(GET_HDR + n * EVENT_RECORD_BYTES);
      out[0] = (l.overflowCount ? 1 : 0) | (l.records.length > n ? 2 : 0);
      put16(out, 2, l.overflowCount);
      put64(out, 4, l.firstOverflow);
      put64(out, 0xc, l.lastOverflow);
      put16(out, 0x14, n);
      for (let i = 0; i < n; i++) out.set(l.records[i]!.bytes, GET_HDR + i * EVENT_RECORD_BYTES);
      return ok(out);
    },
  },
  {
    opcode: 0x0101,
    name: 'Clear Event Records',
    input: { min: CLEAR_HDR },
    effects: 1 << 4,
    needsMedia: false,
    run(st, inp) {
      const log = inp[0]!;
      const flags = inp[1]!;
      const n = inp[2]!;
      if (inp.length !== CLEAR_HDR + 2 * n) return fail(RC.InvalidPayloadLength);
      if ((flags & 0xfe) !== 0 || inp[3] || inp[4] || inp[5]) return fail(RC.InvalidInput);
      if (log > 3) return fail(RC.InvalidInput);
      const l = st.logs[log]!;
      if (flags & 1) {
        if (n !== 0) return fail(RC.InvalidInput);
        l.records.length = 0;
        l.overflowCount = 0;
        l.firstOverflow = l.lastOverflow = 0n;
        return ok();
      }
      const handles: number[] = [];
      for (let i = 0; i < n; i++) handles.push(u16(inp, CLEAR_HDR + 2 * i));
      for (const h of handles) if (!l.records.some((r) => r.handle === h)) return fail(RC.InvalidHandle);
      l.records = l.records.filter((r) => !handles.includes(r.handle));
      if (l.records.length === 0) l.overflowCount = 0;
      return ok();
    },
  },
  {
    opcode: 0x0102,
    name: 'Get Event Interrupt Policy',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      const out = new Uint8Array(st.eventPolicy.length);
      for (let i = 0; i < out.length; i++) out[i] = st.eventInterruptSetting(i);
      return ok(out);
    },
  },
  {
    opcode: 0x0103,
    name: 'Set Event Interrupt Policy',
    input: { min: 4, max: 5 },
    effects: 1 << 1,
    needsMedia: false,
    run(st, inp) {
      // Each setting: [1:0] mode (0 none, 1 MSI/MSI-X, 2 FW interrupt, 3 reserved), [3:2] reserved.
      // [7:4] is where Get reports the message number; the device chooses it (one vector per log,
      // T3_MSIX), so a value there — a host writing back what Get returned — is ignored.
      for (let i = 0; i < inp.length; i++) {
        const b = inp[i]!;
        if ((b & 3) === 3 || (b & 0x0c) !== 0) return fail(RC.InvalidInput);
      }
      if (inp.length === 5 && (inp[4]! & 3) !== 0) return fail(RC.InvalidInput); // no dynamic capacity
      st.eventPolicy.fill(0);
      for (let i = 0; i < inp.length; i++) st.eventPolicy[i] = inp[i]! & 3;
      return ok();
    },
  },
];
