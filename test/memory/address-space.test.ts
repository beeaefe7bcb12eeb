// AddressSpace accesses. Oracles: a byte-by-byte model (shadow arrays per store, the fake router
// resolving each byte on its own, faults taken at the first faulting byte) for splitting across
// page, region and granule boundaries; QEMU memory.rst "MMIO Operations" (valid/impl sizes) for
// size adaptation, with recording fake devices; CONTRACTS.md for the fault of each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, PAGE_SIZE } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';
import {
  AccessFault,
  AddressSpace,
  CHUNK_SIZE,
  PageFlag,
  RangeKind,
  type AccessSize,
  type MmioOps,
  type RouteResult,
  type WindowRouter,
} from '../../src/memory/address-space.js';
import { SlowPath } from '../../src/memory/slow-path-counters.js';
import { Prng } from '../helpers/prng.js';

/** Modulo interleave over `stores` with a small granule; offsets in [holeStart, holeEnd) have no decode. */
class FakeRouter implements WindowRouter {
  calls = 0;
  constructor(
    readonly base: number,
    readonly gran: number,
    readonly stores: BackingStore[],
    readonly storeBase: number,
    readonly holeStart = -1,
    readonly holeEnd = -1,
  ) {}
  resolve(hpa: number, out: RouteResult): boolean {
    this.calls++;
    const off = hpa - this.base;
    if (off >= this.holeStart && off < this.holeEnd) return false;
    const w = this.stores.length;
    const g = this.gran;
    out.store = this.stores[Math.floor(off / g) % w]!;
    out.offset = this.storeBase + Math.floor(off / (g * w)) * g + (off % g);
    out.run = g - (off % g);
    return true;
  }
}

/** MMIO device that behaves like memory (so byte oracles apply); impl 1..4, valid 1..8 unaligned. */
function memLikeDevice(bytes: Uint8Array): MmioOps {
  return {
    valid: { min: 1, max: 8, unaligned: true },
    impl: { min: 1, max: 4 },
    read(off, size) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[off + i]!;
      return v;
    },
    write(off, size, value) {
      for (let i = 0; i < size; i++) bytes[off + i] = Math.floor(value / 2 ** (8 * i)) % 256;
    },
  };
}

interface Target {
  fault: AccessFault;
  shadow?: Uint8Array;
  index?: number;
  rom?: boolean;
}

