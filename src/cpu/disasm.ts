// Disassembler for --trace and tests: objdump-style text (ABI register names, common aliases such
// as li/mv/nop/ret/j/csrr). It reuses the decoder's slot form, so it can never disagree with what
// the interpreter executes; it never touches guest state.

import { decodeInto } from './decode.js';
import { fpUsesRm } from './fpu.js';
import { fpReadsX, fpRegOperands, fpWritesX, isFpOp, Op, OP_NAMES, SLOT_WORDS, X0_SINK } from './isa.js';

export const ABI_NAMES = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
];

/** Floating-point register ABI names. */
export const FP_ABI_NAMES = [
  'ft0',
  'ft1',
  'ft2',
  'ft3',
  'ft4',
  'ft5',
  'ft6',
  'ft7',
  'fs0',
  'fs1',
  'fa0',
  'fa1',
  'fa2',
  'fa3',
  'fa4',
  'fa5',
  'fa6',
  'fa7',
  'fs2',
  'fs3',
  'fs4',
  'fs5',
  'fs6',
  'fs7',
  'fs8',
  'fs9',
  'fs10',
  'fs11',
  'ft8',
  'ft9',
  'ft10',
  'ft11',
];

const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', '5', '6', 'dyn'];

const CSR_NAMES: Record<number, string> = {
  0x14d: 'stimecmp',
  0x001: 'fflags',
  0x002: 'frm',
  0x003: 'fcsr',
  0x100: 'sstatus',
  0x104: 'sie',
  0x105: 'stvec',
  0x106: 'scounteren',
  0x10a: 'senvcfg',
  0x140: 'sscratch',
  0x141: 'sepc',
  0x142: 'scause',
  0x143: 'stval',
  0x144: 'sip',
  0x180: 'satp',
  0x300: 'mstatus',
  0x301: 'misa',
  0x302: 'medeleg',
  0x303: 'mideleg',
  0x304: 'mie',
  0x305: 'mtvec',
  0x306: 'mcounteren',
  0x30a: 'menvcfg',
  0x320: 'mcountinhibit',
  0x340: 'mscratch',
  0x341: 'mepc',
  0x342: 'mcause',
  0x343: 'mtval',
  0x344: 'mip',
  0xb00: 'mcycle',
  0xb02: 'minstret',
  0xc00: 'cycle',
  0xc01: 'time',
  0xc02: 'instret',
  0xf11: 'mvendorid',
  0xf12: 'marchid',
  0xf13: 'mimpid',
  0xf14: 'mhartid',
  0xf15: 'mconfigptr',
};

export function csrName(n: number): string {
  const k = CSR_NAMES[n];
  if (k !== undefined) return k;
  if (n >= 0x3a0 && n <= 0x3af) return `pmpcfg${n - 0x3a0}`;
  if (n >= 0x3b0 && n <= 0x3ef) return `pmpaddr${n - 0x3b0}`;
  if (n >= 0xb03 && n <= 0xb1f) return `mhpmcounter${n - 0xb00}`;
  if (n >= 0xc03 && n <= 0xc1f) return `hpmcounter${n - 0xc00}`;
  if (n >= 0x323 && n <= 0x33f) return `mhpmevent${n - 0x320}`;
  return `0x${n.toString(16)}`;
}

const slot = new Int32Array(SLOT_WORDS);

