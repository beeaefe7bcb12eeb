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
import {
  BIT_OTHER_OPS,
  BIT_REG_OPS,
  emitBitOp,
  emitBranchTest,
  emitIntOp,
  INT_IMM_OPS,
  INT_REG_OPS,
} from './jit-translate.js';
import { ModuleBuilder, ValType, type FunctionBuilder } from './wasm/module-builder.js';
import { Wasm, type WasmMemoryLike } from './wasm/wasm-api.js';

const { i32, i64 } = ValType;

/** The operations the runner executes: RV64I/M register arithmetic without division (no traps, no
 *  memory, no multiply-high) and the bit-manipulation ones, as the translator emits them. */
const BODY_OPS: readonly Op[] = [...INT_REG_OPS, ...INT_IMM_OPS, ...BIT_REG_OPS, ...BIT_OTHER_OPS];
const BIT = new Set<number>([...BIT_REG_OPS, ...BIT_OTHER_OPS]);
/** Operations with a second register operand (the rest take the immediate). */
const R_FORM = new Set<number>([...INT_REG_OPS, ...BIT_REG_OPS]);
const BRANCH_OPS: readonly Op[] = [Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const BODY = new Set<number>(BODY_OPS);
const BRANCH = new Set<number>(BRANCH_OPS);

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
  const imm = { i64: () => f.localGet(m), i32: () => f.localGet(m).i32WrapI64() };
  const getA = () => f.localGet(a);
  const getB = () => f.localGet(b);
  switchOnOp(f, w, BODY_OPS, (op, done) => {
    if (op !== Op.LUI) loadA();
    if (R_FORM.has(op)) loadB();
    else f.localGet(p).i64Load32S(4, 4).localSet(m);
    if (BIT.has(op)) emitBitOp(f, op, imm, getA, getB, tmp);
    else emitIntOp(f, op, imm, getA, getB);
    f.localSet(r).br(done);
  });
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
  switchOnOp(f, w, BRANCH_OPS, (op, done) => {
    f.localGet(a).localGet(b);
    emitBranchTest(f, op);
    f.localSet(c).br(done);
  });
  f.localGet(c).localGet(it).localGet(ITERS).i32LtU().i32And().brIf(iter);
  f.end(iter);
  f.localGet(it).i32Const(0).localGet(it).i32Sub().localGet(c).select();
}

/**
 * A switch on the operation in the low byte of local w: a br_table over the operations from the
 * smallest of `ops` to the largest, each case emitted by `body` (which must end with a branch to
 * `done`, the label after the switch); any other operation traps (the encoder writes none).
 */
function switchOnOp(
  f: FunctionBuilder,
  w: number,
  ops: readonly Op[],
  body: (op: Op, done: ReturnType<FunctionBuilder['block']>) => void,
): void {
  const done = f.block();
  const dflt = f.block();
  const labels = new Map<number, ReturnType<FunctionBuilder['block']>>();
  for (let k = ops.length - 1; k >= 0; k--) labels.set(ops[k]!, f.block());
  // Tables start at operation 0 when the smallest is small (no subtraction on the dispatch).
  const min = Math.min(...ops) < 8 ? 0 : Math.min(...ops);
  const targets = [];
  for (let op = min; op <= Math.max(...ops); op++) targets.push(labels.get(op) ?? dflt);
  f.localGet(w).i32Const(0xff).i32And();
  if (min !== 0) f.i32Const(min).i32Sub();
  f.brTable(targets, dflt);
  for (const op of ops) {
    f.end(labels.get(op)!);
    body(op, done);
  }
  f.end(dflt);
  f.unreachable();
  f.end(done);
}
