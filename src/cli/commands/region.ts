// `cxlemu region create|destroy` (cxl create-region / destroy-region). Owns the option syntax;
// Machine.createRegion and destroyRegion program and commit the decoders.

import { type Command, Option } from 'commander';
import type { RegionRequest } from '../../machine/build.js';
import type { CliContext } from '../io.js';
import { num } from '../options.js';

interface CreateOpts {
  window: string;
  memdevs: string[];
  size: number;
  granularity?: number;
  ways?: number;
  name?: string;
  base?: number;
  mode?: 'ram' | 'pmem';
  locked?: boolean;
  save?: string;
}

export function registerRegion(program: Command, ctx: CliContext): void {
  const region = program
    .command('region')
    .description('create or destroy regions (cxl create-region / destroy-region)');
  region
    .command('create')
    .description('program and commit every decoder on the path of a new region')
    .requiredOption('-w, --window <id>', 'window id (see list -v, decoders:root0)')
    .requiredOption('-m, --memdevs <names...>', 'memdevs (memN or device ids), any order; comma or space separated')
    .requiredOption('-s, --size <size>', 'region size, e.g. 512M (a multiple of 256 MiB x ways)', num('--size', 'size'))
    .option(
      '-g, --granularity <bytes>',
      'interleave granularity, 256..16k (default: the window granularity, 256 for 1-way windows)',
      num('--granularity', 'size'),
    )
    .option('--ways <n>', 'interleave ways (default: the number of memdevs)', num('--ways', 'integer'))
    .option('-n, --name <name>', 'region name (default regionN)')
    .option('--base <hpa>', 'region base HPA (default: the lowest free place in the window)', num('--base', 'address'))
    .addOption(new Option('--mode <mode>', 'partition to map').choices(['ram', 'pmem']))
    .option('--locked', 'set Lock-on-Commit (as locking firmware would)')
    .option('--save <file>', 'write the resulting machine (description + state) to FILE')
    .action(async (opts: CreateOpts, cmd: Command) => {
      const memdevs = opts.memdevs.flatMap((s) => s.split(',')).filter((s) => s !== '');
      const [{ wantsJson, withMachine }, { regionJson, regionText }] = await Promise.all([
        import('../load.js'),
        import('../../machine/report.js'),
      ]);
      await withMachine(
        cmd,
        ctx.io,
        (m) => {
          const req: RegionRequest = { window: opts.window, memdevs, size: opts.size };
          if (opts.granularity !== undefined) req.granularity = opts.granularity;
          if (opts.ways !== undefined) req.ways = opts.ways;
          if (opts.name !== undefined) req.name = opts.name;
          if (opts.base !== undefined) req.base = opts.base;
          if (opts.mode !== undefined) req.mode = opts.mode;
          if (opts.locked) req.locked = true;
          const r = m.createRegion(req);
          if (wantsJson(cmd)) ctx.printJson(regionJson(r));
          else ctx.print(regionText(r));
        },
        { save: opts.save },
      );
    });
  region
    .command('destroy')
    .description('uncommit and reset the decoders of a region (refused for locked regions)')
    .argument('<name>', 'region name')
    .option('--save <file>', 'write the resulting machine (description + state) to FILE')
    .action(async (name: string, opts: { save?: string }, cmd: Command) => {
      const { wantsJson, withMachine } = await import('../load.js');
      await withMachine(
        cmd,
        ctx.io,
        (m) => {
          m.destroyRegion(name);
          if (wantsJson(cmd)) ctx.printJson({ destroyed: name });
          else ctx.print(`region ${name} destroyed`);
        },
        { save: opts.save },
      );
    });
}
