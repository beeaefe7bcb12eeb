// GDB remote serial protocol framing: `$payload#cs` packets with a modulo-256 checksum, `+`/`-`
// acknowledgements, `}` escapes and the out-of-band interrupt byte 0x03. Owns bytes on the wire
// only; what a packet means is gdb-server.ts's business.

/** What the decoder found in the byte stream, in order. */
export type RspEvent =
  | { kind: 'packet'; payload: string }
  | { kind: 'bad-checksum'; payload: string }
  | { kind: 'interrupt' }
  | { kind: 'ack' }
  | { kind: 'nack' };

export function checksum(s: string): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) c = (c + s.charCodeAt(i)) & 0xff;
  return c;
}

/** Escapes `#`, `$`, `}` and `*` (0x7d then the byte xor 0x20). */
export function escapeBinary(s: string): string {
  return s.replace(/[#$}*]/g, (ch) => `}${String.fromCharCode(ch.charCodeAt(0) ^ 0x20)}`);
}

export function unescapeBinary(s: string): string {
  return s.replace(/}([\s\S])/g, (_, ch: string) => String.fromCharCode(ch.charCodeAt(0) ^ 0x20));
}

/** A framed packet ready to send. */
export function frame(payload: string): string {
  const body = escapeBinary(payload);
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`;
}

/** Incremental decoder: feed it socket data (latin1 strings), it returns complete events. */
export class RspDecoder {
  private buf = '';

  push(data: string): RspEvent[] {
    this.buf += data;
    const out: RspEvent[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const c = this.buf[0];
      if (c === '+') out.push({ kind: 'ack' });
      else if (c === '-') out.push({ kind: 'nack' });
      else if (c === '\x03') out.push({ kind: 'interrupt' });
      else if (c === '$') {
        const hash = this.buf.indexOf('#');
        if (hash < 0 || this.buf.length < hash + 3) break; // wait for the rest
        const raw = this.buf.slice(1, hash);
        const sum = Number.parseInt(this.buf.slice(hash + 1, hash + 3), 16);
        this.buf = this.buf.slice(hash + 3);
        const payload = unescapeBinary(raw);
        out.push(sum === checksum(raw) ? { kind: 'packet', payload } : { kind: 'bad-checksum', payload });
        continue;
      }
      // Anything else between packets is noise: skip it.
      this.buf = this.buf.slice(1);
    }
    return out;
  }
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Hex to bytes; undefined when the text is not an even number of hex digits. */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'hex'));
}
