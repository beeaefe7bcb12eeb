// Bounds-checked little-endian reads over one firmware table's bytes, for the decoders (ACPI in
// src/firmware, CDAT in src/cxl). Owns the rule that no read leaves the bytes it was given: a read
// past the end throws TableReadError naming the field, offset and size, which `structure` catches
// and turns into an `error` node, so it never escapes a decoder. Never knows a table's layout.

import { branch, errorNode, hex, hexBytes, leaf, type TableTree, textValue } from './table-tree.js';

/** A field that lies (partly) past the end of the bytes being decoded. */
export class TableReadError extends Error {
  constructor(
    readonly field: string,
    readonly offset: number,
    readonly size: number,
    readonly end: number,
  ) {
    super(
      `${field}: needs ${size} byte${size === 1 ? '' : 's'} at offset ${hex(offset)}, but the data ends at ${hex(end)}`,
    );
    this.name = 'TableReadError';
  }
}

/**
 * A window [base, base + length) of a table; offsets are relative to `base`, messages give the
 * absolute offset within the table.
 */
export class TableReader {
  private readonly view: DataView;
  readonly base: number;
  readonly length: number;

  constructor(
    private readonly bytes: Uint8Array,
    base = 0,
    length = bytes.length,
  ) {
    // The view covers exactly `bytes`, not the ArrayBuffer behind it (it may hold more), and the
    // window is clamped to it, so no offset a caller passes can reach outside.
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = Math.min(Math.max(0, base), bytes.length);
    this.length = Math.min(Math.max(0, length), bytes.length - this.base);
  }

  /** Whether [off, off + size) lies inside the window. */
  has(off: number, size: number): boolean {
    return (
      Number.isSafeInteger(off) && Number.isSafeInteger(size) && off >= 0 && size >= 0 && off + size <= this.length
    );
  }

  /** Absolute table offset of window offset `off`. */
  at(off: number): number {
    return this.base + off;
  }

  private check(off: number, size: number, field: string): number {
    if (!this.has(off, size)) throw new TableReadError(field, this.base + off, size, this.base + this.length);
    return this.base + off;
  }

  u8(off: number, field: string): number {
    return this.view.getUint8(this.check(off, 1, field));
  }
  u16(off: number, field: string): number {
    return this.view.getUint16(this.check(off, 2, field), true);
  }
  u32(off: number, field: string): number {
    return this.view.getUint32(this.check(off, 4, field), true);
  }
  /** u64 as a bigint: addresses and masks may use all 64 bits. */
  u64(off: number, field: string): bigint {
    const at = this.check(off, 8, field);
    return (BigInt(this.view.getUint32(at + 4, true)) << 32n) | BigInt(this.view.getUint32(at, true));
  }
  bytesAt(off: number, n: number, field: string): Uint8Array {
    const at = this.check(off, n, field);
    return this.bytes.subarray(at, at + n);
  }
  /** Sum of [off, off + n) mod 256 (ACPI and CDAT tables sum to 0 with their checksum byte). */
  sum8(off: number, n: number, field: string): number {
    const at = this.check(off, n, field);
    let s = 0;
    for (let i = at; i < at + n; i++) s = (s + this.bytes[i]!) & 0xff;
    return s;
  }
  /** A narrower window; reads through it cannot reach past its end. */
  window(off: number, length: number, field: string): TableReader {
    this.check(off, length, field);
    return new TableReader(this.bytes, this.base + off, length);
  }
}

/** Reads fields and records each as a leaf in `out`, so a field is named once. */
export class TableFields {
  constructor(
    readonly r: TableReader,
    readonly out: TableTree[],
  ) {}

  u8(off: number, label: string, fmt: (v: number) => string = String): number {
    const v = this.r.u8(off, label);
    this.out.push(leaf(label, fmt(v)));
    return v;
  }
  u16(off: number, label: string, fmt: (v: number) => string = String): number {
    const v = this.r.u16(off, label);
    this.out.push(leaf(label, fmt(v)));
    return v;
  }
  u32(off: number, label: string, fmt: (v: number) => string = String): number {
    const v = this.r.u32(off, label);
    this.out.push(leaf(label, fmt(v)));
    return v;
  }
  u64(off: number, label: string, fmt: (v: bigint) => string = (v) => hex(v)): bigint {
    const v = this.r.u64(off, label);
    this.out.push(leaf(label, fmt(v)));
    return v;
  }
  /** Fixed-size ASCII (OEM IDs, _HID strings). */
  text(off: number, n: number, label: string): string {
    const v = textValue(this.r.bytesAt(off, n, label));
    this.out.push(leaf(label, v));
    return v;
  }
  push(node: TableTree): void {
    this.out.push(node);
  }
}