function build(bases: { low: number; high: number; top: number }) {
  const arena = new Arena({ bytes: 1 << 25 });
  const as = new AddressSpace(arena);
  const mk = (name: string, size: number) => {
    const st = new BackingStore(arena, { name, size });
    return { st, shadow: new Uint8Array(size) };
  };
  const ram = mk('ram', 0x20000);
  const rom = mk('rom', 0x4000);
  const devs = [mk('d0', 0x4000), mk('d1', 0x4000), mk('d2', 0x4000)];
  const mmioBytes = new Uint8Array(0x1000);
  const mmioShadow = new Uint8Array(0x1000);
  const regions: { base: number; size: number; at: (a: number, write: boolean) => Target }[] = [];
  const routers: FakeRouter[] = [];
  const shadowOf = new Map<BackingStore, Uint8Array>([
    [ram.st, ram.shadow],
    [rom.st, rom.shadow],
    ...devs.map((d) => [d.st, d.shadow] as [BackingStore, Uint8Array]),
  ]);
  // Fill stores and shadows with the same random bytes.
  const rng = new Prng(99);
  // Map store pages in shuffled order so neighbouring store pages are not neighbouring arena pages.
  const touches: [BackingStore, number][] = [];
  for (const st of shadowOf.keys()) for (let o = 0; o < st.size; o += PAGE_SIZE) touches.push([st, o]);
  for (let i = touches.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [touches[i], touches[j]] = [touches[j]!, touches[i]!];
  }
  for (const [st, o] of touches) st.arenaOffset(o);
  for (const [st, sh] of shadowOf) {
    for (let i = 0; i < sh.length; i++) sh[i] = rng.below(256);
    st.write(0, sh);
  }
  for (let i = 0; i < 0x1000; i++) mmioShadow[i] = mmioBytes[i] = rng.below(256);

  as.begin();
  // Low: RAM (store offset 0x800, so HPA pages and store pages differ), ROM, MMIO, window, hole.
  const L = bases.low;
  as.ram('ram', L, ram.st, { storeOffset: 0x800, size: 0x10000 });
  regions.push({ base: L, size: 0x10000, at: (a) => ({ fault: 0, shadow: ram.shadow, index: a - L + 0x800 }) });
  as.rom('rom', L + 0x10000, rom.st, { size: 0x2000 });
  regions.push({
    base: L + 0x10000,
    size: 0x2000,
    at: (a, w) => (w ? { fault: AccessFault.ReadOnly } : { fault: 0, shadow: rom.shadow, index: a - L - 0x10000 }),
  });
  as.mmio('mem-like', L + 0x12000, 0x1000, memLikeDevice(mmioBytes));
  regions.push({
    base: L + 0x12000,
    size: 0x1000,
    at: (a) => ({ fault: 0, shadow: mmioShadow, index: a - L - 0x12000 }),
  });
  const addWindow = (base: number, size: number, gran: number, storeBase: number, hole: [number, number]) => {
    const r = new FakeRouter(
      base,
      gran,
      devs.map((d) => d.st),
      storeBase,
      hole[0],
      hole[1],
    );
    routers.push(r);
    as.window(`win@${base.toString(16)}`, base, size, r);
    const out: RouteResult = { store: null, offset: 0, run: 0 };
    regions.push({
      base,
      size,
      at: (a) =>
        r.resolve(a, out)
          ? { fault: 0, shadow: shadowOf.get(out.store!)!, index: out.offset }
          : { fault: AccessFault.Unrouted },
    });
  };
  addWindow(L + 0x13000, 0x3000, 64, 0, [0x1000, 0x1400]);
  // Across 4 GiB: RAM straddling 2^32, then a window with 256 B granules.
  as.ram('ram4g', bases.high, ram.st, { storeOffset: 0x10000, size: 0x2000 });
  regions.push({
    base: bases.high,
    size: 0x2000,
    at: (a) => ({ fault: 0, shadow: ram.shadow, index: a - bases.high + 0x10000 }),
  });
  addWindow(bases.high + 0x2000, 0x6000, 256, 0x1000, [-1, -1]);
  // Near 2^52: RAM then a window ending exactly at 2^52.
  as.ram('ramtop', bases.top, ram.st, { storeOffset: 0x12345, size: 0x2000 });
  regions.push({
    base: bases.top,
    size: 0x2000,
    at: (a) => ({ fault: 0, shadow: ram.shadow, index: a - bases.top + 0x12345 }),
  });
  addWindow(bases.top + 0x2000, 2 ** 52 - bases.top - 0x2000, 128, 0x2000, [-1, -1]);
  as.commit();

  const oracleAt = (a: number, write: boolean): Target => {
    for (const r of regions) if (a >= r.base && a < r.base + r.size) return r.at(a, write);
    return { fault: AccessFault.Unassigned };
  };
  return { arena, as, oracleAt, shadowOf, mmioBytes, mmioShadow, routers };
}

const BASES = { low: 0x8000_0000, high: 0x1_0000_0000 - 0x1000, top: 2 ** 52 - 0x6000 };

