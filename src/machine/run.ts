// The run entry point: runs a built Machine's workload. With a kernel it loads the ELF (or raw
// binary) onto the RISC-V board around the machine's address space and runs the hart; without
// one it runs the bundled demo (the integer benchmark linked into region R0 of the default
// machine) when the machine can hold it, then the placement audit. Owns the choice of workload;
// never parses options.

import type { TimingParams } from '../perf/timing-model.js';
import { buildTimingModel, cyclesPerTick, type TimingStats, timingStats } from './timing.js';
import { TrafficCounters } from './traffic.js';
import type { EventInjection } from './event-spec.js';
import { accessSync, closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditOptions, AuditReport } from '../cxl/index.js';
import type { Machine } from './build.js';
import { type Board, boardOptionsForMachine, runProgram, type RunProgramOptions, type RunResult } from './board.js';
import { ConfigError } from './errors.js';
import type { BootRequest } from './linux-boot.js';
import { interactiveConsole } from './console.js';
import { firmwareTableFiles, writeFirmwareTableFiles } from './table-files.js';
import type { BackingStore, ObservedTarget, ObserveRequest } from '../memory/index.js';
import { hex, parseInteger, parseSize } from './sizes.js';

export interface RunMachineOptions {
  /** ELF or raw binary to run on the hart. */
  kernel?: string;
  maxInstructions?: number;
  /** Wall-clock limit for a hung guest (exit 124). */
  timeoutSeconds?: number;
  /** Write the instruction trace here (--trace FILE). */
  traceFile?: string;
  /** Tie mtime to the host clock instead of instructions retired. */
  realtime?: boolean;
  /** UART output: a stream (default stdout), a file path or a callback. */
  output?: NodeJS.WritableStream | string | ((chunk: Uint8Array) => void);
  /** UART input (default: none). */
  input?: NodeJS.ReadableStream | null;
  /**
   * Treat `input` as the user's console (docs/linux.md): raw mode on a terminal and the Ctrl-A
   * escapes (Ctrl-A X ends the run with exit kind 'quit'); help text goes to `consoleErr`.
   */
  console?: { err: (s: string) => void };
  /** Audit options for the audit that follows the demo (or replaces it). */
  audit?: AuditOptions;
  /** Skip the bundled demo program and only audit. */
  auditOnly?: boolean;
  /** Run the audit this way instead (the CLI passes one that draws a progress bar). */
  auditWith?: (machine: Machine) => AuditReport;
  /** Firmware, initramfs and kernel command line (`--bios`, `--initrd`, `--append`). */
  boot?: BootRequest;
  /** Write the guest's device tree to this file instead of running (`--dump-dtb`). */
  dumpDtb?: string;
  /** Serve a GDB stub (`--gdb`, QEMU -s/-S; docs/linux.md). */
  gdb?: RunProgramOptions['gdb'];
  /** Observe these targets while the guest runs (`--observe`): memN or a device id, `ram`, a region name, or `<hpa>+<size>`. */
  observe?: string[];
  /** Append one line per observed access to this file (`--observe-log`). */
  observeLog?: string;
  /** Boot Linux with ACPI (true) or the device tree (false); default: ACPI when there are CXL host bridges. */
  acpi?: boolean;
  /**
   * Timing mode (`--timing`): caches, latency and bandwidth per memory target (src/perf), the JIT
   * off, mtime and `cycle` following the modelled cycles; the result carries the counters.
   */
  timing?: TimingParams;
  /** Functional-mode traffic counters (`--stats`): the result carries them (see traffic.ts for what they count). */
  stats?: boolean;
  /** Count into these (a live view reads them while the guest runs: the dashboard); implies `stats`. */
  traffic?: TrafficCounters;
  /** Called with the board once it is built, before the first instruction (live views read its harts). */
  onBoard?: (board: Board) => void;
  /** Event records to add to memdevs' logs at guest times (`--event`); checked before the run. */
  events?: readonly EventInjection[];
  /** Write the firmware tables the guest gets to this directory before running (`--acpi-dump`). */
  acpiDump?: string;
  /** Ends the run at the next slice when aborted (the CLI's SIGINT/SIGTERM/SIGHUP), as Ctrl-A X does. */
  stop?: AbortSignal;
  /** Timing mode: called once with a reader of the model's counters so far (a live view reads them while the guest runs). */
  onTiming?: (read: () => TimingStats) => void;
  /** Holds the run between slices while it returns a promise (the dashboard's pause; board.ts RunOptions.hold). */
  hold?: () => Promise<void> | null;
}

