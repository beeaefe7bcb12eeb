// The block JIT (src/cpu/jit*.ts). Oracles: the interpreter (the same hart class with jit: false,
// whose ISA semantics the QEMU differential suite checks) for every register, pc and instret after
// the same run; the reviewed golden WAT of a small block (test/cpu/jit/expect/, accept a change
// with CXLEMU_UPDATE_EXPECT=1 after reading the diff); the bench-small checksum and its exact
// instruction count (guests/bin, QEMU-confirmed, docs/guests.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hart, JIT_DEFAULT } from '../../../src/cpu/hart.js';
import { decodeOne } from '../../../src/cpu/decode.js';
import { partitionRegions, translateBatch, type JitLayout } from '../../../src/cpu/jit-translate.js';
import { printWat } from '../../../src/cpu/wasm/wat.js';
import { Wasm } from '../../../src/cpu/wasm/wasm-api.js';
import { AddressSpace, Arena, BackingStore } from '../../../src/memory/index.js';
import { DMA_SIZE, DmaControl, DmaEngine, DmaReg } from '../../../src/devices/dma-engine.js';
import { DMA_BASE } from '../../../src/machine/board-map.js';
import { a, li, reg } from '../asm.js';
import {
  csr,
  enginePair,
  jitTest,
  makeMachine,
  MMIO_BASE,
  pte,
  RAM_BASE,
  regs,
  runToPc,
  TRAP_VEC,
  type TestMachine,
  twoWayRouter,
} from '../machine.js';

const here = dirname(fileURLToPath(import.meta.url));
const expectDir = resolve(here, '..', '..', '..', '..', 'test', 'cpu', 'jit', 'expect');
const update = process.env['CXLEMU_UPDATE_EXPECT'] === '1';
const CODE = RAM_BASE + 0x2000;
const DATA = RAM_BASE + 0x40000;

/** A JIT hart (threshold 1) at RAM_BASE whose PMP lets S and U reach everything, for paged tests. */
function pagedJitHart(m: TestMachine): Hart {
  const h = new Hart({
    arena: m.arena,
    bus: m.bus,
    hartId: 0,
    resetPc: RAM_BASE,
    jit: true,
    jitThreshold: 1,
    noWarmUp: true,
  });
  h.csrWrite(0x3b0, 0xffffffff, 0x3fffff);
  h.csrWrite(0x3a0, 0x1f, 0); // PMP entry 0: NAPOT over everything, RWX
  return h;
}

/** Two harts on machines of the same shape, one with the JIT on (threshold 1 unless given; no loop
 *  runner: loop-runner.test.ts tests it), one off. */
function pair(setup: (m: TestMachine) => void, jitThreshold = 1): { i: TestMachine; j: TestMachine } {
  return enginePair(setup, { jitThreshold, jitLoopRunner: false });
}

/** Run both in slices (the JIT compiles between them); states must agree after every slice. */
function lockstep(p: { i: TestMachine; j: TestMachine }, slices: number[]): void {
  for (const n of slices) {
    const wi = p.i.hart.run(n);
    const wj = p.j.hart.run(n);
    assert.equal(wj, wi, 'stop reason');
    assert.equal(regs(p.j.hart), regs(p.i.hart));
    p.j.hart.jit!.compileQueued();
  }
}

test('the JIT is on by default unless CXLEMU_JIT=0', () => {
  assert.equal(JIT_DEFAULT, process.env['CXLEMU_JIT'] !== '0');
  const m = makeMachine();
  assert.equal(m.hart.jit !== null, JIT_DEFAULT);
  assert.equal(
    new Hart({ arena: m.arena, bus: m.bus, hartId: 1, resetPc: 0, jit: false, noWarmUp: true }).jitStats,
    null,
  );
});

/** A small layout for translating blocks outside a hart (the golden text and region shape tests). */
const TEST_LAYOUT: JitLayout = {
  regs: 0x1000,
  exitPc: 0x1200,
  exitReason: 0x1208,
  nextSlot: 0x120c,
  pauseLeft: 0x1240,
  fpCells: 0x1210,
  resCells: 0x1220,
  fpRegs: 0x1300,
  rT: 0x20000,
  wT: 0x24000,
  gT: 0x30000,
  gwT: 0x40000,
  gMask: 1023,
  memPages: 1,
  jcTag: [0xa000, 0xc000, 0xe000],
  jcSlot: [0xa000, 0xc000, 0xe000],
  epoch: 0xf000,
  cells: 0xf004,
  slotEntries: 0x10000,
  slotCapacity: 1024,
  base: 0,
};

test('golden: an addi/ld/add/bne loop block translates to the reviewed WAT', () => {
  const words = [
    a.addi(reg.a1, reg.a1, 8),
    a.ld(reg.t0, reg.a1, -8),
    a.add(reg.a0, reg.a0, reg.t0),
    a.bne(reg.a1, reg.a3, -12),
  ];
  const insns = words.map((w, k) => {
    const s = decodeOne(w);
    return { pc: CODE + 4 * k, w0: s[0]!, imm: s[1]!, raw: w };
  });
  const bytes = translateBatch([{ pc: CODE, insns, end: CODE + 16 }], TEST_LAYOUT, () => 7, {
    checkTypes: true,
  }).toBytes();
  assert.ok(Wasm.validate(bytes));
  const text = printWat(bytes);
  const file = join(expectDir, 'loop-block.wat');
  if (update || !existsSync(file)) {
    writeFileSync(file, text);
    if (!update) assert.fail(`${file} did not exist; written now, review it and rerun`);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `emitted text differs from ${file} (CXLEMU_UPDATE_EXPECT=1 accepts)`);
});

test('a region holds its blocks in pc order and branches to later blocks directly, not round its dispatch loop', () => {
  const block = (pc: number, words: number[]) => ({
    pc,
    insns: words.map((w, k) => {
      const d = decodeOne(w);
      return { pc: pc + 4 * k, w0: d[0]!, imm: d[1]!, raw: w };
    }),
    end: pc + 4 * words.length,
  });
  // B0 branches forward to B2 or falls into B1, B1 jumps forward to B2, B2 loops back to B0.
  const b0 = block(CODE, [a.addi(reg.a0, reg.a0, 1), a.beq(reg.a0, reg.a1, 12)]);
  const b1 = block(CODE + 8, [a.addi(reg.a2, reg.a2, 1), a.jal(0, 4)]);
  const b2 = block(CODE + 16, [a.addi(reg.a3, reg.a3, 1), a.bne(reg.a3, reg.a4, -20)]);
  const blocks = [b2, b1, b0]; // the order a batch may queue them in
  const regions = partitionRegions(blocks);
  assert.deepEqual(regions, [[2, 1, 0]], 'one region, in pc order');
  const bytes = translateBatch(blocks, TEST_LAYOUT, () => 7, { checkTypes: true, regions }).toBytes();
  assert.ok(Wasm.validate(bytes));
  // Param 1 is the entry index: only the backward branch (B2 to B0) sets it for the dispatch loop.
  const entryWrites = (wasm: Uint8Array) => {
    const region = printWat(wasm)
      .split('(func')
      .find((f) => f.includes('br_table'))!;
    return region.match(/local\.set 1\b/g)?.length ?? 0;
  };
  assert.equal(entryWrites(bytes), 1);

  // A ret to a return site later in the region is direct too: f (B0) returns to B2, after the
  // call in B1; the call (to B0) and B2's loop back to B1 go round the loop.
  const f0 = block(CODE, [a.addi(reg.a0, reg.a0, 1), a.jalr(0, reg.ra, 0)]);
  const c1 = block(CODE + 8, [a.addi(reg.a2, reg.a2, 1), a.jal(reg.ra, -12)]);
  const r2 = block(CODE + 16, [a.addi(reg.a3, reg.a3, 1), a.bne(reg.a3, reg.a4, -12)]);
  const calls = [c1, r2, f0];
  const callRegions = partitionRegions(calls);
  assert.deepEqual(callRegions, [[2, 0, 1]], 'one region, in pc order');
  const callBytes = translateBatch(calls, TEST_LAYOUT, () => 7, { checkTypes: true, regions: callRegions }).toBytes();
  assert.ok(Wasm.validate(callBytes));
  assert.equal(entryWrites(callBytes), 2);
});

