// Loads and stores: widths, sign/zero extension, misaligned accesses inside a page and across
// pages (emulated by splitting, as QEMU and Zicclsm do), faults on either page of a split access
// (tval: the access address for the first page, the second page's base for the second, matching
// QEMU 7.2), MMIO through the bus, and LR/SC/AMO semantics and alignment rules.
// Oracle: unprivileged ISA 20191213 chapters 2.6 and 8 (A), privileged ISA 3.6.1/3.7 for faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, AMO, reg } from './asm.js';
import { csr, HOLE, makeMachine, MMIO_BASE, RAM_BASE, setCsr, type TestMachine } from './machine.js';
import { CSR } from '../../src/cpu/csr.js';

const CODE = RAM_BASE + 0x1000;
const DATA = RAM_BASE + 0x4000;

function one(m: TestMachine, insn: number, addr: bigint, val = 0n): bigint {
  setCsr(m.hart, CSR.mcause, 0xffn);
  m.code(CODE, [insn]);
  m.hart.writeReg(reg.a1, addr);
  m.hart.writeReg(reg.a2, val);
  m.runAt(CODE, 1);
  return csr(m.hart, CSR.mcause);
}

test('load widths sign- and zero-extend; stores write exactly their width', () => {
  const m = makeMachine();
  const h = m.hart;
  m.poke64(DATA, 0x8182838485868788n);
  const cases: [number, bigint][] = [
    [a.lb(reg.a0, reg.a1, 0), 0xffffffffffffff88n],
    [a.lbu(reg.a0, reg.a1, 0), 0x88n],
    [a.lh(reg.a0, reg.a1, 0), 0xffffffffffff8788n],
    [a.lhu(reg.a0, reg.a1, 0), 0x8788n],
    [a.lw(reg.a0, reg.a1, 0), 0xffffffff85868788n],
    [a.lwu(reg.a0, reg.a1, 0), 0x85868788n],
    [a.ld(reg.a0, reg.a1, 0), 0x8182838485868788n],
  ];
  for (const [insn, want] of cases) {
    // Twice: the first fills the TLB (slow path), the second hits it (fast path).
    for (let k = 0; k < 2; k++) {
      assert.equal(one(m, insn, BigInt(DATA)), 0xffn);
      assert.equal(h.readReg(reg.a0), want);
    }
  }
  for (const [insn, want] of [
    [a.sb(reg.a2, reg.a1, 0), 0x11111111111111een],
    [a.sh(reg.a2, reg.a1, 0), 0x111111111111ddeen],
    [a.sw(reg.a2, reg.a1, 0), 0x11111111bbccddeen],
    [a.sd(reg.a2, reg.a1, 0), 0x8899aabbccddeen | (0x77n << 56n)],
  ] as [number, bigint][]) {
    for (let k = 0; k < 2; k++) {
      m.poke64(DATA + 8, 0x1111111111111111n);
      one(m, insn, BigInt(DATA + 8), 0x778899aabbccddeen);
      assert.equal(m.peek64(DATA + 8), want);
    }
  }
});

test('misaligned loads/stores inside a page and across a page boundary are split and succeed', () => {
  const m = makeMachine();
  const h = m.hart;
  const edge = RAM_BASE + 0x5000 - 3; // 3 bytes before a page boundary
  for (let i = 0; i < 16; i++) m.bus.store(edge - 5 + i, 1, 0x10 + i);
  assert.equal(one(m, a.ld(reg.a0, reg.a1, 0), BigInt(edge)), 0xffn);
  assert.equal(h.readReg(reg.a0), 0x1c1b1a1918171615n);
  one(m, a.lw(reg.a0, reg.a1, 1), BigInt(DATA));
  m.poke64(DATA, 0xf0e0d0c0b0a09080n);
  one(m, a.lw(reg.a0, reg.a1, 1), BigInt(DATA));
  assert.equal(h.readReg(reg.a0), 0xffffffffc0b0a090n, 'misaligned in-page lw sign-extends');
  one(m, a.sd(reg.a2, reg.a1, 0), BigInt(edge), 0x0102030405060708n);
  assert.equal(one(m, a.ld(reg.a0, reg.a1, 0), BigInt(edge)), 0xffn);
  assert.equal(h.readReg(reg.a0), 0x0102030405060708n);
  one(m, a.sh(reg.a2, reg.a1, 0), BigInt(RAM_BASE + 0x5fff), 0xbeefn);
  assert.equal(m.bus.load(RAM_BASE + 0x5fff, 1), 0xef);
  assert.equal(m.bus.load(RAM_BASE + 0x6000, 1), 0xbe);
});

