// The cxlemu command: golden `list` output (cxl list shape) and `describe` of the default machine,
// the issue 3 flow (QEMU 7.2 form -> region create --save -> --machine translate) reproducing the
// QEMU 7.2 placement rule (SPEC-NOTES 1.6a) at 4 KiB, window placement after RAM with -m 4G, exit
// statuses and error messages without stack traces. Oracles: test/golden/cli/*, SPEC-NOTES 1.6a.
// Most cases call main() in-process (fast); a few spawn the real bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
// The bundle npm run build writes to dist/bin/ (the package's bin, dist/bin/cxlemu, runs the same
// code from a start-up snapshot: test/cli/startup.test.ts).
const bin = join(repo, 'dist', 'bin', 'cxlemu.js');
const goldenDir = join(repo, 'test', 'golden', 'cli');
const update = process.env.UPDATE_GOLDEN === '1';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}
function golden(name: string, text: string): void {
  const p = join(goldenDir, name);
  if (update || !existsSync(p)) writeFileSync(p, text);
  assert.equal(text, readFileSync(p, 'utf8'), `golden ${name}`);
}

test('list, list -v, list -vv of the default machine (golden)', async () => {
  for (const [args, file] of [
    [[], 'list-default.json'],
    [['-v'], 'list-v.json'],
    [['-vv'], 'list-vv.json'],
  ] as const) {
    const r = await run('list', ...args);
    assert.equal(r.status, 0, r.err);
    golden(file, r.out);
    const j = JSON.parse(r.out);
    assert.equal(j.memdevs.length, 4);
    assert.deepEqual(
      j.regions.map((x: { region: string }) => x.region),
      ['R0', 'R1'],
    );
  }
});

test('list -v of the issue 3 QEMU 8+ volatile machine with a 2-way region (golden)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-cli-'));
  try {
    const f = join(repo, 'test', 'golden', 'qemu', 'issue3-qemu8-volatile.qemu');
    const saved = join(dir, 'm.json');
    const c = await run(
      '--qemu-file',
      f,
      'region',
      'create',
      '-w',
      'cxl-fmw.0',
      '-m',
      'cxl-vmem1',
      'cxl-vmem0',
      '-s',
      '512M',
      '-g',
      '8k',
      '--save',
      saved,
    );
    assert.equal(c.status, 0, c.err);
    const l = await run('--machine', saved, 'list', '-v');
    assert.equal(l.status, 0, l.err);
    golden('list-v-qemu8-volatile-2way.json', l.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describe of the default machine (golden, JSON and YAML)', async () => {
  const j = await run('describe');
  assert.equal(j.status, 0);
  golden('describe-default.json', j.out);
  const y = await run('describe', '--yaml');
  golden('describe-default.yaml', y.out);
});

test('translate and translate --dpa on the default machine', async () => {
  const t = await run('--json', 'translate', '0x1_0000_1234');
  assert.equal(t.status, 0, t.err);
  const j = JSON.parse(t.out);
  assert.deepEqual([j.memdev, j.dpa, j.position, j.region], ['mem1', '0x434', 2, 'R0']);
  const d = await run('translate', '--dpa', 'mem2', '0x100');
  assert.equal(d.status, 0);
  assert.match(d.out, /mem2 \(id mem2\) DPA 0x100 <- HPA 0x100000500 \(window W0, region R0, position 1\)/);
  const miss = await run('translate', '0x1_8000_0000');
  assert.equal(miss.status, 1);
});

