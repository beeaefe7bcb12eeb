// Emit-time type checking of one function body: the operand stack and the control frames, as the
// wasm validation algorithm (spec appendix "Validation Algorithm") tracks them. Owns only types;
// never emits bytes and never knows about RISC-V. A mismatch is our bug: it throws WasmBuilderBug
// at the emitting call, naming the instruction and the stack, instead of a V8 CompileError later.

import { WasmBuilderBug } from './errors.js';
import { Imm, OPS, type OpInfo, ValType, valTypeName } from './opcodes.js';

/** Matches any type: what a pop yields from the polymorphic stack after an unconditional branch. */
export const ANY = 0;

export interface Effect {
  readonly name: string;
  readonly pops: readonly number[];
  readonly pushes: readonly number[];
}

const { i32, i64, f32, f64 } = ValType;

/** The value type a name prefix ('i32', 'f64', ...) stands for. */
const NUM: Readonly<Record<string, number>> = { i32, i64, f32, f64 };

/** Operators taking one operand of the named type and giving one of the same type. */
const UNARY = new Set([
  'clz',
  'ctz',
  'popcnt',
  'extend8_s',
  'extend16_s',
  'extend32_s',
  'abs',
  'neg',
  'ceil',
  'floor',
  'trunc',
  'nearest',
  'sqrt',
]);

/** Operators taking two operands of the named type and giving one of the same type. */
const BINARY = new Set([
  'add',
  'sub',
  'mul',
  'div',
  'div_s',
  'div_u',
  'rem_s',
  'rem_u',
  'and',
  'or',
  'xor',
  'shl',
  'shr_s',
  'shr_u',
  'rotl',
  'rotr',
  'min',
  'max',
  'copysign',
]);

/** Conversions are named `<result>.<op>_<operand>[_s|_u]`, e.g. f64.convert_i64_s, i32.trunc_sat_f32_u. */
const CONVERSION = /^(?:wrap|extend|trunc|trunc_sat|convert|demote|promote|reinterpret)_([if](?:32|64))(?:_[su])?$/;

/**
 * Stack effect of the table's plain instructions and memory accesses, derived from their names
 * (`<type>.<op>`); undefined for control, parametric and variable instructions and for any name
 * that fits no rule (the emitting method then refuses it rather than guess).
 */
function effectOf(o: OpInfo): Omit<Effect, 'name'> | undefined {
  const n = o.name;
  const dot = n.indexOf('.');
  const t = dot > 0 ? NUM[n.slice(0, dot)] : undefined;
  if (t === undefined) return undefined;
  const op = n.slice(dot + 1);
  if (o.imm === Imm.MemArg) {
    if (op.includes('cmpxchg')) return { pops: [i32, t, t], pushes: [t] };
    if (op.includes('.rmw')) return { pops: [i32, t], pushes: [t] };
    if (op.includes('load')) return { pops: [i32], pushes: [t] };
    return { pops: [i32, t], pushes: [] }; // stores
  }
  if (o.imm !== Imm.None) return undefined; // constants: their methods push
  const conv = CONVERSION.exec(op);
  if (conv) return { pops: [NUM[conv[1]!]!], pushes: [t] };
  if (o.prefix !== 0) return undefined;
  if (op === 'eqz') return { pops: [t], pushes: [i32] };
  if (/^(eq|ne|[lg][te](_[su])?)$/.test(op)) return { pops: [t, t], pushes: [i32] };
  if (UNARY.has(op)) return { pops: [t], pushes: [t] };
  if (BINARY.has(op)) return { pops: [t, t], pushes: [t] };
  return undefined;
}

const EFFECTS = new Map<number, Effect>();
for (const o of OPS) {
  const e = effectOf(o);
  if (e) EFFECTS.set(o.prefix * 0x10000 + o.code, { name: o.name, ...e });
}

/** The stack effect of (prefix, code), if it is a plain or memory instruction. */
export function effect(prefix: number, code: number): Effect | undefined {
  return EFFECTS.get(prefix * 0x10000 + code);
}

