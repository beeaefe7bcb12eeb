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
  LUI = 1, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW, ADDW, SUBW, SLLW, SRLW, SRAW,
  FENCE, ECALL, EBREAK,
  // Zifencei
  FENCE_I,
  // Zicsr (imm = CSR number; rs1 field holds the register or the 5-bit uimm)
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  // Privileged
  MRET, SRET, WFI, SFENCE_VMA,
  // M
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  // A
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  LR_D, SC_D, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D,
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
    [Op.LUI, 'lui'], [Op.AUIPC, 'auipc'], [Op.JAL, 'jal'], [Op.JALR, 'jalr'],
    [Op.BEQ, 'beq'], [Op.BNE, 'bne'], [Op.BLT, 'blt'], [Op.BGE, 'bge'], [Op.BLTU, 'bltu'], [Op.BGEU, 'bgeu'],
    [Op.LB, 'lb'], [Op.LH, 'lh'], [Op.LW, 'lw'], [Op.LD, 'ld'], [Op.LBU, 'lbu'], [Op.LHU, 'lhu'], [Op.LWU, 'lwu'],
    [Op.SB, 'sb'], [Op.SH, 'sh'], [Op.SW, 'sw'], [Op.SD, 'sd'],
    [Op.ADDI, 'addi'], [Op.SLTI, 'slti'], [Op.SLTIU, 'sltiu'], [Op.XORI, 'xori'], [Op.ORI, 'ori'], [Op.ANDI, 'andi'],
    [Op.SLLI, 'slli'], [Op.SRLI, 'srli'], [Op.SRAI, 'srai'],
    [Op.ADD, 'add'], [Op.SUB, 'sub'], [Op.SLL, 'sll'], [Op.SLT, 'slt'], [Op.SLTU, 'sltu'], [Op.XOR, 'xor'],
    [Op.SRL, 'srl'], [Op.SRA, 'sra'], [Op.OR, 'or'], [Op.AND, 'and'],
    [Op.ADDIW, 'addiw'], [Op.SLLIW, 'slliw'], [Op.SRLIW, 'srliw'], [Op.SRAIW, 'sraiw'],
    [Op.ADDW, 'addw'], [Op.SUBW, 'subw'], [Op.SLLW, 'sllw'], [Op.SRLW, 'srlw'], [Op.SRAW, 'sraw'],
    [Op.FENCE, 'fence'], [Op.ECALL, 'ecall'], [Op.EBREAK, 'ebreak'], [Op.FENCE_I, 'fence.i'],
    [Op.CSRRW, 'csrrw'], [Op.CSRRS, 'csrrs'], [Op.CSRRC, 'csrrc'], [Op.CSRRWI, 'csrrwi'], [Op.CSRRSI, 'csrrsi'], [Op.CSRRCI, 'csrrci'],
    [Op.MRET, 'mret'], [Op.SRET, 'sret'], [Op.WFI, 'wfi'], [Op.SFENCE_VMA, 'sfence.vma'],
    [Op.MUL, 'mul'], [Op.MULH, 'mulh'], [Op.MULHSU, 'mulhsu'], [Op.MULHU, 'mulhu'],
    [Op.DIV, 'div'], [Op.DIVU, 'divu'], [Op.REM, 'rem'], [Op.REMU, 'remu'],
    [Op.MULW, 'mulw'], [Op.DIVW, 'divw'], [Op.DIVUW, 'divuw'], [Op.REMW, 'remw'], [Op.REMUW, 'remuw'],
    [Op.LR_W, 'lr.w'], [Op.SC_W, 'sc.w'], [Op.AMOSWAP_W, 'amoswap.w'], [Op.AMOADD_W, 'amoadd.w'], [Op.AMOXOR_W, 'amoxor.w'],
    [Op.AMOAND_W, 'amoand.w'], [Op.AMOOR_W, 'amoor.w'], [Op.AMOMIN_W, 'amomin.w'], [Op.AMOMAX_W, 'amomax.w'],
    [Op.AMOMINU_W, 'amominu.w'], [Op.AMOMAXU_W, 'amomaxu.w'],
    [Op.LR_D, 'lr.d'], [Op.SC_D, 'sc.d'], [Op.AMOSWAP_D, 'amoswap.d'], [Op.AMOADD_D, 'amoadd.d'], [Op.AMOXOR_D, 'amoxor.d'],
    [Op.AMOAND_D, 'amoand.d'], [Op.AMOOR_D, 'amoor.d'], [Op.AMOMIN_D, 'amomin.d'], [Op.AMOMAX_D, 'amomax.d'],
    [Op.AMOMINU_D, 'amominu.d'], [Op.AMOMAXU_D, 'amomaxu.d'],
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
 * never tests rd == 0.
 */
export const SLOT_WORDS = 4;
export const W0_COMPRESSED = 1 << 26;
export const X0_SINK = 32;

export function packW0(op: Op, rd: number, rs1: number, rs2: number, compressed: boolean): number {
  return op | ((rd === 0 ? X0_SINK : rd) << 8) | (rs1 << 14) | (rs2 << 20) | (compressed ? W0_COMPRESSED : 0);
}
