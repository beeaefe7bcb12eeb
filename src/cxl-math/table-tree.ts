// The decoded-table tree that every firmware-table decoder returns (ACPI in src/firmware, CDAT in
// src/cxl, which may not import each other, hence this layer) and the text of its values. Owns the
// tree's shape and how numbers, sizes, flags and codes read; never reads table bytes
// (table-reader.ts does) and never knows what a table means.

/** One decoded field or structure: a label, its value as text, and the fields inside it. */
export interface TableTree {
  label: string;
  value?: string;
  children?: TableTree[];
}

/** Label of the node a decoder adds where the bytes stop making sense. */
export const ERROR_LABEL = 'error';

export function leaf(label: string, value: string): TableTree {
  return { label, value };
}

export function branch(label: string, children: TableTree[], value?: string): TableTree {
  return value === undefined ? { label, children } : { label, value, children };
}

export function errorNode(message: string): TableTree {
  return { label: ERROR_LABEL, value: message };
}

/** `0x…` in upper-case digits, zero-padded to `digits` (ACPI tools print them that way). */
export function hex(v: number | bigint, digits = 1): string {
  return `0x${v.toString(16).toUpperCase().padStart(digits, '0')}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** Bytes in binary units: exact ("512 MiB") when a unit divides it, else two decimals. */
export function humanBytes(v: number | bigint): string {
  const n = BigInt(v);
  let unit = 0;
  while (unit < UNITS.length - 1 && n >= 1n << BigInt(10 * (unit + 1))) unit++;
  const div = 1n << BigInt(10 * unit);
  if (n % div === 0n) return `${n / div} ${UNITS[unit]}`;
  return `${(Number(n) / Number(div)).toFixed(2)} ${UNITS[unit]}`;
}

/** A size field: hex and human form, "0x20000000 (512 MiB)". */
export function sizeValue(v: number | bigint): string {
  return `${hex(v)} (${humanBytes(v)})`;
}

/** A [base, base + size) range as "0x… - 0x…" (inclusive end), empty ranges as "empty". */
export function rangeValue(base: bigint, size: bigint): string {
  return size === 0n ? 'empty' : `${hex(base)} - ${hex(base + size - 1n)}`;
}

/**
 * Named bits of a flags field: "0x0000000E (host-only coherent, volatile, persistent)". Bits with
 * no name show as "bit N" so nothing set goes unseen.
 */
export function flagsValue(v: number, names: Readonly<Record<number, string>>, digits = 8): string {
  const set: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((v >>> bit) & 1) === 0) continue;
    set.push(names[bit] ?? `bit ${bit}`);
  }
  return `${hex(v >>> 0, digits)} (${set.length > 0 ? set.join(', ') : 'none'})`;
}

/** A code with its meaning: "1 (XOR)"; codes without one read "7 (reserved)". */
export function codeValue(v: number, names: Readonly<Record<number, string>>, unknown = 'reserved'): string {
  return `${v} (${names[v] ?? unknown})`;
}

/** Bytes as space-separated hex pairs, at most `max` of them (then "… N more"). */
export function hexBytes(b: Uint8Array, max = 64): string {
  const shown = Array.from(b.subarray(0, max), (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  return b.length > max ? `${shown} … ${b.length - max} more` : shown;
}

/** Fixed-size ASCII text, quoted, NULs dropped and other non-printables escaped. */
export function textValue(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0) continue;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return JSON.stringify(s);
}

/** Every error node below `t` (including `t`), for callers that want to know if decoding was clean. */
export function treeErrors(t: TableTree): string[] {
  const out: string[] = [];
  const walk = (n: TableTree): void => {
    if (n.label === ERROR_LABEL) out.push(n.value ?? '');
    for (const c of n.children ?? []) walk(c);
  };
  walk(t);
  return out;
}
