// The instruction table: one entry per mnemonic, grouped by extension (STYLE habit 8). It owns the
// numbering of decoded operations shared by the decoder, the interpreter, the disassembler and
// (later) the WebAssembly translator. It never holds semantics: those live in hart.ts.
//
// Encodings follow the RISC-V unprivileged ISA 20191213 and privileged ISA 20211203 (the
// riscv-opcodes `rv_i`, `rv64_i`, `rv_m`, `rv64_m`, `rv_a`, `rv64_a`, `rv_zicsr`, `rv_zifencei`,
// `rv_system`, `rv_s` and `rv_c`/`rv64_c` lists); compressed forms expand to these operations.

/** Decoded operation numbers. 0 means "slot not decoded yet". */
export const enum Op {
  UNDECODED = 0,
  // RV64I
  LUI = 1,
  AUIPC,
  JAL,
  JALR,
  BEQ,
  BNE,
  BLT,
  BGE,
  BLTU,
  BGEU,
  LB,
  LH,
  LW,
  LD,
  LBU,
  LHU,
  LWU,
  SB,
  SH,
  SW,
  SD,
  ADDI,
  SLTI,
  SLTIU,
  XORI,
  ORI,
  ANDI,
  SLLI,
  SRLI,
  SRAI,
  ADD,
  SUB,
  SLL,
  SLT,
  SLTU,
  XOR,
  SRL,
  SRA,
  OR,
  AND,
  ADDIW,
  SLLIW,
  SRLIW,
  SRAIW,
  ADDW,
  SUBW,
  SLLW,
  SRLW,
  SRAW,
  FENCE,
  ECALL,
  EBREAK,
  // Zifencei
  FENCE_I,
  // Zicsr (imm = CSR number; rs1 field holds the register or the 5-bit uimm)
  CSRRW,
  CSRRS,
  CSRRC,
  CSRRWI,
  CSRRSI,
  CSRRCI,
  // Privileged
  MRET,
  SRET,
  WFI,
  SFENCE_VMA,
  // M
  MUL,
  MULH,
  MULHSU,
  MULHU,
  DIV,
  DIVU,
  REM,
  REMU,
  MULW,
  DIVW,
  DIVUW,
  REMW,
  REMUW,
  // A
  LR_W,
  SC_W,
  AMOSWAP_W,
  AMOADD_W,
  AMOXOR_W,
  AMOAND_W,
  AMOOR_W,
  AMOMIN_W,
  AMOMAX_W,
  AMOMINU_W,
  AMOMAXU_W,
  LR_D,
  SC_D,
  AMOSWAP_D,
  AMOADD_D,
  AMOXOR_D,
  AMOAND_D,
  AMOOR_D,
  AMOMIN_D,
  AMOMAX_D,
  AMOMINU_D,
  AMOMAXU_D,
  // F and D (loads/stores first, then every single operation, then every double one: fpu.ts
  // relies on this order). imm = rm | rs3 << 3 for computational ones, the offset for loads/stores.
  FLW,
  FSW,
  FLD,
  FSD,
  FMADD_S,
  FMSUB_S,
  FNMSUB_S,
  FNMADD_S,
  FADD_S,
  FSUB_S,
  FMUL_S,
  FDIV_S,
  FSQRT_S,
  FSGNJ_S,
  FSGNJN_S,
  FSGNJX_S,
  FMIN_S,
  FMAX_S,
  FEQ_S,
  FLT_S,
  FLE_S,
  FCLASS_S,
  FMV_X_W,
  FMV_W_X,
  FCVT_W_S,
  FCVT_WU_S,
  FCVT_L_S,
  FCVT_LU_S,
  FCVT_S_W,
  FCVT_S_WU,
  FCVT_S_L,
  FCVT_S_LU,
  FCVT_S_D,
  FMADD_D,
  FMSUB_D,
  FNMSUB_D,
  FNMADD_D,
  FADD_D,
  FSUB_D,
  FMUL_D,
  FDIV_D,
  FSQRT_D,
  FSGNJ_D,
  FSGNJN_D,
  FSGNJX_D,
  FMIN_D,
  FMAX_D,
  FEQ_D,
  FLT_D,
  FLE_D,
  FCLASS_D,
  FMV_X_D,
  FMV_D_X,
  FCVT_W_D,
  FCVT_WU_D,
  FCVT_L_D,
  FCVT_LU_D,
  FCVT_D_W,
  FCVT_D_WU,
  FCVT_D_L,
  FCVT_D_LU,
  FCVT_D_S,
  // Zba, Zbb, Zbs (bit manipulation) and Zicond: integer operations (imm = shamt for the immediate forms).
  SH1ADD,
  SH2ADD,
  SH3ADD,
  ADD_UW,
  SH1ADD_UW,
  SH2ADD_UW,
  SH3ADD_UW,
  SLLI_UW,
  ANDN,
  ORN,
  XNOR,
  CLZ,
  CLZW,
  CTZ,
  CTZW,
  CPOP,
  CPOPW,
  MAX,
  MAXU,
  MIN,
  MINU,
  SEXT_B,
  SEXT_H,
  ZEXT_H,
  ROL,
  ROLW,
  ROR,
  RORI,
  RORIW,
  RORW,
  ORC_B,
  REV8,
  BCLR,
  BCLRI,
  BEXT,
  BEXTI,
  BINV,
  BINVI,
  BSET,
  BSETI,
  CZERO_EQZ,
  CZERO_NEZ,
  // Zicbom, Zicboz (rs1 = the address; prefetches are ORI hints, decoded as ORI to x0)
  CBO_INVAL,
  CBO_CLEAN,
  CBO_FLUSH,
  CBO_ZERO,
  /** Reserved / unsupported encoding: raises illegal-instruction with tval = the bits. */
  ILLEGAL,
  COUNT,
}

