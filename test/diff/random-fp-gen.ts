// Random F/D (single and double precision floating point) instruction sequence generator for the
// differential test against QEMU (fp-random.test.ts). Emits GNU assembly for M-mode bare metal,
// assembled with -march=rv64imafdc_zicsr_zifencei. Per seed:
//   prologue: mstatus.FS = Initial (nothing else enabled), the 32 f registers loaded from a pool of
//     special and random values (singles NaN-boxed most of the time, sometimes deliberately not),
//     a random frm (0..4 mostly, sometimes the reserved 5..7 so dynamic-rm instructions trap),
//     fflags cleared, the integer data registers random (with specials), a 512-byte scratch area
//     filled from the same pool;
//   body: `length` slots, each one F/D instruction or FP CSR access (possibly preceded by an
//     integer `li` that sets up a source), followed by a fixed epilogue that reads fflags
//     (usually read-and-clear, sometimes read only so flags accumulate), folds (destination
//     value, fflags) into a running hash and appends a 16-byte log record;
//   directed part: with mstatus.FS = Off, one instance of every F/D instruction form and every
//     access form of fflags/frm/fcsr, each of which must raise illegal instruction and change
//     nothing;
//   dump over the UART: f0..f31 (raw 64-bit), fcsr, the integer data registers, the trap count and
//     trap hash (mcause, mepc, mtval of every trap), the running hash, a scratch checksum and the
//     FS=Off results. A trace build (option trace) first prints every log record (index,
//     destination value, fflags, trap cause + 1 or 0, instruction text) so a failing seed can be
//     pinned to its first differing instruction; its instruction stream is identical.
// Traps (illegal rm, dynamic rm with a reserved frm, reserved encodings, access faults, FS=Off)
// are taken by a handler that hashes mcause/mepc/mtval (mtval of an illegal instruction is the
// instruction bits on QEMU and cxlemu), marks the current log record and resumes after the
// trapping instruction (2 or 4 bytes, so compressed FP loads/stores may trap too).
// Misaligned flw/fld/fsw/fsd are generated at a low rate: they succeed on QEMU, as misaligned
// scalar accesses do on both (see random-gen.ts).
//
// Register conventions in generated code: x2 (sp), x3 (gp) and x8 (s0) = scratch base (bases of
// c.fldsp/c.fsdsp, flw/fld/fsw/fsd and c.fld/c.fsd), x4 (tp) = trap handler, x28 (t3) and x29
// (t4) = slot epilogue temporaries, x30 (t5) = log record pointer, x31 (t6) = running hash; the
// integer data registers x1, x5..x7, x9..x27 are random and are the integer sources/destinations.
import { pathToFileURL } from 'node:url';
import { rng, UART_ROUTINES } from './random-gen.js';

/** Behaviour the generator deliberately does not produce or compare, with the reason. */
export const EXCLUSIONS: ReadonlyArray<{ what: string; why: string }> = [
  {
    what: 'mstatus.FS/SD after FP instructions (Initial/Clean -> Dirty, SD)',
    why:
      'implementation-defined in detail (the spec lets an implementation set Dirty conservatively, e.g. for ' +
      'instructions that write no state); only "FS=Off traps every FP access and stays Off" is compared',
  },
  {
    what: 'FP instructions in S/U mode and with V=1',
    why: 'FS gating is one mstatus field in every mode; privilege transitions are covered by random.test',
  },
  {
    what: 'Zfh/Zfhmin encodings (fmt=H, flh/fsh) and Zfa/Zfinx',
    why: 'not F/D; the QEMU CPU is configured without them (whether they decode is a configuration choice)',
  },
  {
    what: 'reserved OP-FP encodings other than a fixed list (reserved funct3/rs2 values no extension uses, fmt=Q, flq)',
    why: 'reserved encodings are not all mandated to trap; the listed ones trap on QEMU and must on cxlemu',
  },
  {
    what: 'misaligned FP accesses crossing a page or touching MMIO',
    why: 'atomicity and fault ordering of split accesses are implementation-defined',
  },
  { what: 'counters, interrupts, WFI', why: 'host-timing dependent on QEMU; not FP' },
];

type Fmt = 's' | 'd';
type Kind = Fmt | 'u'; // u = a single that is not NaN-boxed
export type Dest = { kind: 'f'; reg: number } | { kind: 'x'; reg: number } | { kind: 'm'; off: number };

/** One body slot: the lines to assemble, the instruction text and where its result goes. */
export interface Slot {
  lines: string[];
  text: string;
  dest: Dest;
}

export interface FpSequence {
  seed: number;
  asm: string;
  /** Instruction text per slot (index = log record index). */
  body: string[];
  /** Number of instructions in the FS=Off directed part (each must trap). */
  fsOffCount: number;
  /** rodata for this seed (initial values and, in trace builds, the instruction texts). */
  data: string;
}

export interface FpOptions {
  /** Print every log record before the dump. */
  trace?: boolean;
  /**
   * Run the seed (initialisation, body, dump) this many times (default 1): a JIT translates the
   * body after its first runs, so later repetitions check translated code against the same QEMU
   * output. Each repetition prints its own dump; parseFpDump concatenates them.
   */
  repeat?: number;
}

const M64 = (1n << 64n) - 1n;
const hx = (v: bigint): string => '0x' + (v & M64).toString(16);

/** Integer data registers: random values, sources and destinations of FP<->integer instructions. */
export const DATA_X: readonly number[] = [1, 5, 6, 7, ...Array.from({ length: 19 }, (_, i) => i + 9)];
const SCRATCH_BYTES = 512;
const UNMAPPED = 0x0100_0000;
const RM = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'rm=5', 'rm=6', 'dyn'];
const BOX = 0xffffffff00000000n;

const f32 = new Float32Array(1);
const u32v = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64v = new BigUint64Array(f64.buffer);
function sb(x: number): bigint {
  f32[0] = x;
  return BigInt(u32v[0]!);
}
function db(x: number): bigint {
  f64[0] = x;
  return u64v[0]!;
}

/** Special single-precision encodings (32 bits). */
export const S_POOL: readonly bigint[] = [
  0x00000000n, // +0
  0x80000000n, // -0
  0x00000001n, // smallest subnormal
  0x80000001n,
  0x007fffffn, // largest subnormal
  0x807fffffn,
  0x00400000n,
  0x00800000n, // min normal
  0x80800000n,
  0x00800001n,
  0x7f7fffffn, // max normal
  0xff7fffffn,
  0x7f7ffffen,
  0x7f800000n, // +inf
  0xff800000n, // -inf
  0x7fc00000n, // canonical qNaN
  0xffc00000n, // negative qNaN
  0x7fc12345n, // qNaN with payload
  0xffc54321n,
  0x7fffffffn,
  0x7f800001n, // sNaN
  0xff800001n,
  0x7fa00000n,
  0x7fbfffffn,
  sb(1),
  sb(-1),
  sb(2),
  sb(3),
  sb(0.5),
  sb(-0.5),
  sb(1.5),
  sb(2.5),
  sb(-2.5),
  sb(0.1),
  sb(2 ** -24), // 1 + 2^-24 is halfway between 1 and 1 + 2^-23
  sb(3 * 2 ** -25),
  sb(1 + 2 ** -23),
  sb(1 - 2 ** -24),
  sb(2 ** 23 - 0.5),
  sb(2 ** 24),
  sb(2 ** 24 - 1),
  sb(2 ** 31),
  0x4effffffn, // largest single below 2^31
  sb(-(2 ** 31)),
  0xcf000001n, // just below -2^31
  sb(2 ** 32),
  0x4f7fffffn,
  sb(-(2 ** 32)),
  sb(2 ** 63),
  0x5effffffn,
  sb(-(2 ** 63)),
  0xdf000001n,
  sb(2 ** 64),
  0x5f7fffffn,
];