test('a split access faulting on either page reports the right address; split stores write nothing on a fault', () => {
  const m = makeMachine();
  const h = m.hart;
  // RAM ends at RAM_BASE + 8 MiB: the next page is unassigned (access fault).
  const end = RAM_BASE + (8 << 20);
  assert.equal(one(m, a.ld(reg.a0, reg.a1, 0), BigInt(end - 4)), 5n);
  assert.equal(csr(h, CSR.mtval), BigInt(end), 'second page faulted: tval = its base');
  m.poke64(end - 8, 0x1111111111111111n);
  assert.equal(one(m, a.sd(reg.a2, reg.a1, 0), BigInt(end - 4), -1n), 7n);
  assert.equal(csr(h, CSR.mtval), BigInt(end));
  assert.equal(m.peek64(end - 8), 0x1111111111111111n, 'first page untouched');
  // First page faults: tval = the access address.
  assert.equal(one(m, a.lw(reg.a0, reg.a1, 0), BigInt(RAM_BASE - 2)), 5n);
  assert.equal(csr(h, CSR.mtval), BigInt(RAM_BASE - 2));
});

test('MMIO loads/stores go through the device callbacks; unassigned addresses fault with tval', () => {
  const m = makeMachine();
  const h = m.hart;
  m.mmioBytes.set([1, 2, 3, 4, 5, 6, 7, 8], 0x10);
  assert.equal(one(m, a.ld(reg.a0, reg.a1, 0x10), BigInt(MMIO_BASE)), 0xffn);
  assert.equal(h.readReg(reg.a0), 0x0807060504030201n);
  one(m, a.sw(reg.a2, reg.a1, 0x20), BigInt(MMIO_BASE), 0xcafef00dn);
  assert.deepEqual([...m.mmioBytes.subarray(0x20, 0x24)], [0x0d, 0xf0, 0xfe, 0xca]);
  assert.ok(m.mmioLog.length >= 2);
  // Repeated MMIO loads are never cached: each reaches the device.
  const n = m.mmioLog.length;
  one(m, a.lw(reg.a0, reg.a1, 0x20), BigInt(MMIO_BASE));
  one(m, a.lw(reg.a0, reg.a1, 0x20), BigInt(MMIO_BASE));
  assert.equal(m.mmioLog.length, n + 2);
  assert.equal(one(m, a.lbu(reg.a0, reg.a1, 0), BigInt(HOLE + 7)), 5n);
  assert.equal(csr(h, CSR.mtval), BigInt(HOLE + 7));
  assert.equal(one(m, a.sb(reg.a2, reg.a1, 0), BigInt(HOLE + 9)), 7n);
  // Addresses above 2^52 do not exist.
  assert.equal(one(m, a.ld(reg.a0, reg.a1, 0), 0x0010_0000_0000_0000n), 5n);
  assert.equal(csr(h, CSR.mtval), 0x0010_0000_0000_0000n);
});

test('AMO W and D: every operation returns the old value and stores the result (BigInt model)', () => {
  const m = makeMachine();
  const h = m.hart;
  const s64 = (x: bigint) => BigInt.asIntN(64, x),
    u64 = (x: bigint) => BigInt.asUintN(64, x);
  const ops: [keyof typeof AMO, (x: bigint, y: bigint, bits: number) => bigint][] = [
    ['swap', (_x, y) => y],
    ['add', (x, y) => x + y],
    ['xor', (x, y) => x ^ y],
    ['and', (x, y) => x & y],
    ['or', (x, y) => x | y],
    ['min', (x, y, b) => (BigInt.asIntN(b, x) < BigInt.asIntN(b, y) ? x : y)],
    ['max', (x, y, b) => (BigInt.asIntN(b, x) > BigInt.asIntN(b, y) ? x : y)],
    ['minu', (x, y, b) => (BigInt.asUintN(b, x) < BigInt.asUintN(b, y) ? x : y)],
    ['maxu', (x, y, b) => (BigInt.asUintN(b, x) > BigInt.asUintN(b, y) ? x : y)],
  ];
  const vals = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0x8000000000000000n, 0x123456789n, -0x5555n];
  for (const [name, f] of ops) {
    for (const width of [2, 3] as const) {
      const bits = width === 2 ? 32 : 64;
      for (const x of vals)
        for (const y of vals) {
          m.poke64(DATA, u64(x));
          assert.equal(one(m, a.amo(AMO[name], width, reg.a0, reg.a1, reg.a2), BigInt(DATA), y), 0xffn);
          const mem = width === 2 ? BigInt.asUintN(32, m.peek64(DATA)) : m.peek64(DATA);
          const want = BigInt.asUintN(bits, f(BigInt.asUintN(bits, x), BigInt.asUintN(bits, y), bits));
          assert.equal(mem, want, `amo${name}.${width === 2 ? 'w' : 'd'} ${x} ${y}`);
          const old = width === 2 ? u64(BigInt.asIntN(32, x)) : u64(x);
          assert.equal(h.readReg(reg.a0), old, 'rd = old value (sign-extended for .w)');
          if (width === 2) assert.equal(m.peek64(DATA) >> 32n, BigInt.asUintN(32, x >> 32n), 'upper word untouched');
          void s64;
        }
    }
  }
});

