// Block-chaining cost for the JIT design (docs/jit-design.md): hops per second of
// (a) return_call_indirect through a shared table across two separately compiled modules,
// (b) a JS loop calling exported block functions that return the next slot (the "return next pc"
//     protocol), and their ratio; for context (c) a wasm dispatch loop (call_indirect, no tail
//     call), (d) direct return_call inside one module, and compile time per block of a batch,
//     synchronous (new WebAssembly.Module) vs asynchronous (WebAssembly.compile).
// Every block does the same work: acc = acc * 31 + k on an i64 in the shared memory (as hart state
// in the arena would be). Prints one JSON object. Best of 5 runs each.
// Usage: node dist/bench/wasm-chain.js [millions]
import { ModuleBuilder, ValType, type FunctionBuilder } from '../src/cpu/wasm/module-builder.js';
import { Wasm, instantiateSync, type WasmTable } from '../src/cpu/wasm/wasm-api.js';

const N = Math.round(Number(process.argv[2] ?? 10) * 1e6);
const SLOTS = 4;
const ACC = 8; // byte offset of the accumulator in the memory
const { i32, i64 } = ValType;
const CHAIN = { params: [i32], results: [i32] };
const STEP = { params: [], results: [i32] };

const mem = new Wasm.Memory({ initial: 1, maximum: 1, shared: true });
const acc = new BigInt64Array(mem.buffer);

/** acc = acc * 31 + k, in memory. */
function work(f: FunctionBuilder, k: number): void {
  f.i32Const(0).i32Const(0).i64Load(8, ACC).i64Const(31).i64Mul().i64Const(k).i64Add().i64Store(8, ACC);
}

/** (a)/(b) modules: `slots` of one parity, installed into the imported table by element segments. */
function chainModule(slots: number[], tail: boolean): Uint8Array {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  m.importTable('env', 'tbl', { min: SLOTS });
  for (const k of slots) {
    const next = (k + 1) % SLOTS;
    if (tail) {
      // (n) -> n at exit; chains while n > 0.
      const f = m.function(`chain${k}`, CHAIN.params, CHAIN.results);
      work(f, k);
      f.localGet(0).i32Eqz();
      f.if();
      f.i32Const(0).return();
      f.end();
      f.localGet(0).i32Const(1).i32Sub().i32Const(next).returnCallIndirect(CHAIN);
      m.elements(0, k, [f]);
    } else {
      const f = m.function(`step${k}`, STEP.params, STEP.results);
      work(f, k);
      f.i32Const(next);
      m.elements(0, k, [f]);
    }
  }
  return m.toBytes();
}

/** (c): loop { slot = call_indirect[slot]() } n times. */
function dispatchModule(): Uint8Array {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  m.importTable('env', 'tbl', { min: SLOTS });
  const f = m.function('dispatch', [i32], []);
  const slot = f.local(i32);
  const done = f.block();
  const top = f.loop();
  f.localGet(0).i32Eqz().brIf(done);
  f.localGet(slot).callIndirect(STEP).localSet(slot);
  f.localGet(0).i32Const(1).i32Sub().localSet(0).br(top);
  f.end(top);
  f.end(done);
  m.exportFunction('dispatch', f);
  return m.toBytes();
}

/** (d): SLOTS functions in one module, return_call to the next directly. */
function directModule(): Uint8Array {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  const fs = Array.from({ length: SLOTS }, (_, k) => m.function(`direct${k}`, CHAIN.params, CHAIN.results));
  fs.forEach((f, k) => {
    work(f, k);
    f.localGet(0).i32Eqz();
    f.if();
    f.i32Const(0).return();
    f.end();
    f.localGet(0)
      .i32Const(1)
      .i32Sub()
      .returnCall(fs[(k + 1) % SLOTS]!);
  });
  m.exportFunction('entry', fs[0]!);
  return m.toBytes();
}

const refs = new Map<number, bigint>();
function reference(n: number): bigint {
  const hit = refs.get(n);
  if (hit !== undefined) return hit;
  let a = 0n;
  for (let i = 0, k = 0; i < n; i++, k = (k + 1) % SLOTS) a = BigInt.asIntN(64, a * 31n + BigInt(k));
  refs.set(n, a);
  return a;
}

const REPEATS = 5;
/** Best of REPEATS timed runs after a warm-up (the host is shared; the best run is the least disturbed). */
function rate(label: string, hops: number, run: () => void): number {
  acc[1] = 0n;
  run(); // warm up (tiers up to TurboFan)
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    acc[1] = 0n;
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    if (acc[1] !== reference(hops)) throw new Error(`${label}: accumulator ${acc[1]} != reference ${reference(hops)}`);
  }
  return hops / best;
}

function table(): WasmTable {
  return new Wasm.Table({ element: 'anyfunc', initial: SLOTS });
}

// (a) return_call_indirect across two modules.
const tA = table();
instantiateSync(chainModule([0, 2], true), { env: { mem, tbl: tA } });
instantiateSync(chainModule([1, 3], true), { env: { mem, tbl: tA } });
const entryA = tA.get(0) as (n: number) => number;
// n hops after the first block: n + 1 blocks run.
const a = rate('return_call_indirect', N, () => entryA(N - 1));