/** Mnemonics indexed by Op (objdump spelling). */
export const OP_NAMES: readonly string[] = (() => {
  const n: string[] = [];
  const set = (op: Op, s: string) => (n[op] = s);
  set(Op.UNDECODED, '<undecoded>');
  const list: [Op, string][] = [
    [Op.LUI, 'lui'],
    [Op.AUIPC, 'auipc'],
    [Op.JAL, 'jal'],
    [Op.JALR, 'jalr'],
    [Op.BEQ, 'beq'],
    [Op.BNE, 'bne'],
    [Op.BLT, 'blt'],
    [Op.BGE, 'bge'],
    [Op.BLTU, 'bltu'],
    [Op.BGEU, 'bgeu'],
    [Op.LB, 'lb'],
    [Op.LH, 'lh'],
    [Op.LW, 'lw'],
    [Op.LD, 'ld'],
    [Op.LBU, 'lbu'],
    [Op.LHU, 'lhu'],
    [Op.LWU, 'lwu'],
    [Op.SB, 'sb'],
    [Op.SH, 'sh'],
    [Op.SW, 'sw'],
    [Op.SD, 'sd'],
    [Op.ADDI, 'addi'],
    [Op.SLTI, 'slti'],
    [Op.SLTIU, 'sltiu'],
    [Op.XORI, 'xori'],
    [Op.ORI, 'ori'],
    [Op.ANDI, 'andi'],
    [Op.SLLI, 'slli'],
    [Op.SRLI, 'srli'],
    [Op.SRAI, 'srai'],
    [Op.ADD, 'add'],
    [Op.SUB, 'sub'],
    [Op.SLL, 'sll'],
    [Op.SLT, 'slt'],
    [Op.SLTU, 'sltu'],
    [Op.XOR, 'xor'],
    [Op.SRL, 'srl'],
    [Op.SRA, 'sra'],
    [Op.OR, 'or'],
    [Op.AND, 'and'],
    [Op.ADDIW, 'addiw'],
    [Op.SLLIW, 'slliw'],
    [Op.SRLIW, 'srliw'],
    [Op.SRAIW, 'sraiw'],
    [Op.ADDW, 'addw'],
    [Op.SUBW, 'subw'],
    [Op.SLLW, 'sllw'],
    [Op.SRLW, 'srlw'],
    [Op.SRAW, 'sraw'],
    [Op.FENCE, 'fence'],
    [Op.ECALL, 'ecall'],
    [Op.EBREAK, 'ebreak'],
    [Op.FENCE_I, 'fence.i'],
    [Op.CSRRW, 'csrrw'],
    [Op.CSRRS, 'csrrs'],
    [Op.CSRRC, 'csrrc'],
    [Op.CSRRWI, 'csrrwi'],
    [Op.CSRRSI, 'csrrsi'],
    [Op.CSRRCI, 'csrrci'],
    [Op.MRET, 'mret'],
    [Op.SRET, 'sret'],
    [Op.WFI, 'wfi'],
    [Op.SFENCE_VMA, 'sfence.vma'],
    [Op.MUL, 'mul'],
    [Op.MULH, 'mulh'],
    [Op.MULHSU, 'mulhsu'],
    [Op.MULHU, 'mulhu'],
    [Op.DIV, 'div'],
    [Op.DIVU, 'divu'],
    [Op.REM, 'rem'],
    [Op.REMU, 'remu'],
    [Op.MULW, 'mulw'],
    [Op.DIVW, 'divw'],
    [Op.DIVUW, 'divuw'],
    [Op.REMW, 'remw'],
    [Op.REMUW, 'remuw'],
    [Op.LR_W, 'lr.w'],
    [Op.SC_W, 'sc.w'],
    [Op.AMOSWAP_W, 'amoswap.w'],
    [Op.AMOADD_W, 'amoadd.w'],
    [Op.AMOXOR_W, 'amoxor.w'],
    [Op.AMOAND_W, 'amoand.w'],
    [Op.AMOOR_W, 'amoor.w'],
    [Op.AMOMIN_W, 'amomin.w'],
    [Op.AMOMAX_W, 'amomax.w'],
    [Op.AMOMINU_W, 'amominu.w'],
    [Op.AMOMAXU_W, 'amomaxu.w'],
    [Op.LR_D, 'lr.d'],
    [Op.SC_D, 'sc.d'],
    [Op.AMOSWAP_D, 'amoswap.d'],
    [Op.AMOADD_D, 'amoadd.d'],
    [Op.AMOXOR_D, 'amoxor.d'],
    [Op.AMOAND_D, 'amoand.d'],
    [Op.AMOOR_D, 'amoor.d'],
    [Op.AMOMIN_D, 'amomin.d'],
    [Op.AMOMAX_D, 'amomax.d'],
    [Op.AMOMINU_D, 'amominu.d'],
    [Op.AMOMAXU_D, 'amomaxu.d'],
    [Op.FLW, 'flw'],
    [Op.FSW, 'fsw'],
    [Op.FLD, 'fld'],
    [Op.FSD, 'fsd'],
    [Op.FMADD_S, 'fmadd.s'],
    [Op.FMSUB_S, 'fmsub.s'],
    [Op.FNMSUB_S, 'fnmsub.s'],
    [Op.FNMADD_S, 'fnmadd.s'],
    [Op.FADD_S, 'fadd.s'],
    [Op.FSUB_S, 'fsub.s'],
    [Op.FMUL_S, 'fmul.s'],
    [Op.FDIV_S, 'fdiv.s'],
    [Op.FSQRT_S, 'fsqrt.s'],
    [Op.FSGNJ_S, 'fsgnj.s'],
    [Op.FSGNJN_S, 'fsgnjn.s'],
    [Op.FSGNJX_S, 'fsgnjx.s'],
    [Op.FMIN_S, 'fmin.s'],
    [Op.FMAX_S, 'fmax.s'],
    [Op.FEQ_S, 'feq.s'],
    [Op.FLT_S, 'flt.s'],
    [Op.FLE_S, 'fle.s'],
    [Op.FCLASS_S, 'fclass.s'],
    [Op.FMV_X_W, 'fmv.x.w'],
    [Op.FMV_W_X, 'fmv.w.x'],
    [Op.FCVT_W_S, 'fcvt.w.s'],
    [Op.FCVT_WU_S, 'fcvt.wu.s'],
    [Op.FCVT_L_S, 'fcvt.l.s'],
    [Op.FCVT_LU_S, 'fcvt.lu.s'],
    [Op.FCVT_S_W, 'fcvt.s.w'],
    [Op.FCVT_S_WU, 'fcvt.s.wu'],
    [Op.FCVT_S_L, 'fcvt.s.l'],
    [Op.FCVT_S_LU, 'fcvt.s.lu'],
    [Op.FCVT_S_D, 'fcvt.s.d'],
    [Op.FMADD_D, 'fmadd.d'],
    [Op.FMSUB_D, 'fmsub.d'],
    [Op.FNMSUB_D, 'fnmsub.d'],
    [Op.FNMADD_D, 'fnmadd.d'],
    [Op.FADD_D, 'fadd.d'],
    [Op.FSUB_D, 'fsub.d'],
    [Op.FMUL_D, 'fmul.d'],
    [Op.FDIV_D, 'fdiv.d'],
    [Op.FSQRT_D, 'fsqrt.d'],
    [Op.FSGNJ_D, 'fsgnj.d'],
    [Op.FSGNJN_D, 'fsgnjn.d'],
    [Op.FSGNJX_D, 'fsgnjx.d'],
    [Op.FMIN_D, 'fmin.d'],
    [Op.FMAX_D, 'fmax.d'],
    [Op.FEQ_D, 'feq.d'],
    [Op.FLT_D, 'flt.d'],
    [Op.FLE_D, 'fle.d'],
    [Op.FCLASS_D, 'fclass.d'],
    [Op.FMV_X_D, 'fmv.x.d'],
    [Op.FMV_D_X, 'fmv.d.x'],
    [Op.FCVT_W_D, 'fcvt.w.d'],
    [Op.FCVT_WU_D, 'fcvt.wu.d'],
    [Op.FCVT_L_D, 'fcvt.l.d'],
    [Op.FCVT_LU_D, 'fcvt.lu.d'],
    [Op.FCVT_D_W, 'fcvt.d.w'],
    [Op.FCVT_D_WU, 'fcvt.d.wu'],
    [Op.FCVT_D_L, 'fcvt.d.l'],
    [Op.FCVT_D_LU, 'fcvt.d.lu'],
    [Op.FCVT_D_S, 'fcvt.d.s'],
    [Op.SH1ADD, 'sh1add'],
    [Op.SH2ADD, 'sh2add'],
    [Op.SH3ADD, 'sh3add'],
    [Op.ADD_UW, 'add.uw'],
    [Op.SH1ADD_UW, 'sh1add.uw'],
    [Op.SH2ADD_UW, 'sh2add.uw'],
    [Op.SH3ADD_UW, 'sh3add.uw'],
    [Op.SLLI_UW, 'slli.uw'],
    [Op.ANDN, 'andn'],
    [Op.ORN, 'orn'],
    [Op.XNOR, 'xnor'],
    [Op.CLZ, 'clz'],
    [Op.CLZW, 'clzw'],
    [Op.CTZ, 'ctz'],
    [Op.CTZW, 'ctzw'],
    [Op.CPOP, 'cpop'],
    [Op.CPOPW, 'cpopw'],
    [Op.MAX, 'max'],
    [Op.MAXU, 'maxu'],
    [Op.MIN, 'min'],
    [Op.MINU, 'minu'],
    [Op.SEXT_B, 'sext.b'],
    [Op.SEXT_H, 'sext.h'],
    [Op.ZEXT_H, 'zext.h'],
    [Op.ROL, 'rol'],
    [Op.ROLW, 'rolw'],
    [Op.ROR, 'ror'],
    [Op.RORI, 'rori'],
    [Op.RORIW, 'roriw'],
    [Op.RORW, 'rorw'],
    [Op.ORC_B, 'orc.b'],
    [Op.REV8, 'rev8'],
    [Op.BCLR, 'bclr'],
    [Op.BCLRI, 'bclri'],
    [Op.BEXT, 'bext'],
    [Op.BEXTI, 'bexti'],
    [Op.BINV, 'binv'],
    [Op.BINVI, 'binvi'],
    [Op.BSET, 'bset'],
    [Op.BSETI, 'bseti'],
    [Op.CZERO_EQZ, 'czero.eqz'],
    [Op.CZERO_NEZ, 'czero.nez'],
    [Op.CBO_INVAL, 'cbo.inval'],
    [Op.CBO_CLEAN, 'cbo.clean'],
    [Op.CBO_FLUSH, 'cbo.flush'],
    [Op.CBO_ZERO, 'cbo.zero'],
    [Op.ILLEGAL, 'unimp'],
  ];
  for (const [op, s] of list) set(op, s);
  return n;
})();