test('random accesses across page, region and granule boundaries match the byte oracle (seeded)', () => {
  const { as, oracleAt, shadowOf, mmioBytes, mmioShadow } = build(BASES);
  const rng = new Prng(7);
  // Interesting points: every region edge, page edges, granule edges, the 4 GiB and 2^52 marks.
  const points: number[] = [];
  for (const b of [BASES.low, BASES.high, BASES.top]) for (let k = 0; k <= 0x16000; k += 0x40) points.push(b + k);
  points.push(2 ** 32, 2 ** 52 - 8, 2 ** 52);
  const sizes: AccessSize[] = [1, 2, 4, 8];
  const buf = new Uint8Array(600);
  let faults = 0;
  for (let step = 0; step < 20000; step++) {
    const addr = rng.pick(points) + rng.range(-9, 9);
    const kind = rng.below(4);
    const label = `seed 7 step ${step} addr 0x${addr.toString(16)}`;
    if (kind <= 1) {
      const size = rng.pick(sizes);
      const write = kind === 1;
      const targets: Target[] = [];
      for (let i = 0; i < size; i++) targets.push(oracleAt(addr + i, write));
      const bad = targets.find((t) => t.fault !== 0);
      const want = bad ? bad.fault : 0;
      if (write) {
        const lo = rng.u32();
        const hi = rng.u32();
        const f = as.store(addr, size, lo, hi);
        assert.equal(f, want, `${label}: store${size} fault`);
        assert.equal(as.fault, want);
        if (!bad) {
          for (let i = 0; i < size; i++) {
            const v = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
            targets[i]!.shadow![targets[i]!.index!] = v;
          }
        }
      } else {
        const lo = as.load(addr, size);
        const hi = as.hi;
        assert.equal(as.fault, want, `${label}: load${size} fault`);
        if (bad) {
          faults++;
          assert.equal(lo, 0);
          continue;
        }
        let elo = 0;
        let ehi = 0;
        for (let i = Math.min(size, 4) - 1; i >= 0; i--) elo = elo * 256 + targets[i]!.shadow![targets[i]!.index!]!;
        for (let i = size - 1; i >= 4; i--) ehi = ehi * 256 + targets[i]!.shadow![targets[i]!.index!]!;
        assert.equal(lo, elo, `${label}: load${size} lo`);
        assert.equal(hi, ehi, `${label}: load${size} hi`);
      }
    } else {
      const len = rng.range(1, 600);
      const write = kind === 3;
      const view = buf.subarray(0, len);
      // Bulk: bytes before the first faulting byte are transferred.
      let firstFault = len;
      let want: AccessFault = 0;
      const targets: Target[] = [];
      for (let i = 0; i < len; i++) {
        const t = oracleAt(addr + i, write);
        if (t.fault !== 0) {
          firstFault = i;
          want = t.fault;
          break;
        }
        targets.push(t);
      }
      if (write) {
        for (let i = 0; i < len; i++) view[i] = rng.below(256);
        assert.equal(as.writeBytes(addr, view), want, `${label}: writeBytes ${len}`);
        for (let i = 0; i < firstFault; i++) targets[i]!.shadow![targets[i]!.index!] = view[i]!;
      } else {
        view.fill(0xee);
        assert.equal(as.readBytes(addr, view), want, `${label}: readBytes ${len}`);
        for (let i = 0; i < firstFault; i++)
          assert.equal(view[i], targets[i]!.shadow![targets[i]!.index!], `${label}: readBytes byte ${i}`);
      }
    }
  }
  assert.ok(faults > 100, 'the walk also exercised faults');
  for (const [st, sh] of shadowOf) {
    const got = new Uint8Array(sh.length);
    st.read(0, got);
    assert.deepEqual(got, sh, `store ${st.name} matches its shadow`);
  }
  assert.deepEqual(mmioBytes, mmioShadow);
});

