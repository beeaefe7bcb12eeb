// Expect tests (STYLE habit 9): each module in modules.ts printed by wat.ts must equal its checked-in
// test/cpu/wasm/expect/<name>.wat. Oracle: the reviewed golden text; a change is accepted by
// reading the diff and rerunning with CXLEMU_UPDATE_EXPECT=1. Also: V8 validates every module, and
// the printer rejects bytes it does not know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printWat } from '../../../src/cpu/wasm/wat.js';
import { Wasm } from '../../../src/cpu/wasm/wasm-api.js';
import { GOLDEN_MODULES } from './modules.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/cpu/wasm/; the golden files live in the source tree (found from the
// working directory when the build went elsewhere, e.g. tsc --outDir /tmp/x run from the repo).
const besideDist = resolve(here, '..', '..', '..', '..', 'test', 'cpu', 'wasm', 'expect');
const fromCwd = resolve('test', 'cpu', 'wasm', 'expect');
const expectDir = existsSync(besideDist) || !existsSync(fromCwd) ? besideDist : fromCwd;
const update = process.env['CXLEMU_UPDATE_EXPECT'] === '1';

for (const [name, build] of Object.entries(GOLDEN_MODULES)) {
  test(`expect/${name}.wat`, () => {
    const bytes = build().toBytes();
    assert.ok(Wasm.validate(bytes), `${name}: V8 rejects the module`);
    const text = printWat(bytes);
    const file = join(expectDir, `${name}.wat`);
    if (update || !existsSync(file)) {
      writeFileSync(file, text);
      if (!update) assert.fail(`${file} did not exist; written now, review it and rerun`);
      return;
    }
    assert.equal(
      text,
      readFileSync(file, 'utf8'),
      `${name}: emitted text differs from ${file} (CXLEMU_UPDATE_EXPECT=1 accepts)`,
    );
  });
}

test('the printer names unknown opcodes and bad headers', () => {
  assert.throws(() => printWat(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), /not a wasm 1\.0 module/);
  // type () -> (), one function whose body is the ref.is_null opcode (0xD1) the builder never emits.
  const bytes = Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xd1, 0x0b,
  ]);
  assert.throws(() => printWat(bytes), /unknown opcode 0xd1 at body offset 1/);
});
