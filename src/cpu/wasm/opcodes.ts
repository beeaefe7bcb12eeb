// The wasm instructions cxlemu emits, as one table: name, prefix, opcode, immediate kind and (for
// memory access) natural width. The builder, the WAT printer and the tests all read this table.
// Owns encodings only; never knows about RISC-V. Subset: the MVP (integer and floating point),
// sign extension, non-trapping float-to-int conversions and bulk memory (0xFC), threads/atomics
// (0xFE, no wait/notify) and tail calls (0x12, 0x13).

/** Value type codes (binary format 5.3.1) plus the reference types tables hold. */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
} as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

export function valTypeName(t: number): string {
  switch (t) {
    case ValType.i32:
      return 'i32';
    case ValType.i64:
      return 'i64';
    case ValType.f32:
      return 'f32';
    case ValType.f64:
      return 'f64';
    case ValType.v128:
      return 'v128';
    case ValType.funcref:
      return 'funcref';
    case ValType.externref:
      return 'externref';
    default:
      return `<type 0x${t.toString(16)}>`;
  }
}

/** Block type byte for "no params, no results". */
export const BLOCK_VOID = 0x40;
/** Function type constructor. */
export const FUNC_TYPE = 0x60;

export const Section = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;

export const ExternKind = { func: 0, table: 1, memory: 2, global: 3 } as const;
export type ExternKind = (typeof ExternKind)[keyof typeof ExternKind];

/** Prefix bytes. */
export const PREFIX_MISC = 0xfc;
export const PREFIX_ATOMIC = 0xfe;
/** SIMD (0xFD): only the few lane operations the JIT uses (host fused multiply-add). */
export const PREFIX_SIMD = 0xfd;

/** What follows an opcode in the binary. */
export const enum Imm {
  None,
  BlockType,
  Label,
  LabelTable,
  Func,
  /** type index, table index */
  CallIndirect,
  Local,
  Global,
  /** align (log2), offset */
  MemArg,
  /** one zero byte (memory index of memory.size/grow/fill, atomic.fence's reserved byte) */
  Zero,
  /** two zero bytes (memory.copy: dst, src memory) */
  ZeroZero,
  I32,
  I64,
  /** 4 bytes: the IEEE single's bit pattern, little-endian */
  F32,
  /** 8 bytes: the IEEE double's bit pattern, little-endian */
  F64,
  /** one byte: a SIMD lane index */
  Lane,
}

export interface OpInfo {
  readonly name: string;
  /** 0 for single-byte opcodes, else PREFIX_MISC / PREFIX_ATOMIC. */
  readonly prefix: number;
  readonly code: number;
  readonly imm: Imm;
  /** Memory access width in bytes (loads, stores, atomics). */
  readonly width?: number;
  /** Atomics require the alignment immediate to equal the natural width. */
  readonly atomic?: boolean;
}

const ops: OpInfo[] = [];
function op(name: string, code: number, imm: Imm = Imm.None, width?: number, prefix = 0, atomic = false): void {
  const o: OpInfo = { name, prefix, code, imm, ...(width ? { width } : {}), ...(atomic ? { atomic } : {}) };
  ops.push(o);
}

// Control (5.4.1).
op('unreachable', 0x00);
op('nop', 0x01);
op('block', 0x02, Imm.BlockType);
op('loop', 0x03, Imm.BlockType);
op('if', 0x04, Imm.BlockType);
op('else', 0x05);
op('end', 0x0b);
op('br', 0x0c, Imm.Label);
op('br_if', 0x0d, Imm.Label);
op('br_table', 0x0e, Imm.LabelTable);
op('return', 0x0f);
op('call', 0x10, Imm.Func);
op('call_indirect', 0x11, Imm.CallIndirect);
// Tail calls (proposal, shipped in V8 11.2 / Node 20).
op('return_call', 0x12, Imm.Func);
op('return_call_indirect', 0x13, Imm.CallIndirect);

// Parametric and variable.
op('drop', 0x1a);
op('select', 0x1b);
op('local.get', 0x20, Imm.Local);
op('local.set', 0x21, Imm.Local);
op('local.tee', 0x22, Imm.Local);
op('global.get', 0x23, Imm.Global);
op('global.set', 0x24, Imm.Global);

