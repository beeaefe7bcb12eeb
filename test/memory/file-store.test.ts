// FileBackedStore: lazy paging, write-back, journal crash-safety. Oracles: the file's bytes read
// with node:fs (old/new page patterns written by the test), the pagesReadFromFile counter for
// laziness, and the protocol in src/memory/file-store.ts's header (all-old or all-new after any
// interruption), exercised by throwing from each flush step and by SIGKILLing a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Arena, PAGE_SIZE } from '../../src/memory/arena.js';
import { FileBackedStore, FileStoreError, crc32, parseJournal, type FlushStep } from '../../src/memory/file-store.js';
import { AddressSpace } from '../../src/memory/address-space.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cxlemu-file-store-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(tmp, `f${n++}.img`);
const arena = new Arena({ bytes: 1 << 24 });

const PAGES = 16;
const SIZE = PAGES * PAGE_SIZE;
const DIRTY = [1, 2, 5, 9, 15];

function writeOld(file: string) {
  const b = Buffer.alloc(SIZE);
  for (let p = 0; p < PAGES; p++) b.fill(0x10 + p, p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
  fs.writeFileSync(file, b);
}

/** 'old', 'new' or 'torn' for the DIRTY pages (new = 0xee); other pages must stay old. */
function fileState(file: string): 'old' | 'new' | 'torn' {
  const b = fs.readFileSync(file);
  let olds = 0;
  let news = 0;
  for (let p = 0; p < PAGES; p++) {
    const page = b.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    const isOld = page.every((x) => x === 0x10 + p);
    const isNew = page.every((x) => x === 0xee);
    if (!DIRTY.includes(p)) assert.ok(isOld, `page ${p} untouched`);
    else if (isOld) olds++;
    else if (isNew) news++;
    else return 'torn';
  }
  return olds === DIRTY.length ? 'old' : news === DIRTY.length ? 'new' : 'torn';
}

test('creates a missing file at the requested size; round trip through close and reopen', () => {
  const file = fresh();
  const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: 3 * PAGE_SIZE + 100 });
  assert.equal(fs.statSync(file).size, 3 * PAGE_SIZE + 100);
  assert.equal(st.recovery, 'none');
  st.writeU64(PAGE_SIZE - 4, 0x1122334455667788n);
  st.writeU8(3 * PAGE_SIZE + 99, 0x5a);
  assert.equal(st.dirtyPages(), 3);
  st.close();
  assert.equal(fs.existsSync(file + '.journal'), false);
  const b = fs.readFileSync(file);
  assert.equal(b.readBigUInt64LE(PAGE_SIZE - 4), 0x1122334455667788n);
  assert.equal(b[3 * PAGE_SIZE + 99], 0x5a);
  const st2 = new FileBackedStore(arena, { name: 'pmem0', path: file, size: 3 * PAGE_SIZE + 100, share: true });
  assert.equal(st2.share, true);
  assert.equal(st2.readU64(PAGE_SIZE - 4), 0x1122334455667788n);
  st2.close();
});

test('lazy paging: only touched pages are read from the file; clean pages are not written', () => {
  const file = fresh();
  writeOld(file);
  const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: SIZE });
  assert.equal(st.pagesReadFromFile, 0);
  assert.equal(st.readU8(10 * PAGE_SIZE + 7), 0x1a);
  assert.equal(st.pagesReadFromFile, 1);
  assert.equal(st.readU32(10 * PAGE_SIZE), 0x1a1a1a1a);
  assert.equal(st.pagesReadFromFile, 1);
  st.writeU8(3 * PAGE_SIZE, 0xff); // page-in before write: the rest of the page keeps file bytes
  assert.equal(st.pagesReadFromFile, 2);
  assert.equal(st.touchedPages(), 2);
  st.flush();
  assert.equal(st.pagesWrittenBack, 1);
  st.flush();
  assert.equal(st.pagesWrittenBack, 1, 'nothing dirty, nothing written');
  st.close();
  const b = fs.readFileSync(file);
  assert.equal(b[3 * PAGE_SIZE], 0xff);
  assert.equal(b[3 * PAGE_SIZE + 1], 0x13);
});

test('clear errors: file smaller than requested, unreadable path', () => {
  const file = fresh();
  fs.writeFileSync(file, Buffer.alloc(1000));
  assert.throws(
    () => new FileBackedStore(arena, { name: 'pmem0', path: file, size: 8192 }),
    (e: unknown) =>
      e instanceof FileStoreError &&
      e.message === `memory backend file ${file} is 1000 bytes, smaller than the requested size 8192 bytes of pmem0`,
  );
  assert.throws(
    () => new FileBackedStore(arena, { name: 'lsa0', path: tmp, size: 8192 }),
    (e: unknown) =>
      e instanceof FileStoreError && e.message.startsWith(`cannot open memory backend file ${tmp} for lsa0`),
  );
  assert.throws(
    () => new FileBackedStore(arena, { name: 'lsa0', path: path.join(tmp, 'no', 'such', 'dir', 'x'), size: 8192 }),
    (e: unknown) =>
      e instanceof FileStoreError && /cannot create memory backend file .*no\/such\/dir\/x for lsa0/.test(e.message),
  );
  // A larger file is fine: only the first `size` bytes are used.
  const big = fresh();
  fs.writeFileSync(big, Buffer.alloc(3 * PAGE_SIZE, 7));
  const st = new FileBackedStore(arena, { name: 'p', path: big, size: PAGE_SIZE });
  st.writeU8(0, 1);
  st.close();
  assert.equal(fs.statSync(big).size, 3 * PAGE_SIZE);
});