jitTest('ALU, M and memory operations agree with the interpreter (seeded random blocks in a hot loop)', () => {
  const ops = [
    (d: number, s: number, t: number) => a.add(d, s, t),
    (d: number, s: number, t: number) => a.sub(d, s, t),
    (d: number, s: number, t: number) => a.sll(d, s, t),
    (d: number, s: number, t: number) => a.srl(d, s, t),
    (d: number, s: number, t: number) => a.sra(d, s, t),
    (d: number, s: number, t: number) => a.slt(d, s, t),
    (d: number, s: number, t: number) => a.sltu(d, s, t),
    (d: number, s: number, t: number) => a.xor(d, s, t),
    (d: number, s: number, t: number) => a.mul(d, s, t),
    (d: number, s: number, t: number) => a.mulh(d, s, t),
    (d: number, s: number, t: number) => a.mulhu(d, s, t),
    (d: number, s: number, t: number) => a.mulhsu(d, s, t),
    (d: number, s: number, t: number) => a.div(d, s, t),
    (d: number, s: number, t: number) => a.divu(d, s, t),
    (d: number, s: number, t: number) => a.rem(d, s, t),
    (d: number, s: number, t: number) => a.remu(d, s, t),
    (d: number, s: number, t: number) => a.addw(d, s, t),
    (d: number, s: number, t: number) => a.subw(d, s, t),
    (d: number, s: number, t: number) => a.sllw(d, s, t),
    (d: number, s: number, t: number) => a.srlw(d, s, t),
    (d: number, s: number, t: number) => a.sraw(d, s, t),
    (d: number, s: number, t: number) => a.mulw(d, s, t),
    (d: number, s: number, t: number) => a.divw(d, s, t),
    (d: number, s: number, t: number) => a.divuw(d, s, t),
    (d: number, s: number, t: number) => a.remw(d, s, t),
    (d: number, s: number, t: number) => a.remuw(d, s, t),
    (d: number, s: number) => a.addiw(d, s, -5),
    (d: number, s: number) => a.slliw(d, s, 31),
    (d: number, s: number) => a.sraiw(d, s, 3),
    (d: number, s: number) => a.srliw(d, s, 1),
    (d: number, s: number) => a.slti(d, s, -1),
    (d: number, s: number) => a.sltiu(d, s, 3),
    (d: number, s: number) => a.srai(d, s, 63),
    (d: number, s: number) => a.slli(d, s, 33),
  ];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const pool = [reg.a2, reg.a3, reg.a4, reg.a5, reg.a6, reg.a7, reg.t1, 0];
  const body: number[] = [];
  for (let k = 0; k < 200; k++) {
    const d = pool[rnd(pool.length - 1)]!;
    body.push(ops[rnd(ops.length)]!(d, pool[rnd(pool.length)]!, pool[rnd(pool.length)]!));
    if (k % 10 === 9)
      body.push(
        a.sd(d, reg.s1, 8 * (k % 50)),
        a.lw(pool[rnd(7)]!, reg.s1, 4 * (k % 37)),
        a.lbu(pool[rnd(7)]!, reg.s1, k % 61),
      );
    if (k % 25 === 24) body.push(a.bne(0, 0, 8), a.addi(reg.a2, reg.a2, 1)); // a branch that is never taken ends a block
  }
  const special = [
    0n,
    1n,
    -1n,
    0x7fffffffn,
    -0x80000000n,
    0x8000000000000000n,
    0x7fffffffffffffffn,
    0x123456789abcdefn,
  ];
  const p = pair((m) => {
    const prog = [
      ...li(reg.s1, BigInt(DATA)),
      ...li(reg.s2, 40n),
      ...body,
      a.addi(reg.s2, reg.s2, -1),
      a.bne(reg.s2, 0, -4 * (body.length + 1)),
      a.ebreak(),
    ];
    m.code(CODE, prog);
    pool.slice(0, 7).forEach((r, k) => m.hart.writeReg(r, special[k]!));
    m.hart.pc = CODE;
  });
  lockstep(p, [300, 1000, 2500, 5000, 7000, 3]);
  assert.ok(p.j.hart.jitStats!.instructions > 5000, 'most instructions ran in translated code');
});

jitTest(
  'AMOs and LR/SC in translated code agree with the interpreter (every funct5, both widths, memory and rd)',
  () => {
    // swap, add, xor, and, or, min, max, minu, maxu
    const F5 = [0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];
    // Each iteration: a0 = a0 * 6364136223846793005 + 1442695040888963407 (an LCG), then every AMO
    // on its own word at s1 + 8k with a0 (or a0 >> 32 for half of them) as the operand; rd varies.
    const body: number[] = [a.mul(reg.a0, reg.a0, reg.a1), a.add(reg.a0, reg.a0, reg.a2), a.srai(reg.a3, reg.a0, 32)];
    // LR/SC (funct5 2 and 3): a successful increment, an SC after the word changed, an SC at another
    // address, an SC with no reservation; each SC's result folded into a6.
    const lr = (w: 2 | 3, rd: number, rs1: number) => a.amo(0x02, w, rd, rs1, 0);
    const sc = (w: 2 | 3, rd: number, rs1: number, rs2: number) => a.amo(0x03, w, rd, rs1, rs2);
    for (const w of [2, 3] as const) {
      body.push(lr(w, reg.t3, reg.s1), a.add(reg.t3, reg.t3, reg.a0), sc(w, reg.t4, reg.s1, reg.t3));
      body.push(a.xor(reg.a6, reg.a6, reg.t4));
      body.push(lr(w, reg.t3, reg.s1), a.sd(reg.a0, reg.s1, 0), sc(w, reg.t4, reg.s1, reg.t3));
      body.push(a.xor(reg.a6, reg.a6, reg.t4), a.slli(reg.a6, reg.a6, 1));
      body.push(lr(w, reg.t3, reg.s1), a.addi(reg.s2, reg.s1, 8), sc(w, reg.t4, reg.s2, reg.t3));
      body.push(a.xor(reg.a6, reg.a6, reg.t4), a.slli(reg.a6, reg.a6, 1));
      body.push(sc(w, reg.t4, reg.s1, reg.a0), a.xor(reg.a6, reg.a6, reg.t4), a.slli(reg.a6, reg.a6, 1));
    }
    const rds = [reg.t0, reg.t1, reg.t2, reg.a4, reg.a5, 0];
    F5.forEach((f5, i) => {
      for (const width of [2, 3] as const) {
        const k = 2 * i + (width - 2);
        body.push(a.addi(reg.s2, reg.s1, 8 * k));
        body.push(a.amo(f5, width, rds[k % rds.length]!, reg.s2, k % 2 === 0 ? reg.a0 : reg.a3));
        body.push(a.xor(reg.a6, reg.a6, rds[k % rds.length]!));
      }
    });
    const p = pair((m) => {
      m.code(CODE, [
        ...li(reg.s1, BigInt(DATA)),
        ...li(reg.a1, 6364136223846793005n),
        ...li(reg.a2, 1442695040888963407n),
        ...li(reg.s3, 60n),
        ...body,
        a.addi(reg.s3, reg.s3, -1),
        a.bne(reg.s3, 0, -4 * (body.length + 1)),
        a.ebreak(),
      ]);
      for (let k = 0; k < 18; k++) m.poke64(DATA + 8 * k, BigInt(k) * 0x0123456789abcdefn);
      m.hart.pc = CODE;
    });
    lockstep(p, [100, 400, 1000, 2000, 3]);
    assert.ok(p.j.hart.jitStats!.instructions > 2000, 'most instructions ran in translated code');
    for (let k = 0; k < 18; k++) assert.equal(p.j.peek64(DATA + 8 * k), p.i.peek64(DATA + 8 * k), `word ${k}`);
    assert.notEqual(p.i.peek64(DATA + 8), 0n);
  },
);

jitTest('self-modifying code: a CPU store into a translated block, in both engines', () => {
  // loop: a0 += 1 (at CODE); when a1 reaches 50 the loop stores `addi a0, a0, 100` over CODE.
  const p = pair((m) => {
    m.code(CODE, [
      a.addi(reg.a0, reg.a0, 1),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.t0, 8),
      a.sw(reg.a3, reg.a4, 0),
      a.blt(reg.a1, reg.a2, -16),
      a.ebreak(),
    ]);
    m.hart.writeReg(reg.t0, 50n);
    m.hart.writeReg(reg.a2, 100n);
    m.hart.writeReg(reg.a3, BigInt(a.addi(reg.a0, reg.a0, 100)));
    m.hart.writeReg(reg.a4, BigInt(CODE));
    m.hart.pc = CODE;
  });
  lockstep(p, [40, 100, 200, 400, 2000]);
  assert.equal(p.j.hart.readReg(reg.a0), 50n + 50n * 100n);
  assert.ok(p.j.hart.jitStats!.invalidatedBlocks > 0, 'the store invalidated a translation');
});

jitTest('a page whose code keeps being rewritten is left to the interpreter after a few invalidations', () => {
  // The loop stores to a data word in its own page every iteration: each store invalidates.
  const p = pair((m) => {
    m.code(CODE, [a.sd(reg.a1, reg.s1, 0), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a2, -8), a.ebreak()]);
    m.hart.writeReg(reg.s1, BigInt(CODE + 0x800));
    m.hart.writeReg(reg.a2, 3000n);
    m.hart.pc = CODE;
  });
  lockstep(p, new Array<number>(300).fill(30));
  assert.equal(p.j.hart.readReg(reg.a1), 3000n);
  const s = p.j.hart.jitStats!;
  assert.ok(
    s.blocksCompiled <= 2 * 8 + 2,
    `compiles stop (${s.blocksCompiled} blocks compiled, ${s.invalidatedBlocks} invalidated)`,
  );
});

jitTest(
  'self-modifying code: writes through a second virtual mapping and host writes (AddressSpace.writeBytes) are seen',
  () => {
    const m = makeMachine();
    const h = pagedJitHart(m);
    h.mtvecLo = TRAP_VEC | 0;
    // Sv39 S-mode: VA 0x4000_0000 (1 GiB page) -> RAM_BASE code; VA 0x0 (1 GiB) -> RAM_BASE too (alias).
    const ROOT = RAM_BASE + 0x100000;
    m.poke64(ROOT + 8 * 1, pte(RAM_BASE, 0xcf)); // VA 0x4000_0000: RWX, A, D (kernel)
    m.poke64(ROOT + 8 * 2, pte(RAM_BASE, 0xcf)); // VA 0x8000_0000: identity (alias)
    h.csrWrite(0x180, Math.floor(ROOT / 4096), 8 << 28);
    h.priv = 1;
    const VA = 0x4000_0000 + 0x2000;
    const ALIAS = RAM_BASE + 0x2000;
    // loop: a0 += 1 ; store a3 to the alias of the first instruction once a1 hits 30 ; repeat 60 times
    const inc100 = a.addi(reg.a0, reg.a0, 100);
    m.code(ALIAS, [
      a.addi(reg.a0, reg.a0, 1),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.t0, 8),
      a.sw(reg.a3, reg.a4, 0),
      a.blt(reg.a1, reg.a2, -16),
      a.ebreak(),
    ]);
    h.writeReg(reg.t0, 30n);
    h.writeReg(reg.a2, 60n);
    h.writeReg(reg.a3, BigInt(inc100));
    h.writeReg(reg.a4, BigInt(ALIAS));
    h.pc = VA;
    for (let k = 0; k < 20; k++) {
      h.run(10);
      h.jit!.compileQueued();
    }
    h.run(1000);
    assert.equal(
      h.readReg(reg.a0),
      30n + 30n * 100n,
      'the write through the alias mapping reached the translated loop',
    );
    // Host write: put `addi a0, a0, 7` back through the address space; run the loop again.
    h.writeReg(reg.a1, 0n);
    h.writeReg(reg.a0, 0n);
    h.writeReg(reg.t0, 1000n);
    h.writeReg(reg.a2, 10n);
    const w = a.addi(reg.a0, reg.a0, 7);
    m.bus.writeBytes(ALIAS, Uint8Array.from([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]));
    h.priv = 1; // the ebreak above trapped to M
    h.pc = VA;
    h.run(1000);
    assert.equal(h.readReg(reg.a0), 70n);
  },
);