test('faults: unassigned, ROM write, unrouted window, beyond 2^52; no partial effect', () => {
  const { as, arena } = build(BASES);
  as.load(0x10, 4);
  assert.equal(as.fault, AccessFault.Unassigned);
  const romAddr = BASES.low + 0x10000;
  const before = as.load(romAddr, 4);
  assert.equal(as.store(romAddr, 4, 0x12345678), AccessFault.ReadOnly);
  assert.equal(as.load(romAddr, 4), before, 'ROM unchanged');
  // A store straddling RAM -> ROM changes nothing (probe first).
  const ramEnd = BASES.low + 0x10000 - 4;
  const old = as.readU64(ramEnd);
  assert.equal(as.store(ramEnd, 8, 0xffffffff, 0xffffffff), AccessFault.ReadOnly);
  assert.equal(as.readU64(ramEnd), old);
  assert.equal(as.writeU64(ramEnd - 4, 0x0102030405060708n), AccessFault.None);
  assert.equal(as.readU64(ramEnd - 4), 0x0102030405060708n);
  // Window with no decode for [0x1000, 0x1400).
  as.load(BASES.low + 0x13000 + 0x1000, 8);
  assert.equal(as.fault, AccessFault.Unrouted);
  assert.equal(as.writeBytes(BASES.low + 0x13000 + 0x1000 - 2, new Uint8Array(4)), AccessFault.Unrouted);
  // 2^52 and beyond; an 8-byte access ending past 2^52.
  as.load(2 ** 52, 1);
  assert.equal(as.fault, AccessFault.Unassigned);
  as.load(2 ** 52 - 4, 8);
  assert.equal(as.fault, AccessFault.Unassigned);
  as.load(2 ** 52 - 8, 8);
  assert.equal(as.fault, AccessFault.None);
  as.load(-1, 1);
  assert.equal(as.fault, AccessFault.Unassigned);
  void arena;
});

interface Call {
  op: 'r' | 'w';
  off: number;
  size: number;
  value?: number;
}

function recorder(valid: MmioOps['valid'], impl: MmioOps['impl']) {
  const calls: Call[] = [];
  const ops: MmioOps = {
    valid,
    impl,
    read(off, size) {
      calls.push({ op: 'r', off, size });
      // Register file where byte at offset o reads as (o + 0x10) & 0xff.
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + ((off + i + 0x10) & 0xff);
      return v;
    },
    write(off, size, value) {
      calls.push({ op: 'w', off, size, value });
    },
  };
  return { calls, ops };
}

test('MMIO size adaptation: split wide accesses low first, widen narrow ones, reject invalid sizes', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const as = new AddressSpace(arena);
  const base = 0x1000_0000;
  const a = recorder({ min: 1, max: 8 }, { min: 1, max: 4 });
  as.mmio('a', base, 0x100, a.ops);
  const lo = as.load(base + 0x10, 8);
  assert.deepEqual(a.calls, [
    { op: 'r', off: 0x10, size: 4 },
    { op: 'r', off: 0x14, size: 4 },
  ]);
  assert.equal(lo, 0x23222120);
  assert.equal(as.hi, 0x27262524);
  a.calls.length = 0;
  as.store(base + 0x18, 8, 0xaabbccdd, 0x11223344);
  assert.deepEqual(a.calls, [
    { op: 'w', off: 0x18, size: 4, value: 0xaabbccdd },
    { op: 'w', off: 0x1c, size: 4, value: 0x11223344 },
  ]);
  a.calls.length = 0;
  as.store(base + 0x2, 2, 0x1234ffff); // only the low 16 bits reach the device
  assert.deepEqual(a.calls, [{ op: 'w', off: 2, size: 2, value: 0xffff }]);

  // impl 4 only: narrow accesses widen to the enclosing aligned word.
  const b = recorder({ min: 1, max: 4 }, { min: 4, max: 4 });
  as.mmio('b', base + 0x1000, 0x100, b.ops);
  assert.equal(as.load(base + 0x1013, 1), 0x23);
  assert.equal(as.load(base + 0x1012, 2), 0x2322);
  assert.deepEqual(b.calls, [
    { op: 'r', off: 0x10, size: 4 },
    { op: 'r', off: 0x10, size: 4 },
  ]);
  b.calls.length = 0;
  as.store(base + 0x1012, 1, 0xab);
  assert.deepEqual(b.calls, [{ op: 'w', off: 0x10, size: 4, value: 0xab0000 }]);
  // valid max 4: 8-byte access is BadSize and the device is not called.
  b.calls.length = 0;
  as.load(base + 0x1010, 8);
  assert.equal(as.fault, AccessFault.BadSize);
  assert.equal(as.store(base + 0x1010, 8, 1, 2), AccessFault.BadSize);
  assert.deepEqual(b.calls, []);

  // impl 1 only: a 4-byte access is four byte accesses, ascending.
  const c = recorder({ min: 1, max: 4 }, { min: 1, max: 1 });
  as.mmio('c', base + 0x2000, 0x100, c.ops);
  assert.equal(as.load(base + 0x2020, 4), 0x33323130);
  assert.deepEqual(
    c.calls.map((x) => [x.off, x.size]),
    [
      [0x20, 1],
      [0x21, 1],
      [0x22, 1],
      [0x23, 1],
    ],
  );
  // impl 2, valid exactly 8: four 2-byte accesses; narrower is BadSize.
  const d = recorder({ min: 8, max: 8 }, { min: 2, max: 2 });
  as.mmio('d', base + 0x3000, 0x100, d.ops);
  as.store(base + 0x3008, 8, 0x44332211, 0x88776655);
  assert.deepEqual(
    d.calls.map((x) => [x.off, x.value]),
    [
      [8, 0x2211],
      [10, 0x4433],
      [12, 0x6655],
      [14, 0x8877],
    ],
  );
  as.load(base + 0x3008, 4);
  assert.equal(as.fault, AccessFault.BadSize);
  // Unaligned access to a device without valid.unaligned: Misaligned, no call.
  a.calls.length = 0;
  as.load(base + 0x2, 4);
  assert.equal(as.fault, AccessFault.Misaligned);
  assert.deepEqual(a.calls, []);
});

