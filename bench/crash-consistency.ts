// Crash consistency of file-backed memory (src/memory/file-store.ts): kill -9 a writer at random
// moments while it writes and flushes, reopen the file (journal recovery) and check every page.
// The writer (this file with --child) runs generations g = 1, 2, ...: each writes a seeded random
// set of pages, every 8-byte word of page p holding g * 2^32 + p, flushes, then prints
// `flushed g`. After the kill, the file must equal the state after generation L (the last one
// reported) or L + 1 (the flush in flight completed before the kill): a page with words of two
// generations or of another page is torn; an older state than L is lost.
// Big trials write more than 2 GiB in one generation to a sparse file; every other one dies while
// applying that journal, so recovery replays a journal larger than 2 GiB from a real file.
// Usage: node dist/bench/crash-consistency.js [--trials 1000] [--big 20] [--seed 1] [--dir DIR]
// Prints one JSON object: trials, torn, lost, replayed/discarded journals, seconds.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena } from '../src/memory/arena.js';
import { FileBackedStore } from '../src/memory/file-store.js';

const PAGE = 4096;
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};

/** xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

interface Plan {
  pages: number;
  /** Pages generation g writes (deterministic from seed and g). */
  write(g: number): number[];
}

function plan(pages: number, seed: number, big: boolean): Plan {
  return {
    pages,
    write(g) {
      if (big) {
        // More than 2 GiB in one flush: every page but a seeded few.
        const r = rng(seed * 7919 + g);
        const skip = new Set(Array.from({ length: 16 }, () => Math.floor(r() * pages)));
        return Array.from({ length: pages }, (_, p) => p).filter((p) => !skip.has(p));
      }
      const r = rng(seed * 7919 + g);
      const n = 1 + Math.floor(r() * 64);
      const set = new Set<number>();
      for (let i = 0; i < n; i++) set.add(Math.floor(r() * pages));
      return [...set];
    },
  };
}

function fillPage(buf: Uint8Array, g: number, p: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o < PAGE; o += 8) {
    dv.setUint32(o, p, true);
    dv.setUint32(o + 4, g, true);
  }
}