// Memory.
op('i32.load', 0x28, Imm.MemArg, 4);
op('i64.load', 0x29, Imm.MemArg, 8);
op('f32.load', 0x2a, Imm.MemArg, 4);
op('f64.load', 0x2b, Imm.MemArg, 8);
op('i32.load8_s', 0x2c, Imm.MemArg, 1);
op('i32.load8_u', 0x2d, Imm.MemArg, 1);
op('i32.load16_s', 0x2e, Imm.MemArg, 2);
op('i32.load16_u', 0x2f, Imm.MemArg, 2);
op('i64.load8_s', 0x30, Imm.MemArg, 1);
op('i64.load8_u', 0x31, Imm.MemArg, 1);
op('i64.load16_s', 0x32, Imm.MemArg, 2);
op('i64.load16_u', 0x33, Imm.MemArg, 2);
op('i64.load32_s', 0x34, Imm.MemArg, 4);
op('i64.load32_u', 0x35, Imm.MemArg, 4);
op('i32.store', 0x36, Imm.MemArg, 4);
op('i64.store', 0x37, Imm.MemArg, 8);
op('f32.store', 0x38, Imm.MemArg, 4);
op('f64.store', 0x39, Imm.MemArg, 8);
op('i32.store8', 0x3a, Imm.MemArg, 1);
op('i32.store16', 0x3b, Imm.MemArg, 2);
op('i64.store8', 0x3c, Imm.MemArg, 1);
op('i64.store16', 0x3d, Imm.MemArg, 2);
op('i64.store32', 0x3e, Imm.MemArg, 4);
op('memory.size', 0x3f, Imm.Zero);
op('memory.grow', 0x40, Imm.Zero);

// Constants.
op('i32.const', 0x41, Imm.I32);
op('i64.const', 0x42, Imm.I64);
op('f32.const', 0x43, Imm.F32);
op('f64.const', 0x44, Imm.F64);

// Comparisons.
const cmp = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
op('i32.eqz', 0x45);
cmp.forEach((n, i) => op(`i32.${n}`, 0x46 + i));
op('i64.eqz', 0x50);
cmp.forEach((n, i) => op(`i64.${n}`, 0x51 + i));
const fcmp = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
fcmp.forEach((n, i) => op(`f32.${n}`, 0x5b + i));
fcmp.forEach((n, i) => op(`f64.${n}`, 0x61 + i));

// Arithmetic.
const arith = [
  'clz',
  'ctz',
  'popcnt',
  'add',
  'sub',
  'mul',
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
];
arith.forEach((n, i) => op(`i32.${n}`, 0x67 + i));
arith.forEach((n, i) => op(`i64.${n}`, 0x79 + i));
const farith = ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt', 'add', 'sub', 'mul', 'div', 'min', 'max'];
[...farith, 'copysign'].forEach((n, i) => op(`f32.${n}`, 0x8b + i));
[...farith, 'copysign'].forEach((n, i) => op(`f64.${n}`, 0x99 + i));

// Conversions (named <result>.<op>_<operand>, 0xA7-0xBF in spec order) and sign extension.
[
  'i32.wrap_i64',
  'i32.trunc_f32_s',
  'i32.trunc_f32_u',
  'i32.trunc_f64_s',
  'i32.trunc_f64_u',
  'i64.extend_i32_s',
  'i64.extend_i32_u',
  'i64.trunc_f32_s',
  'i64.trunc_f32_u',
  'i64.trunc_f64_s',
  'i64.trunc_f64_u',
  'f32.convert_i32_s',
  'f32.convert_i32_u',
  'f32.convert_i64_s',
  'f32.convert_i64_u',
  'f32.demote_f64',
  'f64.convert_i32_s',
  'f64.convert_i32_u',
  'f64.convert_i64_s',
  'f64.convert_i64_u',
  'f64.promote_f32',
  'i32.reinterpret_f32',
  'i64.reinterpret_f64',
  'f32.reinterpret_i32',
  'f64.reinterpret_i64',
].forEach((n, i) => op(n, 0xa7 + i));
op('i32.extend8_s', 0xc0);
op('i32.extend16_s', 0xc1);
op('i64.extend8_s', 0xc2);
op('i64.extend16_s', 0xc3);
op('i64.extend32_s', 0xc4);

