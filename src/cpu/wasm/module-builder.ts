// Writes WebAssembly modules: types, imports (shared memory, tables, functions, globals), functions
// with locals and structured control flow, exports, element segments, and a name section. Owns the
// binary format only; it never knows about RISC-V, harts or the TLB (STYLE habit 9): the block JIT
// sits above it and speaks in wasm instructions. Misuse (an operand of the wrong type, a branch to
// a closed label, an unaligned atomic, an import after a function) is our bug and throws
// WasmBuilderBug at the emitting call.

import { WasmBuilderBug } from './errors.js';
import { ByteWriter, writeS64, writeS64Halves } from './leb128.js';
import {
  BLOCK_VOID,
  ExternKind,
  FUNC_TYPE,
  PREFIX_ATOMIC,
  PREFIX_MISC,
  PREFIX_SIMD,
  Section,
  ValType,
  valTypeName,
} from './opcodes.js';
import { effect, OperandStack } from './operand-stack.js';

export { ValType } from './opcodes.js';
export { WasmBuilderBug } from './errors.js';

const { i32 } = ValType;
const NO_TYPES: readonly ValType[] = [];
const I32: readonly ValType[] = [i32];
const I32X3: readonly ValType[] = [i32, i32, i32];
const MEMORY_GROW = { name: 'memory.grow', pops: I32, pushes: I32 };

/** Scratch for float constants' bit patterns (little-endian, whatever the host). */
const scratch = new DataView(new ArrayBuffer(8));

/** Checks a 32-bit pattern argument: an integer in [-2^31, 2^32) (taken mod 2^32). */
function isBits32(v: number): boolean {
  return v >>> 0 === v || (v | 0) === v;
}

export interface ModuleOptions {
  /** Type-check every instruction as it is emitted (default true; off only for byte-level tests). */
  checkTypes?: boolean;
}

export interface FuncSig {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** `null` = no params and no results; one ValType = one result; a FuncSig = multi-value. */
export type BlockType = null | ValType | FuncSig;

export interface Limits {
  /** In wasm pages (memory) or elements (table). */
  min: number;
  max?: number;
}
export interface MemoryLimits extends Limits {
  /** Shared memories need `max`; Atomics and workers need shared. */
  shared?: boolean;
}
export interface TableLimits extends Limits {
  elem?: typeof ValType.funcref | typeof ValType.externref;
}

/** A control-flow target. `br(label)` turns it into the relative depth the binary needs. */
export class Label {
  /** @internal */
  constructor(
    readonly kind: 'func' | 'block' | 'loop' | 'if',
    /** Position in the control stack (0 = the function body). */
    readonly index: number,
  ) {}
}

/** Offset expression of an element segment: a constant, or an (imported) i32 global. */
export type ElemOffset = number | { global: number };

interface ImportEntry {
  module: string;
  name: string;
  kind: ExternKind;
  /** func: type index; table: TableLimits; memory: MemoryLimits; global: [type, mutable] */
  desc: number | TableLimits | MemoryLimits | { type: ValType; mutable: boolean };
}

function sigKey(params: readonly number[], results: readonly number[]): string {
  return `${params.join(',')}>${results.join(',')}`;
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new WasmBuilderBug(`${what}: ${v} is not a u32`);
}

function writeLimits(w: ByteWriter, l: MemoryLimits): void {
  checkU32(l.min, 'limits min');
  if (l.max !== undefined) checkU32(l.max, 'limits max');
  if (l.max !== undefined && l.max < l.min) throw new WasmBuilderBug(`limits: max ${l.max} < min ${l.min}`);
  if (l.shared) {
    if (l.max === undefined) throw new WasmBuilderBug('a shared memory needs a maximum');
    w.byte(0x03);
    w.u32(l.min);
    w.u32(l.max);
  } else if (l.max !== undefined) {
    w.byte(0x01);
    w.u32(l.min);
    w.u32(l.max);
  } else {
    w.byte(0x00);
    w.u32(l.min);
  }
}

function writeSection(out: ByteWriter, id: number, body: ByteWriter): void {
  out.byte(id);
  out.u32(body.length);
  out.bytes(body.view());
}

export class ModuleBuilder {
  readonly checkTypes: boolean;
  private readonly types: FuncSig[] = [];
  /** Type index of every function, imports first. */
  private readonly funcTypeIdx: number[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly imports: ImportEntry[] = [];
  private readonly functions: FunctionBuilder[] = [];
  private readonly tables: TableLimits[] = [];
  private readonly memories: MemoryLimits[] = [];
  private readonly globals: { type: ValType; mutable: boolean; init: number | bigint }[] = [];
  private readonly exports: { name: string; kind: ExternKind; index: number }[] = [];
  private readonly elemSegments: { table: number; offset: ElemOffset; funcs: number[] }[] = [];
  private readonly funcNames = new Map<number, string>();
  private readonly exportNames = new Set<string>();
  private importedFuncs = 0;
  private tableCount = 0;
  private memoryCount = 0;
  private globalCount = 0;
  private readonly globalTypes: { type: ValType; mutable: boolean }[] = [];

  constructor(options: ModuleOptions = {}) {
    this.checkTypes = options.checkTypes ?? true;
  }

  /** Signature of function `index` (imported or defined). */
  funcSig(index: number): FuncSig {
    const t = this.funcTypeIdx[index];
    if (t === undefined) throw new WasmBuilderBug(`no function ${index}`);
    return this.types[t]!;
  }

  /** Index of the function type (deduplicated). */
  type(params: readonly ValType[], results: readonly ValType[]): number {
    const key = sigKey(params, results);
    let i = this.typeIndex.get(key);
    if (i === undefined) {
      i = this.types.length;
      this.types.push({ params: [...params], results: [...results] });
      this.typeIndex.set(key, i);
    }
    return i;
  }

  /** The signature of a type index (for tests and the JIT's own checks). */
  sigOf(typeIndex: number): FuncSig {
    const s = this.types[typeIndex];
    if (!s) throw new WasmBuilderBug(`no type ${typeIndex}`);
    return s;
  }

  private addImport(e: ImportEntry): void {
    // Imports take the low indices of their space; defining first would renumber them.
    if (this.functions.length > 0 && e.kind === ExternKind.func)
      throw new WasmBuilderBug(`import ${e.module}.${e.name}: import functions before defining any`);
    this.imports.push(e);
  }

  /** Imports a function; returns its function index. */
  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    const t = this.type(params, results);
    this.addImport({ module, name, kind: ExternKind.func, desc: t });
    this.funcTypeIdx.push(t);
    const idx = this.importedFuncs++;
    this.funcNames.set(idx, `${module}.${name}`);
    return idx;
  }

  /** Imports a table (funcref by default); returns its table index. */
  importTable(module: string, name: string, limits: TableLimits): number {
    if (this.tables.length > 0)
      throw new WasmBuilderBug(`import table ${module}.${name}: import tables before defining any`);
    this.addImport({ module, name, kind: ExternKind.table, desc: { ...limits } });
    return this.tableCount++;
  }

