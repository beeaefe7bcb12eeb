// The JIT's loop runner (src/cpu/loop-runner.ts, jit.ts runLoop): self-looping integer blocks run
// by one wasm function instead of a module each. Oracle: the interpreter (a hart with the JIT off)
// running the same program, compared register by register after every slice (slices of odd sizes
// cut loops mid-way, where the runner must stop on whole iterations as translated code does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOOP_COMPILE_AFTER } from '../../../src/cpu/jit.js';
import { loopRunnable } from '../../../src/cpu/loop-runner.js';
import { decodeOne } from '../../../src/cpu/decode.js';
import { a, reg } from '../asm.js';
import { enginePair, jitTest, pte, RAM_BASE, regs, TRAP_VEC, type TestMachine } from '../machine.js';

const CODE = RAM_BASE + 0x2000;

/** The interpreter and the JIT at its usual threshold, loop runner on; a trap (the closing
 *  ebreak) parks the hart. */
function pair(): { i: TestMachine; j: TestMachine } {
  return enginePair((m) => m.code(TRAP_VEC, [a.jal(0, 0)]), { jitThreshold: 50 });
}

function lockstep(p: { i: TestMachine; j: TestMachine }, slices: number[]): void {
  for (const n of slices) {
    assert.equal(p.j.hart.run(n), p.i.hart.run(n), 'stop reason');
    assert.equal(regs(p.j.hart), regs(p.i.hart));
  }
}

/** A deterministic generator (xorshift64*). */
function rng(seed: bigint): () => number {
  let s = seed;
  return () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffff_ffff_ffff_ffffn;
    s ^= s >> 27n;
    return Number(((s * 0x2545f4914f6cdd1dn) >> 32n) & 0xffff_ffffn);
  };
}

// Body operations and how to make one: rd, rs1, rs2 from the registers below, imm random.
const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul'] as const;
const RW_OPS = ['addw', 'subw', 'sllw', 'srlw', 'sraw', 'mulw'] as const;
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'] as const;
const SH_OPS = ['slli', 'srli', 'srai'] as const;
const SHW_OPS = ['slliw', 'srliw', 'sraiw'] as const;
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'] as const;
type Asm = Record<string, (...x: number[]) => number>;
const A = a as unknown as Asm;
// x0 among the sources and destinations: writes to it must vanish, reads must give 0.
const POOL = [0, reg.t0, reg.t1, reg.t2, reg.a0, reg.a2, reg.a3, reg.a4];

/** Zba/Zbb/Zbs/Zicond encodings: [funct7 or imm12 high bits, funct3, opcode, form]; 'r': rd, rs1,
 *  rs2; 'u': rd, rs1 (a unary op: imm12 fixed); 'i64'/'i32': rd, rs1, a shift amount or bit number. */
const BIT_OPS: [number, number, number, 'r' | 'u' | 'i64' | 'i32'][] = [
  [0x10, 2, 0x33, 'r'], // sh1add
  [0x10, 4, 0x33, 'r'], // sh2add
  [0x10, 6, 0x33, 'r'], // sh3add
  [0x04, 0, 0x3b, 'r'], // add.uw
  [0x10, 2, 0x3b, 'r'], // sh1add.uw
  [0x10, 6, 0x3b, 'r'], // sh3add.uw
  [0x20, 7, 0x33, 'r'], // andn
  [0x20, 6, 0x33, 'r'], // orn
  [0x20, 4, 0x33, 'r'], // xnor
  [0x05, 6, 0x33, 'r'], // max
  [0x05, 7, 0x33, 'r'], // maxu
  [0x05, 4, 0x33, 'r'], // min
  [0x05, 5, 0x33, 'r'], // minu
  [0x30, 1, 0x33, 'r'], // rol
  [0x30, 5, 0x33, 'r'], // ror
  [0x30, 1, 0x3b, 'r'], // rolw
  [0x30, 5, 0x3b, 'r'], // rorw
  [0x24, 1, 0x33, 'r'], // bclr
  [0x24, 5, 0x33, 'r'], // bext
  [0x34, 1, 0x33, 'r'], // binv
  [0x14, 1, 0x33, 'r'], // bset
  [0x07, 5, 0x33, 'r'], // czero.eqz
  [0x07, 7, 0x33, 'r'], // czero.nez
  [0x600, 1, 0x13, 'u'], // clz
  [0x600, 1, 0x1b, 'u'], // clzw
  [0x601, 1, 0x13, 'u'], // ctz
  [0x602, 1, 0x1b, 'u'], // cpopw
  [0x604, 1, 0x13, 'u'], // sext.b
  [0x605, 1, 0x13, 'u'], // sext.h
  [0x080, 4, 0x3b, 'u'], // zext.h
  [0x287, 5, 0x13, 'u'], // orc.b
  [0x6b8, 5, 0x13, 'u'], // rev8
  [0x080, 1, 0x1b, 'i64'], // slli.uw
  [0x600, 5, 0x13, 'i64'], // rori
  [0x600, 5, 0x1b, 'i32'], // roriw
  [0x480, 1, 0x13, 'i64'], // bclri
  [0x480, 5, 0x13, 'i64'], // bexti
  [0x680, 1, 0x13, 'i64'], // binvi
  [0x280, 1, 0x13, 'i64'], // bseti
];

