// `cxlemu audit`: stamp every region through the HPA space and prove each word's placement.
// Exit 1 when any word is misplaced.

import type { Command } from 'commander';
import { type AuditCli, auditOptions, auditWithProgress, progressBars } from '../audit-progress.js';
import type { CliContext } from '../io.js';

export function registerAudit(program: Command, ctx: CliContext): void {
  auditOptions(
    program
      .command('audit')
      .description(
        'stamp every region through the HPA space and prove each word sits where the spec says; bytes per device',
      ),
  ).action(async (opts: AuditCli, cmd: Command) => {
    const bars = await progressBars(ctx.io);
    const [{ wantsJson, withMachine }, { auditText }] = await Promise.all([
      import('../load.js'),
      import('../../machine/report.js'),
    ]);
    await withMachine(cmd, ctx.io, (m) => {
      const rep = auditWithProgress(m, opts, bars);
      if (wantsJson(cmd)) ctx.printJson(rep);
      else ctx.print(auditText(rep));
      if (!rep.ok) ctx.status = 1;
    });
  });
}