  /** Imports the memory, e.g. the arena: `(import "env" "mem" (memory min max shared))`. */
  importMemory(module: string, name: string, limits: MemoryLimits): number {
    if (this.memoryCount > 0)
      throw new WasmBuilderBug(`import memory ${module}.${name}: a module has at most one memory`);
    this.addImport({ module, name, kind: ExternKind.memory, desc: { ...limits } });
    return this.memoryCount++;
  }

  /** Imports a global; returns its global index. */
  importGlobal(module: string, name: string, type: ValType, mutable = false): number {
    if (this.globals.length > 0)
      throw new WasmBuilderBug(`import global ${module}.${name}: import globals before defining any`);
    this.addImport({ module, name, kind: ExternKind.global, desc: { type, mutable } });
    this.globalTypes.push({ type, mutable });
    return this.globalCount++;
  }

  defineTable(limits: TableLimits): number {
    this.tables.push({ ...limits });
    return this.tableCount++;
  }

  defineMemory(limits: MemoryLimits): number {
    if (this.memoryCount > 0) throw new WasmBuilderBug('a module has at most one memory');
    this.memories.push({ ...limits });
    return this.memoryCount++;
  }

  /** A global initialised to a constant (i32: number; i64: number or bigint; f32, f64: number,
   *  f32 rounded with Math.fround). */
  defineGlobal(
    type: typeof ValType.i32 | typeof ValType.i64 | typeof ValType.f32 | typeof ValType.f64,
    mutable: boolean,
    init: number | bigint = 0,
  ): number {
    if ((type === ValType.f32 || type === ValType.f64) && typeof init !== 'number')
      throw new WasmBuilderBug(`a ${valTypeName(type)} global needs a number initial value, not ${typeof init}`);
    this.globals.push({ type, mutable, init });
    this.globalTypes.push({ type, mutable });
    return this.globalCount++;
  }

  /** Starts a function; its index is fixed now (after all imported functions). */
  function(name: string, params: readonly ValType[], results: readonly ValType[]): FunctionBuilder {
    const typeIdx = this.type(params, results);
    const index = this.importedFuncs + this.functions.length;
    const f = new FunctionBuilder(this, index, name, typeIdx, params, results);
    this.functions.push(f);
    this.funcTypeIdx.push(typeIdx);
    this.funcNames.set(index, name);
    return f;
  }

  get functionCount(): number {
    return this.importedFuncs + this.functions.length;
  }

  /** @internal index-space sizes, for FunctionBuilder checks (no allocation: emit is hot). */
  get tablesDeclared(): number {
    return this.tableCount;
  }
  get memoriesDeclared(): number {
    return this.memoryCount;
  }
  get typeCount(): number {
    return this.types.length;
  }

  /** @internal */
  globalType(i: number): { type: ValType; mutable: boolean } | undefined {
    return this.globalTypes[i];
  }

  private addExport(name: string, kind: ExternKind, index: number): this {
    if (this.exportNames.has(name)) throw new WasmBuilderBug(`export name ${name} used twice`);
    this.exportNames.add(name);
    this.exports.push({ name, kind, index });
    return this;
  }

  exportFunction(name: string, f: number | FunctionBuilder): this {
    const i = typeof f === 'number' ? f : f.index;
    if (i >= this.functionCount) throw new WasmBuilderBug(`export ${name}: no function ${i}`);
    return this.addExport(name, ExternKind.func, i);
  }

  exportTable(name: string, index = 0): this {
    if (index >= this.tableCount) throw new WasmBuilderBug(`export ${name}: no table ${index}`);
    return this.addExport(name, ExternKind.table, index);
  }

  exportMemory(name: string): this {
    if (this.memoryCount === 0) throw new WasmBuilderBug(`export ${name}: no memory`);
    return this.addExport(name, ExternKind.memory, 0);
  }

  exportGlobal(name: string, index: number): this {
    if (index >= this.globalCount) throw new WasmBuilderBug(`export ${name}: no global ${index}`);
    return this.addExport(name, ExternKind.global, index);
  }

  /**
   * Active element segment: at instantiation, table[offset + i] = funcs[i]. With an imported
   * table this is how a separately compiled module installs its blocks where others can
   * `return_call_indirect` them.
   */
  elements(table: number, offset: ElemOffset, funcs: readonly (number | FunctionBuilder)[]): this {
    if (table >= this.tableCount) throw new WasmBuilderBug(`element segment: no table ${table}`);
    if (typeof offset === 'number') checkU32(offset, 'element offset');
    else if (this.globalType(offset.global)?.type !== ValType.i32)
      throw new WasmBuilderBug(`element segment: global ${offset.global} is not an i32`);
    const idx = funcs.map((f) => (typeof f === 'number' ? f : f.index));
    for (const i of idx) if (i >= this.functionCount) throw new WasmBuilderBug(`element segment: no function ${i}`);
    this.elemSegments.push({ table, offset, funcs: idx });
    return this;
  }

