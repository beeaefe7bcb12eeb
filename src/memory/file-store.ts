// A backing store whose bytes live in a host file (persistent media, label storage areas). It owns
// lazy page-in, dirty-page tracking and crash-safe write-back through a redo journal; it never
// maps the file live: guest writes reach the file only on flush() or close().
//
// Write-back protocol (flush):
//   1. write every dirty page to `<file>.journal` (header, pages, trailer with CRC-32), fsync it,
//      fsync the directory;
//   2. write the pages into the file, fsync the file;
//   3. delete the journal, fsync the directory.
// On open, a complete journal (lengths, magics and CRC agree) is replayed (step 2 again, which is
// idempotent); an incomplete or corrupt one is discarded, because the file was not yet touched.
// So after any interruption the file holds either all old or all new page contents of a flush.
//
// share=on is accepted: written back on flush; not live-shared with other processes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { type Arena, PAGE_SIZE } from './arena.js';
import { BackingStore, type BackingStoreOptions } from './store.js';

export type FlushStep =
  /** After each page entry is written to the journal (detail = entries written so far). */
  | 'journal-entry'
  /** Journal complete and fsynced (detail = page count). */
  | 'journal-synced'
  /** After each page is written into the file (detail = pages applied so far). */
  | 'page-applied'
  /** All pages applied and the file fsynced. */
  | 'file-synced'
  /** Journal deleted: the flush is complete. */
  | 'journal-removed';

export interface FileBackedStoreOptions extends BackingStoreOptions {
  path: string;
  /** Accepted for QEMU compatibility: written back on flush; not live-shared with other processes. */
  share?: boolean;
  /** Test hook called at each flush step; throwing or killing the process simulates a crash. */
  crashHook?: (step: FlushStep, detail: number) => void;
}

/** A host-file problem, naming the path and the sizes or error involved. */
export class FileStoreError extends Error {
  override readonly name = 'FileStoreError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** What opening did with a journal left by an interrupted flush. */
export type JournalRecovery = 'none' | 'replayed' | 'discarded';

const MAGIC_HEAD = 'CXLJRNL1';
const MAGIC_TAIL = 'CXLJEND1';
const HEADER_BYTES = 32;
const ENTRY_BYTES = 8 + PAGE_SIZE;
const TRAILER_BYTES = 16;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** zlib's own CRC-32 (Node 20.15+ and 22.2+): about 8x the table loop below. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 (IEEE, as zlib): pass the previous result to continue over more bytes. */
export function crc32(data: Uint8Array, prev = 0): number {
  return nativeCrc32 ? nativeCrc32(data, prev) >>> 0 : tableCrc32(data, prev);
}

/** The same CRC-32 by table, for Node versions without zlib.crc32 (and as the tests' second implementation). */
export function tableCrc32(data: Uint8Array, prev = 0): number {
  let c = ~prev >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse directory fsync; the journal protocol still holds on the ones that matter.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class FileBackedStore extends BackingStore {
  override readonly tracksDirty = true;
  readonly path: string;
  readonly journalPath: string;
  readonly share: boolean;
  /** What opening did with a leftover journal. */
  readonly recovery: JournalRecovery;
  /** Pages read from the file so far (lazy page-in: untouched pages are never read). */
  pagesReadFromFile = 0;
  /** Pages written back to the file so far. */
  pagesWrittenBack = 0;

  private fd = -1;
  private readonly lockPath: string;
  private readonly dirtyBits: Uint8Array;
  private dirtyList: number[] = [];
  private readonly crashHook: ((step: FlushStep, detail: number) => void) | undefined;

  constructor(arena: Arena, opts: FileBackedStoreOptions) {
    super(arena, { ...opts, sizedBy: opts.sizedBy ?? `memory-backend-file ${opts.name} size` });
    this.path = path.resolve(opts.path);
    this.journalPath = this.path + '.journal';
    this.share = opts.share ?? false;
    this.crashHook = opts.crashHook;
    this.dirtyBits = new Uint8Array(Math.ceil(this.pageTable.length / 8));
    this.lockPath = this.path + '.lock';
    // Open (or create) first, so a bad path is named as such; nothing is written before the lock.
    this.fd = this.openFile();
    try {
      this.acquireLock();
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
    try {
      this.recovery = this.recover();
    } catch (e) {
      fs.closeSync(this.fd);
      this.releaseLock();
      throw e;
    }
  }

  /**
   * `<file>.lock`, created exclusively (never through a symlink) with our pid: one writer per file,
   * across processes and within one (two devices on one file). A lock whose process is gone (a
   * kill -9) is taken over.
   */
  private acquireLock(): void {
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = fs.openSync(this.lockPath, flags, 0o644);
        try {
          fs.writeSync(fd, `${process.pid}\n`);
        } finally {
          fs.closeSync(fd);
        }
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0)
          throw new FileStoreError(
            this.path,
            `cannot lock memory backend file ${this.path} for ${this.name} (lock file ${this.lockPath}): ${describe(e)}`,
          );
      }
      const holder = lockHolder(this.lockPath);
      if (holder !== null && processAlive(holder)) {
        const who =
          holder === process.pid
            ? 'this cxlemu (another store of this machine uses the same file)'
            : `process ${holder}`;
        throw new FileStoreError(
          this.path,
          `memory backend file ${this.path} for ${this.name} is in use by ${who}; lock file ${this.lockPath} (remove it only if that process is gone)`,
        );
      }
      fs.rmSync(this.lockPath, { force: true });
    }
  }

