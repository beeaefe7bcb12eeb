// The GDB stub wired to the machine, driven by Debian's gdb-multiarch (the oracle: a real
// debugger reading our target description, registers, memory and stop replies). A bare-metal
// two-hart guest (break at a symbol, read a variable, step, watch a store, continue to the exit)
// with the JIT and with the interpreter, and 2-hart Linux (break at cxl_pci_probe in vmlinux,
// two threads, a backtrace through the PCI core, continue to power-off). Skips, visibly, without
// gdb-multiarch or the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_BIN, REPO } from '../diff/harness.js';

const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');
const HAVE_GDB = spawnSync('sh', ['-c', 'command -v gdb-multiarch'], { stdio: 'ignore' }).status === 0;
const noGdb = !HAVE_GDB && 'gdb-multiarch not installed (CI installs it from .ci/apt-packages)';
const linuxOut = join(REPO, 'guests', 'linux', 'out');
const noLinux = !existsSync(join(linuxOut, 'vmlinux')) && 'guests/linux/out/vmlinux not built: run npm run linux';

interface Session {
  gdb: string;
  status: number | null;
  stderr: string;
}

/** Start `cxlemu run ... --gdb tcp::0 -S`, run gdb-multiarch's commands against it, wait for both. */
async function debugRun(runArgs: string[], symbols: string, commands: string[], env = {}): Promise<Session> {
  const emu = spawn(process.execPath, [cli, 'run', ...runArgs, '--gdb', 'tcp::0', '-S', '--timeout', '300'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  emu.stdout.resume();
  const port = await new Promise<number>((resolve, reject) => {
    emu.stderr.setEncoding('utf8');
    emu.stderr.on('data', (d: string) => {
      stderr += d;
      const m = /GDB stub listening on [^:]+:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    emu.on('exit', () => reject(new Error(`cxlemu exited before listening: ${stderr}`)));
  });
  const done = new Promise<number | null>((r) => emu.on('exit', (code) => r(code)));
  const args = ['-nx', '-batch', '-ex', 'set pagination off', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  const gdb = await new Promise<string>((resolve) => {
    const g = spawn('gdb-multiarch', [...args, symbols], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    g.stdout.on('data', (d: Buffer) => (out += d.toString()));
    g.stderr.on('data', (d: Buffer) => (out += d.toString()));
    g.on('exit', () => resolve(out));
  });
  const status = await done;
  return { gdb, status, stderr };
}

for (const engine of ['JIT', 'interpreter']) {
  test(`gdb-multiarch on a 2-hart bare-metal guest: break, read, step, watch, continue (${engine})`, {
    skip: noGdb,
  }, async () => {
    const elf = join(GUEST_BIN, 'smp.elf');
    const s = await debugRun(
      [`--kernel`, elf, '--smp', '2'],
      elf,
      [
        'info registers pc',
        'break smp_main',
        'continue',
        'info threads',
        'x/2gx &shared',
        'stepi',
        'info registers pc',
        'delete',
        // shared.phase (offset 24): hart 0 stores 1 after the counters are checked.
        'watch *(long *)((char *)&shared + 24)',
        'continue',
        'print *(long *)((char *)&shared + 24)',
        'delete',
        'continue',
      ],
      engine === 'JIT' ? {} : { CXLEMU_JIT: '0' },
    );
    assert.match(s.gdb, /0x0*80000000 in _start/, s.gdb);
    assert.match(s.gdb, /Breakpoint 1, 0x[0-9a-f]+ in smp_main \(\)/, s.gdb);
    assert.match(s.gdb, /Thread 1 \(hart 0\)/);
    assert.match(s.gdb, /Thread 2 \(hart 1\)/);
    assert.match(s.gdb, /<shared>:\s+0x0000000000000000\s+0x0000000000000000/, s.gdb);
    assert.match(s.gdb, /pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <smp_main\+\d+>/, s.gdb);
    assert.match(
      s.gdb,
      /Hardware watchpoint 2: \*\(long \*\)\(\(char \*\)&shared \+ 24\)\s+Old value = 0\s+New value = 1/,
      s.gdb,
    );
    assert.match(s.gdb, /\$1 = 1/);
    assert.match(s.gdb, /exited normally/, s.gdb);
    assert.equal(s.status, 0, s.stderr);
  });
}

test('gdb-multiarch on 2-hart Linux: break at cxl_pci_probe, two threads, backtrace, continue to power-off', {
  skip: noGdb || noLinux,
}, async () => {
  const s = await debugRun(
    [
      '--kernel',
      join(linuxOut, 'Image'),
      '--initrd',
      join(linuxOut, 'initramfs.cpio'),
      '--append',
      'console=ttyS0',
      '--smp',
      '2',
    ],
    join(linuxOut, 'vmlinux'),
    ['break cxl_pci_probe', 'continue', 'info threads', 'bt', 'delete', 'continue'],
  );
  assert.match(s.gdb, /hit Breakpoint 1, cxl_pci_probe \(pdev=0x[0-9a-f]+/, s.gdb);
  assert.match(s.gdb, /Thread 1 \(hart 0\)/);
  assert.match(s.gdb, /Thread 2 \(hart 1\)/);
  assert.match(s.gdb, /#1 .* in local_pci_probe/, s.gdb);
  assert.match(s.gdb, /exited normally/, s.gdb);
  assert.equal(s.status, 0, s.stderr);
});

test('--gdb on a port in use, or not a tcp address, is a clear error (exit 1)', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const addr = busy.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    const elf = join(GUEST_BIN, 'hello.elf');
    let r = spawnSync(process.execPath, [cli, 'run', '--kernel', elf, '--gdb', `tcp::${port}`], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`--gdb: 127\\.0\\.0\\.1:${port} is already in use`));
    r = spawnSync(process.execPath, [cli, 'run', '--kernel', elf, '--gdb', 'localhost:1234'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--gdb.*localhost:1234.*tcp::PORT or tcp:HOST:PORT/);
  } finally {
    busy.close();
  }
});
