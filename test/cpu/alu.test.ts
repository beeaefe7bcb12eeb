// Integer semantics of RV64IM: every ALU, shift, compare, multiply and divide instruction (and
// the W forms) on edge values and seeded random operands. Oracle: a BigInt model written from
// the unprivileged ISA text (chapter 2, 5, 7), independent of the interpreter's 32-bit halves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { a, reg } from './asm.js';
import { makeMachine, RAM_BASE } from './machine.js';
import { divu64, mul64, mulh64, mulhsu64, mulhu64, out, rem } from '../../src/cpu/int64.js';

const M64 = (1n << 64n) - 1n;
const u = (x: bigint) => BigInt.asUintN(64, x);
const s = (x: bigint) => BigInt.asIntN(64, x);
const sx32 = (x: bigint) => u(BigInt.asIntN(32, x));

const EDGES = [
  0n,
  1n,
  2n,
  3n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x1_0000_0001n,
  0xfffffffffffffn,
  0x10000000000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0x8000000000000001n,
  M64,
  M64 - 1n,
  0xdeadbeefcafebaben,
  0x123456789abcdef0n,
];

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const n32 = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return () => (BigInt(n32()) << 32n) | BigInt(n32());
}

type RFn = (x: bigint, y: bigint) => bigint;
const div = (x: bigint, y: bigint) => (y === 0n ? M64 : s(x) === -(1n << 63n) && s(y) === -1n ? x : u(s(x) / s(y)));
const rem_ = (x: bigint, y: bigint) => (y === 0n ? x : s(x) === -(1n << 63n) && s(y) === -1n ? 0n : u(s(x) % s(y)));
const w = (x: bigint) => BigInt.asIntN(32, x);
const uw = (x: bigint) => BigInt.asUintN(32, x);
const R_OPS: [string, (rd: number, r1: number, r2: number) => number, RFn][] = [
  ['add', a.add, (x, y) => u(x + y)],
  ['sub', a.sub, (x, y) => u(x - y)],
  ['sll', a.sll, (x, y) => u(x << (y & 63n))],
  ['srl', a.srl, (x, y) => x >> (y & 63n)],
  ['sra', a.sra, (x, y) => u(s(x) >> (y & 63n))],
  ['slt', a.slt, (x, y) => (s(x) < s(y) ? 1n : 0n)],
  ['sltu', a.sltu, (x, y) => (x < y ? 1n : 0n)],
  ['xor', a.xor, (x, y) => x ^ y],
  ['or', a.or, (x, y) => x | y],
  ['and', a.and, (x, y) => x & y],
  ['addw', a.addw, (x, y) => sx32(x + y)],
  ['subw', a.subw, (x, y) => sx32(x - y)],
  ['sllw', a.sllw, (x, y) => sx32(x << (y & 31n))],
  ['srlw', a.srlw, (x, y) => sx32(uw(x) >> (y & 31n))],
  ['sraw', a.sraw, (x, y) => sx32(BigInt(w(x) >> (y & 31n)))],
  ['mul', a.mul, (x, y) => u(x * y)],
  ['mulh', a.mulh, (x, y) => u((s(x) * s(y)) >> 64n)],
  ['mulhsu', a.mulhsu, (x, y) => u((s(x) * y) >> 64n)],
  ['mulhu', a.mulhu, (x, y) => u((x * y) >> 64n)],
  ['div', a.div, div],
  ['divu', a.divu, (x, y) => (y === 0n ? M64 : x / y)],
  ['rem', a.rem, rem_],
  ['remu', a.remu, (x, y) => (y === 0n ? x : x % y)],
  ['mulw', a.mulw, (x, y) => sx32(x * y)],
  [
    'divw',
    a.divw,
    (x, y) => (uw(y) === 0n ? M64 : w(x) === -(1n << 31n) && w(y) === -1n ? sx32(x) : sx32(w(x) / w(y))),
  ],
  ['divuw', a.divuw, (x, y) => (uw(y) === 0n ? M64 : sx32(uw(x) / uw(y)))],
  ['remw', a.remw, (x, y) => (uw(y) === 0n ? sx32(x) : w(x) === -(1n << 31n) && w(y) === -1n ? 0n : sx32(w(x) % w(y)))],
  ['remuw', a.remuw, (x, y) => (uw(y) === 0n ? sx32(x) : sx32(uw(x) % uw(y)))],
];

