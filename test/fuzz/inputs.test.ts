// Seeded fuzz of the input surfaces not covered by the register and mailbox fuzzers
// (test/cxl/register-fuzz.test.ts, mailbox-fuzz.test.ts): machine descriptions, QEMU command
// lines, saved decoder state, ELF images and whole CLI invocations, run in-process through the
// library and the CLI's entry point. Every case must end in success or in one of the errors that
// mean bad input (the CLI's exit-1 set, src/cli/main.ts USER_ERRORS), never an internal error
// (exit 70), and within a few seconds. FUZZ_CASES scales every surface (default: a CI-sized
// run); FUZZ_SEED replays one. `npm run fuzz:long` runs 10^7 inputs with the other fuzzers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { loadDescription, validateDescription } from '../../src/machine/index.js';
import { parseElf } from '../../src/machine/elf.js';
import { main, USER_ERRORS } from '../../src/cli/main.js';
import { Prng } from '../helpers/prng.js';
import { GUEST_BIN } from '../diff/harness.js';

const SCALE = Number(process.env.FUZZ_CASES ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const SLOW_MS = 5000;
const MiB = 2 ** 20;

/** Runs `f`; a thrown error must be a bad-input error. Returns the error name or 'ok'. */
function expectClean(what: string, f: () => void): string {
  const t0 = performance.now();
  try {
    f();
    return 'ok';
  } catch (e) {
    const name = e instanceof Error ? e.name : typeof e;
    assert.ok(USER_ERRORS.has(name), `${what}: internal error ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return name;
  } finally {
    assert.ok(performance.now() - t0 < SLOW_MS, `${what}: took ${performance.now() - t0} ms`);
  }
}

/** Random JSON-ish values that are plausible and implausible for any field. */
function junk(r: Prng): unknown {
  const pick = r.u32() % 16;
  const vals: unknown[] = [
    0,
    -1,
    1,
    2 ** 53,
    1e300,
    0.5,
    '',
    '256M',
    '4G',
    '0x1_0000_0000',
    '12Q',
    '-1G',
    null,
    [],
    {},
    'x'.repeat(300),
  ];
  return vals[pick];
}

/** A copy of `doc` with one to four random mutations (delete, replace, duplicate, wrap). */
function mutate(doc: unknown, r: Prng): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const n = 1 + (r.u32() % 4);
  for (let k = 0; k < n; k++) {
    // Walk to a random node.
    let node: unknown = copy;
    let parent: Record<string, unknown> | unknown[] | null = null;
    let key: string | number = '';
    for (let depth = 0; depth < 8 && node !== null && typeof node === 'object'; depth++) {
      const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0 || r.u32() % 4 === 0) break;
      key = keys[r.u32() % keys.length]!;
      parent = node as Record<string, unknown> | unknown[];
      node = (node as Record<string | number, unknown>)[key];
    }
    if (parent === null) continue;
    const p = parent as Record<string | number, unknown>;
    switch (r.u32() % 5) {
      case 0:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete p[key];
        break;
      case 1:
        p[key] = junk(r);
        break;
      case 2:
        if (Array.isArray(parent)) parent.push(structuredClone(node));
        else p[`${key}2`] = structuredClone(node);
        break;
      case 3:
        p[key] = [node];
        break;
      default:
        if (typeof node === 'number') p[key] = node * (r.u32() % 2 ? 2 ** 20 : -1) + (r.u32() % 7);
        else if (typeof node === 'string')
          p[key] = node.slice(0, r.u32() % (node.length + 1)) + ['', '0', 'G', ' '][r.u32() % 4];
        else p[key] = junk(r);
    }
  }
  return copy;
}

test(`fuzz: ${2000 * SCALE} mutated machine descriptions validate or fail by name; 1 in 20 is also built (seed ${SEED})`, () => {
  const r = new Prng(SEED);
  const base = defaultDescriptionInput();
  const counts: Record<string, number> = {};
  for (let i = 0; i < 2000 * SCALE; i++) {
    const d = mutate(base, r);
    const build = i % 20 === 0;
    const what = `description case ${i} (seed ${SEED})`;
    const got = expectClean(what, () => {
      const v = validateDescription(d);
      if (build) Machine.build(v, { arenaBytes: 64 * MiB }).close();
    });
    counts[got] = (counts[got] ?? 0) + 1;
  }
  assert.ok((counts.ok ?? 0) > 0 && (counts.ConfigError ?? 0) > 0, JSON.stringify(counts));
});

const QEMU_PARTS = [
  '-M virt,cxl=on',
  '-M virt,cxl=off',
  '-m 512M',
  '-m 1M',
  '-m 99999T',
  '-smp 2',
  '-smp 0',
  '-smp 99',
  '-object memory-backend-ram,id=vmem0,share=on,size=256M',
  '-object memory-backend-ram,id=vmem1,size=0',
  '-object memory-backend-file,id=pm0,mem-path=/nonexistent/dir/x,size=256M',
  '-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
  '-device pxb-cxl,bus_nr=300,bus=pcie.0,id=cxl.2',
  '-device cxl-rp,port=0,bus=cxl.1,id=root_port13,chassis=0,slot=2',
  '-device cxl-rp,port=0,bus=cxl.1,id=root_port14,chassis=0,slot=3',
  '-device cxl-type3,bus=root_port13,volatile-memdev=vmem0,id=cxl-vmem0',
  '-device cxl-type3,bus=root_port14,volatile-memdev=vmem1,id=cxl-vmem1',
  '-device cxl-upstream,bus=root_port13,id=us0',
  '-device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4',
  '-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G',
  '-M cxl-fmw.0.targets.0=cxl.9,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=8k',
  '-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=1',
  '-numa node,nodeid=0,memdev=vmem0',
  '-numa dist,src=0,dst=1,val=20',
  '-device virtio-net-pci',
  '-enable-kvm',
  '-nographic',
  '-kernel /dev/null',
  ',,,',
  '-device',
  '"unterminated',
];

test(`fuzz: ${1000 * SCALE} random QEMU command lines load or fail by name (seed ${SEED})`, () => {
  const r = new Prng(SEED + 1);
  for (let i = 0; i < 1000 * SCALE; i++) {
    const n = 1 + (r.u32() % 10);
    const line = Array.from({ length: n }, () => QEMU_PARTS[r.u32() % QEMU_PARTS.length]!).join(' ');
    expectClean(`QEMU line ${JSON.stringify(line)}`, () => {
      const l = loadDescription({ qemu: line });
      if (i % 10 === 0) Machine.build(l.description, { arenaBytes: 64 * MiB }).close();
    });
  }
});

test(`fuzz: ${300 * SCALE} saved decoder states with mutated register images load or fail by name (seed ${SEED})`, () => {
  const r = new Prng(SEED + 2);
  // A realistic saved state: the default machine with R1's decoders as raw images (not a region).
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 64 * MiB });
  let saved: { state: { regions: unknown[]; decoders?: unknown[] } };
  try {
    saved = JSON.parse(JSON.stringify(m.describe()));
  } finally {
    m.close();
  }
  const images = [
    { id: 'hb0', globalControl: 2, decoders: [{ index: 1, regs: [0, 2, 0x20000000, 0, 0x1610, 0, 0, 0] }] },
    { id: 'mem0', globalControl: 2, decoders: [{ index: 1, regs: [0, 2, 0x20000000, 0, 0x1610, 0, 0, 0] }] },
  ];
  for (let i = 0; i < 300 * SCALE; i++) {
    const doc = structuredClone(saved);
    doc.state.decoders = mutate(images, r) as unknown[];
    if (i % 3 === 0) doc.state.regions = [];
    expectClean(`saved state case ${i}`, () => Machine.build(doc, { arenaBytes: 64 * MiB }).close());
  }
});

test(`fuzz: ${3000 * SCALE} corrupted ELF images parse or fail by name (seed ${SEED})`, () => {
  const r = new Prng(SEED + 3);
  const elf = readFileSync(join(GUEST_BIN, 'hello.elf'));
  for (let i = 0; i < 3000 * SCALE; i++) {
    let b = Uint8Array.from(elf);
    const flips = 1 + (r.u32() % 8);
    for (let k = 0; k < flips; k++) {
      // Mostly the headers (first 256 bytes and the program headers), sometimes anywhere.
      const at = r.u32() % 4 === 0 ? r.u32() % b.length : r.u32() % Math.min(256, b.length);
      b[at] = r.u32() & 0xff;
    }
    if (r.u32() % 10 === 0) b = b.subarray(0, r.u32() % b.length);
    expectClean(`ELF case ${i}`, () => parseElf(b, 'fuzz.elf'));
  }
});

test(`fuzz: ${150 * SCALE} random CLI invocations in-process: never exit 70, never an internal error (seed ${SEED})`, async () => {
  const r = new Prng(SEED + 4);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fuzz-cli-'));
  const hello = join(GUEST_BIN, 'hello.elf');
  const words = [
    'list',
    'describe',
    'translate',
    'audit',
    'mailbox',
    'tables',
    'region',
    'create',
    'destroy',
    'run',
    '-v',
    '-vv',
    '--json',
    '--region',
    'R0',
    'R1',
    'nope',
    '--samples',
    '100',
    '-5',
    '--pattern',
    '7',
    '--out',
    join(dir, 'out'),
    '/proc/x',
    '--save',
    join(dir, 's.json'),
    join(dir, 'nodir', 'x.json'),
    '--machine',
    join(dir, 's.json'),
    '/dev/null',
    '--qemu',
    '-M virt -m 1M',
    'mem0',
    'mem9',
    '4000',
    'zz',
    '0x100000000',
    '0x1ffffffff',
    '-1',
    '-w',
    'W0',
    '-m',
    '-s',
    '512M',
    '--kernel',
    hello,
    '--max-instructions',
    '2000',
    '--timeout',
    '0',
    '1',
    '--acpi',
    'maybe',
    '',
  ];
  const io = { out: () => {}, err: (s: string) => void (errText += s), progress: false };
  let errText = '';
  try {
    for (let i = 0; i < 150 * SCALE; i++) {
      const n = 1 + (r.u32() % 6);
      const argv = Array.from({ length: n }, () => words[r.u32() % words.length]!);
      // A run needs a guest that ends: only runs with the hello guest and an instruction limit.
      if (argv.includes('run') && !(argv.includes('--kernel') && argv.includes('--max-instructions'))) continue;
      errText = '';
      const t0 = performance.now();
      const code = await main(argv, io);
      assert.notEqual(code, 70, `cxlemu ${argv.join(' ')}: ${errText}`);
      assert.doesNotMatch(errText, /internal error/, `cxlemu ${argv.join(' ')}`);
      assert.ok(performance.now() - t0 < 20_000, `cxlemu ${argv.join(' ')} took too long`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
