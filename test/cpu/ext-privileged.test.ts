// Svpbmt, Sstc, Zicbom/Zicboz and the envcfg CSRs that enable them. Oracles: the privileged ISA
// 1.12 (3.1.18 menvcfg, 4.1.10 senvcfg, Svpbmt chapter), the Sstc 1.0 spec and the CMO spec 1.0.1
// (Zicbom/Zicboz: enables, cbo.inval as flush, faults as stores with the effective address).
// QEMU 7.2 runs the Svpbmt and Sstc rules in guests/isa (test/diff/isa.test.ts); it has no CMO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { csr, makeMachine, RAM_BASE, setCsr, TRAP_VEC, type TestMachine } from './machine.js';
import { CSR } from '../../src/cpu/csr.js';
import { CpuSlowPath } from '../../src/cpu/hart.js';

const V = 1n,
  R = 2n,
  W = 4n,
  X = 8n,
  A = 64n,
  D = 128n;
const NC = 1n << 61n,
  IO = 2n << 61n,
  PBMT3 = 3n << 61n;
const ROOT = RAM_BASE + 0x100000,
  L1 = ROOT + 0x1000,
  L0 = ROOT + 0x2000;
const CODE = RAM_BASE + 0x1000;
const pte = (pa: number, flags: bigint) => (BigInt(Math.floor(pa / 4096)) << 10n) | flags;
const PBMTE = 1n << 62n,
  STCE = 1n << 63n;

/** Identity gigapage 2 for the code (S-reachable), VA 0x4000_0000.. through L1/L0. */
function setup(m: TestMachine): void {
  const h = m.hart;
  for (let i = 0; i < 3 * 512; i++) m.poke64(ROOT + 8 * i, 0n);
  m.poke64(ROOT + 16, pte(RAM_BASE, V | R | W | X | A | D));
  m.poke64(ROOT + 8, pte(L1, V));
  m.poke64(L1, pte(L0, V));
  h.priv = 3;
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  setCsr(h, CSR.mtvec, BigInt(TRAP_VEC));
  setCsr(h, CSR.mstatus, 0n);
  h.flushTlb();
}

/** Run one instruction at CODE in `priv` with a1 = addr; returns mcause (-1n: none), mtval, a0. */
function run(m: TestMachine, priv: 0 | 1 | 3, insn: number, addr = 0n, a2 = 0n) {
  const h = m.hart;
  h.priv = 3;
  setCsr(h, CSR.mcause, 0xffn);
  setCsr(h, CSR.mtval, 0n);
  m.code(CODE, [insn]);
  h.writeReg(reg.a1, addr);
  h.writeReg(reg.a2, a2);
  h.writeReg(reg.a0, 0n);
  h.priv = priv;
  h.flushTlb();
  m.runAt(CODE, 1);
  const c = csr(h, CSR.mcause);
  return { cause: c === 0xffn ? -1n : c, tval: csr(h, CSR.mtval), a0: h.readReg(reg.a0) };
}

const csrr = (rd: number, c: number) => ((c << 20) | (2 << 12) | (rd << 7) | 0x73) >>> 0;
const csrw = (c: number, rs1: number) => ((c << 20) | (rs1 << 15) | (1 << 12) | 0x73) >>> 0;
const cbo = (which: number, rs1: number) => ((which << 20) | (rs1 << 15) | (2 << 12) | 0x0f) >>> 0;
const CBO = { inval: 0, clean: 1, flush: 2, zero: 4 };

test('menvcfg/senvcfg WARL: FIOM, CBIE (10 reserved keeps the old value), CBCFE, CBZE, PBMTE, STCE', () => {
  const m = makeMachine();
  const h = m.hart;
  setCsr(h, CSR.menvcfg, -1n);
  assert.equal(csr(h, CSR.menvcfg), PBMTE | STCE | 0xf1n);
  setCsr(h, CSR.menvcfg, 0x21n);
  assert.equal(csr(h, CSR.menvcfg), 0x31n, 'CBIE = 10 keeps 11; the high word written as 0');
  setCsr(h, CSR.menvcfg, 0x10n);
  assert.equal(csr(h, CSR.menvcfg), 0x10n);
  setCsr(h, CSR.senvcfg, -1n);
  assert.equal(csr(h, CSR.senvcfg), 0xf1n, 'senvcfg has no PBMTE/STCE');
});

