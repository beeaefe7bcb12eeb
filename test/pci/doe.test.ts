// DOE mailbox. Oracle: the host sequence of SPEC-NOTES 2.6 (PCIe r6.0 §6.30.2, as Linux
// drivers/pci/doe.c runs it), implemented step by step below over ECAM accesses; Discovery's
// request/response layout from SPEC-NOTES 2.6; §6.30.1's rule that an object whose DW count differs
// from its Length is silently discarded; Abort clearing Busy, Error and Data Object Ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDoe, findExtendedCapability, type DoeMailbox } from '../../src/pci/capabilities.js';
import { Ecam, ecamOffset } from '../../src/pci/ecam.js';
import { PciFunction } from '../../src/pci/topology.js';

const CTRL = 0x08;
const STATUS = 0x0c;
const WRITE = 0x10;
const READ = 0x14;
const BUSY = 1;
const ERROR = 4;
const READY = 0x80000000;
const GO = 0x80000000;
const ABORT = 1;

interface Bench {
  ecam: Ecam;
  doe: DoeMailbox;
  /** ECAM accessors of the DOE registers of 00:02.0. */
  rd(reg: number, size?: 1 | 2 | 4): number;
  wr(reg: number, value: number, size?: 1 | 2 | 4): void;
  statusReads: number;
}

function bench(busyPolls = 0): Bench {
  const ecam = new Ecam();
  const hb = ecam.addHostBridge({ name: 'hb0', busNr: 0 });
  const f = hb.rootBus.attach(
    2,
    0,
    new PciFunction({ name: 'ep', header: { type: 0, vendorId: 0x8086, deviceId: 0x0d93, classCode: 0x050210 } }),
  );
  const doe = addDoe(f.config, { busyPolls });
  // A dummy protocol: each payload DW + 1, in reverse order; an empty payload cannot be answered.
  doe.register(0x1e98, 0x7f, (_vendor, _type, req) =>
    req.length === 0 ? null : Array.from(req, (x) => (x + 1) >>> 0).reverse(),
  );
  doe.register(0x1e98, 0x02, () => [0xffff0000]);
  const base = findExtendedCapability((o, s) => ecam.read(ecamOffset(0, 2, 0, o), s), 0x002e);
  assert.equal(base, doe.offset);
  const b: Bench = {
    ecam,
    doe,
    statusReads: 0,
    rd(reg, size = 4) {
      if (reg === STATUS) b.statusReads++;
      return ecam.read(ecamOffset(0, 2, 0, base + reg), size);
    },
    wr(reg, value, size = 4) {
      ecam.write(ecamOffset(0, 2, 0, base + reg), size, value);
    },
  };
  return b;
}

type Outcome = { kind: 'response'; dwords: number[] } | { kind: 'error' } | { kind: 'timeout' };

/** SPEC-NOTES 2.6 steps 1-5. `maxPolls` stands in for the 1 s timeout. */
function exchange(b: Bench, object: number[], maxPolls = 50): Outcome {
  // 1. Busy = 0 and Error = 0.
  const s0 = b.rd(STATUS);
  assert.equal(s0 & (BUSY | ERROR), 0, 'step 1: mailbox idle');
  // 2. Write all DWs, then set Go.
  for (const dw of object) b.wr(WRITE, dw);
  b.wr(CTRL, GO);
  // 3. Poll for Data Object Ready.
  let status = 0;
  let polls = 0;
  for (; polls < maxPolls; polls++) {
    status = b.rd(STATUS);
    if (status & ERROR) break;
    if (status & READY) break;
  }
  if (status & ERROR || polls === maxPolls) {
    // 5. On Error or timeout, set Abort and wait until Busy and Error clear.
    b.wr(CTRL, ABORT);
    for (let i = 0; i < maxPolls; i++)
      if ((b.rd(STATUS) & (BUSY | ERROR)) === 0) return status & ERROR ? { kind: 'error' } : { kind: 'timeout' };
    assert.fail('abort did not clear Busy and Error');
  }
  // 4. Read DW by DW: read, then write any value to advance; the length comes from DW1.
  const out: number[] = [];
  out.push(b.rd(READ));
  b.wr(READ, 0);
  out.push(b.rd(READ));
  b.wr(READ, 0);
  const len = out[1]! & 0x3ffff || 0x40000;
  while (out.length < len) {
    out.push(b.rd(READ));
    b.wr(READ, 0);
  }
  assert.equal(b.rd(STATUS) & READY, 0, 'Data Object Ready clears after the last DW');
  return { kind: 'response', dwords: out };
}

