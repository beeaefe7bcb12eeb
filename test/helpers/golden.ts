// Golden-file comparison for transcript tests: a missing golden is written and fails once (so it
// is reviewed and committed); UPDATE_GOLDEN=1 rewrites every golden; a difference fails naming the
// first differing line.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const updateGoldens = process.env.UPDATE_GOLDEN === '1';

export function compareGolden(dir: string, name: string, text: string): void {
  const path = join(dir, `${name}.txt`);
  if (updateGoldens || !existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, text);
    if (!updateGoldens) assert.fail(`golden ${path} was missing: written now, review and commit it`);
    return;
  }
  const want = readFileSync(path, 'utf8');
  if (text !== want) {
    const a = text.split('\n');
    const b = want.split('\n');
    const i = a.findIndex((l, k) => l !== b[k]);
    assert.fail(
      `transcript differs from ${path} at line ${i + 1}:\n  got:  ${a[i]}\n  want: ${b[i]}\n(UPDATE_GOLDEN=1 to accept after review)`,
    );
  }
}
