// Option value parsers shared by the commands. Own the syntax of numbers on the command line and
// the rule each error message names; never decide what a number means.

import { MAX_HARTS, MAX_RNG_SEED_BYTES } from '../machine/board-map.js';
import { ConfigError } from '../machine/errors.js';
import { parseInteger, parseSize } from '../machine/sizes.js';

/** The error every parser here throws: `option` got `value`, and `allowed` says what it takes. */
function badValue(option: string, value: string, allowed: string): ConfigError {
  return new ConfigError([{ code: 'bad_option', path: option, value, allowed }], 'bad option value');
}

/** A commander argParser for an address, size or integer; a ConfigError naming `option` otherwise. */
export function num(option: string, what: 'address' | 'size' | 'integer') {
  return (v: string): number => {
    const n = what === 'size' ? parseSize(v) : parseInteger(v);
    if (n === undefined) {
      const rule =
        what === 'size'
          ? 'a size such as 512M, 1G, 4k or 0x20000000'
          : what === 'address'
            ? 'an address such as 0x100000000 (underscores allowed)'
            : 'a non-negative integer';
      throw badValue(option, v, rule);
    }
    return n;
  };
}

/** --smp: a hart count, 1..MAX_HARTS. */
export function harts(option: string) {
  return (v: string): number => {
    const n = parseInteger(v);
    if (n === undefined || n < 1 || n > MAX_HARTS) {
      throw badValue(option, v, `a number of harts from 1 to ${MAX_HARTS}`);
    }
    return n;
  };
}

/** A GDB stub address as QEMU writes it: tcp::PORT or tcp:HOST:PORT (HOST default 127.0.0.1). */
export function gdbDevice(option: string, v: string): { host: string; port: number } {
  const m = /^tcp:([^:]*):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) {
    throw badValue(option, v, 'tcp::PORT or tcp:HOST:PORT (e.g. tcp::1234)');
  }
  return { host: m[1] || '127.0.0.1', port };
}

/**
 * --rng-seed: the bytes for /chosen/rng-seed. 'fixed' (the default seed), 'random' (fresh from the
 * host), 'none' (no property), or 1..64 bytes as an even number of hex digits. Returns the word or
 * the bytes.
 */
export function rngSeed(option: string) {
  return (v: string): 'fixed' | 'random' | 'none' | Uint8Array => {
    if (v === 'fixed' || v === 'random' || v === 'none') return v;
    const t = v.replace(/^0x/i, '').replaceAll('_', '');
    if (!/^[0-9a-f]+$/i.test(t) || t.length % 2 !== 0 || t.length > 2 * MAX_RNG_SEED_BYTES) {
      throw badValue(
        option,
        v,
        `'fixed', 'random', 'none', or 1 to ${MAX_RNG_SEED_BYTES} bytes as an even number of hex digits`,
      );
    }
    return Uint8Array.from({ length: t.length / 2 }, (_, i) => Number.parseInt(t.slice(2 * i, 2 * i + 2), 16));
  };
}

/** A positive number of seconds (--timeout). */
export function seconds(option: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw badValue(option, v, 'a positive number of seconds, such as 30 or 0.5');
    }
    return n;
  };
}

/** A non-negative integer no larger than `max` (`hint` says what to do instead). */
export function atMost(option: string, max: number, hint: string) {
  const parse = num(option, 'integer');
  return (v: string): number => {
    const n = parse(v);
    if (n > max) {
      throw badValue(option, v, `at most ${max} (${hint})`);
    }
    return n;
  };
}

/** A 64-bit unsigned integer (decimal or 0x hex, underscores allowed), as a bigint. */
export function u64(option: string) {
  return (v: string): bigint => {
    const t = v.replaceAll('_', '');
    if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) {
      const n = BigInt(t);
      if (n < 2n ** 64n) return n;
    }
    throw badValue(option, v, 'an unsigned 64-bit integer, decimal or 0x hex');
  };
}