async function child(file: string, pages: number, seed: number, big: boolean, killAtPage: number): Promise<void> {
  const arena = new Arena({ bytes: Math.ceil(((pages + 64) * PAGE) / 65536) * 65536 });
  const st = new FileBackedStore(arena, {
    name: 'crash',
    path: file,
    size: pages * PAGE,
    // Some big trials die at a chosen page while the journal is applied: recovery must replay it.
    ...(killAtPage > 0
      ? {
          crashHook: (step: string, n: number) => {
            if (step === 'page-applied' && n === killAtPage) process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  });
  const pl = plan(pages, seed, big);
  const buf = new Uint8Array(PAGE);
  for (let g = 1; ; g++) {
    for (const p of pl.write(g)) {
      fillPage(buf, g, p);
      st.write(p * PAGE, buf);
    }
    fs.writeSync(1, `flushing ${g}\n`);
    st.flush();
    fs.writeSync(1, `flushed ${g}\n`);
  }
}

/** Generation that last wrote each page after generations 1..G (0: never written). */
function expectedAfter(pl: Plan, G: number): Uint32Array {
  const gen = new Uint32Array(pl.pages);
  for (let g = 1; g <= G; g++) for (const p of pl.write(g)) gen[p] = g;
  return gen;
}

/** Per page: its generation, or -1 when torn (mixed words, or another page's words). */
function readGenerations(file: string, pages: number): { gens: Int32Array; recovery: string } {
  const arena = new Arena({ bytes: 64 * PAGE });
  const st = new FileBackedStore(arena, { name: 'check', path: file, size: pages * PAGE });
  const recovery = st.recovery;
  st.close();
  const gens = new Int32Array(pages);
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(256 * PAGE);
  try {
    for (let p0 = 0; p0 < pages; p0 += 256) {
      const n = Math.min(256, pages - p0);
      fs.readSync(fd, chunk, 0, n * PAGE, p0 * PAGE);
      for (let k = 0; k < n; k++) {
        const p = p0 + k;
        const base = k * PAGE;
        const lo = chunk.readUInt32LE(base);
        const hi = chunk.readUInt32LE(base + 4);
        const zero = lo === 0 && hi === 0;
        let ok = zero || lo === p;
        for (let o = 8; ok && o < PAGE; o += 8)
          ok = chunk.readUInt32LE(base + o) === lo && chunk.readUInt32LE(base + o + 4) === hi;
        gens[p] = ok ? (zero ? 0 : hi) : -1;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { gens, recovery };
}

async function trial(
  dir: string,
  i: number,
  seed: number,
  big: boolean,
  killAfterMs: number,
  killAtPage = 0,
): Promise<{ torn: number; lost: boolean; recovery: string; flushed: number }> {
  const file = path.join(dir, `t${i}.img`);
  fs.rmSync(file, { force: true });
  const pages = big ? Math.ceil((2.1 * 2 ** 30) / PAGE) + 1024 : 4096;
  const self = fileURLToPath(import.meta.url);
  const c = spawn(
    process.execPath,
    [self, '--child', file, String(pages), String(seed), big ? 'big' : 'small', String(killAtPage)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let last = 0;
  let out = '';
  c.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const m of out.matchAll(/flushed (\d+)\n/g)) last = Math.max(last, Number(m[1]));
  });
  const exited = new Promise<void>((res) => c.on('exit', () => res()));
  // Big trials: the delay counts from the first flush's start (filling 2 GiB takes a while).
  if (big)
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (out.includes('flushing 1')) {
          clearInterval(poll);
          res();
        }
      }, 20);
      c.on('exit', () => {
        clearInterval(poll);
        res();
      });
    });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((res) => (timer = setTimeout(res, killAfterMs)))]);
  clearTimeout(timer);
  c.kill('SIGKILL');
  await exited;
  const L = last;
  const pl = plan(pages, seed, big);
  const { gens, recovery } = readGenerations(file, pages);
  const torn = gens.reduce((n, g) => n + (g < 0 ? 1 : 0), 0);
  const matches = (G: number) => {
    const want = expectedAfter(pl, G);
    for (let p = 0; p < pages; p++) if (gens[p] !== want[p]) return false;
    return true;
  };
  const lost = torn === 0 && !matches(L) && !matches(L + 1);
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.lock`, { force: true });
  return { torn, lost, recovery, flushed: L };
}

async function main(): Promise<void> {
  if (args[0] === '--child') {
    await child(args[1]!, Number(args[2]), Number(args[3]), args[4] === 'big', Number(args[5] ?? 0));
    return;
  }
  const trials = Number(opt('--trials', '1000'));
  const bigTrials = Number(opt('--big', '20'));
  const seed = Number(opt('--seed', '1'));
  const dir = fs.mkdtempSync(path.join(opt('--dir', os.tmpdir()), 'cxlemu-crash-'));
  const r = rng(seed);
  const t0 = performance.now();
  const totals = { trials: 0, bigTrials: 0, torn: 0, lost: 0, replayed: 0, discarded: 0, none: 0, flushesSeen: 0 };
  // How the big trials' journals (over 2 GiB when one was being written) were found on reopen.
  const bigRecovery = { replayed: 0, discarded: 0, none: 0 };
  try {
    for (let i = 0; i < trials; i++) {
      const big = i < bigTrials;
      // Small trials: kill within 2 s (tens of flushes); big ones within 20 s of the first flush's
      // start (while its journal is written, applied, or the next generation fills).
      // Every other big trial dies while its (over 2 GiB) journal is being applied instead, so
      // recovery has to replay it; the delay is then only an upper bound.
      const delay = big ? (i % 2 === 1 ? 600_000 : Math.floor(r() * 20000)) : 150 + Math.floor(r() * 1500);
      const killAtPage = big && i % 2 === 1 ? 1 + Math.floor(r() * 500_000) : 0;
      const t = await trial(dir, i, seed * 100003 + i, big, delay, killAtPage);
      totals.trials++;
      if (big) totals.bigTrials++;
      totals.torn += t.torn > 0 ? 1 : 0;
      totals.lost += t.lost ? 1 : 0;
      totals[t.recovery as 'replayed' | 'discarded' | 'none']++;
      if (big) bigRecovery[t.recovery as 'replayed' | 'discarded' | 'none']++;
      totals.flushesSeen += t.flushed;
      if (t.torn > 0 || t.lost) process.stderr.write(`trial ${i}: torn pages ${t.torn}, lost ${t.lost}\n`);
      if ((i + 1) % 50 === 0 || big) process.stderr.write(`crash-consistency: ${i + 1}/${trials}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify(
      { bench: 'crash-consistency', ...totals, bigRecovery, seconds: (performance.now() - t0) / 1000 },
      null,
      2,
    ),
  );
  if (totals.torn > 0 || totals.lost > 0) process.exitCode = 1;
}

await main();
