// `cxlemu list`: cxl list style JSON of the built machine. Owns the -v counting only.

import { type Command, Option } from 'commander';
import type { CliContext } from '../io.js';

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description(
      'cxl list style JSON: memdevs and regions; -v adds buses, ports and committed decoders; -vv every decoder',
    )
    .addOption(
      new Option('-v, --verbose', 'more detail (repeat: -vv)')
        .argParser((_v: string, prev: number) => prev + 1)
        .default(0),
    )
    .action(async (opts: { verbose: number }, cmd: Command) => {
      const { withMachine } = await import('../load.js');
      await withMachine(cmd, ctx.io, (m) => ctx.printJson(m.list(Math.min(2, opts.verbose) as 0 | 1 | 2)));
    });
}
