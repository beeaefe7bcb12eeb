// Oracle: ACPI 6.5 5.2.6 / CDAT header rule: all bytes of the table sum to 0 mod 256; checked on a
// hand-computed table and on seeded random tables (isChecksumValid: a plain sum in test/helpers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillChecksum } from '../../src/cxl-math/index.js';
import { isChecksumValid } from '../helpers/cxl-oracles.js';
import { Prng } from '../helpers/prng.js';

test('hand-computed: bytes 1, 2, 3 with the checksum at index 3 -> 0xFA', () => {
  const t = new Uint8Array([1, 2, 3, 0x77]);
  assert.equal(isChecksumValid(t), false);
  assert.equal(fillChecksum(t, 3), 0xfa);
  assert.equal(isChecksumValid(t), true);
  assert.deepEqual([...t], [1, 2, 3, 0xfa]);
});

test('random tables: fillChecksum always makes the sum 0; a flipped byte breaks it', () => {
  const rng = new Prng(0xc5c5);
  for (let i = 0; i < 500; i++) {
    const t = new Uint8Array(1 + rng.below(200));
    for (let j = 0; j < t.length; j++) t[j] = rng.u32() & 0xff;
    const at = rng.below(t.length);
    fillChecksum(t, at);
    assert.ok(isChecksumValid(t), `seed ${rng.seed} iter ${i}`);
    if (t.length > 1) {
      const j = (at + 1) % t.length;
      t[j] = (t[j]! + 1) & 0xff;
      assert.ok(!isChecksumValid(t));
    }
  }
});

test('sub-range: checksum over [start, end) only', () => {
  const t = new Uint8Array([9, 9, 10, 20, 0, 9]);
  fillChecksum(t, 4, 2, 5);
  assert.equal(t[4], 226);
  assert.ok(isChecksumValid(t, 2, 5));
});
