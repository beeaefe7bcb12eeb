// Prints a module binary as WAT-like text, for expect tests (STYLE habit 9) and for reading what
// the JIT emitted. It decodes the bytes actually produced, so a golden file pins the binary, not
// the builder's intentions. Owns no state; knows only the instructions in opcodes.ts and throws
// on anything else (its input is our own output).

import { ByteReader } from './leb128.js';
import { BRANCH_HINT_SECTION } from './module-builder.js';
import { ExternKind, Imm, opByCode, PREFIX_ATOMIC, PREFIX_MISC, PREFIX_SIMD, Section, valTypeName } from './opcodes.js';

interface Sig {
  params: number[];
  results: number[];
}

function limitsText(r: ByteReader): string {
  const flag = r.byte();
  const min = r.u32();
  if (flag === 0x00) return `${min}`;
  const max = r.u32();
  if (flag === 0x01) return `${min} ${max}`;
  if (flag === 0x03) return `${min} ${max} shared`;
  throw new Error(`wat: limits flag 0x${flag.toString(16)}`);
}

function sigText(s: Sig): string {
  const p = s.params.length ? ` (param ${s.params.map(valTypeName).join(' ')})` : '';
  const q = s.results.length ? ` (result ${s.results.map(valTypeName).join(' ')})` : '';
  return p + q;
}

/** Constants: decimal when small, else the hex bit pattern (addresses, masks, tags). */
function constText(v: bigint, bits: number): string {
  const a = v < 0n ? -v : v;
  if (a < 65536n) return v.toString();
  return '0x' + BigInt.asUintN(bits, v).toString(16);
}

const scratch = new DataView(new ArrayBuffer(8));

/** `v` as the shortest decimal that reads back as the same number (f32: after rounding to single). */
function shortestDecimal(v: number, single: boolean): string {
  if (Object.is(v, -0)) return '-0';
  if (!single) return String(v);
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return String(d);
  }
  return String(v);
}

/**
 * A float's bit pattern in WAT syntax, exactly: `inf`, `-inf`, `nan:0x<payload>` (always with the
 * payload, so quiet and signalling NaNs differ), zeros as `0x0p+0`/`-0x0p+0`, every other value as
 * a normalised hex float (`0x1.8p+1`; subnormals too, `0x1p-149`) followed by the shortest decimal
 * in a comment (`(;=3;)`), as wasm2wat prints them.
 */
function floatText(
  negative: boolean,
  exp: number,
  frac: bigint,
  fracBits: number,
  expBits: number,
  value: number,
  single: boolean,
): string {
  const sign = negative ? '-' : '';
  if (exp === (1 << expBits) - 1) return frac === 0n ? `${sign}inf` : `${sign}nan:0x${frac.toString(16)}`;
  if (exp === 0 && frac === 0n) return `${sign}0x0p+0`;
  const bias = (1 << (expBits - 1)) - 1;
  const one = 1n << BigInt(fracBits);
  let e = exp === 0 ? 1 - bias : exp - bias;
  let m = frac;
  if (exp === 0) {
    while (m < one) {
      m <<= 1n;
      e--;
    }
    m -= one;
  }
  const digits = Math.ceil(fracBits / 4);
  const hex = (m << BigInt(digits * 4 - fracBits)).toString(16).padStart(digits, '0').replace(/0+$/, '');
  return `${sign}0x1${hex ? `.${hex}` : ''}p${e < 0 ? '' : '+'}${e} (;=${shortestDecimal(value, single)};)`;
}

/** f32 immediate text from its bit pattern (see floatText). */
export function f32Text(bits: number): string {
  scratch.setUint32(0, bits, true);
  const v = scratch.getFloat32(0, true);
  return floatText(bits >>> 31 === 1, (bits >>> 23) & 0xff, BigInt(bits & 0x7f_ffff), 23, 8, v, true);
}

/** f64 immediate text from the halves of its bit pattern (see floatText). */
export function f64Text(lo: number, hi: number): string {
  scratch.setUint32(0, lo, true);
  scratch.setUint32(4, hi, true);
  const v = scratch.getFloat64(0, true);
  const frac = (BigInt(hi & 0xf_ffff) << 32n) | BigInt(lo >>> 0);
  return floatText(hi >>> 31 === 1, (hi >>> 20) & 0x7ff, frac, 52, 11, v, false);
}

function exprText(r: ByteReader): string {
  const op = r.byte();
  let t: string;
  if (op === 0x41) t = `i32.const ${constText(BigInt(r.s32()), 32)}`;
  else if (op === 0x42) t = `i64.const ${constText(r.s64(), 64)}`;
  else if (op === 0x43) t = `f32.const ${f32Text(r.u32le())}`;
  else if (op === 0x44) {
    const lo = r.u32le();
    t = `f64.const ${f64Text(lo, r.u32le())}`;
  } else if (op === 0x23) t = `global.get ${r.u32()}`;
  else throw new Error(`wat: constant expression opcode 0x${op.toString(16)}`);
  if (r.byte() !== 0x0b) throw new Error('wat: constant expression without end');
  return `(${t})`;
}