/**
 * The decoded form of one instruction slot: four Int32 words.
 *  w0 = op | rd << 8 | rs1 << 14 | rs2 << 20 | compressed << 26
 *  w1 = immediate (sign-extended 32-bit; CSR number for Zicsr; shamt for shifts)
 *  w2 = the raw instruction bits (16 or 32), for illegal-instruction tval and disassembly
 *  w3 = reserved for the translator (hit counts)
 * A destination of x0 is stored as register 32, a scratch slot nobody reads, so the interpreter
 * never tests rd == 0 (not for floating-point destinations: f0 is a register).
 */
export const SLOT_WORDS = 4;
export const W0_COMPRESSED = 1 << 26;

/** Bytes of the instruction whose slot word 0 is w0: 2 (compressed) or 4. */
export const insnBytes = (w0: number): number => ((w0 & W0_COMPRESSED) !== 0 ? 2 : 4);
export const X0_SINK = 32;

export function packW0(op: Op, rd: number, rs1: number, rs2: number, compressed: boolean): number {
  return op | ((rd === 0 ? X0_SINK : rd) << 8) | (rs1 << 14) | (rs2 << 20) | (compressed ? W0_COMPRESSED : 0);
}

/** packW0 for an operation whose destination is a floating-point register (f0 is a real register). */
export function packW0F(op: Op, rd: number, rs1: number, rs2: number, compressed: boolean): number {
  return op | (rd << 8) | (rs1 << 14) | (rs2 << 20) | (compressed ? W0_COMPRESSED : 0);
}