  /** The module's binary. Finishes every function (each must have closed its blocks). */
  toBytes(): Uint8Array {
    const out = new ByteWriter(1024);
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    let s = new ByteWriter();

    s.u32(this.types.length);
    for (const t of this.types) {
      s.byte(FUNC_TYPE);
      s.u32(t.params.length);
      for (const p of t.params) s.byte(p);
      s.u32(t.results.length);
      for (const r of t.results) s.byte(r);
    }
    if (this.types.length) writeSection(out, Section.type, s);

    if (this.imports.length) {
      s = new ByteWriter();
      s.u32(this.imports.length);
      for (const im of this.imports) {
        s.name(im.module);
        s.name(im.name);
        s.byte(im.kind);
        if (im.kind === ExternKind.func) s.u32(im.desc as number);
        else if (im.kind === ExternKind.table) {
          const t = im.desc as TableLimits;
          s.byte(t.elem ?? ValType.funcref);
          writeLimits(s, t);
        } else if (im.kind === ExternKind.memory) writeLimits(s, im.desc as MemoryLimits);
        else {
          const g = im.desc as { type: ValType; mutable: boolean };
          s.byte(g.type);
          s.byte(g.mutable ? 1 : 0);
        }
      }
      writeSection(out, Section.import, s);
    }

    if (this.functions.length) {
      s = new ByteWriter();
      s.u32(this.functions.length);
      for (const f of this.functions) s.u32(f.typeIndex);
      writeSection(out, Section.function, s);
    }

    if (this.tables.length) {
      s = new ByteWriter();
      s.u32(this.tables.length);
      for (const t of this.tables) {
        s.byte(t.elem ?? ValType.funcref);
        writeLimits(s, t);
      }
      writeSection(out, Section.table, s);
    }

    if (this.memories.length) {
      s = new ByteWriter();
      s.u32(this.memories.length);
      for (const m of this.memories) writeLimits(s, m);
      writeSection(out, Section.memory, s);
    }

    if (this.globals.length) {
      s = new ByteWriter();
      s.u32(this.globals.length);
      for (const g of this.globals) {
        s.byte(g.type);
        s.byte(g.mutable ? 1 : 0);
        if (g.type === ValType.i32) {
          s.byte(0x41);
          s.s32(Number(g.init));
        } else if (g.type === ValType.f32) {
          s.byte(0x43);
          scratch.setFloat32(0, Number(g.init), true);
          s.u32le(scratch.getUint32(0, true));
        } else if (g.type === ValType.f64) {
          s.byte(0x44);
          scratch.setFloat64(0, Number(g.init), true);
          s.u32le(scratch.getUint32(0, true));
          s.u32le(scratch.getUint32(4, true));
        } else {
          s.byte(0x42);
          writeS64(s, BigInt(g.init));
        }
        s.byte(0x0b);
      }
      writeSection(out, Section.global, s);
    }

    if (this.exports.length) {
      s = new ByteWriter();
      s.u32(this.exports.length);
      for (const e of this.exports) {
        s.name(e.name);
        s.byte(e.kind);
        s.u32(e.index);
      }
      writeSection(out, Section.export, s);
    }

    if (this.elemSegments.length) {
      s = new ByteWriter();
      s.u32(this.elemSegments.length);
      for (const e of this.elemSegments) {
        // Flag 0: table 0, funcref, vec(funcidx); flag 2: explicit table index and elemkind.
        if (e.table === 0) s.byte(0x00);
        else {
          s.byte(0x02);
          s.u32(e.table);
        }
        if (typeof e.offset === 'number') {
          s.byte(0x41);
          s.s32(e.offset);
        } else {
          s.byte(0x23);
          s.u32(e.offset.global);
        }
        s.byte(0x0b);
        if (e.table !== 0) s.byte(0x00);
        s.u32(e.funcs.length);
        for (const f of e.funcs) s.u32(f);
      }
      writeSection(out, Section.element, s);
    }

    if (this.functions.length) {
      s = new ByteWriter(4096);
      s.u32(this.functions.length);
      for (const f of this.functions) {
        const body = f.finish();
        s.u32(body.length);
        s.bytes(body);
      }
      // Branch hints (custom section "metadata.code.branch_hint", which must come before the code
      // section): per function in index order, each hinted if's offset in the body (from its
      // locals header on) and 1 (likely) or 0 (unlikely).
      const hinted = this.functions.filter((f) => f.branchHints.length > 0);
      if (hinted.length > 0) {
        const h = new ByteWriter();
        h.name(BRANCH_HINT_SECTION);
        h.u32(hinted.length);
        for (const f of hinted) {
          h.u32(f.index);
          h.u32(f.branchHints.length >> 1);
          for (let i = 0; i < f.branchHints.length; i += 2) {
            h.u32(f.headerBytes + f.branchHints[i]!);
            h.u32(1);
            h.byte(f.branchHints[i + 1]!);
          }
        }
        writeSection(out, Section.custom, h);
      }
      writeSection(out, Section.code, s);
    }

    // Name section (custom): function names show in stack traces and profiles.
    if (this.funcNames.size) {
      s = new ByteWriter();
      s.name('name');
      const sub = new ByteWriter();
      const entries = [...this.funcNames].sort((a, b) => a[0] - b[0]);
      sub.u32(entries.length);
      for (const [i, n] of entries) {
        sub.u32(i);
        sub.name(n);
      }
      s.byte(1);
      s.u32(sub.length);
      s.bytes(sub.view());
      writeSection(out, Section.custom, s);
    }
    return out.toBytes();
  }
}

/** The custom section of branch hints (the branch-hinting proposal; V8 reads it with
 *  --experimental-wasm-branch-hinting, which wasm-tiering.ts sets, and TurboFan then moves the
 *  unlikely arm out of the hot path, spills included). */
export const BRANCH_HINT_SECTION = 'metadata.code.branch_hint';

/**
 * One function body. Emission methods return `this` so sequences chain:
 * `fn.localGet(0).localGet(1).i64Add()`. Locals are numbered after the parameters.
 */
export class FunctionBuilder {
  private readonly code = new ByteWriter(256);
  /** Pairs (offset of the if in the emitted code, 1 likely / 0 unlikely); the section counts from
   *  the body's start, headerBytes earlier. */
  readonly branchHints: number[] = [];
  private header = 0;
  private readonly localTypes: ValType[] = [];
  private readonly control: Label[] = [];
  private finished: Uint8Array | null = null;
  private readonly elseSeen = new WeakSet<Label>();
  /** Emit-time type checker (null when the module was built with checkTypes: false). */
  private readonly vs: OperandStack | null;
  /** The function body as a branch target (`br(fn.body)` returns). */
  readonly body: Label;

  /** @internal use ModuleBuilder.function */
  constructor(
    private readonly module: ModuleBuilder,
    readonly index: number,
    readonly name: string,
    readonly typeIndex: number,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    this.body = new Label('func', 0);
    this.control.push(this.body);
    this.vs = module.checkTypes ? new OperandStack(() => `function ${this.name} (#${this.index})`) : null;
    this.vs?.open('func', NO_TYPES, results, 'function');
  }

  private localType(i: number): ValType {
    return i < this.params.length ? this.params[i]! : this.localTypes[i - this.params.length]!;
  }

  /** Emits an opcode byte with no stack check (the caller checks). */
  private emit(code: number): void {
    this.live();
    this.code.byte(code);
  }

  /** Adds a local of `type`; returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  /** Adds `n` locals of `type`; returns the first index. */
  locals(type: ValType, n: number): number {
    const first = this.params.length + this.localTypes.length;
    for (let i = 0; i < n; i++) this.localTypes.push(type);
    return first;
  }

  get localCount(): number {
    return this.params.length + this.localTypes.length;
  }

  /** Bytes of the locals header in front of the code (known once the body is finished). */
  get headerBytes(): number {
    return this.header;
  }

  /** Bytes emitted so far into the body (without the locals header). */
  get codeSize(): number {
    return this.code.length;
  }

  private bug(msg: string): WasmBuilderBug {
    return new WasmBuilderBug(`function ${this.name} (#${this.index}): ${msg}`);
  }

  private live(): void {
    if (this.finished) throw this.bug('emitting after the body was finished');
  }

  /** Emits a single-byte opcode with no immediates (type-checked from the opcode table). */
  op(code: number): this {
    this.live();
    const vs = this.vs;
    if (vs) {
      if (code === 0x00) vs.markUnreachable();
      else if (code === 0x1a) vs.popAny('drop');
      else if (code === 0x1b) {
        vs.popAll(I32, 'select');
        const t = vs.popAny('select');
        vs.popAll([t], 'select');
        vs.push(t);
      } else if (code !== 0x01) {
        const e = effect(0, code);
        if (!e) throw this.bug(`opcode 0x${code.toString(16)} needs its own method (immediates or control flow)`);
        vs.apply(e);
      }
    }
    this.code.byte(code);
    return this;
  }

  /** f64x2.splat: f64 -> v128 (both lanes). */
  f64x2Splat(): this {
    this.live();
    this.vs?.popAll([ValType.f64], 'f64x2.splat');
    this.vs?.push(ValType.v128);
    this.code.byte(PREFIX_SIMD);
    this.code.u32(0x14);
    return this;
  }

