// Arena: page allocator, static blocks, ArenaFullError text, code-page bitmap and noteWrite.
// Oracle: DESIGN.md "The arena, concretely" (4 GiB shared memory, never grown, error naming the
// sizing option) and simple counting models written inline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, ArenaFullError, PAGE_SIZE, MAX_ARENA_BYTES } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';

const SMALL = 4 * 65536; // 64 arena pages

test('default arena is one shared 4 GiB memory with full-size views', () => {
  const a = new Arena();
  assert.equal(a.bytes, MAX_ARENA_BYTES);
  assert.equal(a.u8.length, 2 ** 32);
  assert.equal(a.u32.length, 2 ** 30);
  assert.ok(a.memory.buffer instanceof SharedArrayBuffer);
  assert.throws(() => a.memory.grow(1)); // initial = maximum
  a.u8[2 ** 32 - 1] = 7;
  assert.equal(a.u8[2 ** 32 - 1], 7);
});

test('arena size option is validated and names the rule', () => {
  assert.throws(() => new Arena({ bytes: 1000 }), /multiple of 65536/);
  assert.throws(() => new Arena({ bytes: 2 ** 33 }), /got 8589934592/);
});

test('pages are page aligned, zeroed, never offset 0, and reused after free', () => {
  const a = new Arena({ bytes: SMALL });
  const p1 = a.allocPage('-m');
  const p2 = a.allocPage('-m');
  assert.notEqual(p1, 0);
  assert.equal(p1 % PAGE_SIZE, 0);
  assert.equal(p2 % PAGE_SIZE, 0);
  assert.notEqual(p1, p2);
  assert.equal(a.pagesInUse, 2);
  a.u8.fill(0xaa, p1, p1 + PAGE_SIZE);
  a.freePage(p1);
  assert.equal(a.pagesInUse, 1);
  const p3 = a.allocPage('-m');
  assert.equal(p3, p1);
  assert.ok(
    a.u8.subarray(p3, p3 + PAGE_SIZE).every((b) => b === 0),
    'reused page is zeroed',
  );
  assert.throws(() => a.freePage(p3 + 1), /not a page/);
});

test('allocStatic is page aligned and disjoint from pages', () => {
  const a = new Arena({ bytes: SMALL });
  const s = a.allocStatic(100, 'tlb');
  const p = a.allocPage('-m');
  assert.equal(s % PAGE_SIZE, 0);
  assert.ok(p >= s + PAGE_SIZE || p + PAGE_SIZE <= s);
});

