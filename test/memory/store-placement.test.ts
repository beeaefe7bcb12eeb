// Placed stores (src/memory/store.ts PagePlacement, Arena.allocFreshRun): pages come in runs of
// fresh contiguous arena pages, each run placed once before any page of it is used, the unused tail
// goes back on close, and a full arena falls back to single placed pages. Oracle: page arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arena, PAGE_SIZE } from '../../src/memory/arena.js';
import { BackingStore } from '../../src/memory/store.js';

function placed(runPages: number, fail?: string) {
  const calls: [number, number][] = [];
  const place = (off: number, bytes: number) => {
    calls.push([off, bytes]);
    return fail;
  };
  return { calls, placement: { runPages, place } };
}

test('pages come from runs placed once each, contiguous in first-touch order; the tail is freed on close', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const s = new BackingStore(arena, { name: 'dev', size: 20 * PAGE_SIZE });
  const p = placed(8);
  s.setPlacement(p.placement);
  const base = s.arenaOffset(0);
  assert.deepEqual(p.calls, [[base, 8 * PAGE_SIZE]]);
  assert.equal(s.arenaOffset(5 * PAGE_SIZE + 7), base + PAGE_SIZE + 7);
  assert.equal(s.arenaOffset(19 * PAGE_SIZE), base + 2 * PAGE_SIZE);
  for (let pg = 1; pg <= 7; pg++) s.arenaOffset(pg * PAGE_SIZE); // pages 1..4, 6, 7 new (5 mapped): nine in all
  assert.equal(p.calls.length, 2, 'the ninth page starts a second run');
  assert.equal(arena.pagesInUse, 16);
  s.close();
  assert.equal(arena.pagesInUse, 0, 'mapped pages and the unused tail are back');
});

test('a run never exceeds what the store can still map', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const s = new BackingStore(arena, { name: 'small', size: 3 * PAGE_SIZE });
  const p = placed(512);
  s.setPlacement(p.placement);
  s.arenaOffset(0);
  assert.deepEqual(
    p.calls.map((c) => c[1]),
    [3 * PAGE_SIZE],
  );
});

test('without fresh pages left, a placed store takes single pages from the free list and places each', () => {
  const arena = new Arena({ bytes: 4 * 65536 });
  const taken: number[] = [];
  for (;;) {
    try {
      taken.push(arena.allocPage('fill'));
    } catch {
      break;
    }
  }
  arena.freePage(taken[3]!);
  arena.freePage(taken[4]!);
  const s = new BackingStore(arena, { name: 'dev', size: 4 * PAGE_SIZE });
  const p = placed(8, 'mbind failed: EINVAL');
  s.setPlacement(p.placement);
  s.arenaOffset(0);
  s.arenaOffset(PAGE_SIZE);
  assert.deepEqual(
    p.calls.map((c) => c[1]),
    [PAGE_SIZE, PAGE_SIZE],
  );
  assert.equal(s.placementError, 'mbind failed: EINVAL', 'the first error is kept; the store goes on');
});

test('placement is set before any page is mapped', () => {
  const arena = new Arena({ bytes: 1 << 20 });
  const s = new BackingStore(arena, { name: 'dev', size: 4 * PAGE_SIZE });
  s.arenaOffset(0);
  assert.throws(() => s.setPlacement(placed(8).placement), /setPlacement after 1 pages/);
});