const header = (vendor: number, type: number, len: number) => [(vendor | (type << 16)) >>> 0, len];

test('Discovery lists Discovery, then the registered protocols in order, until next index 0', () => {
  const b = bench();
  const found: [number, number][] = [];
  let index = 0;
  do {
    const r = exchange(b, [...header(1, 0, 3), index]);
    assert.equal(r.kind, 'response');
    const dw = (r as { dwords: number[] }).dwords;
    assert.deepEqual(dw.slice(0, 2), header(1, 0, 3), 'response headers: PCI-SIG Discovery, 3 DW');
    found.push([dw[2]! & 0xffff, (dw[2]! >>> 16) & 0xff]);
    index = dw[2]! >>> 24;
  } while (index !== 0 && found.length < 10);
  assert.deepEqual(found, [
    [0x0001, 0x00],
    [0x1e98, 0x7f],
    [0x1e98, 0x02],
  ]);
  assert.deepEqual(
    b.doe.protocolList.map((p) => [p.vendor, p.type]),
    found,
  );
  // Past the list: vendor 0xFFFF, type 0xFF, next 0.
  const r = exchange(b, [...header(1, 0, 3), 7]);
  assert.deepEqual((r as { dwords: number[] }).dwords[2], 0x00ffffff);
});

test('a dummy protocol round trip returns its payload with the request vendor/type and the right length', () => {
  const b = bench();
  const r = exchange(b, [...header(0x1e98, 0x7f, 5), 10, 20, 0xffffffff]);
  assert.deepEqual(r, { kind: 'response', dwords: [...header(0x1e98, 0x7f, 5), 0, 21, 11] });
  // The mailbox is reusable at once.
  const r2 = exchange(b, [...header(0x1e98, 0x02, 3), 0]);
  assert.deepEqual(r2, { kind: 'response', dwords: [...header(0x1e98, 0x02, 3), 0xffff0000] });
  assert.equal(b.rd(READ), 0, 'read mailbox reads 0 with no object ready');
});

test('Busy is visible for the configured number of status polls, then Data Object Ready', () => {
  const b = bench(3);
  for (const dw of [...header(0x1e98, 0x7f, 3), 5]) b.wr(WRITE, dw);
  b.wr(CTRL, GO);
  assert.equal(b.rd(STATUS), BUSY);
  assert.equal(b.rd(STATUS), BUSY);
  b.wr(WRITE, 99); // ignored while Busy
  assert.equal(b.rd(STATUS), READY);
  const r = [b.rd(READ)];
  b.wr(READ, 0);
  r.push(b.rd(READ));
  b.wr(READ, 0);
  r.push(b.rd(READ));
  b.wr(READ, 0);
  assert.deepEqual(r, [...header(0x1e98, 0x7f, 3), 6]);
  assert.equal(b.rd(STATUS), 0);
  assert.equal(b.doe.state.requestDwords, 0, 'the write while Busy was dropped');
  // The full host sequence also works with a busy mailbox.
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 3), 1]), {
    kind: 'response',
    dwords: [...header(0x1e98, 0x7f, 3), 2],
  });
});

