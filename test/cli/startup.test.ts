// Start-up structure of the cxlemu command (docs/development.md "Start-up"), never its timing: the
// modules a process loads before any action runs (commander and the option parsers only), what
// list and translate load (never the CPU), and the bin (package.json's: dist/bin/cxlemu, node
// started from a V8 snapshot) and the bundle (dist/bin/cxlemu.js) printing exactly what main()
// prints in-process. Oracles: the compiled import graph under dist/src, main().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const distSrc = join(repo, 'dist', 'src');
const bin = join(
  repo,
  (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: { cxlemu: string } }).bin.cxlemu,
);
const bundle = join(repo, 'dist', 'bin', 'cxlemu.js');
/** Run the package's bin as a user's shell does, or the bundle through node. */
const spawnCli = (which: string, argv: string[]) =>
  which === bin
    ? spawnSync(bin, argv, { encoding: 'utf8' })
    : spawnSync(process.execPath, [which, ...argv], { encoding: 'utf8' });

/** Static imports of compiled JS (what Node loads before the importer runs); `import()` is left out. */
const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;

/** Every module and package loaded with `entry`: paths relative to dist/src, packages by name. */
function staticClosure(...entries: string[]): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((e) => join(distSrc, e));
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) queue.push(resolve(dirname(f), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.split('/')[0]!);
    }
  }
  return { modules: [...seen].map((f) => relative(distSrc, f)).sort(), packages: [...packages].sort() };
}

test('before an action runs, the command loads commander and the option parsers only', () => {
  const { modules, packages } = staticClosure('cli/main.js');
  assert.deepEqual(packages, ['commander']);
  const heavy = modules.filter((m) =>
    /^(cpu|cxl|firmware|boot|debug)\/|^machine\/(build|description|load|run|board|qemu-parser|index)\.js$/.test(m),
  );
  assert.deepEqual(heavy, [], 'modules the command modules must leave to the actions');
});

test('list and translate load the machine builder, never the CPU, the board or YAML', () => {
  // list's action imports cli/load.js; translate's also machine/report.js.
  const { modules, packages } = staticClosure('cli/load.js', 'machine/report.js');
  assert.ok(modules.includes('machine/build.js'));
  assert.deepEqual(
    modules.filter((m) => /^(cpu|boot|debug)\/|^machine\/(run|board)\.js$/.test(m)),
    [],
  );
  assert.deepEqual(packages, ['zod']);
});

async function inProcess(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}

test('the bin and the bundle print exactly what main() prints', async () => {
  assert.ok(existsSync(bin), `${bin}: npm run build bundles the CLI`);
  const blobs = readdirSync(dirname(bin)).filter((f) => f.endsWith('.blob'));
  assert.equal(blobs.length, 1, 'npm run build writes one start-up snapshot beside the bin');
  const cases: string[][] = [
    ['list', '-vv'],
    ['translate', '0x100001234', '0x1'],
    ['--json', 'translate', '--dpa', 'mem2', '0x100'],
    ['describe', '--yaml'],
    ['tables'],
    ['mailbox', 'mem0', 'identify-memory-device'],
    ['--help'],
    ['list', '--bogus'],
    ['region', 'create', '-w', 'W9', '-m', 'mem0', '-s', '512M'],
  ];
  for (const argv of cases) {
    const want = await inProcess(argv);
    for (const which of [bin, bundle]) {
      const got = spawnCli(which, argv);
      assert.deepEqual({ status: got.status, out: got.stdout, err: got.stderr }, want, `${which} ${argv.join(' ')}`);
    }
  }
});

test('the bin runs a guest and finds the bundled demo, from any directory', () => {
  const hello = spawnSync(bin, ['run', '--kernel', join(repo, 'guests', 'bin', 'hello.elf')], {
    encoding: 'utf8',
    cwd: '/',
  });
  assert.equal(hello.status, 0, hello.stderr);
  assert.match(hello.stdout, /^Hello from cxlemu guest! hart 0/);
  assert.match(hello.stderr, /^cxlemu: pass; 928 instructions in /);
  // The demo ELF is found from the bundle's folder (dist/bin/), not only from dist/src/machine/.
  const demo = spawnSync(bin, ['run', '--samples', '100'], { encoding: 'utf8', cwd: '/' });
  assert.equal(demo.status, 0, demo.stderr);
  assert.match(demo.stdout, /^bench: iterations=60 checksum=0x[0-9a-f]+ ok\nmachine built: 4 memdevs/);
});

test('the unbundled entry (dist/src/cli/main.js) is the same command', () => {
  const unbundled = spawnSync(process.execPath, [join(distSrc, 'cli', 'main.js'), 'translate', '0x100001234'], {
    encoding: 'utf8',
  });
  const bundled = spawnCli(bin, ['translate', '0x100001234']);
  assert.equal(unbundled.status, 0, unbundled.stderr);
  assert.deepEqual(unbundled.stdout, bundled.stdout);
});

test('the bin reads the environment when a command runs, not when its snapshot was built', () => {
  const elf = join(repo, 'guests', 'bin', 'hello.elf');
  const jit = spawnSync(bin, ['run', '--kernel', elf], { encoding: 'utf8' });
  const off = spawnSync(bin, ['run', '--kernel', elf], { encoding: 'utf8', env: { ...process.env, CXLEMU_JIT: '0' } });
  assert.match(jit.stderr, /hart 0: [0-9.]+% in translated code/);
  assert.equal(off.status, 0, off.stderr);
  assert.doesNotMatch(off.stderr, /translated code/, 'CXLEMU_JIT=0 turned the JIT off');
});
