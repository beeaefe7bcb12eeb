// Poison through interleaved routes (docs/mailbox.md "Guest accesses"): in the default machine's
// R0 (4-way, 256 B granules) one 4 KiB DPA page of a device is spread over 4 consecutive HPA
// pages, 1 KiB of it per page. Poisoning one line must make exactly those 4 HPA pages uncacheable
// (PageFlag.Poisoned | Mmio) and fault exactly the 64 HPA bytes of the line; the window R1 and
// other pages stay cacheable. Oracle: Machine.translateHpa / translateDpa (the reference decoder
// path), independent of the guard's store -> DPA map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { mediaOf } from '../../src/cxl/index.js';
import { AccessFault, PageFlag } from '../../src/memory/index.js';

const MiB = 2 ** 20;
const R0 = 0x1_0000_0000;

test('one poisoned line in a 4-way 256 B region: exactly 4 HPA pages uncacheable, exactly 64 HPA bytes fault', () => {
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 256 * MiB });
  try {
    const as = m.addressSpace;
    const hpa = R0 + 0x40_0000 + 0x5c0; // somewhere in R0, 64-byte aligned
    const tr = m.cxl.translateHpa(hpa);
    assert.ok(tr.ok);
    const dev = m.cxl.memdevs.find((d) => d.name === tr.value.memdev || d.id === tr.value.memdev)!;
    assert.ok(dev);
    const pagesBefore = [-2, -1, 0, 1, 2, 3, 4, 5].map(
      (k) => as.resolvePage(hpa - (hpa % 4096) + k * 4096).flags & PageFlag.Poisoned,
    );
    assert.deepEqual(pagesBefore, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(mediaOf(dev).inject(tr.value.dpa), 'ok');
    // Which HPA pages reach the poisoned DPA page: from the reference translation of each granule.
    const dpaPage = Math.floor(tr.value.dpa / 4096);
    const expected = new Set<number>();
    for (let p = Math.floor(hpa / 4096) - 8; p <= Math.floor(hpa / 4096) + 8; p++) {
      for (let g = 0; g < 16; g++) {
        const t = m.cxl.translateHpa(p * 4096 + g * 256);
        if (t.ok && t.value.memdev === tr.value.memdev && Math.floor(t.value.dpa / 4096) === dpaPage) expected.add(p);
      }
    }
    assert.equal(expected.size, 4);
    for (let p = Math.floor(hpa / 4096) - 8; p <= Math.floor(hpa / 4096) + 8; p++) {
      const f = as.resolvePage(p * 4096).flags;
      const want = expected.has(p) ? PageFlag.Poisoned | PageFlag.Mmio : 0;
      assert.equal(f & (PageFlag.Poisoned | PageFlag.Mmio), want, `page 0x${(p * 4096).toString(16)}`);
    }
    // Exactly the 64 bytes of the line fault, across the whole granule around it.
    const g0 = hpa - (hpa % 256);
    for (let a = g0 - 256; a < g0 + 512; a += 8) {
      as.load(a, 8);
      const inLine = a >= hpa && a < hpa + 64;
      assert.equal(as.fault, inLine ? AccessFault.Poisoned : AccessFault.None, `HPA 0x${a.toString(16)}`);
    }
    // An unaligned load straddling the line's start faults; one ending just before it does not.
    as.load(hpa - 4, 8);
    assert.equal(as.fault, AccessFault.Poisoned);
    as.load(hpa - 8, 8);
    assert.equal(as.fault, AccessFault.None);
    // resolveRun refuses the granules of the poisoned DPA page and serves the others.
    let refused = 0;
    for (let g = 0; g < 16; g++) if (as.resolveRun(hpa - (hpa % 4096) + g * 256) < 0) refused++;
    assert.equal(refused, 4, 'the 4 granules on the poisoned device page');
    // Clearing makes every page cacheable again.
    mediaOf(dev).clearLine(tr.value.dpa);
    for (const p of expected) assert.equal(as.resolvePage(p * 4096).flags & PageFlag.Poisoned, 0);
    as.load(hpa, 8);
    assert.equal(as.fault, AccessFault.None);
  } finally {
    m.close();
  }
});