export type FrameKind = 'func' | 'block' | 'loop' | 'if' | 'else';

interface Frame {
  kind: FrameKind;
  params: readonly number[];
  results: readonly number[];
  height: number;
  unreachable: boolean;
}

const typeText = (ts: readonly number[]): string =>
  `[${ts.map((t) => (t === ANY ? 'any' : valTypeName(t))).join(' ')}]`;

export class OperandStack {
  private readonly stack: number[] = [];
  private readonly frames: Frame[] = [];

  constructor(private readonly where: () => string) {}

  private fail(msg: string): never {
    throw new WasmBuilderBug(`${this.where()}: ${msg}`);
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** The values of the current frame, for messages. */
  private shown(): string {
    return typeText(this.stack.slice(this.top().height));
  }

  push(t: number): void {
    this.stack.push(t);
  }

  pushAll(ts: readonly number[]): void {
    for (const t of ts) this.stack.push(t);
  }

  /** Pops `types` (last one on top) for instruction `what`. Checks before popping, so the
   *  message shows the stack as the instruction found it; builds text only on failure. */
  popAll(types: readonly number[], what: string): void {
    const f = this.top();
    const n = types.length;
    const len = this.stack.length;
    const avail = len - f.height;
    for (let j = 0; j < n; j++) {
      const want = types[n - 1 - j]!;
      if (j >= avail) {
        if (!f.unreachable) this.fail(`${what} expects ${typeText(types)} but the stack has ${this.shown()}`);
        continue;
      }
      const got = this.stack[len - 1 - j]!;
      if (want !== ANY && got !== ANY && got !== want)
        this.fail(`${what} expects ${typeText(types)} but the stack has ${this.shown()}`);
    }
    this.stack.length = Math.max(f.height, len - n);
  }

  /** Pops one value of any type (drop, select); returns its type. */
  popAny(what: string): number {
    const f = this.top();
    if (this.stack.length === f.height) {
      if (!f.unreachable) this.fail(`${what} on an empty stack`);
      return ANY;
    }
    return this.stack.pop()!;
  }

  apply(e: Effect): void {
    this.popAll(e.pops, e.name);
    this.pushAll(e.pushes);
  }

  /** After br, br_table, return, return_call*, unreachable: the rest of the frame is dead code. */
  markUnreachable(): void {
    const f = this.top();
    this.stack.length = f.height;
    f.unreachable = true;
  }

  /** Opens a frame; the block's params must already be on the stack. */
  open(kind: FrameKind, params: readonly number[], results: readonly number[], what: string): void {
    if (this.frames.length) this.popAll(params, what);
    this.frames.push({ kind, params, results, height: this.stack.length, unreachable: false });
    this.pushAll(params);
  }

  private checkResults(what: string): Frame {
    const f = this.top();
    this.popAll(f.results, what);
    if (this.stack.length !== f.height)
      this.fail(`${what} leaves ${this.shown()} on the stack beyond the results ${typeText(f.results)}`);
    return f;
  }

  /** `else`: the `then` arm must have produced the results; the `else` arm starts from the params. */
  else(): void {
    const f = this.checkResults('else');
    f.kind = 'else';
    f.unreachable = false;
    this.pushAll(f.params);
  }

  /** `end` (or the function's implicit end): checks the results and pushes them in the parent. */
  end(what = 'end'): void {
    const f = this.checkResults(what);
    if (f.kind === 'if' && !sameTypes(f.params, f.results))
      this.fail(
        `if without else must have results equal to params, has ${typeText(f.params)} -> ${typeText(f.results)}`,
      );
    this.frames.pop();
    this.pushAll(f.results);
  }

  /** Types a branch to the frame at `index` (0 = function) carries. */
  labelTypes(index: number): readonly number[] {
    const f = this.frames[index]!;
    return f.kind === 'loop' ? f.params : f.results;
  }

  /** Checks that the branch values are on top, leaving them there (br_if keeps them). */
  checkBranch(index: number, what: string): void {
    const ts = this.labelTypes(index);
    this.popAll(ts, what);
    this.pushAll(ts);
  }
}

function sameTypes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
