// Option value parsers shared by the commands. Own the syntax of numbers on the command line and
// the rule each error message names; never decide what a number means.

import { ConfigError, MAX_HARTS, parseInteger, parseSize } from '../machine/index.js';

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
      throw new ConfigError([{ code: 'bad_option', path: option, value: v, allowed: rule }], 'bad option value');
    }
    return n;
  };
}

/** --smp: a hart count, 1..MAX_HARTS. */
export function harts(option: string) {
  return (v: string): number => {
    const n = parseInteger(v);
    if (n === undefined || n < 1 || n > MAX_HARTS) {
      throw new ConfigError(
        [{ code: 'bad_option', path: option, value: v, allowed: `a number of harts from 1 to ${MAX_HARTS}` }],
        'bad option value',
      );
    }
    return n;
  };
}
