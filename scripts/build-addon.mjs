// Builds the optional mbind(2) addon (native/, docs/host-cxl.md) with node-gyp: `npm run addon`.
// Never part of `npm install` or `npm run build`: cxlemu works without it and says what it did not
// do. Uses a node-gyp on PATH, else the one npm bundles; points node-gyp at the local Node headers
// when the installation has them (Debian's nodejs does), so no download is needed. Exit 0 when
// built; 1 with the reason (no compiler, no node-gyp, not Linux) otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(new URL('..', import.meta.url).pathname);
const native = join(repo, 'native');

function fail(why) {
  process.stderr.write(`addon: not built: ${why}\n`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`mbind(2) is Linux-only (this is ${process.platform})`);
const cc = process.env.CC ?? 'cc';
if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) fail(`no C compiler (${cc})`);

const prefix = dirname(dirname(process.execPath));
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' }).status === 0;
if (!onPath && !existsSync(bundled)) fail('no node-gyp (install it, or use the npm that ships with Node)');
const args = ['rebuild'];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = onPath
  ? spawnSync('node-gyp', args, { cwd: native, stdio: 'inherit' })
  : spawnSync(process.execPath, [bundled, ...args], { cwd: native, stdio: 'inherit' });
if (r.status !== 0) fail(`node-gyp exited with ${r.status}`);
process.stdout.write(`addon: built ${join(native, 'build', 'Release', 'cxlemu_mbind.node')}\n`);
