// Runs a block that loops on itself and does only integer register arithmetic (a counted loop of
// ALU operations closed by a conditional branch back to its start) in one WebAssembly function
// that interprets it, instead of in a module of its own. A guest that generates code and runs it
// for a few thousand iterations (suite `codegen`, a regex or eBPF JIT) writes a new such loop
// every ~50,000 instructions; a module costs V8 about 130 us to compile and instantiate plus our
// translator's time, more than the loop runs, while the JavaScript interpreter runs it at about
// 100 MIPS. This runner is built once per hart; a loop is encoded once (8 bytes an instruction,
// into a buffer in the arena: the operation, the registers as byte offsets, the immediate) and each
// call runs as many whole iterations as the budget allows, registers staying in the arena (x[i] an
// i64 at regs + 8i; x0 reads 0, writes go to the sink x32). Nothing it executes can trap or touch
// memory, so it needs no exits but "the branch fell through" and "the budget is spent".
// docs/jit.md "The loop runner".

import { Op } from './isa.js';
import { emitBitOp } from './jit-translate.js';
import { ModuleBuilder, ValType, type FunctionBuilder } from './wasm/module-builder.js';
import { Wasm, type WasmMemoryLike } from './wasm/wasm-api.js';

const { i32, i64 } = ValType;

/** Zba/Zbb/Zbs/Zicond operations (jit-translate.ts emitBitOp): with two registers, with one, with
 *  a shift amount or bit number. */
const BIT_R_OPS: readonly Op[] = [
  Op.SH1ADD,
  Op.SH2ADD,
  Op.SH3ADD,
  Op.ADD_UW,
  Op.SH1ADD_UW,
  Op.SH2ADD_UW,
  Op.SH3ADD_UW,
  Op.ANDN,
  Op.ORN,
  Op.XNOR,
  Op.MAX,
  Op.MAXU,
  Op.MIN,
  Op.MINU,
  Op.ROL,
  Op.ROLW,
  Op.ROR,
  Op.RORW,
  Op.BCLR,
  Op.BEXT,
  Op.BINV,
  Op.BSET,
  Op.CZERO_EQZ,
  Op.CZERO_NEZ,
];
const BIT_OTHER_OPS: readonly Op[] = [
  Op.CLZ,
  Op.CLZW,
  Op.CTZ,
  Op.CTZW,
  Op.CPOP,
  Op.CPOPW,
  Op.SEXT_B,
  Op.SEXT_H,
  Op.ZEXT_H,
  Op.ORC_B,
  Op.REV8,
  Op.SLLI_UW,
  Op.RORI,
  Op.RORIW,
  Op.BCLRI,
  Op.BEXTI,
  Op.BINVI,
  Op.BSETI,
];
const BIT = new Set<number>([...BIT_R_OPS, ...BIT_OTHER_OPS]);
/** Operations with a second register operand. */
const R_FORM_OPS: readonly Op[] = [
  Op.ADD,
  Op.SUB,
  Op.SLL,
  Op.SLT,
  Op.SLTU,
  Op.XOR,
  Op.SRL,
  Op.SRA,
  Op.OR,
  Op.AND,
  Op.ADDW,
  Op.SUBW,
  Op.SLLW,
  Op.SRLW,
  Op.SRAW,
  Op.MUL,
  Op.MULW,
];
/** The operations the runner executes: RV64I/M register arithmetic without division (no traps, no
 *  memory, no multiply-high: each is one or two wasm operations) and the bit-manipulation ones. */