  private releaseLock(): void {
    if (lockHolder(this.lockPath) === process.pid) fs.rmSync(this.lockPath, { force: true });
  }

  private openFile(): number {
    let fd: number;
    let created = false;
    try {
      fd = fs.openSync(this.path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new FileStoreError(
          this.path,
          `cannot open memory backend file ${this.path} for ${this.name} (read/write): ${describe(e)}`,
        );
      }
      try {
        fd = fs.openSync(this.path, 'wx+');
        created = true;
      } catch (e2) {
        throw new FileStoreError(
          this.path,
          `cannot create memory backend file ${this.path} for ${this.name}: ${describe(e2)}`,
        );
      }
    }
    try {
      if (created) {
        fs.ftruncateSync(fd, this.size);
        fs.fsyncSync(fd);
        fsyncDir(path.dirname(this.path));
      } else {
        const st = fs.fstatSync(fd);
        if (!st.isFile())
          throw new FileStoreError(
            this.path,
            `memory backend file ${this.path} for ${this.name} is not a regular file`,
          );
        if (st.size < this.size) {
          throw new FileStoreError(
            this.path,
            `memory backend file ${this.path} is ${st.size} bytes, smaller than the requested size ${this.size} bytes of ${this.name}`,
          );
        }
      }
    } catch (e) {
      fs.closeSync(fd);
      if (e instanceof FileStoreError) throw e;
      throw new FileStoreError(
        this.path,
        `cannot size memory backend file ${this.path} for ${this.name}: ${describe(e)}`,
      );
    }
    return fd;
  }

  // ---- paging ----

  /** An unmapped page still has the file's bytes. */
  override mayHoldData(_off: number): boolean {
    return true;
  }

  protected override fillNewPage(page: number, arenaOffset: number): void {
    const start = page * PAGE_SIZE;
    const n = Math.min(PAGE_SIZE, this.size - start);
    const u8 = this.arena.u8;
    let got = 0;
    while (got < n) {
      const r = fs.readSync(this.fd, u8, arenaOffset + got, n - got, start + got);
      if (r === 0) break; // File shorter than checked at open (truncated behind our back): rest reads 0.
      got += r;
    }
    this.pagesReadFromFile++;
  }

  protected override markDirty(page: number): void {
    const i = page >>> 3;
    const m = 1 << (page & 7);
    if ((this.dirtyBits[i]! & m) === 0) {
      this.dirtyBits[i] = this.dirtyBits[i]! | m;
      this.dirtyList.push(page);
    }
  }

  /** Pages written since the last flush. */
  dirtyPages(): number {
    return this.dirtyList.length;
  }

  // ---- write-back ----

