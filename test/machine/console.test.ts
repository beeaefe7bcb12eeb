// The interactive console (src/machine/console.ts): QEMU's -nographic escape keys (Ctrl-A X quits,
// Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A H prints help, other escapes are dropped), and the whole CLI
// with a guest that echoes UART input: typed bytes reach the guest, Ctrl-A X ends the run with
// exit kind 'quit' and status 0, as QEMU does. Oracle: QEMU's documented mux keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleEscapes } from '../../src/machine/console.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');

test('escape keys: C-a x quits, C-a C-a sends C-a, C-a h helps, anything else after C-a is dropped', () => {
  let quits = 0;
  let helps = 0;
  const e = new ConsoleEscapes({ quit: () => quits++, help: () => helps++ });
  const s = (x: string) => Buffer.from(e.filter(Buffer.from(x, 'latin1'))).toString('latin1');
  assert.equal(s('ab\x03c'), 'ab\x03c', 'Ctrl-C goes to the guest');
  assert.equal(s('\x01\x01z'), '\x01z');
  assert.equal(s('\x01h'), '');
  assert.equal(helps, 1);
  assert.equal(s('\x01q1'), '1');
  assert.equal(s('x\x01'), 'x', 'an escape split across chunks');
  assert.equal(s('X'), '');
  assert.equal(quits, 1);
});

// The board test's echo guest: echoes UART input from its interrupt handler, passes on 'q'.
const ECHO =
  '970200009382820473905230b702000c054323a46202b722000c1303004023a06200b702200c23a00200b70200100543a380620085629b82028073a042307360043073005010f5bf370e200c112e832e0e00b702001003c3520013731300630b030083c3020023807200130f10076387e301d5b72320de0173002030b702100015631b03535523a0620001a00000';

test('the CLI console: input reaches the guest, Ctrl-A X ends the run with status 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-console-'));
  const bin = join(dir, 'echo.bin');
  writeFileSync(bin, Buffer.from(ECHO, 'hex'));
  // Type, wait for the echo, then quit (input sent all at once would quit before the guest runs).
  const child = spawn(process.execPath, [cli, 'run', '--kernel', bin, '--timeout', '30']);
  let out = '';
  let err = '';
  child.stdout.setEncoding('latin1').on('data', (d: string) => {
    out += d;
    if (out === 'hi') child.stdin.write('\x01x');
  });
  child.stderr.setEncoding('latin1').on('data', (d: string) => {
    err += d;
  });
  child.stdin.write('hi');
  const status = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(out, 'hi');
  assert.match(err, /cxlemu: quit: terminated by the user \(Ctrl-A X\) at pc 0x[0-9a-f]+;/);
  assert.equal(status, 0);
  const pass = spawnSync(process.execPath, [cli, 'run', '--kernel', bin, '--timeout', '30'], {
    input: 'a\x01\x01bq',
    encoding: 'latin1',
  });
  assert.equal(pass.stdout, 'a\x01bq', 'C-a C-a sends one C-a');
  assert.equal(pass.status, 0);
  assert.match(pass.stderr, /cxlemu: pass;/);
});

test('on a real terminal (a pty from script(1)): raw mode, so Ctrl-C reaches the guest and nothing is echoed twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-console-pty-'));
  const bin = join(dir, 'echo.bin');
  writeFileSync(bin, Buffer.from(ECHO, 'hex'));
  // script gives the CLI a pseudo-terminal as stdin/stdout/stderr and passes our bytes through it.
  const cmd = `${process.execPath} ${cli} run --kernel ${bin} --timeout 30`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let sentCtrlC = false;
  let quit = false;
  child.stdout.setEncoding('latin1').on('data', (d: string) => {
    out += d;
    // A cooked terminal would echo "hi" itself and turn Ctrl-C into SIGINT; in raw mode the guest
    // alone echoes, and Ctrl-C arrives as the byte 0x03.
    if (!sentCtrlC && out.includes('hi')) {
      sentCtrlC = true;
      child.stdin.write('\x03');
    } else if (sentCtrlC && !quit && out.includes('\x03')) {
      quit = true;
      child.stdin.write('\x01x');
    }
  });
  child.stderr.resume();
  // Give the CLI time to put the terminal in raw mode before typing.
  setTimeout(() => child.stdin.write('hi'), 1500);
  const status = await new Promise<number | null>((r) => child.on('close', r));
  const guest = out.replace(/cxlemu: [^\n]*\n?/g, '').replace(/\r/g, '');
  assert.equal(guest.split('hi').length - 1, 1, `"hi" echoed once (by the guest): ${JSON.stringify(out)}`);
  assert.ok(guest.includes('\x03'), `Ctrl-C reached the guest: ${JSON.stringify(out)}`);
  assert.match(out, /cxlemu: quit: terminated by the user \(Ctrl-A X\)/);
  assert.equal(status, 0, out);
});
