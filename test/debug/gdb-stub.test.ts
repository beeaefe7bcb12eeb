// src/debug: framing (oracle: the GDB manual's "Overview" of the remote protocol: checksum is the
// modulo-256 sum of the payload characters, `}` escapes xor 0x20), and the session's answers
// against a tiny fake target; then the TCP server end to end with a raw socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import {
  type BreakKind,
  type DebugTarget,
  GdbListenError,
  GdbSession,
  RspDecoder,
  type StopReason,
  checksum,
  frame,
  startGdbServer,
  targetXml,
  unescapeBinary,
} from '../../src/debug/index.js';

test('framing: checksums, escapes, interrupt byte, bad checksums', () => {
  assert.equal(checksum('OK'), 0x9a);
  assert.equal(frame('OK'), '$OK#9a');
  assert.equal(frame('a#b'), '$a}\x03b#' + checksum('a}\x03b').toString(16).padStart(2, '0'));
  assert.equal(unescapeBinary('a}\x03b'), 'a#b');
  const d = new RspDecoder();
  assert.deepEqual(d.push('+$g#6'), [{ kind: 'ack' }]);
  assert.deepEqual(d.push('7\x03$m0,4#00-'), [
    { kind: 'packet', payload: 'g' },
    { kind: 'interrupt' },
    { kind: 'bad-checksum', payload: 'm0,4' },
    { kind: 'nack' },
  ]);
});

/** Two harts; each "instruction" adds 4 to pc and stores pc into memory at 0x1000 + (pc & 0xff). */
class FakeTarget implements DebugTarget {
  regs = [new BigUint64Array(33), new BigUint64Array(33)];
  mem = new Uint8Array(0x2000);
  breaks = new Map<string, BreakKind>();
  detached: boolean | null = null;
  interrupted = false;
  /** Rounds a continue runs before the program exits (Infinity: only an interrupt stops it). */
  rounds = 1000;
  constructor() {
    this.regs[0]![32] = 0x100n;
    this.regs[1]![32] = 0x200n;
  }
  harts() {
    return [0, 1];
  }
  csrs() {
    return [{ name: 'mstatus', num: 0x300 }];
  }
  readRegister(h: number, n: number) {
    const r = this.regs[h];
    if (!r || n > 32) return n === 65 + 0x300 ? new Uint8Array(8).fill(0xa5) : null;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, r[n]!, true);
    return b;
  }
  writeRegister(h: number, n: number, b: Uint8Array) {
    const r = this.regs[h];
    if (!r || n > 32 || b.length !== 8) return false;
    if (n !== 0) r[n] = new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
    return true;
  }
  readMemory(_h: number, a: number, l: number) {
    return a + l <= this.mem.length ? this.mem.slice(a, a + l) : null;
  }
  writeMemory(_h: number, a: number, b: Uint8Array) {
    if (a + b.length > this.mem.length) return false;
    this.mem.set(b, a);
    return true;
  }
  insertBreak(k: BreakKind, a: number) {
    this.breaks.set(hexKey(a), k);
    return true;
  }
  removeBreak(_k: BreakKind, a: number) {
    return this.breaks.delete(hexKey(a));
  }
  attach(): Promise<StopReason> {
    return Promise.resolve({ kind: 'interrupted', hart: 0 });
  }
  async resume(o: { step?: number }): Promise<StopReason> {
    for (let n = 0; n < this.rounds; n++) {
      for (const h of [0, 1]) {
        if (o.step !== undefined && h !== o.step) continue;
        const r = this.regs[h]!;
        const pc = Number(r[32]!);
        const store = 0x1000 + (pc & 0xff);
        this.mem[store] = pc & 0xff;
        r[32] = BigInt(pc + 4);
        if (this.breaks.get(hexKey(store)) === 'write')
          return { kind: 'watchpoint', hart: h, access: 'write', address: store };
        if (o.step !== undefined) return { kind: 'step', hart: h };
        if (this.breaks.get(hexKey(pc + 4)) === 'exec') return { kind: 'breakpoint', hart: h };
      }
      if (this.interrupted) return { kind: 'interrupted', hart: 0 };
      await new Promise((r) => setImmediate(r));
    }
    return { kind: 'exited', status: 0 };
  }
  interrupt() {
    this.interrupted = true;
  }
  detach(kill: boolean) {
    this.detached = kill;
  }
}
const hexKey = (a: number) => a.toString(16);

function session() {
  const t = new FakeTarget();
  const sent: string[] = [];
  const s = new GdbSession(t, (x) => sent.push(x), { kind: 'interrupted', hart: 0 });
  return { t, s, sent };
}

