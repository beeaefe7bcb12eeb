// Decoder: raw RV64IMAC(+Zicsr, Zifencei, privileged) bits -> the compact slot form of isa.ts.
// It owns encoding knowledge only; it never executes, never reads guest memory and never checks
// privilege (that depends on the mode at execution time, the decoded form must not).

import { fpWritesX, Op, packW0, packW0F, SLOT_WORDS } from './isa.js';

/** Zihintpause `pause`: fence with pred = w, succ = 0, fm = 0 (Linux's cpu_relax). */
const PAUSE_ENCODING = 0x0100000f;
/** The immediate a decoded FENCE carries when it is `pause` (0 for every other fence). */
export const FENCE_PAUSE = 1;

/**
 * Decode `raw` (a 32-bit instruction, or a 16-bit one in the low half when (raw & 3) != 3) into
 * out[s .. s+3]. Returns w0. Reserved encodings decode to Op.ILLEGAL.
 */
export function decodeInto(raw: number, out: Int32Array, s: number): number {
  let w0: number;
  let imm = 0;
  if ((raw & 3) !== 3) {
    raw &= 0xffff;
    const r = decodeCompressed(raw);
    w0 = r.w0;
    imm = r.imm;
  } else {
    const r = decode32(raw | 0);
    w0 = r.w0;
    imm = r.imm;
  }
  out[s] = w0;
  out[s + 1] = imm;
  out[s + 2] = raw | 0;
  out[s + 3] = 0;
  return w0;
}

/** Scratch result to keep the decoder allocation free. */
const res = { w0: 0, imm: 0 };

function ok(op: Op, rd: number, rs1: number, rs2: number, imm: number, c: boolean) {
  res.w0 = packW0(op, rd, rs1, rs2, c);
  res.imm = imm | 0;
  return res;
}

/** A floating-point operation: its rd is an f register unless it writes an integer register. */
function okF(op: Op, rd: number, rs1: number, rs2: number, imm: number, c: boolean) {
  res.w0 = fpWritesX(op) ? packW0(op, rd, rs1, rs2, c) : packW0F(op, rd, rs1, rs2, c);
  res.imm = imm | 0;
  return res;
}

function ill(c: boolean) {
  return ok(Op.ILLEGAL, 0, 0, 0, 0, c);
}

const LOADS: (Op | 0)[] = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, 0];
const STORES: (Op | 0)[] = [Op.SB, Op.SH, Op.SW, Op.SD, 0, 0, 0, 0];
const BRANCHES: (Op | 0)[] = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const OPIMM: Op[] = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_BASE: Op[] = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const OP_M: Op[] = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const OP_MW: (Op | 0)[] = [Op.MULW, 0, 0, 0, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW];
const AMO_W: Record<number, Op> = {
  0x02: Op.LR_W,
  0x03: Op.SC_W,
  0x01: Op.AMOSWAP_W,
  0x00: Op.AMOADD_W,
  0x04: Op.AMOXOR_W,
  0x0c: Op.AMOAND_W,
  0x08: Op.AMOOR_W,
  0x10: Op.AMOMIN_W,
  0x14: Op.AMOMAX_W,
  0x18: Op.AMOMINU_W,
  0x1c: Op.AMOMAXU_W,
};
const W_TO_D = Op.LR_D - Op.LR_W;
/** OP-IMM funct3 1 with imm[11:0] = 0x600 + index: Zbb's unary operations. */
const UNARY_OPIMM: (Op | undefined)[] = [Op.CLZ, Op.CTZ, Op.CPOP, undefined, Op.SEXT_B, Op.SEXT_H];
/** OP (0x33) Zba/Zbb/Zbs/Zicond forms, keyed funct7 << 3 | funct3. */
const OP_BITS: Record<number, Op> = {
  [(0x10 << 3) | 2]: Op.SH1ADD,
  [(0x10 << 3) | 4]: Op.SH2ADD,
  [(0x10 << 3) | 6]: Op.SH3ADD,
  [(0x05 << 3) | 4]: Op.MIN,
  [(0x05 << 3) | 5]: Op.MINU,
  [(0x05 << 3) | 6]: Op.MAX,
  [(0x05 << 3) | 7]: Op.MAXU,
  [(0x30 << 3) | 1]: Op.ROL,
  [(0x30 << 3) | 5]: Op.ROR,
  [(0x24 << 3) | 1]: Op.BCLR,
  [(0x24 << 3) | 5]: Op.BEXT,
  [(0x34 << 3) | 1]: Op.BINV,
  [(0x14 << 3) | 1]: Op.BSET,
  [(0x07 << 3) | 5]: Op.CZERO_EQZ,
  [(0x07 << 3) | 7]: Op.CZERO_NEZ,
};
/** OP-32 (0x3b) Zba/Zbb forms, keyed funct7 << 3 | funct3. */
const OP32_BITS: Record<number, Op> = {
  [(0x04 << 3) | 0]: Op.ADD_UW,
  [(0x10 << 3) | 2]: Op.SH1ADD_UW,
  [(0x10 << 3) | 4]: Op.SH2ADD_UW,
  [(0x10 << 3) | 6]: Op.SH3ADD_UW,
  [(0x30 << 3) | 1]: Op.ROLW,
  [(0x30 << 3) | 5]: Op.RORW,
};
const CSR_OPS: (Op | 0)[] = [0, Op.CSRRW, Op.CSRRS, Op.CSRRC, 0, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];