export function printWat(bytes: Uint8Array): string {
  const r = new ByteReader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const m of magic) if (r.byte() !== m) throw new Error('wat: not a wasm 1.0 module');

  const types: Sig[] = [];
  const funcTypes: number[] = []; // type index of every function, imports first
  const names = new Map<number, string>();
  const lines: string[] = [];
  const bodies: { start: number; end: number }[] = [];
  const hints = new Map<number, Map<number, number>>();
  let importedFuncs = 0;
  let tables = 0;
  let memories = 0;
  let globals = 0;
  const tail: string[] = []; // exports and elements print after the functions

  // Pass 1: sections. The name section comes last, so function bodies print after it is read.
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const s = new ByteReader(bytes.subarray(r.pos, end));
    r.pos = end;
    switch (id) {
      case Section.type: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          if (s.byte() !== 0x60) throw new Error('wat: type is not a func type');
          const params = Array.from({ length: s.u32() }, () => s.byte());
          const results = Array.from({ length: s.u32() }, () => s.byte());
          types.push({ params, results });
          lines.push(`  (type (;${i};) (func${sigText(types[i]!)}))`);
        }
        break;
      }
      case Section.import: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const mod = s.name();
          const nm = s.name();
          const kind = s.byte();
          let d: string;
          if (kind === ExternKind.func) {
            const t = s.u32();
            funcTypes.push(t);
            d = `(func (;${importedFuncs++};) (type ${t}))`;
          } else if (kind === ExternKind.table) {
            const et = s.byte();
            d = `(table (;${tables++};) ${limitsText(s)} ${valTypeName(et)})`;
          } else if (kind === ExternKind.memory) d = `(memory (;${memories++};) ${limitsText(s)})`;
          else {
            const t = s.byte();
            const mut = s.byte();
            d = `(global (;${globals++};) ${mut ? `(mut ${valTypeName(t)})` : valTypeName(t)})`;
          }
          lines.push(`  (import "${mod}" "${nm}" ${d})`);
        }
        break;
      }
      case Section.function: {
        const n = s.u32();
        for (let i = 0; i < n; i++) funcTypes.push(s.u32());
        break;
      }
      case Section.table: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const et = s.byte();
          lines.push(`  (table (;${tables++};) ${limitsText(s)} ${valTypeName(et)})`);
        }
        break;
      }
      case Section.memory: {
        const n = s.u32();
        for (let i = 0; i < n; i++) lines.push(`  (memory (;${memories++};) ${limitsText(s)})`);
        break;
      }
      case Section.global: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const t = valTypeName(s.byte());
          const mut = s.byte();
          lines.push(`  (global (;${globals++};) ${mut ? `(mut ${t})` : t} ${exprText(s)})`);
        }
        break;
      }
      case Section.export: {
        const n = s.u32();
        const kinds = ['func', 'table', 'memory', 'global'];
        for (let i = 0; i < n; i++) {
          const nm = s.name();
          const k = s.byte();
          tail.push(`  (export "${nm}" (${kinds[k]} ${s.u32()}))`);
        }
        break;
      }
      case Section.element: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const flag = s.byte();
          if (flag !== 0 && flag !== 2) throw new Error(`wat: element segment flag ${flag}`);
          const table = flag === 2 ? s.u32() : 0;
          const off = exprText(s);
          if (flag === 2 && s.byte() !== 0x00) throw new Error('wat: element kind is not funcref');
          const funcs = Array.from({ length: s.u32() }, () => s.u32());
          tail.push(`  (elem (;${i};) (table ${table}) ${off} func ${funcs.join(' ')})`);
        }
        break;
      }
      case Section.code: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const len = s.u32();
          bodies.push({ start: r.pos - size + s.pos, end: r.pos - size + s.pos + len });
          s.pos += len;
        }
        break;
      }
      case Section.custom: {
        const section = s.name();
        if (section === BRANCH_HINT_SECTION) {
          // Branch hints print as the annotation before their if (the text format's convention).
          for (let n = s.u32(); n > 0; n--) {
            const fn = s.u32();
            const m = new Map<number, number>();
            for (let k = s.u32(); k > 0; k--) {
              const off = s.u32();
              s.u32(); // the hint's size, 1
              m.set(off, s.byte());
            }
            hints.set(fn, m);
          }
          break;
        }
        if (section !== 'name') break;
        while (!s.done) {
          const sub = s.byte();
          const len = s.u32();
          const subEnd = s.pos + len;
          if (sub === 1) {
            const k = s.u32();
            for (let i = 0; i < k; i++) {
              const idx = s.u32();
              names.set(idx, s.name());
            }
          }
          s.pos = subEnd;
        }
        break;
      }
      default:
        throw new Error(`wat: section ${id} is not one the builder writes`);
    }
  }

  const fname = (i: number): string => {
    const n = names.get(i);
    return n !== undefined && /^[\w.-]+$/.test(n) ? `$${n}` : `${i}`;
  };
  // Name imported functions in their import lines.
  for (let i = 0; i < importedFuncs; i++) {
    const at = lines.findIndex((l) => l.includes(`(func (;${i};) (type`));
    if (at >= 0 && names.has(i)) lines[at] = lines[at]!.replace(`(func (;${i};)`, `(func (;${i};) ${fname(i)}`);
  }

  bodies.forEach((b, k) => {
    const idx = importedFuncs + k;
    const t = funcTypes[idx]!;
    const name = names.has(idx) ? ` ${fname(idx)}` : '';
    lines.push(`  (func (;${idx};)${name} (type ${t})${sigText(types[t]!)}`);
    printBody(new ByteReader(bytes.subarray(b.start, b.end)), types, fname, lines, hints.get(idx));
    lines.push('  )');
  });
  return ['(module', ...lines, ...tail, ')', ''].join('\n');
}

