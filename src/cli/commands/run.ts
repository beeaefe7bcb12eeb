// `cxlemu run`: build the machine and run its workload, either a guest program (--kernel) or the
// bundled demo followed by the audit. Owns option syntax, the summary line and the exit status
// (the guest's, else 1 for a failed audit); runMachine does the work.

import type { Command } from 'commander';
import type { RunResult } from '../../machine/board.js';
import { type AuditCli, auditOptions, auditWithProgress, progressBars } from '../audit-progress.js';
import type { CliContext } from '../io.js';
import { adjustForGuest, type GuestCli, guestOptions, runOptionsOf, withQemuBoot } from '../run-options.js';

type RunCli = AuditCli &
  GuestCli & {
    auditOnly?: boolean;
    audit?: boolean;
  };

/** The one-line result on stderr: how the guest stopped, instructions, time, MIPS, exit status. */
const summary = (x: RunResult): string =>
  `cxlemu: ${x.exit.kind}${x.exit.kind === 'fail' ? ` (code ${x.exit.code})` : ''}${x.exit.message ? `: ${x.exit.message}` : ''}; ` +
  `${x.instret} instructions in ${x.seconds.toFixed(2)} s (${x.mips.toFixed(1)} MIPS); ` +
  x.harts
    .filter((h) => h.translatedShare !== null)
    .map((h) => `hart ${h.hart}: ${((h.translatedShare ?? 0) * 100).toFixed(1)}% in translated code; `)
    .join('') +
  `exit status ${x.status}\n`;

/** `--stats`: each hart's JIT counters (what was compiled, how translated code was left). */
const jitText = (x: RunResult): string =>
  x.harts
    .flatMap((h) => {
      const j = h.jit;
      if (!j) return [];
      const exits = Object.entries(j.exits)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      return [
        `jit hart ${h.hart}: ${j.blocksCompiled} blocks in ${j.modules} modules (${j.compileMs.toFixed(0)} ms compiling); ` +
          `exits: ${exits}; invalidated ${j.invalidatedBlocks}, flushes ${j.flushes}, remaps ${j.remaps}, page checks ${j.pageChecks}; ` +
          `loop runner ${j.loopInstructions} instructions` +
          (j.blocksAdopted > 0
            ? `; ${j.blocksAdopted} blocks adopted from ${j.modulesAdopted} other harts' modules`
            : ''),
      ];
    })
    .join('\n');

export function registerRun(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  auditOptions(
    guestOptions(
      program
        .command('run')
        .description(
          'build the machine and run its workload: --kernel runs a program on the hart; without it the bundled demo (integer benchmark out of region R0) runs, then the audit',
        ),
    )
      .option('--audit-only', 'skip the bundled demo program (no --kernel): only build and audit')
      .option(
        '--audit',
        'with --kernel: after the guest exits, audit every region (including those the guest committed itself)',
      ),
  ).action(async (cli: RunCli, cmd: Command) => {
    const bars = cli.kernel === undefined || cli.audit ? await progressBars(io) : undefined;
    const [{ wantsJson, withMachine }, { observationText, runMachine }, { auditText }] = await Promise.all([
      import('../load.js'),
      import('../../machine/run.js'),
      import('../../machine/report.js'),
    ]);
    const { timingText } = await import('../../machine/timing.js');
    const { trafficText } = await import('../../machine/traffic.js');
    await withMachine(
      cmd,
      io,
      async (m, qemuBoot, stop) => {
        // A QEMU line's -kernel/-initrd/-append/-bios apply unless run's own options say otherwise.
        const opts = withQemuBoot(cli, qemuBoot);
        const runOpts = {
          ...(await runOptionsOf(opts, m, io, stop)),
          // The guest's console: stdin raw (a terminal) with QEMU's Ctrl-A escapes (Ctrl-A X quits).
          ...(opts.kernel !== undefined ? { input: process.stdin, console: { err: io.err } } : {}),
        };
        if (opts.kernel === undefined) {
          const r = await runMachine(m, {
            ...runOpts,
            ...(opts.auditOnly ? { auditOnly: true } : {}),
            auditWith: (mm) => auditWithProgress(mm, opts, bars),
          });
          if (r.kind !== 'audit') return;
          if (wantsJson(cmd))
            ctx.printJson({
              workload: r.demo ? 'demo+audit' : 'audit',
              ...(r.demoSkipped !== undefined ? { demoSkipped: r.demoSkipped } : {}),
              ...(r.demo
                ? {
                    demo: {
                      kernel: r.demo.kernel,
                      ...r.demo.result,
                      ...(r.demo.observation ? { observation: r.demo.observation } : {}),
                    },
                  }
                : {}),
              audit: r.report,
            });
          else {
            if (r.demo) io.err(summary(r.demo.result));
            if (r.demo?.observation) io.err(`${observationText(r.demo.observation)}\n`);
            ctx.print(
              `machine built: ${m.cxl.memdevs.length} memdevs, ${m.cxl.windows.length} windows, ${m.regions.length} regions\n${auditText(r.report)}`,
            );
          }
          // Nothing ran: say so and fail, rather than exit 0 having done nothing.
          if (r.demoSkipped !== undefined) io.err(`cxlemu: no demo: ${r.demoSkipped}\n`);
          if (!r.report.ok || r.demoSkipped !== undefined || (r.demo && r.demo.result.status !== 0))
            ctx.status = r.demo && r.demo.result.status !== 0 ? r.demo.result.status : 1;
          return;
        }
        const r = await runMachine(m, { kernel: opts.kernel, ...runOpts });
        if (r.kind === 'program') {
          const x = r.result;
          // Regions the guest committed over MMIO become visible here (inferred from the registers).
          m.syncRegions();
          const rep = opts.audit ? auditWithProgress(m, opts, bars) : undefined;
          if (wantsJson(cmd))
            ctx.printJson({
              workload: 'program',
              ...x,
              ...(r.observation ? { observation: r.observation } : {}),
              ...(rep ? { audit: rep } : {}),
            });
          else {
            io.err(summary(x));
            if (x.timing) io.err(`${timingText(x.timing)}\n`);
            if (x.stats) io.err(`${trafficText(x.stats)}\n${jitText(x)}\n`);
            if (r.observation) io.err(`${observationText(r.observation)}\n`);
            if (rep) ctx.print(auditText(rep));
          }
          ctx.status = r.status !== 0 ? r.status : rep && !rep.ok ? 1 : 0;
        }
      },
      {
        save: cli.save,
        adjust: await adjustForGuest(cli),
      },
    );
  });
}
