// Bad input that used to end in an internal error (exit 70) or be silently accepted (issue 15):
// each is now exit 1 with a message naming what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST_BIN, REPO } from '../diff/harness.js';

const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'cxlemu-bad-input-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('--timeout 0, negative or not a number is refused by name (was exit 70)', () => {
  for (const v of ['0', '-3', 'soon']) {
    const r = run('run', '--kernel', join(GUEST_BIN, 'hello.elf'), '--timeout', v);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--timeout.*a positive number of seconds/);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
  const ok = run('run', '--kernel', join(GUEST_BIN, 'hello.elf'), '--timeout', '0.5');
  assert.equal(ok.status, 0, ok.stderr);
});

test('an empty YAML file or a null JSON description is an error, not an empty machine', () => {
  for (const [name, text] of [
    ['empty.yaml', ''],
    ['null.json', 'null'],
    ['comment.yaml', '# nothing here\n'],
  ] as const) {
    const f = join(dir, name);
    writeFileSync(f, text);
    const r = run('--machine', f, 'describe');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`machine description .*${name.replace('.', '\\.')} is empty`));
  }
  const braces = join(dir, 'defaults.json');
  writeFileSync(braces, '{}');
  assert.equal(run('--machine', braces, 'describe').status, 0);
});

test('special or unwritable paths are refused by name, never a hang or exit 70', () => {
  const hello = join(GUEST_BIN, 'hello.elf');
  const cases: [string[], RegExp][] = [
    [['run', '--kernel', '/dev/zero'], /--kernel: "\/dev\/zero": a regular file/],
    [['tables', '--out', '/proc/cxlemu-no-such-dir'], /--out: "\/proc\/cxlemu-no-such-dir": a writable directory/],
    [['run', '--kernel', hello, '--uart-out', dir], /--uart-out: .*a writable file for the UART output \(EISDIR/],
    [['run', '--kernel', hello, '--trace', dir], /--trace: .*a writable file for the trace \(EISDIR/],
    [['audit', '--samples', '99999999999'], /--samples: "99999999999": at most 10000000/],
    [['audit', '--pattern', 'seven'], /--pattern: "seven": an unsigned 64-bit integer/],
    [['audit', '--pattern', '0x1_0000_0000_0000_0000'], /--pattern: .*an unsigned 64-bit integer/],
    [['audit', '--pattern', '7', '--full'], /--pattern: "0x7": without --full, --samples or --seed/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});

test('-m too small for the device tree and ACPI tables is exit 1 naming -m (was 70)', () => {
  const r = run('--qemu', '-M virt -m 1M', 'run', '--kernel', join(GUEST_BIN, 'hello.elf'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /RAM too small: -m: "1048576 bytes": .*-m too small/);
});

test('run with no region for the demo says so and fails, instead of exit 0 having done nothing', () => {
  const r = run('--qemu', '-M virt -m 1G', 'run');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /cxlemu: no demo: the demo runs out of a region of at least 64 MiB/);
  const audit = run('--qemu', '-M virt -m 1G', 'run', '--audit-only');
  assert.equal(audit.status, 0, audit.stderr);
});

test('a topology that runs out of bus numbers, and performance numbers out of range, are exit 1 (were 70)', () => {
  const d = JSON.parse(run('describe').stdout) as {
    state?: unknown;
    cxl: {
      hostBridges: {
        busNr: number;
        rootPorts: { child: { downstreamPorts: { child: { perf: Record<string, number> } }[] } }[];
      }[];
    };
  };
  delete d.state;
  const buses = structuredClone(d);
  buses.cxl.hostBridges[0]!.busNr = 255;
  const busFile = join(dir, 'buses.json');
  writeFileSync(busFile, JSON.stringify(buses));
  let r = run('--machine', busFile, 'list');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /host bridge hb0: ran out of bus numbers at rp0: it owns buses 255\.\.255/);
  const perf = structuredClone(d);
  perf.cxl.hostBridges[0]!.rootPorts[0]!.child.downstreamPorts[0]!.child.perf['readLatencyNs'] = 1e300;
  const perfFile = join(dir, 'perf.json');
  writeFileSync(perfFile, JSON.stringify(perf));
  r = run('--machine', perfFile, 'list');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /perf\.readLatencyNs: 1e\+300 .*<= 1000000000/);
});

test('a region name a saved description could not hold is refused at create time', () => {
  const saved = join(dir, 'no-r1.json');
  assert.equal(run('region', 'destroy', 'R1', '--save', saved).status, 0);
  const r = run('--machine', saved, 'region', 'create', '-w', 'W1', '-m', 'mem0', 'mem2', '-s', '512M', '-n', 'a b');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /cannot create region: region name: "a b": letters, digits and _ \. - : only/);
});

test('--save writes through a symlink, keeps the mode, refuses special and read-only files, leaves no temp file', () => {
  const d = mkdtempSync(join(tmpdir(), 'cxlemu-save-'));
  const real = join(d, 'real.json');
  const link = join(d, 'link.json');
  assert.equal(run('describe', '--save', real).status, 0);
  symlinkSync(real, link);
  chmodSync(real, 0o640);
  let r = run('region', 'destroy', 'R1', '--save', link);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
  assert.equal(statSync(real).mode & 0o777, 0o640, 'the mode is kept');
  assert.doesNotMatch(readFileSync(real, 'utf8'), /"R1"/, 'the target holds the new state');
  chmodSync(real, 0o444);
  r = run('describe', '--save', real);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--save: .*is read-only/);
  r = run('describe', '--save', '/dev/null');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--save: "\/dev\/null": a regular file/);
  r = run('describe', '--save', join(d, 'missing-dir', 'x.json'));
  assert.equal(r.status, 1);
  assert.deepEqual(
    readdirSync(d).filter((f) => f.includes('.tmp-')),
    [],
    'no temporary file left behind',
  );
});