test('R-type ALU, shifts, M extension: edges and random operands match the BigInt model', () => {
  const m = makeMachine();
  const h = m.hart;
  const next = rng(0xc0ffee);
  const pairs: [bigint, bigint][] = [];
  for (const x of EDGES) for (const y of EDGES) pairs.push([x, y]);
  for (let i = 0; i < 300; i++) pairs.push([next(), next()]);
  for (let i = 0; i < 100; i++) pairs.push([next() >> 20n, (next() >> 40n) + 1n]); // Number-path divides
  for (const [name, enc, model] of R_OPS) {
    m.code(RAM_BASE, [enc(reg.a0, reg.a1, reg.a2), enc(reg.a3, reg.a3, reg.a3), enc(0, reg.a1, reg.a2)]);
    for (const [x, y] of pairs) {
      h.writeReg(reg.a1, x);
      h.writeReg(reg.a2, y);
      h.writeReg(reg.a3, x);
      m.runAt(RAM_BASE, 3);
      assert.equal(h.readReg(reg.a0), model(x, y), `${name} ${x.toString(16)}, ${y.toString(16)}`);
      assert.equal(h.readReg(reg.a3), model(x, x), `${name} rd = rs1 = rs2 = ${x.toString(16)}`);
      assert.equal(h.readReg(0), 0n);
    }
  }
});

const I_OPS: [string, (rd: number, r1: number, imm: number) => number, (x: bigint, i: number) => bigint, number[]][] = [
  ['addi', a.addi, (x, i) => u(x + BigInt(i)), [0, 1, -1, 2047, -2048, 5]],
  ['slti', a.slti, (x, i) => (s(x) < BigInt(i) ? 1n : 0n), [0, 1, -1, 2047, -2048]],
  ['sltiu', a.sltiu, (x, i) => (x < u(BigInt(i)) ? 1n : 0n), [0, 1, -1, 2047, -2048]],
  ['xori', a.xori, (x, i) => x ^ u(BigInt(i)), [0, -1, 0x555, -2048]],
  ['ori', a.ori, (x, i) => x | u(BigInt(i)), [0, -1, 0x555, -2048]],
  ['andi', a.andi, (x, i) => x & u(BigInt(i)), [0, -1, 0x7ff, -2048]],
  ['slli', a.slli, (x, i) => u(x << BigInt(i)), [0, 1, 31, 32, 33, 63]],
  ['srli', a.srli, (x, i) => x >> BigInt(i), [0, 1, 31, 32, 33, 63]],
  ['srai', a.srai, (x, i) => u(s(x) >> BigInt(i)), [0, 1, 31, 32, 33, 63]],
  ['addiw', a.addiw, (x, i) => sx32(x + BigInt(i)), [0, 1, -1, 2047, -2048]],
  ['slliw', a.slliw, (x, i) => sx32(x << BigInt(i)), [0, 1, 31]],
  ['srliw', a.srliw, (x, i) => sx32(uw(x) >> BigInt(i)), [0, 1, 31]],
  ['sraiw', a.sraiw, (x, i) => sx32(BigInt(w(x) >> BigInt(i))), [0, 1, 31]],
];

test('I-type ALU and shifts by immediate match the BigInt model', () => {
  const m = makeMachine();
  const h = m.hart;
  const next = rng(7);
  const vals = [...EDGES];
  for (let i = 0; i < 40; i++) vals.push(next());
  for (const [name, enc, model, imms] of I_OPS) {
    for (const imm of imms) {
      m.code(RAM_BASE, [enc(reg.a0, reg.a1, imm)]);
      for (const x of vals) {
        h.writeReg(reg.a1, x);
        m.runAt(RAM_BASE, 1);
        assert.equal(h.readReg(reg.a0), model(x, imm), `${name} ${x.toString(16)}, ${imm}`);
      }
    }
  }
});