function printBody(
  r: ByteReader,
  types: Sig[],
  fname: (i: number) => string,
  out: string[],
  hints: Map<number, number> | undefined,
): void {
  const groups = r.u32();
  const locals: string[] = [];
  for (let i = 0; i < groups; i++) {
    const n = r.u32();
    const t = valTypeName(r.byte());
    for (let j = 0; j < n; j++) locals.push(t);
  }
  if (locals.length) out.push(`    (local ${locals.join(' ')})`);
  let depth = 0;
  const pad = (): string => '    ' + '  '.repeat(depth);
  while (!r.done) {
    const at = r.pos;
    const hint = hints?.get(at);
    let prefix = r.byte();
    let code = prefix;
    if (prefix === PREFIX_MISC || prefix === PREFIX_ATOMIC || prefix === PREFIX_SIMD) code = r.u32();
    else prefix = 0;
    const info = opByCode(prefix, code);
    if (!info)
      throw new Error(
        `wat: unknown opcode ${prefix ? `0x${prefix.toString(16)} ` : ''}0x${code.toString(16)} at body offset ${at}`,
      );
    let text = info.name;
    switch (info.imm) {
      case Imm.None:
        break;
      case Imm.BlockType: {
        const b = r.byte();
        if (b === 0x40) break;
        if (b >= 0x6f && b <= 0x7f) text += ` (result ${valTypeName(b)})`;
        else {
          r.pos--;
          const ti = r.s32();
          text += ` (type ${ti})${sigText(types[ti]!)}`;
        }
        break;
      }
      case Imm.Label:
        text += ` ${r.u32()}`;
        break;
      case Imm.LabelTable: {
        const n = r.u32();
        const ls = Array.from({ length: n + 1 }, () => r.u32());
        text += ` ${ls.join(' ')}`;
        break;
      }
      case Imm.Func:
        text += ` ${fname(r.u32())}`;
        break;
      case Imm.CallIndirect: {
        const ti = r.u32();
        const table = r.u32();
        text += ` ${table} (type ${ti})`;
        break;
      }
      case Imm.Local:
      case Imm.Global:
        text += ` ${r.u32()}`;
        break;
      case Imm.MemArg: {
        const align = 2 ** r.u32();
        const offset = r.u32();
        if (offset) text += ` offset=${offset}`;
        if (align !== info.width) text += ` align=${align}`;
        break;
      }
      case Imm.Zero:
        if (r.byte() !== 0) throw new Error(`wat: ${info.name} reserved byte is not 0`);
        break;
      case Imm.ZeroZero:
        if (r.byte() !== 0 || r.byte() !== 0) throw new Error(`wat: ${info.name} memory indices are not 0`);
        break;
      case Imm.I32:
        text += ` ${constText(BigInt(r.s32()), 32)}`;
        break;
      case Imm.I64:
        text += ` ${constText(r.s64(), 64)}`;
        break;
      case Imm.F32:
        text += ` ${f32Text(r.u32le())}`;
        break;
      case Imm.F64: {
        const lo = r.u32le();
        text += ` ${f64Text(lo, r.u32le())}`;
        break;
      }
      case Imm.Lane:
        text += ` ${r.byte()}`;
        break;
    }
    if (info.name === 'end') {
      if (r.done) break; // the function's own end
      depth--;
    }
    if (info.name === 'else') depth--;
    if (hint !== undefined) out.push(`${pad()}(@metadata.code.branch_hint "\\0${hint}")`);
    out.push(pad() + text);
    if (info.imm === Imm.BlockType || info.name === 'else') depth++;
  }
}
