// `cxlemu tables`: the generated ACPI tables and CDATs of the described machine, exactly as the
// guest gets them (the machine is built, without its regions, for its PCI apertures), as a decoded
// view and, with --out, as files (src/machine/table-files.ts). Owns the printed layout.

import type { Command } from 'commander';
import type { FirmwareTables } from '../../machine/firmware-tables.js';
import type { CliContext } from '../io.js';

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
    .action(async (opts: { out?: string }, cmd: Command) => {
      const [{ loadFor, wantsJson }, { Machine }, { firmwareTableFiles, writeFirmwareTableFiles }] = await Promise.all([
        import('../load.js'),
        import('../../machine/build.js'),
        import('../../machine/table-files.js'),
      ]);
      const m = Machine.build(loadFor(cmd, ctx.io), { skipState: true });
      let t: FirmwareTables;
      try {
        t = m.firmwareTables;
      } finally {
        m.close();
      }
      const tableFiles = firmwareTableFiles(t);
      if (opts.out !== undefined) writeFirmwareTableFiles(tableFiles, opts.out, '--out');
      const files = tableFiles.map((f) => ({
        file: f.file,
        table: f.table,
        bytes: f.data.length,
        ...(f.address !== undefined ? { address: `0x${f.address.toString(16)}` } : {}),
      }));
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