jitTest('self-modifying code: a DMA copy (engine at 0x1000_9000) over a translated loop is seen', () => {
  for (const jit of [false, true]) {
    const arena = new Arena({ bytes: 16 << 20 });
    const bus = new AddressSpace(arena);
    bus.begin();
    bus.ram('ram', RAM_BASE, new BackingStore(arena, { name: 'ram', size: 1 << 20 }));
    bus.mmio('dma', DMA_BASE, DMA_SIZE, new DmaEngine({ bus }));
    bus.commit();
    const h = new Hart({ arena, bus, hartId: 0, resetPc: CODE, jit, jitThreshold: 1, noWarmUp: true });
    const src = RAM_BASE + 0x8000;
    bus.store(src, 4, a.addi(reg.a0, reg.a0, 100));
    bus.store(DMA_BASE + DmaReg.SrcLo, 4, src);
    bus.store(DMA_BASE + DmaReg.SrcHi, 4, 0);
    bus.store(DMA_BASE + DmaReg.DstLo, 4, CODE);
    bus.store(DMA_BASE + DmaReg.DstHi, 4, 0);
    bus.store(DMA_BASE + DmaReg.Len, 4, 4);
    [
      a.addi(reg.a0, reg.a0, 1),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.t0, 8),
      a.sw(reg.a3, reg.a4, DmaReg.Control),
      a.blt(reg.a1, reg.a2, -16),
      a.ebreak(),
    ].forEach((w, k) => bus.store(CODE + 4 * k, 4, w));
    h.writeReg(reg.t0, 50n);
    h.writeReg(reg.a2, 100n);
    h.writeReg(reg.a3, BigInt(DmaControl.Go));
    h.writeReg(reg.a4, BigInt(DMA_BASE));
    h.pc = CODE;
    for (let k = 0; k < 40; k++) {
      h.run(10);
      h.jit?.compileQueued();
    }
    h.run(1000);
    assert.equal(h.readReg(reg.a0), 50n + 50n * 100n, `jit=${jit}`);
    if (jit) assert.ok(h.jitStats!.invalidatedBlocks > 0 && h.jitStats!.instructions > 100);
  }
});

jitTest(
  'after sfence.vma the translations of a page that now maps elsewhere are dropped, nothing is flushed (4 KiB and superpage)',
  () => {
    for (const superpage of [false, true]) {
      const m = makeMachine();
      const h = pagedJitHart(m);
      const ROOT = RAM_BASE + 0x100000,
        L1 = ROOT + 0x1000,
        L0 = ROOT + 0x2000;
      const P1 = RAM_BASE + 0x200000,
        P2 = RAM_BASE + 0x400000; // two physical copies of "the" code
      const VA = 0x4000_0000;
      m.poke64(ROOT + 8 * 2, pte(RAM_BASE, 0xcf)); // identity 1 GiB at 0x8000_0000 (handler, tables)
      if (superpage) {
        m.poke64(ROOT + 8 * 1, pte(L1, 0x01));
        m.poke64(L1, pte(P1, 0xcf)); // 2 MiB leaf: VA 0x4000_0000 -> P1
      } else {
        m.poke64(ROOT + 8 * 1, pte(L1, 0x01));
        m.poke64(L1, pte(L0, 0x01));
        m.poke64(L0, pte(P1, 0xcf)); // 4 KiB leaf
        m.poke64(L0 + 8, pte(RAM_BASE + 0x300000, 0xcf)); // the next page: data
      }
      // Code at VA: a0 += 1 (P1) or a0 += 1000 (P2); loop until a1 == a2, then ecall.
      for (const [p, inc] of [
        [P1, 1],
        [P2, 1000],
      ] as const) {
        m.code(p, [a.addi(reg.a0, reg.a0, inc), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a2, -8), a.ecall()]);
      }
      h.csrWrite(0x180, Math.floor(ROOT / 4096), 8 << 28);
      m.code(TRAP_VEC, [a.jal(0, 0)]);
      h.mtvecLo = TRAP_VEC | 0;
      h.priv = 1;
      h.writeReg(reg.a2, 100n);
      h.pc = VA;
      for (let k = 0; k < 10; k++) {
        h.run(30);
        h.jit!.compileQueued();
      }
      assert.equal(h.readReg(reg.a0), 100n, 'ran the P1 copy');
      assert.ok(h.jitStats!.instructions > 100);
      // Remap VA to P2 and sfence.vma that address (as S-mode code would), then run the loop again.
      if (superpage) m.poke64(L1, pte(P2 - (P2 % 0x200000), 0xcf));
      else m.poke64(L0, pte(P2, 0xcf));
      const before = h.jitStats!;
      m.code(RAM_BASE + 0x5000, [a.sfence_vma(reg.t0, 0), a.jal(0, 0)]);
      h.writeReg(reg.t0, BigInt(VA));
      h.priv = 1;
      h.pc = RAM_BASE + 0x5000;
      h.run(1);
      h.writeReg(reg.a0, 0n);
      h.writeReg(reg.a1, 0n);
      h.pc = VA + (superpage ? P2 % 0x200000 : 0);
      h.run(300);
      assert.equal(h.readReg(reg.a0), 100_000n, `ran the P2 copy (superpage ${superpage})`);
      const after = h.jitStats!;
      assert.equal(after.flushes, before.flushes, 'no full flush');
      if (superpage) assert.ok(after.remaps > before.remaps, 'an sfence inside a cached superpage bumps the epoch');
      else {
        assert.equal(after.remaps, before.remaps, 'an sfence of a 4 KiB page leaves the other pages current');
        assert.equal(after.pageRemaps, before.pageRemaps + 1, 'it made that page stale');
      }
      assert.ok(after.pagesRemapped > before.pagesRemapped, 'the page was found to map elsewhere');
    }
  },
);

/**
 * Processes on one paged JIT hart: process k's root table maps VA 0x4000_0000 to the RAM page
 * text[k] (or VA + 4 KiB * i to text[k][i]; and the first GiB of RAM, trap vector included, to
 * itself). run(k) switches satp to process k, runs the loop at `entry` 100 times in slices
 * (compiling between them) and returns a0.
 */
function processes(m: TestMachine, h: Hart, text: (number | number[])[], entry = 0x4000_0000): (k: number) => bigint {
  const VA = 0x4000_0000;
  const roots = text.map((_, k) => RAM_BASE + 0x100000 + 0x10000 * k);
  roots.forEach((root, k) => {
    const l1 = root + 0x1000,
      l0 = root + 0x2000;
    m.poke64(root + 8 * 2, pte(RAM_BASE, 0xcf));
    m.poke64(root + 8 * 1, pte(l1, 0x01));
    m.poke64(l1, pte(l0, 0x01));
    [text[k]!].flat().forEach((page, i) => m.poke64(l0 + 8 * i, pte(page, 0xcf)));
  });
  m.code(TRAP_VEC, [a.jal(0, 0)]);
  h.mtvecLo = TRAP_VEC | 0;
  return (k) => {
    h.csrWrite(0x180, Math.floor(roots[k]! / 4096), 8 << 28); // satp: Sv39, the process's root
    h.priv = 1;
    h.writeReg(reg.a0, 0n);
    h.writeReg(reg.a1, 0n);
    h.writeReg(reg.a2, 100n);
    h.pc = entry;
    for (let i = 0; i < 10; i++) {
      h.run(60);
      h.jit!.compileQueued();
    }
    return h.readReg(reg.a0);
  };
}

/** A loop adding inc to a0 until a1 reaches a2, then ecall. */
const countLoop = (inc: number) => [
  a.addi(reg.a0, reg.a0, inc),
  a.addi(reg.a1, reg.a1, 1),
  a.bne(reg.a1, reg.a2, -8),
  a.ecall(),
];

jitTest('a satp switch to an address space that maps the code the same keeps its translations (no recompile)', () => {
  const m = makeMachine();
  const h = pagedJitHart(m);
  const P1 = RAM_BASE + 0x200000;
  // Two address spaces (two root tables) with the same mapping of VA, as two processes share the kernel.
  const run = processes(m, h, [P1, P1]);
  m.code(P1, countLoop(1));
  assert.equal(run(0), 100n);
  const before = h.jitStats!;
  assert.ok(before.blocksCompiled > 0);
  assert.equal(run(1), 100n);
  assert.equal(run(0), 100n);
  const after = h.jitStats!;
  assert.equal(after.blocksCompiled, before.blocksCompiled, 'nothing recompiled after two satp switches');
  assert.equal(after.flushes, before.flushes);
  assert.ok(after.pageChecks >= before.pageChecks + 2, 'the page was checked again after each switch');
  assert.ok(after.instructions > before.instructions + 150, 'and its translation ran');
});

