// `cxlemu tables`: the generated ACPI tables and CDATs of the described machine, exactly as the
// guest gets them (the machine is built, without its regions, for its PCI apertures), as a decoded
// view and, with --out, as files. Owns file names and layout; the machine's firmwareTables makes
// the bytes.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, type FirmwareTables, Machine } from '../../machine/index.js';
import type { CliContext } from '../io.js';
import { loadFor, wantsJson } from '../load.js';

interface TableFile {
  file: string;
  table: string;
  bytes: number;
  address?: string;
}

export function registerTables(program: Command, ctx: CliContext): void {
  program
    .command('tables')
    .description(
      'the generated ACPI tables (RSDP, XSDT, DSDT, FACP, APIC, RHCT, SPCR, MCFG, CEDT, SRAT, SLIT, HMAT) and CDATs as the guest gets them: a decoded view; with --out, also the bytes as files',
    )
    .option(
      '--out <dir>',
      'write <SIG>.dat per ACPI table, cdat-<memdev>.dat per device and cdat-<switch>.dat per switch to DIR',
    )
    .action((opts: { out?: string }, cmd: Command) => {
      const m = Machine.build(loadFor(cmd, ctx.io), { skipState: true });
      let t: FirmwareTables;
      try {
        t = m.firmwareTables;
      } finally {
        m.close();
      }
      const files = tableFiles(t);
      if (opts.out !== undefined) writeTables(t, files, opts.out);
      if (wantsJson(cmd)) {
        ctx.printJson({
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          rsdpAddress: `0x${t.layout.rsdpAddress.toString(16)}`,
          files,
          decoded: t.decoded,
        });
      } else {
        const head = files.map(
          (f) =>
            `  ${f.file.padEnd(22)} ${String(f.bytes).padStart(5)} bytes  ${f.table}${f.address ? ` at ${f.address}` : ''}`,
        );
        ctx.print(
          `${opts.out !== undefined ? `wrote ${files.length} tables to ${opts.out}` : `${files.length} tables (use --out DIR to write them)`}:\n${head.join('\n')}\n\n${t.decoded}`,
        );
      }
    });
}

/** One entry per table, in file order: ACPI tables, device CDATs, switch CDATs. */
export function tableFiles(t: FirmwareTables): TableFile[] {
  const files: TableFile[] = [];
  for (const a of t.acpi)
    files.push({
      file: `${a.name}.dat`,
      table: a.name,
      bytes: a.bytes.length,
      address: `0x${a.address.toString(16)}`,
    });
  for (const c of t.cdat)
    files.push({ file: `cdat-${c.memdev}.dat`, table: `CDAT ${c.memdev} (${c.id})`, bytes: c.bytes.length });
  for (const c of t.switchCdat)
    files.push({ file: `cdat-${c.switch}.dat`, table: `CDAT switch ${c.switch}`, bytes: c.bytes.length });
  return files;
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

/** Write every table's bytes under `dir` (created); a ConfigError naming `option` when that fails. */
export function writeTables(t: FirmwareTables, files: TableFile[], dir: string, option = '--out'): void {
  try {
    makeDirectory(dir);
    const all = [...t.acpi.map((a) => a.bytes), ...t.cdat.map((c) => c.bytes), ...t.switchCdat.map((c) => c.bytes)];
    files.forEach((f, i) => writeFileSync(join(dir, f.file), all[i]!));
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
