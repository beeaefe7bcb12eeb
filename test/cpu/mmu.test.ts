// Sv39 translation: 4 KiB, 2 MiB and 1 GiB pages, misaligned superpages, every permission rule
// (U/SUM/MXR, R/W/X, W-without-R, non-leaf at level 0, reserved bits, canonical addresses),
// hardware A/D updates (also in a page table living in MMIO), MPRV, sfence.vma and satp WARL.
// Oracle: privileged ISA 20211203 section 4.3.2 (the translation algorithm) and 4.4 (Sv39).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { csr, makeMachine, MMIO_BASE, RAM_BASE, setCsr, TRAP_VEC, type TestMachine } from './machine.js';
import { CSR } from '../../src/cpu/csr.js';

const V = 1n,
  R = 2n,
  W = 4n,
  X = 8n,
  U = 16n,
  A = 64n,
  D = 128n;
const ROOT = RAM_BASE + 0x100000,
  L1 = ROOT + 0x1000,
  L0 = ROOT + 0x2000;
const CODE = RAM_BASE + 0x1000;
const pte = (pa: number, flags: bigint) => (BigInt(Math.floor(pa / 4096)) << 10n) | flags;
const ptr = (pa: number) => pte(pa, V);

/** Code at CODE runs from a U+S-reachable identity gigapage 2 (S: no U bit). Table for VA 0x4000_0000.. */
function setup(m: TestMachine, opts: { user?: boolean } = {}): void {
  const h = m.hart;
  for (let i = 0; i < 3 * 512; i++) m.poke64(ROOT + 8 * i, 0n);
  m.poke64(ROOT + 16, pte(RAM_BASE, V | R | W | X | A | D | (opts.user ? U : 0n)));
  m.poke64(ROOT + 8 * 1, ptr(L1)); // VA 0x4000_0000 .. 0x7fff_ffff via L1
  m.poke64(L1 + 0, ptr(L0)); // VA 0x4000_0000 .. 0x401f_ffff via L0
  h.priv = 3;
  setCsr(h, CSR.pmpaddr0, (1n << 54n) - 1n);
  setCsr(h, CSR.pmpcfg0, 0x1fn);
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(ROOT / 4096));
  setCsr(h, CSR.mtvec, BigInt(TRAP_VEC));
  setCsr(h, CSR.mstatus, 0n);
  setCsr(h, CSR.mcause, 0n);
  h.flushTlb();
}

/** Run `insn` at CODE in `priv` with a1 = va; returns mcause (or -1n if no trap) and a0. */
function access(
  m: TestMachine,
  priv: 0 | 1 | 3,
  insn: number,
  va: bigint,
  val = 0n,
): { cause: bigint; a0: bigint; tval: bigint } {
  const h = m.hart;
  setCsr(h, CSR.mcause, 0xffn);
  m.code(CODE, [insn]);
  h.writeReg(reg.a1, va);
  h.writeReg(reg.a2, val);
  h.writeReg(reg.a0, 0n);
  h.priv = priv;
  h.flushTlb();
  m.runAt(CODE, 1);
  const cause = csr(h, CSR.mcause);
  return { cause: cause === 0xffn ? -1n : cause, a0: h.readReg(reg.a0), tval: csr(h, CSR.mtval) };
}

test('4 KiB page: load sets A only, store sets D; data reaches the mapped physical page', () => {
  const m = makeMachine();
  setup(m);
  const pa = RAM_BASE + 0x30000;
  m.poke64(L0 + 5 * 8, pte(pa, V | R | W));
  m.poke64(pa + 0x18, 0x1122334455667788n);
  let r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4000_5018n);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0, 0x1122334455667788n);
  assert.equal(m.peek64(L0 + 5 * 8), pte(pa, V | R | W | A), 'A set, D clear after a load');
  r = access(m, 1, a.sd(reg.a2, reg.a1, 0), 0x4000_5020n, 0xabcdn);
  assert.equal(r.cause, -1n);
  assert.equal(m.peek64(pa + 0x20), 0xabcdn);
  assert.equal(m.peek64(L0 + 5 * 8), pte(pa, V | R | W | A | D), 'D set by the store');
  // A store through a fresh PTE sets A and D together.
  m.poke64(L0 + 6 * 8, pte(pa, V | R | W));
  access(m, 1, a.sw(reg.a2, reg.a1, 0), 0x4000_6000n, 1n);
  assert.equal(m.peek64(L0 + 6 * 8), pte(pa, V | R | W | A | D));
});

