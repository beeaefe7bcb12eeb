// Runs the modules of modules.ts in V8 (Node 20). Oracles: BigInt reference functions for the
// arithmetic, JS DataView/Atomics on the same SharedArrayBuffer for memory and atomics, a plain
// JS loop for the block chain and Collatz, and the WebAssembly spec's trap list (V8's messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Wasm, instantiateSync, type WasmMemoryLike } from '../../../src/cpu/wasm/wasm-api.js';
import {
  arithModule,
  brTableModule,
  chainModule,
  CHAIN_SLOTS,
  sharedMemoryModule,
  TLB_BASE,
  tlbProbeModule,
  trapModule,
} from './modules.js';
import { Prng } from '../../helpers/prng.js';
import { cases } from '../../helpers/scale.js';

type I64Fn = (a: bigint, b: bigint) => bigint;
const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

function sharedMemory(): WasmMemoryLike {
  return new Wasm.Memory({ initial: 1, maximum: 1, shared: true });
}

test('i64 arithmetic on locals matches a BigInt model', () => {
  const e = instantiateSync(arithModule().toBytes());
  const [mix, addw, sltu, sra, divu] = ['mix', 'addw', 'sltu', 'sra', 'divu'].map((n) => e[n] as I64Fn);
  const rotl = (v: bigint, n: bigint): bigint => ((v << n) | (v >> (64n - n))) & M64;
  const rng = new Prng(0xa11);
  const edge = [0n, 1n, -1n, 1n << 63n, (1n << 63n) - 1n, 0xffff_ffffn, 0x8000_0000n];
  const pick = (): bigint =>
    rng.below(4) === 0 ? s64(edge[rng.below(edge.length)]!) : s64((BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
  for (let i = 0; i < cases(300); i++) {
    const a = pick();
    const b = pick();
    const ua = BigInt.asUintN(64, a);
    const ub = BigInt.asUintN(64, b);
    const t = (ua * ub + (ua >> 3n)) & M64;
    assert.equal(mix!(a, b), s64(t ^ rotl(ub, 13n) ^ 0xdead_beef_0000_0001n), `mix ${a} ${b}`);
    assert.equal(addw!(a, b), BigInt.asIntN(32, a + b), `addw ${a} ${b}`);
    assert.equal(sltu!(a, b), ua < ub ? 1n : 0n);
    assert.equal(sra!(a, b), a >> (ub & 63n));
    assert.equal(divu!(a, b), ub === 0n ? -1n : s64(ua / ub));
  }
});

test('loads and stores on an imported shared memory are seen by JS, and the reverse', () => {
  const mem = sharedMemory();
  assert.ok(mem.buffer instanceof SharedArrayBuffer);
  const e = instantiateSync(sharedMemoryModule().toBytes(), { env: { mem } });
  const dv = new DataView(mem.buffer);
  dv.setBigUint64(0x108, 0x0123_4567_89ab_cdefn, true);
  assert.equal(
    (e['load64'] as (a: number) => bigint)(0x100),
    0x0123_4567_89ab_cdefn,
    'offset 8 is added to the address',
  );
  dv.setUint8(0x200, 0x80);
  assert.equal((e['loadS8'] as (a: number) => bigint)(0x200), -128n);
  dv.setUint16(0x301, 0xbeef, true);
  assert.equal((e['loadU16'] as (a: number) => bigint)(0x301), 0xbeefn, 'unaligned plain load');
  dv.setBigUint64(0x400, M64, true);
  (e['store32'] as (a: number, v: bigint) => void)(0x400, 0x1122_3344_5566_7788n);
  assert.equal(dv.getBigUint64(0x400, true), 0xffff_ffff_5566_7788n, 'store32 writes the low 4 bytes only');
  // memory.copy has memmove semantics on overlap.
  for (let i = 0; i < 16; i++) dv.setUint8(0x500 + i, i);
  (e['copy'] as (d: number, s: number, n: number) => void)(0x504, 0x500, 8);
  assert.deepEqual([...new Uint8Array(mem.buffer, 0x500, 16)], [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
  (e['fill'] as (d: number, b: number, n: number) => void)(0x600, 0xab, 5);
  assert.deepEqual([...new Uint8Array(mem.buffer, 0x600, 6)], [0xab, 0xab, 0xab, 0xab, 0xab, 0]);
});

test('i64.atomic.rmw.cmpxchg and rmw.or: old value returned, store only on match (A/D update shape)', () => {
  const mem = sharedMemory();
  const e = instantiateSync(sharedMemoryModule().toBytes(), { env: { mem } });
  const cas = e['cas64'] as (a: number, exp: bigint, rep: bigint) => bigint;
  const setBits = e['setBits'] as (a: number, b: bigint) => bigint;
  const words = new BigInt64Array(mem.buffer);
  const pte = 0x2000_0000_0000_00cfn; // high bits set: the compare is on all 64 bits
  Atomics.store(words, 16, pte);
  assert.equal(cas(128, pte ^ (1n << 40n), pte | 0x40n), pte, 'mismatch in bit 40: returns current value');
  assert.equal(Atomics.load(words, 16), pte, 'mismatch leaves memory unchanged');
  assert.equal(cas(128, pte, pte | 0xc0n), pte, 'match returns the old value');
  assert.equal(Atomics.load(words, 16), pte | 0xc0n);
  assert.equal(setBits(128, 1n << 63n), pte | 0xc0n);
  assert.equal(Atomics.load(words, 16), s64(pte | 0xc0n | (1n << 63n)));
});

test('atomic adds from two worker threads on one shared memory lose no update', async () => {
  const mem = sharedMemory();
  const bytes = sharedMemoryModule().toBytes();
  const N = 20000;
  const src = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { bytes, mem, n } = workerData;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
    for (let i = 0; i < n; i++) inst.exports.atomicAdd32(64, 1);
    parentPort.postMessage('done');`;
  const run = (): Promise<void> =>
    new Promise((res, rej) => {
      const w = new Worker(src, { eval: true, workerData: { bytes, mem, n: N } });
      w.once('message', () => res());
      w.once('error', rej);
    });
  await Promise.all([run(), run()]);
  assert.equal(Atomics.load(new Int32Array(mem.buffer), 16), 2 * N);
});

function chainReference(start: number, hops: number): bigint {
  let acc = 0n;
  let k = start;
  for (let i = hops; ; i--) {
    acc = BigInt.asIntN(64, acc * 31n + BigInt(k));
    if (i === 0) return acc;
    k = (k + 1) % CHAIN_SLOTS;
  }
}

test('blocks in two separately compiled modules chain through a shared table with return_call_indirect', () => {
  const table = new Wasm.Table({ element: 'anyfunc', initial: CHAIN_SLOTS });
  // Each module installs its blocks into the shared table through its element segments.
  instantiateSync(chainModule([0, 2]).toBytes(), { env: { chain: table } });
  assert.equal(table.get(1), null, 'odd slots still empty');
  instantiateSync(chainModule([1, 3]).toBytes(), { env: { chain: table } });
  const entry = table.get(0) as (n: number, acc: bigint) => bigint;
  for (const hops of [0, 1, 2, 3, 4, 5, 17]) assert.equal(entry(hops, 0n), chainReference(0, hops), `${hops} hops`);
  // A million hops: tail calls reuse the frame (a plain call chain would overflow the stack).
  assert.equal(entry(1_000_000, 0n), chainReference(0, 1_000_000));
  assert.equal(
    (table.get(3) as (n: number, acc: bigint) => bigint)(6, 5n),
    (() => {
      let acc = 5n;
      for (let i = 0, k = 3; i <= 6; i++, k = (k + 1) % 4) acc = BigInt.asIntN(64, acc * 31n + BigInt(k));
      return acc;
    })(),
  );
  // Replacing a slot redirects the chain (how a retranslated block would be swapped in).
  table.set(2, table.get(0));
  assert.equal(entry(2, 0n), BigInt(0 * 31 * 31 + 1 * 31 + 0));
});

test('br_table dispatch in a loop: Collatz steps match JS', () => {
  const collatz = instantiateSync(brTableModule().toBytes())['collatz'] as (n: bigint) => number;
  const ref = (n: number): number => {
    let s = 0;
    while (n > 1) {
      n = n % 2 ? 3 * n + 1 : n / 2;
      s++;
    }
    return s;
  };
  for (let n = 0; n < 1000; n++) assert.equal(collatz(BigInt(n)), ref(n), `n=${n}`);
  assert.equal(collatz(27n), 111);
});

test('traps surface as WebAssembly.RuntimeError with the cause', () => {
  const e = instantiateSync(trapModule().toBytes()) as Record<string, (...a: unknown[]) => unknown>;
  const traps: [() => unknown, RegExp][] = [
    [() => e['unreach']!(), /unreachable/],
    [() => e['divS']!(1n, 0n), /divide by zero/],
    [() => e['divS']!(-(1n << 63n), -1n), /divide result unrepresentable/],
    [() => e['load']!(65536 - 7), /memory access out of bounds/],
    [() => e['indirect']!(0), /function signature mismatch/],
    [() => e['indirect']!(1), /null function/],
    [() => e['indirect']!(2), /table index is out of bounds/],
    [() => e['atomicLoad']!(2), /unaligned/],
  ];
  for (const [f, msg] of traps)
    assert.throws(f, (err: unknown) => err instanceof Wasm.RuntimeError && msg.test((err as Error).message));
  assert.equal(e['load']!(65536 - 8), 0n, 'the last 8 bytes are in bounds');
  assert.equal(e['atomicLoad']!(4), 0, 'aligned atomic is fine');
});

test('TLB probe shape: a hit is a compare and an add, a flagged or foreign tag calls the slow path', () => {
  const mem = sharedMemory();
  const slowCalls: bigint[] = [];
  const loadSlow = (v: bigint): bigint => {
    slowCalls.push(v);
    return -7n;
  };
  const load64 = instantiateSync(tlbProbeModule().toBytes(), { env: { mem, loadSlow } })['load64'] as (
    v: bigint,
  ) => bigint;
  const dv = new DataView(mem.buffer);
  const entry = (vpage: bigint): number => TLB_BASE + Number(vpage & 255n) * 16;
  // Guest page 0x12_3456_7000 (above 4 GiB) maps to arena offset 0x8000.
  const vpage = 0x12_3456_7n;
  const vaddr = vpage << 12n;
  dv.setBigUint64(entry(vpage), vaddr, true);
  dv.setBigInt64(entry(vpage) + 8, 0x8000n - vaddr, true);
  dv.setBigUint64(0x8000 + 0x18, 0xfeed_face_cafe_beefn, true);
  assert.equal(load64(vaddr + 0x18n), s64(0xfeed_face_cafe_beefn));
  assert.deepEqual(slowCalls, []);
  // Same index, other page: miss.
  assert.equal(load64(vaddr + (256n << 12n) + 0x18n), -7n);
  // A flag bit in the tag's low 12 bits (e.g. MMIO) makes every compare miss.
  dv.setBigUint64(entry(vpage), vaddr | 1n, true);
  assert.equal(load64(vaddr + 0x18n), -7n);
  assert.deepEqual(slowCalls, [vaddr + (256n << 12n) + 0x18n, vaddr + 0x18n]);
});
