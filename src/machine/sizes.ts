// Parsing and printing of sizes and addresses in descriptions and QEMU options ("256M", "4G",
// "8k", "0x1_0000_0000"). Owns the text forms only; returns undefined on bad text, never throws.

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
  e: 2 ** 60,
};

/** Largest byte count we accept anywhere (exact in a Number; HPAs fit in 52 bits). */
export const MAX_BYTES = 2 ** 52;

/**
 * A size in bytes: a non-negative integer, a hex/decimal string, or a number with a binary suffix
 * (K, M, G, T, P, E; case-insensitive, optional "iB"/"B"), as QEMU accepts. `defaultUnit` applies
 * to a bare number (QEMU's `-m 512` means 512 MiB).
 */
export function parseSize(v: unknown, defaultUnit = 1): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (/^0x[0-9a-f]+$/i.test(s)) n = parseInt(s.slice(2), 16);
    else {
      const m = /^(\d+(?:\.\d+)?)\s*([kmgtpe]?)(?:i?b)?$/i.exec(s);
      if (!m) return undefined;
      const unit = m[2] === '' ? (/b$/i.test(s) ? 1 : defaultUnit) : UNITS[m[2]!.toLowerCase()]!;
      n = Number(m[1]) * unit;
    }
  } else return undefined;
  if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0 || n > MAX_BYTES) return undefined;
  return n;
}

/** An address or plain integer: a number, "0x..." (underscores allowed) or decimal string. */
export function parseInteger(v: unknown): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (/^0x[0-9a-f]+$/i.test(s)) n = parseInt(s.slice(2), 16);
    else if (/^\d+$/.test(s)) n = Number(s);
    else return undefined;
  } else return undefined;
  if (!Number.isSafeInteger(n) || n < 0) return undefined;
  return n;
}

/** "256M", "4G", "1536M"; exact binary multiples only, else the decimal byte count. */
export function formatSize(n: number): string | number {
  for (const [suffix, unit] of [
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (n >= unit && n % unit === 0) return `${n / unit}${suffix}`;
  }
  return n;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Human size for messages: "512 MiB", "4 GiB", "256 B". */
export function humanSize(n: number): string {
  for (const [suffix, unit] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= unit && n % unit === 0) return `${n / unit} ${suffix}`;
  }
  return `${n} B`;
}