test('Svpbmt: PBMT needs PBMTE; 3 is reserved; non-leaf PBMT faults; NC and IO pages work and alias PMA ones', () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  const pa = RAM_BASE + 0x30000;
  m.poke64(pa, 0x1234n);
  m.poke64(L0 + 5 * 8, pte(pa, V | R | W | A | D | NC));
  m.poke64(L0 + 6 * 8, pte(pa, V | R | W | A | D | IO));
  m.poke64(L0 + 7 * 8, pte(pa, V | R | W | A | D));
  m.poke64(L0 + 8 * 8, pte(pa, V | R | W | A | D | PBMT3));
  // PBMTE = 0: any PBMT is a page fault of the access's kind, tval = va.
  let r = run(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4000_5008n);
  assert.deepEqual([r.cause, r.tval], [13n, 0x4000_5008n]);
  r = run(m, 1, a.sd(reg.a2, reg.a1, 0), 0x4000_6000n);
  assert.equal(r.cause, 15n);
  setCsr(h, CSR.menvcfg, PBMTE);
  r = run(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4000_5000n);
  assert.deepEqual([r.cause, r.a0], [-1n, 0x1234n], 'NC load');
  r = run(m, 1, a.sd(reg.a2, reg.a1, 8), 0x4000_6000n, 0x77n);
  assert.equal(r.cause, -1n, 'IO store');
  r = run(m, 1, a.ld(reg.a0, reg.a1, 8), 0x4000_7000n);
  assert.equal(r.a0, 0x77n, 'the PMA alias sees the IO store at once');
  r = run(m, 1, a.sd(reg.a2, reg.a1, 8), 0x4000_7000n, 0x99n);
  r = run(m, 1, a.ld(reg.a0, reg.a1, 8), 0x4000_5000n);
  assert.equal(r.a0, 0x99n, 'the NC alias sees the PMA store');
  r = run(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4000_8000n);
  assert.equal(r.cause, 13n, 'PBMT = 3 is reserved: page fault');
  // A non-leaf PTE with PBMT set faults even with PBMTE.
  m.poke64(L1 + 8, pte(L0, V | NC));
  r = run(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4020_0000n);
  assert.equal(r.cause, 13n, 'non-leaf PBMT');
  // Code on an IO page runs (fetched each time, never translated).
  const codePa = RAM_BASE + 0x40000;
  m.poke64(L0 + 9 * 8, pte(codePa, V | R | X | A | IO));
  m.code(codePa, [a.addi(reg.a0, reg.a0, 5), a.addi(reg.a0, reg.a0, 7)]);
  h.writeReg(reg.a0, 0n);
  h.priv = 1;
  h.flushTlb();
  m.runAt(0x4000_9000, 2);
  assert.equal(h.readReg(reg.a0), 12n);
  m.code(codePa, [a.addi(reg.a0, reg.a0, 100)]);
  m.runAt(0x4000_9000, 1);
  assert.equal(h.readReg(reg.a0), 112n, 'the rewritten IO code is fetched anew');
});

test('Sstc: stimecmp needs STCE (and mcounteren.TM in S); STIP follows time >= stimecmp and ignores mip writes', () => {
  const m = makeMachine();
  const h = m.hart;
  let now = 1000;
  h.getTime = () => now;
  h.priv = 3;
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  assert.equal(run(m, 1, csrr(reg.a0, CSR.stimecmp)).cause, 2n, 'STCE = 0: S access is illegal');
  assert.equal(run(m, 3, csrr(reg.a0, CSR.stimecmp)).cause, -1n, 'M may access it');
  setCsr(h, CSR.menvcfg, STCE);
  assert.equal(run(m, 1, csrr(reg.a0, CSR.stimecmp)).cause, 2n, 'TM = 0: S access is illegal');
  setCsr(h, CSR.mcounteren, 2n);
  assert.equal(run(m, 1, csrw(CSR.stimecmp, reg.a2), 0n, 2000n).cause, -1n);
  assert.equal(csr(h, CSR.stimecmp), 2000n);
  assert.equal(run(m, 0, csrr(reg.a0, CSR.stimecmp)).cause, 2n, 'U never');
  assert.equal(h.mip & 0x20, 0, 'time 1000 < 2000');
  now = 2000;
  assert.equal(h.mip & 0x20, 0x20, 'time reached stimecmp');
  setCsr(h, CSR.mip, 0n);
  assert.equal(h.mip & 0x20, 0x20, 'mip.STIP is read-only with STCE');
  setCsr(h, CSR.stimecmp, -1n);
  assert.equal(h.mip & 0x20, 0, 'stimecmp all ones clears STIP');
  setCsr(h, CSR.menvcfg, 0n);
  setCsr(h, CSR.mip, 0x20n);
  assert.equal(h.mip & 0x20, 0x20, 'STCE = 0: STIP is the software bit again');
});