/**
 * A structure node whose fields `fill` reads; `fill` may return the node's one-line summary. A
 * read past the end keeps the fields read so far and adds an error node naming the field.
 */
export function structure(label: string, r: TableReader, fill: (f: TableFields) => string | undefined): TableTree {
  const kids: TableTree[] = [];
  let value: string | undefined;
  try {
    value = fill(new TableFields(r, kids));
  } catch (e) {
    if (!(e instanceof TableReadError)) throw e;
    kids.push(errorNode(e.message));
  }
  return branch(label, kids, value);
}

/** The fields `fill` reads, with an error node after them if one lay past the end. */
export function fieldList(r: TableReader, fill: (f: TableFields) => void): TableTree[] {
  return (
    structure('', r, (f) => {
      fill(f);
      return undefined;
    }).children ?? []
  );
}

/** How a family of structures starts: its header size and where type and length sit in it. */
export interface StructureHeader {
  size: number;
  read(r: TableReader, at: number): { type: number; length: number };
}

/** u8 type, u8 length (MADT, SRAT). */
export const HEADER_U8_LEN8: StructureHeader = {
  size: 2,
  read: (r, at) => ({ type: r.u8(at, 'type'), length: r.u8(at + 1, 'length') }),
};
/** u8 type, u8 reserved, u16 length (CEDT, CDAT). */
export const HEADER_U8_LEN16: StructureHeader = {
  size: 4,
  read: (r, at) => ({ type: r.u8(at, 'type'), length: r.u16(at + 2, 'length') }),
};
/** u16 type, u16 length (RHCT nodes). */
export const HEADER_U16_LEN16: StructureHeader = {
  size: 4,
  read: (r, at) => ({ type: r.u16(at, 'type'), length: r.u16(at + 2, 'length') }),
};
/** u16 type, u16 reserved, u32 length (HMAT). */
export const HEADER_U16_LEN32: StructureHeader = {
  size: 8,
  read: (r, at) => ({ type: r.u16(at, 'type'), length: r.u32(at + 4, 'length') }),
};

/**
 * Decodes the structures in [from, to) one after another, each through a window of its own length
 * (so one cannot read into the next), with its table offset as the first child. Stops with an error
 * node at a header that does not fit, a length below the header size, or a structure running past
 * `to` (that one is still decoded as far as its bytes go). At most `maxCount` structures.
 */
export function walkStructures(
  r: TableReader,
  from: number,
  to: number,
  header: StructureHeader,
  what: string,
  decode: (s: TableReader, type: number) => TableTree,
  maxCount = Number.POSITIVE_INFINITY,
): TableTree[] {
  const out: TableTree[] = [];
  const end = Math.min(to, r.length);
  let at = from;
  for (let count = 0; at < end && count < maxCount; count++) {
    if (!r.has(at, header.size) || at + header.size > end) {
      out.push(errorNode(`${what} at ${hex(r.at(at))}: its ${header.size}-byte header runs past ${hex(r.at(end))}`));
      break;
    }
    const { type, length } = header.read(r, at);
    if (length < header.size) {
      out.push(
        errorNode(`${what} at ${hex(r.at(at))} (type ${hex(type, 2)}): length ${length} is below its header size`),
      );
      break;
    }
    const fits = at + length <= end;
    const node = decode(r.window(at, fits ? length : end - at, what), type);
    out.push({ ...node, children: [leaf('Offset', hex(r.at(at))), ...(node.children ?? [])] });
    if (!fits) {
      out.push(
        errorNode(`${what} at ${hex(r.at(at))} (type ${hex(type, 2)}): length ${length} runs past ${hex(r.at(end))}`),
      );
      break;
    }
    at += length;
  }
  return out;
}

/** A structure no decoder knows: its type, length and bytes. */
export function unknownStructure(what: string, s: TableReader, type: number, length = s.length): TableTree {
  return branch(`${what} type ${hex(type, 2)}`, [
    leaf('Type', `${hex(type, 2)} (unknown)`),
    leaf('Length', String(length)),
    leaf('Bytes', hexBytes(s.bytesAt(0, s.length, 'bytes'))),
  ]);
}