function bitOp(next: () => number, rd: number, rs1: number, rs2: number): number {
  const [hi, f3, opc, form] = BIT_OPS[next() % BIT_OPS.length]!;
  const low = (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
  if (form === 'r') return ((hi << 25) | (rs2 << 20) | low) >>> 0;
  const imm = form === 'u' ? hi : hi | (next() % (form === 'i64' ? 64 : 32));
  return ((imm << 20) | low) >>> 0;
}

function randomBody(next: () => number, n: number): number[] {
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const rd = pick(POOL),
      rs1 = pick(POOL),
      rs2 = pick(POOL);
    switch (next() % 7) {
      case 6:
        out.push(bitOp(next, rd, rs1, rs2));
        break;
      case 0:
        out.push(A[pick(R_OPS)]!(rd, rs1, rs2));
        break;
      case 1:
        out.push(A[pick(RW_OPS)]!(rd, rs1, rs2));
        break;
      case 2:
        out.push(A[pick(I_OPS)]!(rd, rs1, (next() % 4096) - 2048));
        break;
      case 3:
        out.push(A[pick(SH_OPS)]!(rd, rs1, next() % 64));
        break;
      case 4:
        out.push(A[pick(SHW_OPS)]!(rd, rs1, next() % 32));
        break;
      default:
        out.push(a.lui(rd, next() & 0xfffff), a.addiw(rd, rd, (next() % 4096) - 2048));
    }
  }
  return out;
}

test('loopRunnable takes integer self-loops and nothing else', () => {
  const insns = (words: number[], at = CODE) => {
    let pc = at;
    return words.map((w) => {
      const s = decodeOne(w);
      const x = { pc, w0: s[0]!, imm: s[1]! };
      pc += 4;
      return x;
    });
  };
  assert.ok(loopRunnable(CODE, insns([a.addi(reg.a0, reg.a0, 1), a.bne(reg.a0, reg.a1, -4)])));
  assert.ok(!loopRunnable(CODE, insns([a.addi(reg.a0, reg.a0, 1), a.bne(reg.a0, reg.a1, -8)])), 'not to itself');
  assert.ok(!loopRunnable(CODE, insns([a.ld(reg.a0, reg.a1, 0), a.bne(reg.a0, reg.a1, -4)])), 'a load');
  assert.ok(!loopRunnable(CODE, insns([a.div(reg.a0, reg.a0, reg.a1), a.bne(reg.a0, reg.a1, -4)])), 'a division');
  assert.ok(!loopRunnable(CODE, insns([a.addi(reg.a0, reg.a0, 1), a.jal(0, -4)])), 'not a conditional branch');
  assert.ok(!loopRunnable(CODE, insns([a.bne(reg.a0, reg.a1, 0)])), 'no body');
});

