// Instruction fetch: 32-bit instructions straddling two pages of any kinds (RAM, MMIO, unmapped,
// PMP-denied), faults on either half with the right tval, code in MMIO (never cached), and code
// coherence: the decoded-instruction cache follows every write (CPU stores, host/DMA writes through
// the address space). Oracle: privileged ISA 20211203 3.1.16 ("mtval ... the virtual address of
// the portion of the instruction that caused the fault", mepc = the instruction's address), and
// the ISA semantics of the instructions written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { csr, makeMachine, MMIO_BASE, RAM_BASE, setCsr, TRAP_VEC, type TestMachine } from './machine.js';
import { CSR } from '../../src/cpu/csr.js';
import { Op } from '../../src/cpu/isa.js';

const ROOT = RAM_BASE + 0x100000,
  L1 = ROOT + 0x1000,
  L0 = ROOT + 0x2000;
const V = 1n,
  R = 2n,
  W = 4n,
  X = 8n,
  A = 64n,
  D = 128n;
const pte = (pa: number, f: bigint) => (BigInt(Math.floor(pa / 4096)) << 10n) | f;

/** S-mode with VA 0x4000_0000 + 4K*i mapped as given; RAM gigapage 2 identity (trap vector). */
function paged(m: TestMachine, pages: (number | null)[]): void {
  const h = m.hart;
  for (let i = 0; i < 3 * 512; i++) m.poke64(ROOT + 8 * i, 0n);
  m.poke64(ROOT + 16, pte(RAM_BASE, V | R | W | X | A | D));
  m.poke64(ROOT + 8, pte(L1, V));
  m.poke64(L1, pte(L0, V));
  pages.forEach((pa, i) => {
    if (pa !== null) m.poke64(L0 + 8 * i, pte(pa, V | R | W | X | A | D));
  });
  h.priv = 3;
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  setCsr(h, CSR.mcause, 0n);
  h.priv = 1;
  h.flushTlb();
}

const ADDI_A0_42 = a.addi(reg.a0, 0, 42);

/** Write a 32-bit instruction as two 16-bit halves at (possibly different) physical addresses. */
function split(m: TestMachine, lowAt: number, highAt: number, insn: number): void {
  m.bus.store(lowAt, 2, insn & 0xffff);
  m.bus.store(highAt, 2, insn >>> 16);
}

test('a 32-bit instruction straddling two RAM pages executes (bare and paged)', () => {
  const m = makeMachine();
  const h = m.hart;
  const at = RAM_BASE + 0x2ffe;
  split(m, at, at + 2, ADDI_A0_42);
  m.code(at + 4, [a.addi(reg.a1, 0, 1)]);
  m.runAt(at, 2);
  assert.equal(h.readReg(reg.a0), 42n);
  assert.equal(h.readReg(reg.a1), 1n);
  assert.equal(h.pc, at + 8);
  // Paged: VA pages 0 and 1 map to non-adjacent physical pages.
  paged(m, [RAM_BASE + 0x8000, RAM_BASE + 0x3000]);
  split(m, RAM_BASE + 0x8ffe, RAM_BASE + 0x3000, a.addi(reg.a0, 0, 7));
  m.runAt(0x4000_0ffe, 1);
  assert.equal(h.readReg(reg.a0), 7n);
  assert.equal(h.pc, 0x4000_1002);
});

test('straddling fetch faults: second half unmapped -> page fault, tval = second page; first half -> tval = pc', () => {
  const m = makeMachine();
  const h = m.hart;
  paged(m, [RAM_BASE + 0x8000, null]);
  m.bus.store(RAM_BASE + 0x8ffe, 2, ADDI_A0_42 & 0xffff);
  m.runAt(0x4000_0ffe, 1);
  assert.equal(csr(h, CSR.mcause), 12n);
  assert.equal(csr(h, CSR.mepc), 0x4000_0ffen);
  assert.equal(csr(h, CSR.mtval), 0x4000_1000n);
  paged(m, [null, RAM_BASE + 0x8000]);
  m.runAt(0x4000_0ffe, 1);
  assert.equal(csr(h, CSR.mcause), 12n);
  assert.equal(csr(h, CSR.mtval), 0x4000_0ffen);
  // Bare: the second half in unassigned space -> instruction access fault at the second half.
  h.priv = 3;
  const end = RAM_BASE + (8 << 20);
  m.bus.store(end - 2, 2, ADDI_A0_42 & 0xffff);
  m.runAt(end - 2, 1);
  assert.equal(csr(h, CSR.mcause), 1n);
  assert.equal(csr(h, CSR.mepc), BigInt(end - 2));
  assert.equal(csr(h, CSR.mtval), BigInt(end));
  // A 16-bit instruction at the end of the last page runs without touching the next page.
  m.bus.store(end - 2, 2, 0x4505); // c.li a0, 1
  setCsr(h, CSR.mcause, 0n);
  m.runAt(end - 2, 1);
  assert.equal(h.readReg(reg.a0), 1n);
  assert.equal(csr(h, CSR.mcause), 0n);
});

