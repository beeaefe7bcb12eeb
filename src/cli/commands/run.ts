// `cxlemu run`: build the machine and run its workload, either a guest program (--kernel) or the
// bundled demo followed by the audit. Owns option syntax, the summary line and the exit status
// (the guest's, else 1 for a failed audit); runMachine does the work.

import { type Command, Option } from 'commander';
import type { RunResult } from '../../machine/board.js';
import { type AuditCli, auditOptions, auditWithProgress, progressBars } from '../audit-progress.js';
import type { CliContext } from '../io.js';
import { gdbDevice, harts, num, seconds } from '../options.js';

type RunCli = AuditCli & {
  kernel?: string;
  bios?: string;
  initrd?: string;
  append?: string;
  dumpDtb?: string;
  maxInstructions?: number;
  timeout?: number;
  trace?: string;
  realtime?: boolean;
  uartOut?: string;
  auditOnly?: boolean;
  observe?: string[];
  observeLog?: string;
  audit?: boolean;
  save?: string;
  smp?: number;
  gdb?: string;
  stopped?: boolean;
  acpi?: 'on' | 'off' | 'auto';
  acpiDump?: string;
  irqchip?: 'plic' | 'aia';
  event?: string[];
  timing?: boolean;
  stats?: boolean;
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

export function registerRun(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  auditOptions(
    program
      .command('run')
      .description(
        'build the machine and run its workload: --kernel runs a program on the hart; without it the bundled demo (integer benchmark out of region R0) runs, then the audit',
      )
      .option('--kernel <file>', 'ELF, raw binary or RISC-V Linux Image to run')
      .option(
        '--bios <firmware>',
        "'default' (OpenSBI fw_dynamic), 'none' (start the kernel directly) or a firmware file; default: 'default' for a Linux Image, 'none' otherwise",
      )
      .option('--smp <n>', "harts (1..8; default: the machine's cpus, 1)", harts('--smp'))
      .option('--gdb <dev>', 'serve a GDB stub on tcp::PORT or tcp:HOST:PORT (QEMU -gdb; -s is tcp::1234)')
      .option('-S, --stopped', 'with --gdb: stand still before the first instruction until the debugger continues')
      .addOption(
        new Option(
          '--acpi <mode>',
          "Linux boots with ACPI (an EFI hand-off in /chosen naming the tables) or the device tree; auto: ACPI when the machine has CXL host bridges (QEMU's -M virt,acpi=)",
        ).choices(['on', 'off', 'auto']),
      )
      .addOption(
        new Option(
          '--irqchip <kind>',
          "interrupt controllers: plic, or aia (an APLIC and one IMSIC per hart: MSI/MSI-X, so Linux's cxl_pci processes CXL events; QEMU's -M virt,aia=aplic-imsic); default: the description's, else aia for a Linux Image and plic otherwise",
        ).choices(['plic', 'aia']),
      )
      .option(
        '--timing',
        "timing mode: per-hart L1/L2 and a shared LLC, MSHRs and a stride prefetcher, each memory target's latency and bandwidth from the description; mtime and cycle follow modelled cycles; the JIT is off; counters at the end (the description's timing section sets the caches and clock)",
      )
      .option(
        '--stats',
        "count, per memory target, CXL window and region, the data accesses that take the harts' slow path (TLB misses and fills: where a guest reaches, not bytes moved; free on TLB hits); printed at the end, in the result with --json",
      )
      .option(
        '--event <spec>',
        'add a CXL event record to a memdev log at a guest time (repeatable): memdev=mem0,kind=general-media|dram,dpa=0x1000[,log=info|warning|failure|fatal][,at=SECONDS][,transaction=host-read][,event-type=media-ecc][,uncorrectable=on]...',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--acpi-dump <dir>', 'write the ACPI tables and CDATs the guest gets to DIR (as tables --out), then run')
      .option('--initrd <file>', 'initramfs to place in RAM and name in /chosen (linux,initrd-start/end)')
      .option('--append <cmdline>', 'kernel command line (/chosen/bootargs)')
      .option(
        '--dump-dtb <file>',
        "write the device tree the guest would get to FILE and stop (QEMU's -machine dumpdtb)",
      )
      .option('--max-instructions <n>', 'stop after N instructions (exit 124)', num('--max-instructions', 'integer'))
      .option(
        '--timeout <seconds>',
        'stop a hung guest after this many wall-clock seconds (exit 124)',
        seconds('--timeout'),
      )
      .option('--trace <file>', 'write each executed instruction with its register writes to FILE')
      .option('--realtime', 'tie mtime to the host clock (default: deterministic, advancing with instructions retired)')
      .option('--uart-out <file>', 'write UART output to FILE instead of stdout')
      .option('--audit-only', 'skip the bundled demo program (no --kernel): only build and audit')
      .option(
        '--observe <target>',
        'count accesses to a memdev (memN or id), ram, a region or <hpa>+<size> (repeatable); exact counts at the end',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option(
        '--observe-log <file>',
        'with --observe: write one line per observed access (r|w hpa size memdev dpa) to FILE',
      )
      .option(
        '--audit',
        'with --kernel: after the guest exits, audit every region (including those the guest committed itself)',
      )
      .option(
        '--save <file>',
        'after the run, write the machine (description + state: regions and raw decoder registers) to FILE',
      ),
  ).action(async (cli: RunCli, cmd: Command) => {
    const bars = cli.kernel === undefined || cli.audit ? await progressBars(io) : undefined;
    const { irqchipFor } = await import('../../machine/linux-boot.js');
    const [{ wantsJson, withMachine }, { observationText, runMachine }, { auditText }, { parseEventSpec }] =
      await Promise.all([
        import('../load.js'),
        import('../../machine/run.js'),
        import('../../machine/report.js'),
        import('../../machine/event-spec.js'),
      ]);
    const { timingParamsOf } = await import('../../machine/description.js');
    const { timingText } = await import('../../machine/timing.js');
    const { trafficText } = await import('../../machine/traffic.js');
    await withMachine(
      cmd,
      io,
      async (m, qemuBoot, stop) => {
        // A QEMU line's -kernel/-initrd/-append/-bios apply unless run's own options say otherwise.
        const opts: RunCli = {
          ...cli,
          kernel: cli.kernel ?? qemuBoot.kernel,
          bios: cli.bios ?? qemuBoot.bios,
          initrd: cli.initrd ?? qemuBoot.initrd,
          append: cli.append ?? qemuBoot.append,
          gdb: cli.gdb ?? qemuBoot.gdb,
          stopped: cli.stopped ?? qemuBoot.stopped,
          acpi: cli.acpi ?? qemuBoot.acpi,
        };
        const gdb = opts.gdb !== undefined ? gdbDevice('--gdb', opts.gdb) : undefined;
        if (opts.stopped && !gdb) io.err('cxlemu: warning: -S without --gdb is ignored\n');
        const runOpts = {
          stop,
          ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
          ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
          ...(opts.trace !== undefined ? { traceFile: opts.trace } : {}),
          ...(opts.realtime ? { realtime: true } : {}),
          ...(opts.uartOut !== undefined ? { output: opts.uartOut } : {}),
          // The guest's console: stdin raw (a terminal) with QEMU's Ctrl-A escapes (Ctrl-A X quits).
          ...(opts.kernel !== undefined ? { input: process.stdin, console: { err: io.err } } : {}),
          ...(opts.observe !== undefined ? { observe: opts.observe } : {}),
          ...(opts.observeLog !== undefined ? { observeLog: opts.observeLog } : {}),
          ...(opts.dumpDtb !== undefined ? { dumpDtb: opts.dumpDtb } : {}),
          ...(opts.acpi === 'on' || opts.acpi === 'off' ? { acpi: opts.acpi === 'on' } : {}),
          ...(opts.acpiDump !== undefined ? { acpiDump: opts.acpiDump } : {}),
          ...(opts.event !== undefined ? { events: opts.event.map(parseEventSpec) } : {}),
          ...(opts.timing ? { timing: timingParamsOf(m.initial) } : {}),
          ...(opts.stats ? { stats: true } : {}),
          ...(gdb
            ? {
                gdb: {
                  ...gdb,
                  stopAtStart: opts.stopped === true,
                  onListening: (port: number) => io.err(`cxlemu: GDB stub listening on ${gdb.host}:${port}\n`),
                },
              }
            : {}),
          ...(opts.bios !== undefined || opts.initrd !== undefined || opts.append !== undefined
            ? {
                boot: {
                  ...(opts.bios !== undefined ? { bios: opts.bios } : {}),
                  ...(opts.initrd !== undefined ? { initrd: opts.initrd } : {}),
                  ...(opts.append !== undefined ? { append: opts.append } : {}),
                },
              }
            : {}),
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
            if (x.stats) io.err(`${trafficText(x.stats)}\n`);
            if (r.observation) io.err(`${observationText(r.observation)}\n`);
            if (rep) ctx.print(auditText(rep));
          }
          ctx.status = r.status !== 0 ? r.status : rep && !rep.ok ? 1 : 0;
        }
      },
      {
        save: cli.save,
        adjust: (d) => {
          const irqchip = cli.irqchip ?? irqchipFor(d.irqchip, cli.kernel);
          return { ...d, cpus: cli.smp ?? d.cpus, ...(irqchip !== undefined ? { irqchip } : {}) };
        },
      },
    );
  });
}