const BODY_OPS: readonly Op[] = [
  ...R_FORM_OPS,
  Op.LUI,
  Op.ADDI,
  Op.SLTI,
  Op.SLTIU,
  Op.XORI,
  Op.ORI,
  Op.ANDI,
  Op.SLLI,
  Op.SRLI,
  Op.SRAI,
  Op.ADDIW,
  Op.SLLIW,
  Op.SRLIW,
  Op.SRAIW,
  ...BIT_R_OPS,
  ...BIT_OTHER_OPS,
];
const BRANCH_OPS: readonly Op[] = [Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const BODY = new Set<number>(BODY_OPS);
const BRANCH = new Set<number>(BRANCH_OPS);
const R_FORM = new Set<number>([...R_FORM_OPS, ...BIT_R_OPS]);

/** A decoded instruction as the JIT's scan gives it (slot word 0, immediate, address). */
export interface LoopInsn {
  pc: number;
  w0: number;
  imm: number;
}

/** True when the instructions starting at pc form a loop the runner takes: ALU operations, then a
 *  conditional branch back to pc. */
export function loopRunnable(pc: number, insns: readonly LoopInsn[]): boolean {
  const n = insns.length;
  if (n < 2) return false;
  const last = insns[n - 1]!;
  if (!BRANCH.has(last.w0 & 0xff) || last.pc + last.imm !== pc) return false;
  for (let k = 0; k < n - 1; k++) if (!BODY.has(insns[k]!.w0 & 0xff)) return false;
  return true;
}

/** Bytes of the encoding buffer: 2,048 instructions, 32 loops of the JIT's longest block. */
export const LOOP_BUFFER_BYTES = 16384;

export class LoopRunner {
  /** Bumped each time the buffer wraps: encodings made before are gone. */
  generation = 0;
  private next = 0;
  private readonly run: (at: number, end: number, iters: number) => number;

  constructor(
    memory: WasmMemoryLike,
    memPages: number,
    regs: number,
    private readonly buffer: number,
    private readonly i32View: Int32Array,
  ) {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', { min: memPages, max: memPages, shared: true });
    const f = m.function('run', [i32, i32, i32], [i32]);
    emitRunner(f, regs);
    m.exportFunction('run', f);
    this.run = new Wasm.Instance(new Wasm.Module(m.toBytes()), { env: { mem: memory } }).exports['run'] as (
      at: number,
      end: number,
      iters: number,
    ) => number;
  }

  /** Encode a runnable loop (loopRunnable); its arena offset, valid while `generation` stays. Each
   *  instruction: operation | rd * 8 << 8 | rs1 * 8 << 17, then the immediate or rs2 * 8. */
  encode(insns: readonly LoopInsn[]): number {
    const bytes = 8 * insns.length;
    if (this.next + bytes > LOOP_BUFFER_BYTES) {
      this.next = 0;
      this.generation++;
    }
    const at = this.buffer + this.next;
    this.next += bytes;
    let w = at >>> 2;
    for (const x of insns) {
      const op = x.w0 & 0xff;
      const rd = (x.w0 >>> 8) & 63,
        rs1 = (x.w0 >>> 14) & 63,
        rs2 = (x.w0 >>> 20) & 63;
      // Register numbers pre-scaled to byte offsets (x32, the sink for x0, at 256: 9 bits each).
      this.i32View[w++] = op | ((rd * 8) << 8) | ((rs1 * 8) << 17);
      this.i32View[w++] = R_FORM.has(op) || BRANCH.has(op) ? rs2 * 8 : x.imm;
    }
    return at;
  }

  /**
   * Run the loop encoded at `at` (n instructions) for at most `iters` whole iterations: returns
   * the iterations run, positive when the budget of iterations ended them (the branch was taken:
   * the next pc is the loop's start), negative when the branch fell through (next pc: its end).
   */
  iterate(at: number, n: number, iters: number): number {
    return this.run(at, at + 8 * (n - 1), iters);
  }
}

/** The runner's body: params (at, end, iters); see LoopRunner.iterate. */
function emitRunner(f: FunctionBuilder, regs: number): void {
  const AT = 0,
    END = 1,
    ITERS = 2;
  const p = f.local(i32),
    w = f.local(i32),
    it = f.local(i32),
    c = f.local(i32);
  const a = f.local(i64),
    b = f.local(i64),
    m = f.local(i64),
    r = f.local(i64),
    tmp = f.local(i64);
  // The last result and its register's offset: an operand that names that register takes r
  // instead of a load of what was just stored (store-to-load forwarding would put several cycles
  // on the chain of dependent operations a generated loop mostly is).
  const lastRd = f.local(i32),
    off = f.local(i32);
  const operand = (dst: number) => {
    f.localGet(off).localGet(lastRd).i32Eq().if(i64);
    f.localGet(r);
    f.else();
    f.localGet(off).i64Load(8, regs);
    f.end();
    f.localSet(dst);
  };
  /** a = x[rs1] (its byte offset in w bits 17..25). */
  const loadA = () => {
    f.localGet(w).i32Const(17).i32ShrU().localSet(off);
    operand(a);
  };
  /** b = x[rs2] (its byte offset in the second word). */
  const loadB = () => {
    f.localGet(p).i32Load(4, 4).localSet(off);
    operand(b);
  };
  f.i32Const(-1).localSet(lastRd);
  const iter = f.loop();
  f.localGet(AT).localSet(p);
  const body = f.block();
  const next = f.loop();
  f.localGet(p).localGet(END).i32GeU().brIf(body);
  f.localGet(p).i32Load(4, 0).localSet(w);
  // r = the operation on (a, b, m), by the slot's operation number; each case loads its operands.
  const done = f.block();
  const dflt = f.block();
  const cases: { op: Op; label: ReturnType<FunctionBuilder['block']> }[] = [];
  for (let k = BODY_OPS.length - 1; k >= 0; k--) cases.unshift({ op: BODY_OPS[k]!, label: f.block() });
  const maxOp = Math.max(...BODY_OPS);
  const targets = [];
  for (let op = 0; op <= maxOp; op++) targets.push(cases.find((x) => x.op === op)?.label ?? dflt);
  f.localGet(w).i32Const(0xff).i32And().brTable(targets, dflt);
  for (const { op, label } of cases) {
    f.end(label);
    if (op !== Op.LUI) loadA();
    if (R_FORM.has(op)) loadB();
    else f.localGet(p).i64Load32S(4, 4).localSet(m);
    if (BIT.has(op))
      emitBitOp(
        f,
        op,
        { i64: () => f.localGet(m), i32: () => f.localGet(m).i32WrapI64() },
        () => f.localGet(a),
        () => f.localGet(b),
        tmp,
      );
    else emitOp(f, op, a, b, m);
    f.localSet(r).br(done);
  }
  f.end(dflt);
  f.unreachable();
  f.end(done);
  f.localGet(w).i32Const(8).i32ShrU().i32Const(0x1ff).i32And().localTee(lastRd);
  f.localGet(r).i64Store(8, regs);
  f.localGet(p).i32Const(8).i32Add().localSet(p);
  f.br(next);
  f.end(next);
  f.end(body);
  // The closing branch (at END): c = taken.
  f.localGet(it).i32Const(1).i32Add().localSet(it);
  f.localGet(p).i32Load(4, 0).localSet(w);
  loadA();
  loadB();
  const cdone = f.block();
  const cdflt = f.block();
  const bcases: { op: Op; label: ReturnType<FunctionBuilder['block']> }[] = [];
  for (let k = BRANCH_OPS.length - 1; k >= 0; k--) bcases.unshift({ op: BRANCH_OPS[k]!, label: f.block() });
  const minB = Math.min(...BRANCH_OPS);
  const btargets = [];
  for (let op = minB; op <= Math.max(...BRANCH_OPS); op++)
    btargets.push(bcases.find((x) => x.op === op)?.label ?? cdflt);
  f.localGet(w).i32Const(0xff).i32And().i32Const(minB).i32Sub().brTable(btargets, cdflt);
  for (const { op, label } of bcases) {
    f.end(label);
    f.localGet(a).localGet(b);
    if (op === Op.BEQ) f.i64Eq();
    else if (op === Op.BNE) f.i64Ne();
    else if (op === Op.BLT) f.i64LtS();
    else if (op === Op.BGE) f.i64GeS();
    else if (op === Op.BLTU) f.i64LtU();
    else f.i64GeU();
    f.localSet(c).br(cdone);
  }
  f.end(cdflt);
  f.unreachable();
  f.end(cdone);
  f.localGet(c).localGet(it).localGet(ITERS).i32LtU().i32And().brIf(iter);
  f.end(iter);
  f.localGet(it).i32Const(0).localGet(it).i32Sub().localGet(c).select();
}

/** Leave the result of body operation op on (a = x[rs1], b = x[rs2], m = imm) on the stack. */
function emitOp(f: FunctionBuilder, op: Op, a: number, b: number, m: number): void {
  const w32 = (x: number) => f.localGet(x).i32WrapI64();
  switch (op) {
    case Op.LUI:
      f.localGet(m);
      return;
    case Op.ADDI:
    case Op.XORI:
    case Op.ORI:
    case Op.ANDI:
    case Op.SLLI:
    case Op.SRLI:
    case Op.SRAI:
    case Op.SLTI:
    case Op.SLTIU:
      f.localGet(a).localGet(m);
      break;
    case Op.ADDIW:
    case Op.SLLIW:
    case Op.SRLIW:
    case Op.SRAIW:
      w32(a);
      w32(m);
      break;
    case Op.ADDW:
    case Op.SUBW:
    case Op.SLLW:
    case Op.SRLW:
    case Op.SRAW:
    case Op.MULW:
      w32(a);
      w32(b);
      break;
    default:
      f.localGet(a).localGet(b);
  }
  switch (op) {
    case Op.ADDI:
    case Op.ADD:
      f.i64Add();
      return;
    case Op.SUB:
      f.i64Sub();
      return;
    case Op.XORI:
    case Op.XOR:
      f.i64Xor();
      return;
    case Op.ORI:
    case Op.OR:
      f.i64Or();
      return;
    case Op.ANDI:
    case Op.AND:
      f.i64And();
      return;
    case Op.SLLI:
    case Op.SLL:
      f.i64Shl();
      return;
    case Op.SRLI:
    case Op.SRL:
      f.i64ShrU();
      return;
    case Op.SRAI:
    case Op.SRA:
      f.i64ShrS();
      return;
    case Op.SLTI:
    case Op.SLT:
      f.i64LtS().i64ExtendI32U();
      return;
    case Op.SLTIU:
    case Op.SLTU:
      f.i64LtU().i64ExtendI32U();
      return;
    case Op.MUL:
      f.i64Mul();
      return;
    case Op.ADDIW:
    case Op.ADDW:
      f.i32Add();
      break;
    case Op.SUBW:
      f.i32Sub();
      break;
    case Op.SLLIW:
    case Op.SLLW:
      f.i32Shl();
      break;
    case Op.SRLIW:
    case Op.SRLW:
      f.i32ShrU();
      break;
    case Op.SRAIW:
    case Op.SRAW:
      f.i32ShrS();
      break;
    case Op.MULW:
      f.i32Mul();
      break;
    default:
      throw new Error(`loop runner: no rule for operation ${op}`);
  }
  f.i64ExtendI32S();
}
