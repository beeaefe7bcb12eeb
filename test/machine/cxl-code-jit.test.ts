// Code run out of a fine-interleaved CXL region stays translated: the demo guest (the integer
// benchmark with code, data and stack in the default machine's 4-way 256 B region R0) must run
// almost entirely in translated code. Guards a regression where compiling one block of a
// fine-interleaved page dropped the other blocks of that page (its page cell compared arena
// offsets, and such pages have none), which made the demo ten times slower.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultDescription, Machine, runMachine } from '../../src/machine/index.js';
import { GUEST_BIN } from '../diff/harness.js';

test('the demo out of the 4-way 256 B region runs over 95% in translated code', async () => {
  const m = Machine.build(defaultDescription());
  try {
    const r = await runMachine(m, { kernel: join(GUEST_BIN, 'bench-demo-cxl.elf'), output: () => {} });
    assert.equal(r.kind, 'program');
    if (r.kind !== 'program') return;
    assert.equal(r.result.status, 0, r.result.exit.message);
    const share = r.result.harts[0]?.translatedShare ?? 0;
    assert.ok(share > 0.95, `translated share ${share}`);
  } finally {
    m.close();
  }
});
