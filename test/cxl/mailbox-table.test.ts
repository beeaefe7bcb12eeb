// Table: every implemented opcode x every invalid-input class (short payload, long payload,
// reserved bits set, out-of-range fields, wrong state: a background operation running, media
// disabled) -> the return code. Oracle: CXL r3.x §8.2.9 return-code rules as SPEC-NOTES 2.4/2.5
// and QEMU's cxl_process_cci_message order state them (length -> Invalid Payload Length (16h);
// background-capable while one runs -> Busy (6); media commands while disabled -> Media Disabled
// (7); field checks -> Invalid Input (2) / Invalid Physical Address (0Fh) / Invalid Log (17h) /
// Invalid Handle (0Eh) / Inject Poison Limit (10h)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { MAILBOX_COMMANDS, CEL_UUID } from '../../src/cxl/mailbox/index.js';
import { rig, le64, cat, type Rig } from './mailbox-driver.js';

const B = (...b: number[]) => Uint8Array.from(b);
const z = (n: number) => new Uint8Array(n);
const u32s = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
const CAP = 512 * 2 ** 20; // mem0 capacity
const PAYLOAD = 2048;

/** An input: bytes, or bytes with a different length written into the Command register. */
type In = Uint8Array | { bytes: Uint8Array; length: number };
type Case = [In, number];

interface Row {
  valid: In;
  validRc?: number;
  short?: Case;
  long: Case;
  reserved?: Case[];
  range?: Case[];
  /** Extra state cases beyond the generic two (setup runs on a fresh rig first). */
  state?: { name: string; setup: (r: Rig) => void; input: In; rc: number }[];
}

const L = 0x16;
const II = 2;