class Crash extends Error {}

function crashAt(file: string, step: FlushStep, detail: number): void {
  const st = new FileBackedStore(arena, {
    name: 'pmem0',
    path: file,
    size: SIZE,
    crashHook: (s, d) => {
      if (s === step && d === detail) throw new Crash(`${s} ${d}`);
    },
  });
  for (const p of DIRTY) st.fill(p * PAGE_SIZE, PAGE_SIZE, 0xee);
  assert.throws(() => st.flush(), Crash);
  st.closeDiscardingDirty(); // the process "died": nothing more reaches the file
}

test('flush interrupted at every step leaves the file all-old or all-new after reopen', () => {
  const cases: [FlushStep, number, 'old' | 'new'][] = [];
  for (let k = 1; k <= DIRTY.length; k++) cases.push(['journal-entry', k, 'old']);
  cases.push(['journal-synced', DIRTY.length, 'new']);
  for (let k = 1; k <= DIRTY.length; k++) cases.push(['page-applied', k, 'new']);
  cases.push(['file-synced', DIRTY.length, 'new'], ['journal-removed', DIRTY.length, 'new']);
  for (const [step, detail, want] of cases) {
    const file = fresh();
    writeOld(file);
    crashAt(file, step, detail);
    const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: SIZE });
    const expectRecovery = step === 'journal-removed' ? 'none' : want === 'old' ? 'discarded' : 'replayed';
    assert.equal(st.recovery, expectRecovery, `${step} ${detail}`);
    assert.equal(fs.existsSync(file + '.journal'), false);
    st.close();
    assert.equal(fileState(file), want, `${step} ${detail}`);
  }
});

test('a killed process (SIGKILL mid-flush) never leaves a torn file', () => {
  const child = path.join(here, 'file-store-crash-child.js');
  for (const [step, detail, want] of [
    ['journal-entry', 3, 'old'],
    ['page-applied', 2, 'new'],
  ] as const) {
    const file = fresh();
    writeOld(file);
    const r = spawnSync(process.execPath, [
      child,
      '--crash-child',
      file,
      String(SIZE),
      DIRTY.join(','),
      String(0xee),
      step,
      String(detail),
    ]);
    assert.equal(r.signal, 'SIGKILL', `child died at ${step}: ${r.stderr}`);
    if (step === 'page-applied')
      assert.equal(fileState(file), 'torn', 'the file really was half-applied before recovery');
    const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: SIZE });
    st.close();
    assert.equal(fileState(file), want, step);
  }
});

test('torn or corrupt journals are discarded; only an intact one is replayed', () => {
  const file = fresh();
  writeOld(file);
  crashAt(file, 'journal-synced', DIRTY.length);
  const journal = fs.readFileSync(file + '.journal');
  assert.equal(journal.length, 32 + DIRTY.length * (8 + PAGE_SIZE) + 16);
  assert.equal(parseJournal(journal, SIZE)?.length, DIRTY.length);
  assert.equal(parseJournal(journal, SIZE + PAGE_SIZE), null, 'journal for another size');
  const flip = Buffer.from(journal);
  flip[32 + 8 + 100] = flip[32 + 8 + 100]! ^ 1;
  const variants: [string, Buffer, 'old' | 'new'][] = [
    ['empty', Buffer.alloc(0), 'old'],
    ['header only', journal.subarray(0, 32), 'old'],
    ['half a page', journal.subarray(0, 32 + 8 + 2000), 'old'],
    ['missing trailer', journal.subarray(0, journal.length - 16), 'old'],
    ['last byte missing', journal.subarray(0, journal.length - 1), 'old'],
    ['bit flip in a page', flip, 'old'],
    ['intact', journal, 'new'],
  ];
  for (const [what, bytes, want] of variants) {
    writeOld(file);
    fs.writeFileSync(file + '.journal', bytes);
    const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: SIZE });
    assert.equal(st.recovery, want === 'old' ? 'discarded' : 'replayed', what);
    st.close();
    assert.equal(fileState(file), want, what);
  }
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'CRC-32 check value');
});

test('writes through an AddressSpace after a flush are tracked again (write cache dropped on clean)', () => {
  const file = fresh();
  const size = 4 * PAGE_SIZE;
  const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size });
  const as = new AddressSpace(arena);
  as.ram('pmem', 0x2_0000_0000, st);
  as.store(0x2_0000_0010, 4, 0x11111111);
  as.store(0x2_0000_0014, 4, 0x22222222); // fast path
  st.flush();
  assert.equal(st.dirtyPages(), 0);
  as.store(0x2_0000_0018, 4, 0x33333333);
  assert.equal(st.dirtyPages(), 1);
  const p = as.resolvePage(0x2_0000_1000, true);
  assert.notEqual(p.arenaOffset, -1);
  assert.equal(st.dirtyPages(), 2, 'resolvePage(forWrite) marks dirty');
  st.close();
  const b = fs.readFileSync(file);
  assert.equal(b.readUInt32LE(0x10), 0x11111111);
  assert.equal(b.readUInt32LE(0x14), 0x22222222);
  assert.equal(b.readUInt32LE(0x18), 0x33333333);
});
