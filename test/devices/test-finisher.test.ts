// Test finisher status decoding. Oracle: QEMU hw/misc/sifive_test.c and GUEST-TOOLCHAIN.md
// (0x5555 pass, (code << 16) | 0x3333 fail, 0x7777 reset, anything else ignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestFinisher, type FinisherOutcome } from '../../src/devices/test-finisher.js';

function run(writes: [number, 1 | 2 | 4, number][]): FinisherOutcome[] {
  const seen: FinisherOutcome[] = [];
  const f = new TestFinisher((o) => seen.push(o));
  for (const [off, size, v] of writes) f.write(off, size, v);
  return seen;
}

test('pass, fail with code, reset', () => {
  assert.deepEqual(run([[0, 4, 0x5555]]), [{ kind: 'pass', code: 0 }]);
  assert.deepEqual(run([[0, 4, (42 << 16) | 0x3333]]), [{ kind: 'fail', code: 42 }]);
  assert.deepEqual(run([[0, 4, (0xffff << 16) | 0x3333]]), [{ kind: 'fail', code: 0xffff }]);
  assert.deepEqual(run([[0, 4, 0x3333]]), [{ kind: 'fail', code: 0 }]);
  assert.deepEqual(run([[0, 4, 0x7777]]), [{ kind: 'reset', code: 0 }]);
});

test('other values, other offsets are ignored; the first outcome wins; reads are 0', () => {
  assert.deepEqual(
    run([
      [0, 4, 0x1234],
      [4, 4, 0x5555],
    ]),
    [],
  );
  assert.deepEqual(
    run([
      [0, 4, 0x5555],
      [0, 4, 0x3333],
    ]),
    [{ kind: 'pass', code: 0 }],
  );
  assert.deepEqual(run([[0, 2, 0x5555]]), [{ kind: 'pass', code: 0 }]);
  assert.equal(new TestFinisher().read(0, 4), 0);
});
