// Zba, Zbb, Zbs and Zicond in both engines. Oracle: a BigInt model written from the bit-manipulation
// spec 1.0.0 and Zicond 1.0 text, independent of the interpreter's 32-bit halves (bitmanip.ts) and
// of the JIT's i64 sequences (jit-translate.ts emitBitOp). Encodings are checked against objdump in
// decode.test.ts; QEMU runs them in the random differential suite (test/diff/random-gen.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hart, JIT_DEFAULT } from '../../src/cpu/hart.js';
import { reg } from './asm.js';
import { makeMachine, RAM_BASE } from './machine.js';

const M64 = (1n << 64n) - 1n;
const u = (x: bigint) => BigInt.asUintN(64, x);
const s64 = (x: bigint) => BigInt.asIntN(64, x);
const sx32 = (x: bigint) => u(BigInt.asIntN(32, x));
const z32 = (x: bigint) => x & 0xffffffffn;

function R(f7: number, f3: number, opc: number) {
  return (rd: number, rs1: number, rs2: number) =>
    ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
}
/** An I-form with a fixed 12-bit (or funct6 + shamt) immediate. */
function I(imm12: number, f3: number, opc: number) {
  return (rd: number, rs1: number, sh = 0) => (((imm12 | sh) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
}

function rotl(x: bigint, n: bigint, bits: bigint): bigint {
  const m = (1n << bits) - 1n;
  n %= bits;
  return ((x << n) | (x >> ((bits - n) % bits))) & m;
}
const popcount = (x: bigint) => BigInt([...x.toString(2)].filter((c) => c === '1').length);
function clz(x: bigint, bits: number): bigint {
  for (let i = bits - 1; i >= 0; i--) if ((x >> BigInt(i)) & 1n) return BigInt(bits - 1 - i);
  return BigInt(bits);
}
function ctz(x: bigint, bits: number): bigint {
  for (let i = 0; i < bits; i++) if ((x >> BigInt(i)) & 1n) return BigInt(i);
  return BigInt(bits);
}
function bytes(x: bigint): bigint[] {
  return Array.from({ length: 8 }, (_, i) => (x >> BigInt(8 * i)) & 0xffn);
}

type Model = (x: bigint, y: bigint, sh: number) => bigint;
/** name, encoder (rd, rs1, rs2-or-shamt), model, shift amounts for immediate forms (else undefined). */
const OPS: [string, (rd: number, rs1: number, rs2: number) => number, Model, number[]?][] = [
  ['sh1add', R(0x10, 2, 0x33), (x, y) => u((x << 1n) + y)],
  ['sh2add', R(0x10, 4, 0x33), (x, y) => u((x << 2n) + y)],
  ['sh3add', R(0x10, 6, 0x33), (x, y) => u((x << 3n) + y)],
  ['add.uw', R(0x04, 0, 0x3b), (x, y) => u(z32(x) + y)],
  ['sh1add.uw', R(0x10, 2, 0x3b), (x, y) => u((z32(x) << 1n) + y)],
  ['sh2add.uw', R(0x10, 4, 0x3b), (x, y) => u((z32(x) << 2n) + y)],
  ['sh3add.uw', R(0x10, 6, 0x3b), (x, y) => u((z32(x) << 3n) + y)],
  ['slli.uw', I(0x080, 1, 0x1b), (x, _y, sh) => u(z32(x) << BigInt(sh)), [0, 1, 31, 32, 63]],
  ['andn', R(0x20, 7, 0x33), (x, y) => x & ~y & M64],
  ['orn', R(0x20, 6, 0x33), (x, y) => (x | (~y & M64)) & M64],
  ['xnor', R(0x20, 4, 0x33), (x, y) => ~(x ^ y) & M64],
  ['clz', I(0x600, 1, 0x13), (x) => clz(x, 64), [0]],
  ['clzw', I(0x600, 1, 0x1b), (x) => clz(z32(x), 32), [0]],
  ['ctz', I(0x601, 1, 0x13), (x) => ctz(x, 64), [0]],
  ['ctzw', I(0x601, 1, 0x1b), (x) => ctz(z32(x), 32), [0]],
  ['cpop', I(0x602, 1, 0x13), (x) => popcount(x), [0]],
  ['cpopw', I(0x602, 1, 0x1b), (x) => popcount(z32(x)), [0]],
  ['max', R(0x05, 6, 0x33), (x, y) => (s64(x) > s64(y) ? x : y)],
  ['maxu', R(0x05, 7, 0x33), (x, y) => (x > y ? x : y)],
  ['min', R(0x05, 4, 0x33), (x, y) => (s64(x) < s64(y) ? x : y)],
  ['minu', R(0x05, 5, 0x33), (x, y) => (x < y ? x : y)],
  ['sext.b', I(0x604, 1, 0x13), (x) => u(BigInt.asIntN(8, x)), [0]],
  ['sext.h', I(0x605, 1, 0x13), (x) => u(BigInt.asIntN(16, x)), [0]],
  ['zext.h', I(0x080, 4, 0x3b), (x) => x & 0xffffn, [0]],
  ['rol', R(0x30, 1, 0x33), (x, y) => rotl(x, y & 63n, 64n)],
  ['ror', R(0x30, 5, 0x33), (x, y) => rotl(x, (64n - (y & 63n)) % 64n, 64n)],
  ['rori', I(0x600, 5, 0x13), (x, _y, sh) => rotl(x, BigInt((64 - sh) % 64), 64n), [0, 1, 31, 32, 63]],
  ['rolw', R(0x30, 1, 0x3b), (x, y) => sx32(rotl(z32(x), y & 31n, 32n))],
  ['rorw', R(0x30, 5, 0x3b), (x, y) => sx32(rotl(z32(x), (32n - (y & 31n)) % 32n, 32n))],
  ['roriw', I(0x600, 5, 0x1b), (x, _y, sh) => sx32(rotl(z32(x), BigInt((32 - sh) % 32), 32n)), [0, 1, 16, 31]],
  [
    'orc.b',
    I(0x287, 5, 0x13),
    (x) => bytes(x).reduce((acc, b, i) => acc | ((b ? 0xffn : 0n) << BigInt(8 * i)), 0n),
    [0],
  ],
  ['rev8', I(0x6b8, 5, 0x13), (x) => bytes(x).reduce((acc, b, i) => acc | (b << BigInt(8 * (7 - i))), 0n), [0]],
  ['bclr', R(0x24, 1, 0x33), (x, y) => x & ~(1n << (y & 63n)) & M64],
  ['bclri', I(0x480, 1, 0x13), (x, _y, sh) => x & ~(1n << BigInt(sh)) & M64, [0, 5, 31, 32, 63]],
  ['bext', R(0x24, 5, 0x33), (x, y) => (x >> (y & 63n)) & 1n],
  ['bexti', I(0x480, 5, 0x13), (x, _y, sh) => (x >> BigInt(sh)) & 1n, [0, 5, 31, 32, 63]],
  ['binv', R(0x34, 1, 0x33), (x, y) => x ^ (1n << (y & 63n))],
  ['binvi', I(0x680, 1, 0x13), (x, _y, sh) => x ^ (1n << BigInt(sh)), [0, 5, 31, 32, 63]],
  ['bset', R(0x14, 1, 0x33), (x, y) => x | (1n << (y & 63n))],
  ['bseti', I(0x280, 1, 0x13), (x, _y, sh) => x | (1n << BigInt(sh)), [0, 5, 31, 32, 63]],
  ['czero.eqz', R(0x07, 5, 0x33), (x, y) => (y === 0n ? 0n : x)],
  ['czero.nez', R(0x07, 7, 0x33), (x, y) => (y !== 0n ? 0n : x)],
];

const EDGES = [
  0n,
  1n,
  0x80n,
  0xffn,
  0x8000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  M64,
  0x0102030405060708n,
  0x00ff00ff00000000n,
  0xdeadbeefcafebaben,
  63n,
  64n,
  32n,
];

function values(): bigint[] {
  let x = 0x1234567;
  const n32 = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return BigInt(x);
  };
  const out = [...EDGES];
  for (let i = 0; i < 30; i++) out.push((n32() << 32n) | n32());
  return out;
}

/** A hart at RAM_BASE that interprets (jit false) or translates every block at once (threshold 1). */
function hartOf(jit: boolean): { h: Hart; code: (w: number[]) => void } {
  const m = makeMachine();
  const h = new Hart({
    arena: m.arena,
    bus: m.bus,
    hartId: 0,
    resetPc: RAM_BASE,
    jit,
    jitThreshold: 1,
    noWarmUp: true,
  });
  return { h, code: (w) => m.code(RAM_BASE, w) };
}

for (const engine of ['interpreter', 'jit'] as const) {
  test(`Zba/Zbb/Zbs/Zicond match the BigInt model (${engine})`, (t) => {
    if (engine === 'jit' && !JIT_DEFAULT) {
      t.skip('CXLEMU_JIT=0 forces the interpreter');
      return;
    }
    const vals = values();
    for (const [name, enc, model, shifts] of OPS) {
      for (const sh of shifts ?? [-1]) {
        const { h, code } = hartOf(engine === 'jit');
        // Two forms: rd distinct from the sources, and rd = rs1 = rs2; then an illegal word ends the block.
        const second = sh < 0 ? enc(reg.a3, reg.a3, reg.a3) : enc(reg.a3, reg.a3, sh);
        code([sh < 0 ? enc(reg.a0, reg.a1, reg.a2) : enc(reg.a0, reg.a1, sh), second, 0]);
        const translatedBefore = h.jit?.instructions ?? 0;
        let first = true;
        for (const x of vals) {
          for (const y of sh < 0 ? vals : [0n]) {
            h.writeReg(reg.a1, x);
            h.writeReg(reg.a2, y);
            h.writeReg(reg.a3, x);
            h.pc = RAM_BASE;
            h.run(2);
            if (first && h.jit) {
              h.jit.compileQueued();
              first = false;
            }
            const what = `${name}${sh >= 0 ? ` ${sh}` : ''} (${x.toString(16)}, ${y.toString(16)})`;
            assert.equal(h.readReg(reg.a0), model(x, y, sh), what);
            assert.equal(h.readReg(reg.a3), model(x, x, sh), `${what}, rd = rs1 = rs2`);
          }
        }
        if (engine === 'jit') assert.ok(h.jit!.instructions > translatedBefore, `${name} ran translated`);
      }
    }
  });
}
