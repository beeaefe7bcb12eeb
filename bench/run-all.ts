// Runs every benchmark under bench/ (each a separate process, one after another so they do not
// compete for the 2 cores) and prints one JSON document: { name: result-or-error }.
// Long or interactive ones are left out: audit-matrix (npm run audit:matrix), crash-consistency
// (about half an hour for its 1,000 kill -9 trials), guest-lockstep (a debugging tool that needs
// arguments).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SKIP = new Set([
  'run-all.js',
  'audit-matrix.js',
  'crash-consistency.js',
  'guest-lockstep.js',
  'region-machines.js',
]);
const only = process.argv.slice(2);

const results: Record<string, unknown> = {};
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.js') && !SKIP.has(f))
  .sort()) {
  const name = file.replace(/\.js$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name} ...\n`);
  const r = spawnSync(process.execPath, [join(here, file)], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const out = r.stdout.trim();
  try {
    results[name] = JSON.parse(out.slice(out.indexOf('{')));
  } catch {
    results[name] = { error: `exit ${r.status}`, stdout: out.slice(-2000), stderr: r.stderr.slice(-2000) };
  }
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