/** Special double-precision encodings. */
export const D_POOL: readonly bigint[] = [
  0n,
  0x8000000000000000n,
  1n,
  0x8000000000000001n,
  0x000fffffffffffffn,
  0x800fffffffffffffn,
  0x0008000000000000n,
  0x0010000000000000n, // min normal
  0x8010000000000000n,
  0x7fefffffffffffffn, // max normal
  0xffefffffffffffffn,
  0x7ff0000000000000n, // inf
  0xfff0000000000000n,
  0x7ff8000000000000n, // canonical qNaN
  0xfff8000000000000n,
  0x7ff8000000012345n,
  0xfff800000000beefn,
  0x7ff0000000000001n, // sNaN
  0xfff0000000000001n,
  0x7ff4000000000000n,
  0x7ff7ffffffffffffn,
  0xffffffff7fc00000n, // a NaN-boxed single seen as a double (negative qNaN)
  db(1),
  db(-1),
  db(2),
  db(0.5),
  db(-0.5),
  db(1.5),
  db(2.5),
  db(-2.5),
  db(0.1),
  db(2 ** -53),
  db(3 * 2 ** -54),
  db(1 + 2 ** -52),
  db(1 - 2 ** -53),
  db(2 ** 31),
  db(2 ** 31 - 1),
  db(2 ** 31 - 0.5),
  db(2 ** 31 + 0.5),
  db(-(2 ** 31)),
  db(-(2 ** 31) - 1),
  db(-(2 ** 31) - 0.5),
  db(2 ** 32),
  db(2 ** 32 - 1),
  db(2 ** 32 - 0.5),
  db(2 ** 63),
  0x43dfffffffffffffn, // largest double below 2^63
  db(-(2 ** 63)),
  0xc3e0000000000001n,
  db(2 ** 64),
  0x43efffffffffffffn,
  db(2 ** 53 + 2),
  db(16777217),
  0x47efffffe0000000n, // FLT_MAX
  0x47effffff0000000n, // halfway between FLT_MAX and 2^128
  0x47effffff0000001n,
  db(2 ** -149), // smallest single subnormal
  db(2 ** -150), // half of it
  db(3 * 2 ** -151),
  db(2 ** -126), // single min normal
  db(1 + 2 ** -24), // halfway for double -> single
  db(1 + 2 ** -24 + 2 ** -52),
  db(1 + 3 * 2 ** -24),
];

/** Integer specials (64-bit patterns). */
export const X_POOL: readonly bigint[] = [
  0n,
  1n,
  2n,
  3n,
  M64, // -1
  M64 - 1n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0xffffffff80000000n,
  0xffffffff7fffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0x1000001n, // 2^24 + 1: not a single
  0xffffffn,
  0x1000003n,
  0xfffffffffeffffffn,
  0x20000000000001n, // 2^53 + 1: not a double
  0x1fffffffffffffn,
  0x7ffffffffffffc00n, // largest double below 2^63
  0x7ffffffffffffe00n,
  0x7fffff8000000000n, // largest single below 2^63
  0xffffff0000000000n,
  0x7fffffc0n,
  0x7fffffbfn,
  0xffffffffffffff80n,
];