test('ArenaFullError names the option that sized the memory and the arena size', () => {
  const a = new Arena({ bytes: SMALL });
  const st = new BackingStore(a, { name: 'vmem0', size: 1 << 20, sizedBy: 'memory-backend-ram vmem0 size' });
  let err: unknown;
  try {
    for (let off = 0; off < st.size; off += PAGE_SIZE) st.writeU8(off, 1);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ArenaFullError);
  assert.equal(err.sizedBy, 'memory-backend-ram vmem0 size');
  assert.match(err.message, /guest memory arena is full \(262144 bytes/);
  assert.match(err.message, /reduce memory-backend-ram vmem0 size/);
  // Pages mapped before the error stay readable.
  assert.equal(st.readU8(0), 1);
  assert.throws(
    () => a.allocStatic(PAGE_SIZE, 'jit code cache'),
    (e: unknown) => e instanceof ArenaFullError && /jit code cache/.test(e.message),
  );
});

test('CodePages mark/has/clear count, and noteWrite invalidates exactly the written pages', () => {
  const a = new Arena({ bytes: SMALL });
  const cp = a.codePages;
  const seen: number[] = [];
  cp.onInvalidate((p) => seen.push(p));
  a.noteWrite(5 * PAGE_SIZE, 8); // nothing marked: no-op
  assert.deepEqual(seen, []);
  cp.mark(5);
  cp.mark(7);
  cp.mark(7);
  assert.equal(cp.count, 2);
  assert.ok(cp.has(5) && cp.has(7) && !cp.has(6));
  // Bitmap lives in the arena: bit p of byte p>>3 at bitmapOffset.
  assert.equal(a.u8[cp.bitmapOffset]! & (1 << 5), 1 << 5);
  a.noteWrite(6 * PAGE_SIZE, PAGE_SIZE); // page 6 only
  assert.deepEqual(seen, []);
  a.noteWrite(6 * PAGE_SIZE - 4, 8); // touches 5 and 6
  assert.deepEqual(seen, [5]);
  assert.ok(!cp.has(5));
  a.noteWrite(5 * PAGE_SIZE, 3 * PAGE_SIZE); // 5..7
  assert.deepEqual(seen, [5, 7]);
  assert.equal(cp.count, 0);
});

test('CodePages granules: a page marked with no code bytes (first > last) has no code granule; chunk masks; remark is silent', () => {
  const a = new Arena({ bytes: SMALL });
  const cp = a.codePages;
  const seen: number[] = [];
  const marked: number[] = [];
  cp.onInvalidate((p) => seen.push(p));
  cp.onMark((p) => marked.push(p));
  // As the interpreter does when it first fetches from a page: marked, but no granule yet.
  cp.markCodeBytes(5, 1, 0);
  assert.ok(cp.has(5));
  assert.deepEqual(marked, [5]);
  assert.equal(cp.chunkCodeMask(5, 0), 0);
  a.noteWrite(5 * PAGE_SIZE, 8); // granule 0: no code there
  assert.deepEqual(seen, []);
  // Code in bytes 0x80..0x87 (granules 8): chunk 0's mask has bit 8; a write there invalidates.
  cp.markCodeBytes(5, 0x80, 0x87);
  assert.equal(cp.chunkCodeMask(5, 0), 1 << 8);
  assert.equal(cp.chunkCodeMask(5, 1), 0);
  a.noteWrite(5 * PAGE_SIZE + 0x70, 16); // granule 7: still data
  assert.deepEqual(seen, []);
  a.noteWrite(5 * PAGE_SIZE + 0x84, 4);
  assert.deepEqual(seen, [5]);
  assert.equal(cp.chunkCodeMask(5, 0), 0, 'cleared with the page');
  // A page tracked whole: every chunk may hold code.
  cp.mark(6);
  assert.equal(cp.chunkCodeMask(6, 3), -1);
  // remark sets the bit again without telling the mark listeners.
  marked.length = 0;
  cp.remark(5);
  assert.ok(cp.has(5));
  assert.deepEqual(marked, []);
});

test('store writes go through noteWrite', () => {
  const a = new Arena({ bytes: SMALL });
  const st = new BackingStore(a, { name: 'm', size: 4 * PAGE_SIZE });
  const page = st.arenaOffset(PAGE_SIZE) / PAGE_SIZE;
  a.codePages.mark(page);
  const seen: number[] = [];
  a.codePages.onInvalidate((p) => seen.push(p));
  st.writeU32(0, 1);
  assert.deepEqual(seen, []);
  st.writeU32(PAGE_SIZE + 4, 1);
  assert.deepEqual(seen, [page]);
});

test('pages handed out before a static block can still be freed; static pages never can', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const early = arena.allocPage('-m');
  const stat = arena.allocStatic(8192, 'hart 0 state');
  const late = arena.allocPage('-m');
  arena.freePage(early);
  arena.freePage(late);
  assert.throws(() => arena.freePage(stat), /not a page handed out by allocPage/);
  assert.throws(() => arena.freePage(stat + 4096), /not a page handed out by allocPage/);
  assert.equal(arena.pagesInUse, 0);
});

test('CodePages granules: a write clears the marks of the granules it touches only; the page goes when none is left', () => {
  const a = new Arena({ bytes: SMALL });
  const cp = a.codePages;
  const seen: [number, number, number][] = [];
  cp.onInvalidate((p, first, last) => seen.push([p, first, last]));
  cp.markCodeBytes(5, 0x20, 0x2f); // granule 2
  cp.markCodeBytes(5, 0x84, 0x87); // granule 8
  a.noteWrite(5 * PAGE_SIZE + 0x86, 2);
  assert.deepEqual(seen, [[5, 0x80, 0x8f]], 'the written granule, as bytes');
  assert.ok(cp.has(5), 'granule 2 still holds code');
  assert.equal(cp.chunkCodeMask(5, 0), 1 << 2);
  a.noteWrite(5 * PAGE_SIZE + 0x84, 4); // granule 8 holds no code now: nothing to report
  assert.equal(seen.length, 1);
  a.noteWrite(5 * PAGE_SIZE + 0x1c, 8); // granules 1 and 2
  assert.deepEqual(seen[1], [5, 0x10, 0x2f]);
  assert.ok(!cp.has(5), 'no code left on the page');
  cp.mark(6); // tracked whole: cleared whole
  a.noteWrite(6 * PAGE_SIZE + 0x100, 1);
  assert.deepEqual(seen[2], [6, 0, PAGE_SIZE - 1]);
});
