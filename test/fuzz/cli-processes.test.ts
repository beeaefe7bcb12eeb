// Whole-process fuzz of the CLI: random command lines (commands, options, values, files) run as
// separate `cxlemu` processes. Each must exit 0, 1 or 2 (never 70, never a signal), print no
// internal error or stack trace, and finish within its time limit. FUZZ_PROCESSES sets the count
// (CI: 30; `npm run fuzz:long`: 10^4); FUZZ_SEED replays one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../helpers/prng.js';
import { GUEST_BIN, REPO } from '../diff/harness.js';

const COUNT = Number(process.env.FUZZ_PROCESSES ?? 30);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');

test(`fuzz: ${COUNT} random command lines as whole processes exit 0/1/2 with a message, never 70 (seed ${SEED})`, () => {
  const r = new Prng(SEED + 17);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fuzz-proc-'));
  writeFileSync(join(dir, 'bad.yaml'), 'cxl: {hostBridges: [{id: hb0, busNr: 999}]}\n');
  writeFileSync(join(dir, 'empty.json'), '');
  const atoms = [
    ['list'],
    ['list', '-vv', '--json'],
    ['describe'],
    ['translate', '0x100000000'],
    ['translate', 'mem1', '0x1000'],
    ['translate', 'nonsense'],
    ['audit', '--samples', '50'],
    ['audit', '--pattern', '3'],
    ['audit', '--full', '--region', 'R1'],
    ['mailbox', 'mem0', '4000'],
    ['mailbox', 'mem0', '4300', '00'],
    ['tables', '--out', join(dir, 't')],
    ['tables', '--out', '/proc/nope'],
    ['region', 'destroy', 'R1', '--save', join(dir, 'a.json')],
    ['region', 'create', '-w', 'W1', '-m', 'mem0', 'mem2', '-s', '256M'],
    ['run', '--kernel', join(GUEST_BIN, 'hello.elf'), '--max-instructions', '5000'],
    ['run', '--kernel', join(GUEST_BIN, 'hello.elf'), '--timeout', '0'],
    ['run', '--kernel', '/dev/zero'],
    ['--machine', join(dir, 'bad.yaml')],
    ['--machine', join(dir, 'empty.json')],
    ['--machine', join(dir, 'a.json')],
    ['--qemu', '-M virt,cxl=on -m 1G -smp 9'],
    ['--json'],
    ['--frobnicate'],
    ['-v'],
    ['help'],
  ];
  try {
    for (let i = 0; i < COUNT; i++) {
      const n = 1 + (r.u32() % 3);
      const argv = Array.from({ length: n }, () => atoms[r.u32() % atoms.length]!).flat();
      const p = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', timeout: 60_000 });
      const what = `cxlemu ${argv.join(' ')}`;
      assert.equal(p.signal, null, `${what}: killed by ${p.signal} (hang?)`);
      assert.ok([0, 1, 2].includes(p.status!), `${what}: exit ${p.status}: ${p.stderr}`);
      assert.doesNotMatch(p.stderr, /internal error|\n\s+at .*\.js:\d+/, what);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