/** A generation context: the random source plus what the generator tracks of the machine state. */
class Gen {
  readonly r: () => number;
  /** What each f register holds (for choosing sources of the right format most of the time). */
  kinds: Kind[] = [];
  /**
   * A rough chance that each f register holds a NaN (of its kind): exact for values the generator
   * wrote, estimated for results. Sources are mostly picked among likely non-NaN registers, or NaN
   * results (which propagate) would soon fill the register file.
   */
  nan: number[] = [];
  /** frm as the program has set it (all CSR write operands are known to the generator). */
  frm = 0;
  /** No reserved static rm (5, 6): for the FS=Off part, where every instruction must be valid. */
  validRmOnly = false;
  constructor(seed: number) {
    this.r = rng(seed * 2654435761 + 0x5f0d);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  u32(): bigint {
    return BigInt(this.int(2 ** 32));
  }
  u64(): bigint {
    return (this.u32() << 32n) | this.u32();
  }
  randSingle(): bigint {
    const k = this.r();
    if (k < 0.15) return this.u32();
    const sign = this.r() < 0.5 ? 0n : 0x80000000n;
    let mant = BigInt(this.int(2 ** 23));
    if (this.r() < 0.3) mant &= 0x7ff000n; // few significant bits: exact results more likely
    let exp: number;
    if (k < 0.6) exp = 107 + this.int(41);
    else if (k < 0.72) exp = this.int(4);
    else if (k < 0.84) exp = 250 + this.int(5);
    else exp = 150 + this.int(42); // integers up to 2^64
    return sign | (BigInt(exp) << 23n) | mant;
  }
  randDouble(): bigint {
    const k = this.r();
    if (k < 0.12) return this.u64();
    const sign = this.r() < 0.5 ? 0n : 0x8000000000000000n;
    let mant = this.u64() & 0xfffffffffffffn;
    if (k < 0.3) {
      // Representable as a single, or within a double ulp of a single's halfway point.
      const exp = 1023 - 30 + this.int(61);
      mant &= ~0x1fffffffn;
      const near = this.r() < 0.5 ? 0n : 0x10000000n + BigInt(this.int(3)) - 1n;
      return sign | (BigInt(exp) << 52n) | (mant + near);
    }
    if (this.r() < 0.3) mant &= 0xffffff0000000n;
    let exp: number;
    if (k < 0.65) exp = 1023 - 40 + this.int(81);
    else if (k < 0.75) exp = this.int(4);
    else if (k < 0.85) exp = 2040 + this.int(7);
    else exp = 1023 + 20 + this.int(45); // integers up to 2^64
    return sign | (BigInt(exp) << 52n) | mant;
  }
  /** A value for an f register (and its kind). */
  fvalue(): [bigint, Kind] {
    if (this.r() < 0.45) {
      const s = this.r() < 0.45 ? this.pick(S_POOL) : this.randSingle();
      if (this.r() < 0.88) return [BOX | s, 's'];
      const upper = this.pick([0n, 0xfffffffen, 0x7fffffffn, this.u32(), 0xffff7fffn]);
      return [(upper << 32n) | s, 'u'];
    }
    return [this.r() < 0.45 ? this.pick(D_POOL) : this.randDouble(), 'd'];
  }
  xvalue(): bigint {
    const k = this.r();
    if (k < 0.35) return this.pick(X_POOL);
    if (k < 0.6) return this.u64();
    if (k < 0.7) return BigInt(this.int(33) - 16) & M64;
    if (k < 0.85) return this.fvalue()[0];
    return (this.u32() << 32n) | (this.pick(X_POOL) & 0xffffffffn);
  }
  fdst(): number {
    return this.int(32);
  }
  fsrc(fmt: Fmt): number {
    if (this.r() < 0.85) {
      const want = this.kinds.flatMap((k, i) => (k === fmt ? [i] : []));
      const good = want.filter((i) => this.p(i, fmt) < 0.5);
      if (good.length > 0 && this.r() < 0.9) return this.pick(good);
      if (want.length > 0) return this.pick(want);
    }
    return this.int(32);
  }
  /** Chance that f`reg` is a NaN when read as `fmt` (a wrong-format value always is one). */
  p(reg: number, fmt: Fmt): number {
    return this.kinds[reg] === fmt ? (this.nan[reg] ?? 1) : 1;
  }
  /** Chance of a NaN result from the given sources (plus `extra` for invalid operations). */
  pAny(regs: number[], fmt: Fmt, extra = 0.05): number {
    return 1 - regs.reduce((q, i) => q * (1 - this.p(i, fmt)), 1) * (1 - extra);
  }
  /** Does an instruction with rounding mode `rm` trap (reserved static rm, or dyn with a reserved frm)? */
  traps(rm: number): boolean {
    return rm === 5 || rm === 6 || (rm === 7 && this.frm > 4);
  }
  /** Record what an instruction wrote to f`rd` (nothing if it traps). */
  set(rd: number, kind: Kind, p: number, rm: number | null = null): void {
    if (rm !== null && this.traps(rm)) return;
    this.kinds[rd] = kind;
    this.nan[rd] = Math.min(1, p);
  }
  xsrc(): string {
    return this.r() < 0.05 ? 'x0' : `x${this.pick(DATA_X)}`;
  }
  xdst(): number {
    return this.r() < 0.03 ? 0 : this.pick(DATA_X);
  }
  /** A rounding mode: static 0..4, dynamic (7), rarely the reserved static 5 and 6. */
  rm(): number {
    const k = this.r();
    if (k < 0.03 && !this.validRmOnly) return 5 + this.int(2);
    if (k < 0.4) return 7;
    return this.int(5);
  }
}

/** 1 if `v` is a NaN read as `kind` (a single that is not NaN-boxed reads as one), else 0. */
function isNaNAs(v: bigint, kind: Kind): number {
  if (kind === 'u') return 1;
  if (kind === 's') return (v & 0x7f800000n) === 0x7f800000n && (v & 0x7fffffn) !== 0n ? 1 : 0;
  return (v & 0x7ff0000000000000n) === 0x7ff0000000000000n && (v & 0xfffffffffffffn) !== 0n ? 1 : 0;
}

/** OP-FP R-type: the mnemonic where GNU as 2.40 can express it, else .insn with the same text. */
function opfp(
  mn: string,
  funct7: number,
  ops: string[],
  rs2field: string,
  rm: number | null,
  mnemonicRm = true,
): { line: string; text: string } {
  const text = `${mn} ${ops.join(', ')}${rm === null ? '' : `, ${RM[rm]}`}`;
  if (rm === null || (mnemonicRm && rm !== 5 && rm !== 6)) return { line: text, text };
  return { line: `.insn r OP_FP, ${rm}, ${hx(BigInt(funct7))}, ${ops[0]}, ${ops[1]}, ${rs2field}  # ${text}`, text };
}

const fb = (fmt: Fmt): number => (fmt === 'd' ? 1 : 0);
const FMTS: readonly Fmt[] = ['s', 'd'];
const FUSED: ReadonlyArray<[string, string]> = [
  ['fmadd', 'MADD'],
  ['fmsub', 'MSUB'],
  ['fnmsub', 'NMSUB'],
  ['fnmadd', 'NMADD'],
];
const INT_T = ['w', 'wu', 'l', 'lu'];
const CSRS = ['fflags', 'frm', 'fcsr'];

function slot(lines: string[], text: string, dest: Dest): Slot {
  return { lines, text, dest };
}

/** Every instruction form, each a builder of one slot with random operands. */
interface Form {
  name: string;
  weight: number;
  make: (g: Gen) => Slot;
}

function arith(mn: string, f7: number, fmt: Fmt): Form {
  return {
    name: `${mn}.${fmt}`,
    weight: 4,
    make: (g) => {
      const rd = g.fdst();
      const a = g.fsrc(fmt);
      const b = g.fsrc(fmt);
      const rm = g.rm();
      const { line, text } = opfp(`${mn}.${fmt}`, f7 | fb(fmt), [`f${rd}`, `f${a}`, `f${b}`], `f${b}`, rm);
      g.set(rd, fmt, g.pAny([a, b], fmt), rm);
      return slot([line], text, { kind: 'f', reg: rd });
    },
  };
}

function fused(mn: string, op: string, fmt: Fmt): Form {
  return {
    name: `${mn}.${fmt}`,
    weight: 3,
    make: (g) => {
      const rd = g.fdst();
      const [a, b, c] = [g.fsrc(fmt), g.fsrc(fmt), g.fsrc(fmt)];
      const rm = g.rm();
      const text = `${mn}.${fmt} f${rd}, f${a}, f${b}, f${c}, ${RM[rm]}`;
      const line =
        rm === 5 || rm === 6 ? `.insn r4 ${op}, ${rm}, ${fb(fmt)}, f${rd}, f${a}, f${b}, f${c}  # ${text}` : text;
      g.set(rd, fmt, g.pAny([a, b, c], fmt), rm);
      return slot([line], text, { kind: 'f', reg: rd });
    },
  };
}

function noRm(mn: string, fmt: Fmt, weight: number, toX: boolean): Form {
  return {
    name: `${mn}.${fmt}`,
    weight,
    make: (g) => {
      const a = g.fsrc(fmt);
      const b = g.r() < 0.15 ? a : g.fsrc(fmt); // rs1 = rs2: fmv/fneg/fabs aliases
      if (toX) {
        const rd = g.xdst();
        const text = `${mn}.${fmt} x${rd}, f${a}, f${b}`;
        return slot([text], text, { kind: 'x', reg: rd });
      }
      const rd = g.fdst();
      const text = `${mn}.${fmt} f${rd}, f${a}, f${b}`;
      g.set(rd, fmt, mn.startsWith('fsgnj') ? g.p(a, fmt) : g.p(a, fmt) * g.p(b, fmt));
      return slot([text], text, { kind: 'f', reg: rd });
    },
  };
}

function buildForms(): Form[] {
  const forms: Form[] = [];
  for (const fmt of FMTS) {
    forms.push(arith('fadd', 0x00, fmt), arith('fsub', 0x04, fmt), arith('fmul', 0x08, fmt), arith('fdiv', 0x0c, fmt));
    forms.push({
      name: `fsqrt.${fmt}`,
      weight: 4,
      make: (g) => {
        const rd = g.fdst();
        const a = g.fsrc(fmt);
        const rm = g.rm();
        const { line, text } = opfp(`fsqrt.${fmt}`, 0x2c | fb(fmt), [`f${rd}`, `f${a}`], 'x0', rm);
        g.set(rd, fmt, g.pAny([a], fmt, 0.5), rm); // negative inputs give NaN
        return slot([line], text, { kind: 'f', reg: rd });
      },
    });
    for (const [mn, op] of FUSED) forms.push(fused(mn, op, fmt));
    for (const mn of ['fsgnj', 'fsgnjn', 'fsgnjx']) forms.push(noRm(mn, fmt, 2, false));
    for (const mn of ['fmin', 'fmax']) forms.push(noRm(mn, fmt, 3, false));
    for (const mn of ['feq', 'flt', 'fle']) forms.push(noRm(mn, fmt, 2, true));
    forms.push({
      name: `fclass.${fmt}`,
      weight: 4,
      make: (g) => {
        const rd = g.xdst();
        const text = `fclass.${fmt} x${rd}, f${g.fsrc(fmt)}`;
        return slot([text], text, { kind: 'x', reg: rd });
      },
    });
    INT_T.forEach((t, sel) => {
      forms.push({
        name: `fcvt.${t}.${fmt}`,
        weight: 3,
        make: (g) => {
          const rd = g.xdst();
          const a = g.fsrc(fmt);
          const { line, text } = opfp(`fcvt.${t}.${fmt}`, 0x60 | fb(fmt), [`x${rd}`, `f${a}`], `x${sel}`, g.rm());
          return slot([line], text, { kind: 'x', reg: rd });
        },
      });
      forms.push({
        name: `fcvt.${fmt}.${t}`,
        weight: 3,
        make: (g) => {
          const rd = g.fdst();
          const a = g.xsrc();
          // fcvt.d.w/wu are exact: GNU as 2.40 accepts no rm operand, so those go through .insn.
          const exact = fmt === 'd' && sel < 2;
          const rm = g.rm();
          const { line, text } = opfp(`fcvt.${fmt}.${t}`, 0x68 | fb(fmt), [`f${rd}`, a], `x${sel}`, rm, !exact);
          g.set(rd, fmt, 0, rm);
          return slot([line], text, { kind: 'f', reg: rd });
        },
      });
    });
  }
  forms.push({
    name: 'fcvt.s.d',
    weight: 5,
    make: (g) => {
      const rd = g.fdst();
      const a = g.fsrc('d');
      const rm = g.rm();
      const { line, text } = opfp('fcvt.s.d', 0x20, [`f${rd}`, `f${a}`], 'x1', rm);
      g.set(rd, 's', g.p(a, 'd'), rm);
      return slot([line], text, { kind: 'f', reg: rd });
    },
  });
  forms.push({
    name: 'fcvt.d.s',
    weight: 5,
    make: (g) => {
      const rd = g.fdst();
      // Exact widening: rm is decoded (reserved values trap) but does not matter.
      const rm = g.r() < 0.5 ? 0 : g.rm();
      const a = g.fsrc('s');
      const { line, text } = opfp('fcvt.d.s', 0x21, [`f${rd}`, `f${a}`], 'x0', rm, false);
      g.set(rd, 'd', g.p(a, 's'), rm);
      return slot([line], text, { kind: 'f', reg: rd });
    },
  });
  for (const fmt of FMTS) {
    const w = fmt === 's' ? 'w' : 'd';
    forms.push({
      name: `fmv.x.${w}`,
      weight: 3,
      make: (g) => {
        const rd = g.xdst();
        const text = `fmv.x.${w} x${rd}, f${g.r() < 0.7 ? g.fsrc(fmt) : g.int(32)}`;
        return slot([text], text, { kind: 'x', reg: rd });
      },
    });
    forms.push({
      name: `fmv.${w}.x`,
      weight: 3,
      make: (g) => {
        const rd = g.fdst();
        const text = `fmv.${w}.x f${rd}, ${g.xsrc()}`;
        g.set(rd, fmt, 0.15);
        return slot([text], text, { kind: 'f', reg: rd });
      },
    });
    const size = fmt === 's' ? 4 : 8;
    const off = (g: Gen) => (g.r() < 0.9 ? g.int(SCRATCH_BYTES / size) * size : 1 + g.int(SCRATCH_BYTES - size - 1)); // some misaligned
    forms.push({
      name: `fl${w}`,
      weight: 3,
      make: (g) => {
        const rd = g.fdst();
        const text = `fl${w} f${rd}, ${off(g)}(gp)`;
        g.set(rd, fmt, 0.1);
        return slot([text], text, { kind: 'f', reg: rd });
      },
    });
    forms.push({
      name: `fs${w}`,
      weight: 3,
      make: (g) => {
        const o = off(g);
        const text = `fs${w} f${g.fsrc(fmt)}, ${o}(gp)`;
        return slot([text], text, { kind: 'm', off: o });
      },
    });
  }
  forms.push(
    {
      name: 'c.fld',
      weight: 2,
      make: (g) => {
        const rd = 8 + g.int(8);
        const text = `c.fld f${rd}, ${8 * g.int(32)}(s0)`;
        g.set(rd, 'd', 0.1);
        return slot([text], text, { kind: 'f', reg: rd });
      },
    },
    {
      name: 'c.fsd',
      weight: 2,
      make: (g) => {
        const o = 8 * g.int(32);
        const text = `c.fsd f${8 + g.int(8)}, ${o}(s0)`;
        return slot([text], text, { kind: 'm', off: o });
      },
    },
    {
      name: 'c.fldsp',
      weight: 2,
      make: (g) => {
        const rd = g.fdst();
        const text = `c.fldsp f${rd}, ${8 * g.int(64)}(sp)`;
        g.set(rd, 'd', 0.1);
        return slot([text], text, { kind: 'f', reg: rd });
      },
    },
    {
      name: 'c.fsdsp',
      weight: 2,
      make: (g) => {
        const o = 8 * g.int(64);
        const text = `c.fsdsp f${g.int(32)}, ${o}(sp)`;
        return slot([text], text, { kind: 'm', off: o });
      },
    },
  );
  return forms;
}

/** All F/D instruction forms with their weights in the random body. */
export const FORMS: readonly Form[] = buildForms();

/** The new frm after a CSR instruction writing `v` (op w/s/c) to `csr`; null if frm is untouched. */
function frmAfter(frm: number, csr: string, op: string, v: bigint): number {
  let bits: number;
  if (csr === 'frm') bits = Number(v & 7n);
  else if (csr === 'fcsr') bits = Number((v >> 5n) & 7n);
  else return frm;
  if (op === 'w') return bits;
  if (op === 's') return frm | bits;
  return frm & ~bits & 7;
}

/** An FP CSR access (register or immediate form) with a known operand; tracks frm. */
function csrSlot(g: Gen): Slot {
  const csr = g.pick(CSRS);
  const imm = g.r() < 0.4;
  let op = 'w';
  let v = 0n;
  let zero = false;
  for (let tries = 0; tries < 6; tries++) {
    op = g.pick(['w', 's', 'c']);
    zero = !imm && g.r() < 0.1; // rs1 = x0
    if (imm) v = BigInt(g.int(32));
    else if (zero) v = 0n;
    else if (csr === 'fflags') v = BigInt(g.int(32));
    else if (csr === 'frm') v = BigInt(g.r() < 0.8 ? g.int(5) : g.int(8));
    else v = BigInt((g.int(8) << 5) | g.int(32));
    if (!imm && !zero && g.r() < 0.2) v |= g.u64() & ~0xffn; // reserved upper bits: ignored, read 0
    if (frmAfter(g.frm, csr, op, v) <= 4 || g.r() < 0.15) break;
  }
  if (!(imm && op !== 'w' && v === 0n) && !(zero && op !== 'w')) g.frm = frmAfter(g.frm, csr, op, v);
  const rd = g.r() < 0.15 ? 0 : g.pick(DATA_X);
  if (imm) {
    const text = `csrr${op}i x${rd}, ${csr}, ${v}`;
    return slot([text], text, { kind: 'x', reg: rd });
  }
  if (zero) {
    const text = `csrr${op} x${rd}, ${csr}, x0`;
    return slot([text], text, { kind: 'x', reg: rd });
  }
  const rs = g.pick(DATA_X);
  const lines = [`li x${rs}, ${hx(v)}`, `csrr${op} x${rd}, ${csr}, x${rs}`];
  return slot(lines, lines.join(' ; '), { kind: 'x', reg: rd });
}

/** Reserved encodings near F/D that must raise illegal instruction (fixed list, see EXCLUSIONS). */
const RESERVED: ReadonlyArray<(g: Gen) => Slot> = [
  (g) => resv(g, 'fsgnj.s funct3=3', 'r OP_FP, 3, 0x10, f{f}, f{a}, f{b}', 'f'),
  (g) => resv(g, 'fmin.d funct3=6', 'r OP_FP, 6, 0x15, f{f}, f{a}, f{b}', 'f'), // 2 and 3 are Zfa fminm/fmaxm
  (g) => resv(g, 'feq.s funct3=3', 'r OP_FP, 3, 0x50, x{x}, f{a}, f{b}', 'x'),
  (g) => resv(g, 'fsqrt.d rs2=1', 'r OP_FP, 0, 0x2d, f{f}, f{a}, x1', 'f'),
  (g) => resv(g, 'fclass.d funct3=2', 'r OP_FP, 2, 0x71, x{x}, f{a}, x0', 'x'),
  (g) => resv(g, 'fmv.w.x rs2=1', 'r OP_FP, 0, 0x78, f{f}, x{x}, x1', 'f'),
  (g) => resv(g, 'fcvt.s.d rs2=0', 'r OP_FP, 0, 0x20, f{f}, f{a}, x0', 'f'),
  (g) => resv(g, 'fcvt.w.s rs2=4', 'r OP_FP, 0, 0x60, x{x}, f{a}, x4', 'x'),
  (g) => resv(g, 'fadd.q (no Q)', 'r OP_FP, 0, 0x03, f{f}, f{a}, f{b}', 'f'),
  (g) => resv(g, 'flq (no Q)', 'i LOAD_FP, 4, f{f}, 16(gp)', 'f'),
];

function resv(g: Gen, what: string, insn: string, dk: 'f' | 'x'): Slot {
  const f = g.fdst();
  const x = g.pick(DATA_X);
  const line = `.insn ${insn
    .replace('{f}', String(f))
    .replace('{x}', String(x))
    .replace('{a}', String(g.int(32)))
    .replace('{b}', String(g.int(32)))}`;
  const text = `${line.slice(6)} # reserved: ${what}`;
  return slot([`${line}  # reserved: ${what}`], text, dk === 'f' ? { kind: 'f', reg: f } : { kind: 'x', reg: x });
}

/** A load or store at an unmapped address: access fault (mcause 5/7, mtval = address). */
function faultSlot(g: Gen): Slot {
  const rs = g.pick(DATA_X);
  const addr = UNMAPPED + 8 * g.int(64);
  const [mn, isLoad] = g.pick([
    ['flw', true],
    ['fld', true],
    ['fsw', false],
    ['fsd', false],
  ] as const);
  const f = g.int(32);
  const lines = [`li x${rs}, ${hx(BigInt(addr))}`, `${mn} f${f}, 0(x${rs})`];
  // A faulting load leaves f unchanged; a faulting store: log the address register.
  return slot(lines, lines.join(' ; ') + ' # access fault', isLoad ? { kind: 'f', reg: f } : { kind: 'x', reg: rs });
}

/**
 * A fresh pool value moved into an f register (li + fmv.d.x), so the registers do not all decay to
 * NaN (NaN results propagate).
 */
function refreshF(g: Gen): Slot {
  const rs = g.pick(DATA_X);
  const rd = g.fdst();
  const [v, k] = g.fvalue();
  g.set(rd, k, isNaNAs(v, k));
  const lines = [`li x${rs}, ${hx(v)}`, `fmv.d.x f${rd}, x${rs}`];
  return slot(lines, lines.join(' ; '), { kind: 'f', reg: rd });
}

/** A fresh integer value (li), so integer sources do not all decay to FP results (0/1, fclass bits). */
function refreshX(g: Gen): string {
  return `li x${g.pick(DATA_X)}, ${hx(g.xvalue())}`;
}

const TOTAL_WEIGHT = FORMS.reduce((s, f) => s + f.weight, 0);

function randomSlot(g: Gen): Slot {
  const k = g.r();
  let s: Slot;
  if (k < 0.07) s = csrSlot(g);
  else if (k < 0.08) s = g.pick(RESERVED)(g);
  else if (k < 0.085) s = faultSlot(g);
  else if (k < 0.17) s = refreshF(g);
  else {
    let w = g.r() * TOTAL_WEIGHT;
    let form = FORMS[FORMS.length - 1]!;
    for (const f of FORMS) {
      w -= f.weight;
      if (w < 0) {
        form = f;
        break;
      }
    }
    s = form.make(g);
  }
  if (g.r() < 0.04) {
    const li = refreshX(g);
    return { lines: [li, ...s.lines], text: `${li} ; ${s.text}`, dest: s.dest };
  }
  return s;
}

/** The directed FS=Off part: every form once (valid encodings) and every FP CSR access form. */
function fsOffList(g: Gen): string[] {
  const saved = { kinds: [...g.kinds], nan: [...g.nan], frm: g.frm };
  const lines: string[] = [];
  g.validRmOnly = true;
  for (const f of FORMS) {
    const s = f.make(g);
    lines.push(`${s.lines[s.lines.length - 1]!}  # FS=Off: must trap`);
  }
  g.validRmOnly = false;
  for (const csr of CSRS) {
    for (const op of ['w', 's', 'c']) {
      lines.push(`csrr${op} x${g.pick(DATA_X)}, ${csr}, x${g.pick(DATA_X)}  # FS=Off: must trap`);
      lines.push(`csrr${op}i x${g.pick(DATA_X)}, ${csr}, ${1 + g.int(31)}  # FS=Off: must trap`);
    }
    lines.push(`csrrs x${g.pick(DATA_X)}, ${csr}, x0  # FS=Off: read must trap`);
    lines.push(`csrrsi x${g.pick(DATA_X)}, ${csr}, 0  # FS=Off: read must trap`);
    lines.push(`csrrw x0, ${csr}, x${g.pick(DATA_X)}  # FS=Off: write must trap`);
  }
  g.kinds = saved.kinds;
  g.nan = saved.nan;
  g.frm = saved.frm;
  return lines;
}

/** Fold (destination, fflags) into the running hash t6 and append a log record at t5. */
function slotEpilogue(dest: Dest, clear: boolean): string[] {
  const l = [clear ? 'csrrw t4, fflags, x0' : 'csrrs t4, fflags, x0'];
  if (dest.kind === 'f') l.push(`fmv.x.d t3, f${dest.reg}`);
  else if (dest.kind === 'x') l.push(`mv t3, x${dest.reg}`);
  else l.push(`ld t3, ${dest.off & ~7}(gp)`);
  l.push(
    'sd t3, 0(t5)',
    'sw t4, 8(t5)',
    'addi t5, t5, 16',
    'xor t6, t6, t3',
    'slli t3, t6, 13',
    'srli t6, t6, 51',
    'or t6, t6, t3',
    'xor t6, t6, t4',
  );
  return l;
}

/** Everything needed to assemble one seed. */
export interface SeedSpec {
  id: number;
  fInit: bigint[];
  xInit: bigint[];
  scratch: bigint[];
  frm: number;
  slots: Slot[];
  /** Per slot: read-and-clear fflags (true) or read only. */
  clear: boolean[];
  fsOff: string[];
}

export function randomSpec(seed: number, length: number): SeedSpec {
  const g = new Gen(seed);
  const fInit: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const [v, k] = g.fvalue();
    fInit.push(v);
    g.set(i, k, isNaNAs(v, k));
  }
  const xInit = DATA_X.map(() => g.xvalue());
  const scratch: bigint[] = [];
  for (let i = 0; i < SCRATCH_BYTES / 8; i++) {
    if (g.r() < 0.5) scratch.push(g.fvalue()[0]);
    else {
      const s = () => (g.r() < 0.5 ? g.pick(S_POOL) : g.randSingle());
      scratch.push((s() << 32n) | s());
    }
  }
  g.frm = g.r() < 0.85 ? g.int(5) : 5 + g.int(3);
  const frm = g.frm;
  const slots: Slot[] = [];
  const clear: boolean[] = [];
  for (let i = 0; i < length; i++) {
    slots.push(randomSlot(g));
    clear.push(g.r() < 0.8);
  }
  return { id: seed, fInit, xInit, scratch, frm, slots, clear, fsOff: fsOffList(g) };
}