/** The F/D operations, loads and stores included. */
export function isFpOp(op: number): boolean {
  return op >= Op.FLW && op <= Op.FCVT_D_S;
}

/** The bit-manipulation and conditional-zero operations (Zba, Zbb, Zbs, Zicond). */
export function isBitOp(op: number): boolean {
  return op >= Op.SH1ADD && op <= Op.CZERO_NEZ;
}

/** F/D operations whose rs1 is an integer register holding a value (fmv.*.x, fcvt from integers). */
export function fpReadsX(op: number): boolean {
  return (
    op === Op.FMV_W_X ||
    op === Op.FMV_D_X ||
    (op >= Op.FCVT_S_W && op <= Op.FCVT_S_LU) ||
    (op >= Op.FCVT_D_W && op <= Op.FCVT_D_LU)
  );
}

/** F/D operations that write an integer register (rd 0 is the x0 sink for them). */
export function fpWritesX(op: number): boolean {
  switch (op) {
    case Op.FEQ_S:
    case Op.FLT_S:
    case Op.FLE_S:
    case Op.FCLASS_S:
    case Op.FMV_X_W:
    case Op.FCVT_W_S:
    case Op.FCVT_WU_S:
    case Op.FCVT_L_S:
    case Op.FCVT_LU_S:
    case Op.FEQ_D:
    case Op.FLT_D:
    case Op.FLE_D:
    case Op.FCLASS_D:
    case Op.FMV_X_D:
    case Op.FCVT_W_D:
    case Op.FCVT_WU_D:
    case Op.FCVT_L_D:
    case Op.FCVT_LU_D:
      return true;
    default:
      return false;
  }
}