  /** Write dirty pages back crash-safely (see the protocol at the top of this file). */
  override flush(): void {
    if (this.closed || this.dirtyList.length === 0) return;
    const pages = this.dirtyList.slice().sort((a, b) => a - b);
    const hook = this.crashHook;
    this.writeJournal(pages, hook);
    hook?.('journal-synced', pages.length);
    const u8 = this.arena.u8;
    for (let k = 0; k < pages.length; k++) {
      const page = pages[k]!;
      const start = page * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE, this.size - start);
      const a = this.pageTable[page]! * PAGE_SIZE;
      writeFully(this.fd, u8.subarray(a, a + n), start);
      hook?.('page-applied', k + 1);
    }
    fs.fsyncSync(this.fd);
    hook?.('file-synced', pages.length);
    fs.unlinkSync(this.journalPath);
    fsyncDir(path.dirname(this.journalPath));
    hook?.('journal-removed', pages.length);
    this.pagesWrittenBack += pages.length;
    for (const p of pages) this.dirtyBits[p >>> 3] = 0;
    this.dirtyList = [];
    this.notifyClean();
  }

  private writeJournal(pages: number[], hook: ((step: FlushStep, detail: number) => void) | undefined): void {
    // Created exclusively and never through a symlink: a journal that is already there belongs to
    // another writer (or was planted), and following a link could overwrite any file.
    let jfd: number;
    try {
      jfd = fs.openSync(
        this.journalPath,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
        0o600,
      );
    } catch (e) {
      throw new FileStoreError(
        this.journalPath,
        `cannot create journal ${this.journalPath} of ${this.path} (it must not exist yet): ${describe(e)}`,
      );
    }
    try {
      const head = new Uint8Array(HEADER_BYTES);
      const hv = new DataView(head.buffer);
      head.set(Buffer.from(MAGIC_HEAD, 'latin1'), 0);
      hv.setUint32(8, PAGE_SIZE, true);
      hv.setUint32(12, pages.length, true);
      hv.setUint32(16, this.size % 2 ** 32, true);
      hv.setUint32(20, Math.floor(this.size / 2 ** 32), true);
      let crc = crc32(head);
      let pos = 0;
      writeFully(jfd, head, pos);
      pos += HEADER_BYTES;
      const entry = new Uint8Array(ENTRY_BYTES);
      const ev = new DataView(entry.buffer);
      const u8 = this.arena.u8;
      for (let k = 0; k < pages.length; k++) {
        const page = pages[k]!;
        ev.setUint32(0, page % 2 ** 32, true);
        ev.setUint32(4, Math.floor(page / 2 ** 32), true);
        const a = this.pageTable[page]! * PAGE_SIZE;
        entry.set(u8.subarray(a, a + PAGE_SIZE), 8);
        crc = crc32(entry, crc);
        writeFully(jfd, entry, pos);
        pos += ENTRY_BYTES;
        hook?.('journal-entry', k + 1);
      }
      const tail = new Uint8Array(TRAILER_BYTES);
      const tv = new DataView(tail.buffer);
      tv.setUint32(0, crc, true);
      tv.setUint32(4, pages.length, true);
      tail.set(Buffer.from(MAGIC_TAIL, 'latin1'), 8);
      writeFully(jfd, tail, pos);
      fs.fsyncSync(jfd);
    } finally {
      fs.closeSync(jfd);
    }
    fsyncDir(path.dirname(this.journalPath));
  }

  /**
   * Replay a complete leftover journal into the file, or discard an incomplete one. Streamed (a
   * chunk at a time, checked completely before anything is applied), so any size replays.
   */
  private recover(): JournalRecovery {
    let jfd: number;
    try {
      jfd = fs.openSync(this.journalPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw new FileStoreError(
        this.journalPath,
        `cannot read journal ${this.journalPath} of ${this.path}: ${describe(e)}`,
      );
    }
    try {
      const st = fs.fstatSync(jfd);
      if (!st.isFile())
        throw new FileStoreError(this.journalPath, `journal ${this.journalPath} of ${this.path} is not a regular file`);
      const source: JournalSource = { length: st.size, read: (pos, dst) => readFully(jfd, dst, pos) };
      const count = checkJournal(source, this.size);
      if (count !== null) {
        forEachJournalEntry(source, count, (page, bytes) => {
          const start = page * PAGE_SIZE;
          writeFully(this.fd, bytes.subarray(0, Math.min(PAGE_SIZE, this.size - start)), start);
        });
        fs.fsyncSync(this.fd);
      }
      fs.unlinkSync(this.journalPath);
      fsyncDir(path.dirname(this.journalPath));
      return count === null ? 'discarded' : 'replayed';
    } finally {
      fs.closeSync(jfd);
    }
  }

  /**
   * Close without writing back: unflushed changes are lost and the file keeps its last flushed
   * contents (a leftover journal from an interrupted flush is handled at the next open).
   */
  closeDiscardingDirty(): void {
    if (this.closed) return;
    this.dirtyList = [];
    this.dirtyBits.fill(0);
    fs.closeSync(this.fd);
    this.fd = -1;
    this.releaseLock();
    super.close();
  }

  /** Flush dirty pages, close the file and return the arena pages. Idempotent. */
  override close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
      this.fd = -1;
      this.releaseLock();
    }
    super.close();
  }
}

