// The dashboard's page: a small HTML shell naming the bundled script and styles (built from web/ by
// scripts/bundle-web.mjs into dist/web/ at build time: no CDN, no network at run time), and those
// assets as served. The token goes into the asset URLs, since every request needs it.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ASSETS: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/** dist/web of this package: the nearest folder up with a package.json (bundled or not, the same place). */
function webDir(): string {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return join(root, 'dist', 'web');
}

const cache = new Map<string, Buffer>();

/** A built asset by file name, or null (unknown name). Throws when the build did not produce it. */
export function dashboardAsset(name: string): { type: string; body: Buffer } | null {
  const type = ASSETS[name];
  if (type === undefined) return null;
  let body = cache.get(name);
  if (!body) {
    const file = join(webDir(), name);
    if (!existsSync(file)) throw new Error(`the dashboard's ${name} is missing at ${file}: run npm run build`);
    body = readFileSync(file);
    cache.set(name, body);
  }
  return { type, body };
}

export function dashboardHtml(token: string): string {
  const t = encodeURIComponent(token);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cxlemu</title>
<link rel="stylesheet" href="/assets/dashboard.css?token=${t}">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/dashboard.js?token=${t}"></script>
</body>
</html>
`;
}