export type RunOutcome =
  | {
      kind: 'audit';
      report: AuditReport;
      demo?: { kernel: string; result: RunResult; observation?: ObservationReport };
      /** Why the bundled demo did not run (absent with --audit-only or when it ran). */
      demoSkipped?: string;
    }
  | { kind: 'program'; status: number; result: RunResult; observation?: ObservationReport };

// ---- observation (--observe; docs/observe-dma.md) ----

/** Exact counts per observed target after a run, and the memdevs no target covered. */
export interface ObservationReport {
  observed: { target: string; what: string; reads: number; writes: number; bytesRead: number; bytesWritten: number }[];
  /** Memdevs not observed as a whole (a range target may still have counted some of their bytes). */
  notObserved: string[];
  /** The access log file, when one was written. */
  log?: string;
}

interface ObservePlan {
  requests: { spec: string; what: string; req: ObserveRequest; memdev?: string }[];
}

/** Turn `--observe` texts into observe requests (ConfigError naming the option and what is allowed). */
export function planObservation(machine: Machine, specs: readonly string[]): ObservePlan {
  const requests: ObservePlan['requests'] = [];
  const bad = (spec: string, why: string) =>
    new ConfigError(
      [
        {
          code: 'bad_option',
          path: '--observe',
          value: spec,
          allowed: `${why}: a memdev (${machine.cxl.memdevs.map((d) => `${d.name}=${d.id}`).join(', ') || 'none'}), ram, a region (${machine.regions.map((r) => r.name).join(', ') || 'none'}) or <hpa>+<size> such as 0x100000000+4k`,
        },
      ],
      'bad option value',
    );
  for (const spec of specs) {
    const plus = spec.indexOf('+');
    if (plus > 0) {
      const base = parseInteger(spec.slice(0, plus));
      const size = parseSize(spec.slice(plus + 1));
      if (base === undefined || size === undefined || size === 0 || base + size > 2 ** 52)
        throw bad(spec, 'not a range below 2^52');
      requests.push({ spec, what: `range ${hex(base)}..${hex(base + size - 1)}`, req: { base, size, name: spec } });
      continue;
    }
    if (spec === 'ram') {
      requests.push({
        spec,
        what: `RAM ${hex(machine.ram.base)}..${hex(machine.ram.base + machine.ram.size - 1)}`,
        req: { store: machine.ram.store, name: 'ram', label: 'ram' },
      });
      continue;
    }
    const dev = machine.cxl.memdev(spec);
    if (dev) {
      const stores: { store: BackingStore; label: string; dpaBase: number }[] = [];
      if (dev.volatileStore) stores.push({ store: dev.volatileStore, label: dev.name, dpaBase: 0 });
      if (dev.persistentStore) stores.push({ store: dev.persistentStore, label: dev.name, dpaBase: dev.volatileBytes });
      requests.push({
        spec,
        what: `memdev ${dev.name} (id ${dev.id}): every HPA that routes to it`,
        req: { stores, name: dev.name },
        memdev: dev.name,
      });
      continue;
    }
    const region = machine.regions.find((r) => r.name === spec);
    if (region) {
      requests.push({
        spec,
        what: `region ${region.name} ${hex(region.base)}..${hex(region.base + region.size - 1)}`,
        req: { base: region.base, size: region.size, name: region.name },
      });
      continue;
    }
    throw bad(spec, 'unknown target');
  }
  return { requests };
}

/** Live observation of a machine's address space: apply() starts counting; report() reads the counts. */
export class MachineObservation {
  private targets: { what: string; t: ObservedTarget }[] = [];
  private fd: number | null = null;
  private lines: string[] = [];

  constructor(
    private readonly machine: Machine,
    private readonly plan: ObservePlan,
    private readonly logPath?: string,
  ) {}

