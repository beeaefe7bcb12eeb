// The run entry point: runs a built Machine's workload. With a kernel it loads the ELF (or raw
// binary) onto the RISC-V board around the machine's address space and runs the hart; without
// one it runs the bundled demo (the integer benchmark linked into region R0 of the default
// machine) when the machine can hold it, then the placement audit. Owns the choice of workload;
// never parses options.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditOptions, AuditReport } from '../cxl/index.js';
import type { Machine } from './build.js';
import { boardOptionsForMachine, runProgram, type RunResult } from './board.js';
import { ConfigError } from './errors.js';

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
  /** Audit options for the audit that follows the demo (or replaces it). */
  audit?: AuditOptions;
  /** Skip the bundled demo program and only audit. */
  auditOnly?: boolean;
  /** Run the audit this way instead (the CLI passes one that draws a progress bar). */
  auditWith?: (machine: Machine) => AuditReport;
}

export type RunOutcome =
  | { kind: 'audit'; report: AuditReport; demo?: { kernel: string; result: RunResult } }
  | { kind: 'program'; status: number; result: RunResult };

/** Kept for callers that catch it; no longer thrown now that the board exists. */
export class NotYetError extends Error {
  override readonly name = 'NotYetError';
}

/** The bundled demo: the integer benchmark linked to run out of region R0 (0x1_0000_0000). */
export function demoKernelPath(): string {
  // dist/src/machine/run.js -> the package root is three levels up.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return join(root, 'guests', 'bin', 'bench-demo-cxl.elf');
}

/** The demo's code, data and stack live at the start of the first window; it needs a region there. */
function demoFits(machine: Machine): boolean {
  const first = machine.cxl.windows[0];
  if (!first) return false;
  return machine.regions.some((r) => r.base === first.base && r.size >= 64 * 2 ** 20);
}

async function runOnBoard(machine: Machine, kernel: string, opts: RunMachineOptions): Promise<RunResult> {
  return runProgram({
    kernel,
    machine: boardOptionsForMachine(machine),
    ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
    ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
    ...(opts.traceFile !== undefined ? { traceFile: opts.traceFile } : {}),
    ...(opts.realtime !== undefined ? { realtime: opts.realtime } : {}),
    ...(opts.output !== undefined ? { output: opts.output } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

export async function runMachine(machine: Machine, opts: RunMachineOptions = {}): Promise<RunOutcome> {
  if (opts.kernel === undefined) {
    let demo: { kernel: string; result: RunResult } | undefined;
    const kernel = demoKernelPath();
    if (!opts.auditOnly && existsSync(kernel) && demoFits(machine)) {
      demo = { kernel, result: await runOnBoard(machine, kernel, opts) };
    }
    const report = opts.auditWith ? opts.auditWith(machine) : machine.audit(opts.audit ?? {});
    return demo ? { kind: 'audit', report, demo } : { kind: 'audit', report };
  }
  try {
    accessSync(opts.kernel, constants.R_OK);
  } catch (e) {
    throw new ConfigError([{ code: 'file', path: '--kernel', value: opts.kernel, allowed: `a readable ELF or raw binary (${(e as Error).message})` }], 'cannot run');
  }
  const result = await runOnBoard(machine, opts.kernel, opts);
  return { kind: 'program', status: result.status, result };
}