  /** f64x2.extract_lane: v128 -> f64. */
  f64x2ExtractLane(lane: 0 | 1): this {
    this.live();
    this.vs?.popAll([ValType.v128], 'f64x2.extract_lane');
    this.vs?.push(ValType.f64);
    this.code.byte(PREFIX_SIMD);
    this.code.u32(0x21);
    this.code.byte(lane);
    return this;
  }

  /**
   * f64x2.relaxed_madd (relaxed SIMD): a*b + c per lane, fused or not as the host decides (the
   * JIT uses it only after a probe showed it fused on this host: jit.ts hostFusedMultiplyAdd).
   */
  f64x2RelaxedMadd(): this {
    this.live();
    this.vs?.popAll([ValType.v128, ValType.v128, ValType.v128], 'f64x2.relaxed_madd');
    this.vs?.push(ValType.v128);
    this.code.byte(PREFIX_SIMD);
    this.code.u32(0x107);
    return this;
  }

  /** Emits a 0xFC-prefixed instruction without immediates (the saturating truncations). */
  miscOp(code: number): this {
    this.live();
    if (this.vs) {
      const e = effect(PREFIX_MISC, code);
      if (!e) throw this.bug(`opcode 0xfc 0x${code.toString(16)} needs its own method (immediates)`);
      this.vs.apply(e);
    }
    this.code.byte(PREFIX_MISC);
    this.code.u32(code);
    return this;
  }

  /** @internal memory access: prefix 0 or 0xFE; align in bytes; offset a u32. */
  memOp(prefix: number, code: number, width: number, atomic: boolean, align: number, offset: number): this {
    this.live();
    if (this.module.memoriesDeclared === 0) throw this.bug('memory access in a module without a memory');
    if (atomic ? align !== width : !(align === 1 || align === 2 || align === 4 || align === 8) || align > width)
      throw this.bug(
        `alignment ${align} for a ${width}-byte ${atomic ? 'atomic ' : ''}access (${atomic ? 'must be natural' : 'power of two <= width'})`,
      );
    checkU32(offset, `function ${this.name}: memory offset`);
    this.vs?.apply(effect(prefix, code)!);
    if (prefix) this.code.byte(prefix);
    if (prefix) this.code.u32(code);
    else this.code.byte(code);
    this.code.byte(align === 8 ? 3 : align === 4 ? 2 : align === 2 ? 1 : 0);
    this.code.u32(offset);
    return this;
  }

  private blockSig(bt: BlockType): FuncSig {
    if (bt === null) return { params: NO_TYPES, results: NO_TYPES };
    if (typeof bt === 'number') return { params: NO_TYPES, results: [bt] };
    return bt;
  }

  private blockType(bt: BlockType): void {
    if (bt === null) this.code.byte(BLOCK_VOID);
    else if (typeof bt === 'number') this.code.byte(bt);
    else this.code.s32(this.module.type(bt.params, bt.results)); // s33 type index; small indices fit
  }

  private open(kind: 'block' | 'loop' | 'if', code: number, bt: BlockType): Label {
    this.live();
    if (this.vs) {
      if (kind === 'if') this.vs.popAll(I32, 'if');
      const sig = this.blockSig(bt);
      this.vs.open(kind, sig.params, sig.results, kind);
    }
    this.code.byte(code);
    this.blockType(bt);
    const l = new Label(kind, this.control.length);
    this.control.push(l);
    return l;
  }

  /** `block`; branching to the label jumps past its `end`. */
  block(bt: BlockType = null): Label {
    return this.open('block', 0x02, bt);
  }

  /** `loop`; branching to the label jumps back to its start. */
  loop(bt: BlockType = null): Label {
    return this.open('loop', 0x03, bt);
  }

  /** `if` (pops an i32 condition). */
  if(bt: BlockType = null): Label {
    return this.open('if', 0x04, bt);
  }

  /** `if` with a branch hint: `likely` says the condition is usually true (its arm is the hot path). */
  ifHinted(likely: boolean, bt: BlockType = null): Label {
    this.branchHints.push(this.code.length, likely ? 1 : 0);
    return this.if(bt);
  }

  /** `else` of the innermost open `if`. */
  else(): this {
    this.live();
    const top = this.control[this.control.length - 1]!;
    if (top.kind !== 'if') throw this.bug(`else without an open if (innermost is ${top.kind})`);
    if (this.elseSeen.has(top)) throw this.bug(`second else for the if at depth ${top.index}`);
    this.elseSeen.add(top);
    this.vs?.else();
    this.emit(0x05);
    return this;
  }

  /** Closes the innermost block/loop/if (pass its label to have the pairing checked). */
  end(label?: Label): this {
    this.live();
    if (this.control.length <= 1) throw this.bug('end with no open block (the body ends itself)');
    const top = this.control.pop()!;
    if (label && label !== top)
      throw this.bug(
        `end closes the ${top.kind} at depth ${top.index}, not the given ${label.kind} at depth ${label.index}`,
      );
    this.vs?.end();
    this.emit(0x0b);
    return this;
  }

  /** Relative depth of an open label. */
  depthOf(label: Label): number {
    if (this.control[label.index] !== label)
      throw this.bug(`branch to a ${label.kind} label that is closed or belongs to another function`);
    return this.control.length - 1 - label.index;
  }

  /** Number of open blocks, the body included. */
  get openBlocks(): number {
    return this.control.length;
  }

  br(label: Label): this {
    const d = this.depthOf(label);
    if (this.vs) {
      this.vs.checkBranch(label.index, 'br');
      this.vs.markUnreachable();
    }
    this.emit(0x0c);
    this.code.u32(d);
    return this;
  }

  brIf(label: Label): this {
    const d = this.depthOf(label);
    if (this.vs) {
      this.vs.popAll(I32, 'br_if');
      this.vs.checkBranch(label.index, 'br_if');
    }
    this.emit(0x0d);
    this.code.u32(d);
    return this;
  }

  /** `br_table` on an i32 index: targets[i], or `dflt` when the index is out of range. */
  brTable(targets: readonly Label[], dflt: Label): this {
    const ds = targets.map((l) => this.depthOf(l));
    const dd = this.depthOf(dflt);
    if (this.vs) {
      this.vs.popAll(I32, 'br_table');
      const n = this.vs.labelTypes(dflt.index).length;
      for (const l of targets) {
        if (this.vs.labelTypes(l.index).length !== n)
          throw this.bug(`br_table targets carry different numbers of values (default carries ${n})`);
        this.vs.checkBranch(l.index, 'br_table');
      }
      this.vs.checkBranch(dflt.index, 'br_table');
      this.vs.markUnreachable();
    }
    this.emit(0x0e);
    this.code.u32(ds.length);
    for (const d of ds) this.code.u32(d);
    this.code.u32(dd);
    return this;
  }

  return(): this {
    if (this.vs) {
      this.vs.popAll(this.results, 'return');
      this.vs.markUnreachable();
    }
    this.emit(0x0f);
    return this;
  }