test('RAM fast path: cache is flushed on commit, window routes refresh on invalidateRoutes', () => {
  const arena = new Arena({ bytes: 1 << 22 });
  const as = new AddressSpace(arena);
  const s1 = new BackingStore(arena, { name: 's1', size: 0x10000 });
  const s2 = new BackingStore(arena, { name: 's2', size: 0x10000 });
  const ram = as.ram('ram', 0x8000_0000, s1);
  as.store(0x8000_0000, 4, 0xcafe);
  assert.equal(as.load(0x8000_0000, 4), 0xcafe);
  as.remove(ram);
  as.load(0x8000_0000, 4);
  assert.equal(as.fault, AccessFault.Unassigned, 'stale cache not used after commit');
  s2.writeU32(0x40, 2);
  s1.writeU32(0x40, 1);
  let target = s1;
  const router: WindowRouter = {
    resolve(_hpa, out) {
      out.store = target;
      out.offset = _hpa - 0x10_0000_0000;
      out.run = 0x10000 - out.offset;
      return true;
    },
  };
  as.window('w', 0x10_0000_0000, 0x10000, router);
  assert.equal(as.load(0x10_0000_0040, 4), 1);
  const seen: unknown[] = [];
  as.onChange((c) => seen.push(c));
  target = s2;
  as.invalidateRoutes(0x10_0000_0000, 0x10000);
  assert.equal(as.load(0x10_0000_0040, 4), 2);
  assert.deepEqual(seen, [[{ base: 0x10_0000_0000, size: 0x10000 }]]);
});

test('writes through the fast path invalidate code pages', () => {
  const arena = new Arena({ bytes: 1 << 22 });
  const as = new AddressSpace(arena);
  const st = new BackingStore(arena, { name: 'ram', size: 0x10000 });
  as.ram('ram', 0x8000_0000, st);
  as.store(0x8000_1000, 4, 1); // warms the write cache
  const page = st.arenaOffset(0x1000) / PAGE_SIZE;
  arena.codePages.mark(page);
  const seen: number[] = [];
  arena.codePages.onInvalidate((p) => seen.push(p));
  as.store(0x8000_1004, 4, 2);
  assert.deepEqual(seen, [page]);
  as.writeBytes(0x8000_0ffe, new Uint8Array(4));
  assert.deepEqual(seen, [page]);
  arena.codePages.mark(page);
  as.writeBytes(0x8000_0ffe, new Uint8Array(4));
  assert.deepEqual(seen, [page, page]);
});