// Non-trapping float-to-int conversions (0xFC prefix): out of range saturates, NaN gives 0.
['i32', 'i64'].forEach((r, i) =>
  ['f32', 'f64'].forEach((a, j) =>
    ['s', 'u'].forEach((sg, k) => op(`${r}.trunc_sat_${a}_${sg}`, i * 4 + j * 2 + k, Imm.None, undefined, PREFIX_MISC)),
  ),
);

// Bulk memory (0xFC prefix).
op('memory.copy', 0x0a, Imm.ZeroZero, undefined, PREFIX_MISC);
op('memory.fill', 0x0b, Imm.Zero, undefined, PREFIX_MISC);

// Threads: fence, atomic loads/stores, read-modify-write (0xFE prefix). Alignment must be natural.
op('atomic.fence', 0x03, Imm.Zero, undefined, PREFIX_ATOMIC);
const atomicLs: [string, number][] = [
  ['i32.atomic.load', 4],
  ['i64.atomic.load', 8],
  ['i32.atomic.load8_u', 1],
  ['i32.atomic.load16_u', 2],
  ['i64.atomic.load8_u', 1],
  ['i64.atomic.load16_u', 2],
  ['i64.atomic.load32_u', 4],
  ['i32.atomic.store', 4],
  ['i64.atomic.store', 8],
  ['i32.atomic.store8', 1],
  ['i32.atomic.store16', 2],
  ['i64.atomic.store8', 1],
  ['i64.atomic.store16', 2],
  ['i64.atomic.store32', 4],
];
atomicLs.forEach(([n, w], i) => op(n, 0x10 + i, Imm.MemArg, w, PREFIX_ATOMIC, true));
const rmwShapes: [string, string, number][] = [
  ['i32', 'rmw', 4],
  ['i64', 'rmw', 8],
  ['i32', 'rmw8', 1],
  ['i32', 'rmw16', 2],
  ['i64', 'rmw8', 1],
  ['i64', 'rmw16', 2],
  ['i64', 'rmw32', 4],
];
['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'].forEach((rmw, r) =>
  rmwShapes.forEach(([t, shape, w], i) =>
    op(
      `${t}.atomic.${shape}.${rmw}${shape === 'rmw' ? '' : '_u'}`,
      0x1e + r * 7 + i,
      Imm.MemArg,
      w,
      PREFIX_ATOMIC,
      true,
    ),
  ),
);

// SIMD (0xFD prefix, u32 opcodes), relaxed SIMD's fused multiply-add: the JIT uses lane 0 only.
op('f64x2.splat', 0x14, Imm.None, undefined, PREFIX_SIMD);
op('f64x2.extract_lane', 0x21, Imm.Lane, undefined, PREFIX_SIMD);
op('f64x2.relaxed_madd', 0x107, Imm.None, undefined, PREFIX_SIMD);

/** Every instruction the builder can emit, in table order. */
export const OPS: readonly OpInfo[] = ops;

const byKey = new Map<number, OpInfo>();
const byName = new Map<string, OpInfo>();
for (const o of ops) {
  byKey.set(o.prefix * 0x10000 + o.code, o);
  byName.set(o.name, o);
}

/** Look up by prefix (0 for none) and opcode; undefined for instructions we never emit. */
export function opByCode(prefix: number, code: number): OpInfo | undefined {
  return byKey.get(prefix * 0x10000 + code);
}

export function opByName(name: string): OpInfo {
  const o = byName.get(name);
  if (!o) throw new Error(`bug: no wasm instruction named ${name}`);
  return o;
}

/** 'i64.atomic.rmw.cmpxchg' -> 'i64AtomicRmwCmpxchg', 'br_if' -> 'brIf': the builder's method name. */
export function methodName(name: string): string {
  const words = name.split(/[._]/);
  return words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}
