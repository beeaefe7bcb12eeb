// `cxlemu host`: the host's NUMA nodes, which of them hold CXL RAM, their access0 latency and
// bandwidth and the host's memory tiers (src/machine/host.ts over src/host's sysfs reader), and
// with --save a machine description whose devices are those nodes. Owns the options only.

import type { Command } from 'commander';
import type { CliContext } from '../io.js';

export function registerHost(program: Command, ctx: CliContext): void {
  program
    .command('host')
    .description(
      "the host's CXL memory: NUMA nodes that are CXL, their access0 latency and bandwidth, the host's memory tiers; --save writes a machine description with one device per host CXL node",
    )
    .option('--sysfs <dir>', 'read this sysfs tree instead of /sys (default: $CXLEMU_SYSFS_ROOT or /sys)')
    .option('--save <file>', 'write a machine description whose devices are the host CXL nodes (YAML for .yaml/.yml)')
    .action(async (opts: { sysfs?: string; save?: string }, cmd: Command) => {
      const [{ wantsJson }, host, { saveDescription }] = await Promise.all([
        import('../load.js'),
        import('../../machine/host.js'),
        import('../../machine/load.js'),
      ]);
      const memory = host.discoverHostMemory(opts.sysfs ?? host.sysfsRootFromEnv());
      const saved = opts.save !== undefined ? host.hostDescription(memory) : undefined;
      if (saved && opts.save !== undefined) saveDescription(saved.description, opts.save);
      if (wantsJson(cmd)) {
        ctx.printJson({
          ...host.hostReportJson(memory),
          ...(saved ? { saved: opts.save, saveNotes: saved.notes } : {}),
        });
        return;
      }
      let text = host.hostReportText(memory);
      if (saved) {
        const n = memory.cxlNodes.length;
        text += `\nwrote ${opts.save}: ${n} type-3 device${n === 1 ? '' : 's'} (one per host CXL node, bound to it), each with a window and a committed region\n`;
        for (const note of saved.notes) text += `  note: ${note}\n`;
      }
      ctx.print(text);
    });
}