test('region destroy, create and --save round trip; audit reports bytes per device', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-cli-'));
  try {
    const m1 = join(dir, 'm1.yaml');
    assert.equal((await run('region', 'destroy', 'R1', '--save', m1)).status, 0);
    const c = await run(
      '--machine',
      m1,
      'region',
      'create',
      '-w',
      'W1',
      '-m',
      'mem2',
      'mem0',
      '-s',
      '512M',
      '-n',
      'big',
      '--save',
      join(dir, 'm2.json'),
    );
    assert.equal(c.status, 0, c.err);
    assert.match(c.out, /region big: 0x200000000\.\.0x21fffffff \(512 MiB\) in window W1, 2-way, 256 B, ram/);
    const a = await run('--machine', join(dir, 'm2.json'), 'audit', '--region', 'big', '--samples', '1000');
    assert.equal(a.status, 0, a.err);
    assert.match(a.out, /big: 2-way 256 B, sampled, .* ok\n {2}bytes per device: mem0 \d+, mem2 \d+/);
    // The read-only pattern audit of a machine no guest ran on: nothing found, nothing written.
    const p = await run('--machine', join(dir, 'm2.json'), 'audit', '--region', 'big', '--pattern', '0x5');
    assert.equal(p.status, 0, p.err);
    assert.match(
      p.out,
      /big: 2-way 256 B, pattern, 67108864 words \(512 MiB\) .* ok\n {2}guest pattern seed 0x5: 0 whole pages in place \(none\), 0 partial, 0 words misplaced/,
    );
    const bad = await run('--machine', join(dir, 'm2.json'), 'region', 'destroy', 'R0');
    assert.equal(bad.status, 1);
    assert.match(bad.err, /cannot destroy region R0: .*\[destroy-order\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a machine with more memory than one arena holds warns when loaded, naming the bound and what to reduce', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-cli-'));
  try {
    const f = join(dir, 'big.json');
    writeFileSync(
      f,
      JSON.stringify({
        ram: { size: '2G' },
        cxl: {
          hostBridges: [
            {
              id: 'hb0',
              busNr: 16,
              rootPorts: [{ id: 'rp0', port: 0, child: { kind: 'type3', id: 'a', volatile: { size: '4G' } } }],
            },
          ],
        },
      }),
    );
    const r = await run('--machine', f, 'list');
    assert.equal(r.status, 0, r.err);
    assert.match(
      r.err,
      /warning: this machine has 6 GiB of memory \(RAM and devices\); at most 4 GiB of it can be touched in one run .*reduce ram\.size \(-m\) or the device sizes/,
    );
    assert.doesNotMatch((await run('list')).err, /warning/, 'the default machine (2.5 GiB) does not warn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--qemu-file: a pasted command line with continuations and comments; ignored options on stderr', async () => {
  const f = join(repo, 'test', 'golden', 'qemu', 'full-boot-line.qemu');
  const r = await run('--qemu-file', f, 'describe');
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, readFileSync(join(repo, 'test', 'golden', 'qemu', 'full-boot-line.json'), 'utf8'));
  assert.match(r.err, /^cxlemu: warning: ignored: -enable-kvm \(no meaning in cxlemu\)$/m);
  assert.match(r.err, /^cxlemu: warning: ignored: -device virtio-net-pci/m);
  // Building opens the backing files: a missing directory is an input error naming the file.
  const l = await run('--qemu-file', f, 'list');
  assert.equal(l.status, 1, l.err);
  assert.match(l.err, /\/var\/lib\/cxl\/pmem0\.raw/);
  assert.doesNotMatch(l.err, /internal error/);
});

test('locked firmware regions refuse destroy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-cli-'));
  try {
    const r = await run('describe');
    const doc = JSON.parse(r.out);
    for (const x of doc.state.regions) x.locked = true;
    writeFileSync(join(dir, 'locked.json'), JSON.stringify(doc));
    const d = await run('--machine', join(dir, 'locked.json'), 'region', 'destroy', 'R1');
    assert.equal(d.status, 1);
    assert.match(d.err, /region R1 is locked/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors: exit status and a message naming the field, never a stack trace', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--qemu', '-M q35,cxl=on -m 4Q', 'list'], 1, /-m 4Q: size: "4Q"/],
    [['--qemu', '-frob', 'list'], 1, /-frob/],
    [['--machine', '/nonexistent/m.json', 'list'], 1, /--machine: "\/nonexistent\/m.json": a readable file/],
    [['--machine', 'a.json', '--qemu', '-m 1G', 'list'], 1, /at most one of --machine, --qemu, --qemu-file/],
    [['translate', 'xyz'], 1, /HPA: "xyz"/],
    [['region', 'create', '-w', 'W0', '-m', 'mem0', '-s', '1G'], 1, /cannot create region/],
    [['region', 'create', '-w', 'W0', '-s', '1G'], 2, /required option '-m, --memdevs/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['list', '--bogus'], 2, /unknown option '--bogus'/],
    [['run', '--kernel', '/nonexistent.elf'], 1, /--kernel: "\/nonexistent.elf"/],
  ];
  for (const [argv, status, re] of cases) {
    const r = await run(...argv);
    assert.equal(r.status, status, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re, argv.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at .*\(/, 'no stack trace');
  }
});

const Q72 = (dir: string, ram: string) =>
  `-M q35,cxl=on -m ${ram} ` +
  `-object memory-backend-file,id=cxl-mem0,share=on,mem-path=${dir}/cxltest0.raw,size=256M ` +
  `-object memory-backend-file,id=cxl-mem1,share=on,mem-path=${dir}/cxltest1.raw,size=256M ` +
  `-object memory-backend-file,id=cxl-lsa0,share=on,mem-path=${dir}/lsa0.raw,size=256M ` +
  `-object memory-backend-file,id=cxl-lsa1,share=on,mem-path=${dir}/lsa1.raw,size=256M ` +
  `-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 ` +
  `-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2 ` +
  `-device cxl-rp,port=1,bus=cxl.1,id=root_port14,chassis=0,slot=3 ` +
  `-device cxl-type3,bus=root_port13,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0 ` +
  `-device cxl-type3,bus=root_port14,memdev=cxl-mem1,lsa=cxl-lsa1,id=cxl-pmem1 ` +
  `-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=4k`;

