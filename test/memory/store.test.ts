// BackingStore: first-touch mapping, page counts, little-endian values split across pages.
// Oracle: a plain Uint8Array model of the store's bytes, updated by the same operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, PAGE_SIZE } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';
import { Prng } from '../helpers/prng.js';

test('pages are mapped on first touch, reads included, and counted', () => {
  const a = new Arena({ bytes: 1 << 24 });
  const st = new BackingStore(a, { name: 'ram', size: 64 * PAGE_SIZE });
  assert.equal(st.touchedPages(), 0);
  assert.equal(st.arenaOffsetIfMapped(0), -1);
  assert.equal(st.readU32(10 * PAGE_SIZE), 0);
  assert.equal(st.touchedPages(), 1);
  assert.notEqual(st.arenaOffsetIfMapped(10 * PAGE_SIZE), -1);
  st.writeU32(PAGE_SIZE - 2, 0xdeadbeef); // straddles pages 0 and 1
  assert.equal(st.touchedPages(), 3);
  assert.equal(st.readU32(PAGE_SIZE - 2), 0xdeadbeef);
  assert.equal(st.readU16(PAGE_SIZE - 2), 0xbeef);
  assert.equal(st.readU16(PAGE_SIZE), 0xdead);
  assert.equal(a.pagesInUse, 3);
  const off = st.arenaOffset(PAGE_SIZE + 5);
  assert.equal(off % PAGE_SIZE, 5);
  assert.equal(st.arenaOffset(PAGE_SIZE + 5), off, 'same page stays mapped at the same arena offset');
  st.close();
  assert.equal(a.pagesInUse, 0);
});

test('sizes are checked and accesses outside the store throw RangeError naming the store', () => {
  const a = new Arena({ bytes: 1 << 20 });
  assert.throws(() => new BackingStore(a, { name: 'x', size: 0 }), /store x: size/);
  const st = new BackingStore(a, { name: 'lsa', size: 1000 });
  assert.throws(() => st.readU32(998), /store lsa: readU32 at offset 998/);
  assert.throws(() => st.write(999, new Uint8Array(2)), /outside 0\.\.1000/);
});

test('random mixed accesses agree with a byte-array model (seeded)', () => {
  const rng = new Prng(1234);
  const a = new Arena({ bytes: 1 << 24 });
  const size = 16 * PAGE_SIZE + 100;
  const st = new BackingStore(a, { name: 'm', size });
  const model = new Uint8Array(size);
  const rd = (o: number, n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(model[o + i]!);
    return v;
  };
  for (let k = 0; k < 4000; k++) {
    const op = rng.below(7);
    const n = [1, 2, 4, 8, 1, 2, 4][op]!;
    const o = rng.below(size - 64);
    if (rng.chance(0.5)) {
      const v = BigInt(rng.u32()) | (BigInt(rng.u32()) << 32n);
      const vv = BigInt.asUintN(8 * n, v);
      for (let i = 0; i < n; i++) model[o + i] = Number((vv >> BigInt(8 * i)) & 0xffn);
      if (n === 1) st.writeU8(o, Number(vv));
      else if (n === 2) st.writeU16(o, Number(vv));
      else if (n === 4) st.writeU32(o, Number(vv));
      else st.writeU64(o, vv);
    } else if (op === 5) {
      const len = rng.below(3 * PAGE_SIZE);
      const src = new Uint8Array(len).map(() => rng.below(256));
      const oo = rng.below(size - len);
      model.set(src, oo);
      st.write(oo, src);
    } else if (op === 6) {
      const len = rng.below(2 * PAGE_SIZE);
      const oo = rng.below(size - len);
      const b = rng.below(256);
      model.fill(b, oo, oo + len);
      st.fill(oo, len, b);
    } else {
      const got =
        n === 1
          ? BigInt(st.readU8(o))
          : n === 2
            ? BigInt(st.readU16(o))
            : n === 4
              ? BigInt(st.readU32(o))
              : st.readU64(o);
      assert.equal(got, rd(o, n), `seed 1234 step ${k} read${n} at ${o}`);
    }
  }
  const all = new Uint8Array(size);
  st.read(0, all);
  assert.deepEqual(all, model);
});