function asciz(s: string): string {
  return JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'));
}

/** Assemble one seed's code (text) and data (rodata). */
export function assemble(spec: SeedSpec, opts: FpOptions = {}): FpSequence {
  const id = spec.id;
  const out: string[] = [];
  const data: string[] = ['  .balign 8', `.Lfpdata${id}:`];
  for (const v of [...spec.fInit, ...spec.xInit, ...spec.scratch]) data.push(`  .dword ${hx(v)}`);
  const xOff = 32 * 8;
  const sOff = xOff + DATA_X.length * 8;
  const repeat = opts.repeat ?? 1;
  out.push(`seed_${id}:`);
  if (repeat > 1) out.push('  la t3, fprepeat', `  li t4, ${repeat}`, '  sd t4, 0(t3)', `.Lagain${id}:`);
  out.push(
    '  li t3, 0x6000',
    '  csrc mstatus, t3',
    '  li t3, 0x2000',
    '  csrs mstatus, t3 # FS = Initial',
    '  sd x0, -16(gp)',
    '  sd x0, -24(gp)',
    `  la t3, .Lfpdata${id}`,
    `  addi t4, t3, ${sOff}`,
    '  mv t5, gp',
    `  li t6, ${SCRATCH_BYTES / 8}`,
    `.Lcp${id}:`,
    '  ld x1, 0(t4)',
    '  sd x1, 0(t5)',
    '  addi t4, t4, 8',
    '  addi t5, t5, 8',
    '  addi t6, t6, -1',
    `  bnez t6, .Lcp${id}`,
    '  la t5, fplog',
    `  li t6, ${spec.slots.length + 1}`,
    `.Lz${id}:`,
    '  sd x0, 0(t5)',
    '  sd x0, 8(t5)',
    '  addi t5, t5, 16',
    '  addi t6, t6, -1',
    `  bnez t6, .Lz${id}`,
  );
  for (let i = 0; i < 32; i++) out.push(`  fld f${i}, ${8 * i}(t3)`);
  out.push(`  li t4, ${spec.frm << 5}`, '  csrw fcsr, t4 # frm, fflags = 0');
  DATA_X.forEach((x, i) => out.push(`  ld x${x}, ${xOff + 8 * i}(t3)`));
  out.push('  mv sp, gp', '  mv s0, gp', '  la t5, fplog', '  li t6, 0', `.Lbody${id}:`);
  const body: string[] = [];
  spec.slots.forEach((s, i) => {
    out.push(`# slot ${i}: ${s.text}`);
    for (const l of s.lines) out.push(`  ${l}`);
    for (const l of slotEpilogue(s.dest, spec.clear[i] ?? true)) out.push(`  ${l}`);
    body.push(s.text);
  });
  // Save the state, then the directed FS=Off part.
  out.push(`.Lend${id}:`, '  la t3, fpdump');
  for (const x of DATA_X) out.push(`  sd x${x}, ${8 * x}(t3)`);
  for (let i = 0; i < 32; i++) out.push(`  fsd f${i}, ${256 + 8 * i}(t3)`);
  out.push('  csrr t4, fcsr', '  sd t4, 512(t3)', '  sd t6, 520(t3)');
  out.push('  la t5, fplog_dummy', '  ld t6, -24(gp)', '  li t4, 0x6000', '  csrc mstatus, t4 # FS = Off');
  for (const l of spec.fsOff) out.push(`  ${l}`);
  out.push(
    '  ld t4, -24(gp)',
    '  sub t4, t4, t6',
    '  la t3, fpdump',
    '  sd t4, 528(t3)',
    '  csrr t4, mstatus',
    '  srli t4, t4, 13',
    '  andi t4, t4, 3',
    '  sd t4, 536(t3)',
    '  li t4, 0x2000',
    '  csrs mstatus, t4 # FS = Initial again: did the FS=Off part change f registers or fcsr?',
    '  li t6, 0',
  );
  for (let i = 0; i < 32; i++)
    out.push(`  fmv.x.d t4, f${i}`, `  ld t5, ${256 + 8 * i}(t3)`, '  xor t4, t4, t5', '  or t6, t6, t4');
  out.push('  csrr t4, fcsr', '  ld t5, 512(t3)', '  xor t4, t4, t5', '  or t6, t6, t4', '  sd t6, 544(t3)');
  out.push(`  li a0, ${id}`);
  if (opts.trace) {
    out.push(`  la a1, .Ltt${id}`, `  li a2, ${spec.slots.length}`);
    data.push(`.Ltt${id}:`);
    body.forEach((_, i) => data.push(`  .dword .Ltm${id}_${i}`));
    body.forEach((t, i) => data.push(`.Ltm${id}_${i}: .asciz ${asciz(t)}`));
    data.push('  .balign 8');
  } else out.push('  li a1, 0', '  li a2, 0');
  out.push('  call print_seed');
  if (repeat > 1) {
    out.push('  la t3, fprepeat', '  ld t4, 0(t3)', '  addi t4, t4, -1', '  sd t4, 0(t3)', `  bnez t4, .Lagain${id}`);
  }
  return { seed: id, asm: out.join('\n'), body, fsOffCount: spec.fsOff.length, data: data.join('\n') };
}

