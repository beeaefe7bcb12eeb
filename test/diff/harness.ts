// Shared helpers for the guest tests: locate the committed guest ELFs, the cross toolchain and
// qemu-system-riscv64, run an ELF on QEMU (the oracle) and on cxlemu (runProgram from
// src/machine/board.ts, loaded dynamically so these tests still run the QEMU side before the board
// exists), and compare outcomes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { program } from './random-gen.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/test/diff/). */
export const REPO = resolve(here, '..', '..', '..');
export const GUESTS = join(REPO, 'guests');
export const GUEST_BIN = join(GUESTS, 'bin');

/** QEMU CPU closest to ours, RV64IMAFDC + Zicsr + Zifencei + Zba/Zbb/Zbs (GUEST-TOOLCHAIN.md; misa = RV64 ACDFIMSU). */
export const QEMU_CPU =
  'rv64,h=off,v=off,zba=on,zbb=on,zbc=off,zbs=on,sstc=on,svpbmt=on,svinval=off,' +
  'svnapot=off,Zfh=off,Zfhmin=off,Zihintpause=on,sscofpmf=off';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
export const HAVE_QEMU = which('qemu-system-riscv64');
export const HAVE_CROSS = which('riscv64-unknown-elf-gcc') && which('make');

export interface Outcome {
  /** UART output. */
  uart: string;
  /** 'pass' | 'fail' (with code) | 'limit' | 'error' (with message). */
  kind: string;
  code: number;
  seconds: number;
  message?: string;
  /** Instructions retired (cxlemu only). */
  instret?: number;
}

export interface QemuOptions {
  /** RAM size (default 128M). Use 8G for ELFs linked at the CXL window base 0x1_0000_0000. */
  memory?: string;
  /** Load with -device loader (needed when the entry is not the RAM base). */
  loader?: boolean;
  timeoutMs?: number;
  /** Extra QEMU arguments (e.g. -icount shift=0). */
  extra?: string[];
  /** Harts (-smp, default 1). */
  smp?: number;
}

/** Run a bare-metal ELF on qemu-system-riscv64 -M virt; the finisher's status is QEMU's exit status. */
export function runQemu(elf: string, opts: QemuOptions = {}): Promise<Outcome> {
  const args = [
    '-M',
    'virt',
    '-smp',
    String(opts.smp ?? 1),
    '-m',
    opts.memory ?? '128M',
    '-nographic',
    '-bios',
    'none',
    '-cpu',
    QEMU_CPU,
    '-monitor',
    'none',
    '-serial',
    'stdio',
    ...(opts.extra ?? []),
  ];
  if (opts.loader) args.push('-device', `loader,file=${elf},cpu-num=0`);
  else args.push('-kernel', elf);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('qemu-system-riscv64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const uart = Buffer.concat(out).toString('latin1');
      if (timedOut)
        resolvePromise({ uart, kind: 'limit', code: 0, seconds, message: `QEMU timed out; stderr: ${err}` });
      else if (status === 0) resolvePromise({ uart, kind: 'pass', code: 0, seconds });
      else resolvePromise({ uart, kind: 'fail', code: status ?? -1, seconds, message: err || undefined });
    });
  });
}

/**
 * runQemu for a program whose output ends with `last` when complete: a run that passed (the
 * finisher said so) with its output cut short is run once more, since that is the oracle's
 * hiccup, not the program's (seen once in CI's loaded runs; QEMU is deterministic for these
 * programs otherwise, so a real fault repeats and still fails the caller's check). `retried`
 * says whether it was.
 */
export async function runQemuComplete(
  elf: string,
  last: string,
  opts: QemuOptions = {},
): Promise<Outcome & { retried: boolean }> {
  const first = await runQemu(elf, opts);
  if (first.kind !== 'pass' || first.uart.endsWith(last)) return { ...first, retried: false };
  return { ...(await runQemu(elf, opts)), retried: true };
}

type RunProgram = (opts: Record<string, unknown>) => Promise<{
  exit: { kind: string; code: number; message?: string };
  instret: number;
  seconds: number;
  mips: number;
}>;

let runProgramCache: RunProgram | null | undefined;
let runProgramWhy = '';