function decode32(x: number) {
  const opc = x & 0x7f;
  const rd = (x >>> 7) & 31;
  const f3 = (x >>> 12) & 7;
  const rs1 = (x >>> 15) & 31;
  const rs2 = (x >>> 20) & 31;
  const f7 = x >>> 25;
  const immI = x >> 20;
  switch (opc) {
    case 0x37:
      return ok(Op.LUI, rd, 0, 0, x & 0xfffff000, false);
    case 0x17:
      return ok(Op.AUIPC, rd, 0, 0, x & 0xfffff000, false);
    case 0x6f: {
      const imm =
        ((x >> 31) << 20) | (((x >>> 12) & 0xff) << 12) | (((x >>> 20) & 1) << 11) | (((x >>> 21) & 0x3ff) << 1);
      return ok(Op.JAL, rd, 0, 0, imm, false);
    }
    case 0x67:
      return f3 === 0 ? ok(Op.JALR, rd, rs1, 0, immI, false) : ill(false);
    case 0x63: {
      const op = BRANCHES[f3]!;
      if (op === 0) return ill(false);
      const imm = ((x >> 31) << 12) | (((x >>> 7) & 1) << 11) | (((x >>> 25) & 0x3f) << 5) | (((x >>> 8) & 0xf) << 1);
      return ok(op, 0, rs1, rs2, imm, false);
    }
    case 0x03: {
      const op = LOADS[f3]!;
      return op === 0 ? ill(false) : ok(op, rd, rs1, 0, immI, false);
    }
    case 0x23: {
      const op = STORES[f3]!;
      const imm = ((x >> 25) << 5) | ((x >>> 7) & 31);
      return op === 0 ? ill(false) : ok(op, 0, rs1, rs2, imm, false);
    }
    case 0x13: {
      const op = OPIMM[f3]!;
      const hi6 = x >>> 26;
      const shamt = (x >>> 20) & 63;
      if (f3 === 1) {
        if (hi6 === 0) return ok(op, rd, rs1, 0, shamt, false);
        if (hi6 === 0x12) return ok(Op.BCLRI, rd, rs1, 0, shamt, false);
        if (hi6 === 0x0a) return ok(Op.BSETI, rd, rs1, 0, shamt, false);
        if (hi6 === 0x1a) return ok(Op.BINVI, rd, rs1, 0, shamt, false);
        const unary = UNARY_OPIMM[(x >>> 20) - 0x600];
        return x >>> 20 >= 0x600 && unary !== undefined ? ok(unary, rd, rs1, 0, 0, false) : ill(false);
      }
      if (f3 === 5) {
        if (hi6 === 0) return ok(Op.SRLI, rd, rs1, 0, shamt, false);
        if (hi6 === 0x10) return ok(Op.SRAI, rd, rs1, 0, shamt, false);
        if (hi6 === 0x12) return ok(Op.BEXTI, rd, rs1, 0, shamt, false);
        if (hi6 === 0x18) return ok(Op.RORI, rd, rs1, 0, shamt, false);
        if (x >>> 20 === 0x287) return ok(Op.ORC_B, rd, rs1, 0, 0, false);
        if (x >>> 20 === 0x6b8) return ok(Op.REV8, rd, rs1, 0, 0, false);
        return ill(false);
      }
      return ok(op, rd, rs1, 0, immI, false);
    }
    case 0x1b: {
      if (f3 === 0) return ok(Op.ADDIW, rd, rs1, 0, immI, false);
      if (f3 === 1) {
        if (f7 === 0) return ok(Op.SLLIW, rd, rs1, 0, rs2, false);
        if (x >>> 26 === 0x02) return ok(Op.SLLI_UW, rd, rs1, 0, (x >>> 20) & 63, false);
        if (x >>> 20 === 0x600) return ok(Op.CLZW, rd, rs1, 0, 0, false);
        if (x >>> 20 === 0x601) return ok(Op.CTZW, rd, rs1, 0, 0, false);
        if (x >>> 20 === 0x602) return ok(Op.CPOPW, rd, rs1, 0, 0, false);
        return ill(false);
      }
      if (f3 === 5) {
        if (f7 === 0) return ok(Op.SRLIW, rd, rs1, 0, rs2, false);
        if (f7 === 0x20) return ok(Op.SRAIW, rd, rs1, 0, rs2, false);
        if (f7 === 0x30) return ok(Op.RORIW, rd, rs1, 0, rs2, false);
      }
      return ill(false);
    }
    case 0x33: {
      if (f7 === 0) return ok(OP_BASE[f3]!, rd, rs1, rs2, 0, false);
      if (f7 === 1) return ok(OP_M[f3]!, rd, rs1, rs2, 0, false);
      if (f7 === 0x20) {
        if (f3 === 0) return ok(Op.SUB, rd, rs1, rs2, 0, false);
        if (f3 === 5) return ok(Op.SRA, rd, rs1, rs2, 0, false);
        if (f3 === 7) return ok(Op.ANDN, rd, rs1, rs2, 0, false);
        if (f3 === 6) return ok(Op.ORN, rd, rs1, rs2, 0, false);
        if (f3 === 4) return ok(Op.XNOR, rd, rs1, rs2, 0, false);
        return ill(false);
      }
      const bop = OP_BITS[(f7 << 3) | f3];
      return bop !== undefined ? ok(bop, rd, rs1, rs2, 0, false) : ill(false);
    }
    case 0x3b: {
      if (f7 === 0) {
        if (f3 === 0) return ok(Op.ADDW, rd, rs1, rs2, 0, false);
        if (f3 === 1) return ok(Op.SLLW, rd, rs1, rs2, 0, false);
        if (f3 === 5) return ok(Op.SRLW, rd, rs1, rs2, 0, false);
        return ill(false);
      }
      if (f7 === 0x20) {
        if (f3 === 0) return ok(Op.SUBW, rd, rs1, rs2, 0, false);
        if (f3 === 5) return ok(Op.SRAW, rd, rs1, rs2, 0, false);
        return ill(false);
      }
      if (f7 === 1) {
        const op = OP_MW[f3]!;
        return op === 0 ? ill(false) : ok(op, rd, rs1, rs2, 0, false);
      }
      if (f7 === 0x04 && f3 === 4 && rs2 === 0) return ok(Op.ZEXT_H, rd, rs1, 0, 0, false);
      const bop = OP32_BITS[(f7 << 3) | f3];
      return bop !== undefined ? ok(bop, rd, rs1, rs2, 0, false) : ill(false);
    }
    case 0x2f: {
      if (f3 !== 2 && f3 !== 3) return ill(false);
      const f5 = x >>> 27;
      const base = AMO_W[f5];
      if (base === undefined) return ill(false);
      if (base === Op.LR_W && rs2 !== 0) return ill(false);
      return ok(f3 === 3 ? ((base + W_TO_D) as Op) : base, rd, rs1, rs2, 0, false);
    }
    case 0x0f: {
      // Zihintpause `pause` (fence w,0) is a fence whose immediate says so (FENCE_PAUSE).
      if (f3 === 0) return ok(Op.FENCE, 0, 0, 0, x === PAUSE_ENCODING ? FENCE_PAUSE : 0, false);
      if (f3 === 1) return ok(Op.FENCE_I, 0, 0, 0, 0, false);
      if (f3 === 2 && rd === 0) {
        // CMO: imm[11:0] selects cbo.inval (0), clean (1), flush (2), zero (4).
        const which = x >>> 20;
        if (which <= 2) return ok(Op.CBO_INVAL + which, 0, rs1, 0, 0, false);
        if (which === 4) return ok(Op.CBO_ZERO, 0, rs1, 0, 0, false);
      }
      return ill(false);
    }
    case 0x73: {
      if (f3 === 0) {
        if (x === 0x00000073) return ok(Op.ECALL, 0, 0, 0, 0, false);
        if (x === 0x00100073) return ok(Op.EBREAK, 0, 0, 0, 0, false);
        if (x === 0x30200073) return ok(Op.MRET, 0, 0, 0, 0, false);
        if (x === 0x10200073) return ok(Op.SRET, 0, 0, 0, 0, false);
        if (x === 0x10500073) return ok(Op.WFI, 0, 0, 0, 0, false);
        if (f7 === 0x09 && rd === 0) return ok(Op.SFENCE_VMA, 0, rs1, rs2, 0, false);
        return ill(false);
      }
      const op = CSR_OPS[f3]!;
      if (op === 0) return ill(false);
      return ok(op, rd, rs1, 0, (x >>> 20) & 0xfff, false);
    }
    case 0x07: // LOAD-FP
      if (f3 === 2) return okF(Op.FLW, rd, rs1, 0, immI, false);
      if (f3 === 3) return okF(Op.FLD, rd, rs1, 0, immI, false);
      return ill(false);
    case 0x27: {
      const imm = ((x >> 25) << 5) | ((x >>> 7) & 31);
      if (f3 === 2) return okF(Op.FSW, 0, rs1, rs2, imm, false);
      if (f3 === 3) return okF(Op.FSD, 0, rs1, rs2, imm, false);
      return ill(false);
    }
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: {
      const fmt = (x >>> 25) & 3;
      if (fmt > 1 || f3 === 5 || f3 === 6) return ill(false);
      const k = (opc - 0x43) >>> 2; // fmadd, fmsub, fnmsub, fnmadd
      const op = (fmt === 0 ? Op.FMADD_S : Op.FMADD_D) + k;
      return okF(op, rd, rs1, rs2, f3 | ((x >>> 27) << 3), false);
    }
    case 0x53:
      return decodeOpFp(rd, f3, rs1, rs2, f7);
    default:
      return ill(false);
  }
}

