// Flat-map rendering and diffing. Oracles: the overlap and PC-memory-map examples of QEMU's
// docs/devel/memory.rst ("Overlapping regions and priority", "Example memory map"), and a
// brute-force per-address walk of memory.rst's "Visibility" rules on random seeded trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';
import { MemoryRegion, RegionTree, type MmioOps } from '../../src/memory/region-tree.js';
import { RangeKind, diffFlatMaps, findRangeIndex, renderFlatMap, type FlatRange } from '../../src/memory/flat-map.js';
import { Prng } from '../helpers/prng.js';

const ops: MmioOps = { valid: { min: 1, max: 8 }, impl: { min: 1, max: 4 }, read: () => 0, write: () => {} };
const arena = new Arena({ bytes: 1 << 20 });

function simple(ranges: readonly FlatRange[]): [number, number, string, number][] {
  return ranges.map((r) => [r.base, r.end, r.region.name, r.offset]);
}

test('memory.rst overlap example: B (prio 2, container) over C (prio 1, mmio)', () => {
  const t = new RegionTree(0x8000, 'A');
  const b = MemoryRegion.container('B', 0x4000);
  const c = MemoryRegion.mmio('C', 0x6000, ops);
  const d = MemoryRegion.mmio('D', 0x1000, ops);
  const e = MemoryRegion.mmio('E', 0x1000, ops);
  t.transaction(() => {
    t.addSubregion(t.root, 0x2000, b, 2);
    t.addSubregion(t.root, 0x0, c, 1);
    t.addSubregion(b, 0x0, d);
    t.addSubregion(b, 0x2000, e);
  });
  // [CCCCCCCCCCCC][DDDDD][CCCCC][EEEEE][CCCCC]
  assert.deepEqual(simple(t.ranges), [
    [0x0, 0x2000, 'C', 0x0],
    [0x2000, 0x3000, 'D', 0x0],
    [0x3000, 0x4000, 'C', 0x3000],
    [0x4000, 0x5000, 'E', 0x0],
    [0x5000, 0x6000, 'C', 0x5000],
  ]);
  // B "with its own MMIO operations", modelled the preferred way: a background region in B.
  t.addSubregion(b, 0, MemoryRegion.mmio('B', 0x4000, ops), -1);
  // [CCCCCCCCCCCC][DDDDD][BBBBB][EEEEE][BBBBB]
  assert.deepEqual(simple(t.ranges), [
    [0x0, 0x2000, 'C', 0x0],
    [0x2000, 0x3000, 'D', 0x0],
    [0x3000, 0x4000, 'B', 0x1000],
    [0x4000, 0x5000, 'E', 0x0],
    [0x5000, 0x6000, 'B', 0x3000],
  ]);
  // Priorities are local: D and E (prio 0) are never compared with C (prio 1).
  assert.equal(renderFlatMap(t.root).length, 5);
  // Swap B and C's relative priority: C hides B entirely below 0x6000.
  t.removeSubregion(c);
  t.addSubregion(t.root, 0, c, 3);
  assert.deepEqual(simple(t.ranges), [[0x0, 0x6000, 'C', 0x0]]);
});

function pcMap() {
  const t = new RegionTree(2 ** 48, 'system_memory');
  const ramStore = new BackingStore(arena, { name: 'ram', size: 2 ** 32 });
  const ram = MemoryRegion.ram('ram', ramStore);
  const pci = MemoryRegion.container('pci', 2 ** 32);
  const vram = MemoryRegion.ram('vram', new BackingStore(arena, { name: 'vram', size: 0x1000000 }));
  const vgaArea = MemoryRegion.container('vga-area', 0x20000);
  const vgaWindow = MemoryRegion.alias('vga-window', pci, 0xa0000, 0x20000);
  t.transaction(() => {
    t.addSubregion(t.root, 0, MemoryRegion.alias('lomem', ram, 0, 0xe0000000));
    t.addSubregion(t.root, 0x100000000, MemoryRegion.alias('himem', ram, 0xe0000000, 0x20000000));
    t.addSubregion(t.root, 0xa0000, vgaWindow, 1);
    t.addSubregion(t.root, 0xe0000000, MemoryRegion.alias('pci-hole', pci, 0xe0000000, 0x20000000));
    t.addSubregion(pci, 0xa0000, vgaArea);
    t.addSubregion(vgaArea, 0, MemoryRegion.alias('bank0', vram, 0x10000, 0x8000));
    t.addSubregion(vgaArea, 0x8000, MemoryRegion.alias('bank1', vram, 0x20000, 0x8000));
    t.addSubregion(pci, 0xe1000000, vram);
    t.addSubregion(pci, 0xe2000000, MemoryRegion.mmio('vga-mmio', 0x10000, ops));
  });
  return { t, vram, vgaWindow };
}

