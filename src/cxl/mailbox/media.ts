// Media and Poison Management command set (CXL r3.x §8.2.9.9.4): Get Poison List (4300h), Inject
// Poison (4301h), Clear Poison (4302h, writes the given 64 bytes), Get Scan Media Capabilities
// (4303h), Scan Media (4304h, background) and Get Scan Media Results (4305h). Poison itself lives in
// DeviceMedia (poison.ts); DPAs and lengths are 64-byte lines.

import { POISON_LINE, PoisonSource } from '../poison.js';
import { encodeMediaEvent } from './event-records.js';
import { EventLog, type MailboxCommand, type MailboxState } from './state.js';
import { fail, ok, put16, put32, put64, RC, u64, type CommandResult } from './types.js';

const LIST_HDR = 0x20;
const RECORD = 0x10;
export const SCAN_MEDIA = 0x4304;

/** Checks a {u64 dpa, u64 length-in-lines} range: alignment is InvalidInput, reach is InvalidPhysicalAddress. */
/**
 * A DPA range in 64-byte lines. `emptyOk`: a zero length is an empty range (Get Poison List: Linux
 * asks for the unmapped rest of a fully mapped partition with length 0 and expects no records, as
 * QEMU answers); otherwise it is Invalid Input (Scan Media).
 */
function checkRange(
  st: MailboxState,
  inp: Uint8Array,
  emptyOk = false,
): { dpa: number; length: number } | CommandResult {
  if (inp[0]! & 0x3f) return fail(RC.InvalidInput);
  const dpa = u64(inp, 0);
  const lines = u64(inp, 8);
  if (lines === 0 && !emptyOk) return fail(RC.InvalidInput);
  const length = lines * POISON_LINE;
  if (!(dpa + length <= st.capacity)) return fail(RC.InvalidPhysicalAddress);
  return { dpa, length };
}

function checkLine(st: MailboxState, inp: Uint8Array): number | CommandResult {
  if (inp[0]! & 0x3f) return fail(RC.InvalidInput);
  const dpa = u64(inp, 0);
  if (!(dpa + POISON_LINE <= st.capacity)) return fail(RC.InvalidPhysicalAddress);
  return dpa;
}

function records(out: Uint8Array, list: { dpa: number; length: number; source: PoisonSource }[]): void {
  list.forEach((r, i) => {
    put64(out, LIST_HDR + RECORD * i, r.dpa + (r.source & 7));
    put32(out, LIST_HDR + RECORD * i + 8, r.length / POISON_LINE);
  });
}

/** A General Media Event for an uncorrectable error found by Scan Media (failure severity). */
function scanEvent(st: MailboxState, dpa: number): Uint8Array {
  return encodeMediaEvent(st.device, EventLog.Failure, 'generalMedia', {
    dpa,
    uncorrectable: true,
    memoryEventType: 'mediaEcc',
    transactionType: 'hostScanMedia',
  });
}

export const mediaCommands: MailboxCommand[] = [
  {
    opcode: 0x4300,
    name: 'Get Poison List',
    input: 0x10,
    effects: 0,
    needsMedia: true,
    run(st, inp) {
      const r = checkRange(st, inp, true);
      if ('rc' in r) return r;
      const all = r.length === 0 ? [] : st.media.ranges(r.dpa, r.length);
      // A re-issued identical query continues where the last one stopped (More Media Error Records).
      const cur = st.poisonCursor;
      const from = cur && cur.start === r.dpa && cur.length === r.length ? cur.next : 0;
      const max = Math.floor((st.payloadSize - LIST_HDR) / RECORD);
      const page = all.slice(from, from + max);
      const more = from + page.length < all.length;
      st.poisonCursor = more ? { start: r.dpa, length: r.length, next: from + page.length } : null;
      const out = new Uint8Array(LIST_HDR + RECORD * page.length);
      out[0] = (more ? 1 : 0) | (st.media.overflowed ? 2 : 0) | (st.bg?.opcode === SCAN_MEDIA ? 4 : 0);
      put64(out, 2, st.media.overflowTimestamp);
      put16(out, 0xa, page.length);
      records(out, page);
      return ok(out);
    },
  },
  {
    opcode: 0x4301,
    name: 'Inject Poison',
    input: 8,
    effects: 0,
    needsMedia: true,
    run(st, inp) {
      const dpa = checkLine(st, inp);
      if (typeof dpa !== 'number') return dpa;
      return st.media.inject(dpa, PoisonSource.Injected, st.timestampNs()) === 'limit'
        ? fail(RC.InjectPoisonLimit)
        : ok();
    },
  },
  {
    opcode: 0x4302,
    name: 'Clear Poison',
    input: 0x48,
    effects: 1 << 2,
    needsMedia: true,
    run(st, inp) {
      const dpa = checkLine(st, inp);
      if (typeof dpa !== 'number') return dpa;
      // Clearing a line that holds no poison is not an error: the data is written either way.
      st.media.write(dpa, inp.slice(8, 8 + POISON_LINE));
      st.media.clearLine(dpa);
      return ok();
    },
  },
  {
    opcode: 0x4303,
    name: 'Get Scan Media Capabilities',
    input: 0x10,
    effects: 0,
    needsMedia: true,
    run(st, inp) {
      const r = checkRange(st, inp);
      if ('rc' in r) return r;
      const out = new Uint8Array(4);
      put32(out, 0, Math.max(1, Math.ceil(Number(st.sweepNs(r.length)) / 1e6)));
      return ok(out);
    },
  },
  {
    opcode: SCAN_MEDIA,
    name: 'Scan Media',
    input: 0x11,
    effects: (1 << 6) | (1 << 8),
    needsMedia: true,
    run(st, inp) {
      if (inp[0x10]! & 0xfe) return fail(RC.InvalidInput);
      const r = checkRange(st, inp);
      if ('rc' in r) return r;
      st.scan = null;
      st.startBackground({
        opcode: SCAN_MEDIA,
        durationNs: st.sweepNs(r.length),
        abortable: true,
        finish: (s) => {
          s.scan = { results: s.media.ranges(r.dpa, r.length), cursor: 0 };
          // Flags bit 0 = No Event Log; otherwise one General Media Event per error found.
          if (!(inp[0x10]! & 1)) for (const e of s.scan.results) s.addEvent(EventLog.Failure, scanEvent(s, e.dpa));
          return undefined;
        },
      });
      return { rc: RC.BackgroundStarted };
    },
  },
  {
    opcode: 0x4305,
    name: 'Get Scan Media Results',
    input: 0,
    effects: 0,
    needsMedia: true,
    run(st) {
      if (st.bg?.opcode === SCAN_MEDIA) return fail(RC.Busy);
      const sc = st.scan;
      if (!sc) return fail(RC.Unsupported); // no scan since reset (QEMU's answer)
      const max = Math.floor((st.payloadSize - LIST_HDR) / RECORD);
      const page = sc.results.slice(sc.cursor, sc.cursor + max);
      sc.cursor += page.length;
      const more = sc.cursor < sc.results.length;
      const out = new Uint8Array(LIST_HDR + RECORD * page.length);
      if (more) {
        put64(out, 0, sc.results[sc.cursor]!.dpa);
        const last = sc.results[sc.results.length - 1]!;
        put64(out, 8, (last.dpa + last.length - sc.results[sc.cursor]!.dpa) / POISON_LINE);
      }
      out[0x10] = (more ? 1 : 0) | (st.media.overflowed ? 2 : 0);
      put16(out, 0x12, page.length);
      records(out, page);
      return ok(out);
    },
  },
];