/** The f registers an F/D operation reads and the one it writes (-1: none), (the JIT's locals, the disassembler's operands). */
export function fpRegOperands(
  op: number,
  rd: number,
  rs1: number,
  rs2: number,
  imm: number,
): { reads: number[]; write: number } {
  const rs3 = (imm >>> 3) & 31;
  if (op === Op.FLW || op === Op.FLD || fpReadsX(op)) return { reads: [], write: rd };
  switch (op) {
    case Op.FSW:
    case Op.FSD:
      return { reads: [rs2], write: -1 };
    case Op.FMADD_S:
    case Op.FMSUB_S:
    case Op.FNMSUB_S:
    case Op.FNMADD_S:
    case Op.FMADD_D:
    case Op.FMSUB_D:
    case Op.FNMSUB_D:
    case Op.FNMADD_D:
      return { reads: [rs1, rs2, rs3], write: rd };
    case Op.FSQRT_S:
    case Op.FSQRT_D:
    case Op.FCVT_S_D:
    case Op.FCVT_D_S:
      return { reads: [rs1], write: rd };
    case Op.FEQ_S:
    case Op.FLT_S:
    case Op.FLE_S:
    case Op.FEQ_D:
    case Op.FLT_D:
    case Op.FLE_D:
      return { reads: [rs1, rs2], write: -1 };
    default:
      if (fpWritesX(op)) return { reads: [rs1], write: -1 }; // fclass, fmv.x.*, fcvt to integer
      return { reads: [rs1, rs2], write: rd }; // arithmetic, sign injection, min/max
  }
}
