// Bad boot inputs (docs/linux.md): each is a clear error naming the option, exit 1, never a hang
// or an internal error. Uses small synthetic files (a fake Image header is enough to reach the
// checks), so it runs without the real kernel.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'cxlemu-boot-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fakeImage(size: number, imageSize = size): string {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint32(8, 0x200000, true);
  dv.setUint32(16, imageSize % 2 ** 32, true);
  dv.setUint32(20, Math.floor(imageSize / 2 ** 32), true);
  dv.setUint32(32, 2, true);
  dv.setUint32(0x38, 0x05435352, true);
  const p = join(dir, `image-${size}-${imageSize}`);
  writeFileSync(p, b);
  return p;
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'run', ...args, '--timeout', '20'], { encoding: 'utf8' });
  return { status: r.status, err: r.stderr };
}

test('missing, unreadable or special kernel and initrd files are named', () => {
  let r = run('--kernel', join(dir, 'nope'));
  assert.equal(r.status, 1);
  assert.match(r.err, /--kernel/);
  const k = fakeImage(8192);
  r = run('--kernel', k, '--initrd', join(dir, 'missing.cpio'));
  assert.equal(r.status, 1);
  assert.match(r.err, /--initrd.*missing\.cpio.*a readable initramfs/);
  r = run('--kernel', k, '--initrd', '/dev/zero');
  assert.equal(r.status, 1);
  assert.match(r.err, /--initrd.*not a regular file/);
  r = run('--kernel', k, '--initrd', dir);
  assert.equal(r.status, 1);
  assert.match(r.err, /not a regular file/);
  r = run('--kernel', k, '--bios', join(dir, 'no-firmware.bin'));
  assert.equal(r.status, 1);
  assert.match(r.err, /--bios/);
});

test('a truncated or malformed Image, and firmware with something that is not a kernel', () => {
  const trunc = join(dir, 'trunc');
  const b = new Uint8Array(0x3c);
  new DataView(b.buffer).setUint32(0x38, 0x05435352, true);
  writeFileSync(trunc, b);
  let r = run('--kernel', trunc);
  assert.equal(r.status, 1);
  assert.match(r.err, /--kernel/);
  r = run('--kernel', fakeImage(8192, 100));
  assert.equal(r.status, 1);
  assert.match(r.err, /smaller than the file/);
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, new Uint8Array(4096).fill(0x13));
  r = run('--kernel', junk, '--bios', 'default');
  assert.equal(r.status, 1);
  assert.match(r.err, /a RISC-V Linux Image .* or an ELF when booting through firmware/);
});

test('a kernel or initrd that does not fit in RAM names the sizes', () => {
  const k = fakeImage(8192);
  const big = join(dir, 'big.cpio');
  writeFileSync(big, new Uint8Array(600 * 2 ** 20));
  let r = run('--kernel', k, '--initrd', big);
  assert.equal(r.status, 1);
  assert.match(r.err, /the initrd \(629145600 bytes\) does not fit in RAM/);
  r = run('--kernel', fakeImage(8192, 1024 * 2 ** 20));
  assert.equal(r.status, 1);
  assert.match(r.err, /does not fit below 0x/);
});

test('--smp 0 and 9, and QEMU -smp 9, are refused by name', () => {
  const k = fakeImage(8192);
  for (const n of ['0', '9', 'two']) {
    const r = run('--kernel', k, '--smp', n);
    assert.equal(r.status, 1, r.err);
    assert.match(r.err, new RegExp(`--smp.*${n}.*a number of harts from 1 to 8`));
  }
  const q = spawnSync(process.execPath, [cli, '--qemu', '-M virt -smp 9', 'run', '--kernel', k, '--timeout', '20'], {
    encoding: 'utf8',
  });
  assert.equal(q.status, 1, q.stderr);
  assert.match(q.stderr, /cpus.*9|9.*cpus/);
  assert.doesNotMatch(q.stderr, /internal error/);
});
