// ACPI table plumbing shared by every table: a little-endian byte writer, the 36-byte common header
// (SPEC-NOTES 4, field names per ACPICA actbl.h) and the checksum. Owns byte layout only; never
// knows what a table means (rsdp.ts, cedt.ts, srat.ts ... do) and never touches guest memory.

import { hi32, lo32 } from '../../cxl-math/bits.js';
import { fillChecksum } from '../../cxl-math/checksum.js';

/** A value the platform data gave that no table field can hold; names the field and the rule. */
export class AcpiTableError extends RangeError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field}: ${String(value)} is not allowed; expected ${allowed}`);
    this.name = 'AcpiTableError';
  }
}

/**
 * A GUID (UUID) as ACPI's ToUUID and EFI store it: the first three groups little-endian, the last
 * two in the order written. An AcpiTableError naming `field` for text that is not a GUID.
 */
export function guidBytes(text: string, field = 'guid'): Uint8Array {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text);
  if (!m) throw new AcpiTableError(field, JSON.stringify(text), 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)');
  const hex = (g: string): number[] =>
    Array.from({ length: g.length / 2 }, (_, i) => Number.parseInt(g.slice(2 * i, 2 * i + 2), 16));
  return Uint8Array.from([
    ...hex(m[1]!).reverse(),
    ...hex(m[2]!).reverse(),
    ...hex(m[3]!).reverse(),
    ...hex(m[4]!),
    ...hex(m[5]!),
  ]);
}

/** Growable little-endian writer. 64-bit fields take Numbers (exact below 2^53) split in halves. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf);
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.length += n;
    return at;
  }

  u8(v: number, field = 'u8'): this {
    checkUint(v, 0xff, field);
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }
  u16(v: number, field = 'u16'): this {
    checkUint(v, 0xffff, field);
    const at = this.room(2); // room() may replace the view: take the offset first
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(v: number, field = 'u32'): this {
    checkUint(v, 0xffff_ffff, field);
    const at = this.room(4);
    this.view.setUint32(at, v, true);
    return this;
  }
  u64(v: number, field = 'u64'): this {
    checkUint(v, Number.MAX_SAFE_INTEGER, field);
    const at = this.room(8);
    this.view.setUint32(at, lo32(v), true);
    this.view.setUint32(at + 4, hi32(v), true);
    return this;
  }
  zeros(n: number): this {
    this.room(n); // fresh bytes are already 0 (the buffer only grows with zeroed arrays)
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** ASCII text in a fixed-size field, padded with `pad` (ACPI IDs pad with spaces). */
  ascii(s: string, size: number, field: string, pad = 0x20): this {
    if (s.length > size || !/^[\x20-\x7e]*$/.test(s))
      throw new AcpiTableError(field, JSON.stringify(s), `at most ${size} printable ASCII characters`);
    const at = this.room(size);
    for (let i = 0; i < size; i++) this.buf[at + i] = i < s.length ? s.charCodeAt(i) : pad;
    return this;
  }
  /** Overwrite a u16/u32 written earlier (lengths known only at the end). */
  patchU16(at: number, v: number): void {
    checkUint(v, 0xffff, 'length');
    this.view.setUint16(at, v, true);
  }
  patchU32(at: number, v: number): void {
    checkUint(v, 0xffff_ffff, 'length');
    this.view.setUint32(at, v, true);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function checkUint(v: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new AcpiTableError(field, v, `an integer in 0..${max}`);
}

/** OEM and creator identification written in every common header. */
export interface AcpiOem {
  /** 6 characters. */
  oemId: string;
  /** 8 characters; tables use `${oemTablePrefix}${signature}` truncated to 8 when not given. */
  oemTableId?: string;
  oemRevision: number;
  /** 4 characters. */
  creatorId: string;
  creatorRevision: number;
}

export const DEFAULT_OEM: AcpiOem = Object.freeze({
  oemId: 'CXLEMU',
  oemRevision: 1,
  creatorId: 'CXLE',
  creatorRevision: 1,
});

export const ACPI_HEADER_SIZE = 36;
/** Offset of the checksum byte in the common header. */
export const ACPI_CHECKSUM_OFFSET = 9;

/**
 * One table: common header + body, with length and checksum filled. `body` writes the bytes that
 * follow the header (offset 36 onward) into the given writer.
 */
export function buildAcpiTable(
  signature: string,
  revision: number,
  oem: AcpiOem,
  body: (w: ByteWriter) => void,
): Uint8Array {
  if (!/^[A-Z0-9]{4}$/.test(signature))
    throw new AcpiTableError('signature', signature, '4 upper-case letters or digits');
  const w = new ByteWriter();
  w.ascii(signature, 4, 'signature');
  w.u32(0); // length, patched below
  w.u8(revision, `${signature}.revision`);
  w.u8(0); // checksum, filled below
  w.ascii(oem.oemId, 6, 'oemId');
  w.ascii(oem.oemTableId ?? `CXLE${signature}`, 8, 'oemTableId');
  w.u32(oem.oemRevision, 'oemRevision');
  w.ascii(oem.creatorId, 4, 'creatorId');
  w.u32(oem.creatorRevision, 'creatorRevision');
  body(w);
  w.patchU32(4, w.length);
  const bytes = w.finish();
  fillChecksum(bytes, ACPI_CHECKSUM_OFFSET);
  return bytes;
}

/** Smallest power-of-ten base unit that lets every value fit a u16 entry below `max` (0xFFFF is "no data"). */
export function baseUnitFor(values: readonly number[], max = 0xfffe): number {
  const top = values.reduce((a, v) => Math.max(a, v), 0);
  let base = 1;
  while (Math.round(top / base) > max) base *= 10;
  return base;
}

/** value / base as a u16 entry: rounded, never 0 for a non-zero value (0 means "no data"). */
export function entryFor(value: number, base: number): number {
  if (value === 0) return 0;
  return Math.max(1, Math.round(value / base));
}

/** A Generic Address Structure (ACPI 6.x §5.2.3.2): 12 bytes naming a register. */
export interface Gas {
  /** 0 system memory, 1 system I/O. */
  space: number;
  bitWidth: number;
  bitOffset: number;
  /** 0 undefined, 1 byte, 2 word, 3 dword, 4 qword. */
  accessSize: number;
  address: number;
}

export const GAS_SIZE = 12;

/** Writes a GAS; `null` writes the all-zero "not present" one. */
export function writeGas(w: ByteWriter, g: Gas | null, field: string): void {
  if (g === null) {
    w.zeros(GAS_SIZE);
    return;
  }
  w.u8(g.space, `${field}.space`).u8(g.bitWidth, `${field}.bitWidth`).u8(g.bitOffset, `${field}.bitOffset`);
  w.u8(g.accessSize, `${field}.accessSize`).u64(g.address, `${field}.address`);
}