jitTest(
  'two address spaces mapping one virtual page to different code: each keeps its translation across switches',
  () => {
    const m = makeMachine();
    const h = pagedJitHart(m);
    // The same VA maps P[0] in one process and P[1] in the other (the text of two programs).
    const P = [RAM_BASE + 0x200000, RAM_BASE + 0x300000];
    const run = processes(m, h, P);
    m.code(P[0]!, countLoop(1));
    m.code(P[1]!, countLoop(7));
    assert.equal(run(0), 100n);
    assert.equal(run(1), 700n);
    const warm = h.jitStats!;
    for (let round = 0; round < 5; round++) {
      assert.equal(run(0), 100n, `process 0, round ${round}`);
      assert.equal(run(1), 700n, `process 1, round ${round}`);
    }
    const after = h.jitStats!;
    assert.equal(after.blocksCompiled, warm.blocksCompiled, 'no recompile after the first switch each way');
    assert.ok(after.pagesRestored >= 10, `each switch installed the parked version (${after.pagesRestored})`);
    assert.ok(after.instructions > warm.instructions + 10 * 200, 'and the translations ran');
    // Process 0's text is rewritten while process 1 runs: its parked version must not come back.
    m.code(P[0]!, [a.addi(reg.a0, reg.a0, 3)]);
    assert.equal(run(0), 300n, 'the rewritten code runs');
    assert.equal(run(1), 700n);
    assert.equal(run(0), 300n);
  },
);

jitTest('a loop spanning two pages, one of which maps elsewhere in the other process: no stale half runs', () => {
  const m = makeMachine();
  const h = pagedJitHart(m);
  // Page A (VA) differs between the processes, page B (VA + 4 KiB) is shared. The loop's first
  // block ends page A (a0 += inc; j B), its second starts page B (a1 += 1; bne back to A): one
  // region, two page cells. Parking A's version alone would leave B's translation branching
  // straight into it.
  const A = [RAM_BASE + 0x200000, RAM_BASE + 0x300000],
    B = RAM_BASE + 0x400000;
  const run = processes(
    m,
    h,
    [
      [A[0]!, B],
      [A[1]!, B],
    ],
    0x4000_0ff8,
  );
  [1, 7].forEach((inc, k) => m.code(A[k]! + 0xff8, [a.addi(reg.a0, reg.a0, inc), a.jal(0, 4)]));
  m.code(B, [a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a2, -12), a.ecall()]);
  for (let round = 0; round < 4; round++) {
    assert.equal(run(0), 100n, `process 0, round ${round}`);
    assert.equal(run(1), 700n, `process 1, round ${round}`);
  }
  assert.ok(h.jitStats!.instructions > 1000, 'the loop ran translated');
});

jitTest(
  'code in a fine-interleaved window (CXL-like, 2 x 256 B) is translated, and stores into it invalidate it',
  () => {
    const WIN = 0x1_0000_0000;
    const arena = new Arena({ bytes: 16 << 20 });
    const bus = new AddressSpace(arena);
    const devs = [
      new BackingStore(arena, { name: 'mem0', size: 1 << 20 }),
      new BackingStore(arena, { name: 'mem1', size: 1 << 20 }),
    ];
    const router = twoWayRouter(WIN, devs);
    bus.begin();
    bus.ram('ram', RAM_BASE, new BackingStore(arena, { name: 'ram', size: 1 << 20 }));
    bus.window('w0', WIN, 1 << 21, router);
    bus.commit();
    const h = new Hart({ arena, bus, hartId: 0, resetPc: WIN, jit: true, jitThreshold: 1, noWarmUp: true });
    const C = WIN + 0x1f0; // the loop spans two granules (two devices)
    const prog = [
      a.addi(reg.a0, reg.a0, 1),
      a.addi(reg.a1, reg.a1, 1),
      a.sd(reg.a0, reg.s1, 0),
      a.ld(reg.a5, reg.s1, 0),
      a.add(reg.a6, reg.a6, reg.a5),
      a.addi(reg.s1, reg.s1, 8),
      a.bne(reg.a1, reg.a2, -24),
      a.ebreak(),
    ];
    prog.forEach((w, k) => bus.store(C + 4 * k, 4, w));
    h.writeReg(reg.a2, 200n);
    h.writeReg(reg.s1, BigInt(WIN + 0x10000));
    h.pc = C;
    for (let k = 0; k < 5; k++) {
      h.run(30);
      h.jit!.compileQueued();
    }
    h.run(10000);
    assert.equal(h.readReg(reg.a0), 200n);
    assert.equal(h.readReg(reg.a6), (200n * 201n) / 2n);
    assert.ok(h.jitStats!.instructions > 1000, `translated code ran in the window (${h.jitStats!.instructions})`);
    // A store into the loop's second granule: addi a0, a0, 1 -> addi a0, a0, 3 at C + 0x10 (device 1)
    h.writeReg(reg.a1, 0n);
    h.writeReg(reg.a0, 0n);
    bus.store(C, 4, a.addi(reg.a0, reg.a0, 3));
    h.pc = C;
    h.run(10000);
    assert.equal(h.readReg(reg.a0), 600n);
  },
);

jitTest('observed pages (AddressSpace.observe) leave the TLB and the JIT fast path: every access is counted', () => {
  const m = makeMachine();
  const h = new Hart({
    arena: m.arena,
    bus: m.bus,
    hartId: 0,
    resetPc: CODE,
    jit: true,
    jitThreshold: 1,
    noWarmUp: true,
  });
  m.code(CODE, [
    a.ld(reg.a5, reg.s1, 0),
    a.addi(reg.a5, reg.a5, 1),
    a.sd(reg.a5, reg.s1, 0),
    a.addi(reg.a1, reg.a1, 1),
    a.bne(reg.a1, reg.a2, -16),
    a.ebreak(),
  ]);
  h.writeReg(reg.s1, BigInt(DATA));
  h.writeReg(reg.a2, 500n);
  h.pc = CODE;
  for (let k = 0; k < 20; k++) {
    h.run(25);
    h.jit!.compileQueued();
  } // 100 iterations, translated and TLB-cached
  const before = h.jitStats!.instructions;
  assert.ok(before > 0);
  const t = m.bus.observe({ base: DATA, size: 4096, name: 'data' });
  h.run(400 * 5);
  assert.equal(t.reads, 400, 'every load counted');
  assert.equal(t.writes, 400, 'every store counted');
  assert.equal(m.peek64(DATA), 500n);
});

jitTest('interrupts arrive in a hot translated loop at slice boundaries; instret stays exact', () => {
  const p = pair((m) => {
    m.code(CODE, [a.addi(reg.a0, reg.a0, 1), a.addi(reg.a1, reg.a1, 3), a.jal(0, -8)]);
    m.code(TRAP_VEC, [a.jal(0, 0)]);
    m.hart.csrWrite(0x304, 1 << 7, 0); // mie.MTIE
    m.hart.csrWrite(0x300, 1 << 3, 0); // mstatus.MIE
    m.hart.pc = CODE;
  });
  lockstep(p, [10, 100, 1000, 10000, 12345]);
  for (const m of [p.i, p.j]) m.hart.setPendingLine(7, true);
  lockstep(p, [1]);
  assert.equal(p.j.hart.mcauseHi, 0x80000000 | 0);
  assert.equal(p.j.hart.mcauseLo, 7);
  assert.ok(p.j.hart.mepcLo >= (CODE | 0) && p.j.hart.mepcLo < ((CODE + 12) | 0), 'mepc inside the loop');
  assert.ok(p.j.hart.jitStats!.instructions > 20000);
});

jitTest('--max-instructions style budgets are exact inside chained blocks', () => {
  const p = pair((m) => {
    m.code(CODE, [
      a.addi(reg.a0, reg.a0, 1),
      a.beq(reg.a0, reg.a2, 8),
      a.jal(0, -8),
      a.addi(reg.a3, reg.a3, 1),
      a.jal(0, -16),
    ]);
    m.hart.writeReg(reg.a2, 1000n);
    m.hart.pc = CODE;
  });
  const slices: number[] = [];
  for (let k = 1; k < 60; k++) slices.push((k * 37) % 101);
  lockstep(p, slices);
});

jitTest(
  'loads and stores that miss (MMIO, unmapped, misaligned, page-crossing) exit with a precise pc and the right fault',
  () => {
    const p = pair((m) => {
      m.code(CODE, [
        a.ld(reg.a1, reg.s1, 0),
        a.addi(reg.a2, reg.a2, 1),
        a.lw(reg.a3, reg.s2, 0),
        a.sd(reg.a2, reg.s3, 3),
        a.lhu(reg.a4, reg.s3, 4095),
        a.addi(reg.s4, reg.s4, 1),
        a.bne(reg.s4, reg.s5, -24),
        a.ld(reg.a5, reg.s6, 0),
        a.ebreak(),
      ]);
      m.code(TRAP_VEC, [a.jal(0, 0)]);
      m.hart.writeReg(reg.s1, BigInt(DATA));
      m.hart.writeReg(reg.s2, BigInt(MMIO_BASE + 0x10));
      m.hart.writeReg(reg.s3, BigInt(DATA + 0x1000));
      m.hart.writeReg(reg.s5, 300n);
      m.hart.writeReg(reg.s6, 0x2000_0000n); // unmapped: load access fault
      m.mmioBytes[0x10] = 0x5a;
      m.hart.pc = CODE;
    });
    lockstep(p, [5, 50, 500, 1000, 1000]);
    assert.equal(p.j.hart.mcauseLo, 5, 'load access fault');
    assert.equal(p.j.hart.mtvalLo >>> 0, 0x2000_0000);
  },
);

