// Small modules built with the module builder, shared by the expect (golden) test and the tests
// that run them in V8: the golden file pins the bytes, the run tests pin the behaviour.
// Not a test file itself.
import { ModuleBuilder, ValType, type FuncSig } from '../../../src/cpu/wasm/module-builder.js';

const { i32, i64 } = ValType;

/** i64 arithmetic on parameters and locals, an RV-style 32-bit add (wrap + extend32_s), constants. */
export function arithModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  // mix(a, b) = ((a * b) + (a >>u 3)) ^ rotl(b, 13) ^ 0xdead_beef_0000_0001
  const mix = m.function('mix', [i64, i64], [i64]);
  const t = mix.local(i64);
  mix.localGet(0).localGet(1).i64Mul().localGet(0).i64Const(3).i64ShrU().i64Add().localSet(t);
  mix.localGet(t).localGet(1).i64Const(13).i64Rotl().i64Xor();
  mix.i64ConstHalves(0x0000_0001, 0xdead_beef).i64Xor();
  // addw(a, b) = sign-extend the low 32 bits of a + b
  const addw = m.function('addw', [i64, i64], [i64]);
  addw.localGet(0).localGet(1).i64Add().i32WrapI64().i64ExtendI32S();
  // sltu(a, b) = a <u b as i64 0/1; sra(a, s) = a >>s (s & 63)
  const sltu = m.function('sltu', [i64, i64], [i64]);
  sltu.localGet(0).localGet(1).i64LtU().i64ExtendI32U();
  const sra = m.function('sra', [i64, i64], [i64]);
  sra.localGet(0).localGet(1).i64Const(63).i64And().i64ShrS();
  // divu(a, b): b == 0 -> all ones (RISC-V's answer), else a / b unsigned
  const divu = m.function('divu', [i64, i64], [i64]);
  divu.localGet(1).i64Eqz();
  divu.if(i64);
  divu.i64Const(-1).else().localGet(0).localGet(1).i64DivU().end();
  for (const f of [mix, addw, sltu, sra, divu]) m.exportFunction(f.name, f);
  return m;
}

/** Loads, stores, bulk memory and atomics on an imported shared memory (env.mem, 1 page). */
export function sharedMemoryModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  const load64 = m.function('load64', [i32], [i64]);
  load64.localGet(0).i64Load(8, 8); // offset 8: the field after a tag
  const loadS8 = m.function('loadS8', [i32], [i64]);
  loadS8.localGet(0).i64Load8S();
  const loadU16 = m.function('loadU16', [i32], [i64]);
  loadU16.localGet(0).i64Load16U(1); // unaligned allowed for plain accesses
  const store32 = m.function('store32', [i32, i64], []);
  store32.localGet(0).localGet(1).i64Store32();
  const copy = m.function('copy', [i32, i32, i32], []);
  copy.localGet(0).localGet(1).localGet(2).memoryCopy();
  const fill = m.function('fill', [i32, i32, i32], []);
  fill.localGet(0).localGet(1).localGet(2).memoryFill();
  // cas64(addr, expected, replacement) -> old value (page-table A/D update shape)
  const cas = m.function('cas64', [i32, i64, i64], [i64]);
  cas.localGet(0).localGet(1).localGet(2).i64AtomicRmwCmpxchg();
  // setBits(addr, bits) -> old value
  const orr = m.function('setBits', [i32, i64], [i64]);
  orr.localGet(0).localGet(1).i64AtomicRmwOr();
  const add32 = m.function('atomicAdd32', [i32, i32], [i32]);
  add32.localGet(0).localGet(1).atomicFence().i32AtomicRmwAdd();
  for (const f of [load64, loadS8, loadU16, store32, copy, fill, cas, orr, add32]) m.exportFunction(f.name, f);
  return m;
}

/** Signature of chained blocks: (remaining hops, accumulator) -> accumulator. */
export const CHAIN_SIG: FuncSig = { params: [i32, i64], results: [i64] };
export const CHAIN_SLOTS = 4;

/**
 * One of two separately compiled modules whose functions live in an imported table (env.chain):
 * this module's block k sits in slot k and tail-calls slot (k + 1) % 4 until the hop count is 0.
 * Each block does acc = acc * 31 + k.
 */