export function generate(seed: number, length: number, opts: FpOptions = {}): FpSequence {
  return assemble(randomSpec(seed, length), opts);
}

/** A complete program for `seeds`; its UART output is parsed by parseFpDump / parseTrace. */
export function program(seeds: number[], length: number, opts: FpOptions = {}): string {
  return programOf(
    seeds.map((s) => generate(s, length, opts)),
    length,
  );
}

/** A complete program running the given assembled sequences (all with at most maxLength slots). */
export function programOf(seqs: FpSequence[], maxLength: number): string {
  const parts = [PRELUDE];
  for (const s of seqs) parts.push(s.asm);
  parts.push('  j all_done', '  .section .rodata');
  for (const s of seqs) parts.push(s.data);
  parts.push(POSTLUDE.replace('@LOGBYTES@', String((maxLength + 1) * 16)));
  return parts.join('\n') + '\n';
}

/** Lines of a seed's dump (after "seed N"): name value... (the T lines of a trace are excluded). */
export function parseFpDump(uart: string): Map<number, string[]> {
  return parseSeeds(uart, false);
}
/** The trace records ("T index dest fflags trap text") per seed. */
export function parseTrace(uart: string): Map<number, string[]> {
  return parseSeeds(uart, true);
}
function parseSeeds(uart: string, trace: boolean): Map<number, string[]> {
  const res = new Map<number, string[]>();
  let cur: string[] | null = null;
  for (const raw of uart.split('\n')) {
    const line = raw.trim();
    const m = /^seed (\d+)$/.exec(line);
    if (m) {
      // A repeated seed (FpOptions.repeat) appends its next dump.
      cur = res.get(Number(m[1])) ?? [];
      res.set(Number(m[1]), cur);
    } else if (cur && line && line !== 'done' && line.startsWith('T ') === trace) cur.push(line);
  }
  return res;
}
/** misa as printed at the start of the program. */
export function parseMisa(uart: string): bigint | null {
  const m = /^misa ([0-9a-f]{16})$/m.exec(uart);
  return m ? BigInt('0x' + m[1]) : null;
}

