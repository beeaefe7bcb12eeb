// src/boot: the Image header (oracle: Documentation/arch/riscv/boot-image-header.rst field
// offsets, and the real kernel when guests/linux/out/Image exists), the fw_dynamic struct
// (OpenSBI include/sbi/fw_dynamic.h), and placement (QEMU 7.2 hw/riscv/boot.c rules, checked
// against QEMU's own device tree via -machine dumpdtb when qemu-system-riscv64 and dtc exist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BootPlanError,
  encodeFwDynamicInfo,
  isLinuxImage,
  LinuxImageError,
  NextMode,
  parseLinuxImage,
  planBoot,
} from '../../src/boot/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MiB = 2 ** 20;

function fakeImage(
  opts: { size?: number; textOffset?: number; imageSize?: number; flags?: number; magic?: boolean } = {},
) {
  const b = new Uint8Array(opts.size ?? 8192);
  const dv = new DataView(b.buffer);
  dv.setUint32(8, opts.textOffset ?? 0x200000, true);
  dv.setUint32(16, opts.imageSize ?? 0x10000, true);
  dv.setUint32(24, opts.flags ?? 0, true);
  dv.setUint32(32, (0 << 16) | 2, true);
  if (opts.magic !== false) dv.setUint32(0x38, 0x05435352, true);
  return b;
}

test('Image header: fields at their documented offsets', () => {
  const h = parseLinuxImage(fakeImage(), 'k');
  assert.equal(h.textOffset, 0x200000);
  assert.equal(h.imageSize, 0x10000);
  assert.deepEqual(h.version, { major: 0, minor: 2 });
  assert.ok(isLinuxImage(fakeImage()));
});

test('Image header: bad inputs name the file and the problem', () => {
  assert.throws(() => parseLinuxImage(new Uint8Array(10), 'k.bin'), /k\.bin: truncated: 10 bytes/);
  assert.throws(() => parseLinuxImage(fakeImage({ magic: false }), 'x'), LinuxImageError);
  assert.throws(() => parseLinuxImage(fakeImage({ magic: false }), 'x'), /not a RISC-V Linux Image/);
  assert.throws(() => parseLinuxImage(fakeImage({ flags: 1 }), 'x'), /big-endian/);
  assert.throws(() => parseLinuxImage(fakeImage({ imageSize: 100 }), 'x'), /smaller than the file/);
  assert.throws(() => parseLinuxImage(fakeImage({ textOffset: 0x123 }), 'x'), /not page aligned/);
  assert.equal(isLinuxImage(new Uint8Array(0)), false);
});

test('fw_dynamic info: magic, version 2, next stage, S-mode, boot hart', () => {
  const b = encodeFwDynamicInfo({ nextAddr: 0x8020_0000, nextMode: NextMode.Supervisor, bootHart: 1 });
  const dv = new DataView(b.buffer);
  const u64 = (i: number) => dv.getUint32(i * 8, true) + dv.getUint32(i * 8 + 4, true) * 2 ** 32;
  assert.equal(b.length, 48);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(u64), [0x4942534f, 2, 0x8020_0000, 1, 0, 1]);
});

test('placement: firmware at the RAM base, kernel at the next 2 MiB, initrd 128 MiB past the kernel (QEMU rules)', () => {
  const header = parseLinuxImage(fakeImage({ imageSize: 20 * MiB, size: 8192 }), 'k');
  const p = planBoot({
    ram: { base: 0x8000_0000, size: 2048 * MiB },
    reservedFrom: 0x8000_0000 + 2044 * MiB,
    firmwareSize: 270_000,
    kernel: { header, fileSize: 8192 },
    initrdSize: 1 * MiB,
  });
  assert.equal(p.firmwareAt, 0x8000_0000);
  assert.equal(p.kernelAt, 0x8020_0000);
  assert.equal(p.kernelEnd, 0x8020_0000 + 20 * MiB);
  assert.deepEqual(p.initrd, { start: 0x8820_0000, end: 0x8820_0000 + MiB });
  assert.ok(p.infoAt! >= p.initrd!.end);
  // Small RAM: half of it past the kernel entry.
  const q = planBoot({
    ram: { base: 0x8000_0000, size: 128 * MiB },
    reservedFrom: 0x8000_0000 + 124 * MiB,
    firmwareSize: 270_000,
    kernel: { header, fileSize: 8192 },
    initrdSize: MiB,
  });
  assert.equal(q.initrd!.start, 0x8020_0000 + 64 * MiB);
});

test('placement: what does not fit is named with the sizes', () => {
  const header = parseLinuxImage(fakeImage({ imageSize: 20 * MiB }), 'k');
  const base = { ram: { base: 0x8000_0000, size: 64 * MiB }, reservedFrom: 0x8000_0000 + 60 * MiB, firmwareSize: 1000 };
  assert.throws(
    () => planBoot({ ...base, kernel: { header, fileSize: 8192 }, initrdSize: 50 * MiB }),
    (e: unknown) => {
      assert.ok(e instanceof BootPlanError);
      assert.match((e as Error).message, /the initrd \(52428800 bytes\) does not fit in RAM/);
      return true;
    },
  );
  const big = parseLinuxImage(fakeImage({ imageSize: 100 * MiB }), 'k');
  assert.throws(() => planBoot({ ...base, kernel: { header: big, fileSize: 8192 } }), /does not fit below 0x83c00000/);
});