test('resolvePage gives the software TLB arena offsets and flags', () => {
  const { as, arena } = build(BASES);
  const L = BASES.low;
  // RAM at store offset 0x800: HPA pages are not store pages -> Split, no arena offset.
  let p = as.resolvePage(L + 0x10);
  assert.equal(p.kind, RangeKind.Ram);
  assert.ok(p.flags & PageFlag.Split);
  assert.equal(p.arenaOffset, -1);
  // ram4g at store offset 0x10000 is page aligned.
  p = as.resolvePage(BASES.high + 0x1234);
  assert.equal(p.base, BASES.high + 0x1000);
  assert.equal(p.flags, 0);
  const ram = as.lookup(BASES.high)!.region.store!;
  assert.equal(p.arenaOffset, ram.arenaOffset(0x11000));
  arena.codePages.mark(p.arenaOffset / PAGE_SIZE);
  assert.ok(as.resolvePage(BASES.high + 0x1000).flags & PageFlag.Code);
  p = as.resolvePage(L + 0x10000);
  assert.equal(p.kind, RangeKind.Rom);
  assert.ok(p.flags & PageFlag.ReadOnly);
  assert.notEqual(p.arenaOffset, -1);
  assert.ok(as.resolvePage(L + 0x12000).flags & PageFlag.Mmio);
  // 64 B granules: per-granule table needed.
  p = as.resolvePage(L + 0x13000);
  assert.equal(p.kind, RangeKind.Window);
  assert.ok(p.flags & PageFlag.Granule);
  assert.ok(as.resolvePage(L + 0x14000).flags & PageFlag.Fault, 'no decode');
  assert.ok(as.resolvePage(0x1000).flags & PageFlag.Fault, 'unassigned');
  assert.ok(as.resolvePage(2 ** 52 - 1).flags & PageFlag.Granule);
});

test('resolvePage gives a fine-interleaved page its 256 B chunk table (what a CPU caches per chunk)', () => {
  const { as } = build(BASES);
  const W = BASES.high + 0x2000; // 256 B granules over 3 stores
  const p = as.resolvePage(W + 0x123);
  assert.ok(p.flags & PageFlag.Granule);
  const t = p.chunks!;
  assert.equal(t.length, PAGE_SIZE / CHUNK_SIZE);
  const r = as.lookup(W)!.region.router!;
  const out: RouteResult = { store: null, offset: 0, run: 0 };
  for (let c = 0; c < t.length; c++) {
    r.resolve(W + c * CHUNK_SIZE, out);
    assert.equal(t[c], out.store!.arenaOffset(out.offset), `chunk ${c}`);
  }
  assert.equal(as.resolvePage(W).chunks, t, 'cached until the map changes');
  as.invalidateRoutes(W, PAGE_SIZE);
  assert.notEqual(as.resolvePage(W).chunks, t, 'rebuilt after a route change');
  assert.deepEqual([...as.resolvePage(W).chunks!], [...t]);
  // Granules below 256 B, plain pages, MMIO and unrouted pages have none.
  assert.equal(as.resolvePage(BASES.low + 0x13000).chunks, null, '64 B granules');
  assert.equal(as.resolvePage(2 ** 52 - 1).chunks, null, '128 B granules');
  assert.equal(as.resolvePage(BASES.high + 0x1000).chunks, null, 'RAM');
  assert.equal(as.resolvePage(BASES.low + 0x12000).chunks, null, 'MMIO');
  // Observed bytes leave every cache: the page is Mmio and has no table.
  as.observe({ base: W + 0x40, size: 8 });
  const q = as.resolvePage(W);
  assert.ok(q.flags & PageFlag.Mmio);
  assert.equal(q.chunks, null);
  assert.notEqual(as.resolvePage(W + PAGE_SIZE).chunks, null, 'the next page is not observed');
});