test('LR/SC: success, failure without reservation, at another address, after a conflicting write; SC clears the reservation', () => {
  const m = makeMachine();
  const h = m.hart;
  const lrd = a.amo(AMO.lr, 3, reg.a0, reg.a1, 0),
    scd = a.amo(AMO.sc, 3, reg.a3, reg.a1, reg.a2);
  m.poke64(DATA, 5n);
  m.code(CODE, [lrd, scd, scd]);
  h.writeReg(reg.a1, BigInt(DATA));
  h.writeReg(reg.a2, 9n);
  m.runAt(CODE, 2);
  assert.equal(h.readReg(reg.a0), 5n);
  assert.equal(h.readReg(reg.a3), 0n, 'sc succeeded');
  assert.equal(m.peek64(DATA), 9n);
  h.writeReg(reg.a2, 10n);
  h.run(1);
  assert.equal(h.readReg(reg.a3), 1n, 'second sc fails: reservation consumed');
  assert.equal(m.peek64(DATA), 9n);
  // Reservation at another address.
  m.code(CODE, [lrd, a.addi(reg.a1, reg.a1, 8), scd]);
  h.writeReg(reg.a1, BigInt(DATA));
  m.runAt(CODE, 3);
  assert.equal(h.readReg(reg.a3), 1n);
  // A store that changes the reserved value makes SC fail (QEMU 7.2 compares the value).
  m.code(CODE, [lrd, a.sd(reg.a4, reg.a1, 0), scd]);
  h.writeReg(reg.a1, BigInt(DATA));
  h.writeReg(reg.a4, 77n);
  m.runAt(CODE, 3);
  assert.equal(h.readReg(reg.a3), 1n);
  assert.equal(m.peek64(DATA), 77n);
  // lr.w sign-extends; sc.w writes 32 bits.
  m.poke64(DATA, 0x11111111_80000001n);
  m.code(CODE, [a.amo(AMO.lr, 2, reg.a0, reg.a1, 0), a.amo(AMO.sc, 2, reg.a3, reg.a1, reg.a2)]);
  h.writeReg(reg.a2, 0x1234n);
  m.runAt(CODE, 2);
  assert.equal(h.readReg(reg.a0), 0xffffffff80000001n);
  assert.equal(h.readReg(reg.a3), 0n);
  assert.equal(m.peek64(DATA), 0x11111111_00001234n);
  // A trap clears the reservation.
  m.code(CODE, [lrd, a.ecall()]);
  setCsr(h, CSR.mtvec, BigInt(CODE + 8));
  m.code(CODE + 8, [scd]);
  m.runAt(CODE, 3);
  assert.equal(h.readReg(reg.a3), 1n, 'sc after a trap fails');
});

test('atomics: misaligned LR -> load misaligned (4); misaligned SC/AMO -> store/AMO misaligned (6); AMO faults are store faults', () => {
  const m = makeMachine();
  const h = m.hart;
  assert.equal(one(m, a.amo(AMO.lr, 3, reg.a0, reg.a1, 0), BigInt(DATA + 4)), 4n);
  assert.equal(csr(h, CSR.mtval), BigInt(DATA + 4));
  assert.equal(one(m, a.amo(AMO.lr, 2, reg.a0, reg.a1, 0), BigInt(DATA + 2)), 4n);
  assert.equal(one(m, a.amo(AMO.sc, 3, reg.a0, reg.a1, reg.a2), BigInt(DATA + 4)), 6n);
  assert.equal(one(m, a.amo(AMO.sc, 2, reg.a0, reg.a1, reg.a2), BigInt(DATA + 1)), 6n);
  for (const op of Object.values(AMO)) {
    if (op === AMO.lr || op === AMO.sc) continue;
    assert.equal(one(m, a.amo(op, 2, reg.a0, reg.a1, reg.a2), BigInt(DATA + 2)), 6n);
    assert.equal(one(m, a.amo(op, 3, reg.a0, reg.a1, reg.a2), BigInt(DATA + 4)), 6n);
  }
  assert.equal(
    one(m, a.amo(AMO.add, 3, reg.a0, reg.a1, reg.a2), BigInt(HOLE)),
    7n,
    'AMO to nothing: store access fault',
  );
  assert.equal(one(m, a.amo(AMO.lr, 3, reg.a0, reg.a1, 0), BigInt(HOLE)), 5n, 'LR to nothing: load access fault');
  // AMO on MMIO works through the callbacks.
  m.mmioBytes.set([3, 0, 0, 0], 0x40);
  assert.equal(one(m, a.amo(AMO.add, 2, reg.a0, reg.a1, reg.a2), BigInt(MMIO_BASE + 0x40), 4n), 0xffn);
  assert.equal(m.mmioBytes[0x40], 7);
  assert.equal(h.readReg(reg.a0), 3n);
});