const image = join(repo, 'guests', 'linux', 'out', 'Image');
test('the project kernel: header as the kernel documents it', {
  skip: !existsSync(image) && 'guests/linux/out/Image not built (npm run linux)',
}, () => {
  const bytes = readFileSync(image);
  const h = parseLinuxImage(bytes, image);
  assert.equal(h.textOffset, 0x200000);
  assert.ok(h.imageSize >= bytes.length);
  assert.deepEqual(h.version, { major: 0, minor: 2 });
});

const haveQemu =
  spawnSync('qemu-system-riscv64', ['--version']).status === 0 && spawnSync('dtc', ['--version']).status === 0;
test('placement agrees with QEMU: initrd start/end in the device tree QEMU builds for the same Image', {
  skip:
    (!existsSync(image) && 'guests/linux/out/Image not built') || (!haveQemu && 'qemu-system-riscv64 or dtc missing'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-boot-'));
  const initrd = join(dir, 'initrd');
  writeFileSync(initrd, new Uint8Array(3 * MiB + 123));
  for (const mem of [2048, 192]) {
    const dtb = join(dir, `virt-${mem}.dtb`);
    const r = spawnSync('qemu-system-riscv64', [
      '-M',
      `virt,dumpdtb=${dtb}`,
      '-m',
      `${mem}M`,
      '-nographic',
      '-bios',
      'default',
      '-kernel',
      image,
      '-initrd',
      initrd,
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const dts = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' }).stdout;
    const cell = (name: string) => {
      // One cell (QEMU 7.2) or two.
      const m = new RegExp(`${name} = <(0x[0-9a-f]+)(?: (0x[0-9a-f]+))?>`).exec(dts);
      assert.ok(m, `${name} in QEMU's tree`);
      return m[2] === undefined ? Number(m[1]) : Number(m[1]) * 2 ** 32 + Number(m[2]);
    };
    const bytes = readFileSync(image);
    const fw = readFileSync('/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin');
    const p = planBoot({
      ram: { base: 0x8000_0000, size: mem * MiB },
      reservedFrom: 0x8000_0000 + mem * MiB - 4 * MiB,
      firmwareSize: fw.length,
      kernel: { header: parseLinuxImage(bytes, image), fileSize: bytes.length },
      initrdSize: 3 * MiB + 123,
    });
    assert.equal(p.initrd!.start, cell('linux,initrd-start'), `${mem} MiB`);
    assert.equal(p.initrd!.end, cell('linux,initrd-end'), `${mem} MiB`);
  }
});

test('/chosen/rng-seed: 32 bytes as in the device tree QEMU builds; fixed by default, chosen by --rng-seed, none on request', {
  skip:
    (!existsSync(image) && 'guests/linux/out/Image not built') || (!haveQemu && 'qemu-system-riscv64 or dtc missing'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-rng-'));
  const seedOf = (dtb: string): string | undefined => {
    const dts = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' }).stdout;
    // dtc prints bytes as [..], or as 32-bit cells <..> when their count is a multiple of 4.
    const bytes = /rng-seed = \[([0-9a-f ]+)\];/.exec(dts)?.[1];
    const cells = /rng-seed = <([0-9a-fx ]+)>;/.exec(dts)?.[1];
    return (
      bytes ??
      cells
        ?.split(' ')
        .map((c) =>
          c
            .slice(2)
            .padStart(8, '0')
            .replace(/(..)(?!$)/g, '$1 '),
        )
        .join(' ')
    );
  };
  const qemuDtb = join(dir, 'qemu.dtb');
  const q = spawnSync('qemu-system-riscv64', [
    '-M',
    `virt,dumpdtb=${qemuDtb}`,
    '-nographic',
    '-bios',
    'default',
    '-kernel',
    image,
  ]);
  assert.equal(q.status, 0, q.stderr.toString());
  assert.equal(seedOf(qemuDtb)?.split(' ').length, 32, "QEMU's rng-seed is 32 bytes");

  const cli = join(repo, 'dist', 'src', 'cli', 'main.js');
  const ours = (...extra: string[]) => {
    const dtb = join(dir, `ours-${extra.join('-') || 'default'}.dtb`);
    const r = spawnSync(process.execPath, [cli, 'run', '--kernel', image, '--dump-dtb', dtb, ...extra], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return seedOf(dtb);
  };
  const fixed = Buffer.from('cxlemu fixed rng-seed (32 bytes)')
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  assert.equal(ours(), fixed, 'the default is the same 32 bytes every run');
  assert.equal(ours('--rng-seed', '0x00ff_7e'), '00 ff 7e');
  assert.equal(ours('--rng-seed', 'none'), undefined);
  const a = ours('--rng-seed', 'random');
  assert.equal(a?.split(' ').length, 32);
  assert.notEqual(a, fixed);
  for (const bad of ['0xzz', 'abc', '00'.repeat(65), '']) {
    const r = spawnSync(
      process.execPath,
      [cli, 'run', '--kernel', image, '--rng-seed', bad, '--dump-dtb', join(dir, 'x.dtb')],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--rng-seed.*'fixed', 'random', 'none', or 1 to 64 bytes/);
  }
});