test('resolvePage leaves dirty-tracked stores out of chunk tables (a write must mark the page dirty)', () => {
  class Tracked extends BackingStore {
    override readonly tracksDirty = true;
  }
  const arena = new Arena({ bytes: 1 << 22 });
  const as = new AddressSpace(arena);
  const plain = [0, 1].map((i) => new BackingStore(arena, { name: `p${i}`, size: 0x4000 }));
  const mixed = [plain[0]!, new Tracked(arena, { name: 't', size: 0x4000 })];
  as.begin();
  as.window('plain', 0x1_0000_0000, 0x4000, new FakeRouter(0x1_0000_0000, 256, plain, 0));
  as.window('mixed', 0x2_0000_0000, 0x4000, new FakeRouter(0x2_0000_0000, 256, mixed, 0));
  as.commit();
  assert.notEqual(as.resolvePage(0x1_0000_0000).chunks, null);
  assert.equal(as.resolvePage(0x2_0000_0000).chunks, null);
});

test('slow-path counters count by reason only when enabled', () => {
  const { as } = build(BASES);
  as.load(BASES.high, 8);
  assert.equal(as.counters.counts[SlowPath.CacheMiss], 0);
  as.counters.enabled = true;
  as.load(BASES.high + 0x1000, 8); // miss (new page)
  as.load(BASES.high + 0x1008, 8); // hit
  as.load(BASES.low + 0x12000, 4); // mmio
  as.load(BASES.high + 0x1ffc, 8); // crosses into the window: split
  as.load(0, 1); // fault
  const s = as.counters.snapshot();
  assert.equal(s.CacheMiss, 4);
  assert.equal(s.Mmio, 1);
  assert.equal(s.Split, 1);
  assert.equal(s.Fault, 1);
  as.counters.reset();
  assert.equal(as.counters.counts[SlowPath.CacheMiss], 0);
});

test('pages the read cache held before stay behind it (a page walk reads three tables in turn) until a flush', () => {
  const { as, oracleAt } = build(BASES);
  const L = BASES.low;
  const pages = [L + 0x1010, L + 0x5020, L + 0xb038]; // three RAM pages, distinct cache slots
  const expect = (a: number) => {
    const t = oracleAt(a, false);
    let v = 0;
    for (let i = 3; i >= 0; i--) v = v * 256 + t.shadow![t.index! + i]!;
    return v;
  };
  as.counters.enabled = true;
  for (let round = 0; round < 4; round++)
    for (const a of pages) assert.equal(as.load(a, 4), expect(a), `round ${round} at ${a.toString(16)}`);
  assert.equal(as.counters.counts[SlowPath.CacheMiss], 3, 'only the first round missed');
  as.invalidateRoutes(L, 0x10000); // any change to the map empties every cached page
  for (const a of pages) assert.equal(as.load(a, 4), expect(a));
  assert.equal(as.counters.counts[SlowPath.CacheMiss], 6);
});

test('resolveRun gives arena offset and contiguous run per granule (for per-granule TLB tables)', () => {
  const { as } = build(BASES);
  const W = BASES.high + 0x2000; // 256 B granules over 3 stores, store base 0x1000
  for (let g = 0; g < 16; g++) {
    const a = as.resolveRun(W + g * 256 + 10);
    assert.equal(as.runLength, 246);
    const r = as.lookup(W)!.region.router!;
    const out: RouteResult = { store: null, offset: 0, run: 0 };
    r.resolve(W + g * 256 + 10, out);
    assert.equal(a, out.store!.arenaOffset(out.offset));
  }
  assert.equal(as.resolveRun(BASES.low + 0x12000), -1, 'mmio');
  assert.equal(as.resolveRun(BASES.low + 0x10000, true), -1, 'rom for write');
  assert.notEqual(as.resolveRun(BASES.low + 0x10000), -1, 'rom for read');
  assert.equal(as.resolveRun(0), -1, 'unassigned');
  // RAM at store offset 0x800: a run stops at the store page end.
  as.resolveRun(BASES.low);
  assert.equal(as.runLength, 0x800);
});
