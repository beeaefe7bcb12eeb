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
import {
  FileBackedStore,
  FileStoreError,
  checkJournal,
  crc32,
  parseJournal,
  tableCrc32,
  type FlushStep,
  type JournalSource,
} from '../../src/memory/file-store.js';
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
  assert.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926, 'the table CRC too');
  const noise = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 2654435761) >>> 24);
  assert.equal(crc32(noise.subarray(5000), crc32(noise.subarray(0, 5000))), tableCrc32(noise), 'continued = whole');
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

test('a journal larger than 2 GiB is checked and replayed a chunk at a time (readFileSync stopped at 2 GiB)', () => {
  // A virtual journal of 530,000 pages (2.17 GB): entry k is page k, its first 8 bytes hold k, the
  // rest zeros. Generated on demand, so the test needs neither the disk nor the memory.
  const PAGES = 530_000;
  const ENTRY = 8 + PAGE_SIZE;
  const size = PAGES * PAGE_SIZE;
  const head = new Uint8Array(32);
  const hv = new DataView(head.buffer);
  head.set(Buffer.from('CXLJRNL1', 'latin1'));
  hv.setUint32(8, PAGE_SIZE, true);
  hv.setUint32(12, PAGES, true);
  hv.setUint32(16, size % 2 ** 32, true);
  hv.setUint32(20, Math.floor(size / 2 ** 32), true);
  const end = 32 + PAGES * ENTRY;
  const entryByte = (k: number, o: number) => (o < 8 ? Number((BigInt(k) >> BigInt(8 * o)) & 0xffn) : 0);
  let tail = new Uint8Array(16);
  const body = (pos: number, dst: Uint8Array) => {
    for (let i = 0; i < dst.length; i++) {
      const p = pos + i;
      if (p < 32) dst[i] = head[p]!;
      else if (p < end) {
        const k = Math.floor((p - 32) / ENTRY);
        dst[i] = entryByte(k, (p - 32) % ENTRY);
      } else dst[i] = tail[p - end]!;
    }
  };
  // Fast fill for whole-entry reads (the checker reads whole entries): zeros plus the page index.
  const read = (pos: number, dst: Uint8Array) => {
    if (pos >= 32 && pos + dst.length <= end && (pos - 32) % ENTRY === 0 && dst.length % ENTRY === 0) {
      dst.fill(0);
      const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
      for (let e = 0, k = (pos - 32) / ENTRY; e < dst.length; e += ENTRY, k++) dv.setUint32(e, k, true);
    } else body(pos, dst);
  };
  // The trailer: CRC over header and entries, count, magic.
  let crc = crc32(head);
  const chunk = new Uint8Array(256 * ENTRY);
  for (let pos = 32; pos < end; pos += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, end - pos));
    read(pos, part);
    crc = crc32(part, crc);
  }
  tail = new Uint8Array(16);
  new DataView(tail.buffer).setUint32(0, crc, true);
  new DataView(tail.buffer).setUint32(4, PAGES, true);
  tail.set(Buffer.from('CXLJEND1', 'latin1'), 8);
  const src: JournalSource = { length: end + 16, read };
  assert.ok(src.length > 2 ** 31);
  assert.equal(checkJournal(src, size), PAGES);
  assert.equal(checkJournal(src, size + PAGE_SIZE), null, 'a journal for another size');
  // One flipped bit in the last page: refused.
  const flipped: JournalSource = {
    length: src.length,
    read: (pos, dst) => {
      read(pos, dst);
      const at = end - 100 - pos;
      if (at >= 0 && at < dst.length) dst[at] = dst[at]! ^ 1;
    },
  };
  assert.equal(checkJournal(flipped, size), null);
});

test("one writer per file: a second store on the same file is refused by name; a dead holder's lock is taken over; the lock goes with close", () => {
  const file = fresh();
  const a = new FileBackedStore(arena, { name: 'pmem0', path: file, size: 8192 });
  assert.equal(fs.readFileSync(file + '.lock', 'latin1'), `${process.pid}\n`);
  assert.throws(
    () => new FileBackedStore(arena, { name: 'pmem1', path: file, size: 8192 }),
    (e: unknown) =>
      e instanceof FileStoreError &&
      e.message.includes(`memory backend file ${file} for pmem1 is in use by this cxlemu`) &&
      e.message.includes(`lock file ${file}.lock`),
  );
  a.close();
  assert.equal(fs.existsSync(file + '.lock'), false, 'close removes the lock');
  // A lock left by a process that is gone (kill -9): taken over.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  fs.writeFileSync(file + '.lock', `${dead.stdout}\n`);
  const b = new FileBackedStore(arena, { name: 'pmem0', path: file, size: 8192 });
  assert.equal(fs.readFileSync(file + '.lock', 'latin1'), `${process.pid}\n`);
  b.close();
});

test('another live process holding the file: refused, naming its pid', () => {
  const file = fresh();
  fs.writeFileSync(file + '.lock', `${process.ppid}\n`);
  // The lock names our parent (the test runner), which is alive and not us.
  assert.throws(
    () => new FileBackedStore(arena, { name: 'pmem0', path: file, size: 8192 }),
    (e: unknown) => e instanceof FileStoreError && e.message.includes(`is in use by process ${process.ppid}`),
  );
  assert.equal(fs.readFileSync(file + '.lock', 'latin1'), `${process.ppid}\n`, 'the other lock is left alone');
  fs.rmSync(file + '.lock');
});

test('the journal is never written through a planted symlink', () => {
  const file = fresh();
  const victim = fresh();
  fs.writeFileSync(victim, 'precious');
  const st = new FileBackedStore(arena, { name: 'pmem0', path: file, size: 8192 });
  fs.symlinkSync(victim, file + '.journal');
  st.writeU8(0, 1);
  assert.throws(
    () => st.flush(),
    (e: unknown) => e instanceof FileStoreError && e.message.startsWith(`cannot create journal ${file}.journal`),
  );
  assert.equal(fs.readFileSync(victim, 'latin1'), 'precious');
  fs.rmSync(file + '.journal');
  st.close();
  assert.equal(fs.readFileSync(file)[0], 1, 'the next flush (close) works');
});
