// The run entry point: builds nothing itself; runs a built Machine's workload. Until the CPU and
// board exist it runs the placement audit; with a kernel it hands the machine to runProgram from
// src/machine/board.ts (loaded at run time so this module works with or without the board).
// Owns the choice of workload; never parses options.

import { accessSync, constants } from 'node:fs';
import type { AuditOptions, AuditReport } from '../cxl/index.js';
import type { Machine } from './build.js';
import { ConfigError } from './errors.js';

export interface RunMachineOptions {
  /** ELF or raw binary to run on the hart (needs src/machine/board.ts). */
  kernel?: string;
  maxInstructions?: number;
  /** Audit options for the no-kernel workload. */
  audit?: AuditOptions;
}

export type RunOutcome =
  | { kind: 'audit'; report: AuditReport }
  | { kind: 'program'; status: number; result: { exit: { kind: string; code: number; message?: string }; instret: number; seconds: number; mips: number } };

/** Thrown when `--kernel` is asked for but this build has no board/CPU yet. */
export class NotYetError extends Error {
  override readonly name = 'NotYetError';
}

interface BoardModule {
  runProgram?: (opts: Record<string, unknown>) => Promise<{ exit: { kind: string; code: number; message?: string }; status: number; instret: number; seconds: number; mips: number }>;
}

async function loadBoard(): Promise<BoardModule | undefined> {
  const specifier = './board.js';
  try {
    return (await import(specifier)) as BoardModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

export async function runMachine(machine: Machine, opts: RunMachineOptions = {}): Promise<RunOutcome> {
  if (opts.kernel === undefined) return { kind: 'audit', report: machine.audit(opts.audit ?? {}) };
  try {
    accessSync(opts.kernel, constants.R_OK);
  } catch (e) {
    throw new ConfigError([{ code: 'file', path: '--kernel', value: opts.kernel, allowed: `a readable ELF or raw binary (${(e as Error).message})` }], 'cannot run');
  }
  const board = await loadBoard();
  if (!board || typeof board.runProgram !== 'function') {
    throw new NotYetError('run --kernel: not yet: this cxlemu has no CPU/board (src/machine/board.ts runProgram); run without --kernel to build the machine and audit it');
  }
  const d = machine.describe();
  const result = await board.runProgram({
    kernel: opts.kernel,
    ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
    machine: {
      arena: machine.arena,
      addressSpace: machine.addressSpace,
      ram: { base: machine.ram.base, size: machine.ram.size, store: machine.ram.store, mapped: true },
      cxlWindows: d.cxl.windows.map((w) => ({
        name: w.id,
        base: w.base,
        size: w.size,
        interleaveWays: w.targets.length,
        interleaveGranularity: w.granularity,
        targets: w.targets.map((t) => d.cxl.hostBridges.find((h) => h.id === t)!.uid),
        restrictions: [...(w.volatile ? ['volatile'] : []), ...(w.persistent ? ['persistent'] : []), 'type3'],
      })),
    },
  });
  return { kind: 'program', status: result.status, result };
}