test('bin: QEMU 7.2 form -> region create --save -> --machine translate reproduces SPEC-NOTES 1.6a at 4 KiB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-q72-'));
  try {
    const saved = join(dir, 'm.json');
    const c = spawnSync(
      process.execPath,
      [
        bin,
        '--qemu',
        Q72(dir, '2G'),
        'region',
        'create',
        '-w',
        'cxl-fmw.0',
        '-m',
        'cxl-pmem0,cxl-pmem1',
        '-s',
        '512M',
        '-g',
        '4k',
        '--save',
        saved,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(c.status, 0, c.stderr);
    const base = 0x1_0000_0000; // -m 2G: RAM ends at 4 GiB
    // SPEC-NOTES 1.6a samples, relative to the region base (QEMU 7.2 placed it at 0x1_1000_0000).
    const samples: [number, string, number][] = [
      [0x0020_0000, 'cxl-pmem0', 0x10_0000],
      [0x0020_1000, 'cxl-pmem1', 0x10_0000],
      [0x0020_2000, 'cxl-pmem0', 0x10_1000],
      [0x1fff_f000, 'cxl-pmem1', 0xfff_f000],
      [0x1fff_fff8, 'cxl-pmem1', 0xfff_fff8],
    ];
    // One process translates every sample (several addresses: a JSON array in argument order).
    const t = spawnSync(
      process.execPath,
      [bin, '--machine', saved, '--json', 'translate', ...samples.map(([off]) => `0x${(base + off).toString(16)}`)],
      { encoding: 'utf8' },
    );
    assert.equal(t.status, 0, t.stderr);
    const results = JSON.parse(t.stdout) as { memdev: string; dpa: string; position: number; partition: string }[];
    samples.forEach(([off, dev, dpa], i) => {
      const j = results[i]!;
      const name = { 'cxl-pmem0': 'mem0', 'cxl-pmem1': 'mem1' }[dev];
      assert.equal(j.memdev, name, `off 0x${off.toString(16)}`);
      assert.equal(j.dpa, `0x${dpa.toString(16)}`, `off 0x${off.toString(16)}`);
      assert.equal(j.position, Math.floor(off / 4096) % 2);
      assert.equal(j.partition, 'persistent');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin: with -m 4G the window is placed after RAM; errors exit non-zero without a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-q72-'));
  try {
    const d = spawnSync(process.execPath, [bin, '--qemu', Q72(dir, '4G'), 'describe'], { encoding: 'utf8' });
    assert.equal(d.status, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).cxl.windows[0].base, '0x180000000');
    const e = spawnSync(
      process.execPath,
      [bin, '--qemu', Q72(dir, '4G').replace('granularity=4k', 'granularity=5k'), 'list'],
      { encoding: 'utf8' },
    );
    assert.equal(e.status, 1);
    assert.match(e.stderr, /cxl-fmw.0.*cxl\.windows\[0\]\.granularity: 5120 \(0x1400\): one of 256, 512/);
    assert.doesNotMatch(e.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run: the audit workload without --kernel', async () => {
  const r = await run('run', '--samples', '100');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /^machine built: 4 memdevs, 2 windows, 2 regions\n/);
  assert.match(r.out, /audit: every checked word is where the spec says/);
});

test('bin: run --kernel hands the machine to the board; hello-cxl runs from R0 in CXL memory', () => {
  const elf = join(repo, 'guests', 'bin', 'hello-cxl.elf');
  if (!existsSync(elf)) return;
  const r = spawnSync(process.execPath, [bin, 'run', '--kernel', elf, '--max-instructions', '10000000'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /running at 0x0000000100/);
});

test('a bug (an unexpected exception) exits 70 with a message and no stack trace', async () => {
  let err = '';
  const status = await main(['list'], {
    out: () => {
      throw new TypeError('simulated bug');
    },
    err: (s) => (err += s),
    progress: false,
  });
  assert.equal(status, 70);
  assert.match(err, /internal error \(a bug in cxlemu.*TypeError: simulated bug/);
  assert.doesNotMatch(err, /\n\s+at /);
});

test('run --stats prints each hart JIT counters; --json carries them per hart', async () => {
  const elf = join(repo, 'guests', 'bin', 'bench-small.elf');
  let err = '';
  const quiet = { out: () => {}, err: (s: string) => (err += s), progress: false };
  assert.equal(await main(['run', '--kernel', elf, '--stats'], quiet), 0, err);
  let out = '';
  const status = await main(['run', '--kernel', elf, '--json'], { ...quiet, out: (s) => (out += s) });
  assert.equal(status, 0, err);
  const hart = (JSON.parse(out.slice(out.indexOf('{\n'))) as { harts: { instret: number; jit?: JitCounters }[] })
    .harts[0]!;
  if (process.env['CXLEMU_JIT'] === '0') {
    assert.doesNotMatch(err, /jit hart/);
    assert.equal(hart.jit, undefined);
    return;
  }
  const m =
    /jit hart 0: (\d+) blocks in (\d+) modules \(\d+ ms compiling\); exits: chain \d+, budget \d+, slow \d+, indirect \d+;/.exec(
      err,
    );
  assert.ok(m, err);
  assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0 && Number(m[2]) <= Number(m[1]));
  // The same run, the same counters: its translated instructions are some, not more than retired.
  assert.equal(hart.jit!.blocksCompiled, Number(m[1]));
  assert.ok(hart.jit!.instructions > 0 && hart.jit!.instructions <= hart.instret);
});

interface JitCounters {
  blocksCompiled: number;
  instructions: number;
}
