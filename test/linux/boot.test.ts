// Boots the project's Linux kernel and init (npm run linux) on the default machine through
// OpenSBI, as `cxlemu run` does. Oracle: Linux itself. Its cxl_pci driver must bind the four
// type-3 endpoints, and the init checks each memdev's sysfs attributes against the machine
// description and our own Identify / mailbox capability (found by serial), then powers off
// (status 0); one deliberately wrong expectation must end in a reboot (status 3). The transcript,
// with timestamps stripped, is kept in test-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cxlemuLinuxArgs } from './qemu-linux.js';
import { defaultDescription, Machine, sendMailboxCommand, decodeMailboxOutput } from '../../src/machine/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(repo, 'guests', 'linux', 'out');
const image = join(out, 'Image');
const initrd = join(out, 'initramfs.cpio');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');
const missing = !existsSync(image) || !existsSync(initrd);
const skip = missing && 'guests/linux/out/{Image,initramfs.cpio} not built: run npm run linux';

/** cxlemu.mem=SERIAL:ram:pmem:payload:lsa:fw for every memdev of the default machine. */
function expectations(): string[] {
  const m = Machine.build(defaultDescription());
  try {
    return m.cxl.memdevs.map((d) => {
      const regs = m.deviceRegisters(d.name);
      const r = sendMailboxCommand(regs, 0x4000, new Uint8Array(0));
      const id = decodeMailboxOutput(0x4000, r.out) as { fwRevision: string; lsaSizeBytes: number };
      const vol = d.volatileBytes;
      const per = d.persistentBytes;
      return `cxlemu.mem=0x${d.serial.toString(16)}:0x${vol.toString(16)}:0x${per.toString(16)}:${regs.payloadSize}:${id.lsaSizeBytes}:${id.fwRevision}`;
    });
  } finally {
    m.close();
  }
}

function boot(append: string, name: string, harts = 1, acpi?: 'on' | 'off') {
  const r = spawnSync(
    process.execPath,
    cxlemuLinuxArgs({ image, initrd, append: `console=ttyS0 ${append}`, harts, ...(acpi ? { acpi } : {}) }, [
      '--timeout',
      '600',
      '--stats',
    ]),
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const transcript = r.stdout.replace(/^\[\s*\d+\.\d+\] /gm, '');
  mkdirSync(join(repo, 'test-artifacts'), { recursive: true });
  writeFileSync(join(repo, 'test-artifacts', `${name}.txt`), `${transcript}\n--- stderr ---\n${r.stderr}`);
  return { status: r.status, transcript, stderr: r.stderr };
}

// ACPI (the default on a machine with CXL host bridges) with one and two harts, and the device
// tree (--acpi off) with two.
for (const [harts, acpi] of [
  [1, 'on'],
  [2, 'on'],
  [2, 'off'],
] as const) {
  test(`Linux boots on the default machine with ${harts} hart(s) (ACPI ${acpi}); cxl_pci binds every memdev and sysfs matches the description`, {
    skip,
  }, () => {
    const exp = expectations();
    assert.equal(exp.length, 4);
    const r = boot(
      `cxlemu.memdevs=4 cxlemu.harts=${harts} ${exp.join(' ')}`,
      `linux-boot-${harts}hart-acpi-${acpi}`,
      harts,
      acpi,
    );
    assert.match(r.transcript, /Linux version 6\.12/);
    assert.match(r.transcript, /OpenSBI v/);
    assert.match(r.transcript, new RegExp(`Platform HART Count\\s*: ${harts}`));
    if (acpi === 'on') assert.match(r.transcript, /ACPI: RSDP 0x/);
    else assert.doesNotMatch(r.transcript, /ACPI: RSDP/);
    // ACPI: a NUMA node for RAM and one per CFMWS window; device tree: one node.
    if (harts > 1)
      assert.match(r.transcript, acpi === 'on' ? /smp: Brought up 3 nodes, 2 CPUs/ : /smp: Brought up 1 node, 2 CPUs/);
    for (let s = 0; s < 4; s++) assert.match(r.transcript, new RegExp(`memdev serial 0x${s} is mem\\d`));
    const checks = r.transcript.split('\n').filter((l) => l.startsWith('check '));
    assert.equal(checks.length, 2 + 4 * 5, checks.join('\n'));
    assert.deepEqual(
      checks.filter((l) => !l.includes(': ok')),
      [],
    );
    assert.match(r.transcript, /cxlemu-init: all checks passed: powering off/);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /cxlemu: pass; \d+ instructions/);
    for (let h = 0; h < harts; h++) assert.match(r.stderr, new RegExp(`hart ${h}: \\d+\\.\\d% in translated code`));
    // Harts share translations: the second runs blocks the first compiled (docs/jit.md).
    if (harts > 1) assert.match(r.stderr, /jit hart 1: .*; [1-9]\d* blocks adopted from [1-9]\d* other harts' modules/);
  });
}

test('a wrong expectation makes the init reboot, and a reboot ends the run with status 3', { skip }, () => {
  const r = boot('cxlemu.memdevs=4 cxlemu.mem=0x0:0x1:0x0:2048:0:cxlemu-0.1.0', 'linux-boot-mismatch');
  assert.match(r.transcript, /check serial 0x0 ram\/size: MISMATCH got 536870912 want 1/);
  assert.match(r.transcript, /1 check\(s\) failed: rebooting/);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /cxlemu: reboot: guest rebooted/);
});

test('the QEMU form boots the same: --qemu "-M virt -smp 2 -bios default -kernel ... -initrd ... -append ..." run', {
  skip,
}, () => {
  const r = spawnSync(
    process.execPath,
    [
      cli,
      '--qemu',
      `-M virt -smp 2 -m 512M -bios default -kernel ${image} -initrd ${initrd} -append "console=ttyS0 cxlemu.memdevs=0 cxlemu.harts=2"`,
      'run',
      '--timeout',
      '600',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  assert.match(r.stdout, /check memdev count: ok \(0\)/);
  assert.match(r.stdout, /check harts online: ok \(2\)/);
  assert.match(r.stdout, /cxlemu-init: all checks passed: powering off/);
  assert.equal(r.status, 0, r.stderr);
});

test('RV64GC: the kernel runs with its FPU on and a static glibc lp64d program prints what it prints under qemu-riscv64', {
  skip,
}, (t) => {
  const r = boot('cxlemu.memdevs=4 cxlemu.run=/bin/fpcheck', 'linux-fpcheck');
  assert.match(r.transcript, /riscv: ELF capabilities acdfim/, 'the kernel saw F and D');
  assert.match(r.transcript, /check \/bin\/fpcheck: ok \(0\)/);
  assert.equal(r.status, 0, r.stderr);
  const ours = r.transcript
    .split('\n')
    .filter((l) => l.startsWith('fpcheck: '))
    .map((l) => l.replace(/\r$/, '')); // the tty's CR LF
  assert.ok(ours.length >= 7, r.transcript);
  // The oracle: the same binary under QEMU's user-mode emulator (Debian qemu-user).
  const q = spawnSync('qemu-riscv64', [join(out, 'fpcheck')], { encoding: 'utf8' });
  if (q.error) {
    t.diagnostic(`qemu-riscv64 not available (${q.error.message}): compared with the program's own checks only`);
    return;
  }
  assert.equal(q.status, 0, q.stderr);
  assert.deepEqual(ours, q.stdout.trim().split('\n'));
});