  /** Start observing (counts from zero); called just before the guest's first instruction. */
  apply(): void {
    const space = this.machine.addressSpace;
    const label = (d: (typeof this.machine.cxl.memdevs)[number]) => {
      if (d.volatileStore) space.labelStore(d.volatileStore, d.name, 0);
      if (d.persistentStore) space.labelStore(d.persistentStore, d.name, d.volatileBytes);
    };
    for (const d of this.machine.cxl.memdevs) {
      label(d);
      d.onRepartition(label); // a reset that repartitions replaces the stores
    }
    if (this.logPath !== undefined) {
      this.fd = openSync(this.logPath, 'w');
      space.observeLog = (line) => {
        this.lines.push(line);
        if (this.lines.length >= 65536) this.flush();
      };
    }
    this.targets = this.plan.requests.map((r) => ({ what: r.what, t: space.observe(r.req) }));
  }

  /** Write buffered log lines. */
  flush(): void {
    if (this.fd !== null && this.lines.length > 0) {
      writeSync(this.fd, this.lines.join('\n') + '\n');
      this.lines.length = 0;
    }
  }

  /** Stop logging (counts stay readable). */
  close(): void {
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      this.machine.addressSpace.observeLog = null;
    }
  }

  report(): ObservationReport {
    const covered = new Set(this.plan.requests.flatMap((r) => (r.memdev ? [r.memdev] : [])));
    return {
      observed: this.targets.map(({ what, t }) => ({
        target: t.name,
        what,
        reads: t.reads,
        writes: t.writes,
        bytesRead: t.bytesRead,
        bytesWritten: t.bytesWritten,
      })),
      notObserved: this.machine.cxl.memdevs.map((d) => d.name).filter((n) => !covered.has(n)),
      ...(this.logPath !== undefined ? { log: this.logPath } : {}),
    };
  }
}

/** The end-of-run text: one line per observed target with exact counts, then the devices not observed. */
export function observationText(r: ObservationReport): string {
  const lines = ['observed accesses (exact; split accesses count once per piece):'];
  for (const o of r.observed) {
    lines.push(
      `  ${o.target}: ${o.reads} reads (${o.bytesRead} B), ${o.writes} writes (${o.bytesWritten} B)  [${o.what}]`,
    );
  }
  lines.push(
    r.notObserved.length > 0
      ? `  not observed: ${r.notObserved.join(', ')}`
      : '  not observed: none (every memdev observed)',
  );
  if (r.log !== undefined) lines.push(`  access log: ${r.log}`);
  return lines.join('\n');
}

/** Kept for callers that catch it; no longer thrown now that the board exists. */
export class NotYetError extends Error {
  override readonly name = 'NotYetError';
}

/** The bundled demo: the integer benchmark linked to run out of region R0 (0x1_0000_0000). */
export function demoKernelPath(): string {
  // The package root is the nearest folder up with a package.json: dist/src/machine/run.js is
  // three levels down, the bundled CLI's chunks (dist/bin/) two.
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return join(root, 'guests', 'bin', 'bench-demo-cxl.elf');
}

/** The demo's code, data and stack live at the start of the first window; it needs a region there. */
function demoFits(machine: Machine): boolean {
  const first = machine.cxl.windows[0];
  if (!first) return false;
  return machine.regions.some((r) => r.base === first.base && r.size >= 64 * 2 ** 20);
}

