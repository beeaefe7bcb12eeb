// The builder API. Oracles: the opcode table in opcodes.ts (every entry has a method that emits
// exactly its bytes, checked against hand-written byte strings from the binary-format spec for a
// sample), V8's validator and execution for the less common module shapes, and the rule each
// misuse breaks (the WasmBuilderBug message names it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Imm, methodName, OPS, PREFIX_ATOMIC } from '../../../src/cpu/wasm/opcodes.js';
import { FunctionBuilder, ModuleBuilder, ValType, WasmBuilderBug } from '../../../src/cpu/wasm/module-builder.js';
import { encode, writeU32 } from '../../../src/cpu/wasm/leb128.js';
import { printWat } from '../../../src/cpu/wasm/wat.js';
import { Wasm, instantiateSync } from '../../../src/cpu/wasm/wasm-api.js';

const { i32, i64 } = ValType;

/** Body bytes of a fresh function after `emit` (locals header 0x00 stripped, final end kept). */
function bodyOf(emit: (f: FunctionBuilder) => void, withMemory = true): number[] {
  const m = new ModuleBuilder({ checkTypes: false }); // bytes only: operands are not pushed
  if (withMemory) m.defineMemory({ min: 1 });
  const f = m.function('f', [], []);
  emit(f);
  return [...f.finish()].slice(1);
}

test('every table instruction without immediates or with a memarg has a method emitting its bytes', () => {
  let checked = 0;
  for (const o of OPS) {
    const name = methodName(o.name);
    const method = (f: FunctionBuilder): ((...a: number[]) => unknown) =>
      (f as unknown as Record<string, (...a: number[]) => unknown>)[name]!.bind(f);
    assert.equal(
      typeof (FunctionBuilder.prototype as unknown as Record<string, unknown>)[name],
      'function',
      `${o.name}: no method ${name}`,
    );
    const pre = o.prefix ? [o.prefix, ...encode((s) => writeU32(s, o.code))] : [o.code];
    if (o.imm === Imm.None && !['else', 'end'].includes(o.name)) {
      assert.deepEqual(
        bodyOf((f) => method(f)()),
        [...pre, 0x0b],
        o.name,
      );
      checked++;
    } else if (o.imm === Imm.MemArg) {
      const w = o.width!;
      const memarg = [Math.log2(w), ...encode((s) => writeU32(s, 200))];
      const args = o.atomic ? [200] : [w, 200];
      assert.deepEqual(
        bodyOf((f) => method(f)(...args)),
        [...pre, ...memarg, 0x0b],
        o.name,
      );
      checked++;
    }
  }
  assert.ok(checked > 220, `checked ${checked}`);
});

test('spec byte strings for a sample', () => {
  assert.deepEqual(
    bodyOf((f) => f.i64Add()),
    [0x7c, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i64Load(4, 16)),
    [0x29, 0x02, 0x10, 0x0b],
  ); // align=4 -> log2 2
  assert.deepEqual(
    bodyOf((f) => f.i64AtomicRmwCmpxchg(8)),
    [0xfe, 0x49, 0x03, 0x08, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i32AtomicRmw8CmpxchgU()),
    [0xfe, 0x4a, 0x00, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i64Extend32S()),
    [0xc4, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.memoryCopy()),
    [0xfc, 0x0a, 0x00, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.memoryFill()),
    [0xfc, 0x0b, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.atomicFence()),
    [0xfe, 0x03, 0x00, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i64Const(-1)),
    [0x42, 0x7f, 0x0b],
  );
  assert.deepEqual(
    bodyOf((f) => f.i32Const(0xffff_ffff)),
    [0x41, 0x7f, 0x0b],
  );
  assert.equal(OPS.filter((o) => o.prefix === PREFIX_ATOMIC && o.name.includes('cmpxchg')).length, 7);
});