test('straddling RAM <-> MMIO in both directions; PMP denying the second page', () => {
  const m = makeMachine();
  const h = m.hart;
  paged(m, [RAM_BASE + 0x8000, MMIO_BASE, RAM_BASE + 0x9000]);
  // RAM -> MMIO
  m.bus.store(RAM_BASE + 0x8ffe, 2, ADDI_A0_42 & 0xffff);
  m.mmioBytes[0] = (ADDI_A0_42 >>> 16) & 0xff;
  m.mmioBytes[1] = ADDI_A0_42 >>> 24;
  h.writeReg(reg.a0, 0n);
  m.runAt(0x4000_0ffe, 1);
  assert.equal(h.readReg(reg.a0), 42n);
  // MMIO -> RAM
  const insn = a.addi(reg.a1, 0, 99);
  m.mmioBytes[0xffe] = insn & 0xff;
  m.mmioBytes[0xfff] = (insn >>> 8) & 0xff;
  m.bus.store(RAM_BASE + 0x9000, 2, insn >>> 16);
  m.runAt(0x4000_1ffe, 1);
  assert.equal(h.readReg(reg.a1), 99n);
  // PMP: entry 0 denies the second physical page (RAM_BASE + 0x9000, NA4.. use NAPOT 4 KiB, no X);
  // entry 1 allows everything else.
  h.priv = 3;
  setCsr(h, CSR.pmpaddr0, BigInt((RAM_BASE + 0x9000) / 4) | 0x1ffn);
  setCsr(h, CSR.pmpaddr0 + 1, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, (0x1fn << 8n) | 0x1bn); // entry 0: NAPOT R W (no X); entry 1: NAPOT RWX
  h.priv = 1;
  h.flushTlb();
  m.runAt(0x4000_1ffe, 1);
  assert.equal(csr(h, CSR.mcause), 1n, 'PMP denies execute on the second page');
  assert.equal(csr(h, CSR.mtval), 0x4000_2000n);
});

test('code in MMIO runs uncached: a device-side change is seen by the next fetch', () => {
  const m = makeMachine();
  const h = m.hart;
  const put = (off: number, w: number) => {
    for (let i = 0; i < 4; i++) m.mmioBytes[off + i] = (w >>> (8 * i)) & 0xff;
  };
  put(0x100, a.addi(reg.a0, 0, 1));
  put(0x104, a.jal(0, -4));
  m.runAt(MMIO_BASE + 0x100, 2);
  assert.equal(h.readReg(reg.a0), 1n);
  put(0x100, a.addi(reg.a0, 0, 2)); // the device changes its bytes (no write through the bus)
  h.run(1);
  assert.equal(h.readReg(reg.a0), 2n);
});

test('self-modifying code: a store into decoded code is seen by the next execution (same page and other page)', () => {
  const m = makeMachine();
  const h = m.hart;
  const base = RAM_BASE + 0x6000;
  // loop: addi a0,a0,1 ; sw a2,0(a1) (patches the addi) ; jal loop
  m.code(base, [a.addi(reg.a0, reg.a0, 1), a.sw(reg.a2, reg.a1, 0), a.jal(0, -8)]);
  h.writeReg(reg.a0, 0n);
  h.writeReg(reg.a1, BigInt(base));
  h.writeReg(reg.a2, BigInt(a.addi(reg.a0, reg.a0, 100)));
  m.runAt(base, 4); // addi(+1), sw, jal, addi(+100)
  assert.equal(h.readReg(reg.a0), 101n);
  // Another page's code patched by a store from this page, after it was executed once.
  const other = RAM_BASE + 0x7000;
  m.code(other, [a.addi(reg.a3, 0, 5), a.jalr(0, reg.ra, 0)]);
  m.code(base, [a.jal(reg.ra, other - base), a.sw(reg.a2, reg.a1, 0), a.jal(reg.ra, other - (base + 8))]);
  h.writeReg(reg.a1, BigInt(other));
  h.writeReg(reg.a2, BigInt(a.addi(reg.a3, 0, 6)));
  m.runAt(base, 3);
  assert.equal(h.readReg(reg.a3), 5n);
  m.runAt(base + 4, 3);
  assert.equal(h.readReg(reg.a3), 6n);
});

test('host/DMA writes through the address space invalidate decoded code', () => {
  const m = makeMachine();
  const h = m.hart;
  const base = RAM_BASE + 0x6000;
  m.code(base, [a.addi(reg.a0, 0, 1), a.jal(0, -4)]);
  m.runAt(base, 2);
  assert.equal(h.readReg(reg.a0), 1n);
  m.bus.writeBytes(base, new Uint8Array(new Uint32Array([a.addi(reg.a0, 0, 3)]).buffer));
  h.run(2);
  assert.equal(h.readReg(reg.a0), 3n);
});

