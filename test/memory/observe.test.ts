// AddressSpace.observe: exact access counts per observed target, pages kept off every cache
// (resolvePage flags, resolveRun, the address space's own one-page cache), the access log, and
// listeners told to flush. Oracle: the accesses each test makes itself (counted by hand), and the
// CXL layer's HPA -> (memdev, DPA) translation for which device a piece reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessFault, PageFlag, SlowPath, type MmioOps } from '../../src/memory/index.js';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';

const RAM = 0x8000_0000;
const R0 = 0x1_0000_0000; // 4-way 256 B: positions mem0, mem2, mem1, mem3

function machine(): Machine {
  return Machine.build(defaultDescriptionInput(), { arenaBytes: 128 * 2 ** 20 });
}

function memdevStores(m: Machine, name: string) {
  const d = m.cxl.memdev(name)!;
  return [{ store: d.volatileStore!, label: d.name, dpaBase: 0 }];
}

test('a RAM range: every load and store counted, even repeated ones on one page; neighbours are not', () => {
  const m = machine();
  const s = m.addressSpace;
  const t = s.observe({ base: RAM + 0x1000, size: 0x100, name: 'buf' });
  for (let i = 0; i < 1000; i++) s.load(RAM + 0x1000 + (i % 32) * 8, 8);
  for (let i = 0; i < 10; i++) s.store(RAM + 0x1010, 4, i);
  for (let i = 0; i < 50; i++) s.load(RAM + 0x1100 + i * 8, 8); // same page, outside the range
  s.load(RAM + 0x2000, 4);
  assert.deepEqual(
    { r: t.reads, w: t.writes, br: t.bytesRead, bw: t.bytesWritten },
    { r: 1000, w: 10, br: 8000, bw: 40 },
  );
  assert.equal(s.load(RAM + 0x1010, 4), 9);
  assert.equal(t.reads, 1001);
  // An access straddling the range's end counts the bytes inside it.
  s.load(RAM + 0x10fc, 8);
  assert.equal(t.reads, 1002);
  assert.equal(t.bytesRead, 8004 + 4);
});

test('a memdev store in a 4-way 256 B region: pieces and bytes per device; bulk splits at granules', () => {
  const m = machine();
  const s = m.addressSpace;
  const mem0 = s.observe({ stores: memdevStores(m, 'mem0'), name: 'mem0' });
  const mem3 = s.observe({ stores: memdevStores(m, 'mem3'), name: 'mem3' });
  // 4 KiB bulk write from offset 0: 16 granules, 4 on each device.
  assert.equal(s.writeBytes(R0, new Uint8Array(4096).fill(7)), AccessFault.None);
  assert.deepEqual([mem0.writes, mem0.bytesWritten, mem3.writes, mem3.bytesWritten], [4, 1024, 4, 1024]);
  // 8-byte loads over the first 1 KiB: 32 reach each device.
  for (let o = 0; o < 1024; o += 8) s.load(R0 + o, 8);
  assert.deepEqual([mem0.reads, mem0.bytesRead, mem3.reads, mem3.bytesRead], [32, 256, 32, 256]);
  // The oracle agrees on which device each piece reached.
  const memdevAt = (hpa: number) => {
    const t = m.translateHpa(hpa);
    return t.ok ? t.value.memdev : t.reason;
  };
  assert.equal(memdevAt(R0), 'mem0');
  assert.equal(memdevAt(R0 + 768), 'mem3');
  // A load straddling mem0's granule into mem2's: one piece each; mem2 is not observed.
  s.load(R0 + 252, 8);
  assert.deepEqual([mem0.reads, mem0.bytesRead], [33, 260]);
  // Stores through the slow path into observed granules keep counting (no caching in between).
  for (let i = 0; i < 100; i++) s.store(R0 + 8, 8, i, 0);
  assert.equal(mem0.writes, 104);
  assert.equal(s.load(R0 + 8, 4), 99);
});