export function chainModule(slots: readonly number[]): ModuleBuilder {
  const m = new ModuleBuilder();
  m.importTable('env', 'chain', { min: CHAIN_SLOTS });
  for (const k of slots) {
    const f = m.function(`block${k}`, CHAIN_SIG.params, CHAIN_SIG.results);
    f.localGet(1).i64Const(31).i64Mul().i64Const(k).i64Add().localSet(1);
    f.localGet(0).i32Eqz();
    f.if();
    f.localGet(1).return().end();
    f.localGet(0)
      .i32Const(1)
      .i32Sub()
      .localGet(1)
      .i32Const((k + 1) % CHAIN_SLOTS)
      .returnCallIndirect(CHAIN_SIG);
    m.elements(0, k, [f]);
  }
  return m;
}

/** Collatz step count: a loop around a br_table on the low bit, plus a default arm. */
export function brTableModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  const f = m.function('collatz', [i64], [i32]);
  const steps = f.local(i32);
  const exit = f.block();
  const again = f.loop();
  f.localGet(0).i64Const(1).i64LeU().brIf(exit);
  const odd = f.block();
  const even = f.block();
  f.localGet(0).i32WrapI64().i32Const(1).i32And().brTable([even, odd], exit);
  f.end(even).localGet(0).i64Const(1).i64ShrU().localSet(0);
  f.localGet(steps).i32Const(1).i32Add().localSet(steps).br(again);
  f.end(odd).localGet(0).i64Const(3).i64Mul().i64Const(1).i64Add().localSet(0);
  f.localGet(steps).i32Const(1).i32Add().localSet(steps).br(again);
  f.end(again);
  f.end(exit);
  f.localGet(steps);
  m.exportFunction('collatz', f);
  return m;
}

/** Every trap the JIT must expect: unreachable, divide by zero/overflow, out of bounds, null or mistyped table slot, unaligned atomic. */
export function trapModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1, max: 1 });
  const tbl = m.defineTable({ min: 2, max: 2 });
  const unreach = m.function('unreach', [], []);
  unreach.unreachable();
  const div = m.function('divS', [i64, i64], [i64]);
  div.localGet(0).localGet(1).i64DivS();
  const oob = m.function('load', [i32], [i64]);
  oob.localGet(0).i64Load();
  const other = m.function('other', [i32], [i32]);
  other.localGet(0);
  const indirect = m.function('indirect', [i32], [i64]);
  indirect.localGet(0).callIndirect({ params: [], results: [i64] }, tbl);
  const atomic = m.function('atomicLoad', [i32], [i32]);
  atomic.localGet(0).i32AtomicLoad();
  m.elements(tbl, 0, [other]); // slot 0: wrong signature; slot 1: null
  for (const f of [unreach, div, oob, indirect, atomic]) m.exportFunction(f.name, f);
  return m;
}

/**
 * The shape of an inlined software-TLB load (illustration for docs/jit-design.md; the emitter does
 * not know it): entry = tlb + ((vaddr >> 12) & 255) * 16 holds { tag: i64, addend: i64 }; a hit
 * (tag == page of vaddr, flag bits in the low 12 bits of the tag make it miss) loads from
 * vaddr + addend; a miss calls the imported slow path.
 */
export const TLB_BASE = 0x1000;
export function tlbProbeModule(): ModuleBuilder {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1, max: 1, shared: true });
  const slow = m.importFunction('env', 'loadSlow', [i64], [i64]);
  const f = m.function('load64', [i64], [i64]);
  const entry = f.local(i32);
  f.localGet(0).i64Const(12).i64ShrU().i32WrapI64().i32Const(255).i32And().i32Const(4).i32Shl();
  f.localSet(entry);
  f.localGet(entry).i64Load(8, TLB_BASE).localGet(0).i64Const(-4096).i64And().i64Eq();
  f.if(i64);
  f.localGet(0)
    .localGet(entry)
    .i64Load(8, TLB_BASE + 8)
    .i64Add()
    .i32WrapI64()
    .i64Load();
  f.else();
  f.localGet(0).call(slow);
  f.end();
  m.exportFunction('load64', f);
  return m;
}

/** name -> module, for the expect test. */
export const GOLDEN_MODULES: Record<string, () => ModuleBuilder> = {
  'i64-arith': arithModule,
  'shared-memory': sharedMemoryModule,
  'chain-even': () => chainModule([0, 2]),
  'chain-odd': () => chainModule([1, 3]),
  'br-table': brTableModule,
  traps: trapModule,
  'tlb-probe': tlbProbeModule,
};
