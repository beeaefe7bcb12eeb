// The caches of the timing model. Oracle: miss counts computed by hand for sweeps whose behaviour
// under LRU is known in closed form (a cyclic sweep that fits hits on every pass after the first;
// one larger than the cache misses on every access; k+1 lines in one set of a k-way cache always
// miss), and the write-back cascade counted line by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheError, SetAssocCache } from '../../src/perf/cache.js';
import { CacheHierarchy } from '../../src/perf/hierarchy.js';

const KiB = 1024;

function hierarchy() {
  const llc = new SetAssocCache('LLC', { sizeBytes: 256 * KiB, ways: 16 });
  return new CacheHierarchy({ l1: { sizeBytes: 4 * KiB, ways: 4 }, l2: { sizeBytes: 32 * KiB, ways: 8 } }, llc);
}

/** Read every line of [0, bytes) in order, `passes` times. */
function sweep(h: CacheHierarchy, bytes: number, passes: number, stride = 64): void {
  for (let p = 0; p < passes; p++) for (let a = 0; a < bytes; a += stride) h.access(a / 64, false);
}

test('geometry: sets x ways x 64 B with a power-of-two set count', () => {
  const c = new SetAssocCache('c', { sizeBytes: 32 * KiB, ways: 8 });
  assert.equal(c.sets, 64);
  assert.throws(() => new SetAssocCache('odd', { sizeBytes: 24 * KiB, ways: 8 }), CacheError);
  assert.throws(() => new SetAssocCache('w', { sizeBytes: 32 * KiB, ways: 0 }), /ways must be an integer 1..64/);
});

test('working sets: fits in L1, in L2, in the LLC, beyond the LLC (4 passes each)', () => {
  // [bytes, L1 misses, L2 misses, LLC misses] for 4 passes of a sequential read sweep.
  const cases: [number, number, number, number][] = [
    [4 * KiB, 64, 64, 64], // fits L1: only the first pass misses (64 lines)
    [16 * KiB, 4 * 256, 256, 256], // > L1 (LRU cyclic: every access misses L1), fits L2
    [128 * KiB, 4 * 2048, 4 * 2048, 2048], // > L2, fits LLC
    [512 * KiB, 4 * 8192, 4 * 8192, 4 * 8192], // > LLC: everything misses everywhere
  ];
  for (const [bytes, l1, l2, llc] of cases) {
    const h = hierarchy();
    sweep(h, bytes, 4);
    assert.deepEqual([h.l1.misses, h.l2.misses, h.llc.misses], [l1, l2, llc], `${bytes / KiB} KiB`);
    assert.equal(h.l1.hits + h.l1.misses, (4 * bytes) / 64);
  }
});

test('strides: a stride of one L1 way (set count x 64 B) maps every line to one set', () => {
  const h = hierarchy();
  // L1: 16 sets x 4 ways. 5 lines 1 KiB apart share set 0: LRU over 5 lines in 4 ways always misses.
  for (let p = 0; p < 10; p++) for (let k = 0; k < 5; k++) h.access((k * 1024) / 64, false);
  assert.equal(h.l1.misses, 50);
  assert.equal(h.l2.misses, 5, 'the L2 (64 sets x 8 ways) holds all five');
  // 4 lines in the same set fit exactly.
  const g = hierarchy();
  for (let p = 0; p < 10; p++) for (let k = 0; k < 4; k++) g.access((k * 1024) / 64, false);
  assert.equal(g.l1.misses, 4);
});

test('write-back: dirty lines cascade to memory only when the LLC evicts them', () => {
  const h = hierarchy();
  const writes: number[] = [];
  // Write 512 KiB (8192 lines) once: the LLC holds 4096, so the first 4096 written lines leave it.
  for (let l = 0; l < 8192; l++) {
    h.access(l, true);
    writes.push(...h.memoryWrites.slice(0, h.memoryWriteCount));
  }
  // Line l is filled in the LLC at its write miss and evicted there when line l + 4096 arrives (256
  // sets x 16 ways, sequential lines); by then the L2 has written it back (dirty) into the LLC, since
  // the L2 lets it go when line l + 512 arrives. So lines 0..4095 reach memory, in order.
  assert.equal(writes.length, 4096);
  assert.deepEqual(writes.slice(0, 3), [0, 1, 2], 'the oldest lines leave first');
  // Reading them back brings nothing new to write.
  const h2 = hierarchy();
  sweep(h2, 512 * KiB, 2);
  assert.equal(h2.l1.writebacks + h2.l2.writebacks + h2.llc.writebacks, 0);
});