  /** Type effect of a call to `sig`; a tail call must return what this function returns. */
  private callTypes(sig: FuncSig, what: string, tail: boolean, indirect: boolean): void {
    const vs = this.vs;
    if (!vs) return;
    if (indirect) vs.popAll(I32, what);
    vs.popAll(sig.params, what);
    if (tail) {
      const same = sig.results.length === this.results.length && sig.results.every((t, k) => t === this.results[k]);
      if (!same)
        throw this.bug(
          `${what} to a callee returning [${sig.results.map(valTypeName).join(' ')}] from a function returning [${this.results.map(valTypeName).join(' ')}]`,
        );
      vs.markUnreachable();
    } else vs.pushAll(sig.results);
  }

  private funcIndex(f: number | FunctionBuilder): number {
    const i = typeof f === 'number' ? f : f.index;
    if (i >= this.module.functionCount) throw this.bug(`call to function ${i}, which does not exist`);
    return i;
  }

  private typeIdx(t: number | FuncSig): number {
    const i = typeof t === 'number' ? t : this.module.type(t.params, t.results);
    if (i >= this.module.typeCount) throw this.bug(`type ${i} does not exist`);
    return i;
  }

  private tableIdx(t: number): number {
    if (t >= this.module.tablesDeclared) throw this.bug(`table ${t} does not exist`);
    return t;
  }

  call(f: number | FunctionBuilder): this {
    const i = this.funcIndex(f);
    this.callTypes(this.module.funcSig(i), 'call', false, false);
    this.emit(0x10);
    this.code.u32(i);
    return this;
  }

  /** `call_indirect` (pops an i32 table slot). */
  callIndirect(type: number | FuncSig, table = 0): this {
    const ti = this.typeIdx(type);
    const tb = this.tableIdx(table);
    this.callTypes(this.module.sigOf(ti), 'call_indirect', false, true);
    this.emit(0x11);
    this.code.u32(ti);
    this.code.u32(tb);
    return this;
  }

  /** Tail call: the callee replaces this frame (its results must match this function's). */
  returnCall(f: number | FunctionBuilder): this {
    const i = this.funcIndex(f);
    this.callTypes(this.module.funcSig(i), 'return_call', true, false);
    this.emit(0x12);
    this.code.u32(i);
    return this;
  }

  /** Tail call through a table slot (pops an i32): chains blocks across modules. */
  returnCallIndirect(type: number | FuncSig, table = 0): this {
    const ti = this.typeIdx(type);
    const tb = this.tableIdx(table);
    this.callTypes(this.module.sigOf(ti), 'return_call_indirect', true, true);
    this.emit(0x13);
    this.code.u32(ti);
    this.code.u32(tb);
    return this;
  }

  private localIdx(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.localCount)
      throw this.bug(`local ${i} does not exist (${this.localCount} locals)`);
    return i;
  }

  localGet(i: number): this {
    this.localIdx(i);
    this.vs?.push(this.localType(i));
    this.emit(0x20);
    this.code.u32(i);
    return this;
  }

  localSet(i: number): this {
    this.localIdx(i);
    this.vs?.popAll([this.localType(i)], 'local.set');
    this.emit(0x21);
    this.code.u32(i);
    return this;
  }

  localTee(i: number): this {
    this.localIdx(i);
    if (this.vs) {
      this.vs.popAll([this.localType(i)], 'local.tee');
      this.vs.push(this.localType(i));
    }
    this.emit(0x22);
    this.code.u32(i);
    return this;
  }

  globalGet(i: number): this {
    const g = this.module.globalType(i);
    if (!g) throw this.bug(`global ${i} does not exist`);
    this.vs?.push(g.type);
    this.emit(0x23);
    this.code.u32(i);
    return this;
  }

  globalSet(i: number): this {
    const g = this.module.globalType(i);
    if (!g) throw this.bug(`global ${i} does not exist`);
    if (!g.mutable) throw this.bug(`global.set of immutable global ${i}`);
    this.vs?.popAll([g.type], 'global.set');
    this.emit(0x24);
    this.code.u32(i);
    return this;
  }

  /** i32.const of an integer in [-2^31, 2^32) (values >= 2^31 are the same bit pattern). */
  i32Const(v: number): this {
    this.vs?.push(ValType.i32);
    this.emit(0x41);
    this.code.s32(v);
    return this;
  }