test('Abort discards a half-written request; the next object goes through', () => {
  const b = bench();
  b.wr(WRITE, header(0x1e98, 0x7f, 4)[0]!);
  b.wr(WRITE, 4);
  b.wr(CTRL, ABORT);
  assert.equal(b.doe.state.requestDwords, 0);
  assert.equal(b.rd(STATUS), 0);
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 4), 1, 2]), {
    kind: 'response',
    dwords: [...header(0x1e98, 0x7f, 4), 3, 2],
  });
});

test('Abort while Busy cancels the response; Abort while reading drops the rest', () => {
  const b = bench(5);
  for (const dw of [...header(0x1e98, 0x7f, 3), 5]) b.wr(WRITE, dw);
  b.wr(CTRL, GO);
  assert.equal(b.rd(STATUS) & BUSY, BUSY);
  b.wr(CTRL, ABORT);
  for (let i = 0; i < 10; i++) assert.equal(b.rd(STATUS), 0, 'no response ever arrives after Abort');
  const c = bench();
  for (const dw of [...header(0x1e98, 0x7f, 4), 1, 2]) c.wr(WRITE, dw);
  c.wr(CTRL, GO);
  assert.equal(c.rd(STATUS), READY);
  c.rd(READ);
  c.wr(READ, 0);
  c.wr(CTRL, ABORT);
  assert.equal(c.rd(STATUS), 0);
  assert.equal(c.rd(READ), 0);
});

test('an unsupported protocol, or a handler that cannot answer, sets Error; the host aborts and recovers', () => {
  const b = bench();
  assert.deepEqual(exchange(b, [...header(0x1234, 0x01, 3), 0]), { kind: 'error' });
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 2)]), { kind: 'error' }, 'empty payload: handler returns null');
  // While Error is set, mailbox writes and Go are ignored until Abort.
  for (const dw of [...header(0x1234, 0x01, 3), 0]) b.wr(WRITE, dw);
  b.wr(CTRL, GO);
  assert.equal(b.rd(STATUS), ERROR);
  b.wr(WRITE, 1);
  b.wr(CTRL, GO);
  assert.equal(b.rd(STATUS), ERROR);
  assert.equal(b.doe.state.requestDwords, 0);
  b.wr(CTRL, ABORT);
  assert.equal(b.rd(STATUS), 0);
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 3), 0]), {
    kind: 'response',
    dwords: [...header(0x1e98, 0x7f, 3), 1],
  });
});

test('an object whose DW count differs from its Length is silently discarded (the host times out and aborts)', () => {
  const b = bench();
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 4), 1]), { kind: 'timeout' });
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 0), 1]), { kind: 'timeout' }, 'Length 0 means 2^18 DW');
  assert.deepEqual(exchange(b, [header(0x1e98, 0x7f, 1)[0]!]), { kind: 'timeout' }, 'one DW is not an object');
  assert.deepEqual(exchange(b, [...header(0x1e98, 0x7f, 3), 1]), {
    kind: 'response',
    dwords: [...header(0x1e98, 0x7f, 3), 2],
  });
});

test('Go and Abort act as write-1 bits at any width and read back 0; mailboxes need dword accesses', () => {
  const b = bench();
  for (const dw of [...header(0x1e98, 0x7f, 3), 41]) b.wr(WRITE, dw);
  b.wr(CTRL + 3, 0x80, 1); // Go by a byte write
  assert.equal(b.rd(STATUS), READY);
  assert.equal(b.rd(CTRL), 0, 'Go and Abort read 0');
  assert.equal(b.rd(READ, 2), 0, 'partial read of the read mailbox');
  b.wr(READ, 0, 2); // partial write does not advance
  assert.equal(b.rd(READ), header(0x1e98, 0x7f, 3)[0]);
  b.wr(CTRL, 0x0001, 2); // Abort by a word write
  assert.equal(b.rd(STATUS), 0);
  b.wr(WRITE, 5, 2);
  assert.equal(b.doe.state.requestDwords, 0, 'partial write of the write mailbox is ignored');
  b.wr(0x04, 0xffffffff);
  assert.equal(b.rd(0x04), 0, 'no interrupt support');
});
