// LEB128 and the growable byte buffer every wasm section is written into. Owns only encodings;
// never knows what the numbers mean. 64-bit values come as bigint or as 32-bit halves (lo, hi)
// so the JIT can emit guest constants without BigInt on its compile path.

const utf8 = new TextEncoder();

/** Append-only byte buffer; grows by doubling. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b & 0xff;
  }

  bytes(src: ArrayLike<number>): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  u32(v: number): void {
    if (v >>> 0 === v && v < 0x80)
      this.byte(v); // one-byte fast path: most indices
    else writeU32(this, v);
  }

  s32(v: number): void {
    if (v >>> 0 === v && v < 0x40) this.byte(v);
    else writeS32(this, v);
  }

  /** Fixed-width little-endian 32-bit word (float immediates' bit patterns), taken mod 2^32. */
  u32le(v: number): void {
    this.reserve(4);
    const b = this.buf;
    const n = this.length;
    b[n] = v;
    b[n + 1] = v >>> 8;
    b[n + 2] = v >>> 16;
    b[n + 3] = v >>> 24;
    this.length = n + 4;
  }

  /** Length-prefixed UTF-8 name. */
  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** View of the bytes written so far (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

interface Sink {
  byte(b: number): void;
}

/** Unsigned LEB128 of an integer in [0, 2^32). */
export function writeU32(out: Sink, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff)
    throw new RangeError(`u32 LEB128: ${v} is not an integer in [0, 2^32)`);
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.byte(b);
  } while (v !== 0);
}

/** Signed LEB128 of an integer in [-2^31, 2^32); values >= 2^31 are taken as their i32 bit pattern. */
export function writeS32(out: Sink, v: number): void {
  if (!Number.isInteger(v) || v < -0x8000_0000 || v > 0xffff_ffff)
    throw new RangeError(`s32 LEB128: ${v} is not an i32 (or u32 bit pattern)`);
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.byte(b);
      return;
    }
    out.byte(b | 0x80);
  }
}

/** Signed LEB128 of the 64-bit two's-complement value hi:lo (each half taken mod 2^32). */
export function writeS64Halves(out: Sink, lo: number, hi: number): void {
  lo |= 0;
  hi |= 0;
  for (;;) {
    const b = lo & 0x7f;
    // Arithmetic shift of the 64-bit pair right by 7.
    lo = (lo >>> 7) | (hi << 25);
    hi >>= 7;
    const done = (hi === 0 && lo === 0 && (b & 0x40) === 0) || (hi === -1 && lo === -1 && (b & 0x40) !== 0);
    if (done) {
      out.byte(b);
      return;
    }
    out.byte(b | 0x80);
  }
}

/** Unsigned LEB128 of the 64-bit value hi:lo (each half taken mod 2^32). */
export function writeU64Halves(out: Sink, lo: number, hi: number): void {
  lo >>>= 0;
  hi >>>= 0;
  for (;;) {
    const b = lo & 0x7f;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
    if (hi === 0 && lo === 0) {
      out.byte(b);
      return;
    }
    out.byte(b | 0x80);
  }
}

const MASK32 = 0xffff_ffffn;

/** Low and high 32-bit halves (lo unsigned, hi signed) of v mod 2^64. */
export function halvesOf(v: bigint): { lo: number; hi: number } {
  const u = BigInt.asUintN(64, v);
  return { lo: Number(u & MASK32), hi: Number(u >> 32n) | 0 };
}

/** Signed LEB128 of v in [-2^63, 2^64) (values >= 2^63 taken as their i64 bit pattern). */
export function writeS64(out: Sink, v: bigint): void {
  if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`s64 LEB128: ${v} is outside [-2^63, 2^64)`);
  const { lo, hi } = halvesOf(v);
  writeS64Halves(out, lo, hi);
}

/** Unsigned LEB128 of v in [0, 2^64). */
export function writeU64(out: Sink, v: bigint): void {
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`u64 LEB128: ${v} is outside [0, 2^64)`);
  const { lo, hi } = halvesOf(v);
  writeU64Halves(out, lo, hi);
}

/** Convenience for tests: the encoding as a plain array. */
export function encode(write: (out: Sink) => void): number[] {
  const a: number[] = [];
  write({ byte: (b) => a.push(b) });
  return a;
}

// --- Readers (the WAT printer and tests decode what the writers produced) ---

/** A cursor over bytes; readers advance `pos`. */
export class ByteReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError(`read past end at ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (result > 0xffff_ffff) throw new RangeError(`u32 LEB128 overflows at ${this.pos}`);
        return result;
      }
    }
    throw new RangeError(`u32 LEB128 longer than 5 bytes at ${this.pos}`);
  }

  /** Fixed-width little-endian 32-bit word, unsigned. */
  u32le(): number {
    if (this.pos + 4 > this.bytes.length) throw new RangeError(`read past end at ${this.pos}`);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Signed LEB128 as bigint, for widths up to 64 bits. */
  sBig(bits: number): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80 && shift < BigInt(bits + 7));
    if (b & 0x80) throw new RangeError(`s${bits} LEB128 too long at ${this.pos}`);
    if (b & 0x40) result -= 1n << shift;
    return BigInt.asIntN(bits, result);
  }

  s32(): number {
    return Number(this.sBig(32));
  }

  s64(): bigint {
    return this.sBig(64);
  }

  /** Unsigned LEB128 as bigint (up to 64 bits). */
  u64(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80 && shift < 71n);
    if (b & 0x80) throw new RangeError(`u64 LEB128 too long at ${this.pos}`);
    return result;
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}