test('2 MiB and 1 GiB superpages translate offsets; misaligned superpages page-fault', () => {
  const m = makeMachine();
  setup(m);
  m.poke64(L1 + 8, pte(RAM_BASE + 0x200000, V | R | W | A | D)); // VA 0x4020_0000 megapage
  m.poke64(RAM_BASE + 0x200000 + 0x1_2340, 0x55n);
  let r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4021_2340n);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0, 0x55n);
  m.poke64(L1 + 16, pte(RAM_BASE + 0x201000, V | R | W | A | D)); // misaligned megapage
  r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4040_0000n);
  assert.equal(r.cause, 13n);
  assert.equal(r.tval, 0x4040_0000n);
  // Gigapage 3 -> RAM (aligned) and gigapage 4 -> RAM + 2 MiB (misaligned).
  m.poke64(ROOT + 24, pte(RAM_BASE, V | R | A | D));
  m.poke64(RAM_BASE + 0x300008, 0x77n);
  r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0xc030_0008n);
  assert.equal(r.a0, 0x77n);
  m.poke64(ROOT + 32, pte(RAM_BASE + 0x200000, V | R | A | D));
  r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x1_0000_0000n);
  assert.equal(r.cause, 13n);
});

test('permission rules: R/W/X, U vs S with SUM, MXR, reserved encodings', () => {
  const m = makeMachine();
  setup(m);
  const pa = RAM_BASE + 0x40000;
  const map = (flags: bigint) => {
    m.poke64(L0 + 8 * 7, pte(pa, flags | A | D));
  };
  const VA = 0x4000_7000n;
  const ld = a.ld(reg.a0, reg.a1, 0),
    sd = a.sd(reg.a2, reg.a1, 0);
  map(V | R);
  assert.equal(access(m, 1, sd, VA).cause, 15n, 'store to read-only');
  assert.equal(access(m, 1, ld, VA).cause, -1n);
  map(V | X);
  assert.equal(access(m, 1, ld, VA).cause, 13n, 'load from execute-only without MXR');
  setCsr(m.hart, CSR.mstatus, 1n << 19n);
  assert.equal(access(m, 1, ld, VA).cause, -1n, 'MXR makes X readable');
  setCsr(m.hart, CSR.mstatus, 0n);
  map(V | W);
  assert.equal(access(m, 1, ld, VA).cause, 13n, 'W without R is reserved');
  map(V | R | W | U);
  assert.equal(access(m, 1, ld, VA).cause, 13n, 'S load from U page without SUM');
  setCsr(m.hart, CSR.mstatus, 1n << 18n);
  assert.equal(access(m, 1, ld, VA).cause, -1n, 'SUM');
  assert.equal(access(m, 1, sd, VA).cause, -1n, 'SUM store');
  // S never executes U pages, even with SUM.
  map(V | R | X | U);
  m.hart.priv = 1;
  m.hart.flushTlb();
  m.runAt(0x4000_7000, 1);
  assert.equal(csr(m.hart, CSR.mcause), 12n);
  setCsr(m.hart, CSR.mstatus, 0n);
  // U-mode (code page must be U): loads of S pages fault.
  setup(m, { user: true });
  map(V | R | W);
  assert.equal(access(m, 0, ld, VA).cause, 13n, 'U load from S page');
  map(V | R | W | U);
  assert.equal(access(m, 0, ld, VA).cause, -1n);
  // Reserved bits 63:54 must be zero.
  m.poke64(L0 + 8 * 7, pte(pa, V | R | W | U | A | D) | (1n << 60n));
  assert.equal(access(m, 0, ld, VA).cause, 13n, 'reserved PTE bits');
  // Non-leaf at level 0.
  m.poke64(L0 + 8 * 7, ptr(pa));
  assert.equal(access(m, 0, ld, VA).cause, 13n, 'pointer at level 0');
  // Invalid PTE.
  m.poke64(L0 + 8 * 7, pte(pa, R | W | U | A | D));
  assert.equal(access(m, 0, ld, VA).cause, 13n, 'V = 0');
});

test('non-canonical virtual addresses page-fault with the full address in tval', () => {
  const m = makeMachine();
  setup(m);
  const r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x0000_0040_0000_0000n);
  assert.equal(r.cause, 13n);
  assert.equal(r.tval, 0x0000_0040_0000_0000n);
  const r2 = access(m, 1, a.sd(reg.a2, reg.a1, 0), 0xffff_ff00_0000_0000n);
  assert.equal(r2.cause, 15n);
  assert.equal(r2.tval, 0xffff_ff00_0000_0000n);
  // The top of the address space (sign-extended bit 38) is canonical: maps via root entry 511.
  m.poke64(ROOT + 511 * 8, pte(RAM_BASE, V | R | W | A | D));
  m.poke64(RAM_BASE + 0x123450, 0x99n);
  const r3 = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0xffff_ffff_c012_3450n);
  assert.equal(r3.cause, -1n);
  assert.equal(r3.a0, 0x99n);
});

