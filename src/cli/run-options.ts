// The guest options `run` and `serve` share (serve runs its guest as run does, so it takes every one
// of them): their syntax, and their translation into runMachine's options and the description
// adjustments (--smp, --irqchip). Owns option syntax only; runMachine does the work.

import { type Command, Option } from 'commander';
import type { QemuBoot } from '../machine/qemu-parser.js';
import type { MachineDescription } from '../machine/description.js';
import type { Machine } from '../machine/build.js';
import type { RunMachineOptions } from '../machine/run.js';
import type { CliIo } from './io.js';
import { gdbDevice, harts, num, rngSeed, seconds } from './options.js';

export type GuestCli = {
  kernel?: string;
  bios?: string;
  initrd?: string;
  append?: string;
  rngSeed?: 'fixed' | 'random' | 'none' | Uint8Array;
  dumpDtb?: string;
  maxInstructions?: number;
  timeout?: number;
  trace?: string;
  realtime?: boolean;
  uartOut?: string;
  observe?: string[];
  observeLog?: string;
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

const repeat = (v: string, prev: string[] = []) => [...prev, v];

/** Add the guest options to `c`. */
export function guestOptions(c: Command): Command {
  return c
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
      "count, per memory target, CXL window and region, the data accesses that take the harts' slow path (TLB misses and fills: where a guest reaches, not bytes moved; free on TLB hits), and each hart's JIT counters; printed at the end, in the result with --json",
    )
    .option(
      '--event <spec>',
      'add a CXL event record to a memdev log at a guest time (repeatable): memdev=mem0,kind=general-media|dram,dpa=0x1000[,log=info|warning|failure|fatal][,at=SECONDS][,transaction=host-read][,event-type=media-ecc][,uncorrectable=on]...',
      repeat,
    )
    .option('--acpi-dump <dir>', 'write the ACPI tables and CDATs the guest gets to DIR (as tables --out), then run')
    .option('--initrd <file>', 'initramfs to place in RAM and name in /chosen (linux,initrd-start/end)')
    .option('--append <cmdline>', 'kernel command line (/chosen/bootargs)')
    .option(
      '--rng-seed <bytes>',
      "bytes for /chosen/rng-seed, which seeds the kernel's random number generator at boot as on QEMU's virt machine: 'fixed' (default: the same 32 bytes every run, so runs stay reproducible), 'random' (32 bytes from the host), 'none', or 1 to 64 bytes in hex",
      rngSeed('--rng-seed'),
    )
    .option('--dump-dtb <file>', "write the device tree the guest would get to FILE and stop (QEMU's -machine dumpdtb)")
    .option('--max-instructions <n>', 'stop after N instructions (exit 124)', num('--max-instructions', 'integer'))
    .option(
      '--timeout <seconds>',
      'stop a hung guest after this many wall-clock seconds (exit 124)',
      seconds('--timeout'),
    )
    .option('--trace <file>', 'write each executed instruction with its register writes to FILE')
    .option('--realtime', 'tie mtime to the host clock (default: deterministic, advancing with instructions retired)')
    .option('--uart-out <file>', 'write UART output to FILE instead of stdout')
    .option(
      '--observe <target>',
      'count accesses to a memdev (memN or id), ram, a region or <hpa>+<size> (repeatable); exact counts at the end',
      repeat,
    )
    .option(
      '--observe-log <file>',
      'with --observe: write one line per observed access (r|w hpa size memdev dpa) to FILE',
    )
    .option(
      '--save <file>',
      'after the run, write the machine (description + state: regions and raw decoder registers) to FILE',
    );
}

/** The options with a QEMU line's -kernel/-initrd/-append/-bios/-s/-S/acpi= filling what the options leave open. */
export function withQemuBoot<T extends GuestCli>(cli: T, qemuBoot: QemuBoot): T {
  return {
    ...cli,
    kernel: cli.kernel ?? qemuBoot.kernel,
    bios: cli.bios ?? qemuBoot.bios,
    initrd: cli.initrd ?? qemuBoot.initrd,
    append: cli.append ?? qemuBoot.append,
    gdb: cli.gdb ?? qemuBoot.gdb,
    stopped: cli.stopped ?? qemuBoot.stopped,
    acpi: cli.acpi ?? qemuBoot.acpi,
  };
}

/** runMachine's options for these guest options (everything but the kernel and the console). */
export async function runOptionsOf(
  opts: GuestCli,
  m: Machine,
  io: CliIo,
  stop: AbortSignal,
): Promise<RunMachineOptions> {
  const [{ parseEventSpec }, { timingParamsOf }] = await Promise.all([
    import('../machine/event-spec.js'),
    import('../machine/description.js'),
  ]);
  const gdb = opts.gdb !== undefined ? gdbDevice('--gdb', opts.gdb) : undefined;
  if (opts.stopped && !gdb) io.err('cxlemu: warning: -S without --gdb is ignored\n');
  return {
    stop,
    ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
    ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
    ...(opts.trace !== undefined ? { traceFile: opts.trace } : {}),
    ...(opts.realtime ? { realtime: true } : {}),
    ...(opts.uartOut !== undefined ? { output: opts.uartOut } : {}),
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
    ...(opts.bios !== undefined ||
    opts.initrd !== undefined ||
    opts.append !== undefined ||
    (opts.rngSeed !== undefined && opts.rngSeed !== 'fixed')
      ? {
          boot: {
            ...(opts.bios !== undefined ? { bios: opts.bios } : {}),
            ...(opts.initrd !== undefined ? { initrd: opts.initrd } : {}),
            ...(opts.append !== undefined ? { append: opts.append } : {}),
            ...(opts.rngSeed !== undefined && opts.rngSeed !== 'fixed'
              ? { rngSeed: opts.rngSeed === 'none' ? null : opts.rngSeed }
              : {}),
          },
        }
      : {}),
  };
}

/** The description as the guest options change it: --smp, and the irqchip (--irqchip, else the one its kernel wants). */
export async function adjustForGuest(cli: GuestCli): Promise<(d: MachineDescription) => MachineDescription> {
  const { irqchipFor } = await import('../machine/linux-boot.js');
  return (d) => {
    const irqchip = cli.irqchip ?? irqchipFor(d.irqchip, cli.kernel);
    return { ...d, cpus: cli.smp ?? d.cpus, ...(irqchip !== undefined ? { irqchip } : {}) };
  };
}
