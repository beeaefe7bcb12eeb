// AddressSpace media guards (docs/memory.md "Poison and disabled media"): a guarded store's
// poisoned 64-byte lines fault loads with AccessFault.Poisoned and never the neighbours; pages
// holding poison (or disabled media) are never cached (PageFlag.Poisoned | Mmio, resolveRun -1);
// disabled media reads all-ones and drops stores. Oracle: a hand-kept set of poisoned line
// indices in a fake guard, and the bytes written through the store directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';
import { AddressSpace, AccessFault, PageFlag, type MediaGuard } from '../../src/memory/address-space.js';

class FakeGuard implements MediaGuard {
  lines = new Set<number>();
  disabled = false;
  get active(): boolean {
    return this.lines.size !== 0 || this.disabled;
  }
  poisoned(off: number, len: number): boolean {
    for (let l = Math.floor(off / 64); l < Math.ceil((off + len) / 64); l++) if (this.lines.has(l)) return true;
    return false;
  }
  pageHasPoison(off: number): boolean {
    const p = Math.floor(off / 4096);
    for (const l of this.lines) if (Math.floor((l * 64) / 4096) === p) return true;
    return false;
  }
}

const BASE = 0x8000_0000;

function setup() {
  const arena = new Arena({ bytes: 8 * 2 ** 20 });
  const as = new AddressSpace(arena);
  const store = new BackingStore(arena, { name: 'media', size: 64 * 1024 });
  as.ram('media', BASE, store);
  const g = new FakeGuard();
  const flushes: number[] = [];
  as.onChange(() => flushes.push(1));
  as.guardStore(store, g);
  for (let i = 0; i < 64 * 1024; i += 4) store.writeU32(i, (0x1000_0000 + i) >>> 0);
  return { as, store, g, flushes };
}

test('unguarded (inactive) pages stay cacheable; a poisoned line faults loads, its neighbours do not', () => {
  const { as, g } = setup();
  assert.equal(as.load(BASE + 0x1100, 4), 0x1000_1100);
  let p = as.resolvePage(BASE + 0x1000);
  assert.equal(p.flags & (PageFlag.Poisoned | PageFlag.Mmio), 0);
  assert.ok(p.arenaOffset >= 0);
  g.lines.add(0x1100 / 64);
  as.invalidateRoutes(BASE, 0x10000); // the guard owner's duty on every change
  assert.equal(as.load(BASE + 0x1100, 8), 0);
  assert.equal(as.fault, AccessFault.Poisoned);
  assert.equal(as.load(BASE + 0x113f, 1), 0);
  assert.equal(as.fault, AccessFault.Poisoned);
  assert.equal(as.load(BASE + 0x10f8, 8), 0x1000_10f8);
  assert.equal(as.fault, AccessFault.None);
  assert.equal(as.load(BASE + 0x1140, 4), 0x1000_1140);
  assert.equal(as.fault, AccessFault.None);
  // A misaligned load straddling into the poisoned line faults as a whole.
  as.load(BASE + 0x10fc, 8);
  assert.equal(as.fault, AccessFault.Poisoned);
  // The page is never cached; other pages are.
  p = as.resolvePage(BASE + 0x1000);
  assert.equal(p.flags & (PageFlag.Poisoned | PageFlag.Mmio), PageFlag.Poisoned | PageFlag.Mmio);
  assert.equal(as.resolveRun(BASE + 0x1040), -1);
  p = as.resolvePage(BASE + 0x2000);
  assert.equal(p.flags & PageFlag.Poisoned, 0);
  assert.ok(as.resolveRun(BASE + 0x2000) >= 0);
  // Repeated clean loads on the poisoned page keep reaching the check (no cached page).
  for (let i = 0; i < 3; i++) {
    assert.equal(as.load(BASE + 0x1000, 4), 0x1000_1000);
    as.load(BASE + 0x1100, 4);
    assert.equal(as.fault, AccessFault.Poisoned);
  }
});