function hex(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** A guest address (a signed 64-bit value held in a Number) as unsigned hex without 0x, from its
 *  32-bit halves (`a + 2^64` as a double would round away a kernel address's low bits). */
export function addressHex(a: number): string {
  const hi = Math.floor(a / 4294967296) >>> 0;
  const lo = (a >>> 0).toString(16);
  return hi === 0 ? lo : hi.toString(16) + lo.padStart(8, '0');
}

/** Render a branch/jump target like objdump (absolute address, hex, no 0x). */
function target(pc: number, imm: number): string {
  return addressHex(pc + imm);
}

export interface DisasmOptions {
  /** Use objdump's default aliases (li, mv, ret, csrr, ...). Default true; false matches `-M no-aliases` for 32-bit forms. */
  aliases?: boolean;
}

const FENCE_SET = (b: number) => (b & 8 ? 'i' : '') + (b & 4 ? 'o' : '') + (b & 2 ? 'r' : '') + (b & 1 ? 'w' : '');

/** Disassemble one instruction (16-bit in the low half when (insn & 3) != 3) at pc. */
export function disassemble(insn: number, pc: number, opts: DisasmOptions = {}): string {
  const al = opts.aliases !== false;
  decodeInto(insn, slot, 0);
  const w0 = slot[0]!;
  const op = (w0 & 0xff) as Op;
  let rd = (w0 >>> 8) & 63;
  if (rd === X0_SINK) rd = 0;
  const rs1 = (w0 >>> 14) & 63,
    rs2 = (w0 >>> 20) & 63;
  const imm = slot[1]!;
  const r = (i: number) => ABI_NAMES[i]!;
  const n = OP_NAMES[op]!;
  switch (op) {
    case Op.LUI:
      return `lui ${r(rd)},${hex((imm >>> 12) & 0xfffff)}`;
    case Op.AUIPC:
      return `auipc ${r(rd)},${hex((imm >>> 12) & 0xfffff)}`;
    case Op.JAL:
      if (!al) return `jal ${r(rd)},${target(pc, imm)}`;
      if (rd === 0) return `j ${target(pc, imm)}`;
      if (rd === 1) return `jal ${target(pc, imm)}`;
      return `jal ${r(rd)},${target(pc, imm)}`;
    case Op.JALR:
      if (!al) return `jalr ${r(rd)},${imm}(${r(rs1)})`;
      if (rd === 0 && rs1 === 1 && imm === 0) return 'ret';
      if (rd === 0 && imm === 0) return `jr ${r(rs1)}`;
      if (rd === 1 && imm === 0) return `jalr ${r(rs1)}`;
      return `jalr ${r(rd)},${imm}(${r(rs1)})`;
    case Op.BEQ:
    case Op.BNE:
    case Op.BLT:
    case Op.BGE:
    case Op.BLTU:
    case Op.BGEU:
      if (al && rs2 === 0 && (op === Op.BEQ || op === Op.BNE)) return `${n}z ${r(rs1)},${target(pc, imm)}`;
      return `${n} ${r(rs1)},${r(rs2)},${target(pc, imm)}`;
    case Op.LB:
    case Op.LH:
    case Op.LW:
    case Op.LD:
    case Op.LBU:
    case Op.LHU:
    case Op.LWU:
      return `${n} ${r(rd)},${imm}(${r(rs1)})`;
    case Op.SB:
    case Op.SH:
    case Op.SW:
    case Op.SD:
      return `${n} ${r(rs2)},${imm}(${r(rs1)})`;
    case Op.ADDI:
      if (!al) return `addi ${r(rd)},${r(rs1)},${imm}`;
      if (rd === 0 && rs1 === 0 && imm === 0) return 'nop';
      if (rs1 === 0) return `li ${r(rd)},${imm}`;
      if (imm === 0) return `mv ${r(rd)},${r(rs1)}`;
      return `addi ${r(rd)},${r(rs1)},${imm}`;
    case Op.ADDIW:
      if (al && imm === 0) return `sext.w ${r(rd)},${r(rs1)}`;
      return `addiw ${r(rd)},${r(rs1)},${imm}`;
    case Op.SLTI:
    case Op.SLTIU:
    case Op.XORI:
    case Op.ORI:
    case Op.ANDI:
      return `${n} ${r(rd)},${r(rs1)},${imm}`;
    case Op.SLLI:
    case Op.SRLI:
    case Op.SRAI:
    case Op.SLLIW:
    case Op.SRLIW:
    case Op.SRAIW:
    case Op.SLLI_UW:
    case Op.RORI:
    case Op.RORIW:
    case Op.BCLRI:
    case Op.BEXTI:
    case Op.BINVI:
    case Op.BSETI:
      return `${n} ${r(rd)},${r(rs1)},${hex(imm)}`;
    case Op.CLZ:
    case Op.CLZW:
    case Op.CTZ:
    case Op.CTZW:
    case Op.CPOP:
    case Op.CPOPW:
    case Op.SEXT_B:
    case Op.SEXT_H:
    case Op.ZEXT_H:
    case Op.ORC_B:
    case Op.REV8:
      return `${n} ${r(rd)},${r(rs1)}`;
    case Op.ADD:
      if (al && rs1 === 0) return `mv ${r(rd)},${r(rs2)}`;
      return `add ${r(rd)},${r(rs1)},${r(rs2)}`;
    case Op.FENCE: {
      const pred = (insn >>> 24) & 15,
        succ = (insn >>> 20) & 15;
      if (insn === 0x0100000f) return 'pause'; // Zihintpause (fence w,0), as GNU objdump names it
      return al && pred === 15 && succ === 15 ? 'fence' : `fence ${FENCE_SET(pred)},${FENCE_SET(succ)}`;
    }
    case Op.FENCE_I:
    case Op.ECALL:
    case Op.EBREAK:
    case Op.MRET:
    case Op.SRET:
    case Op.WFI:
      return n;
    case Op.SFENCE_VMA:
      return al && rs1 === 0 && rs2 === 0 ? 'sfence.vma' : `sfence.vma ${r(rs1)},${r(rs2)}`;
    case Op.CSRRW:
    case Op.CSRRS:
    case Op.CSRRC: {
      const c = csrName(imm);
      if (!al) return `${n} ${r(rd)},${c},${r(rs1)}`;
      if (op === Op.CSRRS && rs1 === 0) return `csrr ${r(rd)},${c}`;
      if (rd === 0) return `${op === Op.CSRRW ? 'csrw' : op === Op.CSRRS ? 'csrs' : 'csrc'} ${c},${r(rs1)}`;
      return `${n} ${r(rd)},${c},${r(rs1)}`;
    }
    case Op.CSRRWI:
    case Op.CSRRSI:
    case Op.CSRRCI: {
      const c = csrName(imm);
      if (al && rd === 0) return `${op === Op.CSRRWI ? 'csrwi' : op === Op.CSRRSI ? 'csrsi' : 'csrci'} ${c},${rs1}`;
      return `${n} ${r(rd)},${c},${rs1}`;
    }
    case Op.LR_W:
    case Op.LR_D:
      return `${n}${aqrl(insn)} ${r(rd)},(${r(rs1)})`;
    case Op.ILLEGAL:
      return `.insn 0x${(insn >>> 0).toString(16)}`;
    case Op.CBO_INVAL:
    case Op.CBO_CLEAN:
    case Op.CBO_FLUSH:
    case Op.CBO_ZERO:
      return `${n} (${r(rs1)})`;
    case Op.FLW:
    case Op.FLD:
      return `${n} ${FP_ABI_NAMES[rd]},${imm}(${r(rs1)})`;
    case Op.FSW:
    case Op.FSD:
      return `${n} ${FP_ABI_NAMES[rs2]},${imm}(${r(rs1)})`;
    case Op.UNDECODED:
      return '<undecoded>';
    default:
      if (op >= Op.SC_W && op <= Op.AMOMAXU_D) return `${n}${aqrl(insn)} ${r(rd)},${r(rs2)},(${r(rs1)})`;
      if (isFpOp(op)) return disasmFp(op, n, rd, rs1, rs2, imm, al);
      return `${n} ${r(rd)},${r(rs1)},${r(rs2)}`;
  }
}

/** Computational F/D instructions, objdump style: the rounding mode is shown unless it is dyn. */
function disasmFp(op: Op, n: string, rd: number, rs1: number, rs2: number, imm: number, al: boolean): string {
  const f = (i: number) => FP_ABI_NAMES[i]!;
  const x = (i: number) => ABI_NAMES[i]!;
  const rmText = (imm & 7) === 7 || !fpRmShown(op) ? '' : `,${RM_NAMES[imm & 7]}`;
  const dst = fpWritesX(op) ? x(rd) : f(rd);
  if (fpReadsX(op)) return `${n} ${f(rd)},${x(rs1)}${rmText}`;
  // fsgnj* with equal sources: objdump's fmv/fneg/fabs aliases.
  if (al && rs1 === rs2 && n.startsWith('fsgnj')) {
    const kind = n.startsWith('fsgnjn') ? 'fneg' : n.startsWith('fsgnjx') ? 'fabs' : 'fmv';
    return `${kind}${n.slice(-2)} ${f(rd)},${f(rs1)}`;
  }
  const { reads } = fpRegOperands(op, rd, rs1, rs2, imm);
  return `${n} ${[dst, ...reads.map(f)].join(',')}${rmText}`;
}

/** Whether objdump shows a static rounding mode (not for operations that cannot round). */
function fpRmShown(op: Op): boolean {
  return fpUsesRm(op) && op !== Op.FCVT_D_S && op !== Op.FCVT_D_W && op !== Op.FCVT_D_WU;
}

function aqrl(insn: number): string {
  const aq = (insn >>> 26) & 1,
    rl = (insn >>> 25) & 1;
  return aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '';
}