test('memory.rst example memory map (simplified PC) renders as the text describes', () => {
  const { t, vram, vgaWindow } = pcMap();
  assert.deepEqual(simple(t.ranges), [
    [0x0, 0xa0000, 'ram', 0x0], // lomem, 1:1
    [0xa0000, 0xa8000, 'vram', 0x10000], // vga-window -> vga-area bank 0
    [0xa8000, 0xb0000, 'vram', 0x20000], // bank 1
    [0xb0000, 0xe0000000, 'ram', 0xb0000], // vga-area hole: lomem shows through
    // 0xe0000000..0xe1000000: pci-hole over an empty part of pci -> unassigned
    [0xe1000000, 0xe2000000, 'vram', 0x0], // vram BAR
    [0xe2000000, 0xe2010000, 'vga-mmio', 0x0],
    [0x100000000, 0x120000000, 'ram', 0xe0000000], // himem: last 0.5 GiB at 4 GiB
  ]);
  assert.equal(t.ranges[3]!.kind, RangeKind.Ram);
  assert.equal(t.ranges[5]!.kind, RangeKind.Mmio);
  assert.equal(findRangeIndex(t.ranges, 0xe0000000), -1);
  assert.equal(findRangeIndex(t.ranges, 0xe0ffffff), -1);

  // "The vga window can be removed ... exposing the RAM underneath"; only 640K-704K changes.
  const seen: unknown[] = [];
  t.onChange((c) => seen.push(c));
  t.setEnabled(vgaWindow, false);
  assert.deepEqual(simple(t.ranges).slice(0, 1), [[0, 0xe0000000, 'ram', 0]]);
  assert.deepEqual(seen, [[{ base: 0xa0000, size: 0x10000 }]]);

  // "if the guest maps a BAR outside the PCI hole, it would not be visible".
  t.moveSubregion(vram, 0xd0000000);
  assert.equal(findRangeIndex(t.ranges, 0xe1000000), -1);
  assert.equal(t.ranges[findRangeIndex(t.ranges, 0xd0000000)]!.region.name, 'ram');
});

// ---- brute force oracle: memory.rst "Visibility" rules, per address ----

function visible(mr: MemoryRegion, addr: number): [MemoryRegion, number] | null {
  if (!mr.enabled || addr < 0 || addr >= mr.size) return null;
  if (mr.kind === 'alias') return visible(mr.aliasTarget!, addr + mr.aliasOffset);
  if (mr.kind === 'container') {
    const subs = [...mr.subregions].sort((a, b) => b.priority - a.priority || b.seq - a.seq);
    for (const s of subs) {
      const r = visible(s.region, addr - s.offset);
      if (r) return r;
    }
    return null;
  }
  return [mr, addr];
}

function randomTree(rng: Prng, base: number) {
  const t = new RegionTree(2 ** 52, 'root');
  const store = new BackingStore(arena, { name: 's', size: 0x100000 });
  const pool: MemoryRegion[] = [];
  let n = 0;
  const unit = 0x100;
  const leaf = (): MemoryRegion => {
    const size = unit * rng.range(1, 24);
    const k = rng.below(3);
    const name = `L${n++}`;
    if (k === 0) return MemoryRegion.ram(name, store, { storeOffset: unit * rng.below(64), size });
    if (k === 1) return MemoryRegion.mmio(name, size, ops);
    return MemoryRegion.window(name, size, { resolve: () => false }, 0x1000);
  };
  for (let i = 0; i < 10; i++) pool.push(leaf());
  const top = MemoryRegion.container('top', 0x10000);
  t.transaction(() => {
    for (let c = 0; c < 5; c++) {
      const size = unit * rng.range(8, 64);
      const cont = MemoryRegion.container(`C${c}`, size);
      const kids = rng.range(0, 4);
      for (let k = 0; k < kids; k++) {
        const cand = pool.filter((r) => r.parent === null && r.size <= size);
        if (cand.length === 0) break;
        const child = rng.pick(cand);
        t.addSubregion(cont, unit * rng.below(Math.max(1, (size - child.size) / unit + 4)), child, rng.range(-2, 2));
      }
      pool.push(cont);
      const target = rng.pick(pool);
      const aoff = unit * rng.below(Math.max(1, target.size / unit));
      const asize = Math.max(unit, Math.min(target.size - aoff, unit * rng.range(1, 40)));
      pool.push(MemoryRegion.alias(`A${c}`, target, aoff, asize));
      pool.push(leaf());
    }
    for (const r of pool) {
      if (r.parent === null && rng.chance(0.6))
        t.addSubregion(top, unit * rng.below(0x10000 / unit), r, rng.range(-3, 3));
    }
    for (const r of pool) if (rng.chance(0.1)) r.enabled = false;
    t.addSubregion(t.root, base, top);
  });
  return t;
}

