// Golden tests of the QEMU-compatible parser: each test/golden/qemu/*.qemu (a pasted command line,
// as --qemu-file reads it) must produce exactly the description in the .json beside it, and the
// ignored-option warnings in the .warnings file (absent = none). Oracle: the goldens, reviewed by
// hand against QEMU's docs/system/devices/cxl.rst and DESIGN's board map (window placement).
// Regenerate with UPDATE_GOLDEN=1 and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseQemuCommandLine } from '../../src/machine/qemu-parser.js';
import { descriptionToJson, validateDescription } from '../../src/machine/description.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = resolve(here, '..', '..', '..', 'test', 'golden', 'qemu');
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.qemu'))
  .sort();

test('at least 15 golden command lines', () => {
  assert.ok(cases.length >= 15, `found ${cases.length}`);
});

for (const file of cases) {
  test(`golden: ${file}`, () => {
    const text = readFileSync(join(goldenDir, file), 'utf8');
    const r = parseQemuCommandLine(text);
    const json = descriptionToJson(r.description);
    const jsonPath = join(goldenDir, file.replace(/\.qemu$/, '.json'));
    const warnPath = join(goldenDir, file.replace(/\.qemu$/, '.warnings'));
    const warnings = r.warnings.length > 0 ? `${r.warnings.join('\n')}\n` : '';
    if (update) {
      writeFileSync(jsonPath, json);
      if (warnings) writeFileSync(warnPath, warnings);
      else if (existsSync(warnPath)) unlinkSync(warnPath);
    }
    assert.equal(json, readFileSync(jsonPath, 'utf8'));
    assert.equal(warnings, existsSync(warnPath) ? readFileSync(warnPath, 'utf8') : '');
    // The canonical document reads back to the same description (describe/--save round trip).
    assert.equal(descriptionToJson(validateDescription(JSON.parse(json))), json);
  });
}

test('window placement: after RAM, 256 MiB aligned, 3-way at a multiple of 768 MiB', () => {
  const base = (f: string) => {
    const d = parseQemuCommandLine(readFileSync(join(goldenDir, f), 'utf8')).description;
    return d.cxl.windows.map((w) => w.base);
  };
  // -m 4G: RAM ends at 0x1_8000_0000, so the window follows it.
  assert.deepEqual(base('issue3-qemu8-volatile.qemu'), [0x1_8000_0000]);
  // -m 2G: RAM ends at 4 GiB exactly.
  assert.deepEqual(base('issue3-qemu72-persistent.qemu'), [0x1_0000_0000]);
  // No -m: QEMU's 128 MiB; the floor is 4 GiB.
  assert.deepEqual(base('riscv-virt-volatile.qemu'), [0x1_0000_0000]);
  // 256 MiB window at 0x1_8000_0000, then the 3-way one at the next multiple of 768 MiB (0x1_8000_0000 = 8 x 768 MiB).
  const [w0, w1] = base('three-way-window.qemu');
  assert.equal(w0, 0x1_8000_0000);
  assert.equal(w1! % (768 * 2 ** 20), 0);
  assert.ok(w1! >= w0! + 256 * 2 ** 20);
  assert.equal(w1, 0x1_b000_0000); // 9 x 768 MiB: the first multiple of 768 MiB above 0x1_9000_0000
});
