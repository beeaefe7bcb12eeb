// SIGINT, SIGTERM and SIGHUP stop `cxlemu run` cleanly: the guest ends at its next slice, the
// file-backed memory it wrote is written back before exit, and the exit status is 128 + the
// signal's number (issue: nothing lost, nothing hangs). The guest (assembled here) stores a marker
// into a persistent region backed by a file, prints "w" on the UART, and spins forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { a, li, reg } from '../cpu/asm.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(repo, 'dist', 'src', 'cli', 'main.js');
const MARKER = 0x1122_3344_5566_7788n;

function guest(): Uint8Array {
  const words = [
    ...li(reg.t0, 0x1_0000_0000n), // the region's first byte
    ...li(reg.t1, MARKER),
    a.sd(reg.t1, reg.t0, 0),
    ...li(reg.t2, 0x1000_0000n), // UART THR
    a.addi(reg.t3, reg.zero, 0x77), // 'w'
    a.sb(reg.t3, reg.t2, 0),
    a.jal(reg.zero, 0), // spin
  ];
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}

function machine(dir: string): string {
  const file = join(dir, 'pmem0.img');
  const m = {
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 16,
          rootPorts: [
            {
              id: 'rp0',
              port: 0,
              child: { kind: 'type3', id: 'pm0', persistent: { size: '256M', file: { path: file } } },
            },
          ],
        },
      ],
      windows: [{ id: 'W', base: '0x1_0000_0000', size: '1G', targets: ['hb0'] }],
    },
    state: { regions: [{ name: 'P', window: 'W', granularity: 256, size: '256M', memdevs: ['pm0'], mode: 'pmem' }] },
  };
  const path = join(dir, 'm.json');
  writeFileSync(path, JSON.stringify(m));
  return path;
}

/**
 * Runs the guest on a fresh file-backed machine until it has stored its marker, then calls
 * `stop` on the process; resolves to the exit status, stderr and the file's first word.
 */
async function runUntilWritten(
  stop: (child: ChildProcess) => void,
  stdin: 'ignore' | 'pipe',
): Promise<{ status: number | null; err: string; word: bigint }> {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-signal-'));
  try {
    const kernel = join(dir, 'guest.bin');
    writeFileSync(kernel, guest());
    const child = spawn(process.execPath, [cli, '--machine', machine(dir), 'run', '--kernel', kernel], {
      stdio: [stdin, 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    const done = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    await new Promise<void>((res) =>
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('w')) res();
      }),
    );
    stop(child);
    const status = await done;
    return { status, err, word: readFileSync(join(dir, 'pmem0.img')).readBigUInt64LE(0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [sig, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
  ['SIGHUP', 129],
] as const) {
  test(`${sig} during a run writes file-backed memory back and exits ${code}`, async () => {
    const r = await runUntilWritten((child) => child.kill(sig), 'ignore');
    assert.equal(r.status, code, r.err);
    assert.match(r.err, new RegExp(`cxlemu: ${sig}: stopping`));
    assert.match(r.err, new RegExp(`cxlemu: stopped by ${sig}; file-backed memory was written back`));
    assert.equal(r.word, MARKER, "the guest's store reached the file");
  });
}

test('Ctrl-A X on the console ends the run and writes file-backed memory back too', async () => {
  const r = await runUntilWritten((child) => child.stdin!.write('\x01x'), 'pipe');
  assert.equal(r.status, 0, r.err);
  assert.equal(r.word, MARKER);
});