/** Number of dump lines per seed: 32 f, fcsr, data registers, traps, hash, mem, fsoff. */
export const DUMP_LINES = 32 + 1 + DATA_X.length + 4;

// ---------------------------------------------------------------------------------------------
// Hand-checked cases: fixed inputs whose results follow from the spec by hand (run on QEMU to
// validate the oracle itself, and on cxlemu). Expected: [dest, fflags, trap (mcause + 1 or 0)].

const S1 = BOX | sb(1);
export interface HandCase {
  text: string;
  dest: bigint;
  fflags: number;
  trap: number;
}

export function handCheck(): { seq: FpSequence; expected: HandCase[] } {
  const g = new Gen(1);
  const fInit = new Array<bigint>(32).fill(0n);
  fInit[1] = S1;
  fInit[2] = BOX | sb(2 ** -24);
  fInit[3] = BOX | sb(3 * 2 ** -25);
  fInit[4] = BOX | 0x7f800001n; // sNaN
  fInit[5] = BOX | 0x7f800000n; // +inf
  fInit[6] = BOX; // +0
  fInit[7] = BOX | 0x7fc12345n; // qNaN with payload
  fInit[8] = BOX | sb(-0.5);
  fInit[9] = sb(1); // 1.0, NOT NaN-boxed
  fInit[10] = db(1);
  fInit[11] = db(2 ** -53);
  fInit[12] = db(2 ** 31 - 0.5);
  fInit[13] = db(-0);
  fInit[14] = 0x7ff0000000000001n; // sNaN
  fInit[15] = BOX | sb(2 ** 31);
  fInit[16] = db(1 + 2 ** -24);
  fInit[20] = 0x1234n;
  const xInit = DATA_X.map(() => 0n);
  xInit[DATA_X.indexOf(5)] = 0x1000001n; // 2^24 + 1
  xInit[DATA_X.indexOf(6)] = M64;
  const cases: Array<[string, bigint, number, number]> = [
    // 1 + 2^-24 is exactly halfway: RNE ties to even (1.0), RUP goes up; both inexact.
    ['fadd.s f20, f1, f2, rne', S1, 0x01, 0],
    ['fadd.s f20, f1, f2, rup', BOX | 0x3f800001n, 0x01, 0],
    ['fadd.s f20, f1, f3, rne', BOX | 0x3f800001n, 0x01, 0], // above halfway
    ['fadd.s f20, f1, f2, dyn', S1, 0x01, 0], // frm = RNE
    ['fadd.d f21, f10, f11, rne', db(1), 0x01, 0],
    ['fadd.d f21, f10, f11, rup', db(1 + 2 ** -52), 0x01, 0],
    ['fmin.s f22, f4, f1', S1, 0x10, 0], // one sNaN: the number, and NV
    ['fmax.s f22, f4, f7', BOX | 0x7fc00000n, 0x10, 0], // two NaNs: canonical NaN
    ['fmadd.s f23, f5, f6, f7, rne', BOX | 0x7fc00000n, 0x10, 0], // inf * 0 + qNaN: NV anyway
    ['fcvt.wu.s x9, f8, rtz', 0n, 0x01, 0], // -0.5 -> 0: inexact only
    ['fcvt.wu.s x9, f8, rdn', 0n, 0x10, 0], // -0.5 -> -1: invalid
    ['fcvt.w.s x9, f15, rtz', 0x7fffffffn, 0x10, 0], // 2^31 overflows
    ['fcvt.w.d x9, f12, rne', 0x7fffffffn, 0x10, 0], // 2^31 - 0.5 ties to 2^31: overflow
    ['fcvt.w.d x9, f12, rtz', 0x7fffffffn, 0x01, 0],
    ['fcvt.s.w f24, x5, rne', BOX | 0x4b800000n, 0x01, 0], // 2^24 + 1 ties to even
    ['fcvt.s.w f24, x5, rup', BOX | 0x4b800001n, 0x01, 0],
    ['fadd.s f25, f9, f1, rne', BOX | 0x7fc00000n, 0x00, 0], // unboxed input = canonical qNaN
    ['fclass.s x9, f9', 0x200n, 0x00, 0],
    ['fmv.x.w x9, f9', 0x3f800000n, 0x00, 0], // moves ignore boxing
    ['fsgnjn.s f25, f1, f9', BOX | sb(-1), 0x00, 0],
    ['fcvt.s.d f26, f16, rne', S1, 0x01, 0],
    ['fcvt.s.d f26, f16, rup', BOX | 0x3f800001n, 0x01, 0],
    ['fsqrt.d f27, f13, rne', db(-0), 0x00, 0],
    ['fsqrt.s f27, f8, rne', BOX | 0x7fc00000n, 0x10, 0],
    ['fdiv.s f28, f1, f6, rne', BOX | 0x7f800000n, 0x08, 0],
    ['fcvt.d.s f29, f4', 0x7ff8000000000000n, 0x10, 0],
    ['feq.d x9, f14, f14', 0n, 0x10, 0], // signalling NaN
    ['flt.s x9, f7, f1', 0n, 0x10, 0], // ordered compare of a quiet NaN
    ['feq.s x9, f7, f1', 0n, 0x00, 0], // quiet compare
    ['csrrwi x9, frm, 5', 0n, 0x00, 0], // reserved frm is stored
    ['fadd.s f20, f1, f2, dyn', S1, 0x00, 3], // dyn with frm = 5: illegal, f20 unchanged
    ['fcvt.d.s f29, f1, dyn', 0x7ff8000000000000n, 0x00, 3],
    ['fsgnj.s f30, f2, f2', BOX | sb(2 ** -24), 0x00, 0], // no rm field: runs
    ['csrrs x9, frm, x0', 5n, 0x00, 0],
    ['csrrwi x9, frm, 31', 5n, 0x00, 0], // frm keeps 3 bits: 7
    ['csrrs x9, frm, x0', 7n, 0x00, 0],
    ['csrrw x9, fcsr, x6', 0xe0n, 0x1f, 0], // fcsr keeps 8 bits: 0xff
    ['csrrs x9, fcsr, x0', 0xe0n, 0x00, 0], // (the slot epilogue cleared fflags)
    ['fadd.s f20, f1, f2, rm=5', S1, 0x00, 3],
    ['fsqrt.s f20, f1, rm=6', S1, 0x00, 3],
  ];
  const slots: Slot[] = cases.map(([text]) => handSlot(text));
  const spec: SeedSpec = {
    id: 0,
    fInit,
    xInit,
    scratch: new Array<bigint>(SCRATCH_BYTES / 8).fill(0n),
    frm: 0,
    slots,
    clear: slots.map(() => true),
    fsOff: fsOffList(g),
  };
  return {
    seq: assemble(spec, { trace: true }),
    expected: cases.map(([text, dest, fflags, trap]) => ({ text, dest: dest & M64, fflags, trap })),
  };
}