test('lui/auipc sign-extend; jal/jalr link and clear bit 0; branches on signed/unsigned compares', () => {
  const m = makeMachine();
  const h = m.hart;
  m.code(RAM_BASE, [a.lui(reg.a0, 0x80000), a.auipc(reg.a1, 0xfffff), a.lui(reg.a2, 0x7ffff)]);
  m.runAt(RAM_BASE, 3);
  assert.equal(h.readReg(reg.a0), 0xffffffff80000000n);
  assert.equal(h.readReg(reg.a1), u(BigInt(RAM_BASE + 4) - 0x1000n));
  assert.equal(h.readReg(reg.a2), 0x7ffff000n);
  // jalr: target = (rs1 + imm) & ~1, link = pc + 4
  m.code(RAM_BASE, [a.jalr(reg.ra, reg.a0, 3)]);
  h.writeReg(reg.a0, BigInt(RAM_BASE + 0x100));
  m.runAt(RAM_BASE, 1);
  assert.equal(h.pc, RAM_BASE + 0x102);
  assert.equal(h.readReg(reg.ra), BigInt(RAM_BASE + 4));
  // jalr with rd = rs1: the old rs1 is the base.
  m.code(RAM_BASE, [a.jalr(reg.a0, reg.a0, 0)]);
  h.writeReg(reg.a0, BigInt(RAM_BASE + 0x200));
  m.runAt(RAM_BASE, 1);
  assert.equal(h.pc, RAM_BASE + 0x200);
  assert.equal(h.readReg(reg.a0), BigInt(RAM_BASE + 4));
  m.code(RAM_BASE + 0x10, [a.jal(reg.ra, -0x10)]);
  m.runAt(RAM_BASE + 0x10, 1);
  assert.equal(h.pc, RAM_BASE);
  assert.equal(h.readReg(reg.ra), BigInt(RAM_BASE + 0x14));
  const cases: [string, (r1: number, r2: number, o: number) => number, (x: bigint, y: bigint) => boolean][] = [
    ['beq', a.beq, (x, y) => x === y],
    ['bne', a.bne, (x, y) => x !== y],
    ['blt', a.blt, (x, y) => s(x) < s(y)],
    ['bge', a.bge, (x, y) => s(x) >= s(y)],
    ['bltu', a.bltu, (x, y) => x < y],
    ['bgeu', a.bgeu, (x, y) => x >= y],
  ];
  for (const [name, enc, model] of cases) {
    m.code(RAM_BASE + 0x100, [enc(reg.a1, reg.a2, -0x100)]);
    for (const x of EDGES)
      for (const y of [0n, 1n, M64, 0x8000000000000000n, 0xffffffffn, x]) {
        h.writeReg(reg.a1, x);
        h.writeReg(reg.a2, y);
        m.runAt(RAM_BASE + 0x100, 1);
        assert.equal(h.pc, model(x, y) ? RAM_BASE : RAM_BASE + 0x104, `${name} ${x.toString(16)} ${y.toString(16)}`);
      }
  }
});

test('int64 helpers: 64x64 products and divides on halves match BigInt (seeded sweep)', () => {
  const next = rng(99);
  const split = (x: bigint) => [Number(x & 0xffffffffn) | 0, Number(x >> 32n) | 0] as const;
  const join = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const vals = [...EDGES];
  for (let i = 0; i < 200; i++) vals.push(next(), next() >> BigInt(i % 64), next() >> 32n, next() >> 2n);
  for (let i = 0; i < vals.length; i++) {
    const x = vals[i]!,
      y = vals[(i * 7 + 3) % vals.length]!;
    const [al, ah] = split(x),
      [bl, bh] = split(y);
    assert.equal(join(mul64(al, ah, bl, bh), out.hi), u(x * y));
    assert.equal(join(mulhu64(al, ah, bl, bh), out.hi), (x * y) >> 64n);
    assert.equal(join(mulh64(al, ah, bl, bh), out.hi), u((s(x) * s(y)) >> 64n));
    assert.equal(join(mulhsu64(al, ah, bl, bh), out.hi), u((s(x) * y) >> 64n));
    if (y !== 0n) {
      assert.equal(join(divu64(al, ah, bl, bh), out.hi), x / y, `divu ${x} ${y}`);
      assert.equal(join(rem.lo, rem.hi), x % y, `remu ${x} ${y}`);
    }
  }
});

test('mulhu32: the rounded-double high word is exact (edges and a seeded sweep)', async () => {
  const { mulhu32 } = await import('../../src/cpu/int64.js');
  const next = rng(12345);
  const edges = [0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x10000, 0xffff, 0x12345678];
  const pairs: [number, number][] = [];
  for (const x of edges) for (const y of edges) pairs.push([x, y]);
  for (let i = 0; i < 20000; i++) {
    const r = next();
    pairs.push([Number(r & 0xffffffffn), Number(r >> 32n)]);
  }
  for (const [x, y] of pairs) {
    assert.equal(mulhu32(x | 0, y | 0) >>> 0, Number((BigInt(x >>> 0) * BigInt(y >>> 0)) >> 32n), `${x} * ${y}`);
  }
});
