#!/usr/bin/env node
// The `cxlemu` command. Owns option syntax, output formats and exit statuses only: every operation
// is a call into src/machine's library API (load, build, region, translate, audit, run, describe).
// Exit 0 on success; 1 for input, rule and audit failures; 2 for usage errors and "not yet";
// 70 for bugs (a message, never a stack trace unless CXLEMU_DEBUG=1).

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import {
  ConfigError,
  Machine,
  NotYetError,
  loadDescription,
  saveDescription,
  descriptionText,
  parseInteger,
  parseSize,
  runMachine,
  type RunResult,
  translationJson,
  translationText,
  dpaReportJson,
  dpaReportText,
  regionJson,
  regionText,
  auditText,
  type MachineSource,
  type RegionRequest,
} from '../machine/index.js';
import type { AuditOptions, AuditReport } from '../cxl/index.js';
import { commandName, decodeMailboxOutput, parseOpcode, sendMailboxCommand } from '../cxl/index.js';
import { buildFirmwareTables } from '../machine/firmware-tables.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observationText } from '../machine/run.js';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Show progress bars (stderr is a terminal). */
  progress: boolean;
}

const processIo = (): CliIo => ({
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  progress: process.stderr.isTTY === true,
});

/** A bad option value or combination found by the CLI itself (exit 2). */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface GlobalOpts {
  qemu?: string;
  qemuFile?: string;
  machine?: string;
  json?: boolean;
}

