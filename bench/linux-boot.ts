// Linux boot time, cxlemu vs qemu-system-riscv64 on the same Image and initramfs (npm run linux):
// wall time from process start to the kernel's "Run /init" line and to the end of the process
// (the init powers off). Both emulate on one host thread (QEMU: -accel tcg,thread=single); V8
// also compiles and collects on a background thread for cxlemu, so each side's CPU time (user +
// system, cpuSeconds) is reported beside its wall time. Runs alternate, and the JSON reports each
// figure's median and the ratio QEMU / cxlemu (speed of cxlemu relative to QEMU: 1.0 = as fast,
// 0.5 = twice as slow).
// Both at 1 and at 2 harts (cxlemu --smp 2; QEMU -smp 2 still on one host thread).
// Usage: node dist/bench/linux-boot.js [--runs 3].
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cxlemuLinuxArgs, qemuLinuxArgs } from '../test/linux/qemu-linux.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const image = join(repo, 'guests', 'linux', 'out', 'Image');
const initrd = join(repo, 'guests', 'linux', 'out', 'initramfs.cpio');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const append = 'console=ttyS0';

interface Timing {
  toInit: number;
  total: number;
  /** CPU seconds (user + system) of the process and what it waited for: cxlemu's V8 threads count. */
  cpu: number;
  status: number | null;
}

/**
 * CPU seconds of this process's reaped children so far (Linux /proc/self/stat: cutime + cstime,
 * in clock ticks of 1/100 s), or NaN where there is no /proc. A run's CPU time is the difference
 * across it: runs are sequential, so each difference is that run's process.
 */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3, cutime field 16 and cstime field 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

function timeRun(cmd: string, argv: string[]): Promise<Timing> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const cpu0 = childCpuSeconds();
    let toInit = Number.NaN;
    let out = '';
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      out += d;
      if (Number.isNaN(toInit) && out.includes('Run /init')) toInit = (performance.now() - t0) / 1000;
    });
    p.stderr.resume();
    p.on('error', rej);
    p.on('close', (status) =>
      res({ toInit, total: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0, status }),
    );
  });
}

// QEMU boots the same files on virt with 512 MiB like the default machine (test/linux/qemu-linux.ts).
// cxlemu runs as users run it: the package's bin (dist/bin/cxlemu, node from the start-up snapshot
// that npm run build makes), else, when it was not built, node on the unbundled main.js.
const bin = join(repo, 'dist', 'bin', 'cxlemu');
const cxlemu = (harts: number) => {
  const argv = cxlemuLinuxArgs({ image, initrd, append, harts, acpi: 'off' }, ['--irqchip', 'plic']);
  return existsSync(bin) ? timeRun(bin, argv.slice(1)) : timeRun(process.execPath, argv);
};
const qemu = (harts: number) => timeRun('qemu-system-riscv64', qemuLinuxArgs({ image, initrd, append, harts }));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

if (!existsSync(image) || !existsSync(initrd)) {
  console.log(JSON.stringify({ error: 'guests/linux/out/{Image,initramfs.cpio} missing: run npm run linux' }));
  process.exit(0);
}
const summary = (t: Timing[]) => ({
  toInitSeconds: median(t.map((x) => x.toInit)),
  totalSeconds: median(t.map((x) => x.total)),
  cpuSeconds: Math.round(median(t.map((x) => x.cpu)) * 100) / 100,
  statuses: t.map((x) => x.status),
});
const results = [];
for (const harts of [1, 2]) {
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await cxlemu(harts));
    theirs.push(await qemu(harts));
  }
  const a = summary(ours);
  const b = summary(theirs);
  results.push({
    harts,
    cxlemu: a,
    qemu: b,
    speedRatioToInit: b.toInitSeconds / a.toInitSeconds,
    speedRatioTotal: b.totalSeconds / a.totalSeconds,
  });
}
console.log(
  JSON.stringify(
    { runs, cxlemu: existsSync(bin) ? 'dist/bin/cxlemu' : 'node dist/src/cli/main.js', floor: 0.5, results },
    null,
    2,
  ),
);