jitTest('page-straddling 32-bit instructions: every pair of page kinds, both engines, same fault and tval', () => {
  // RAM A [0x8000_0000, +1 MiB), MMIO M [0x8010_0000, +2 pages) holding bytes like memory, RAM B
  // [0x8010_2000, +1 page), a fine-interleaved window W (2 x 256 B, CXL-like) [0x8010_3000, +2
  // pages), MMIO M2 [0x8010_5000, +1 page), nothing after it or below A. PMP-denied cases deny one
  // 4 KiB page to S-mode. Each case runs a loop in S-mode whose last instruction straddles the
  // pair; the M-mode handler counts the trap and returns to the loop head, so the JIT translates
  // the head while the straddling instruction stays interpreted. Both engines must agree on every
  // register, pc, instret, mcause and mtval after every slice.
  const A = 0x8000_0000,
    M = 0x8010_0000,
    B = 0x8010_2000,
    W = 0x8010_3000,
    M2 = 0x8010_5000;
  const cases: [string, number, number][] = [
    ['ram -> ram', A + 0x1ffe, 0],
    ['ram -> mmio', M - 2, 0],
    ['mmio -> mmio', M + 0xffe, 0],
    ['mmio -> ram', B - 2, 0],
    ['ram -> cxl', W - 2, 0],
    ['cxl -> cxl', W + 0xffe, 0],
    ['cxl -> mmio', M2 - 2, 0],
    ['mmio -> unmapped', M2 + 0xffe, 0],
    ['unmapped -> ram', A - 2, 0],
    ['ram -> pmp-denied', A + 0x2ffe, A + 0x3000],
    ['pmp-denied -> ram', A + 0x3ffe, A + 0x3000],
    ['cxl -> pmp-denied', W + 0xffe, W + 0x1000],
    ['pmp-denied -> cxl', W + 0xffe, W],
  ];
  const translated: string[] = [];
  for (const [name, at, denied] of cases) {
    const run = (jit: boolean) => {
      const arena = new Arena({ bytes: 8 << 20 });
      const bus = new AddressSpace(arena);
      const devs = [
        new BackingStore(arena, { name: 'd0', size: 1 << 16 }),
        new BackingStore(arena, { name: 'd1', size: 1 << 16 }),
      ];
      const router = twoWayRouter(W, devs);
      const mmio = (dev: Uint8Array) => ({
        valid: { min: 1, max: 8, unaligned: true } as const,
        impl: { min: 1, max: 4 } as const,
        read(off: number, size: number) {
          let v = 0;
          for (let i = size - 1; i >= 0; i--) v = v * 256 + dev[off + i]!;
          return v;
        },
        write(off: number, size: number, value: number) {
          for (let i = 0; i < size; i++) dev[off + i] = (value >>> (8 * i)) & 0xff;
        },
      });
      bus.begin();
      bus.ram('a', A, new BackingStore(arena, { name: 'a', size: 1 << 20 }));
      bus.mmio('m', M, 0x2000, mmio(new Uint8Array(0x2000)));
      bus.ram('b', B, new BackingStore(arena, { name: 'b', size: 0x1000 }));
      bus.window('w', W, 0x2000, router);
      bus.mmio('m2', M2, 0x1000, mmio(new Uint8Array(0x1000)));
      bus.commit();
      const h = new Hart({ arena, bus, hartId: 0, resetPc: A, jit, jitThreshold: 1, noWarmUp: true });
      const put = (addr: number, w: number, size: number) => {
        for (let i = 0; i < size; i++) bus.store(addr + i, 1, (w >>> (8 * i)) & 0xff);
      };
      const insn = a.addi(reg.a0, reg.a0, 5);
      const head = at - 8; // two instructions before the straddling one (same page as its first half)
      put(head, a.addi(reg.a1, reg.a1, 1), 4);
      put(head + 4, a.addi(reg.a2, reg.a2, 2), 4);
      put(at, insn & 0xffff, 2);
      put(at + 2, insn >>> 16, 2);
      put(at + 4, a.jal(0, -12), 4);
      const HANDLER = A + 0x10000;
      put(HANDLER, a.addi(reg.a3, reg.a3, 1), 4);
      put(HANDLER + 4, a.csrrw(0, 0x341, reg.s1), 4); // mepc = loop head
      put(HANDLER + 8, a.csrrw(0, 0x300, reg.s2), 4); // mstatus: MPP = S
      put(HANDLER + 12, a.mret(), 4);
      h.mtvecLo = HANDLER | 0;
      // PMP: entry 0 = the denied 4 KiB page (NAPOT, no permission; none: an empty range), entry 1 = everything RWX.
      if (denied !== 0) h.csrWrite(0x3b0, (denied / 4 + 511) | 0, 0);
      h.csrWrite(0x3b1, 0xffffffff, 0x3fffff);
      h.csrWrite(0x3a0, (denied !== 0 ? 0x18 : 0) | (0x1f << 8), 0);
      h.writeReg(reg.s1, BigInt(head));
      h.writeReg(reg.s2, 1n << 11n);
      h.priv = 1;
      h.pc = head;
      const states: string[] = [];
      for (let k = 0; k < 12; k++) {
        h.run(9);
        h.jit?.compileQueued();
        states.push(regs(h));
      }
      return { states, jitInsns: h.jitStats?.instructions ?? 0 };
    };
    const i = run(false),
      j = run(true);
    assert.deepEqual(j.states, i.states, name);
    translated.push(`${name}: ${j.jitInsns}`);
  }
  // Loop heads on RAM/CXL pages ran translated; a loop entirely in MMIO never did (handlers in RAM may).
  assert.match(translated.join('\n'), /ram -> ram: [1-9]/);
  assert.match(translated.join('\n'), /cxl -> mmio: [1-9]/);
  assert.match(translated.join('\n'), /mmio -> mmio: 0$/m);
});

test('bench-small prints the same checksum and retires the same instructions in both engines', async (t) => {
  const { runProgram } = await import('../../../src/machine/board.js');
  const elf = resolve(here, '..', '..', '..', '..', 'guests', 'bin', 'bench-small.elf');
  if (!existsSync(elf)) {
    t.skip(`${elf} missing (make -C guests)`);
    return;
  }
  const out: Record<string, { text: string; instret: number; jit: number }> = {};
  for (const jit of [false, true]) {
    let hart: Hart | undefined;
    const chunks: string[] = [];
    const r = await runProgram({
      kernel: elf,
      output: (c: Uint8Array) => {
        chunks.push(Buffer.from(c).toString('latin1'));
      },
      maxInstructions: 100_000_000,
      hartFactory: (o) => (hart = new Hart({ ...o, jit, noWarmUp: true })),
    });
    assert.equal(r.exit.kind, 'pass');
    out[String(jit)] = { text: chunks.join(''), instret: r.instret, jit: hart!.jitStats?.instructions ?? 0 };
  }
  assert.match(out['true']!.text, /checksum=0x6c665492970d44fd ok/);
  assert.equal(out['true']!.text, out['false']!.text);
  assert.equal(out['true']!.instret, out['false']!.instret);
  if (JIT_DEFAULT)
    assert.ok(
      out['true']!.jit / out['true']!.instret > 0.9,
      `share in JIT code: ${out['true']!.jit / out['true']!.instret}`,
    );
});

jitTest('misaligned loads and stores inside a cached page stay in translated code', () => {
  // A loop of an ld at offset 3, an sd at offset 0xff6 (ends 2 bytes before the page's end) and an
  // sw at 0x101: the aligned probe misses them, the misaligned one after it takes them.
  const N = 2000;
  const p = pair((m) => {
    m.code(CODE, [
      a.ld(reg.a3, reg.s1, 3),
      a.add(reg.a3, reg.a3, reg.a1),
      a.sd(reg.a3, reg.s2, 0xf6),
      a.sw(reg.a1, reg.s1, 0x101),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.a2, -20),
      a.ebreak(),
    ]);
    m.hart.writeReg(reg.s1, BigInt(DATA));
    m.hart.writeReg(reg.s2, BigInt(DATA + 0xf00));
    m.hart.writeReg(reg.a2, BigInt(N));
    m.hart.pc = CODE;
  });
  for (const m of [p.i, p.j]) m.poke64(DATA + 3, 0x1122_3344_5566_7788n);
  lockstep(p, [50, 200, 1000, 4000, 20000]);
  assert.equal(p.j.hart.readReg(reg.a3), 0x1122_3344_5566_7788n + BigInt(N - 1));
  // The last sd's bytes, read back as aligned words (0xff6..0xffd spans two).
  const w0 = p.j.peek64(DATA + 0xff0),
    w1 = p.j.peek64(DATA + 0xff8);
  assert.equal((w0 >> 48n) | ((w1 & 0xffff_ffff_ffffn) << 16n), 0x1122_3344_5566_7788n + BigInt(N - 1));
  const s = p.j.hart.jitStats!;
  assert.ok(s.instructions > 5 * (N - 200), `the loop ran in translated code (${s.instructions} instructions)`);
  assert.ok(s.exits.slow < 10, `misaligned accesses hit the page TLB (${s.exits.slow} slow exits)`);
});

jitTest(
  'stores next to code in its own 16-byte-granule neighbourhood stay in translated code and keep its translations',
  () => {
    // The loop's 4 instructions fill granule 0 of their chunk; it stores into granules 1 and 4 of the
    // same 256-byte chunk every iteration (code and data sharing one chunk, as bench samepage does).
    const N = 3000;
    const p = pair((m) => {
      m.code(CODE, [
        a.sd(reg.a1, reg.s1, 0x10),
        a.sd(reg.a1, reg.s1, 0x48),
        a.addi(reg.a1, reg.a1, 1),
        a.bne(reg.a1, reg.a2, -12),
      ]);
      m.code(CODE + 0x10, [0, 0]);
      m.code(CODE + 0x50, [a.ebreak()]);
      m.hart.writeReg(reg.s1, BigInt(CODE));
      m.hart.writeReg(reg.a2, BigInt(N));
      m.hart.pc = CODE;
    });
    // The loop falls through to CODE + 0x10 once done: its first store made that a data word, so
    // let it end on a jump to the ebreak instead.
    for (const m of [p.i, p.j]) m.code(CODE + 0x10, [a.jal(0, 0x40)]);
    for (const m of [p.i, p.j]) m.hart.writeReg(reg.a1, 0n);
    lockstep(p, [50, 200, 1000, 4000, 20000]);
    assert.equal(p.j.peek64(CODE + 0x48), BigInt(N - 1));
    const s = p.j.hart.jitStats!;
    assert.equal(s.invalidatedBlocks, 0, 'no store hit code');
    assert.ok(s.instructions > 3 * N, `the loop ran in translated code (${s.instructions} instructions)`);
    assert.ok(
      s.exits.slow < 20,
      `stores into the code's chunk took the checked entry, not a slow exit each (${s.exits.slow})`,
    );
    // Its interpreted runs stored next to code, so its translation probes the checked entry first.
    const b = p.j.hart.jit!.block(3, CODE);
    assert.ok(b.storesNextToCode && !b.dataInChunks, 'the block learned where its stores go');
  },
);

