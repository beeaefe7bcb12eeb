// The board's instruction clock for several harts (src/machine/hart-clock.ts). Oracle: its
// definition, (instructions retired + idle credit) / harts, worked by hand below; and the
// property Linux relies on: it never goes back, whichever hart reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HartClock } from '../../src/machine/hart-clock.js';

test('one hart: the clock is its instret', () => {
  const h = { instret: 0 };
  const c = new HartClock([h]);
  c.begin(h, 0);
  h.instret = 1234;
  assert.equal(c.now(), 1234);
  assert.equal(c.instructionsUntil(2000), 766);
  c.end();
  assert.equal(c.now(), 1234);
});

test('two running harts: a round of k instructions each advances the clock by k', () => {
  const a = { instret: 0 };
  const b = { instret: 0 };
  const c = new HartClock([a, b]);
  c.begin(a, 0);
  a.instret = 100;
  assert.equal(c.now(), 50);
  assert.equal(c.instructionsUntil(60), 20);
  c.end();
  c.begin(b, 0);
  b.instret = 100;
  c.end();
  assert.equal(c.now(), 100);
});

test('a waiting hart is credited with what the running one retires; the clock never goes back', () => {
  const a = { instret: 0 };
  const b = { instret: 0 };
  const c = new HartClock([a, b]);
  let last = 0;
  for (let round = 0; round < 10; round++) {
    c.begin(a, 1); // b waits in WFI
    for (let i = 0; i < 10; i++) {
      a.instret += 10;
      assert.ok(c.now() >= last);
      last = c.now();
    }
    assert.equal(c.instructionsUntil(c.now() + 30), 30);
    c.end();
    assert.equal(c.now(), last);
  }
  assert.equal(c.now(), 1000, 'one instruction of clock per instruction of the only running hart');
});