test('labels become relative depths; misuse is a WasmBuilderBug naming the function', () => {
  const m = new ModuleBuilder();
  const f = m.function('g', [i32], [i32]);
  const outer = f.block(i32);
  const inner = f.loop();
  assert.equal(f.depthOf(inner), 0);
  assert.equal(f.depthOf(outer), 1);
  assert.equal(f.depthOf(f.body), 2);
  f.localGet(0).brIf(inner);
  assert.throws(
    () => f.end(outer),
    (e: unknown) =>
      e instanceof WasmBuilderBug && /function g \(#0\): end closes the loop at depth 2/.test((e as Error).message),
  );
  const m2 = new ModuleBuilder();
  const h = m2.function('h', [], []);
  const b = h.block();
  h.end(b);
  assert.throws(() => h.br(b), /closed or belongs to another function/);
  assert.throws(() => h.else(), /else without an open if/);
  h.i32Const(1);
  const cond = h.if();
  h.else();
  assert.throws(() => h.else(), /second else for the if at depth 1/);
  h.end(cond);
  assert.throws(() => h.end(), /end with no open block/);
  h.block();
  assert.throws(() => m2.toBytes(), /finished with open blocks: block@1/);
  const g2 = new ModuleBuilder().function('k', [i64], []);
  assert.throws(() => g2.br(f.body), /closed or belongs to another function/);
  assert.throws(() => g2.localGet(1), /local 1 does not exist \(1 locals\)/);
});

test('builder rejects broken modules before V8 sees them', () => {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  const f = m.function('f', [], []);
  assert.throws(() => m.importFunction('env', 'late', [], []), /import functions before defining any/);
  assert.throws(
    () => f.memOp(PREFIX_ATOMIC, 0x11, 8, true, 4, 0),
    /alignment 4 for a 8-byte atomic access \(must be natural\)/,
  );
  assert.throws(() => f.i64Load(16), /alignment 16 for a 8-byte access/);
  assert.throws(() => f.i32Load(3), /alignment 3/);
  assert.throws(() => f.call(7), /call to function 7, which does not exist/);
  assert.throws(() => f.returnCallIndirect(0), /table 0 does not exist/);
  assert.throws(() => f.i64Const(2 ** 53), /not a safe integer/);
  const g = m.defineGlobal(i32, false, 5);
  assert.throws(() => f.globalSet(g), /immutable global 0/);
  m.exportFunction('f', f);
  assert.throws(() => m.exportFunction('f', f), /export name f used twice/);
  const bad = new ModuleBuilder();
  bad.importMemory('env', 'm', { min: 1, shared: true });
  assert.throws(() => bad.toBytes(), /a shared memory needs a maximum/);
  assert.throws(
    () => new ModuleBuilder().function('n', [], []).i32Load(),
    /memory access in a module without a memory/,
  );
});

test('types are deduplicated; locals are run-length encoded in declaration order', () => {
  const m = new ModuleBuilder();
  assert.equal(m.type([i64], [i64]), m.type([i64], [i64]));
  assert.notEqual(m.type([i64], [i64]), m.type([i64, i64], [i64]));
  const f = m.function('f', [i32], []);
  assert.equal(f.local(i64), 1);
  assert.equal(f.locals(i64, 2), 2);
  assert.equal(f.local(i32), 4);
  assert.equal(f.local(i64), 5);
  assert.deepEqual([...f.finish()].slice(0, 7), [3, 3, i64, 1, i32, 1, i64]);
  assert.match(printWat(m.toBytes()), /\(local i64 i64 i64 i32 i64\)/);
});

test('i64.const from numbers, bigints and halves reaches V8 unchanged', () => {
  const vals: (number | bigint | [number, number])[] = [
    0,
    -1,
    2 ** 53 - 1,
    -(2 ** 53) + 1,
    -4096,
    0x1_0000_0000,
    -0x1_0000_0001,
    1n << 63n,
    -(1n << 63n),
    [0xffff_ffff, 0x7fff_ffff],
    [0, -0x8000_0000],
  ];
  const want = [
    0n,
    -1n,
    2n ** 53n - 1n,
    -(2n ** 53n) + 1n,
    -4096n,
    0x1_0000_0000n,
    -0x1_0000_0001n,
    -(1n << 63n),
    -(1n << 63n),
    (1n << 63n) - 1n,
    -(1n << 63n),
  ];
  const m = new ModuleBuilder();
  vals.forEach((v, i) => {
    const f = m.function(`c${i}`, [], [i64]);
    if (Array.isArray(v)) f.i64ConstHalves(v[0], v[1]);
    else f.i64Const(v);
    m.exportFunction(`c${i}`, f);
  });
  const e = instantiateSync(m.toBytes());
  want.forEach((w, i) => assert.equal((e[`c${i}`] as () => bigint)(), w, `value #${i}`));
});

test('imported globals place element segments; own globals, multi-value blocks and direct tail calls run', () => {
  const m = new ModuleBuilder();
  const tbl = m.importTable('env', 't', { min: 8 });
  const base = m.importGlobal('env', 'base', i32);
  const counter = m.defineGlobal(i64, true, 40n);
  const bump = m.function('bump', [], [i64]);
  bump.globalGet(counter).i64Const(2).i64Add().globalSet(counter).globalGet(counter);
  // swap(a, b) through a block typed [i64 i64] -> [i64 i64], then a - b.
  const swap = m.function('swapSub', [i64, i64], [i64]);
  const t = swap.local(i64);
  const u = swap.local(i64);
  swap.localGet(0).localGet(1);
  const blk = swap.block({ params: [i64, i64], results: [i64, i64] });
  swap.localSet(t).localSet(u).localGet(t).localGet(u);
  swap.end(blk);
  swap.i64Sub();
  // countdown(n): return_call itself to zero, no stack growth.
  const down = m.function('down', [i64], [i64]);
  down.localGet(0).i64Eqz();
  down.if();
  down.i64Const(99).return();
  down.end();
  down.localGet(0).i64Const(1).i64Sub().returnCall(down);
  m.elements(tbl, { global: base }, [bump, swap, down]);
  const bytes = m.toBytes();
  assert.ok(Wasm.validate(bytes));
  const table = new Wasm.Table({ element: 'anyfunc', initial: 8 });
  const baseG = new Wasm.Global({ value: 'i32' }, 5);
  instantiateSync(bytes, { env: { t: table, base: baseG } });
  assert.equal(table.get(4), null);
  assert.equal((table.get(5) as () => bigint)(), 42n);
  assert.equal((table.get(5) as () => bigint)(), 44n);
  assert.equal((table.get(6) as (a: bigint, b: bigint) => bigint)(10n, 3n), -7n);
  assert.equal((table.get(7) as (n: bigint) => bigint)(3_000_000n), 99n);
  assert.match(printWat(bytes), /\(elem \(;0;\) \(table 0\) \(global\.get 0\) func 0 1 2\)/);
});

test('a second table gets flag-2 element segments; call_indirect picks the table', () => {
  const m = new ModuleBuilder();
  m.importTable('env', 'shared', { min: 1 });
  const own = m.defineTable({ min: 2, max: 2 });
  const seven = m.function('seven', [], [i32]);
  seven.i32Const(7);
  const viaOwn = m.function('viaOwn', [i32], [i32]);
  viaOwn.localGet(0).callIndirect({ params: [], results: [i32] }, own);
  m.elements(own, 1, [seven]).exportFunction('viaOwn', viaOwn).exportTable('own', own);
  const bytes = m.toBytes();
  const text = printWat(bytes);
  assert.match(text, /\(elem \(;0;\) \(table 1\) \(i32\.const 1\) func 0\)/);
  assert.match(text, /call_indirect 1 \(type 0\)/);
  const e = instantiateSync(bytes, { env: { shared: new Wasm.Table({ element: 'anyfunc', initial: 1 }) } });
  assert.equal((e['viaOwn'] as (i: number) => number)(1), 7);
});

test('emit-time type checks name the instruction and the stack (validation algorithm oracle)', () => {
  const fresh = (params: ValType[] = [], results: ValType[] = []): FunctionBuilder => {
    const m = new ModuleBuilder();
    m.defineMemory({ min: 1 });
    return m.function('t', params, results);
  };
  assert.throws(
    () => fresh([i32, i64]).localGet(0).localGet(1).i64Add(),
    /function t \(#0\): i64\.add expects \[i64 i64\] but the stack has \[i32 i64\]/,
  );
  assert.throws(() => fresh([i64]).localGet(0).localSet(0).i64Eqz(), /i64\.eqz expects \[i64\] but the stack has \[\]/);
  assert.throws(() => fresh([i64]).i32Const(1).localSet(0), /local\.set expects \[i64\]/);
  assert.throws(
    () => fresh().i32Const(0).i64Const(1).i32Store(),
    /i32\.store expects \[i32 i32\] but the stack has \[i32 i64\]/,
  );
  assert.throws(
    () => fresh().i32Const(0).i64Const(1).i64Const(2).i32AtomicRmwCmpxchg(),
    /i32\.atomic\.rmw\.cmpxchg expects \[i32 i32 i32\]/,
  );
  assert.throws(
    () => fresh([], [i64]).i32Const(1).finish(),
    /the function end expects \[i64\] but the stack has \[i32\]/,
  );
  assert.throws(() => fresh().i32Const(1).finish(), /the function end leaves \[i32\] on the stack/);
  assert.throws(
    () => fresh().i32Const(1).i64Const(2).i32Const(1).select(),
    /select expects \[i64\] but the stack has \[i32\]/,
  );
  // if with a result needs an else arm producing it.
  const g = fresh([i32], [i64]);
  g.localGet(0);
  g.if(i64);
  g.i64Const(1);
  assert.throws(() => g.end(), /if without else must have results equal to params/);
  // Code after an unconditional branch is unreachable: any operands type-check.
  const h = fresh([], [i64]);
  const b = h.block(i64);
  h.i64Const(1).br(b).i64Add().i64Eqz().drop().i64Const(3);
  h.end(b);
  assert.doesNotThrow(() => h.finish());
  const r = fresh([], [i64]);
  r.i64Const(4).return().i32Add().drop();
  r.unreachable().i64Add();
  assert.doesNotThrow(() => r.finish());
  // Branch values: br_if keeps them, a loop label takes the loop's params.
  const k = fresh([i32], [i64]);
  const out = k.block(i64);
  k.i64Const(5).localGet(0).brIf(out);
  assert.throws(
    () => k.br(out).end(out).drop().i32Const(0).brIf(k.body),
    /br_if expects \[i64\] but the stack has \[\]/,
  );
  const lp = fresh();
  lp.i64Const(1);
  const loopLabel = lp.loop({ params: [i64], results: [] });
  lp.drop();
  assert.throws(() => lp.br(loopLabel), /br expects \[i64\] but the stack has \[\]/);
  // Tail calls must return what the caller returns; br_table targets must agree in arity.
  const m = new ModuleBuilder();
  const callee = m.function('callee', [], [i32]);
  callee.i32Const(1);
  const caller = m.function('caller', [], [i64]);
  assert.throws(
    () => caller.returnCall(callee),
    /return_call to a callee returning \[i32\] from a function returning \[i64\]/,
  );
  const bt = m.function('bt', [i32], []);
  const withValue = bt.block(i32);
  const plain = bt.block();
  assert.throws(
    () => bt.i32Const(0).localGet(0).brTable([withValue], plain),
    /br_table targets carry different numbers of values/,
  );
});

test('branch hints: one custom section before the code section names each hinted if by its body offset', () => {
  const m = new ModuleBuilder();
  m.function('plain', [i32], [i32]).localGet(0);
  const f = m.function('hinted', [i32], [i32]);
  const t = f.local(i64); // a locals header, so offsets must count it
  f.localGet(0).ifHinted(true, i32);
  f.i32Const(1).else().i32Const(2).end();
  f.localGet(0).if(i32);
  f.i32Const(3).else().i32Const(4).end().i32Add();
  f.localGet(0).ifHinted(false);
  f.i64Const(5).localSet(t).end();
  m.exportFunction('hinted', f);
  const bytes = m.toBytes();
  // Walk the sections: the hint section's offsets, then the code section's bodies.
  let pos = 8;
  const u32 = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  const order: string[] = [];
  const hinted: [number, number, number][] = [];
  const bodies: number[] = []; // start of each body (its locals header)
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = u32();
    const end = pos + size;
    if (id === 0) {
      const nameLen = u32();
      const name = new TextDecoder().decode(bytes.subarray(pos, pos + nameLen));
      pos += nameLen;
      order.push(name);
      if (name === 'metadata.code.branch_hint')
        for (let n = u32(); n > 0; n--) {
          const fn = u32();
          for (let k = u32(); k > 0; k--) {
            const off = u32();
            assert.equal(u32(), 1, 'hint size');
            hinted.push([fn, off, bytes[pos++]!]);
          }
        }
    } else if (id === 10) {
      order.push('code');
      for (let n = u32(); n > 0; n--) {
        const len = u32();
        bodies.push(pos);
        pos += len;
      }
    }
    pos = end;
  }
  assert.deepEqual(order, ['metadata.code.branch_hint', 'code', 'name']);
  assert.deepEqual(
    hinted.map(([fn, , v]) => [fn, v]),
    [
      [1, 1],
      [1, 0],
    ],
  );
  for (const [fn, off] of hinted) assert.equal(bytes[bodies[fn]! + off], 0x04, `hint at ${off} is an if`);
  // The printer shows them where the text format puts annotations; V8 runs the module.
  const text = printWat(bytes);
  assert.match(text, /\(@metadata\.code\.branch_hint "\\01"\)\n\s+if \(result i32\)/);
  assert.match(text, /\(@metadata\.code\.branch_hint "\\00"\)\n\s+if\n/);
  const run = (instantiateSync(bytes, {}) as Record<string, unknown>)['hinted'] as (x: number) => number;
  assert.equal(run(1), 4);
  assert.equal(run(0), 6);
});