/** A machine whose VA 0x4000_5000 maps the writable RAM page `pa` (the cbo.zero tests). */
function zeroTarget() {
  const m = makeMachine();
  setup(m);
  const pa = RAM_BASE + 0x30000;
  m.poke64(L0 + 5 * 8, pte(pa, V | R | W | A | D));
  return { m, h: m.hart, pa };
}

test('Zicboz: cbo.zero clears exactly the 64-byte block holding rs1; enabled per privilege by CBZE', () => {
  const { m, h, pa } = zeroTarget();
  m.poke64(L0 + 6 * 8, pte(pa, V | R | A));
  const fill = () => {
    for (let i = 0; i < 256; i += 8) m.poke64(pa + i, 0xa5a5a5a5a5a5a5a5n);
  };
  fill();
  let r = run(m, 3, cbo(CBO.zero, reg.a1), BigInt(pa + 0x47));
  assert.equal(r.cause, -1n, 'M mode: always enabled');
  for (let i = 0; i < 256; i += 8)
    assert.equal(m.peek64(pa + i), i >= 0x40 && i < 0x80 ? 0n : 0xa5a5a5a5a5a5a5a5n, `byte ${i}`);
  fill();
  assert.equal(run(m, 1, cbo(CBO.zero, reg.a1), 0x4000_5010n).cause, 2n, 'CBZE = 0: illegal in S');
  setCsr(h, CSR.menvcfg, 0x80n);
  r = run(m, 1, cbo(CBO.zero, reg.a1), 0x4000_5010n);
  assert.equal(r.cause, -1n);
  assert.equal(m.peek64(pa), 0n);
  assert.equal(m.peek64(pa + 0x40), 0xa5a5a5a5a5a5a5a5n);
  r = run(m, 1, cbo(CBO.zero, reg.a1), 0x4000_6018n);
  assert.deepEqual([r.cause, r.tval], [15n, 0x4000_6018n], 'read-only page: store page fault, tval = rs1');
});

test('Zicboz: cbo.zero into a page the write TLB holds clears its block in place, exactly that block', () => {
  const { m, h, pa } = zeroTarget();
  for (let i = 0; i < 4096; i += 8) m.poke64(pa + i, 0xa5a5a5a5a5a5a5a5n);
  setCsr(h, CSR.menvcfg, 0x80n);
  // A store fills the write TLB for the page; the two cbo.zero then hit it.
  m.code(CODE, [a.sd(reg.a2, reg.a1, 0), cbo(CBO.zero, reg.a3), cbo(CBO.zero, reg.a4)]);
  h.writeReg(reg.a1, 0x4000_5000n);
  h.writeReg(reg.a2, 0x1122334455667788n);
  h.writeReg(reg.a3, 0x4000_5047n);
  h.writeReg(reg.a4, 0x4000_5fffn);
  h.priv = 1;
  h.flushTlb();
  h.slowCounts = true;
  h.slow.fill(0);
  m.runAt(CODE, 3);
  assert.equal(h.priv, 1, 'no trap');
  assert.ok(h.slow[CpuSlowPath.StoreMiss]! <= 1, `the cbo.zero took no slow store (${h.slow[CpuSlowPath.StoreMiss]})`);
  for (let i = 0; i < 4096; i += 8) {
    const want = i === 0 ? 0x1122334455667788n : (i >= 0x40 && i < 0x80) || i >= 0xfc0 ? 0n : 0xa5a5a5a5a5a5a5a5n;
    assert.equal(m.peek64(pa + i), want, `byte ${i}`);
  }
});

test('Zicbom: clean/flush need CBCFE, inval CBIE (01 runs as flush); faults only without read and write', () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  const pa = RAM_BASE + 0x30000;
  m.poke64(L0 + 5 * 8, pte(pa, V | R | A));
  m.poke64(L0 + 6 * 8, pte(pa, V | X | A));
  for (const w of [CBO.clean, CBO.flush, CBO.inval]) assert.equal(run(m, 1, cbo(w, reg.a1), 0x4000_5000n).cause, 2n);
  setCsr(h, CSR.menvcfg, 0x40n | 0x10n);
  for (const w of [CBO.clean, CBO.flush, CBO.inval])
    assert.equal(run(m, 1, cbo(w, reg.a1), 0x4000_5000n).cause, -1n, `cbo ${w} on a readable page`);
  const r = run(m, 1, cbo(CBO.flush, reg.a1), 0x4000_6008n);
  assert.deepEqual([r.cause, r.tval], [15n, 0x4000_6008n], 'execute-only page: store page fault');
});
