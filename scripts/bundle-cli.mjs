// Bundles the compiled CLI (dist/src/cli/main.js, tsc's output) into dist/bin/: cxlemu.js, the
// package's bin, plus one chunk per group of modules that commands load on demand (each action's
// `await import()`), so a command parses and runs only the code it uses. Start-up is dominated by
// loading modules one file at a time (docs/development.md "Start-up"); the bundle is what the
// `cxlemu` bin runs, and dist/src/cli/main.js stays a working, unbundled entry. Run by `npm run build`.
import { rmSync } from 'node:fs';
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
