// `cxlemu tiers`: the memory tiers a Linux guest forms on the configured machine (abstract
// distances, tier numbers, demotion targets; src/machine/memory-tiers.ts). Owns the options only.

import type { Command } from 'commander';
import type { CliContext } from '../io.js';

export function registerTiers(program: Command, ctx: CliContext): void {
  program
    .command('tiers')
    .description(
      'the memory tiers a Linux guest forms from this machine: abstract distance per NUMA node, memory_tierN, the top tier and demotion targets',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const [{ loadFor, wantsJson }, { guestMemoryTiers, guestTiersText }] = await Promise.all([
        import('../load.js'),
        import('../../machine/memory-tiers.js'),
      ]);
      const t = guestMemoryTiers(loadFor(cmd, ctx.io));
      const reason =
        'the machine has a numa section: its HMAT is hand-written (numa.hmatLb), so cxlemu does not predict what Linux makes of it';
      if (wantsJson(cmd)) ctx.printJson(t ? { predicted: true, ...t } : { predicted: false, reason });
      else ctx.print(t ? guestTiersText(t) : `no prediction: ${reason}`);
    });
}
