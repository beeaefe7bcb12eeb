// `cxlemu translate`: HPA -> path, device and DPA, or with --dpa, DPA -> HPA(s). The answers are
// Machine.translateHpa / translateDpa: the compiled router's, checked against the reference
// decoder (a disagreement throws a bug error: exit 70 with both answers). Exit 1 when an address
// does not translate.

import type { Command } from 'commander';
import type { CliContext } from '../io.js';
import { num } from '../options.js';

export function registerTranslate(program: Command, ctx: CliContext): void {
  program
    .command('translate')
    .description('HPA -> window, ports on the path, endpoint, DPA and position; with --dpa, DPA -> HPA')
    .argument('<address...>', 'one or more HPAs (or, with --dpa, DPAs), e.g. 0x100001234')
    .option('--dpa <memdev>', 'translate DPAs of this memdev (memN or device id) to HPA(s)')
    .action(async (addresses: string[], opts: { dpa?: string }, cmd: Command) => {
      const addrs = addresses.map(num(opts.dpa !== undefined ? 'DPA' : 'HPA', 'address'));
      const [{ wantsJson, withMachine }, { dpaReportJson, dpaReportText, translationJson, translationText }] =
        await Promise.all([import('../load.js'), import('../../machine/report.js')]);
      await withMachine(cmd, ctx.io, (m) => {
        const json = wantsJson(cmd);
        const results: unknown[] = [];
        for (const addr of addrs) {
          if (opts.dpa !== undefined) {
            const r = m.translateDpa(opts.dpa, addr);
            if (json) results.push(dpaReportJson(r));
            else ctx.print(dpaReportText(r));
            if (r.hpas.length === 0) ctx.status = 1;
          } else {
            const t = m.translateHpa(addr);
            if (json) results.push(translationJson(t));
            else ctx.print(translationText(t, addr));
            if (!t.ok) ctx.status = 1;
          }
        }
        // One address: one object; several: an array in argument order.
        if (json) ctx.printJson(results.length === 1 ? results[0] : results);
      });
    });
}