/** A Slot for one hand-written instruction text (the forms used by handCheck). */
function handSlot(text: string): Slot {
  const m = /^(\S+) (\w+)(.*)$/.exec(text)!;
  const mn = m[1]!;
  const rdName = m[2]!;
  const rd = Number(rdName.slice(1));
  const dest: Dest = rdName.startsWith('f') ? { kind: 'f', reg: rd } : { kind: 'x', reg: rd };
  const rmm = /, rm=(\d)$/.exec(text);
  if (rmm) {
    const ops = text.slice(mn.length + 1, rmm.index).split(', ');
    const f7: Record<string, number> = { 'fadd.s': 0x00, 'fsqrt.s': 0x2c };
    return { lines: [opfp(mn, f7[mn]!, ops, ops[2] ?? 'x0', Number(rmm[1])).line], text, dest };
  }
  if (mn === 'fcvt.d.s') {
    const ops = text.slice(mn.length + 1).split(', ');
    const rm = RM.indexOf(ops[2] ?? 'rne');
    return { lines: [opfp(mn, 0x21, ops.slice(0, 2), 'x0', rm, false).line], text, dest };
  }
  return { lines: [text], text, dest };
}

const PRELUDE = String.raw`
  .option norelax
  .section .text.init, "ax"
  .globl _start
_start:
  csrr t0, mhartid
1: bnez t0, 1b
  la t0, trap_entry
  csrw mtvec, t0
  la gp, scratch
  la s0, misa_msg
  call puts
  csrr a0, misa
  call puthex
  call putnl
  j first_seed

# Trap handler (M mode only): hashes mcause, mepc and mtval into -16(gp), counts traps at
# -24(gp), writes mcause + 1 into the current log record (12(t5)) and resumes after the trapping
# instruction (2 or 4 bytes). Uses tp (reserved); t0 is parked at -8(gp).
  .balign 4
trap_entry:
  sd t0, -8(gp)
  ld t0, -16(gp)
  csrr tp, mcause
  xor t0, t0, tp
  slli tp, t0, 13
  srli t0, t0, 51
  or t0, t0, tp
  csrr tp, mepc
  xor t0, t0, tp
  slli tp, t0, 7
  srli t0, t0, 57
  or t0, t0, tp
  csrr tp, mtval
  xor t0, t0, tp
  slli tp, t0, 17
  srli t0, t0, 47
  or t0, t0, tp
  sd t0, -16(gp)
  ld t0, -24(gp)
  addi t0, t0, 1
  sd t0, -24(gp)
  csrr tp, mcause
  addi tp, tp, 1
  sw tp, 12(t5)
  csrr t0, mepc
  lhu tp, 0(t0)
  andi tp, tp, 3
  addi tp, tp, -3
  addi t0, t0, 4
  beqz tp, 2f
  addi t0, t0, -2
2:
  csrw mepc, t0
  ld t0, -8(gp)
  mret

# print_seed: a0 = seed, a1 = trace text table (0: no trace), a2 = records. Prints "seed N", the
# trace records, then the dump saved in fpdump (layout: 8*x for data registers, 256 + 8*i for f_i,
# 512 fcsr, 520 running hash, 528 FS=Off trap count, 536 FS after, 544 FS=Off state change).
print_seed:
  mv s11, ra
  mv s1, a0
  mv s2, a1
  mv s3, a2
  la s0, seed_msg
  call puts
  mv a0, s1
  call putdec
  call putnl
  beqz s2, 5f
  la s4, fplog
  li s5, 0
1: beq s5, s3, 5f
  la s0, t_msg
  call puts
  mv a0, s5
  call putdec
  call putsp
  ld a0, 0(s4)
  call puthex
  call putsp
  lwu a0, 8(s4)
  li a3, 2
  call puthexn
  call putsp
  lwu a0, 12(s4)
  li a3, 2
  call puthexn
  call putsp
  slli t0, s5, 3
  add t0, t0, s2
  ld s0, 0(t0)
  call puts
  call putnl
  addi s4, s4, 16
  addi s5, s5, 1
  j 1b
5:
  la s4, fpdump
  li s5, 0
6: li a0, 'f'
  call putc
  mv a0, s5
  call putdec
  call putsp
  slli t0, s5, 3
  add t0, t0, s4
  ld a0, 256(t0)
  call puthex
  call putnl
  addi s5, s5, 1
  li t0, 32
  bne s5, t0, 6b
  la s0, fcsr_msg
  call puts
  ld a0, 512(s4)
  call puthex
  call putnl
  li s5, 1
7: li t0, 0x11c  # bit mask of x2, x3, x4, x8 (not data registers)
  srl t0, t0, s5
  andi t0, t0, 1
  bnez t0, 8f
  li a0, 'x'
  call putc
  mv a0, s5
  call putdec
  call putsp
  slli t0, s5, 3
  add t0, t0, s4
  ld a0, 0(t0)
  call puthex
  call putnl
8: addi s5, s5, 1
  li t0, 28
  bne s5, t0, 7b
  la s0, traps_msg
  call puts
  ld a0, -24(gp)
  call puthex
  call putsp
  ld a0, -16(gp)
  call puthex
  call putnl
  la s0, hash_msg
  call puts
  ld a0, 520(s4)
  call puthex
  call putnl
  # scratch checksum: rotate-xor of its doublewords
  li s6, 0
  mv t1, gp
  addi t2, gp, 512
9: ld t3, 0(t1)
  xor s6, s6, t3
  slli t4, s6, 9
  srli s6, s6, 55
  or s6, s6, t4
  addi t1, t1, 8
  bltu t1, t2, 9b
  la s0, mem_msg
  call puts
  mv a0, s6
  call puthex
  call putnl
  la s0, fsoff_msg
  call puts
  ld a0, 528(s4)
  call puthex
  call putsp
  ld a0, 536(s4)
  call puthex
  call putsp
  ld a0, 544(s4)
  call puthex
  call putnl
  jr s11

${UART_ROUTINES}
first_seed:
`;

const POSTLUDE = String.raw`
  .section .text
all_done:
  la s0, done_msg
  call puts
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b

  .section .rodata
misa_msg: .asciz "misa "
seed_msg: .asciz "seed "
t_msg: .asciz "T "
fcsr_msg: .asciz "fcsr "
traps_msg: .asciz "traps "
hash_msg: .asciz "hash "
mem_msg: .asciz "mem "
fsoff_msg: .asciz "fsoff "
done_msg: .asciz "done\n"

  .bss
  .balign 16
fpdump:
  .space 1024
fprepeat:
  .space 8
fplog_dummy:
  .space 16
fplog:
  .space @LOGBYTES@
  .balign 64
  .space 64  # the trap handler's words live just below scratch (-8 .. -24)
scratch:
  .space 512
`;

// `node dist/test/diff/random-fp-gen.js SEED [LENGTH] [--trace]` prints the program for one seed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const trace = args.includes('--trace');
  const nums = args.filter((a) => a !== '--trace').map(Number);
  process.stdout.write(program([nums[0] ?? 1], nums[1] ?? 400, { trace }));
}