test('fence.i is accepted; ecall in the handler path keeps pc exact after straddling fetches', () => {
  const m = makeMachine();
  const h = m.hart;
  m.code(RAM_BASE, [a.fence_i(), a.fence(), a.ecall()]);
  m.runAt(RAM_BASE, 3);
  assert.equal(h.pc, TRAP_VEC);
  assert.equal(csr(h, CSR.mepc), BigInt(RAM_BASE + 8));
  assert.equal(h.instret, 2);
});

test('the interpreter warm-up program runs every iteration without an unexpected trap', async () => {
  const { WARMUP_PARCELS } = await import('../../src/cpu/warmup.js');
  const { Hart } = await import('../../src/cpu/hart.js');
  const m = makeMachine();
  WARMUP_PARCELS.forEach((p, i) => m.bus.store(RAM_BASE + 2 * i, 2, p));
  const h = new Hart({ arena: m.arena, bus: m.bus, hartId: 0, resetPc: RAM_BASE + 16, noWarmUp: true });
  const causes: bigint[] = [];
  let why = '';
  for (let i = 0; i < 100000 && why !== 'wfi'; i++) {
    why = h.run(1);
    if (h.pc === RAM_BASE && h.priv === 3) causes.push(csr(h, CSR.mcause));
  }
  assert.equal(why, 'wfi');
  assert.equal(causes.filter((c) => c === 11n).length, 8, '8 ecalls');
  assert.deepEqual(
    causes.filter((c) => c !== 11n),
    [3n],
    'then one ebreak, nothing else',
  );
  assert.ok(h.instret > 8 * 150);
});

test('the warm-up program holds what a Linux boot interprets beyond RV64IMAC and Zicsr, and a call to the next page and back', async () => {
  const { WARMUP_PARCELS } = await import('../../src/cpu/warmup.js');
  const { decodeOne } = await import('../../src/cpu/decode.js');
  const ops = new Set<number>();
  const at = new Map<number, number>();
  for (let i = 0; i < WARMUP_PARCELS.length; ) {
    const lo = WARMUP_PARCELS[i]!;
    const wide = (lo & 3) === 3;
    const raw = wide ? (lo | (WARMUP_PARCELS[i + 1]! << 16)) >>> 0 : lo;
    if (raw !== 0) {
      ops.add(decodeOne(raw)[0]! & 0xff);
      at.set(2 * i, raw);
    }
    i += wide ? 2 : 1;
  }
  // The ones a one-hart boot of the project's kernel met first after V8 had compiled the
  // interpreter (it deoptimized): each must be in the program.
  for (const [name, op] of [
    ['fmv.w.x', Op.FMV_W_X],
    ['fld', Op.FLD],
    ['clz', Op.CLZ],
    ['clzw', Op.CLZW],
    ['ctz', Op.CTZ],
    ['ctzw', Op.CTZW],
    ['cpop', Op.CPOP],
    ['orc.b', Op.ORC_B],
    ['rev8', Op.REV8],
    ['cbo.zero', Op.CBO_ZERO],
    ['cbo.flush', Op.CBO_FLUSH],
    ['sfence.vma', Op.SFENCE_VMA],
  ] as const)
    assert.ok(ops.has(op), name);
  // The far part at +4 KiB returns (jalr x0, 0(ra)) to a jal ra on the first page.
  assert.equal(at.get(0x1000), 0x00008067);
  const jal = [...at].find(([off, w]) => (w & 0xfff) === 0x0ef && off < 0x1000 && off + jalOffset(w) === 0x1000);
  assert.ok(jal, 'a jal ra to the far part');
});

/** The signed offset of a J-type instruction. */
function jalOffset(w: number): number {
  const imm =
    (((w >>> 31) & 1) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);
  return (imm << 11) >> 11;
}

test('the JIT warm-up pass: every block translated at once, the loop then runs translated with the same traps', async () => {
  const { JIT_PASS_ITERATIONS, warmUpProgram } = await import('../../src/cpu/warmup.js');
  const { Hart } = await import('../../src/cpu/hart.js');
  const m = makeMachine();
  warmUpProgram(JIT_PASS_ITERATIONS).forEach((p, i) => m.bus.store(RAM_BASE + 2 * i, 2, p));
  const h = new Hart({
    arena: m.arena,
    bus: m.bus,
    hartId: 0,
    resetPc: RAM_BASE + 16,
    noWarmUp: true,
    jitThreshold: 1,
  });
  let why = '';
  for (let i = 0; i < 8 && why !== 'wfi'; i++) why = h.run(100_000);
  assert.equal(why, 'wfi');
  assert.equal(csr(h, CSR.mcause), 3n, 'the last trap is the ebreak');
  if (process.env['CXLEMU_JIT'] === '0') return;
  const s = h.jitStats!;
  assert.ok(s.blocksCompiled >= 40, `${s.blocksCompiled} blocks compiled`);
  // The iterations after the blocks compiled ran translated (a third of them at least).
  assert.ok(s.instructions > h.instret / 4, `${s.instructions} of ${h.instret} translated`);
  assert.ok(s.exits.slow > 0 && s.exits.chain > 0 && s.exits.indirect > 0, JSON.stringify(s.exits));
});
