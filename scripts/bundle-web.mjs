// Bundles the dashboard's front end (web/main.ts and what it imports: xterm.js, uPlot, their CSS)
// into dist/web/dashboard.js and dashboard.css with esbuild, so `cxlemu serve` needs no CDN and no
// network: the page works offline. Run by `npm run build` after the type check (tsc -p web).
import { resolve } from 'node:path';
import { build } from 'esbuild';

const repo = resolve(new URL('..', import.meta.url).pathname);
await build({
  entryPoints: { dashboard: resolve(repo, 'web', 'main.ts') },
  outdir: resolve(repo, 'dist', 'web'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