async function runOnBoard(
  machine: Machine,
  kernel: string,
  opts: RunMachineOptions,
  obs?: MachineObservation,
): Promise<RunResult> {
  const con = opts.console && opts.input ? interactiveConsole(opts.input, opts.console.err) : null;
  const signal = stopSignal(con?.signal, opts.stop);
  const base = boardOptionsForMachine(machine, opts.acpi !== undefined ? { acpi: opts.acpi } : {});
  const model = opts.timing ? buildTimingModel(machine, opts.timing, base.harts ?? 1) : null;
  if (model) opts.onTiming?.(() => timingStats(model));
  const traffic = opts.traffic ?? (opts.stats ? new TrafficCounters(machine) : null);
  try {
    const result = await runProgram({
      ...(obs || opts.onBoard
        ? {
            beforeRun: (board: Board) => {
              obs?.apply();
              opts.onBoard?.(board);
            },
          }
        : {}),
      kernel,
      machine: {
        ...base,
        ...(model ? { timing: { harts: model.harts, cyclesPerTick: cyclesPerTick(opts.timing!.cpuGHz) } } : {}),
        ...(traffic ? { dataSlowSink: traffic.sink } : {}),
      },
      ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
      ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
      ...(opts.traceFile !== undefined ? { traceFile: opts.traceFile } : {}),
      ...(opts.realtime !== undefined ? { realtime: opts.realtime } : {}),
      ...(opts.output !== undefined ? { output: opts.output } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.boot !== undefined ? { boot: opts.boot } : {}),
      ...(opts.dumpDtb !== undefined ? { dumpDtb: opts.dumpDtb } : {}),
      ...(opts.gdb !== undefined ? { gdb: opts.gdb } : {}),
      // The console's filtered stream replaces the raw input; Ctrl-A X or `stop` ends the run.
      ...(con ? { input: con.input } : {}),
      ...(signal ? { signal } : {}),
      ...(opts.hold ? { hold: opts.hold } : {}),
    });
    return {
      ...result,
      ...(model ? { timing: timingStats(model) } : {}),
      ...(traffic ? { stats: traffic.stats() } : {}),
    };
  } finally {
    con?.close();
  }
}

/** Either abort signal ends the run. */
function stopSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}

export async function runMachine(machine: Machine, opts: RunMachineOptions = {}): Promise<RunOutcome> {
  for (const e of opts.events ?? []) machine.scheduleEvent(e);
  if (opts.acpiDump !== undefined)
    writeFirmwareTableFiles(firmwareTableFiles(machine.firmwareTables), opts.acpiDump, '--acpi-dump');
  if (opts.kernel === undefined) {
    let demo: { kernel: string; result: RunResult; observation?: ObservationReport } | undefined;
    const kernel = demoKernelPath();
    if (!opts.auditOnly && existsSync(kernel) && demoFits(machine)) {
      const obs = observationFor(machine, opts);
      try {
        demo = { kernel, result: await runOnBoard(machine, kernel, opts, obs) };
      } finally {
        obs?.close();
      }
      if (obs) demo.observation = obs.report();
    }
    const report = opts.auditWith ? opts.auditWith(machine) : machine.audit(opts.audit ?? {});
    if (demo) return { kind: 'audit', report, demo };
    if (opts.auditOnly) return { kind: 'audit', report };
    const demoSkipped = !existsSync(kernel)
      ? `the demo program ${kernel} is missing (run make -C guests)`
      : 'the demo runs out of a region of at least 64 MiB at the start of the first CXL window, and this machine has none (create one with `region create`, pass --kernel, or use --audit-only)';
    return { kind: 'audit', report, demoSkipped };
  }
  try {
    accessSync(opts.kernel, constants.R_OK);
  } catch (e) {
    throw new ConfigError(
      [
        {
          code: 'file',
          path: '--kernel',
          value: opts.kernel,
          allowed: `a readable ELF or raw binary (${(e as Error).message})`,
        },
      ],
      'cannot run',
    );
  }
  const obs = observationFor(machine, opts);
  let result: RunResult;
  try {
    result = await runOnBoard(machine, opts.kernel, opts, obs);
  } finally {
    obs?.close();
  }
  return obs
    ? { kind: 'program', status: result.status, result, observation: obs.report() }
    : { kind: 'program', status: result.status, result };
}

function observationFor(machine: Machine, opts: RunMachineOptions): MachineObservation | undefined {
  if (!opts.observe || opts.observe.length === 0) {
    if (opts.observeLog !== undefined)
      throw new ConfigError(
        [
          {
            code: 'bad_option',
            path: '--observe-log',
            value: opts.observeLog,
            allowed: 'used together with --observe',
          },
        ],
        'bad option value',
      );
    return undefined;
  }
  return new MachineObservation(machine, planObservation(machine, opts.observe), opts.observeLog);
}
