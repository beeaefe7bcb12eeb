// Start-up structure of the cxlemu command (docs/development.md "Start-up"), never its timing: the
// modules a process loads before any action runs (commander and the option parsers only), what
// list and translate load (never the CPU), and the bundled bin (package.json's, dist/bin/) printing
// exactly what main() prints in-process. Oracles: the compiled import graph under dist/src, main().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

test('the bundled bin prints exactly what main() prints', async () => {
  assert.ok(existsSync(bin), `${bin}: npm run build bundles the CLI`);
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
    const got = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
    assert.deepEqual({ status: got.status, out: got.stdout, err: got.stderr }, want, argv.join(' '));
  }
});

test('the bundled bin runs a guest and finds the bundled demo', () => {
  const hello = spawnSync(process.execPath, [bin, 'run', '--kernel', join(repo, 'guests', 'bin', 'hello.elf')], {
    encoding: 'utf8',
  });
  assert.equal(hello.status, 0, hello.stderr);
  assert.match(hello.stdout, /^Hello from cxlemu guest! hart 0/);
  assert.match(hello.stderr, /^cxlemu: pass; 928 instructions in /);
  // The demo ELF is found from the bundle's folder (dist/bin/), not only from dist/src/machine/.
  const demo = spawnSync(process.execPath, [bin, 'run', '--samples', '100'], { encoding: 'utf8' });
  assert.equal(demo.status, 0, demo.stderr);
  assert.match(demo.stdout, /^bench: iterations=60 checksum=0x[0-9a-f]+ ok\nmachine built: 4 memdevs/);
});

test('the unbundled entry (dist/src/cli/main.js) is the same command', () => {
  const unbundled = spawnSync(process.execPath, [join(distSrc, 'cli', 'main.js'), 'translate', '0x100001234'], {
    encoding: 'utf8',
  });
  const bundled = spawnSync(process.execPath, [bin, 'translate', '0x100001234'], { encoding: 'utf8' });
  assert.equal(unbundled.status, 0, unbundled.stderr);
  assert.deepEqual(unbundled.stdout, bundled.stdout);
});