test('oversized descriptions fail fast by name: deep nesting (was a stack overflow, exit 70), too many windows (10^5 took minutes), too many ports', () => {
  // 3,000 switch levels, written as text (JSON.stringify itself would overflow).
  let child = '{"kind":"type3","id":"m","volatile":{"size":"256M"}}';
  for (let i = 0; i < 3000; i++)
    child = `{"kind":"switch","id":"s${i}","downstreamPorts":[{"id":"d${i}","port":0,"child":${child}}]}`;
  const deep = join(dir, 'deep.json');
  writeFileSync(
    deep,
    `{"cxl":{"hostBridges":[{"id":"hb0","busNr":1,"rootPorts":[{"id":"rp","port":0,"child":${child}}]}]}}`,
  );
  const hb = [{ id: 'hb0', busNr: 1, rootPorts: [{ id: 'rp', port: 0 }] }];
  const wins = join(dir, 'wins.json');
  writeFileSync(
    wins,
    JSON.stringify({
      cxl: { hostBridges: hb, windows: Array.from({ length: 20000 }, () => ({ size: '256M', targets: ['hb0'] })) },
    }),
  );
  const ports = join(dir, 'ports.json');
  writeFileSync(
    ports,
    JSON.stringify({
      cxl: {
        hostBridges: [
          { id: 'hb0', busNr: 1, rootPorts: Array.from({ length: 5000 }, (_, i) => ({ id: `rp${i}`, port: i % 256 })) },
        ],
      },
    }),
  );
  for (const [file, want] of [
    [
      deep,
      /machine description too large: cxl\.hostBridges\[0\]\.rootPorts\[0\]\.child\.downstreamPorts.*: at most 400 levels of nesting/,
    ],
    [wins, /machine description too large: cxl\.windows: 20000 .*at most 16384 windows/],
    [
      ports,
      /machine description too large: cxl\.hostBridges: "more than 4096": at most 4096 ports, switches and devices/,
    ],
  ] as const) {
    const r = run('--machine', file, 'list');
    assert.equal(r.status, 1, `${file}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});
