// The optional native mbind(2) addon (native/, built by `npm run addon`): loading it and binding a
// range of the arena to host NUMA nodes. Owns finding the addon and turning its errno results into
// sentences; never decides which nodes (src/machine/host.ts does) and never runs per access.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An explicit addon file (tests point it at a missing file to see the "not built" path). */
export const MBIND_ADDON_ENV = 'CXLEMU_MBIND_ADDON';
const ADDON_FILE = join('native', 'build', 'Release', 'cxlemu_mbind.node');

interface Addon {
  bind(u8: Uint8Array, offset: number, length: number, nodes: readonly number[]): number;
  policy(u8: Uint8Array, offset: number): { mode: number; nodes: number[]; node: number } | number;
  pageSize: number;
}

export type Mbind =
  | {
      ok: true;
      file: string;
      bind(u8: Uint8Array, offset: number, length: number, nodes: readonly number[]): string | undefined;
      policy: Addon['policy'];
      pageSize: number;
    }
  | { ok: false; reason: string };

/** MPOL_BIND (linux/mempolicy.h), what policy().mode reports for a bound range. */
export const MPOL_BIND = 2;

const ERRNO: Record<number, string> = {
  1: 'EPERM (not allowed to bind to these nodes: CAP_SYS_NICE or a cpuset restricts them)',
  5: 'EIO (pages could not be moved)',
  12: 'ENOMEM (too many memory mappings, or the kernel is out of memory)',
  14: 'EFAULT (the range is not mapped)',
  22: 'EINVAL (no node of the set has memory, or the range is not page-aligned)',
  38: 'ENOSYS (the kernel has no NUMA support)',
};

/** The addon file: $CXLEMU_MBIND_ADDON, else native/build/Release/ in the checkout this module is in. */
function addonFile(): string | undefined {
  const given = process.env[MBIND_ADDON_ENV];
  if (given !== undefined && given !== '') return given;
  // dist/src/host/ (tsc) or dist/bin/ (the bundle): the checkout is a few folders up.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const f = join(dir, ADDON_FILE);
    if (existsSync(f)) return f;
    dir = dirname(dir);
  }
  return undefined;
}

let loaded: Mbind | undefined;

/** The addon, loaded once; `{ ok: false, reason }` says why there is none. */
export function loadMbind(): Mbind {
  if (loaded) return loaded;
  if (process.platform !== 'linux')
    return (loaded = { ok: false, reason: `mbind(2) is Linux-only (this is ${process.platform})` });
  const file = addonFile();
  if (file === undefined || !existsSync(file))
    return (loaded = {
      ok: false,
      reason: `the mbind addon is not built${file ? ` (${file} does not exist)` : ''}: run \`npm run addon\` (needs a C compiler and node-gyp)`,
    });
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(file) as Addon;
  } catch (e) {
    return (loaded = { ok: false, reason: `the mbind addon ${file} does not load: ${(e as Error).message}` });
  }
  loaded = {
    ok: true,
    file,
    pageSize: addon.pageSize,
    policy: (u8, off) => addon.policy(u8, off),
    bind(u8, offset, length, nodes) {
      const err = addon.bind(u8, offset, length, nodes);
      return err === 0 ? undefined : `mbind failed: ${ERRNO[err] ?? `errno ${err}`}`;
    },
  };
  return loaded;
}

/** Forget the loaded addon (tests that change CXLEMU_MBIND_ADDON). */
export function resetMbindForTests(): void {
  loaded = undefined;
}