  /** i64.const of a safe integer or a bigint in [-2^63, 2^64). */
  i64Const(v: number | bigint): this {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw this.bug(`i64.const ${v} is not a safe integer (pass a bigint or halves)`);
      // Split without 32-bit operators on the full value.
      const lo = v % 0x1_0000_0000;
      const hi = Math.floor(v / 0x1_0000_0000);
      return this.i64ConstHalves(lo < 0 ? lo + 0x1_0000_0000 : lo, hi);
    }
    this.vs?.push(ValType.i64);
    this.emit(0x42);
    writeS64(this.code, v);
    return this;
  }

  /** i64.const of the 64-bit value hi:lo (halves taken mod 2^32), as guest registers hold it. */
  i64ConstHalves(lo: number, hi: number): this {
    this.vs?.push(ValType.i64);
    this.emit(0x42);
    writeS64Halves(this.code, lo, hi);
    return this;
  }

  /** f32.const of `v` rounded to single (Math.fround). A NaN argument gives some quiet NaN: use
   *  f32ConstBits for a particular payload. */
  f32Const(v: number): this {
    scratch.setFloat32(0, v, true);
    return this.f32ConstBits(scratch.getUint32(0, true));
  }

  /** f32.const of the exact single bit pattern `bits` (integer in [-2^31, 2^32), taken mod 2^32):
   *  signalling NaNs and payloads survive, which a JS number cannot promise. */
  f32ConstBits(bits: number): this {
    if (!isBits32(bits)) throw this.bug(`f32.const bits ${bits} is not a 32-bit pattern`);
    this.vs?.push(ValType.f32);
    this.emit(0x43);
    this.code.u32le(bits);
    return this;
  }

  /** f64.const of `v`. A NaN argument gives the bits the engine keeps for it: use f64ConstBits for
   *  a particular payload. */
  f64Const(v: number): this {
    scratch.setFloat64(0, v, true);
    return this.f64ConstBits(scratch.getUint32(0, true), scratch.getUint32(4, true));
  }

  /** f64.const of the exact double bit pattern hi:lo (each half an integer in [-2^31, 2^32), taken
   *  mod 2^32), as an FP register holds it. */
  f64ConstBits(lo: number, hi: number): this {
    if (!isBits32(lo) || !isBits32(hi)) throw this.bug(`f64.const halves ${lo}, ${hi} are not 32-bit patterns`);
    this.vs?.push(ValType.f64);
    this.emit(0x44);
    this.code.u32le(lo);
    this.code.u32le(hi);
    return this;
  }

  memorySize(): this {
    this.vs?.push(i32);
    this.emit(0x3f);
    this.code.byte(0);
    return this;
  }

  memoryGrow(): this {
    this.vs?.apply(MEMORY_GROW);
    this.emit(0x40);
    this.code.byte(0);
    return this;
  }

  /** memory.copy (dst, src, n: i32). */
  memoryCopy(): this {
    this.live();
    this.vs?.popAll(I32X3, 'memory.copy');
    this.code.bytes([PREFIX_MISC, 0x0a, 0x00, 0x00]);
    return this;
  }

  /** memory.fill (dst, byte, n: i32). */
  memoryFill(): this {
    this.live();
    this.vs?.popAll(I32X3, 'memory.fill');
    this.code.bytes([PREFIX_MISC, 0x0b, 0x00]);
    return this;
  }

  /** atomic.fence (sequentially consistent). */
  atomicFence(): this {
    this.live();
    this.code.bytes([PREFIX_ATOMIC, 0x03, 0x00]);
    return this;
  }

  /** Body with locals header and the final `end`; every block must be closed. @internal */
  finish(): Uint8Array {
    if (this.finished) return this.finished;
    if (this.control.length !== 1) {
      const open = this.control
        .slice(1)
        .map((l) => `${l.kind}@${l.index}`)
        .join(', ');
      throw this.bug(`finished with open blocks: ${open}`);
    }
    this.vs?.end('the function end');
    const w = new ByteWriter(this.code.length + 16);
    // Locals: runs of equal type.
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    w.u32(runs.length);
    for (const [n, t] of runs) {
      w.u32(n);
      w.byte(t);
    }
    this.header = w.length;
    w.bytes(this.code.view());
    w.byte(0x0b);
    this.finished = w.toBytes();
    return this.finished;
  }

  // --- Instructions without immediates and memory accesses: generated from opcodes.ts's table
  // (a test checks each method emits its table entry). ---
  unreachable(): this {
    return this.op(0x00);
  }
  nop(): this {
    return this.op(0x01);
  }
  drop(): this {
    return this.op(0x1a);
  }
  select(): this {
    return this.op(0x1b);
  }
  i32Load(align = 4, offset = 0): this {
    return this.memOp(0, 0x28, 4, false, align, offset);
  }
  i64Load(align = 8, offset = 0): this {
    return this.memOp(0, 0x29, 8, false, align, offset);
  }
  f32Load(align = 4, offset = 0): this {
    return this.memOp(0, 0x2a, 4, false, align, offset);
  }
  f64Load(align = 8, offset = 0): this {
    return this.memOp(0, 0x2b, 8, false, align, offset);
  }
  i32Load8S(align = 1, offset = 0): this {
    return this.memOp(0, 0x2c, 1, false, align, offset);
  }
  i32Load8U(align = 1, offset = 0): this {
    return this.memOp(0, 0x2d, 1, false, align, offset);
  }
  i32Load16S(align = 2, offset = 0): this {
    return this.memOp(0, 0x2e, 2, false, align, offset);
  }
  i32Load16U(align = 2, offset = 0): this {
    return this.memOp(0, 0x2f, 2, false, align, offset);
  }
  i64Load8S(align = 1, offset = 0): this {
    return this.memOp(0, 0x30, 1, false, align, offset);
  }
  i64Load8U(align = 1, offset = 0): this {
    return this.memOp(0, 0x31, 1, false, align, offset);
  }
  i64Load16S(align = 2, offset = 0): this {
    return this.memOp(0, 0x32, 2, false, align, offset);
  }
  i64Load16U(align = 2, offset = 0): this {
    return this.memOp(0, 0x33, 2, false, align, offset);
  }
  i64Load32S(align = 4, offset = 0): this {
    return this.memOp(0, 0x34, 4, false, align, offset);
  }
  i64Load32U(align = 4, offset = 0): this {
    return this.memOp(0, 0x35, 4, false, align, offset);
  }
  i32Store(align = 4, offset = 0): this {
    return this.memOp(0, 0x36, 4, false, align, offset);
  }
  i64Store(align = 8, offset = 0): this {
    return this.memOp(0, 0x37, 8, false, align, offset);
  }
  f32Store(align = 4, offset = 0): this {
    return this.memOp(0, 0x38, 4, false, align, offset);
  }
  f64Store(align = 8, offset = 0): this {
    return this.memOp(0, 0x39, 8, false, align, offset);
  }
  i32Store8(align = 1, offset = 0): this {
    return this.memOp(0, 0x3a, 1, false, align, offset);
  }
  i32Store16(align = 2, offset = 0): this {
    return this.memOp(0, 0x3b, 2, false, align, offset);
  }
  i64Store8(align = 1, offset = 0): this {
    return this.memOp(0, 0x3c, 1, false, align, offset);
  }
  i64Store16(align = 2, offset = 0): this {
    return this.memOp(0, 0x3d, 2, false, align, offset);
  }
  i64Store32(align = 4, offset = 0): this {
    return this.memOp(0, 0x3e, 4, false, align, offset);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32GtU(): this {
    return this.op(0x4b);
  }
  i32LeS(): this {
    return this.op(0x4c);
  }
  i32LeU(): this {
    return this.op(0x4d);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  i64Eqz(): this {
    return this.op(0x50);
  }
  i64Eq(): this {
    return this.op(0x51);
  }
  i64Ne(): this {
    return this.op(0x52);
  }
  i64LtS(): this {
    return this.op(0x53);
  }
  i64LtU(): this {
    return this.op(0x54);
  }
  i64GtS(): this {
    return this.op(0x55);
  }
  i64GtU(): this {
    return this.op(0x56);
  }
  i64LeS(): this {
    return this.op(0x57);
  }
  i64LeU(): this {
    return this.op(0x58);
  }
  i64GeS(): this {
    return this.op(0x59);
  }
  i64GeU(): this {
    return this.op(0x5a);
  }
  f32Eq(): this {
    return this.op(0x5b);
  }
  f32Ne(): this {
    return this.op(0x5c);
  }
  f32Lt(): this {
    return this.op(0x5d);
  }
  f32Gt(): this {
    return this.op(0x5e);
  }
  f32Le(): this {
    return this.op(0x5f);
  }
  f32Ge(): this {
    return this.op(0x60);
  }
  f64Eq(): this {
    return this.op(0x61);
  }
  f64Ne(): this {
    return this.op(0x62);
  }
  f64Lt(): this {
    return this.op(0x63);
  }
  f64Gt(): this {
    return this.op(0x64);
  }
  f64Le(): this {
    return this.op(0x65);
  }
  f64Ge(): this {
    return this.op(0x66);
  }
  i32Clz(): this {
    return this.op(0x67);
  }
  i32Ctz(): this {
    return this.op(0x68);
  }
  i32Popcnt(): this {
    return this.op(0x69);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32DivS(): this {
    return this.op(0x6d);
  }
  i32DivU(): this {
    return this.op(0x6e);
  }
  i32RemS(): this {
    return this.op(0x6f);
  }
  i32RemU(): this {
    return this.op(0x70);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  i32Xor(): this {
    return this.op(0x73);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrS(): this {
    return this.op(0x75);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32Rotl(): this {
    return this.op(0x77);
  }
  i32Rotr(): this {
    return this.op(0x78);
  }
  i64Clz(): this {
    return this.op(0x79);
  }
  i64Ctz(): this {
    return this.op(0x7a);
  }
  i64Popcnt(): this {
    return this.op(0x7b);
  }
  i64Add(): this {
    return this.op(0x7c);
  }
  i64Sub(): this {
    return this.op(0x7d);
  }
  i64Mul(): this {
    return this.op(0x7e);
  }
  i64DivS(): this {
    return this.op(0x7f);
  }
  i64DivU(): this {
    return this.op(0x80);
  }
  i64RemS(): this {
    return this.op(0x81);
  }
  i64RemU(): this {
    return this.op(0x82);
  }
  i64And(): this {
    return this.op(0x83);
  }
  i64Or(): this {
    return this.op(0x84);
  }
  i64Xor(): this {
    return this.op(0x85);
  }
  i64Shl(): this {
    return this.op(0x86);
  }
  i64ShrS(): this {
    return this.op(0x87);
  }
  i64ShrU(): this {
    return this.op(0x88);
  }
  i64Rotl(): this {
    return this.op(0x89);
  }
  i64Rotr(): this {
    return this.op(0x8a);
  }
  f32Abs(): this {
    return this.op(0x8b);
  }
  f32Neg(): this {
    return this.op(0x8c);
  }
  f32Ceil(): this {
    return this.op(0x8d);
  }
  f32Floor(): this {
    return this.op(0x8e);
  }
  f32Trunc(): this {
    return this.op(0x8f);
  }
  f32Nearest(): this {
    return this.op(0x90);
  }
  f32Sqrt(): this {
    return this.op(0x91);
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Div(): this {
    return this.op(0x95);
  }
  f32Min(): this {
    return this.op(0x96);
  }
  f32Max(): this {
    return this.op(0x97);
  }
  f32Copysign(): this {
    return this.op(0x98);
  }
  f64Abs(): this {
    return this.op(0x99);
  }
  f64Neg(): this {
    return this.op(0x9a);
  }
  f64Ceil(): this {
    return this.op(0x9b);
  }
  f64Floor(): this {
    return this.op(0x9c);
  }
  f64Trunc(): this {
    return this.op(0x9d);
  }
  f64Nearest(): this {
    return this.op(0x9e);
  }
  f64Sqrt(): this {
    return this.op(0x9f);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Sub(): this {
    return this.op(0xa1);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64Div(): this {
    return this.op(0xa3);
  }
  f64Min(): this {
    return this.op(0xa4);
  }
  f64Max(): this {
    return this.op(0xa5);
  }
  f64Copysign(): this {
    return this.op(0xa6);
  }
  i32WrapI64(): this {
    return this.op(0xa7);
  }
  i32TruncF32S(): this {
    return this.op(0xa8);
  }
  i32TruncF32U(): this {
    return this.op(0xa9);
  }
  i32TruncF64S(): this {
    return this.op(0xaa);
  }
  i32TruncF64U(): this {
    return this.op(0xab);
  }
  i64ExtendI32S(): this {
    return this.op(0xac);
  }
  i64ExtendI32U(): this {
    return this.op(0xad);
  }
  i64TruncF32S(): this {
    return this.op(0xae);
  }
  i64TruncF32U(): this {
    return this.op(0xaf);
  }
  i64TruncF64S(): this {
    return this.op(0xb0);
  }
  i64TruncF64U(): this {
    return this.op(0xb1);
  }
  f32ConvertI32S(): this {
    return this.op(0xb2);
  }
  f32ConvertI32U(): this {
    return this.op(0xb3);
  }
  f32ConvertI64S(): this {
    return this.op(0xb4);
  }
  f32ConvertI64U(): this {
    return this.op(0xb5);
  }
  f32DemoteF64(): this {
    return this.op(0xb6);
  }
  f64ConvertI32S(): this {
    return this.op(0xb7);
  }
  f64ConvertI32U(): this {
    return this.op(0xb8);
  }
  f64ConvertI64S(): this {
    return this.op(0xb9);
  }
  f64ConvertI64U(): this {
    return this.op(0xba);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
  i32ReinterpretF32(): this {
    return this.op(0xbc);
  }
  i64ReinterpretF64(): this {
    return this.op(0xbd);
  }
  f32ReinterpretI32(): this {
    return this.op(0xbe);
  }
  f64ReinterpretI64(): this {
    return this.op(0xbf);
  }
  i32Extend8S(): this {
    return this.op(0xc0);
  }
  i32Extend16S(): this {
    return this.op(0xc1);
  }
  i64Extend8S(): this {
    return this.op(0xc2);
  }
  i64Extend16S(): this {
    return this.op(0xc3);
  }
  i64Extend32S(): this {
    return this.op(0xc4);
  }
  i32TruncSatF32S(): this {
    return this.miscOp(0x00);
  }
  i32TruncSatF32U(): this {
    return this.miscOp(0x01);
  }
  i32TruncSatF64S(): this {
    return this.miscOp(0x02);
  }
  i32TruncSatF64U(): this {
    return this.miscOp(0x03);
  }
  i64TruncSatF32S(): this {
    return this.miscOp(0x04);
  }
  i64TruncSatF32U(): this {
    return this.miscOp(0x05);
  }
  i64TruncSatF64S(): this {
    return this.miscOp(0x06);
  }
  i64TruncSatF64U(): this {
    return this.miscOp(0x07);
  }
  i32AtomicLoad(offset = 0): this {
    return this.memOp(0xfe, 0x10, 4, true, 4, offset);
  }
  i64AtomicLoad(offset = 0): this {
    return this.memOp(0xfe, 0x11, 8, true, 8, offset);
  }
  i32AtomicLoad8U(offset = 0): this {
    return this.memOp(0xfe, 0x12, 1, true, 1, offset);
  }
  i32AtomicLoad16U(offset = 0): this {
    return this.memOp(0xfe, 0x13, 2, true, 2, offset);
  }
  i64AtomicLoad8U(offset = 0): this {
    return this.memOp(0xfe, 0x14, 1, true, 1, offset);
  }
  i64AtomicLoad16U(offset = 0): this {
    return this.memOp(0xfe, 0x15, 2, true, 2, offset);
  }
  i64AtomicLoad32U(offset = 0): this {
    return this.memOp(0xfe, 0x16, 4, true, 4, offset);
  }
  i32AtomicStore(offset = 0): this {
    return this.memOp(0xfe, 0x17, 4, true, 4, offset);
  }
  i64AtomicStore(offset = 0): this {
    return this.memOp(0xfe, 0x18, 8, true, 8, offset);
  }
  i32AtomicStore8(offset = 0): this {
    return this.memOp(0xfe, 0x19, 1, true, 1, offset);
  }
  i32AtomicStore16(offset = 0): this {
    return this.memOp(0xfe, 0x1a, 2, true, 2, offset);
  }
  i64AtomicStore8(offset = 0): this {
    return this.memOp(0xfe, 0x1b, 1, true, 1, offset);
  }
  i64AtomicStore16(offset = 0): this {
    return this.memOp(0xfe, 0x1c, 2, true, 2, offset);
  }
  i64AtomicStore32(offset = 0): this {
    return this.memOp(0xfe, 0x1d, 4, true, 4, offset);
  }
  i32AtomicRmwAdd(offset = 0): this {
    return this.memOp(0xfe, 0x1e, 4, true, 4, offset);
  }
  i64AtomicRmwAdd(offset = 0): this {
    return this.memOp(0xfe, 0x1f, 8, true, 8, offset);
  }
  i32AtomicRmw8AddU(offset = 0): this {
    return this.memOp(0xfe, 0x20, 1, true, 1, offset);
  }
  i32AtomicRmw16AddU(offset = 0): this {
    return this.memOp(0xfe, 0x21, 2, true, 2, offset);
  }
  i64AtomicRmw8AddU(offset = 0): this {
    return this.memOp(0xfe, 0x22, 1, true, 1, offset);
  }
  i64AtomicRmw16AddU(offset = 0): this {
    return this.memOp(0xfe, 0x23, 2, true, 2, offset);
  }
  i64AtomicRmw32AddU(offset = 0): this {
    return this.memOp(0xfe, 0x24, 4, true, 4, offset);
  }
  i32AtomicRmwSub(offset = 0): this {
    return this.memOp(0xfe, 0x25, 4, true, 4, offset);
  }
  i64AtomicRmwSub(offset = 0): this {
    return this.memOp(0xfe, 0x26, 8, true, 8, offset);
  }
  i32AtomicRmw8SubU(offset = 0): this {
    return this.memOp(0xfe, 0x27, 1, true, 1, offset);
  }
  i32AtomicRmw16SubU(offset = 0): this {
    return this.memOp(0xfe, 0x28, 2, true, 2, offset);
  }
  i64AtomicRmw8SubU(offset = 0): this {
    return this.memOp(0xfe, 0x29, 1, true, 1, offset);
  }
  i64AtomicRmw16SubU(offset = 0): this {
    return this.memOp(0xfe, 0x2a, 2, true, 2, offset);
  }
  i64AtomicRmw32SubU(offset = 0): this {
    return this.memOp(0xfe, 0x2b, 4, true, 4, offset);
  }
  i32AtomicRmwAnd(offset = 0): this {
    return this.memOp(0xfe, 0x2c, 4, true, 4, offset);
  }
  i64AtomicRmwAnd(offset = 0): this {
    return this.memOp(0xfe, 0x2d, 8, true, 8, offset);
  }
  i32AtomicRmw8AndU(offset = 0): this {
    return this.memOp(0xfe, 0x2e, 1, true, 1, offset);
  }
  i32AtomicRmw16AndU(offset = 0): this {
    return this.memOp(0xfe, 0x2f, 2, true, 2, offset);
  }
  i64AtomicRmw8AndU(offset = 0): this {
    return this.memOp(0xfe, 0x30, 1, true, 1, offset);
  }
  i64AtomicRmw16AndU(offset = 0): this {
    return this.memOp(0xfe, 0x31, 2, true, 2, offset);
  }
  i64AtomicRmw32AndU(offset = 0): this {
    return this.memOp(0xfe, 0x32, 4, true, 4, offset);
  }
  i32AtomicRmwOr(offset = 0): this {
    return this.memOp(0xfe, 0x33, 4, true, 4, offset);
  }
  i64AtomicRmwOr(offset = 0): this {
    return this.memOp(0xfe, 0x34, 8, true, 8, offset);
  }
  i32AtomicRmw8OrU(offset = 0): this {
    return this.memOp(0xfe, 0x35, 1, true, 1, offset);
  }
  i32AtomicRmw16OrU(offset = 0): this {
    return this.memOp(0xfe, 0x36, 2, true, 2, offset);
  }
  i64AtomicRmw8OrU(offset = 0): this {
    return this.memOp(0xfe, 0x37, 1, true, 1, offset);
  }
  i64AtomicRmw16OrU(offset = 0): this {
    return this.memOp(0xfe, 0x38, 2, true, 2, offset);
  }
  i64AtomicRmw32OrU(offset = 0): this {
    return this.memOp(0xfe, 0x39, 4, true, 4, offset);
  }
  i32AtomicRmwXor(offset = 0): this {
    return this.memOp(0xfe, 0x3a, 4, true, 4, offset);
  }
  i64AtomicRmwXor(offset = 0): this {
    return this.memOp(0xfe, 0x3b, 8, true, 8, offset);
  }
  i32AtomicRmw8XorU(offset = 0): this {
    return this.memOp(0xfe, 0x3c, 1, true, 1, offset);
  }
  i32AtomicRmw16XorU(offset = 0): this {
    return this.memOp(0xfe, 0x3d, 2, true, 2, offset);
  }
  i64AtomicRmw8XorU(offset = 0): this {
    return this.memOp(0xfe, 0x3e, 1, true, 1, offset);
  }
  i64AtomicRmw16XorU(offset = 0): this {
    return this.memOp(0xfe, 0x3f, 2, true, 2, offset);
  }
  i64AtomicRmw32XorU(offset = 0): this {
    return this.memOp(0xfe, 0x40, 4, true, 4, offset);
  }
  i32AtomicRmwXchg(offset = 0): this {
    return this.memOp(0xfe, 0x41, 4, true, 4, offset);
  }
  i64AtomicRmwXchg(offset = 0): this {
    return this.memOp(0xfe, 0x42, 8, true, 8, offset);
  }
  i32AtomicRmw8XchgU(offset = 0): this {
    return this.memOp(0xfe, 0x43, 1, true, 1, offset);
  }
  i32AtomicRmw16XchgU(offset = 0): this {
    return this.memOp(0xfe, 0x44, 2, true, 2, offset);
  }
  i64AtomicRmw8XchgU(offset = 0): this {
    return this.memOp(0xfe, 0x45, 1, true, 1, offset);
  }
  i64AtomicRmw16XchgU(offset = 0): this {
    return this.memOp(0xfe, 0x46, 2, true, 2, offset);
  }
  i64AtomicRmw32XchgU(offset = 0): this {
    return this.memOp(0xfe, 0x47, 4, true, 4, offset);
  }
  i32AtomicRmwCmpxchg(offset = 0): this {
    return this.memOp(0xfe, 0x48, 4, true, 4, offset);
  }
  i64AtomicRmwCmpxchg(offset = 0): this {
    return this.memOp(0xfe, 0x49, 8, true, 8, offset);
  }
  i32AtomicRmw8CmpxchgU(offset = 0): this {
    return this.memOp(0xfe, 0x4a, 1, true, 1, offset);
  }
  i32AtomicRmw16CmpxchgU(offset = 0): this {
    return this.memOp(0xfe, 0x4b, 2, true, 2, offset);
  }
  i64AtomicRmw8CmpxchgU(offset = 0): this {
    return this.memOp(0xfe, 0x4c, 1, true, 1, offset);
  }
  i64AtomicRmw16CmpxchgU(offset = 0): this {
    return this.memOp(0xfe, 0x4d, 2, true, 2, offset);
  }
  i64AtomicRmw32CmpxchgU(offset = 0): this {
    return this.memOp(0xfe, 0x4e, 4, true, 4, offset);
  }
}