const TABLE: Record<number, Row> = {
  0x0005: { valid: z(0), long: [z(1), L] },
  0x0100: {
    valid: B(0),
    short: [z(0), L],
    long: [z(2), L],
    range: [
      [B(4), II],
      [B(0xff), II],
    ],
  },
  0x0101: {
    valid: B(0, 1, 0, 0, 0, 0),
    short: [z(5), L],
    long: [B(0, 0, 1, 0, 0, 0), L],
    reserved: [
      [B(0, 2, 0, 0, 0, 0), II],
      [B(0, 1, 0, 1, 0, 0), II],
    ],
    range: [
      [B(5, 1, 0, 0, 0, 0), II],
      [B(0, 0, 1, 0, 0, 0, 0x34, 0x12), 0x0e],
      [B(0, 1, 1, 0, 0, 0, 1, 0), II],
    ],
  },
  0x0102: { valid: z(0), long: [z(1), L] },
  0x0103: {
    valid: z(4),
    short: [z(3), L],
    long: [z(6), L],
    reserved: [
      [B(4, 0, 0, 0), II],
      [B(0, 3, 0, 0), II],
    ],
    range: [[B(0, 0, 0, 0, 1), II]],
  },
  0x0200: { valid: z(0), long: [z(1), L] },
  0x0300: { valid: z(0), long: [z(1), L] },
  0x0301: { valid: z(8), short: [z(7), L], long: [z(9), L] },
  0x0400: { valid: z(0), long: [z(1), L] },
  0x0401: {
    valid: cat(CEL_UUID, u32s(0, 4)),
    short: [z(0x17), L],
    long: [z(0x19), L],
    range: [
      [cat(z(16), u32s(0, 4)), 0x17],
      [cat(CEL_UUID, u32s(4, 0x1000)), II],
      [cat(CEL_UUID, u32s(0, PAYLOAD + 4)), II],
      [cat(CEL_UUID, u32s(0xffffffff, 4)), II],
    ],
  },
  0x4000: { valid: z(0), long: [z(1), L] },
  0x4100: { valid: z(0), long: [z(1), L] },
  0x4101: {
    valid: cat(le64(1), [0]),
    short: [z(8), L],
    long: [z(10), L],
    reserved: [[cat(le64(1), [0x80]), II]],
    range: [
      [cat(le64(3), [0]), II],
      [cat(le64(2n ** 60n), [0]), II],
      [cat(le64(1), [1]), 3],
    ],
  },
  0x4102: {
    valid: u32s(0, 16),
    short: [z(7), L],
    long: [z(9), L],
    range: [
      [u32s(128 * 1024, 1), II],
      [u32s(0, PAYLOAD + 1), II],
      [u32s(0xffffffff, 2), II],
    ],
  },
  0x4103: {
    valid: cat(u32s(0, 0), z(4)),
    short: [z(7), L],
    long: [{ bytes: z(8), length: PAYLOAD + 1 }, L],
    reserved: [[cat(u32s(0, 1), z(4)), II]],
    range: [[cat(u32s(128 * 1024 - 2, 0), z(4)), II]],
  },
  0x4200: { valid: z(0), long: [z(1), L] },
  0x4201: { valid: z(0), long: [z(1), L] },
  0x4202: {
    valid: B(1, 1, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    short: [z(11), L],
    long: [z(13), L],
    reserved: [
      [B(0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), II],
      [B(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), II],
    ],
    range: [
      [B(1, 1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0), II],
      [B(2, 2, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0), II],
      [B(4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), II],
    ],
  },
  0x4300: {
    valid: le64(0, 1),
    short: [z(15), L],
    long: [z(17), L],
    reserved: [
      [le64(1, 1), II],
      [le64(0x20, 1), II],
    ],
    // A zero length is an empty query (success, no records: mailbox.test.ts); past the end is not.
    range: [
      [le64(CAP + 64, 0), 0x0f],
      [le64(0, CAP / 64 + 1), 0x0f],
      [le64(CAP, 1), 0x0f],
      [le64(2n ** 63n, 1), 0x0f],
    ],
  },
  0x4301: {
    valid: le64(0),
    short: [z(7), L],
    long: [z(9), L],
    reserved: [[le64(0x20), II]],
    range: [
      [le64(CAP), 0x0f],
      [le64(2n ** 62n), 0x0f],
    ],
    state: [
      {
        name: 'poison list full',
        setup: (r) => {
          for (let i = 0; i < 256; i++) r.host.send(0x4301, le64(64 * i));
        },
        input: le64(64 * 256),
        rc: 0x10,
      },
    ],
  },
  0x4302: {
    valid: cat(le64(0), z(64)),
    short: [z(0x47), L],
    long: [z(0x49), L],
    reserved: [[cat(le64(8), z(64)), II]],
    range: [[cat(le64(CAP), z(64)), 0x0f]],
  },
  0x4303: {
    valid: le64(0, 1),
    short: [z(15), L],
    long: [z(17), L],
    reserved: [[le64(4, 1), II]],
    range: [
      [le64(0, 0), II],
      [le64(CAP - 64, 2), 0x0f],
    ],
  },
  0x4304: {
    valid: cat(le64(0, 1), [0]),
    validRc: 1,
    short: [z(16), L],
    long: [z(18), L],
    reserved: [
      [cat(le64(0, 1), [2]), II],
      [cat(le64(2, 1), [0]), II],
    ],
    range: [
      [cat(le64(0, 0), [0]), II],
      [cat(le64(CAP, 1), [0]), 0x0f],
    ],
  },
  0x4305: {
    valid: z(0),
    long: [z(1), L],
    state: [{ name: 'no scan has run', setup: () => {}, input: z(0), rc: 3 }],
  },
  0x4400: { valid: z(0), validRc: 1, long: [z(1), L] },
  0x4401: {
    valid: z(0),
    validRc: 1,
    long: [z(1), L],
    state: [
      {
        name: 'media disabled after an interrupted sanitize',
        setup: (r) => {
          r.host.send(0x4400);
          r.regs.reset();
        },
        input: z(0),
        rc: 7,
      },
    ],
  },
};

const arena = new Arena({ bytes: 128 * 2 ** 20 });
function fresh(): Rig {
  return rig({ arena, manualClock: true });
}
function send(r: Rig, op: number, i: In): number {
  return i instanceof Uint8Array ? r.host.send(op, i).rc : r.host.send(op, i.bytes, i.length).rc;
}

/** Per-opcode setup so the valid input succeeds (Get Scan Media Results needs a finished scan). */
function prepare(r: Rig, op: number): void {
  if (op === 0x4305) {
    r.host.send(0x4304, cat(le64(0, 1), [0]));
    r.clock.ns += 10n ** 9n;
  }
}

const matrix: string[] = [];

test('the table covers every implemented opcode', () => {
  assert.deepEqual(
    Object.keys(TABLE)
      .map(Number)
      .sort((a, b) => a - b),
    MAILBOX_COMMANDS.map((c) => c.opcode),
  );
});

for (const cmd of MAILBOX_COMMANDS) {
  const op = cmd.opcode;
  const row = TABLE[op]!;
  const hex = op.toString(16).padStart(4, '0');
  test(`${hex} ${cmd.name}: every invalid-input class -> its return code`, () => {
    const r = fresh();
    try {
      prepare(r, op);
      const cells: string[] = [];
      const check = (cls: string, c: Case | undefined) => {
        if (!c) return cells.push(`${cls}: n/a`);
        assert.equal(send(r, op, c[0]), c[1], `${hex} ${cls}`);
        cells.push(`${cls}: ${c[1].toString(16)}h`);
      };
      check('short', row.short);
      check('long', row.long);
      for (const c of row.reserved ?? []) check('reserved', c);
      if (!row.reserved) cells.push('reserved: n/a');
      for (const c of row.range ?? []) check('range', c);
      if (!row.range) cells.push('range: n/a');
      // The valid input succeeds afterwards: the invalid ones changed nothing that matters.
      assert.equal(send(r, op, row.valid), row.validRc ?? 0, `${hex} valid`);
      matrix.push(`${hex} ${cells.join(', ')}`);
    } finally {
      r.topo.close();
    }
  });

  test(`${hex} ${cmd.name}: wrong state (background operation running; media disabled)`, () => {
    const bgCapable = (cmd.effects & (1 << 6)) !== 0;
    // A scan media running (media enabled).
    {
      const r = fresh();
      prepare(r, op);
      assert.equal(r.host.send(0x4304, cat(le64(0, CAP / 64), [0])).rc, 1);
      const rc = send(r, op, row.valid);
      const expect = bgCapable ? 6 : op === 0x4305 ? 6 : op === 0x0005 ? 0 : (row.validRc ?? 0);
      assert.equal(rc, expect, `${hex} while scan media runs`);
      r.topo.close();
    }
    // A sanitize running (media disabled).
    {
      const r = fresh();
      prepare(r, op);
      assert.equal(r.host.send(0x4400).rc, 1);
      const rc = send(r, op, row.valid);
      const expect = bgCapable ? 6 : cmd.needsMedia ? 7 : op === 0x0005 ? 6 : (row.validRc ?? 0);
      assert.equal(rc, expect, `${hex} while sanitize runs`);
      r.topo.close();
    }
    for (const s of row.state ?? []) {
      const r = fresh();
      s.setup(r);
      assert.equal(send(r, op, s.input), s.rc, `${hex} ${s.name}`);
      r.topo.close();
    }
  });
}

test('summary', () => {
  assert.equal(matrix.length, MAILBOX_COMMANDS.length);
  if (process.env.CXLEMU_PRINT_TABLE) console.log(matrix.join('\n'));
});
