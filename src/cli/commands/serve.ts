// `cxlemu serve`: the dashboard (src/server) over the configured machine, until Ctrl-C. Bound to
// 127.0.0.1 unless --host says otherwise (with a warning: anyone who can reach the port and has
// the URL can drive the machine). Prints the URL with its access token. Owns the options only.

import type { Command } from 'commander';
import type { CliContext } from '../io.js';
import { num } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

interface ServeCli {
  port?: number;
  host?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  timing?: boolean;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'serve the dashboard (topology, interleave maps, translate, regions) on 127.0.0.1; the printed URL carries the access token',
    )
    .option('--port <n>', 'TCP port (default: any free one)', num('--port', 'integer'))
    .option(
      '--host <address>',
      'address to bind (default 127.0.0.1; anything else is reachable by others: a warning says so)',
    )
    .option(
      '--kernel <file>',
      'run this guest meanwhile (as cxlemu run does): the page shows its console and live traffic',
    )
    .option('--initrd <file>', 'with --kernel: initramfs (as run --initrd)')
    .option('--append <cmdline>', 'with --kernel: kernel command line (as run --append)')
    .option(
      '--timing',
      "with --kernel: timing mode (as run --timing): every access is counted, so the page's traffic moves continuously",
    )
    .action(async (opts: ServeCli, cmd: Command) => {
      const [{ withMachine }, { serve }, { GuestRun }, { timingParamsOf }] = await Promise.all([
        import('../load.js'),
        import('../../server/server.js'),
        import('../../server/guest.js'),
        import('../../machine/description.js'),
      ]);
      if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535))
        throw new Error(`--port: ${opts.port} is not a TCP port (0..65535)`);
      if (opts.host !== undefined && !LOOPBACK.has(opts.host))
        ctx.io.err(
          `cxlemu: warning: serving on ${opts.host}: anyone who can reach it and has the URL (with its token) can drive this machine\n`,
        );
      await withMachine(cmd, ctx.io, async (m, _boot, stop) => {
        const guest =
          opts.kernel !== undefined
            ? new GuestRun(
                m,
                {
                  kernel: opts.kernel,
                  ...(opts.initrd !== undefined ? { initrd: opts.initrd } : {}),
                  ...(opts.append !== undefined ? { append: opts.append } : {}),
                  ...(opts.timing ? { timing: timingParamsOf(m.initial) } : {}),
                },
                stop,
              )
            : undefined;
        const s = await serve(m, {
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(guest ? { guest } : {}),
        });
        ctx.print(`cxlemu: dashboard at ${s.url}\n`);
        await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
        await s.close();
        await guest?.done;
      });
    });
}
