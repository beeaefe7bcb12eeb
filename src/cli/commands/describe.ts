// `cxlemu describe`: the effective machine description (defaults filled in, windows placed, saved
// state included), validated but never built, so backing files are not opened.

import type { Command } from 'commander';
import type { CliContext } from '../io.js';

export function registerDescribe(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description(
      'print the effective machine description (defaults filled in, windows placed, saved state included) without building it',
    )
    .option('--yaml', 'YAML instead of JSON')
    .option('--save <file>', 'also write it to FILE (YAML for .yaml/.yml)')
    .action(async (opts: { yaml?: boolean; save?: string }, cmd: Command) => {
      const [{ loadFor }, { descriptionText, saveDescription }] = await Promise.all([
        import('../load.js'),
        import('../../machine/load.js'),
      ]);
      const description = loadFor(cmd, ctx.io);
      ctx.print(descriptionText(description, opts.yaml ? 'yaml' : 'json'));
      if (opts.save !== undefined) saveDescription(description, opts.save);
    });
}
