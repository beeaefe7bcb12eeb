// `cxlemu serve`: the dashboard (src/server) over the configured machine, until Ctrl-C. Takes every
// option of run for the guest it runs meanwhile (--kernel ...), plus --port, --host and --paused.
// Bound to 127.0.0.1 unless --host says otherwise (with a warning: anyone who can reach the port
// and has the URL can drive the machine). Prints the URL with its access token. Owns the options only.

import type { Command } from 'commander';
import type { Machine } from '../../machine/build.js';
import { ConfigError } from '../../machine/errors.js';
import { type AuditCli, auditOptions, auditWithProgress } from '../audit-progress.js';
import type { CliContext } from '../io.js';
import { num } from '../options.js';
import { adjustForGuest, type GuestCli, guestOptions, runOptionsOf, withQemuBoot } from '../run-options.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

type ServeCli = GuestCli &
  AuditCli & {
    port?: number;
    host?: string;
    paused?: boolean;
    audit?: boolean;
    auditOnly?: boolean;
  };

export function registerServe(program: Command, ctx: CliContext): void {
  auditOptions(
    guestOptions(
      program
        .command('serve')
        .description(
          'serve the dashboard (topology, interleave maps, translate, regions, tables, mailbox; with --kernel the guest, its console, traffic and run control) on 127.0.0.1; the printed URL carries the access token. Takes every option of run for its guest',
        )
        .option('--port <n>', 'TCP port (default: any free one)', num('--port', 'integer'))
        .option(
          '--host <address>',
          'address to bind (default 127.0.0.1; anything else is reachable by others: a warning says so)',
        )
        .option('--paused', "with --kernel: do not start the guest until the page's Start"),
    )
      .option('--audit', 'with --kernel: after the guest exits, audit every region; the page shows the result')
      .option('--audit-only', 'not for serve (run --audit-only audits without a guest): refused with a reason'),
  ).action(async (cli: ServeCli, cmd: Command) => {
    const [{ withMachine }, { serve }, { Session }] = await Promise.all([
      import('../load.js'),
      import('../../server/server.js'),
      import('../../server/session.js'),
    ]);
    if (cli.auditOnly)
      throw optionError(
        '--audit-only',
        true,
        'not with serve: serve runs no workload of its own (cxlemu audit or run --audit-only audit alone; serve --kernel FILE --audit audits after its guest)',
      );
    if (cli.port !== undefined && (!Number.isInteger(cli.port) || cli.port < 0 || cli.port > 65535))
      throw optionError('--port', cli.port, 'a TCP port (0..65535)');
    if (cli.host !== undefined && !LOOPBACK.has(cli.host))
      ctx.io.err(
        `cxlemu: warning: serving on ${cli.host}: anyone who can reach it and has the URL (with its token) can drive this machine\n`,
      );
    await withMachine(
      cmd,
      ctx.io,
      async (m, qemuBoot, stop) => {
        const opts = withQemuBoot(cli, qemuBoot);
        if (opts.kernel === undefined) {
          for (const o of ['paused', 'audit'] as const)
            if (opts[o]) throw optionError(`--${o}`, true, 'only with --kernel (a guest to run)');
        }
        const guest =
          opts.kernel !== undefined
            ? { kernel: opts.kernel, ...(await runOptionsOf(opts, m, ctx.io, stop)) }
            : undefined;
        const session = new Session(
          m,
          {
            ...(guest ? { guest } : {}),
            ...(opts.paused ? { paused: true } : {}),
            ...(opts.audit ? { audit: (mm: Machine) => auditWithProgress(mm, opts, undefined) } : {}),
            onNotice: (n) => ctx.io.err(`cxlemu: ${n}\n`),
          },
          stop,
        );
        const s = await serve(session, {
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.host !== undefined ? { host: opts.host } : {}),
        });
        ctx.print(`cxlemu: dashboard at ${s.url}\n`);
        await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
        await s.close();
        await session.close();
      },
      { save: cli.save, adjust: await adjustForGuest(cli) },
    );
  });
}

function optionError(path: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError([{ code: 'bad_option', path, value, allowed }], 'bad option');
}