function checkAgainstOracle(t: RegionTree, base: number, ranges: readonly FlatRange[], label: string) {
  // Disjoint and sorted.
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]!.end <= ranges[i]!.base, `${label}: overlap at ${i}`);
  const probes = new Set<number>();
  for (let a = base - 0x100; a < base + 0x10100; a += 0x40) probes.add(a);
  for (const r of ranges)
    for (const d of [-1, 0, 1]) {
      probes.add(r.base + d);
      probes.add(r.end + d);
    }
  for (const a of probes) {
    const want = visible(t.root, a);
    const i = findRangeIndex(ranges, a);
    if (want === null) {
      assert.equal(
        i,
        -1,
        `${label}: ${a.toString(16)} should be unassigned, got ${i >= 0 ? ranges[i]!.region.name : ''}`,
      );
    } else {
      assert.ok(i >= 0, `${label}: ${a.toString(16)} should map to ${want[0].name}`);
      const r = ranges[i]!;
      assert.equal(r.region, want[0], `${label}: ${a.toString(16)} region ${r.region.name} vs ${want[0].name}`);
      assert.equal(r.offset + (a - r.base), want[1], `${label}: ${a.toString(16)} offset`);
    }
  }
}

test('random trees render exactly as the per-address visibility oracle (seeded, incl. > 4 GiB and near 2^52)', () => {
  const bases = [0, 0x1_0000_0000 - 0x8000, 0x3_4000_0000, 2 ** 52 - 0x10000];
  for (let seed = 1; seed <= 60; seed++) {
    const rng = new Prng(seed);
    const base = bases[seed % bases.length]!;
    const t = randomTree(rng, base);
    checkAgainstOracle(t, base, t.ranges, `seed ${seed}`);
    // Adjacent ranges are never mergeable (canonical form).
    const rs = t.ranges;
    for (let i = 1; i < rs.length; i++) {
      const p = rs[i - 1]!;
      const r = rs[i]!;
      assert.ok(
        !(p.end === r.base && p.region === r.region && p.offset + (p.end - p.base) === r.offset),
        `seed ${seed}: unmerged`,
      );
    }
  }
});

test('diffFlatMaps reports exactly the addresses whose mapping changed (seeded)', () => {
  for (let seed = 100; seed < 130; seed++) {
    const rng = new Prng(seed);
    const t = randomTree(rng, 0x1000);
    const before = t.ranges;
    const snapshot = (a: number) => visible(t.root, a);
    const probes: number[] = [];
    for (let a = 0; a < 0x12000; a += 0x40) probes.push(a);
    const old = probes.map(snapshot);
    // Random mutation: toggle, move or remove a few top-level regions.
    const top = t.root.subregions[0]!.region;
    t.transaction(() => {
      for (let k = 0; k < 3 && top.subregions.length > 0; k++) {
        const s = rng.pick(top.subregions);
        const m = rng.below(3);
        if (m === 0) t.setEnabled(s.region, !s.region.enabled);
        else if (m === 1) t.moveSubregion(s.region, 0x100 * rng.below(0x100));
        else t.removeSubregion(s.region);
      }
    });
    const changed = diffFlatMaps(before, t.ranges);
    probes.forEach((a, i) => {
      const o = old[i]!;
      const n = snapshot(a);
      const same = (o === null && n === null) || (o !== null && n !== null && o[0] === n[0] && o[1] === n[1]);
      const inChanged = changed.some((c) => a >= c.base && a < c.base + c.size);
      assert.equal(inChanged, !same, `seed ${seed} addr ${a.toString(16)}`);
    });
  }
});