test('stores to a poisoned line complete and the line stays poisoned; bulk reads stop at the line', () => {
  const { as, store, g } = setup();
  g.lines.add(0x2040 / 64);
  as.invalidateRoutes(BASE, 0x10000);
  assert.equal(as.store(BASE + 0x2040, 4, 0xdead_beef), AccessFault.None);
  assert.equal(store.readU32(0x2040), 0xdead_beef);
  as.load(BASE + 0x2040, 4);
  assert.equal(as.fault, AccessFault.Poisoned);
  const buf = new Uint8Array(0x80);
  assert.equal(as.readBytes(BASE + 0x2000, buf), AccessFault.Poisoned);
  assert.equal(new DataView(buf.buffer).getUint32(0x3c, true), 0x1000_203c, 'bytes before the line moved');
  assert.equal(buf[0x40], 0, 'no byte of the poisoned line moved');
  assert.equal(as.writeBytes(BASE + 0x2000, new Uint8Array(0x80).fill(7)), AccessFault.None);
  // Cleared: readable again with the data written meanwhile.
  g.lines.clear();
  as.invalidateRoutes(BASE, 0x10000);
  assert.equal(as.load(BASE + 0x2040, 4), 0x0707_0707);
  assert.equal(as.fault, AccessFault.None);
  assert.ok(as.resolvePage(BASE + 0x2000).arenaOffset >= 0);
  assert.equal(as.resolvePage(BASE + 0x2000).flags & PageFlag.Mmio, 0);
});

test('disabled media: loads read all-ones, stores are dropped, nothing faults, nothing is cached', () => {
  const { as, store, g } = setup();
  assert.equal(as.load(BASE + 0x3000, 4), 0x1000_3000); // cache the page
  g.disabled = true;
  as.invalidateRoutes(BASE, 0x10000);
  assert.equal(as.load(BASE + 0x3000, 8), 0xffff_ffff);
  assert.equal(as.hi, 0xffff_ffff);
  assert.equal(as.fault, AccessFault.None);
  assert.equal(as.load(BASE + 0x3001, 2), 0xffff);
  assert.equal(as.load(BASE + 0x3001, 1), 0xff);
  assert.equal(as.store(BASE + 0x3000, 4, 0x1234), AccessFault.None);
  const buf = new Uint8Array(16);
  assert.equal(as.readBytes(BASE + 0x3ff8, buf), AccessFault.None);
  assert.deepEqual([...buf], new Array(16).fill(0xff));
  assert.equal(as.writeBytes(BASE + 0x3ff8, new Uint8Array(16)), AccessFault.None);
  assert.equal(as.resolvePage(BASE + 0x5000).flags & PageFlag.Poisoned, PageFlag.Poisoned);
  assert.equal(as.resolveRun(BASE + 0x5000), -1);
  g.disabled = false;
  as.invalidateRoutes(BASE, 0x10000);
  assert.equal(store.readU32(0x3000), 0x1000_3000, 'the store was dropped');
  assert.equal(as.load(BASE + 0x3ffc, 4), 0x1000_3ffc);
  assert.equal(as.load(BASE + 0x4000, 4), 0x1000_4000);
});

test('removing the guard restores plain RAM', () => {
  const arena = new Arena({ bytes: 8 * 2 ** 20 });
  const as = new AddressSpace(arena);
  const store = new BackingStore(arena, { name: 'm', size: 8192 });
  as.ram('m', BASE, store);
  const g = new FakeGuard();
  g.lines.add(0);
  const off = as.guardStore(store, g);
  as.load(BASE, 4);
  assert.equal(as.fault, AccessFault.Poisoned);
  off();
  as.load(BASE, 4);
  assert.equal(as.fault, AccessFault.None);
});

test('observed stores keep counting accesses to clean lines of a poisoned page and to disabled media', () => {
  const { as, store, g } = setup();
  const t = as.observe({ store });
  g.lines.add(0x1100 / 64);
  as.invalidateRoutes(BASE, 0x10000);
  assert.equal(as.load(BASE + 0x1000, 4), 0x1000_1000);
  assert.equal(as.load(BASE + 0x1004, 4), 0x1000_1004);
  assert.equal(t.reads, 2);
  g.lines.clear();
  g.disabled = true;
  as.invalidateRoutes(BASE, 0x10000);
  as.load(BASE + 0x1000, 4);
  as.store(BASE + 0x1000, 4, 1);
  assert.equal(t.reads, 3);
  assert.equal(t.writes, 1);
});