/** runProgram from src/machine/board.ts, or null (with the reason in cxlemuUnavailableReason()). */
export async function loadRunProgram(): Promise<RunProgram | null> {
  if (runProgramCache !== undefined) return runProgramCache;
  const path = join(REPO, 'dist', 'src', 'machine', 'board.js');
  if (!existsSync(path)) {
    runProgramWhy = `${path} does not exist yet`;
    runProgramCache = null;
    return null;
  }
  try {
    const mod = (await import(path)) as { runProgram?: RunProgram };
    runProgramCache = typeof mod.runProgram === 'function' ? mod.runProgram : null;
    if (!runProgramCache) runProgramWhy = 'src/machine/board.ts does not export runProgram';
  } catch (e) {
    runProgramWhy = `importing board.js failed: ${(e as Error).message}`;
    runProgramCache = null;
  }
  return runProgramCache;
}
export function cxlemuUnavailableReason(): string {
  return runProgramWhy;
}

export interface CxlemuOptions {
  ramSize?: number;
  maxInstructions?: number;
  /**
   * Run on the default machine (src/machine defaultDescription: region R0, 4-way 256 B interleave,
   * at 0x1_0000_0000) instead of a plain board: for ELFs linked at the CXL window base.
   */
  defaultMachine?: boolean;
}

interface MachineModule {
  Machine: {
    build(desc: unknown): {
      arena: unknown;
      addressSpace: unknown;
      ram: { base: number; size: number; store: unknown };
    };
  };
  defaultDescription(): unknown;
}

/** The `machine` option of runProgram for the default machine, or null with the reason. */
async function defaultMachineOption(): Promise<Record<string, unknown> | string> {
  const path = join(REPO, 'dist', 'src', 'machine', 'index.js');
  try {
    const mod = (await import(path)) as MachineModule;
    const m = mod.Machine.build(mod.defaultDescription());
    return { arena: m.arena, addressSpace: m.addressSpace, ram: { ...m.ram, mapped: true } };
  } catch (e) {
    return `building the default machine failed: ${(e as Error).message}`;
  }
}

/** Run an ELF on cxlemu's board via runProgram; null if the board is not available. */
export async function runCxlemu(elf: string, opts: CxlemuOptions = {}): Promise<Outcome | null> {
  const runProgram = await loadRunProgram();
  if (!runProgram) return null;
  let machine: Record<string, unknown> | undefined;
  if (opts.defaultMachine) {
    const m = await defaultMachineOption();
    if (typeof m === 'string') {
      runProgramWhy = m;
      return null;
    }
    machine = m;
  }
  const chunks: Uint8Array[] = [];
  const r = await runProgram({
    kernel: elf,
    output: (c: Uint8Array) => {
      chunks.push(Uint8Array.from(c));
    },
    maxInstructions: opts.maxInstructions ?? 2_000_000_000,
    ...(opts.ramSize !== undefined ? { ramSize: opts.ramSize } : {}),
    ...(machine ? { machine } : {}),
  });
  const uart = Buffer.concat(chunks).toString('latin1');
  return {
    uart,
    kind: r.exit.kind,
    code: r.exit.code,
    seconds: r.seconds,
    message: r.exit.message,
    instret: r.instret,
  };
}

/** Lines a documented QEMU 7.2 deviation produced (see guests/isa/isa.h CHECK_DEV). */
export function splitDeviations(uart: string): { text: string; deviations: string[] } {
  const deviations: string[] = [];
  const kept: string[] = [];
  for (const line of uart.split('\n')) {
    if (line.startsWith('DEVIATION ')) deviations.push(line);
    else kept.push(line);
  }
  return { text: kept.join('\n'), deviations };
}

/** First differing line of two texts, for messages. */
export function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i])
      return `line ${i + 1}:\n  qemu:   ${JSON.stringify(la[i])}\n  cxlemu: ${JSON.stringify(lb[i])}`;
  }
  return 'no difference';
}

/** riscv64-unknown-elf-gcc arguments that assemble `src` (GNU assembly) into `elf` with the runtime's link script. */
export function assembleArgs(march: string, src: string, elf: string): string[] {
  return [
    `-march=${march}`,
    '-mabi=lp64',
    '-nostdlib',
    '-nostartfiles',
    '-static',
    '-x',
    'assembler',
    src,
    '-L',
    join(GUESTS, 'runtime'),
    '-T',
    join(GUESTS, 'runtime', 'link.ld'),
    '-Wl,--no-warn-rwx-segments',
    '-o',
    elf,
  ];
}

/** Run fn over items with at most `limit` in flight; results in item order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Assemble the random-sequence program for `seeds` into dir/name.elf (needs the cross compiler). */
export function buildRandomElf(dir: string, name: string, seeds: number[], length: number): string {
  const src = join(dir, `${name}.s`);
  const elf = join(dir, `${name}.elf`);
  writeFileSync(src, program(seeds, length));
  execFileSync('riscv64-unknown-elf-gcc', assembleArgs('rv64imac_zicsr_zifencei_zba_zbb_zbs', src, elf), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return elf;
}
