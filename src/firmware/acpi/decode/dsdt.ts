// A bounded scan of DSDT/SSDT AML (ACPI 6.5 §20.2) for the namespace outline: Scope() and
// Device() blocks, each device's _HID/_CID/_UID/_ADR values (EISA ids spelled out) and its method
// names. Not a disassembler: it walks the term lists of scopes and devices only, skips every
// other package by its length, and stops a level with a note at the first opcode it does not know.

import { TableReadError, type TableReader } from '../../../cxl-math/table-reader.js';
import { branch, errorNode, hex, leaf, type TableTree } from '../../../cxl-math/table-tree.js';
import { HEADER_SIZE } from './header.js';

/** Deeper nesting than this is not walked (real tables nest a handful of levels). */
const MAX_DEPTH = 24;
/** Packages nested deeper than this are skipped by length, not read (garbage could nest thousands). */
const MAX_PACKAGE_DEPTH = 8;
const EXT = 0x5b;
const OP = { scope: 0x10, name: 0x08, method: 0x14, device: 0x82 } as const;
/** Opcodes followed by a PkgLength that the scan skips whole: If, Else, While. */
const SKIP_OPS = new Set([0xa0, 0xa1, 0xa2]);
/** Ext opcodes followed by a PkgLength that the scan skips whole: Field, Processor, PowerResource, ThermalZone, IndexField, BankField. */
const SKIP_EXT_OPS = new Set([0x81, 0x83, 0x84, 0x85, 0x86, 0x87]);
/** Names whose values the outline shows. */
const SHOWN = new Set(['_HID', '_CID', '_UID', '_ADR', '_SEG', '_BBN', '_STR']);

/** PkgLength (§20.2.4): its value (counting itself) and how many bytes encode it. */
function pkgLength(r: TableReader, at: number): { length: number; size: number } {
  const lead = r.u8(at, 'PkgLength');
  const extra = lead >> 6;
  if (extra === 0) return { length: lead & 0x3f, size: 1 };
  let length = lead & 0x0f;
  for (let k = 1; k <= extra; k++) length += r.u8(at + k, 'PkgLength') * 2 ** (4 + 8 * (k - 1));
  return { length, size: extra + 1 };
}