test('session: registers, memory, threads, target description', () => {
  const { t, s } = session();
  assert.equal(s.answer('?'), 'T02thread:1;');
  const g = s.answer('g')!;
  assert.equal(g.length, 33 * 16);
  assert.equal(g.slice(32 * 16), '0001000000000000'); // pc 0x100, little-endian
  assert.equal(s.answer('P5=1122334455667788'), 'OK');
  assert.equal(t.regs[0]![5], 0x8877665544332211n);
  assert.equal(s.answer('p5'), '1122334455667788');
  assert.equal(s.answer('p41'), 'E0e', 'a register the hart lacks');
  assert.equal(s.answer(`p${(65 + 0x300).toString(16)}`), 'a5'.repeat(8));
  assert.equal(s.answer('M1000,3:abcdef'), 'OK');
  assert.equal(s.answer('m1000,4'), 'abcdef00');
  assert.equal(s.answer('X1004,2:\x01\x02'), 'OK');
  assert.equal(s.answer('m1004,2'), '0102');
  assert.equal(s.answer('m1ffff,4'), 'E14');
  assert.equal(s.answer('M1000,3:abcd'), 'E01', 'length disagrees with data');
  assert.equal(s.answer('qfThreadInfo'), 'm1,2');
  assert.equal(s.answer('qsThreadInfo'), 'l');
  assert.equal(s.answer('Hg2'), 'OK');
  assert.equal(s.answer('qC'), 'QC2');
  assert.equal(s.answer('g')!.slice(32 * 16), '0002000000000000', 'Hg selects hart 1');
  assert.equal(s.answer('Hg9'), 'E02');
  assert.equal(s.answer('T2'), 'OK');
  assert.equal(s.answer('T7'), 'E01');
  assert.match(s.answer('qSupported:multiprocess+;swbreak+')!, /qXfer:features:read\+/);
  const xml = targetXml(t.csrs());
  assert.match(xml, /<reg name="pc" bitsize="64" regnum="32"/);
  assert.match(xml, /<reg name="mstatus" bitsize="64" regnum="833" group="csr"\/>/);
  const first = s.answer('qXfer:features:read:target.xml:0,40')!;
  assert.equal(first, `m${xml.slice(0, 0x40)}`);
  const rest = s.answer(`qXfer:features:read:target.xml:40,${xml.length.toString(16)}`)!;
  assert.equal(rest, `l${xml.slice(0x40)}`);
  assert.equal(s.answer('vMustReplyEmpty'), '');
  assert.equal(s.answer('Z9,0,4'), '');
});

test('session: continue to a breakpoint, single step, watchpoint, exit', async () => {
  const { t, s, sent } = session();
  const next = async () => {
    while (s.isRunning) await new Promise((r) => setImmediate(r));
    return sent.at(-1);
  };
  assert.equal(s.answer('Z0,110,4'), 'OK');
  assert.equal(s.answer('c'), null);
  assert.equal(await next(), frame('T05thread:1;'));
  assert.equal(t.regs[0]![32], 0x110n);
  assert.equal(s.answer('z0,110,4'), 'OK');
  s.answer('vCont;s:2;c');
  assert.equal(await next(), frame('T05thread:2;'));
  assert.equal(t.regs[1]![32], 0x210n, 'hart 1 ran 3 instructions beside hart 0, then one step');
  assert.equal(s.answer('Z2,1020,1'), 'OK');
  s.answer('c');
  assert.equal(await next(), frame('T05watch:1020;thread:1;'));
  assert.equal(s.answer('z2,1020,1'), 'OK');
  s.answer('c');
  assert.equal(await next(), frame('W00'));
});

test('server: a raw socket speaks to it; interrupt stops a run; a busy port is a clear error', async (ctx) => {
  const t = new FakeTarget();
  t.rounds = Number.POSITIVE_INFINITY; // so the interrupt, however late it arrives, is what stops the run
  const srv = await startGdbServer(t, '127.0.0.1', 0);
  const sock = connect(srv.port, '127.0.0.1');
  // A failed assertion must not leave the server or socket holding the test process open.
  ctx.after(() => {
    t.interrupt();
    sock.destroy();
    return srv.close();
  });
  sock.setEncoding('latin1');
  let got = '';
  sock.on('data', (d: string) => {
    got += d;
  });
  const count = (s: string) => got.split(s).length - 1;
  const waitFor = async (s: string, times = 1) => {
    for (let i = 0; i < 500 && count(s) < times; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(count(s) >= times, `expected ${JSON.stringify(s)} x${times} in ${JSON.stringify(got)}`);
  };
  sock.write(frame('?'));
  await waitFor(frame('T02thread:1;'));
  sock.write(frame('c'));
  await new Promise((r) => setTimeout(r, 5));
  sock.write('\x03');
  await waitFor(frame('T02thread:1;'), 2);
  sock.write(frame('D'));
  await waitFor(frame('OK'));
  assert.equal(t.detached, false);
  sock.destroy();

  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(startGdbServer(t, '127.0.0.1', port), (e: unknown) => {
    assert.ok(e instanceof GdbListenError);
    assert.equal((e as Error).message, `--gdb: 127.0.0.1:${port} is already in use`);
    return true;
  });
  blocker.close();
  await srv.close();
});
