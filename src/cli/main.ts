#!/usr/bin/env node
// The `cxlemu` command: program setup, the global options and the mapping from errors to exit
// statuses. Each subcommand lives in src/cli/commands/<name>.ts and is a call into src/machine's
// library API; this file never handles a subcommand itself.
// Exit 0 on success; 1 for input, rule and audit failures; 2 for usage errors and "not yet";
// 70 for bugs (a message, never a stack trace unless CXLEMU_DEBUG=1).
// Start-up (docs/development.md "Start-up"): this file and the command modules load only commander
// and the option parsers; each action imports the parts of src/machine it uses when it runs.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerDescribe } from './commands/describe.js';
import { registerHost } from './commands/host.js';
import { registerList } from './commands/list.js';
import { registerMailbox } from './commands/mailbox.js';
import { registerRegion } from './commands/region.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerTables } from './commands/tables.js';
import { registerTiers } from './commands/tiers.js';
import { registerTranslate } from './commands/translate.js';
import { type CliContext, type CliIo, cliContext, processIo } from './io.js';
import { StoppedBySignal } from './signals.js';

export type { CliIo } from './io.js';

/** Every subcommand, in the order `cxlemu --help` lists them. */
const COMMANDS: ((program: Command, ctx: CliContext) => void)[] = [
  registerList,
  registerTranslate,
  registerRegion,
  registerAudit,
  registerRun,
  registerMailbox,
  registerTables,
  registerTiers,
  registerDescribe,
  registerHost,
  registerServe,
];

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = cliContext(io);
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
  for (const register of COMMANDS) register(program, ctx);

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.status;
  } catch (e) {
    return reportError(e, io);
  }
}

/** Error names (from src/machine and below) that mean bad input or a broken rule: exit 1. */
export const USER_ERRORS: ReadonlySet<string> = new Set([
  'ConfigError',
  'ArenaFullError',
  'FileStoreError',
  'RegionError',
  'TopologyError',
  'ResultFailure',
  'ElfLoadError',
  'MailboxClientError',
  'GdbListenError',
  'PciConfigError',
]);

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2; // commander already printed "error: ..." naming the option
  }
  if (e instanceof StoppedBySignal) {
    io.err(`cxlemu: ${e.message}\n`);
    return e.exitCode;
  }
  // By name, like USER_ERRORS: importing src/machine/run.ts here would load the CPU for every command.
  if (e instanceof Error && e.name === 'NotYetError') {
    io.err(`cxlemu: ${e.message}\n`);
    return 2;
  }
  if (e instanceof Error && USER_ERRORS.has(e.name)) {
    io.err(`cxlemu: ${e.message}\n`);
    return 1;
  }
  // Everything else is our bug (a RouteMismatchError from translate among them): name it, exit 70.
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

/** Run the command line `args` as the process's command: its status becomes the exit code. */
export function runAsProcess(args: readonly string[]): void {
  main(args).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`cxlemu: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}

if (invokedDirectly()) runAsProcess(process.argv.slice(2));
