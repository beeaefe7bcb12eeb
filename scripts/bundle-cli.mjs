// Bundles the compiled CLI (dist/src/cli/main.js, tsc's output) into dist/bin/: cxlemu.js, the
// package's bin, plus one chunk per group of modules that commands load on demand (each action's
// `await import()`), so a command parses and runs only the code it uses. Start-up is dominated by
// loading modules one file at a time (docs/development.md "Start-up"); the bundle is what the
// `cxlemu` bin runs, and dist/src/cli/main.js stays a working, unbundled entry. Run by `npm run build`.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const repo = resolve(new URL('..', import.meta.url).pathname);
const outdir = resolve(repo, 'dist', 'bin');

rmSync(outdir, { recursive: true, force: true }); // chunk names carry content hashes: drop old ones
await build({
  entryPoints: { cxlemu: resolve(repo, 'dist', 'src', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages that are CommonJS (commander) call require() for Node's modules.
  banner: {
    js: "import { createRequire as __cxlemuRequire } from 'node:module';\nconst require = __cxlemuRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The start-up snapshot (docs/development.md "Start-up"): src/cli/snapshot.ts and everything it
// imports, as one CommonJS file (node --build-snapshot takes no ES modules), evaluated once by
// `node --build-snapshot` into dist/bin/cxlemu-<node>.blob; dist/bin/cxlemu, the package's bin,
// starts node from it. import.meta.url (the bundle's folder, where the guests and firmware are
// looked up) is read when the snapshot runs, from CXLEMU_BIN_DIR that the bin sets.
const snapshotEntry = resolve(outdir, 'cxlemu-snapshot.cjs');
await build({
  entryPoints: [resolve(repo, 'dist', 'src', 'cli', 'snapshot.js')],
  outfile: snapshotEntry,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': '__cxlemuMetaUrl' },
  banner: {
    js: [
      "const __cxlemuUrl = require('node:url'), __cxlemuPath = require('node:path');",
      "Object.defineProperty(globalThis, '__cxlemuMetaUrl', { get: () => __cxlemuUrl.pathToFileURL(__cxlemuPath.join(process.env.CXLEMU_BIN_DIR ?? __dirname, 'cxlemu.js')).href });",
    ].join('\n'),
  },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// The blob works only with the node that built it: its name carries that binary's size and mtime,
// which the bin compares with the node it finds (else it runs dist/bin/cxlemu.js).
const node = statSync(process.execPath);
const nodeId = `${node.size}-${Math.floor(node.mtimeMs / 1000)}`;
execFileSync(
  process.execPath,
  ['--snapshot-blob', resolve(outdir, `cxlemu-${nodeId}.blob`), '--build-snapshot', snapshotEntry],
  // Node notes on stderr that it has not verified some built-in modules in snapshots; they are
  // only loaded, not used, while the snapshot is built.
  { stdio: ['ignore', 'inherit', 'ignore'] },
);
const bin = resolve(outdir, 'cxlemu');
writeFileSync(
  bin,
  `#!/bin/sh
# cxlemu: node started from the V8 snapshot beside this script when it was built by this node
# (scripts/bundle-cli.mjs), else the bundle itself.
d=$(dirname "$(readlink -f "$0")")
# V8 compiles and collects in a pool of 4 background threads by default; on a machine with few
# cores they take turns with the emulating thread on its own core. One fewer than the cores
# (1..4) leaves that thread its core: a 2-core Linux boot ran 0.87-0.89x the wall time.
# cxlemu opens no TLS connection: node would otherwise read every certificate that
# NODE_EXTRA_CA_CERTS names before starting (30-40 ms with the whole system store).
unset NODE_EXTRA_CA_CERTS
n=$(nproc 2>/dev/null || echo 2)
pool=$((n > 5 ? 4 : (n > 1 ? n - 1 : 1)))
id=$(stat -L -c '%s-%Y' "$(command -v node)" 2>/dev/null)
if [ -n "$id" ] && [ -f "$d/cxlemu-$id.blob" ]; then
  CXLEMU_BIN_DIR=$d exec node --v8-pool-size=$pool --snapshot-blob "$d/cxlemu-$id.blob" -- "$@"
fi
exec node --v8-pool-size=$pool "$d/cxlemu.js" "$@"
`,
);
chmodSync(bin, 0o755);
