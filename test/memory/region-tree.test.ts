// Region tree transactions and rules. Oracle: QEMU's memory API semantics as memory.rst states
// them (only containers take subregions here; a commit re-renders once and reports the changed
// ranges; later-added equal-priority siblings win, as memory_region_add_subregion_common orders them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegion, RegionTree, type MmioOps } from '../../src/memory/region-tree.js';
import type { AddressRange } from '../../src/memory/flat-map.js';

const ops: MmioOps = { valid: { min: 1, max: 4 }, impl: { min: 1, max: 4 }, read: () => 0, write: () => {} };

test('a transaction re-renders once at the outermost commit and reports merged changed ranges', () => {
  const t = new RegionTree();
  const calls: (readonly AddressRange[])[] = [];
  t.onChange((c) => calls.push(c));
  t.begin();
  t.addSubregion(t.root, 0x1000, MemoryRegion.mmio('a', 0x1000, ops));
  t.begin();
  t.addSubregion(t.root, 0x2000, MemoryRegion.mmio('b', 0x1000, ops));
  t.commit();
  assert.equal(calls.length, 0, 'nested commit does not render');
  t.addSubregion(t.root, 0x5000, MemoryRegion.mmio('c', 0x1000, ops));
  assert.equal(t.ranges.length, 0);
  t.commit();
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0], [
    { base: 0x1000, size: 0x2000 },
    { base: 0x5000, size: 0x1000 },
  ]);
  assert.equal(t.ranges.length, 3);
  // Outside a transaction a change commits at once.
  t.addSubregion(t.root, 0x1_0000_0000, MemoryRegion.mmio('d', 0x1000, ops));
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1], [{ base: 0x1_0000_0000, size: 0x1000 }]);
  // A commit that changes nothing tells nobody.
  t.transaction(() => {});
  assert.equal(calls.length, 2);
  assert.throws(() => t.commit(), /without begin/);
});

test('equal priority: the later-added sibling wins', () => {
  const t = new RegionTree();
  t.addSubregion(t.root, 0, MemoryRegion.mmio('first', 0x2000, ops));
  t.addSubregion(t.root, 0x1000, MemoryRegion.mmio('second', 0x2000, ops));
  assert.deepEqual(
    t.ranges.map((r) => [r.base, r.end, r.region.name]),
    [
      [0, 0x1000, 'first'],
      [0x1000, 0x3000, 'second'],
    ],
  );
});

test('rules: only containers take subregions, a region has one parent, sizes and offsets checked', () => {
  const t = new RegionTree();
  const m = MemoryRegion.mmio('dev', 0x1000, ops);
  assert.throws(() => t.addSubregion(m, 0, MemoryRegion.mmio('x', 0x10, ops)), /only containers take subregions/);
  t.addSubregion(t.root, 0, m);
  assert.throws(() => t.addSubregion(t.root, 0x4000, m), /already in system/);
  assert.throws(() => MemoryRegion.container('c', 0), /size must be an integer/);
  assert.throws(() => t.addSubregion(t.root, 2 ** 52, MemoryRegion.mmio('y', 0x10, ops)), /offset/);
  assert.throws(() => MemoryRegion.mmio('bad', 0x10, { ...ops, impl: { min: 4, max: 2 } }), /impl sizes/);
  const c = MemoryRegion.container('c', 0x100);
  assert.throws(() => MemoryRegion.alias('al', c, 0x80, 0x100), /exceeds target c/);
});

test('an alias loop is reported, not a stack overflow', () => {
  const t = new RegionTree();
  const c = MemoryRegion.container('loop', 0x1000);
  const al = MemoryRegion.alias('back', c, 0, 0x1000);
  t.addSubregion(c, 0, al);
  assert.throws(() => t.addSubregion(t.root, 0, c), /nesting deeper than 64/);
});