test('sfence.vma drops cached translations; satp WARL keeps Bare/Sv39 only', () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x50000, V | R | W | A | D));
  m.poke64(RAM_BASE + 0x50000, 1n);
  m.poke64(RAM_BASE + 0x51000, 2n);
  // ld; ld (cached); sfence.vma; ld
  m.code(CODE, [a.ld(reg.a0, reg.a1, 0), a.ld(reg.a3, reg.a1, 0), a.sfence_vma(), a.ld(reg.a4, reg.a1, 0)]);
  h.writeReg(reg.a1, 0x4000_9000n);
  h.priv = 1;
  h.pc = CODE;
  h.run(1);
  assert.equal(h.readReg(reg.a0), 1n);
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x51000, V | R | W | A | D));
  h.run(3);
  assert.equal(h.readReg(reg.a4), 2n, 'new mapping after sfence.vma');
  h.priv = 3;
  const before = csr(h, CSR.satp);
  setCsr(h, CSR.satp, (9n << 60n) | 5n); // Sv48: not supported
  assert.equal(csr(h, CSR.satp), before, 'Sv48 write ignored');
  setCsr(h, CSR.satp, (10n << 60n) | 5n);
  assert.equal(csr(h, CSR.satp), before, 'Sv57 write ignored');
  setCsr(h, CSR.satp, 0n);
  assert.equal(csr(h, CSR.satp), 0n, 'Bare accepted');
  setCsr(h, CSR.satp, (8n << 60n) | (0xffffn << 44n) | 0x123n);
  assert.equal(csr(h, CSR.satp), (8n << 60n) | (0xffffn << 44n) | 0x123n, 'Sv39 with a 16-bit ASID');
});

test('sfence.vma of one address: other 4 KiB entries stay cached; inside a cached superpage every piece is dropped', () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  // 4 KiB pages 9 and 10 of VA 0x4000_0000, and a 2 MiB leaf at VA 0x4020_0000 (L1 index 1).
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x50000, V | R | W | A | D));
  m.poke64(L0 + 8 * 10, pte(RAM_BASE + 0x52000, V | R | W | A | D));
  m.poke64(L1 + 8, pte(RAM_BASE + 0x400000, V | R | W | A | D));
  for (const [pa, v] of [
    [0x50000, 1n],
    [0x51000, 2n],
    [0x52000, 3n],
    [0x53000, 4n],
    [0x400000 + 0x3000, 5n],
    [0x600000 + 0x3000, 6n],
  ] as const)
    m.poke64(RAM_BASE + pa, v);
  const load = (va: number) => {
    m.code(CODE, [a.ld(reg.a0, reg.a1, 0)]);
    h.writeReg(reg.a1, BigInt(va));
    h.priv = 1;
    h.pc = CODE;
    h.run(1);
    return h.readReg(reg.a0);
  };
  const fence = (va: number) => {
    m.code(CODE, [a.sfence_vma(reg.a1, 0)]);
    h.writeReg(reg.a1, BigInt(va));
    h.priv = 1;
    h.pc = CODE;
    h.run(1);
  };
  assert.deepEqual([load(0x4000_9000), load(0x4000_a000), load(0x4020_3000)], [1n, 3n, 5n]);
  // Both 4 KiB pages move; only the first is fenced. The second keeps its cached entry (hardware
  // may: software must fence it), which shows the fence did not flush everything.
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x51000, V | R | W | A | D));
  m.poke64(L0 + 8 * 10, pte(RAM_BASE + 0x53000, V | R | W | A | D));
  fence(0x4000_9000);
  assert.equal(load(0x4000_9000), 2n, 'the fenced page maps anew');
  assert.equal(load(0x4000_a000), 3n, 'the other page was not flushed');
  // The superpage moves; a fence of its first page must also drop the piece at +0x3000.
  m.poke64(L1 + 8, pte(RAM_BASE + 0x600000, V | R | W | A | D));
  fence(0x4020_0000);
  assert.equal(load(0x4020_3000), 6n, 'another piece of the fenced superpage maps anew');
  fence(0x4000_a000);
  assert.equal(load(0x4000_a000), 4n);
});

