// The firmware tables as files (`cxlemu tables --out`, `run --acpi-dump`): one `<SIG>.dat` per
// ACPI table, `cdat-<memdev>.dat` per type-3 device, `cdat-<switch>.dat` per switch upstream port,
// each exactly the bytes the guest gets. Owns the file names and the writing; the bytes come from
// firmware-tables.ts.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './errors.js';
import type { FirmwareTables } from './firmware-tables.js';

export interface FirmwareTableFile {
  file: string;
  /** What it holds: the signature, `CDAT mem0 (id)` or `CDAT switch usp0`. */
  table: string;
  /** Guest physical address (ACPI tables only). */
  address?: number;
  data: Uint8Array;
}

/** One entry per table, in file order: ACPI tables, device CDATs, switch CDATs. */
export function firmwareTableFiles(t: FirmwareTables): FirmwareTableFile[] {
  return [
    ...t.acpi.map((a) => ({ file: `${a.name}.dat`, table: a.name, address: a.address, data: a.bytes })),
    ...t.cdat.map((c) => ({ file: `cdat-${c.memdev}.dat`, table: `CDAT ${c.memdev} (${c.id})`, data: c.bytes })),
    ...t.switchCdat.map((c) => ({ file: `cdat-${c.switch}.dat`, table: `CDAT switch ${c.switch}`, data: c.bytes })),
  ];
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir never returns for a path under /proc
 * (it retries the ENOENT forever), a plain mkdir fails at once.
 */
function makeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirectory(parent);
  mkdirSync(dir);
}

/** Write the files under `dir` (created); a ConfigError naming `option` when that fails. */
export function writeFirmwareTableFiles(files: readonly FirmwareTableFile[], dir: string, option: string): void {
  try {
    makeDirectory(dir);
    for (const f of files) writeFileSync(join(dir, f.file), f.data);
  } catch (e) {
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path: option,
          value: dir,
          allowed: `a writable directory (${e instanceof Error ? e.message : String(e)})`,
        },
      ],
      'cannot write the tables',
    );
  }
}