jitTest(
  'a store into a code granule of a shared chunk invalidates exactly that code, also from another hart storing through translated code',
  () => {
    const m = makeMachine();
    const mk = (hartId: number) =>
      new Hart({
        arena: m.arena,
        bus: m.bus,
        hartId,
        resetPc: RAM_BASE,
        jit: true,
        jitThreshold: 1,
        jitLoopRunner: false,
        noWarmUp: true,
      });
    const A = mk(0);
    const B = mk(1);
    A.mtvecLo = TRAP_VEC | 0;
    B.mtvecLo = TRAP_VEC | 0;
    // A: a0 += 1 at CODE (granule 0), counting a1 to a2; then ebreak at CODE + 0x0c.
    m.code(CODE, [a.addi(reg.a0, reg.a0, 1), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a2, -8), a.ebreak()]);
    // B (another page), translated: each iteration stores t1 into CODE + 0x18 (A's chunk, granule 1:
    // data) and t2 at s2, a2 times, then ebreak.
    const B_CODE = CODE + 0x1000;
    m.code(B_CODE, [
      a.sd(reg.t1, reg.s1, 0x18),
      a.sw(reg.t2, reg.s2, 0),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.a2, -12),
      a.ebreak(),
    ]);
    const runA = (n: bigint) => {
      A.writeReg(reg.a1, 0n);
      A.writeReg(reg.a2, n);
      A.pc = CODE;
      runToPc(A, CODE + 0x0c);
    };
    runA(500n);
    assert.equal(A.readReg(reg.a0), 500n);
    assert.ok(A.jitStats!.blocksCompiled > 0);
    // More code in A's chunk, granule 2 (CODE + 0x20), not yet run: no granule of it is code yet.
    m.code(CODE + 0x20, [a.addi(reg.a0, reg.a0, 7), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a2, -8), a.ebreak()]);
    // B's loop gets checked entries in A's chunk (granule 0 holds code) for granule 1, where it
    // stores data, and for granule 2, where it stores the word that is already there (A's next
    // instruction, never run yet, so not code yet).
    B.writeReg(reg.s1, BigInt(CODE));
    B.writeReg(reg.s2, BigInt(CODE + 0x20));
    B.writeReg(reg.t1, 0x1234n);
    B.writeReg(reg.t2, BigInt(a.addi(reg.a0, reg.a0, 7)));
    B.writeReg(reg.a2, 400n);
    B.pc = B_CODE;
    runToPc(B, B_CODE + 0x10);
    assert.equal(m.peek64(CODE + 0x18), 0x1234n);
    assert.equal(A.jitStats!.invalidatedBlocks, 0, "B's data stores left A's code alone");
    assert.ok(B.jitStats!.exits.slow < 20, 'B stored through its checked entries');
    // A runs and compiles the code at CODE + 0x20: B's entry for granule 2 predates it and must not
    // let B's next store there through (the listeners of newly marked code drop it).
    A.writeReg(reg.a0, 0n);
    A.writeReg(reg.a1, 0n);
    A.writeReg(reg.a2, 100n);
    A.pc = CODE + 0x20;
    runToPc(A, CODE + 0x2c);
    assert.equal(A.readReg(reg.a0), 700n);
    const invalidatedBefore = A.jitStats!.invalidatedBlocks;
    // B: the same translated loop again, now storing `addi a0, a0, 9` over A's instruction at
    // CODE + 0x20 from its first iteration on.
    B.writeReg(reg.s2, BigInt(CODE + 0x20));
    B.writeReg(reg.t2, BigInt(a.addi(reg.a0, reg.a0, 9)));
    B.writeReg(reg.a1, 0n);
    B.writeReg(reg.a2, 400n);
    B.pc = B_CODE;
    runToPc(B, B_CODE + 0x10);
    assert.ok(A.jitStats!.invalidatedBlocks > invalidatedBefore, "B's store into A's code dropped A's translation");
    A.writeReg(reg.a0, 0n);
    A.writeReg(reg.a1, 0n);
    A.pc = CODE + 0x20;
    runToPc(A, CODE + 0x2c);
    assert.equal(A.readReg(reg.a0), 900n, 'A runs the instruction B wrote');
    // The code at CODE (granule 0) was not touched: still translated, still right.
    runA(50n);
    assert.equal(A.readReg(reg.a0), 950n);
  },
);

jitTest(
  'a block whose data lives on a fine-interleaved window learns it while interpreted (its translation probes the chunk TLB first)',
  () => {
    // The same loop, its code in RAM, its data in RAM and then in a 2 x 256 B interleaved window.
    const WIN = 0x1_0000_0000;
    const run = (inWindow: boolean) => {
      const arena = new Arena({ bytes: 16 << 20 });
      const bus = new AddressSpace(arena);
      const devs = [0, 1].map((i) => new BackingStore(arena, { name: `mem${i}`, size: 1 << 20 }));
      bus.begin();
      bus.ram('ram', RAM_BASE, new BackingStore(arena, { name: 'ram', size: 1 << 20 }));
      bus.window('w0', WIN, 1 << 21, twoWayRouter(WIN, devs));
      bus.commit();
      const h = new Hart({ arena, bus, hartId: 0, resetPc: RAM_BASE, jit: true, jitThreshold: 1, noWarmUp: true });
      const C = RAM_BASE + 0x2000;
      const prog = [
        a.ld(reg.t0, reg.s1, 0),
        a.add(reg.t0, reg.t0, reg.a1),
        a.sd(reg.t0, reg.s1, 8),
        a.addi(reg.a1, reg.a1, 1),
        a.bne(reg.a1, reg.a2, -16),
        a.ebreak(),
      ];
      prog.forEach((w, k) => bus.store(C + 4 * k, 4, w));
      const data = inWindow ? WIN + 0x100 : RAM_BASE + 0x40000;
      h.writeReg(reg.s1, BigInt(data));
      h.writeReg(reg.a2, 2000n);
      h.pc = C;
      runToPc(h, C + 20, 40);
      assert.equal(h.readReg(reg.a1), 2000n);
      assert.ok(h.jitStats!.instructions > 5000, 'the loop ran translated');
      assert.equal(bus.load(data + 8, 4), 1999, 'the last store landed');
      return h.jit!.block(3, C);
    };
    assert.equal(run(false).dataInChunks, false, 'data in RAM: the page TLB first');
    assert.equal(run(true).dataInChunks, true, 'data in the window: the chunk TLB first');
  },
);

/** cbo.zero (rs1): MISC-MEM, funct3 2, imm 4. */
const cboZero = (rs1: number) => ((4 << 20) | (rs1 << 15) | (2 << 12) | 0x0f) >>> 0;

/** Both harts in S-mode (bare), PMP open to S, menvcfg.CBZE set, supervisor external interrupt delegated and enabled. */
function supervisorPair(code: number[], handler: number[]): { i: TestMachine; j: TestMachine } {
  return pair((m) => {
    m.code(CODE, code);
    m.code(TRAP_VEC, handler);
    const h = m.hart;
    h.csrWrite(0x3b0, 0xffffffff, 0x3fffff);
    h.csrWrite(0x3a0, 0x1f, 0); // PMP entry 0: NAPOT over everything, RWX
    h.csrWrite(0x30a, 1 << 7, 0); // menvcfg.CBZE
    h.csrWrite(0x303, 1 << 9, 0); // mideleg: SEI
    h.csrWrite(0x304, 1 << 9, 0); // mie.SEIE
    h.csrWrite(0x105, TRAP_VEC | 0, 0); // stvec
    h.csrWrite(0x100, 1 << 1, 0); // sstatus.SIE
    h.writeReg(reg.s1, BigInt(DATA));
    h.priv = 1;
    h.pc = CODE;
  });
}

jitTest(
  'CSR accesses and cbo.zero run inside translated code (call-outs); an interrupt they enable is taken at once',
  () => {
    // The kernel's pattern: interrupts off, work, interrupts back on (csrs sstatus, old).
    const loop = [
      a.csrrci(reg.a5, 0x100, 2), // sstatus.SIE off, old value in a5
      a.addi(reg.a0, reg.a0, 1),
      a.csrrw(reg.a6, 0x140, reg.a0), // sscratch
      a.csrrs(0, 0x100, reg.a5), // restore SIE
      cboZero(reg.s1),
      a.sd(reg.a0, reg.s1, 8),
      a.csrrs(reg.a7, 0x141, 0), // csrr sepc
      a.jal(0, -28),
    ];
    // The handler counts interrupts in s2, drops the line through the test, and returns.
    const p = supervisorPair(loop, [a.addi(reg.s2, reg.s2, 1), a.jal(0, 0)]);
    lockstep(p, [7, 70, 700, 7000, 7000]);
    const js = p.j.hart.jitStats!;
    assert.ok(js.instructions > 10000, `translated: ${js.instructions}`);
    assert.ok(js.exits.chain < 50, `the CSR accesses did not leave translated code (chain exits ${js.exits.chain})`);
    assert.equal(p.j.peek64(DATA + 8), p.j.hart.readReg(reg.a0));
    // The line rises while the loop runs: each engine takes it at the same instruction.
    for (let k = 0; k < 40; k++) {
      for (const m of [p.i, p.j]) m.hart.setPendingLine(9, true);
      lockstep(p, [3 + (k % 9)]);
      assert.equal(regs(p.j.hart), regs(p.i.hart));
      for (const m of [p.i, p.j]) {
        m.hart.setPendingLine(9, false);
        if (m.hart.pc === TRAP_VEC + 4) {
          // sret by hand: back to the interrupted instruction with SIE as SPIE had it.
          m.hart.pc = Number(csr(m.hart, 0x141));
          m.hart.csrWrite(0x100, 1 << 1, 0);
        }
      }
      lockstep(p, [50 + k]);
    }
    assert.ok(p.j.hart.readReg(reg.s2) > 0n, 'interrupts were taken');
    assert.equal(csr(p.j.hart, 0x142), (1n << 63n) | 9n, 'scause: supervisor external interrupt');
  },
);