function num(option: string, what: 'address' | 'size' | 'integer') {
  return (v: string): number => {
    const n = what === 'size' ? parseSize(v) : parseInteger(v);
    if (n === undefined) {
      const rule =
        what === 'size'
          ? 'a size such as 512M, 1G, 4k or 0x20000000'
          : what === 'address'
            ? 'an address such as 0x100000000 (underscores allowed)'
            : 'a non-negative integer';
      throw new ConfigError([{ code: 'bad_option', path: option, value: v, allowed: rule }], 'bad option value');
    }
    return n;
  };
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let status = 0;
  const print = (s: string) => io.out(s.endsWith('\n') ? s : `${s}\n`);
  const printJson = (v: unknown) => print(JSON.stringify(v, null, 2));

  const program = new Command('cxlemu');
  program
    .description(
      'A RISC-V machine emulator built around CXL memory. Without --machine/--qemu/--qemu-file, the built-in default machine is used.',
    )
    .option('--qemu <args>', 'build the machine from a QEMU command line (one quoted string)')
    .option('--qemu-file <file>', 'build the machine from a file holding a QEMU command line')
    .option('--machine <file>', 'start from a saved machine description (JSON or YAML)')
    .option('--json', 'structured output as JSON')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(s) });

  const globals = (cmd: Command): GlobalOpts => cmd.optsWithGlobals<GlobalOpts>();
  const sourceOf = (g: GlobalOpts): MachineSource => ({ machine: g.machine, qemu: g.qemu, qemuFile: g.qemuFile });
  /** Load, print QEMU warnings, build, run `fn`, save if asked, and always close the stores. */
  const withMachine = async (cmd: Command, fn: (m: Machine) => Promise<void> | void, save?: string): Promise<void> => {
    const loaded = loadDescription(sourceOf(globals(cmd)));
    for (const w of loaded.warnings) io.err(`cxlemu: warning: ${w}\n`);
    const m = Machine.build(loaded.description);
    try {
      await fn(m);
      if (save !== undefined) saveDescription(m.describe(), save);
    } finally {
      m.close();
    }
  };

  program
    .command('list')
    .description(
      'cxl list style JSON: memdevs and regions; -v adds buses, ports and committed decoders; -vv every decoder',
    )
    .addOption(
      new Option('-v, --verbose', 'more detail (repeat: -vv)')
        .argParser((_v: string, prev: number) => prev + 1)
        .default(0),
    )
    .action(async (opts: { verbose: number }, cmd: Command) => {
      await withMachine(cmd, (m) => printJson(m.list(Math.min(2, opts.verbose) as 0 | 1 | 2)));
    });

  program
    .command('translate')
    .description('HPA -> window, ports on the path, endpoint, DPA and position; with --dpa, DPA -> HPA')
    .argument('<address...>', 'one or more HPAs (or, with --dpa, DPAs), e.g. 0x100001234')
    .option('--dpa <memdev>', 'translate DPAs of this memdev (memN or device id) to HPA(s)')
    .action(async (addresses: string[], opts: { dpa?: string }, cmd: Command) => {
      const addrs = addresses.map(num(opts.dpa !== undefined ? 'DPA' : 'HPA', 'address'));
      await withMachine(cmd, (m) => {
        const json = globals(cmd).json === true;
        const results: unknown[] = [];
        for (const addr of addrs) {
          if (opts.dpa !== undefined) {
            const r = m.translateDpa(opts.dpa, addr);
            if (json) results.push(dpaReportJson(r));
            else print(dpaReportText(r));
            if (r.hpas.length === 0) status = 1;
          } else {
            const t = m.translateHpa(addr);
            if (json) results.push(translationJson(t));
            else print(translationText(t, addr));
            if (!t.ok) status = 1;
          }
        }
        // One address: one object; several: an array in argument order.
        if (json) printJson(results.length === 1 ? results[0] : results);
      });
    });

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
    .action(
      async (
        opts: {
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
        },
        cmd: Command,
      ) => {
        const memdevs = opts.memdevs.flatMap((s) => s.split(',')).filter((s) => s !== '');
        await withMachine(
          cmd,
          (m) => {
            const req: RegionRequest = { window: opts.window, memdevs, size: opts.size };
            if (opts.granularity !== undefined) req.granularity = opts.granularity;
            if (opts.ways !== undefined) req.ways = opts.ways;
            if (opts.name !== undefined) req.name = opts.name;
            if (opts.base !== undefined) req.base = opts.base;
            if (opts.mode !== undefined) req.mode = opts.mode;
            if (opts.locked) req.locked = true;
            const r = m.createRegion(req);
            if (globals(cmd).json) printJson(regionJson(r));
            else print(regionText(r));
          },
          opts.save,
        );
      },
    );
  region
    .command('destroy')
    .description('uncommit and reset the decoders of a region (refused for locked regions)')
    .argument('<name>', 'region name')
    .option('--save <file>', 'write the resulting machine (description + state) to FILE')
    .action(async (name: string, opts: { save?: string }, cmd: Command) => {
      await withMachine(
        cmd,
        (m) => {
          m.destroyRegion(name);
          if (globals(cmd).json) printJson({ destroyed: name });
          else print(`region ${name} destroyed`);
        },
        opts.save,
      );
    });

  const auditOptions = (c: Command) =>
    c
      .option('--region <name>', 'audit one region (default: every region)')
      .option('--full', 'check every word (default: first/last 2*W*16 KiB plus random samples)')
      .option('--samples <n>', 'random words in sampled mode (default 100000)', num('--samples', 'integer'))
      .option('--seed <n>', 'random seed (default 1)', num('--seed', 'integer'))
      .option('--force', 'overwrite file-backed media instead of restoring it afterwards');
  type AuditCli = { region?: string; full?: boolean; samples?: number; seed?: number; force?: boolean };
  const auditWithProgress = (m: Machine, o: AuditCli): AuditReport => {
    const base: AuditOptions = { mode: o.full ? 'full' : 'sampled' };
    if (o.samples !== undefined) base.samples = o.samples;
    if (o.seed !== undefined) base.seed = o.seed;
    if (o.force) base.force = true;
    const names = o.region !== undefined ? [o.region] : m.regions.map((r) => r.name);
    const sizes = names.map((n) => m.regions.find((r) => r.name === n)?.size ?? 0);
    const total = sizes.reduce((a, b) => a + b, 0);
    // A bar when stderr is a terminal and the work is more than a second's worth (full audits run
    // at ~25 MiB/s; sampled ones take about a second per region).
    const slow = o.full ? total > 32 * 2 ** 20 : names.length > 1;
    const bar =
      io.progress && slow
        ? new cliProgress.SingleBar(
            { format: 'audit [{bar}] {percentage}% | {region}', stream: process.stderr, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(Math.max(1, total), 0, { region: names[0] ?? '' });
    const out: AuditReport = { ok: true, regions: [] };
    let done = 0;
    try {
      names.forEach((n, i) => {
        bar?.update(done, { region: n });
        const r = m.audit({ ...base, region: n });
        out.regions.push(...r.regions);
        out.ok = out.ok && r.ok;
        done += sizes[i]!;
        bar?.update(done, { region: n });
      });
    } finally {
      bar?.stop();
    }
    return out;
  };
  auditOptions(
    program
      .command('audit')
      .description(
        'stamp every region through the HPA space and prove each word sits where the spec says; bytes per device',
      ),
  ).action(async (opts: AuditCli, cmd: Command) => {
    await withMachine(cmd, (m) => {
      const rep = auditWithProgress(m, opts);
      if (globals(cmd).json) printJson(rep);
      else print(auditText(rep));
      if (!rep.ok) status = 1;
    });
  });

  auditOptions(
    program
      .command('run')
      .description(
        'build the machine and run its workload: --kernel runs a program on the hart; without it the bundled demo (integer benchmark out of region R0) runs, then the audit',
      )
      .option('--kernel <file>', 'ELF (or raw binary) to run')
      .option('--max-instructions <n>', 'stop after N instructions (exit 124)', num('--max-instructions', 'integer'))
      .option(
        '--timeout <seconds>',
        'stop a hung guest after this many wall-clock seconds (exit 124)',
        num('--timeout', 'integer'),
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
  ).action(
    async (
      opts: AuditCli & {
        kernel?: string;
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
      },
      cmd: Command,
    ) => {
      await withMachine(
        cmd,
        async (m) => {
          const runOpts = {
            ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
            ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
            ...(opts.trace !== undefined ? { traceFile: opts.trace } : {}),
            ...(opts.realtime ? { realtime: true } : {}),
            ...(opts.uartOut !== undefined ? { output: opts.uartOut } : {}),
            ...(opts.kernel !== undefined ? { input: process.stdin.isTTY ? null : process.stdin } : {}),
            ...(opts.observe !== undefined ? { observe: opts.observe } : {}),
            ...(opts.observeLog !== undefined ? { observeLog: opts.observeLog } : {}),
          };
          const summary = (x: RunResult): string =>
            `cxlemu: ${x.exit.kind}${x.exit.kind === 'fail' ? ` (code ${x.exit.code})` : ''}${x.exit.message ? `: ${x.exit.message}` : ''}; ` +
            `${x.instret} instructions in ${x.seconds.toFixed(2)} s (${x.mips.toFixed(1)} MIPS); exit status ${x.status}\n`;
          if (opts.kernel === undefined) {
            const r = await runMachine(m, {
              ...runOpts,
              ...(opts.auditOnly ? { auditOnly: true } : {}),
              auditWith: (mm) => auditWithProgress(mm, opts),
            });
            if (r.kind !== 'audit') return;
            if (globals(cmd).json)
              printJson({
                workload: r.demo ? 'demo+audit' : 'audit',
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
              print(
                `machine built: ${m.cxl.memdevs.length} memdevs, ${m.cxl.windows.length} windows, ${m.regions.length} regions\n${auditText(r.report)}`,
              );
            }
            if (!r.report.ok || (r.demo && r.demo.result.status !== 0))
              status = r.demo && r.demo.result.status !== 0 ? r.demo.result.status : 1;
            return;
          }
          const r = await runMachine(m, { kernel: opts.kernel, ...runOpts });
          if (r.kind === 'program') {
            const x = r.result;
            // Regions the guest committed over MMIO become visible here (inferred from the registers).
            m.syncRegions();
            const rep = opts.audit ? auditWithProgress(m, opts) : undefined;
            if (globals(cmd).json)
              printJson({
                workload: 'program',
                ...x,
                ...(r.observation ? { observation: r.observation } : {}),
                ...(rep ? { audit: rep } : {}),
              });
            else {
              io.err(summary(x));
              if (r.observation) io.err(`${observationText(r.observation)}\n`);
              if (rep) print(auditText(rep));
            }
            status = r.status !== 0 ? r.status : rep && !rep.ok ? 1 : 0;
          }
        },
        opts.save,
      );
    },
  );

  program
    .command('mailbox')
    .description(
      'send one mailbox command to a memdev of a freshly built machine through its registers (payload, Command, doorbell, poll) and print the return code and output; exit 0 only for return code 0 (Success)',
    )
    .argument('<memdev>', 'memN or device id')
    .argument(
      '<opcode>',
      'hex opcode (4000 or 0x4000) or command name (identify-memory-device, get-partition-info, ...)',
    )
    .argument(
      '[payload-hex]',
      'input payload as hex bytes in order, e.g. 0100000000000000 00 (spaces, "_" and ":" ignored)',
    )
    .action(async (memdev: string, opcodeText: string, payloadHex: string | undefined, _o: unknown, cmd: Command) => {
      const opcode = parseOpcode(opcodeText);
      if (opcode === undefined) {
        throw new ConfigError(
          [
            {
              code: 'bad_option',
              path: 'opcode',
              value: opcodeText,
              allowed: 'a 16-bit hex opcode such as 4000 or 0x4000, or a command name such as get-partition-info',
            },
          ],
          'bad opcode',
        );
      }
      const payload = parseHexBytes(payloadHex ?? '');
      await withMachine(cmd, (m) => {
        const regs = m.deviceRegisters(memdev);
        const r = sendMailboxCommand(regs, opcode, payload);
        const name = commandName(opcode) ?? null;
        const decoded = r.rc === 0 ? decodeMailboxOutput(opcode, r.out) : null;
        const hexOut = [...r.out].map((b) => b.toString(16).padStart(2, '0')).join('');
        const op = `0x${opcode.toString(16).padStart(4, '0')}`;
        if (globals(cmd).json) {
          printJson({
            memdev: m.cxl.memdev(memdev)!.name,
            opcode: op,
            command: name,
            inputLength: payload.length,
            rc: r.rc,
            rcName: r.rcName,
            backgroundRunning: r.backgroundRunning,
            outputLength: r.out.length,
            output: hexOut,
            ...(decoded ? { decoded } : {}),
          });
        } else {
          const lines = [
            `${m.cxl.memdev(memdev)!.name} ${op} ${name ?? '(not implemented by this device)'}: return code 0x${r.rc.toString(16).padStart(2, '0')} (${r.rcName})${r.backgroundRunning ? ', background operation running' : ''}`,
          ];
          lines.push(`output: ${r.out.length} bytes`);
          for (let o = 0; o < r.out.length; o += 16) {
            lines.push(
              `  ${o.toString(16).padStart(4, '0')}: ${[...r.out.subarray(o, o + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
            );
          }
          if (decoded) {
            lines.push('decoded:');
            const walk = (obj: Record<string, unknown>, ind: string) => {
              for (const [k, v] of Object.entries(obj)) {
                if (Array.isArray(v)) {
                  lines.push(`${ind}${k}:`);
                  v.forEach((x, i) =>
                    lines.push(
                      `${ind}  [${i}] ${Object.entries(x as object)
                        .map(([a, b]) => `${a} ${String(b)}`)
                        .join(', ')}`,
                    ),
                  );
                } else if (v !== null && typeof v === 'object') {
                  lines.push(
                    `${ind}${k}: ${Object.entries(v)
                      .map(([a, b]) => `${a} ${String(b)}`)
                      .join(', ')}`,
                  );
                } else
                  lines.push(
                    `${ind}${k}: ${typeof v === 'number' && /Bytes$/.test(k) && v >= 2 ** 20 ? `${v} (${v / 2 ** 20} MiB)` : String(v)}`,
                  );
              }
            };
            walk(decoded, '  ');
          }
          print(lines.join('\n'));
        }
        if (r.rc !== 0) status = 1;
      });
    });

  program
    .command('tables')
    .description(
      'the generated ACPI tables (RSDP, XSDT, CEDT, SRAT, SLIT, HMAT) and CDATs: a decoded view; with --out, also the bytes as files',
    )
    .option(
      '--out <dir>',
      'write <SIG>.dat per ACPI table, cdat-<memdev>.dat per device and cdat-<switch>.dat per switch to DIR',
    )
    .action((opts: { out?: string }, cmd: Command) => {
      const loaded = loadDescription(sourceOf(globals(cmd)));
      for (const w of loaded.warnings) io.err(`cxlemu: warning: ${w}\n`);
      const t = buildFirmwareTables(loaded.description);
      const files: { file: string; table: string; bytes: number; address?: string }[] = [];
      for (const a of t.acpi)
        files.push({
          file: `${a.name}.dat`,
          table: a.name,
          bytes: a.bytes.length,
          address: `0x${a.address.toString(16)}`,
        });
      for (const c of t.cdat)
        files.push({ file: `cdat-${c.memdev}.dat`, table: `CDAT ${c.memdev} (${c.id})`, bytes: c.bytes.length });
      for (const c of t.switchCdat)
        files.push({ file: `cdat-${c.switch}.dat`, table: `CDAT switch ${c.switch}`, bytes: c.bytes.length });
      if (opts.out !== undefined) {
        try {
          mkdirSync(opts.out, { recursive: true });
          const all = [
            ...t.acpi.map((a) => a.bytes),
            ...t.cdat.map((c) => c.bytes),
            ...t.switchCdat.map((c) => c.bytes),
          ];
          files.forEach((f, i) => writeFileSync(join(opts.out!, f.file), all[i]!));
        } catch (e) {
          throw new ConfigError(
            [
              {
                code: 'bad_option',
                path: '--out',
                value: opts.out,
                allowed: `a writable directory (${e instanceof Error ? e.message : String(e)})`,
              },
            ],
            'cannot write the tables',
          );
        }
      }
      if (globals(cmd).json) {
        printJson({
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          rsdpAddress: `0x${t.layout.rsdpAddress.toString(16)}`,
          files,
          decoded: t.decoded,
        });
      } else {
        const head = files.map(
          (f) =>
            `  ${f.file.padEnd(22)} ${String(f.bytes).padStart(5)} bytes  ${f.table}${f.address ? ` at ${f.address}` : ''}`,
        );
        print(
          `${opts.out !== undefined ? `wrote ${files.length} tables to ${opts.out}` : `${files.length} tables (use --out DIR to write them)`}:\n${head.join('\n')}\n\n${t.decoded}`,
        );
      }
    });

  program
    .command('describe')
    .description(
      'print the effective machine description (defaults filled in, windows placed, saved state included) without building it',
    )
    .option('--yaml', 'YAML instead of JSON')
    .option('--save <file>', 'also write it to FILE (YAML for .yaml/.yml)')
    .action((opts: { yaml?: boolean; save?: string }, cmd: Command) => {
      // Validates and places windows but does not build (backing files are not opened).
      const loaded = loadDescription(sourceOf(globals(cmd)));
      for (const w of loaded.warnings) io.err(`cxlemu: warning: ${w}\n`);
      print(descriptionText(loaded.description, opts.yaml ? 'yaml' : 'json'));
      if (opts.save !== undefined) saveDescription(loaded.description, opts.save);
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (e) {
    return reportError(e, io);
  }
}

const USER_ERRORS = new Set([
  'ConfigError',
  'ArenaFullError',
  'FileStoreError',
  'RegionError',
  'TopologyError',
  'ResultFailure',
  'ElfLoadError',
  'MailboxClientError',
]);

/** Hex bytes in order ("01 00", "0x0100", "01:00", "01_00"); a ConfigError naming payload-hex otherwise. */
function parseHexBytes(text: string): Uint8Array {
  const t = text.replace(/^0x/i, '').replace(/[\s_:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(t)) {
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path: 'payload-hex',
          value: text,
          allowed:
            'hex digits, two per byte, in byte order (e.g. 0100000000000000 00); spaces, "_" and ":" are ignored',
        },
      ],
      'bad payload',
    );
  }
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed "error: ..." naming the option
  }
  if (e instanceof UsageError || e instanceof NotYetError) {
    io.err(`cxlemu: ${e.message}\n`);
    return 2;
  }
  if (e instanceof Error && USER_ERRORS.has(e.name)) {
    io.err(`cxlemu: ${e.message}\n`);
    return 1;
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.err(`cxlemu: internal error (a bug in cxlemu; please report it with the command line): ${msg}\n`);
  if (process.env.CXLEMU_DEBUG === '1' && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return 70;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`cxlemu: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