function writeFully(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

/** The pid a lock file names, or null (unreadable, a symlink, not a number). */
function lockHolder(lock: string): number | null {
  try {
    const fd = fs.openSync(lock, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const b = Buffer.alloc(32);
      const n = fs.readSync(fd, b, 0, 32, 0);
      const pid = Number.parseInt(b.subarray(0, n).toString('latin1'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readFully(fd: number, dst: Uint8Array, position: number): void {
  let done = 0;
  while (done < dst.length) {
    const n = fs.readSync(fd, dst, done, dst.length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file at ${position + done}`);
    done += n;
  }
}

/** Random-access bytes of a journal: a file read in chunks, or a buffer in tests. */
export interface JournalSource {
  length: number;
  read(position: number, dst: Uint8Array): void;
}

/** Bytes checked per read while validating (whole entries, about 1 MiB). */
const CHECK_CHUNK = 256 * ENTRY_BYTES;

/**
 * The page count of a complete, intact journal for a store of `size` bytes, or null: header,
 * length, every page index in range, trailer and the CRC over everything before it. Reads the
 * journal once, a chunk at a time.
 */
export function checkJournal(src: JournalSource, size: number): number | null {
  if (src.length < HEADER_BYTES + TRAILER_BYTES) return null;
  const head = new Uint8Array(HEADER_BYTES);
  src.read(0, head);
  const hv = new DataView(head.buffer);
  if (Buffer.from(head.subarray(0, 8)).toString('latin1') !== MAGIC_HEAD) return null;
  if (hv.getUint32(8, true) !== PAGE_SIZE) return null;
  const count = hv.getUint32(12, true);
  if (hv.getUint32(16, true) + hv.getUint32(20, true) * 2 ** 32 !== size) return null;
  const t = HEADER_BYTES + count * ENTRY_BYTES;
  if (src.length !== t + TRAILER_BYTES) return null;
  let crc = crc32(head);
  const chunk = new Uint8Array(Math.min(CHECK_CHUNK, count * ENTRY_BYTES));
  const cv = new DataView(chunk.buffer);
  for (let pos = HEADER_BYTES; pos < t; pos += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, t - pos));
    src.read(pos, part);
    for (let e = 0; e < part.length; e += ENTRY_BYTES) {
      const page = cv.getUint32(e, true) + cv.getUint32(e + 4, true) * 2 ** 32;
      if (page * PAGE_SIZE >= size) return null;
    }
    crc = crc32(part, crc);
  }
  const tail = new Uint8Array(TRAILER_BYTES);
  src.read(t, tail);
  const tv = new DataView(tail.buffer);
  if (Buffer.from(tail.subarray(8, 16)).toString('latin1') !== MAGIC_TAIL) return null;
  if (tv.getUint32(4, true) !== count) return null;
  if (tv.getUint32(0, true) !== crc) return null;
  return count;
}

/** Each entry of a checked journal in order: its page index and bytes (valid during the call). */
function forEachJournalEntry(
  src: JournalSource,
  count: number,
  visit: (page: number, bytes: Uint8Array) => void,
): void {
  const chunk = new Uint8Array(Math.min(CHECK_CHUNK, count * ENTRY_BYTES));
  const cv = new DataView(chunk.buffer);
  const end = HEADER_BYTES + count * ENTRY_BYTES;
  for (let pos = HEADER_BYTES; pos < end; pos += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, end - pos));
    src.read(pos, part);
    for (let e = 0; e < part.length; e += ENTRY_BYTES)
      visit(cv.getUint32(e, true) + cv.getUint32(e + 4, true) * 2 ** 32, part.subarray(e + 8, e + ENTRY_BYTES));
  }
}

/** Entries of a complete, intact journal for a store of `size` bytes, or null. Exported for tests. */
export function parseJournal(data: Uint8Array, size: number): { page: number; bytes: Uint8Array }[] | null {
  const src: JournalSource = { length: data.length, read: (pos, dst) => dst.set(data.subarray(pos, pos + dst.length)) };
  const count = checkJournal(src, size);
  if (count === null) return null;
  const out: { page: number; bytes: Uint8Array }[] = [];
  forEachJournalEntry(src, count, (page, bytes) => out.push({ page, bytes: bytes.slice() }));
  return out;
}