jitTest(
  'random integer self-loops: the loop runner agrees with the interpreter on every register, after every slice',
  () => {
    const next = rng(0x1234_5678_9abc_def1n);
    let ranInRunner = 0;
    for (let round = 0; round < 90; round++) {
      const body = randomBody(next, 1 + (next() % 12));
      // The count: a1 against a5 (up) or a6 = 1 (down); none of a1, a5, a6 is in the body's pool.
      const br = BRANCHES[round % BRANCHES.length]!;
      const down = br === 'bge' || br === 'bgeu';
      const counting =
        br === 'beq'
          ? [a.addi(reg.a1, reg.a1, 1), a.sltu(reg.a7, reg.a1, reg.a5), a.xori(reg.a7, reg.a7, 1)] // a7 = 0 while a1 < a5
          : down
            ? [a.addi(reg.a1, reg.a1, -1)]
            : [a.addi(reg.a1, reg.a1, 1)];
      const back = -4 * (body.length + counting.length);
      const close =
        br === 'beq' ? a.beq(reg.a7, 0, back) : down ? A[br]!(reg.a1, reg.a6, back) : A[br]!(reg.a1, reg.a5, back);
      const program = [...body, ...counting, close, a.ebreak()];
      const p = pair();
      const count = 50 + (next() % 3000);
      const init = POOL.map(() => BigInt.asUintN(64, BigInt(next()) * 0x9e3779b97f4a7c15n));
      for (const m of [p.i, p.j]) {
        m.code(CODE, program);
        POOL.forEach((r, k) => {
          if (r !== 0) m.hart.writeReg(r, init[k]!);
        });
        m.hart.writeReg(reg.a1, down ? BigInt(count) : 0n);
        m.hart.writeReg(reg.a5, BigInt(count));
        m.hart.writeReg(reg.a6, 1n);
        m.hart.pc = CODE;
      }
      lockstep(p, [7, 333, 1001, 4999, 20000, 100000]);
      assert.equal(p.j.hart.readReg(0), 0n);
      ranInRunner += p.j.hart.jitStats!.loopInstructions;
    }
    assert.ok(ranInRunner > 100000, `${ranInRunner} instructions in the runner`);
  },
);

jitTest('a loop rewritten in place runs its new code (the runner re-reads a written page)', () => {
  // The same pc holds loop A (a0 += 3), then loop B (a0 ^= a0 << 1 ... : different ops and
  // length), written by the program itself with fence.i between, as a JIT guest does.
  const p = pair();
  const loopA = [a.addi(reg.a0, reg.a0, 3), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a5, -8)];
  const loopB = [
    a.slli(reg.t0, reg.a0, 1),
    a.xor(reg.a0, reg.a0, reg.t0),
    a.addi(reg.a0, reg.a0, 7),
    a.addi(reg.a1, reg.a1, 1),
    a.bne(reg.a1, reg.a5, -16),
  ];
  const LOOP = CODE + 0x100;
  // main: call LOOP (jalr), then copy loop B's words from DATA over LOOP, fence.i, call again, ebreak.
  const DATA = CODE + 0x800;
  const main = [
    a.addi(reg.a1, 0, 0),
    a.jalr(reg.ra, reg.s1, 0), // LOOP
    a.ld(reg.t1, reg.s2, 0),
    a.sd(reg.t1, reg.s1, 0),
    a.ld(reg.t1, reg.s2, 8),
    a.sd(reg.t1, reg.s1, 8),
    a.lw(reg.t1, reg.s2, 16),
    a.sw(reg.t1, reg.s1, 16),
    a.lw(reg.t1, reg.s2, 20),
    a.sw(reg.t1, reg.s1, 20),
    0x0000100f, // fence.i
    a.addi(reg.a1, 0, 0),
    a.jalr(reg.ra, reg.s1, 0),
    a.ebreak(),
  ];
  for (const m of [p.i, p.j]) {
    m.code(CODE, main);
    m.code(LOOP, [...loopA, a.jalr(0, reg.ra, 0)]);
    m.code(DATA, [...loopB, a.jalr(0, reg.ra, 0)]);
    m.hart.writeReg(reg.s1, BigInt(LOOP));
    m.hart.writeReg(reg.s2, BigInt(DATA));
    m.hart.writeReg(reg.a5, 5000n);
    m.hart.pc = CODE;
  }
  lockstep(p, [10, 2000, 13000, 50000]);
  assert.equal(p.j.hart.mcauseLo, 3, 'ran to the ebreak');
  assert.ok(p.j.hart.jitStats!.loopInstructions > 8000, 'both loops ran in the runner');
});