function isNameSeg(b: Uint8Array): boolean {
  const lead = (c: number) => (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  return b.length === 4 && lead(b[0]!) && b.subarray(1).every((c) => lead(c) || (c >= 0x30 && c <= 0x39));
}

/** NameString (§20.2.2) as iasl prints it (trailing '_' padding dropped), or undefined if it is not one. */
function nameString(r: TableReader, at: number): { name: string; size: number } | undefined {
  let p = at;
  let prefix = '';
  if (r.u8(p, 'NameString') === 0x5c) {
    prefix = '\\';
    p++;
  } else {
    while (r.u8(p, 'NameString') === 0x5e) {
      prefix += '^';
      p++;
    }
  }
  const lead = r.u8(p, 'NameString');
  let segs = 1;
  if (lead === 0x00) return { name: prefix, size: p + 1 - at };
  if (lead === 0x2e) {
    segs = 2;
    p++;
  } else if (lead === 0x2f) {
    segs = r.u8(p + 1, 'MultiNamePrefix count');
    p += 2;
  }
  const parts: string[] = [];
  for (let i = 0; i < segs; i++) {
    const seg = r.bytesAt(p, 4, 'NameSeg');
    if (!isNameSeg(seg)) return undefined;
    parts.push(String.fromCharCode(...seg).replace(/_+$/, '') || '_');
    p += 4;
  }
  return { name: prefix + parts.join('.'), size: p - at };
}

/** An EISA id integer (_HID/_CID) spelled out, e.g. EISAID("PNP0A08"), when it is one. */
function eisaText(v: number): string | undefined {
  const mfg = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
  const letters = [10, 5, 0].map((s) => ((mfg >> s) & 0x1f) + 0x40);
  if (mfg & 0x8000 || letters.some((c) => c < 0x41 || c > 0x5a)) return undefined;
  const product = (((v >>> 16) & 0xff) << 8) | ((v >>> 24) & 0xff);
  return `EISAID("${String.fromCharCode(...letters)}${product.toString(16).toUpperCase().padStart(4, '0')}")`;
}

/** A data object (§20.2.3): its text and size, or undefined for one the scan does not read. */
function dataObject(
  r: TableReader,
  at: number,
  to: number,
  eisa: boolean,
  depth = 0,
): { text: string; size: number } | undefined {
  const op = r.u8(at, 'data object');
  const int = (v: number | bigint, size: number) => {
    const e = eisa && size === 5 ? eisaText(Number(v)) : undefined;
    return { text: e ? `${e} (${hex(v, 8)})` : `${hex(v)}`, size };
  };
  switch (op) {
    case 0x00:
      return int(0, 1);
    case 0x01:
      return int(1, 1);
    case 0xff:
      return int(0xffff_ffff_ffff_ffffn, 1);
    case 0x0a:
      return int(r.u8(at + 1, 'ByteConst'), 2);
    case 0x0b:
      return int(r.u16(at + 1, 'WordConst'), 3);
    case 0x0c:
      return int(r.u32(at + 1, 'DWordConst'), 5);
    case 0x0e:
      return int(r.u64(at + 1, 'QWordConst'), 9);
    case 0x0d: {
      let end = at + 1;
      while (end < to && r.u8(end, 'String') !== 0) end++;
      if (end >= to) return undefined;
      return {
        text: JSON.stringify(String.fromCharCode(...r.bytesAt(at + 1, end - at - 1, 'String'))),
        size: end + 1 - at,
      };
    }
    case 0x11: {
      const pl = pkgLength(r, at + 1);
      return { text: `Buffer (${pl.length} bytes of package)`, size: 1 + pl.length };
    }
    case 0x12:
      return packageObject(r, at, eisa, depth + 1);
    default: {
      const n = nameString(r, at);
      return n && n.size > 0 ? { text: n.name, size: n.size } : undefined;
    }
  }
}

/** Package(n) { elements }: the elements the scan can read, in order. */
function packageObject(r: TableReader, at: number, eisa: boolean, depth: number): { text: string; size: number } {
  const pl = pkgLength(r, at + 1);
  if (depth > MAX_PACKAGE_DEPTH) return { text: 'Package (nested too deep to show)', size: 1 + pl.length };
  const end = at + 1 + pl.length;
  const count = r.u8(at + 1 + pl.size, 'NumElements');
  const items: string[] = [];
  let p = at + 2 + pl.size;
  for (let i = 0; i < count && p < end; i++) {
    const d = dataObject(r, p, end, eisa, depth);
    if (!d) {
      items.push('…');
      break;
    }
    items.push(d.text);
    p += d.size;
  }
  return { text: `Package (${count}) {${items.join(', ')}}`, size: 1 + pl.length };
}

/** The term list [from, to) of a scope or device body. */
function terms(r: TableReader, from: number, to: number, depth: number): TableTree[] {
  const out: TableTree[] = [];
  const stop = (why: string) => out.push(leaf('Scan stopped', why));
  if (depth > MAX_DEPTH) {
    stop(`nesting deeper than ${MAX_DEPTH} levels is not walked`);
    return out;
  }
  let at = from;
  try {
    while (at < to) {
      const op = r.u8(at, 'opcode');
      const ext = op === EXT ? r.u8(at + 1, 'ext opcode') : -1;
      const opSize = op === EXT ? 2 : 1;
      if (op === OP.name) {
        const n = nameString(r, at + 1);
        const d = n && dataObject(r, at + 1 + n.size, to, n.name === '_HID' || n.name === '_CID');
        if (!n || !d) {
          stop(`Name at ${hex(r.at(at))} has a value the scan does not read`);
          break;
        }
        if (SHOWN.has(n.name)) out.push(leaf(n.name, d.text));
        at += 1 + n.size + d.size;
        continue;
      }
      const hasPkg =
        op === OP.scope ||
        op === OP.method ||
        SKIP_OPS.has(op) ||
        (op === EXT && (ext === OP.device || SKIP_EXT_OPS.has(ext)));
      if (!hasPkg) {
        stop(`opcode ${hex(op, 2)}${op === EXT ? ` ${hex(ext, 2)}` : ''} at ${hex(r.at(at))} is not walked`);
        break;
      }
      const pl = pkgLength(r, at + opSize);
      const end = at + opSize + pl.length;
      if (end > to || pl.length < pl.size) {
        out.push(
          errorNode(`package at ${hex(r.at(at))}: length ${pl.length} runs past its parent (ends ${hex(r.at(to))})`),
        );
        break;
      }
      const named = op === OP.scope || op === OP.method || ext === OP.device;
      const n = named ? nameString(r, at + opSize + pl.size) : undefined;
      if (named && !n) {
        stop(`no name after the opcode at ${hex(r.at(at))}`);
        break;
      }
      const bodyAt = at + opSize + pl.size + (n?.size ?? 0);
      if (op === OP.scope) out.push(branch(`Scope(${n!.name})`, terms(r, bodyAt, end, depth + 1)));
      else if (op === OP.method) out.push(leaf(`Method(${n!.name})`, `${r.u8(bodyAt, 'MethodFlags') & 7} args`));
      else if (ext === OP.device) {
        const kids = terms(r, bodyAt, end, depth + 1);
        out.push(branch(`Device(${n!.name})`, kids, kids.find((k) => k.label === '_HID')?.value));
      }
      at = end;
    }
  } catch (e) {
    if (!(e instanceof TableReadError)) throw e;
    out.push(errorNode(e.message));
  }
  return out;
}

/** DSDT/SSDT body: the AML's size and the namespace outline. */
export function decodeAmlBody(r: TableReader): TableTree[] {
  const size = Math.max(0, r.length - HEADER_SIZE);
  return [leaf('AML', `${size} bytes`), branch('Namespace (outline)', terms(r, HEADER_SIZE, r.length, 0))];
}