test('resolvePage flags observed pages Observed | Mmio (any granule), resolveRun refuses observed bytes', () => {
  const m = machine();
  const s = m.addressSpace;
  assert.equal(s.resolvePage(R0).flags & PageFlag.Observed, 0);
  s.observe({ stores: memdevStores(m, 'mem3'), name: 'mem3' });
  // Every 4 KiB page of R0 holds mem3 granules.
  for (const a of [R0, R0 + 0x1000, R0 + 0x3000_0000]) {
    const f = s.resolvePage(a).flags;
    assert.equal(
      f & (PageFlag.Observed | PageFlag.Mmio),
      PageFlag.Observed | PageFlag.Mmio,
      `page 0x${a.toString(16)}`,
    );
  }
  assert.ok(s.resolveRun(R0) >= 0, 'a mem0 granule stays cacheable');
  assert.equal(s.resolveRun(R0 + 768), -1, 'a mem3 granule does not');
  assert.equal(s.resolvePage(RAM).flags & PageFlag.Observed, 0, 'RAM untouched');
  // A range observation flags only the pages it overlaps.
  s.observe({ base: RAM + 0x5ff8, size: 16 });
  assert.ok((s.resolvePage(RAM + 0x5000).flags & PageFlag.Observed) !== 0);
  assert.ok((s.resolvePage(RAM + 0x6000).flags & PageFlag.Observed) !== 0);
  assert.equal(s.resolvePage(RAM + 0x7000).flags & PageFlag.Observed, 0);
  assert.equal(s.resolvePage(RAM + 0x7000).arenaOffset >= 0, true);
});

test('observe() tells change listeners to flush: the exact range, or everything for a store', () => {
  const m = machine();
  const s = m.addressSpace;
  const seen: { base: number; size: number }[][] = [];
  s.onChange((r) => seen.push(r.map((x) => ({ base: x.base, size: x.size }))));
  s.observe({ base: RAM + 0x1000, size: 0x100 });
  s.observe({ stores: memdevStores(m, 'mem1'), name: 'mem1' });
  assert.deepEqual(seen, [[{ base: RAM + 0x1000, size: 0x100 }], [{ base: 0, size: 2 ** 52 }]]);
});

test('the access log: one line per piece with hpa, size, r/w, memdev and DPA (oracle: translateHpa)', () => {
  const m = machine();
  const s = m.addressSpace;
  const lines: string[] = [];
  s.observeLog = (l) => lines.push(l);
  s.observe({ stores: memdevStores(m, 'mem2'), name: 'mem2' });
  s.store(R0 + 0x10_0100, 8, 1, 2); // position 1 = mem2
  s.load(R0 + 0x10_0108, 4);
  s.load(R0 + 0x10_0000, 4); // mem0: not logged
  s.writeBytes(R0 + 0x10_00fc, new Uint8Array(8)); // 4 bytes on mem0, 4 on mem2
  const t = m.translateHpa(R0 + 0x10_0100);
  assert.ok(t.ok && t.value.memdev === 'mem2');
  const dpa = t.value.dpa;
  assert.deepEqual(lines, [
    `w 0x${(R0 + 0x10_0100).toString(16)} 8 mem2 0x${dpa.toString(16)}`,
    `r 0x${(R0 + 0x10_0108).toString(16)} 4 mem2 0x${(dpa + 8).toString(16)}`,
    `w 0x${(R0 + 0x10_0100).toString(16)} 4 mem2 0x${dpa.toString(16)}`,
  ]);
});

test('MMIO ranges and the slow-path counter', () => {
  const m = machine();
  const s = m.addressSpace;
  const regs = new Uint32Array(4);
  const ops: MmioOps = {
    valid: { min: 4, max: 8 },
    impl: { min: 4, max: 4 },
    read: (o) => regs[o / 4]!,
    write: (o, _sz, v) => {
      regs[o / 4] = v;
    },
  };
  s.mmio('dev', 0x2000_0000, 16, ops);
  const lines: string[] = [];
  s.observeLog = (l) => lines.push(l);
  const t = s.observe({ base: 0x2000_0000, size: 16, name: 'dev' });
  s.store(0x2000_0004, 4, 5);
  s.load(0x2000_0004, 4);
  s.store(0x2000_0008, 8, 1, 2);
  assert.deepEqual([t.reads, t.writes, t.bytesWritten], [1, 2, 12]);
  assert.deepEqual(lines, [
    'w 0x20000004 4 mmio:dev 0x4',
    'r 0x20000004 4 mmio:dev 0x4',
    'w 0x20000008 8 mmio:dev 0x8',
  ]);
  s.counters.enabled = true;
  s.observe({ base: RAM, size: 8 });
  s.load(RAM, 4);
  s.load(RAM, 4);
  assert.equal(s.counters.counts[SlowPath.Observed], 2);
});

test('observation is off by default: counts nothing and costs no flags', () => {
  const m = machine();
  const s = m.addressSpace;
  assert.equal(s.observations.length, 0);
  s.store(R0, 8, 1, 1);
  assert.equal(s.resolvePage(R0).flags & PageFlag.Observed, 0);
  assert.throws(() => s.observe({ base: 2 ** 52, size: 1 }), /below 2\^52/);
});