jitTest('an interrupt that sret makes deliverable is taken right after it, in both engines', () => {
  // S-mode: a loop of ecalls, delegated to S. The handler raises SSIP while SIE is off, then sret
  // (SIE back on) makes it deliverable: it must be taken at the instruction after sret. A trap
  // and sret from S to S keep the TLBs (privilegeChanged), and the engines still leave there.
  const loop = [a.addi(reg.a0, reg.a0, 1), a.ecall(), a.jal(0, -8)];
  const handler = [
    a.csrrs(reg.t0, 0x142, 0), // scause
    a.blt(reg.t0, 0, 28), // interrupt: to the second half
    a.addi(reg.s2, reg.s2, 1),
    a.csrrs(reg.t1, 0x141, 0), // sepc
    a.addi(reg.t1, reg.t1, 4),
    a.csrrw(0, 0x141, reg.t1),
    a.csrrsi(0, 0x144, 2), // sip.SSIP: pending, SIE off
    a.sret(),
    a.addi(reg.s3, reg.s3, 1),
    a.csrrci(0, 0x144, 2),
    a.sret(),
  ];
  const p = supervisorPair(loop, handler);
  for (const m of [p.i, p.j]) {
    const h = m.hart;
    h.csrWrite(0x302, 1 << 9, 0); // medeleg: ecall from S
    h.csrWrite(0x303, 1 << 1, 0); // mideleg: SSI
    h.csrWrite(0x304, 1 << 1, 0); // mie.SSIE
  }
  lockstep(p, [5, 50, 500]);
  // Traps and returns between S and S: the TLBs are not emptied.
  const flushes = [p.i.hart.tlbFlushes, p.j.hart.tlbFlushes];
  lockstep(p, [5000, 5000, 7]);
  assert.deepEqual([p.i.hart.tlbFlushes, p.j.hart.tlbFlushes], flushes);
  const s2 = p.j.hart.readReg(reg.s2),
    s3 = p.j.hart.readReg(reg.s3);
  assert.ok(s2 > 500n, `${s2} ecalls`);
  assert.ok(s3 === s2 || s3 === s2 - 1n, `one interrupt after each sret (${s3} for ${s2} ecalls)`);
});

jitTest(
  'auipc + jalr (call, tail) is a direct jump in translated code: calls whose targets share a jump-cache entry do not exit',
  () => {
    // f1 and f2 are 16 KiB apart: the jump cache (indexed by the target's bits 1-13) holds one of them at a time.
    const F1 = CODE + 0x100,
      F2 = CODE + 0x4100;
    const p = pair((m) => {
      m.code(CODE, [
        a.addi(reg.a0, reg.a0, 1),
        a.auipc(reg.ra, 0),
        a.jalr(reg.ra, reg.ra, F1 - (CODE + 4)), // call f1
        a.auipc(reg.ra, 4),
        a.jalr(reg.ra, reg.ra, F2 - (CODE + 12) - 0x4000), // call f2
        a.auipc(reg.t1, 0),
        a.jalr(0, reg.t1, 0x200 - 20), // tail: jump to CODE + 0x200
      ]);
      m.code(F1, [a.addi(reg.a1, reg.a1, 1), a.jalr(0, reg.ra, 0)]);
      m.code(F2, [a.addi(reg.a3, reg.a3, 1), a.jalr(0, reg.ra, 0)]);
      m.code(CODE + 0x200, [a.addi(reg.a2, reg.a2, 3), a.jal(0, -0x204)]); // back to CODE
      m.hart.pc = CODE;
    });
    lockstep(p, [5, 50, 500, 5000, 5000, 5000, 5000]);
    const h = p.j.hart;
    assert.ok(h.readReg(reg.a0) > 1000n, `${h.readReg(reg.a0)} passes`);
    // Each pass calls f1 and f2 once (the last slice may end inside a pass).
    for (const r of [reg.a1, reg.a3]) assert.ok(h.readReg(reg.a0) - h.readReg(r) <= 1n);
    const js = h.jitStats!;
    assert.ok(js.instructions > 5000, `translated: ${js.instructions}`);
    // Only the two rets jump through the jump cache (their return sites do not collide).
    assert.ok(js.exits.indirect < 20, `indirect exits: ${js.exits.indirect}`);
  },
);

/** M-mode handler: count in s2, skip the faulting instruction, back to S-mode. */
const skipAndReturnToS = () => [
  a.addi(reg.s2, reg.s2, 1),
  a.csrrs(reg.t0, 0x341, 0),
  a.addi(reg.t0, reg.t0, 4),
  a.csrrw(0, 0x341, reg.t0),
  ...li(reg.t1, 0x800n),
  a.csrrs(0, 0x300, reg.t1), // mstatus.MPP = S
  a.mret(),
];

jitTest('a call-out that traps (cbo.zero without menvcfg.CBZE) traps as the interpreter does', () => {
  const loop = [a.addi(reg.a0, reg.a0, 1), cboZero(reg.s1), a.addi(reg.a1, reg.a1, 1), a.jal(0, -12)];
  const p = supervisorPair(loop, skipAndReturnToS());
  for (const m of [p.i, p.j]) {
    m.hart.csrWrite(0x30a, 0, 0); // menvcfg.CBZE off: cbo.zero is illegal in S-mode
    m.hart.csrWrite(0x303, 0, 0);
    m.hart.mtvecLo = TRAP_VEC | 0;
  }
  lockstep(p, [9, 90, 900, 900]);
  assert.equal(p.j.hart.mcauseLo, 2, 'illegal instruction');
  const behind = p.j.hart.readReg(reg.a0) - p.j.hart.readReg(reg.s2);
  assert.ok(behind === 0n || behind === 1n, 'one trap per pass');
  assert.ok(p.j.hart.readReg(reg.s2) > 100n);
  assert.ok(p.j.hart.jitStats!.exits.slow > 100, 'the translated cbo.zero exits to the interpreter, which traps');
});

jitTest('cbo.zero without menvcfg.CBZE traps even when the write TLB holds its page (nothing is cleared)', () => {
  // The store fills the write TLB for the page; the block cbo.zero names (DATA..DATA+63) keeps its bytes.
  const loop = [a.addi(reg.a0, reg.a0, 1), a.sd(reg.a0, reg.s1, 128), cboZero(reg.s1), a.jal(0, -12)];
  const p = supervisorPair(loop, skipAndReturnToS());
  for (const m of [p.i, p.j]) {
    m.hart.csrWrite(0x30a, 0, 0); // menvcfg.CBZE off
    m.hart.csrWrite(0x303, 0, 0);
    m.hart.mtvecLo = TRAP_VEC | 0;
    m.poke64(DATA + 8, 0x1234_5678n);
  }
  lockstep(p, [9, 90, 900, 900]);
  for (const m of [p.i, p.j]) {
    assert.equal(m.hart.mcauseLo, 2, 'illegal instruction');
    assert.equal(m.peek64(DATA + 8), 0x1234_5678n, 'the block was not cleared');
    assert.equal(m.peek64(DATA + 128), m.hart.readReg(reg.a0), 'the stores went on');
  }
  assert.ok(p.j.hart.readReg(reg.s2) > 100n);
  assert.ok(p.j.hart.jitStats!.instructions > 100, 'the loop ran translated');
});

/** A loop whose first instruction (addi a0, a0, 1) is rewritten every 16 passes by the loop itself:
 *  t1 = *patch ^ s2; *patch = t1; fence.i. s2 = 0 writes the same word back. */
function patchingLoop(m: TestMachine, mask: number): void {
  m.code(CODE, [
    a.addi(reg.a0, reg.a0, 1), // the patch site
    a.addi(reg.a1, reg.a1, 1),
    a.andi(reg.t0, reg.a1, 15),
    a.bne(reg.t0, 0, 20),
    a.lw(reg.t1, reg.s1, 0),
    a.xor(reg.t1, reg.t1, reg.s2),
    a.sw(reg.t1, reg.s1, 0),
    0x0000100f, // fence.i
    a.bne(reg.a1, reg.a3, -32),
    a.jal(0, 0),
  ]);
  m.hart.writeReg(reg.s1, BigInt(CODE));
  m.hart.writeReg(reg.s2, BigInt(mask));
  m.hart.writeReg(reg.a3, 4000n);
  m.hart.pc = CODE;
}

jitTest('a store that writes back the bytes already there keeps the translations', () => {
  const p = pair((m) => patchingLoop(m, 0));
  lockstep(p, [50, 500, 5000, 20000]);
  const js = p.j.hart.jitStats!;
  assert.equal(p.j.hart.readReg(reg.a0), 4000n);
  assert.equal(js.invalidatedBlocks, 0, 'nothing was dropped');
  assert.ok(js.instructions > 20000);
});