test("sfence.vma with an ASID: another address space's drops nothing, the current one's drops its entries", () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  setCsr(h, CSR.satp, (8n << 60n) | (5n << 44n) | BigInt(ROOT / 4096)); // ASID 5
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x50000, V | R | W | A | D));
  m.poke64(RAM_BASE + 0x50000, 1n);
  m.poke64(RAM_BASE + 0x51000, 2n);
  const run = (insn: number, t0: bigint) => {
    m.code(CODE, [insn]);
    h.writeReg(reg.a1, 0x4000_9000n);
    h.writeReg(reg.t0, t0);
    h.priv = 1;
    h.pc = CODE;
    h.run(1);
    return h.readReg(reg.a0);
  };
  const ld = a.ld(reg.a0, reg.a1, 0);
  assert.equal(run(ld, 0n), 1n);
  m.poke64(L0 + 8 * 9, pte(RAM_BASE + 0x51000, V | R | W | A | D));
  const skipped = h.asidFencesSkipped;
  run(a.sfence_vma(0, reg.t0), 6n); // all of ASID 6: not this address space
  run(a.sfence_vma(reg.a1, reg.t0), 0x1_0006n); // that page in ASID 6 (bits above 16 ignored)
  assert.equal(h.asidFencesSkipped, skipped + 2);
  assert.equal(run(ld, 0n), 1n, 'the entry stayed (hardware may keep it until fenced)');
  run(a.sfence_vma(0, reg.t0), 5n); // all of ASID 5: this one
  assert.equal(run(ld, 0n), 2n, 'fencing the current ASID drops the entry');
});

test('TVM: satp and sfence.vma are illegal in S-mode', () => {
  const m = makeMachine();
  setup(m);
  setCsr(m.hart, CSR.mstatus, 1n << 20n);
  let r = access(m, 1, a.csrrs(reg.a0, CSR.satp, 0), 0n);
  assert.equal(r.cause, 2n);
  r = access(m, 1, a.sfence_vma(), 0n);
  assert.equal(r.cause, 2n);
  setCsr(m.hart, CSR.mstatus, 0n);
  r = access(m, 1, a.csrrs(reg.a0, CSR.satp, 0), 0n);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0 >> 60n, 8n);
});

test('MPRV: M-mode loads/stores translate with MPP; fetch does not', () => {
  const m = makeMachine();
  setup(m);
  m.poke64(L0 + 8 * 3, pte(RAM_BASE + 0x60000, V | R | W | A | D));
  m.poke64(RAM_BASE + 0x60010, 0x4242n);
  setCsr(m.hart, CSR.mstatus, (1n << 17n) | (1n << 11n)); // MPRV, MPP = S
  const r = access(m, 3, a.ld(reg.a0, reg.a1, 0x10), 0x4000_3000n);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0, 0x4242n);
  // MPP = U: the S page is not accessible.
  setCsr(m.hart, CSR.mstatus, 1n << 17n);
  assert.equal(access(m, 3, a.ld(reg.a0, reg.a1, 0x10), 0x4000_3000n).cause, 13n);
  // MPP = M: bare.
  setCsr(m.hart, CSR.mstatus, (1n << 17n) | (3n << 11n));
  m.poke64(RAM_BASE + 0x70000, 0x31n);
  assert.equal(access(m, 3, a.ld(reg.a0, reg.a1, 0), BigInt(RAM_BASE + 0x70000)).a0, 0x31n);
});

test('page table in MMIO space: walk reads it and A/D updates are written back through the bus', () => {
  const m = makeMachine();
  setup(m);
  const h = m.hart;
  // Root table in the MMIO device: entry 2 -> code gigapage, entry 1 -> megapage data.
  const root = MMIO_BASE;
  const put = (off: number, v: bigint) => {
    for (let i = 0; i < 8; i++) m.mmioBytes[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  };
  const get = (off: number) => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(m.mmioBytes[off + i]!);
    return v;
  };
  put(16, pte(RAM_BASE, V | R | W | X | A | D));
  put(8, ptr(MMIO_BASE + 0x1000));
  put(0x1000 + 8 * 3, pte(RAM_BASE + 0x600000, V | R | W)); // VA 0x4060_0000 megapage, no A/D
  setCsr(h, CSR.satp, (8n << 60n) | BigInt(root / 4096));
  m.poke64(RAM_BASE + 0x600100, 0x5an);
  let r = access(m, 1, a.ld(reg.a0, reg.a1, 0), 0x4060_0100n);
  assert.equal(r.cause, -1n);
  assert.equal(r.a0, 0x5an);
  assert.equal(get(0x1000 + 24), pte(RAM_BASE + 0x600000, V | R | W | A));
  r = access(m, 1, a.sd(reg.a2, reg.a1, 0), 0x4060_0100n, 9n);
  assert.equal(get(0x1000 + 24), pte(RAM_BASE + 0x600000, V | R | W | A | D));
  assert.ok(
    m.mmioLog.some((l) => l.startsWith('w')),
    'PTE written through the MMIO callbacks',
  );
});