/** Single and double ops of OP-FP share their layout; the double one is the single one + D_OFFSET. */
const D_OFFSET = Op.FMADD_D - Op.FMADD_S;

/** OP-FP (major opcode 0x53): funct7 = operation << 2 | fmt. */
function decodeOpFp(rd: number, f3: number, rs1: number, rs2: number, f7: number) {
  const fmt = f7 & 3;
  if (fmt > 1) return ill(false);
  const d = fmt === 1 ? D_OFFSET : 0;
  const rmOk = f3 !== 5 && f3 !== 6;
  const arith = (op: Op) => (rmOk ? okF(op + d, rd, rs1, rs2, f3, false) : ill(false));
  switch (f7 >>> 2) {
    case 0x00:
      return arith(Op.FADD_S);
    case 0x01:
      return arith(Op.FSUB_S);
    case 0x02:
      return arith(Op.FMUL_S);
    case 0x03:
      return arith(Op.FDIV_S);
    case 0x0b:
      return rs2 === 0 ? arith(Op.FSQRT_S) : ill(false);
    case 0x04:
      return f3 <= 2 ? okF(Op.FSGNJ_S + f3 + d, rd, rs1, rs2, 0, false) : ill(false);
    case 0x05:
      return f3 <= 1 ? okF(Op.FMIN_S + f3 + d, rd, rs1, rs2, 0, false) : ill(false);
    case 0x08: // fcvt.s.d (fmt S, rs2 = D) / fcvt.d.s (fmt D, rs2 = S)
      if (!rmOk) return ill(false);
      if (fmt === 0 && rs2 === 1) return okF(Op.FCVT_S_D, rd, rs1, 0, f3, false);
      if (fmt === 1 && rs2 === 0) return okF(Op.FCVT_D_S, rd, rs1, 0, f3, false);
      return ill(false);
    case 0x14: // fle, flt, feq
      if (f3 > 2) return ill(false);
      return okF([Op.FLE_S, Op.FLT_S, Op.FEQ_S][f3]! + d, rd, rs1, rs2, 0, false);
    case 0x18: // fcvt.{w,wu,l,lu}.fmt
      return rs2 <= 3 && rmOk
        ? okF(Op.FCVT_W_S + rs2 + (fmt === 1 ? Op.FCVT_W_D - Op.FCVT_W_S : 0), rd, rs1, 0, f3, false)
        : ill(false);
    case 0x1a: // fcvt.fmt.{w,wu,l,lu}
      return rs2 <= 3 && rmOk
        ? okF(Op.FCVT_S_W + rs2 + (fmt === 1 ? Op.FCVT_D_W - Op.FCVT_S_W : 0), rd, rs1, 0, f3, false)
        : ill(false);
    case 0x1c: // fmv.x.fmt (f3 0) / fclass (f3 1)
      if (rs2 !== 0) return ill(false);
      if (f3 === 0) return okF(fmt === 0 ? Op.FMV_X_W : Op.FMV_X_D, rd, rs1, 0, 0, false);
      if (f3 === 1) return okF(Op.FCLASS_S + d, rd, rs1, 0, 0, false);
      return ill(false);
    case 0x1e: // fmv.fmt.x
      return rs2 === 0 && f3 === 0 ? okF(fmt === 0 ? Op.FMV_W_X : Op.FMV_D_X, rd, rs1, 0, 0, false) : ill(false);
    default:
      return ill(false);
  }
}