jitTest('code flipped between two versions: the dropped translation is revived when its bytes return', () => {
  // addi a0, a0, 1 <-> addi a0, a0, 3: a stale translation would count wrong.
  const p = pair((m) => patchingLoop(m, (1 ^ 3) << 20));
  lockstep(p, [50, 500, 5000, 20000, 20000]);
  const h = p.j.hart;
  assert.equal(h.readReg(reg.a1), 4000n);
  // 250 rounds of 16 passes, each version for every other round: (1 + 3) * 16 * 125.
  assert.equal(h.readReg(reg.a0), 8000n);
  assert.ok(h.jit!.revived > 200, `revived ${h.jit!.revived}`);
  assert.ok(
    h.jitStats!.blocksCompiled < 40,
    `compiled ${h.jitStats!.blocksCompiled} blocks: the versions were not rebuilt`,
  );
});

jitTest('a patch site run once per pass, flipped every pass: each flip drops and revives only its own block', () => {
  // Each pass calls F, whose first instruction (the patch site, addi a0, a0, 1 <-> 3) runs once
  // and is followed by a 20-step loop, then flips the site (as bench/layouts smc-toggle and a
  // kernel's static keys do). The caller's blocks, F's and its loop's are one region: at first a
  // flip dropped all of them and the other version ran interpreted (scanned anew each time, never
  // hot enough to compile); a version that keeps coming back now compiles at once, alone.
  const F = CODE + 0x100;
  const PASSES = 3000;
  const p = pair((m) => {
    m.code(CODE, [
      a.jal(reg.ra, F - CODE),
      a.addi(reg.a1, reg.a1, 1),
      a.lw(reg.t1, reg.s1, 0),
      a.xor(reg.t1, reg.t1, reg.s2),
      a.sw(reg.t1, reg.s1, 0),
      0x0000100f, // fence.i
      a.bne(reg.a1, reg.a3, -24),
      a.jal(0, 0),
    ]);
    m.code(F, [
      a.addi(reg.a0, reg.a0, 1), // the patch site
      a.addi(reg.t0, 0, 0),
      a.addi(reg.t0, reg.t0, 1),
      a.bne(reg.t0, reg.t2, -4),
      a.jalr(0, reg.ra, 0),
    ]);
    m.hart.writeReg(reg.s1, BigInt(F));
    m.hart.writeReg(reg.s2, BigInt((1 ^ 3) << 20));
    m.hart.writeReg(reg.t2, 20n);
    m.hart.writeReg(reg.a3, BigInt(PASSES));
    m.hart.pc = CODE;
  }, 50); // the JIT's usual threshold: a version run once per pass is not compiled at its first run
  lockstep(p, [50, 500, 5000, ...Array<number>(8).fill(20000)]);
  const h = p.j.hart;
  assert.equal(h.readReg(reg.a1), BigInt(PASSES));
  assert.equal(h.readReg(reg.a0), BigInt(2 * PASSES), 'each version ran every other pass: (1 + 3) * 1500');
  const js = h.jitStats!;
  // Measured when every flip re-scanned the other version: 87 % translated, 10,214 blocks dropped,
  // 1,544 chain exits; now 97 %, 5,888 and 105.
  assert.ok(js.instructions > 0.95 * h.instret, `${js.instructions} of ${h.instret} instructions translated`);
  assert.ok(js.invalidatedBlocks < 2.5 * PASSES, `${js.invalidatedBlocks} blocks dropped in ${PASSES} flips`);
  assert.ok(js.exits.chain < 500, `${js.exits.chain} chain exits`);
  assert.ok(js.blocksCompiled < 40, `compiled ${js.blocksCompiled} blocks: each version once`);
});

jitTest('a store into one loop on a page drops that loop only; another loop on the page stays translated', () => {
  // Loop A at CODE (adds s3 to a0 300 times) and loop B 512 bytes further (adds 1 to a1); the
  // program runs A, then B, then rewrites A's add into a sub and runs A again.
  const B = CODE + 0x200;
  const p = pair((m) => {
    m.code(CODE, [
      a.add(reg.a0, reg.a0, reg.s3),
      a.addi(reg.t0, reg.t0, 1),
      a.bne(reg.t0, reg.t1, -8),
      a.jal(0, 0x200 - 12), // to B
    ]);
    m.code(B, [
      a.addi(reg.a1, reg.a1, 1),
      a.addi(reg.t2, reg.t2, 1),
      a.bne(reg.t2, reg.t1, -8),
      a.sw(reg.s4, reg.s1, 0), // A's first instruction becomes sub a0, a0, s3
      a.addi(reg.t0, 0, 0),
      a.jal(0, -(0x200 + 20)), // back to A
    ]);
    m.hart.writeReg(reg.s1, BigInt(CODE));
    m.hart.writeReg(reg.s3, 5n);
    m.hart.writeReg(reg.s4, BigInt(a.sub(reg.a0, reg.a0, reg.s3)));
    m.hart.writeReg(reg.t1, 300n);
    m.hart.pc = CODE;
  });
  // Slices that end on block boundaries, so A's loop, its jal and B's loop compile in batches of
  // their own (a module is dropped whole: blocks sharing one with A would go with it).
  lockstep(p, [3, 897, 1, 3, 897]);
  const h = p.j.hart;
  const jit = h.jit!;
  const bBlock = jit.block(3, B);
  assert.ok(bBlock.fn !== null, 'B translated');
  const dropped = h.jitStats!.invalidatedBlocks;
  // Which blocks' modules get dropped (revival would hide a drop of B: its bytes never change).
  const spy = jit as unknown as { dropModule(mod: { blocks: { pc: number }[] }, page?: number): void };
  const drop = spy.dropModule.bind(jit);
  const droppedPcs: number[] = [];
  spy.dropModule = (mod, page) => {
    for (const b of mod.blocks) droppedPcs.push(b.pc);
    drop(mod, page);
  };
  lockstep(p, [3, 600, 600]);
  assert.ok(
    droppedPcs.length > 0 && droppedPcs.every((pc) => pc < B),
    `dropped ${droppedPcs.map((x) => x.toString(16))}`,
  );
  assert.equal(h.readReg(reg.a0), 0n, '300 adds of 5, then 300 subs of 5');
  assert.ok(h.jitStats!.invalidatedBlocks > dropped, "A's translation was dropped");
  assert.equal(jit.block(3, B), bBlock, 'B kept its translation');
  assert.ok(bBlock.fn !== null);
});

jitTest(
  'an Sstc timer that expires inside translated code is taken at the csrs that enables it, as interpreted',
  () => {
    // The time is instret; stimecmp expires while SIE is off, and the interpreter takes the timer
    // interrupt right after the csrs that turns SIE back on. Translated code counts its instructions
    // only when it returns, so the call-out must see the time at that instruction.
    const loop = [
      a.csrrci(reg.a5, 0x100, 2),
      a.addi(reg.a0, reg.a0, 1),
      a.addi(reg.a1, reg.a1, 2),
      a.csrrs(0, 0x100, reg.a5),
      a.addi(reg.a2, reg.a2, 3),
      a.jal(0, -20),
    ];
    const p = supervisorPair(loop, [a.addi(reg.s2, reg.s2, 1), a.jal(0, 0)]);
    for (const m of [p.i, p.j]) {
      const h = m.hart;
      h.getTime = () => h.instret;
      h.csrWrite(0x30a, 1 << 7, 0x80000000 | 0); // menvcfg: CBZE, STCE
      h.csrWrite(0x303, (1 << 9) | (1 << 5), 0); // mideleg: SEI, STI
      h.csrWrite(0x304, (1 << 9) | (1 << 5), 0); // mie: SEIE, STIE
      h.csrWrite(0x14d, 3001, 0); // stimecmp
    }
    lockstep(p, [500, 10000]);
    assert.equal(csr(p.j.hart, 0x142), (1n << 63n) | 5n, 'scause: supervisor timer interrupt');
    assert.equal(p.j.hart.pc, TRAP_VEC + 4);
    assert.ok(p.j.hart.jitStats!.instructions > 1000, 'the loop ran translated');
  },
);

jitTest('table slots running out (a small arena: 1,024) flush every block, and the program runs on right', () => {
  // 700 blocks of `addi a0, a0, 1; jal x0, +4` (each ends at its jal), then a counted loop back:
  // compiling them needs more slots than 1,024 leave (each block's own and its successor's).
  const BLOCKS = 700;
  const arena = new Arena({ bytes: 1 << 20 });
  const bus = new AddressSpace(arena);
  bus.begin();
  bus.ram('ram', RAM_BASE, new BackingStore(arena, { name: 'ram', size: 256 << 10 }));
  bus.commit();
  const h = new Hart({ arena, bus, hartId: 0, resetPc: CODE, jit: true, jitThreshold: 1, noWarmUp: true });
  assert.equal(h.layout.slotCapacity, 1024);
  const words: number[] = [];
  for (let i = 0; i < BLOCKS; i++) words.push(a.addi(reg.a0, reg.a0, 1), a.jal(0, 4));
  words.push(a.addi(reg.t0, reg.t0, -1), a.beq(reg.t0, 0, 8), a.jal(0, -8 * BLOCKS - 8), a.jal(0, 0)); // then a self-loop
  words.forEach((w, k) => bus.store(CODE + 4 * k, 4, w));
  h.writeReg(reg.t0, 20n);
  h.pc = CODE;
  for (let k = 0; k < 200 && h.pc !== CODE + 4 * (words.length - 1); k++) {
    h.run(5000);
    h.jit!.compileQueued();
  }
  assert.equal(h.pc, CODE + 4 * (words.length - 1), 'reached the final self-loop');
  assert.equal(h.readReg(reg.a0), BigInt(BLOCKS * 20));
  const s = h.jitStats!;
  assert.ok(s.flushes >= 1, `the slots ran out and everything was flushed (${s.flushes} flushes)`);
  assert.ok(s.instructions > BLOCKS * 2 * 5, `most of it ran translated (${s.instructions})`);
});
