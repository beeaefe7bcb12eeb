// The formatter and linter (Biome, configured in biome.json) pass on the whole tree, so CI fails
// on unformatted code or a lint error. Oracle: `biome ci`, the same check a developer runs with
// `npm run lint`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('biome ci: formatting and lint rules hold on every source file', () => {
  const r = spawnSync(resolve(repo, 'node_modules', '.bin', 'biome'), ['ci', '--colors=off', '.'], {
    cwd: repo,
    encoding: 'utf8',
  });
  assert.equal(r.error, undefined, `biome did not start: ${r.error?.message}`);
  assert.equal(r.status, 0, `biome ci failed (run \`npm run format\` and \`npm run lint\`):\n${r.stdout}${r.stderr}`);
});