// (a2) the same, all four blocks in one module (no instance switch per hop).
const tA2 = table();
instantiateSync(chainModule([0, 1, 2, 3], true), { env: { mem, tbl: tA2 } });
const entryA2 = tA2.get(0) as (n: number) => number;
const a2 = rate('return_call_indirect, one module', N, () => entryA2(N - 1));

// (b) JS loop over exported step functions.
const tB = table();
instantiateSync(chainModule([0, 2], false), { env: { mem, tbl: tB } });
instantiateSync(chainModule([1, 3], false), { env: { mem, tbl: tB } });
const steps = Array.from({ length: SLOTS }, (_, k) => tB.get(k) as () => number);
const b = rate('js loop', N, () => {
  let slot = 0;
  for (let i = 0; i < N; i++) slot = steps[slot]!();
});

// (c) wasm dispatch loop with call_indirect over the same step functions.
const dispatch = instantiateSync(dispatchModule(), { env: { mem, tbl: tB } })['dispatch'] as (n: number) => void;
const c = rate('wasm dispatch loop', N, () => dispatch(N));

// (d) direct return_call in one module.
const direct = instantiateSync(directModule(), { env: { mem } })['entry'] as (n: number) => number;
const d = rate('return_call', N, () => direct(N - 1));

// (e) compile time per block: batches of 256 blocks of ~60 instructions each, each batch with
// different constants (no cache hits); "ready" includes instantiating and running every block once
// (V8 compiles lazily / tiers up on first call).
function batch(blocks: number, salt: number): Uint8Array {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  m.importTable('env', 'tbl', { min: SLOTS });
  for (let k = 0; k < blocks; k++) {
    const f = m.function(`b${k}`, STEP.params, STEP.results);
    const r = f.locals(i64, 4);
    for (let j = 0; j < 4; j++)
      f.i32Const(0)
        .i64Load(8, 64 + 8 * j)
        .localSet(r + j);
    for (let j = 0; j < 6; j++)
      f.localGet(r + (j % 4))
        .localGet(r + ((j + 1) % 4))
        .i64Add()
        .i64Const(j + k + salt)
        .i64Xor()
        .localSet(r + (j % 4));
    for (let j = 0; j < 4; j++)
      f.i32Const(0)
        .localGet(r + j)
        .i64Store(8, 64 + 8 * j);
    f.i32Const(k % SLOTS);
    m.exportFunction(`b${k}`, f);
  }
  return m.toBytes();
}
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const BLOCKS = 256;
for (let i = 0; i < 20; i++) batch(BLOCKS, 100 + i); // warm the builder (V8 tiers it up)
let emitMs = Infinity;
let t0 = process.hrtime.bigint();
for (let i = 0; i < REPEATS; i++) {
  t0 = process.hrtime.bigint();
  batch(BLOCKS, 200 + i);
  emitMs = Math.min(emitMs, ms(t0));
}
const bytes = batch(BLOCKS, 2);
function runAll(mod: object): void {
  const ex = new Wasm.Instance(mod, { env: { mem, tbl: table() } }).exports;
  for (let k = 0; k < BLOCKS; k++) (ex[`b${k}`] as () => number)();
}
t0 = process.hrtime.bigint();
const syncMod = new Wasm.Module(bytes);
const syncMs = ms(t0);
runAll(syncMod);
const syncReadyMs = ms(t0);
const bytes2 = batch(BLOCKS, 3);
t0 = process.hrtime.bigint();
const asyncMod = await Wasm.compile(bytes2);
const asyncMs = ms(t0);
runAll(asyncMod);
const asyncReadyMs = ms(t0);

const r = (x: number): number => Math.round(x);
console.log(
  JSON.stringify(
    {
      bench: 'wasm-chain',
      node: process.versions.node,
      v8: process.versions.v8,
      hops: N,
      returnCallIndirectHopsPerSec: r(a),
      jsLoopHopsPerSec: r(b),
      ratioReturnCallIndirectToJsLoop: Number((a / b).toFixed(2)),
      returnCallIndirectOneModuleHopsPerSec: r(a2),
      wasmDispatchLoopHopsPerSec: r(c),
      returnCallDirectHopsPerSec: r(d),
      compileBatch: {
        blocks: BLOCKS,
        bytes: bytes.length,
        emitMsPerBlock: Number((emitMs / BLOCKS).toFixed(4)),
        syncCompileMsPerBlock: Number((syncMs / BLOCKS).toFixed(4)),
        syncReadyMsPerBlock: Number((syncReadyMs / BLOCKS).toFixed(4)),
        asyncCompileMsPerBlock: Number((asyncMs / BLOCKS).toFixed(4)),
        asyncReadyMsPerBlock: Number((asyncReadyMs / BLOCKS).toFixed(4)),
      },
    },
    null,
    2,
  ),
);
