// The GDB stub: answers remote-protocol packets from a DebugTarget and serves them over TCP (one
// debugger at a time, all-stop mode, harts as threads). Owns the protocol's meaning; never reaches
// into harts or memory except through the target.

import { createServer, type Server, type Socket } from 'node:net';
import { type RspEvent, RspDecoder, fromHex, frame, toHex } from './rsp.js';
import { type BreakKind, type DebugTarget, REG_CSR0, REG_PC, type StopReason } from './target.js';

// The register names of GDB's org.gnu.gdb.riscv.cpu feature (x8 is "fp" there).
const GPR_NAMES =
  'zero ra sp gp tp t0 t1 t2 fp s1 a0 a1 a2 a3 a4 a5 a6 a7 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6'.split(' ');

/** The target description GDB reads with qXfer:features:read:target.xml. */
export function targetXml(csrs: readonly { name: string; num: number }[]): string {
  const gprs = GPR_NAMES.map(
    (n, i) =>
      `<reg name="${n}" bitsize="64" regnum="${i}" type="${i === 1 ? 'code_ptr' : i === 2 ? 'data_ptr' : 'int'}"/>`,
  );
  const csrRegs = csrs.map((c) => `<reg name="${c.name}" bitsize="64" regnum="${REG_CSR0 + c.num}" group="csr"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '<architecture>riscv:rv64</architecture>',
    '<feature name="org.gnu.gdb.riscv.cpu">',
    ...gprs,
    `<reg name="pc" bitsize="64" regnum="${REG_PC}" type="code_ptr"/>`,
    '</feature>',
    '<feature name="org.gnu.gdb.riscv.csr">',
    ...csrRegs,
    '</feature>',
    '</target>',
  ].join('\n');
}

const Z_KIND: Record<string, BreakKind> = { '0': 'exec', '1': 'exec', '2': 'write', '3': 'read', '4': 'access' };
const WATCH_WORD = { write: 'watch', read: 'rwatch', access: 'awatch' } as const;
const hex = (n: number) => n.toString(16);
/**
 * A guest address from GDB (unsigned 64-bit hex) in the targets' Number form: sign-extended, so
 * kernel addresses such as ffffffff80200000 are exact (small negative Numbers); NaN if malformed.
 */
export function parseAddress(s: string | undefined): number {
  if (s === undefined || !/^[0-9a-fA-F]{1,16}$/.test(s)) return Number.NaN;
  return Number(BigInt.asIntN(64, BigInt(`0x${s}`)));
}
/** An address in the Number form back to GDB's unsigned hex. */
const addrHex = (a: number) => BigInt.asUintN(64, BigInt(a)).toString(16);

/** Protocol state of one debugger session; `send` writes framed packets. */
export class GdbSession {
  private gThread: number;
  private lastStop: StopReason;
  private running = false;
  private noAck = false;
  private ended = false;
  /** Detach or kill answered: end the session once the reply is out. */
  private ending = false;

  constructor(
    private readonly target: DebugTarget,
    private readonly send: (raw: string) => void,
    first: StopReason,
    private readonly onEnd: () => void = () => {},
  ) {
    this.lastStop = first;
    this.gThread = target.harts()[0] ?? 0;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Feed decoded events; replies go out through `send`. */
  handle(ev: RspEvent): void {
    if (this.ended) return;
    if (ev.kind === 'interrupt') {
      if (this.running) this.target.interrupt();
      return;
    }
    if (ev.kind === 'bad-checksum') {
      this.send('-');
      return;
    }
    if (ev.kind !== 'packet') return;
    if (!this.noAck) this.send('+');
    if (this.running) return; // all-stop: nothing but 0x03 while the target runs
    const reply = this.answer(ev.payload);
    if (reply !== null) this.reply(reply);
    if (this.ending) this.end();
  }

  private reply(s: string): void {
    this.send(frame(s));
  }

  private stopReply(r: StopReason): string {
    if (r.kind === 'exited') return `W${(r.status & 0xff).toString(16).padStart(2, '0')}`;
    const t = `thread:${hex(r.hart + 1)};`;
    switch (r.kind) {
      case 'interrupted':
        return `T02${t}`;
      case 'breakpoint':
        // No swbreak/hwbreak reason: GDB matches the pc against the breakpoints it inserted (a
        // wrong reason breaks its step over a breakpoint).
        return `T05${t}`;
      case 'watchpoint':
        return `T05${WATCH_WORD[r.access]}:${addrHex(r.address)};${t}`;
      case 'step':
        return `T05${t}`;
    }
  }

  private threadArg(s: string): number | 'all' {
    if (s === '-1' || s === '0' || s === '') return 'all';
    const tid = Number.parseInt(s, 16);
    return Number.isNaN(tid) ? 'all' : tid - 1;
  }

  private resume(opts: { step?: number; only?: number }): null {
    this.running = true;
    void this.target.resume(opts).then(
      (r) => {
        this.running = false;
        this.lastStop = r;
        if (r.kind !== 'exited') this.gThread = r.hart;
        this.reply(this.stopReply(r));
        if (r.kind === 'exited') this.end();
      },
      (e: unknown) => {
        this.running = false;
        this.reply(`E${(e instanceof Error ? 'ff' : 'fe').padStart(2, '0')}`);
      },
    );
    return null;
  }

  private end(): void {
    this.ended = true;
    this.onEnd();
  }

  private readReg(hart: number, n: number): string | null {
    const b = this.target.readRegister(hart, n);
    return b ? toHex(b) : null;
  }

  /** The reply to one packet, or null when the reply comes later (resume). */
  answer(p: string): string | null {
    const hart = this.gThread;
    const c = p[0];
    if (p === '?') return this.stopReply(this.lastStop);
    if (c === 'g') {
      let out = '';
      for (let i = 0; i <= REG_PC; i++) out += this.readReg(hart, i) ?? 'x'.repeat(16);
      return out;
    }
    if (c === 'G') {
      const bytes = fromHex(p.slice(1));
      if (!bytes || bytes.length < (REG_PC + 1) * 8) return 'E01';
      for (let i = 0; i <= REG_PC; i++) this.target.writeRegister(hart, i, bytes.subarray(i * 8, i * 8 + 8));
      return 'OK';
    }
    if (c === 'p') return this.readReg(hart, Number.parseInt(p.slice(1), 16)) ?? 'E0e';
    if (c === 'P') {
      const [n, v] = p.slice(1).split('=');
      const bytes = fromHex(v ?? '');
      if (!bytes) return 'E01';
      return this.target.writeRegister(hart, Number.parseInt(n ?? '', 16), bytes) ? 'OK' : 'E0e';
    }
    if (c === 'm') {
      const [a, l] = p.slice(1).split(',');
      const addr = parseAddress(a);
      if (Number.isNaN(addr)) return 'E01';
      const bytes = this.target.readMemory(hart, addr, Number.parseInt(l ?? '', 16));
      return bytes ? toHex(bytes) : 'E14';
    }
    if (c === 'M' || c === 'X') {
      const colon = p.indexOf(':');
      const [a, l] = p.slice(1, colon).split(',');
      const len = Number.parseInt(l ?? '', 16);
      const data = p.slice(colon + 1);
      const bytes = c === 'M' ? fromHex(data) : new Uint8Array(Buffer.from(data, 'latin1'));
      if (!bytes || bytes.length !== len) return 'E01';
      if (len === 0) return 'OK';
      const addr = parseAddress(a);
      if (Number.isNaN(addr)) return 'E01';
      return this.target.writeMemory(hart, addr, bytes) ? 'OK' : 'E14';
    }
    if (c === 'Z' || c === 'z') {
      const [t, a, k] = p.slice(1).split(',');
      const kind = Z_KIND[t ?? ''];
      if (!kind) return '';
      const addr = parseAddress(a);
      if (Number.isNaN(addr)) return 'E01';
      const len = Number.parseInt(k ?? '', 16);
      const ok = c === 'Z' ? this.target.insertBreak(kind, addr, len) : this.target.removeBreak(kind, addr, len);
      return ok ? 'OK' : 'E22';
    }
    if (c === 'c' || c === 'C') return this.resume({});
    if (c === 's' || c === 'S') return this.resume({ step: hart });
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      // The first action that names a step decides: step that hart, the rest stay stopped.
      // Otherwise continue; continuing one named thread with no action for the others
      // (vCont;c:N) runs that hart alone.
      const actions = p
        .slice(6)
        .split(';')
        .map((x) => x.split(':'));
      for (const [a, tid] of actions) {
        if (a?.[0] === 's' || a?.[0] === 'S') {
          const t = this.threadArg(tid ?? '');
          return this.resume({ step: t === 'all' ? hart : t });
        }
      }
      const [first] = actions;
      if (actions.length === 1 && first?.[1] !== undefined) {
        const t = this.threadArg(first[1]);
        if (t !== 'all') return this.resume({ only: t });
      }
      return this.resume({});
    }
    if (c === 'H') {
      const t = this.threadArg(p.slice(2));
      if (t !== 'all') {
        if (!this.target.harts().includes(t)) return 'E02';
        if (p[1] === 'g') this.gThread = t;
      }
      return 'OK';
    }
    if (c === 'T') {
      const t = this.threadArg(p.slice(1));
      return t === 'all' || this.target.harts().includes(t) ? 'OK' : 'E01';
    }
    if (p.startsWith('qSupported')) return 'PacketSize=4000;qXfer:features:read+;vContSupported+;QStartNoAckMode+';
    if (p === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (p.startsWith('qXfer:features:read:target.xml:')) {
      const [off, len] = p.slice('qXfer:features:read:target.xml:'.length).split(',');
      const xml = targetXml(this.target.csrs());
      const o = Number.parseInt(off ?? '0', 16);
      const chunk = xml.slice(o, o + Number.parseInt(len ?? '0', 16));
      return (o + chunk.length >= xml.length ? 'l' : 'm') + chunk;
    }
    if (p === 'qfThreadInfo')
      return `m${this.target
        .harts()
        .map((h) => hex(h + 1))
        .join(',')}`;
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qC') return `QC${hex(hart + 1)}`;
    if (p.startsWith('qThreadExtraInfo,')) {
      const t = this.threadArg(p.slice('qThreadExtraInfo,'.length));
      return Buffer.from(`hart ${t === 'all' ? hart : t}`).toString('hex');
    }
    if (p === 'qAttached') return '1';
    if (p.startsWith('qSymbol')) return 'OK';
    if (c === 'D') {
      this.target.detach(false);
      this.ending = true;
      return 'OK';
    }
    if (c === 'k') {
      this.target.detach(true);
      this.ending = true;
      return null;
    }
    return '';
  }
}

export interface GdbServerHandle {
  port: number;
  close(): Promise<void>;
}

/** A clear error for the CLI (exit 1): the address could not be bound. */
export class GdbListenError extends Error {
  override readonly name = 'GdbListenError';
}

/**
 * Listens on host:port; each accepted debugger gets a session (a second one is refused while one
 * is attached). Resolves once listening; a port in use rejects with GdbListenError.
 */
export function startGdbServer(target: DebugTarget, host: string, port: number): Promise<GdbServerHandle> {
  let client: Socket | null = null;
  const server: Server = createServer((sock) => {
    if (client) {
      sock.end();
      return;
    }
    client = sock;
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    const decoder = new RspDecoder();
    let session: GdbSession | null = null;
    let pending: RspEvent[] = [];
    const send = (raw: string) => {
      if (!sock.destroyed) sock.write(raw, 'latin1');
    };
    void target.attach().then((first) => {
      session = new GdbSession(target, send, first, () => sock.end());
      for (const ev of pending) session.handle(ev);
      pending = [];
    });
    sock.on('data', (d: string) => {
      for (const ev of decoder.push(d)) {
        if (session) session.handle(ev);
        else pending.push(ev);
      }
    });
    sock.on('close', () => {
      if (client === sock) client = null;
      if (session?.isRunning === false) target.detach(false);
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new GdbListenError(
          e.code === 'EADDRINUSE'
            ? `--gdb: ${host}:${port} is already in use`
            : `--gdb: cannot listen on ${host}:${port}: ${e.message}`,
        ),
      ),
    );
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () =>
          new Promise<void>((r) => {
            // End (not destroy) the client's socket so a last reply (the exit's W packet) gets out.
            const c = client;
            if (c) {
              c.end();
              setTimeout(() => c.destroy(), 500).unref();
            }
            server.close(() => r());
          }),
      });
    });
  });
}