/** Expand a 16-bit RVC instruction (RV64C) into the base operation it stands for. */
function decodeCompressed(x: number) {
  const q = x & 3;
  const f3 = x >>> 13;
  const rdp = 8 + ((x >>> 2) & 7); // rd' / rs2'
  const rs1p = 8 + ((x >>> 7) & 7);
  const rd = (x >>> 7) & 31;
  const rs2 = (x >>> 2) & 31;
  // CI-format 6-bit signed immediate: imm[5] = bit 12, imm[4:0] = bits 6:2.
  const imm6 = (((((x >>> 12) & 1) << 5) | ((x >>> 2) & 31)) << 26) >> 26;
  if (q === 0) {
    switch (f3) {
      case 0: {
        // c.addi4spn
        const nz = (((x >>> 6) & 1) << 2) | (((x >>> 5) & 1) << 3) | (((x >>> 11) & 3) << 4) | (((x >>> 7) & 15) << 6);
        if (nz === 0) return ill(true);
        return ok(Op.ADDI, rdp, 2, 0, nz, true);
      }
      case 2: {
        // c.lw
        const off = (((x >>> 6) & 1) << 2) | (((x >>> 10) & 7) << 3) | (((x >>> 5) & 1) << 6);
        return ok(Op.LW, rdp, rs1p, 0, off, true);
      }
      case 3: {
        // c.ld
        const off = (((x >>> 10) & 7) << 3) | (((x >>> 5) & 3) << 6);
        return ok(Op.LD, rdp, rs1p, 0, off, true);
      }
      case 6: {
        // c.sw
        const off = (((x >>> 6) & 1) << 2) | (((x >>> 10) & 7) << 3) | (((x >>> 5) & 1) << 6);
        return ok(Op.SW, 0, rs1p, rdp, off, true);
      }
      case 7: {
        // c.sd
        const off = (((x >>> 10) & 7) << 3) | (((x >>> 5) & 3) << 6);
        return ok(Op.SD, 0, rs1p, rdp, off, true);
      }
      case 1: {
        // c.fld
        const off = (((x >>> 10) & 7) << 3) | (((x >>> 5) & 3) << 6);
        return okF(Op.FLD, rdp, rs1p, 0, off, true);
      }
      case 5: {
        // c.fsd
        const off = (((x >>> 10) & 7) << 3) | (((x >>> 5) & 3) << 6);
        return okF(Op.FSD, 0, rs1p, rdp, off, true);
      }
      default:
        return ill(true); // reserved
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0:
        return ok(Op.ADDI, rd, rd, 0, imm6, true); // c.addi / c.nop (hints when rd=0 or imm=0)
      case 1: // c.addiw (rd=0 reserved)
        return rd === 0 ? ill(true) : ok(Op.ADDIW, rd, rd, 0, imm6, true);
      case 2:
        return ok(Op.ADDI, rd, 0, 0, imm6, true); // c.li
      case 3: {
        if (rd === 2) {
          // c.addi16sp
          const nz =
            (((((x >>> 12) & 1) << 9) |
              (((x >>> 6) & 1) << 4) |
              (((x >>> 5) & 1) << 6) |
              (((x >>> 3) & 3) << 7) |
              (((x >>> 2) & 1) << 5)) <<
              22) >>
            22;
          return nz === 0 ? ill(true) : ok(Op.ADDI, 2, 2, 0, nz, true);
        }
        // c.lui (imm = 0 reserved)
        return imm6 === 0 ? ill(true) : ok(Op.LUI, rd, 0, 0, imm6 << 12, true);
      }
      case 4: {
        const f2 = (x >>> 10) & 3;
        const shamt = (((x >>> 12) & 1) << 5) | ((x >>> 2) & 31);
        if (f2 === 0) return ok(Op.SRLI, rs1p, rs1p, 0, shamt, true);
        if (f2 === 1) return ok(Op.SRAI, rs1p, rs1p, 0, shamt, true);
        if (f2 === 2) return ok(Op.ANDI, rs1p, rs1p, 0, imm6, true);
        const sel = ((x >>> 10) & 4) | ((x >>> 5) & 3); // bit12, bits 6:5
        switch (sel) {
          case 0:
            return ok(Op.SUB, rs1p, rs1p, rdp, 0, true);
          case 1:
            return ok(Op.XOR, rs1p, rs1p, rdp, 0, true);
          case 2:
            return ok(Op.OR, rs1p, rs1p, rdp, 0, true);
          case 3:
            return ok(Op.AND, rs1p, rs1p, rdp, 0, true);
          case 4:
            return ok(Op.SUBW, rs1p, rs1p, rdp, 0, true);
          case 5:
            return ok(Op.ADDW, rs1p, rs1p, rdp, 0, true);
          default:
            return ill(true);
        }
      }
      case 5:
        return ok(Op.JAL, 0, 0, 0, cjImm(x), true); // c.j
      case 6:
        return ok(Op.BEQ, 0, rs1p, 0, cbImm(x), true); // c.beqz
      default:
        return ok(Op.BNE, 0, rs1p, 0, cbImm(x), true); // c.bnez
    }
  }
  // q === 2
  switch (f3) {
    case 0: {
      // c.slli
      const shamt = (((x >>> 12) & 1) << 5) | ((x >>> 2) & 31);
      return ok(Op.SLLI, rd, rd, 0, shamt, true);
    }
    case 2: {
      // c.lwsp (rd=0 reserved)
      const off = (((x >>> 4) & 7) << 2) | (((x >>> 12) & 1) << 5) | (((x >>> 2) & 3) << 6);
      return rd === 0 ? ill(true) : ok(Op.LW, rd, 2, 0, off, true);
    }
    case 3: {
      // c.ldsp (rd=0 reserved)
      const off = (((x >>> 5) & 3) << 3) | (((x >>> 12) & 1) << 5) | (((x >>> 2) & 7) << 6);
      return rd === 0 ? ill(true) : ok(Op.LD, rd, 2, 0, off, true);
    }
    case 4: {
      const b12 = (x >>> 12) & 1;
      if (b12 === 0) {
        if (rs2 === 0) return rd === 0 ? ill(true) : ok(Op.JALR, 0, rd, 0, 0, true); // c.jr
        return ok(Op.ADD, rd, 0, rs2, 0, true); // c.mv
      }
      if (rs2 === 0) {
        if (rd === 0) return ok(Op.EBREAK, 0, 0, 0, 0, true); // c.ebreak
        return ok(Op.JALR, 1, rd, 0, 0, true); // c.jalr
      }
      return ok(Op.ADD, rd, rd, rs2, 0, true); // c.add
    }
    case 6: {
      // c.swsp
      const off = (((x >>> 9) & 15) << 2) | (((x >>> 7) & 3) << 6);
      return ok(Op.SW, 0, 2, rs2, off, true);
    }
    case 7: {
      // c.sdsp
      const off = (((x >>> 10) & 7) << 3) | (((x >>> 7) & 7) << 6);
      return ok(Op.SD, 0, 2, rs2, off, true);
    }
    case 1: {
      // c.fldsp
      const off = (((x >>> 5) & 3) << 3) | (((x >>> 12) & 1) << 5) | (((x >>> 2) & 7) << 6);
      return okF(Op.FLD, rd, 2, 0, off, true);
    }
    default: {
      // c.fsdsp (f3 = 5)
      const off = (((x >>> 10) & 7) << 3) | (((x >>> 7) & 7) << 6);
      return okF(Op.FSD, 0, 2, rs2, off, true);
    }
  }
}

function cjImm(x: number): number {
  const v =
    (((x >>> 12) & 1) << 11) |
    (((x >>> 11) & 1) << 4) |
    (((x >>> 9) & 3) << 8) |
    (((x >>> 8) & 1) << 10) |
    (((x >>> 7) & 1) << 6) |
    (((x >>> 6) & 1) << 7) |
    (((x >>> 3) & 7) << 1) |
    (((x >>> 2) & 1) << 5);
  return (v << 20) >> 20;
}

function cbImm(x: number): number {
  const v =
    (((x >>> 12) & 1) << 8) |
    (((x >>> 10) & 3) << 3) |
    (((x >>> 5) & 3) << 6) |
    (((x >>> 3) & 3) << 1) |
    (((x >>> 2) & 1) << 5);
  return (v << 23) >> 23;
}

/** Decode one instruction into a fresh slot (tests, disassembler). */
export function decodeOne(raw: number): Int32Array {
  const out = new Int32Array(SLOT_WORDS);
  decodeInto(raw, out, 0);
  return out;
}
