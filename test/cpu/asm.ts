// Tiny RV64IMAC assembler for CPU tests: one function per mnemonic returning the encoding.
// Oracle for its own correctness: test/cpu/decode.test.ts checks a sample against GNU as output.

export const reg = {
  zero: 0,
  ra: 1,
  sp: 2,
  gp: 3,
  tp: 4,
  t0: 5,
  t1: 6,
  t2: 7,
  s0: 8,
  s1: 9,
  a0: 10,
  a1: 11,
  a2: 12,
  a3: 13,
  a4: 14,
  a5: 15,
  a6: 16,
  a7: 17,
  s2: 18,
  s3: 19,
  s4: 20,
  s5: 21,
  s6: 22,
  s7: 23,
  s8: 24,
  s9: 25,
  s10: 26,
  s11: 27,
  t3: 28,
  t4: 29,
  t5: 30,
  t6: 31,
} as const;

const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const I = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const S = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
const B = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((imm >> 1) & 15) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63) >>>
  0;
const J = (imm: number, rd: number) =>
  ((((imm >> 20) & 1) << 31) |
    (((imm >> 1) & 0x3ff) << 21) |
    (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) |
    (rd << 7) |
    0x6f) >>>
  0;

export const a = {
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  auipc: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0,
  jal: (rd: number, off: number) => J(off, rd),
  jalr: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x67),
  beq: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 1),
  blt: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 4),
  bge: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 5),
  bltu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 6),
  bgeu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 7),
  lb: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => I(imm, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x03),
  ld: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 5, rd, 0x03),
  lwu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2, 0x23),
  sd: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 3, 0x23),
  addi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => I(sh & 63, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => I(sh & 63, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => I(0x400 | (sh & 63), rs1, 5, rd, 0x13),
  addiw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x1b),
  slliw: (rd: number, rs1: number, sh: number) => I(sh & 31, rs1, 1, rd, 0x1b),
  srliw: (rd: number, rs1: number, sh: number) => I(sh & 31, rs1, 5, rd, 0x1b),
  sraiw: (rd: number, rs1: number, sh: number) => I(0x400 | (sh & 31), rs1, 5, rd, 0x1b),
  add: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x33),
  sub: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x33),
  sll: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x33),
  slt: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 2, rd, 0x33),
  sltu: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 3, rd, 0x33),
  xor: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 4, rd, 0x33),
  srl: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 5, rd, 0x33),
  sra: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x33),
  or: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 6, rd, 0x33),
  and: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 7, rd, 0x33),
  addw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x3b),
  subw: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x3b),
  sllw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x3b),
  srlw: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 5, rd, 0x3b),
  sraw: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x3b),
  mul: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x33),
  mulh: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 1, rd, 0x33),
  mulhsu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 2, rd, 0x33),
  mulhu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 3, rd, 0x33),
  div: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x33),
  divu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x33),
  rem: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x33),
  remu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x33),
  mulw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x3b),
  divw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x3b),
  divuw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x3b),
  remw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x3b),
  remuw: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x3b),
  /** AMO: funct5 (0x02 lr, 0x03 sc, 0x01 swap, 0x00 add, ...), width 2 = W, 3 = D. */
  amo: (f5: number, width: 2 | 3, rd: number, rs1: number, rs2: number) => R(f5 << 2, rs2, rs1, width, rd, 0x2f),
  fence: () => 0x0ff0000f,
  fence_i: () => 0x0000100f,
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  mret: () => 0x30200073,
  sret: () => 0x10200073,
  wfi: () => 0x10500073,
  sfence_vma: (rs1 = 0, rs2 = 0) => R(0x09, rs2, rs1, 0, 0, 0x73),
  csrrw: (rd: number, csr: number, rs1: number) => I(csr, rs1, 1, rd, 0x73),
  csrrs: (rd: number, csr: number, rs1: number) => I(csr, rs1, 2, rd, 0x73),
  csrrc: (rd: number, csr: number, rs1: number) => I(csr, rs1, 3, rd, 0x73),
  csrrwi: (rd: number, csr: number, uimm: number) => I(csr, uimm, 5, rd, 0x73),
  csrrsi: (rd: number, csr: number, uimm: number) => I(csr, uimm, 6, rd, 0x73),
  csrrci: (rd: number, csr: number, uimm: number) => I(csr, uimm, 7, rd, 0x73),
};

export const AMO = {
  lr: 0x02,
  sc: 0x03,
  swap: 0x01,
  add: 0x00,
  xor: 0x04,
  and: 0x0c,
  or: 0x08,
  min: 0x10,
  max: 0x14,
  minu: 0x18,
  maxu: 0x1c,
} as const;

/** Load-immediate sequence for a 64-bit value into rd (lui/addi/slli chain), as 32-bit words. */
export function li(rd: number, v: bigint): number[] {
  v = BigInt.asIntN(64, v);
  if (v >= -2048n && v < 2048n) return [a.addi(rd, 0, Number(v))];
  if (v >= -(2n ** 31n) && v < 2n ** 31n) {
    const n = Number(v);
    const lo = (n << 20) >> 20;
    const hi = ((n - lo) >>> 12) & 0xfffff;
    const out = [a.lui(rd, hi)];
    if (lo !== 0) out.push(a.addiw(rd, rd, lo));
    return out;
  }
  // Build the upper part recursively, then shift in 12 bits at a time.
  const low12 = Number(BigInt.asIntN(12, v));
  const rest = (v - BigInt(low12)) >> 12n;
  const out = li(rd, rest);
  out.push(a.slli(rd, rd, 12));
  if (low12 !== 0) out.push(a.addi(rd, rd, low12));
  return out;
}