jitTest('a loop that runs long goes on to a module of its own', () => {
  const p = pair();
  for (const m of [p.i, p.j]) {
    m.code(CODE, [
      a.addi(reg.a0, reg.a0, 5),
      a.xor(reg.a2, reg.a2, reg.a0),
      a.addi(reg.a1, reg.a1, 1),
      a.bne(reg.a1, reg.a5, -12),
      a.ebreak(),
    ]);
    m.hart.writeReg(reg.a5, BigInt(LOOP_COMPILE_AFTER)); // 4 x that many instructions
    m.hart.pc = CODE;
  }
  lockstep(p, Array<number>(10).fill(100_000));
  const s = p.j.hart.jitStats!;
  assert.equal(p.j.hart.mcauseLo, 3);
  assert.ok(
    s.loopInstructions >= LOOP_COMPILE_AFTER && s.loopInstructions < 2 * LOOP_COMPILE_AFTER,
    `${s.loopInstructions}`,
  );
  assert.ok(s.instructions > 2 * LOOP_COMPILE_AFTER, `then translated: ${s.instructions}`);
});

jitTest('under Sv39: a loop on a page that is mapped elsewhere (sfence.vma of its address) runs the new page', () => {
  // S-mode, Sv39: RAM identity-mapped by a gigapage; VA 0x4000_0000 a 4 KiB page holding loop A
  // (physical P1), then, after the program rewrites its PTE and fences that address, loop B (P2).
  const VA = 0x4000_0000;
  const ROOT = RAM_BASE + 0x10_0000,
    L1 = ROOT + 0x1000,
    L0 = ROOT + 0x2000;
  const P1 = RAM_BASE + 0x2_0000,
    P2 = RAM_BASE + 0x2_1000;
  const loopA = [a.addi(reg.a0, reg.a0, 3), a.addi(reg.a1, reg.a1, 1), a.bne(reg.a1, reg.a5, -8), a.jalr(0, reg.ra, 0)];
  const loopB = [
    a.slli(reg.t0, reg.a0, 2),
    a.sub(reg.a0, reg.t0, reg.a0),
    a.addi(reg.a1, reg.a1, 1),
    a.bne(reg.a1, reg.a5, -12),
    a.jalr(0, reg.ra, 0),
  ];
  const main = [
    a.addi(reg.a1, 0, 0),
    a.jalr(reg.ra, reg.s1, 0), // loop A through VA
    a.sd(reg.s3, reg.s2, 0), // the leaf PTE now names P2
    a.sfence_vma(reg.s1, 0),
    a.addi(reg.a1, 0, 0),
    a.jalr(reg.ra, reg.s1, 0), // loop B through the same VA
    a.ebreak(),
  ];
  const p = pair();
  for (const m of [p.i, p.j]) {
    const h = m.hart;
    m.code(CODE, main);
    m.code(P1, loopA);
    m.code(P2, loopB);
    m.poke64(ROOT + 8 * 2, pte(RAM_BASE, 0xcf)); // identity gigapage at 0x8000_0000: RWX, A, D
    m.poke64(ROOT + 8 * 1, pte(L1, 0x01)); // VA 0x4000_0000 -> L1
    m.poke64(L1, pte(L0, 0x01));
    m.poke64(L0, pte(P1, 0x4b)); // R, X, A: loop A
    h.csrWrite(0x3b0, 0xffffffff, 0x3fffff);
    h.csrWrite(0x3a0, 0x1f, 0); // PMP entry 0: NAPOT over everything, RWX
    h.csrWrite(0x180, Math.floor(ROOT / 4096), 8 << 28); // satp: Sv39
    h.writeReg(reg.s1, BigInt(VA));
    h.writeReg(reg.s2, BigInt(L0));
    h.writeReg(reg.s3, pte(P2, 0x4b));
    h.writeReg(reg.a5, 3000n);
    h.priv = 1;
    h.pc = CODE;
  }
  lockstep(p, [5, 500, 5000, 20000, 20000]);
  assert.equal(p.j.hart.mcauseLo, 3, 'ran to the ebreak');
  assert.ok(p.j.hart.jitStats!.loopInstructions > 10000, 'both loops ran in the runner');
});
