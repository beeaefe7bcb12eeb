/* RV64C: every compressed instruction. CA/CR/CI ALU forms against the BigInt reference vectors
 * (gen-alu-vectors.mjs); loads/stores (register and sp-relative), jumps, branches, c.li/c.lui/
 * c.addi16sp/c.addi4spn/c.mv/c.nop/c.ebreak by hand from the ISA manual; reserved encodings
 * (c.unimp 0x0000, c.addi4spn imm=0, c.lui imm=0) raise illegal instruction with mtval = bits. */
#include "isa.h"
#include "alu-vectors.h"

/* CA forms need x8..x15: a0 is rd/rs1, a1 is rs2. */
#define DEF_CRR(id, op)                                                                    \
  static uint64_t __attribute__((noinline)) f_crr_##id(uint64_t x, uint64_t y) {           \
    register uint64_t a __asm__("a0") = x;                                                 \
    register uint64_t b __asm__("a1") = y;                                                 \
    __asm__ volatile(#op " a0, a1" : "+r"(a) : "r"(b));                                    \
    return a;                                                                              \
  }
#define RUN_CRR(id, op)                                                                    \
  do {                                                                                     \
    GROUP(#op);                                                                            \
    for (unsigned i = 0; i < sizeof(v_crr_##id) / sizeof(v_crr_##id[0]); i++)              \
      CHECK(#op, f_crr_##id(v_crr_##id[i][0], v_crr_##id[i][1]), v_crr_##id[i][2]);        \
  } while (0);
#define DEF_CRI(id, op, name, imm)                                                         \
  static uint64_t __attribute__((noinline)) f_cri_##id##_##name(uint64_t x) {              \
    register uint64_t a __asm__("a0") = x;                                                 \
    __asm__ volatile(#op " a0, %1" : "+r"(a) : "i"(imm));                                  \
    return a;                                                                              \
  }
#define RUN_CRI(id, op, name, imm)                                                         \
  do {                                                                                     \
    GROUP(#op " imm=" #imm);                                                               \
    for (unsigned i = 0; i < sizeof(v_cri_##id##_##name) / sizeof(v_cri_##id##_##name[0]); i++) \
      CHECK(#op, f_cri_##id##_##name(v_cri_##id##_##name[i][0]), v_cri_##id##_##name[i][1]); \
  } while (0);

CRR_OPS(DEF_CRR)
CRI_CASES(DEF_CRI)

static uint64_t buf[64] __attribute__((aligned(64)));

/* Size of the instruction at a label pair, to prove the assembler produced the 16-bit form. */
#define SIZE_OF(insn) ({ uint64_t s_; __asm__ volatile("la %0, 1f\nla t0, 2f\nsub %0, t0, %0\nj 2f\n1: " insn "\n2:" : "=&r"(s_) :: "t0", "a0", "a1"); s_; })

static void test_forms(void) {
  GROUP("encodings are 16-bit");
  CHECK("c.add", SIZE_OF("c.add a0, a1"), 2);
  CHECK("c.lw", SIZE_OF("c.lw a0, 0(a1)"), 2);
  CHECK("c.sdsp", SIZE_OF("c.sdsp a0, 8(sp)"), 2);

  GROUP("c.li c.lui c.mv c.nop");
  uint64_t v;
  __asm__ volatile("c.li %0, -32" : "=r"(v));
  CHECK("c.li -32", v, (uint64_t)-32);
  __asm__ volatile("c.li %0, 31" : "=r"(v));
  CHECK("c.li 31", v, 31);
  __asm__ volatile("c.lui %0, 1" : "=r"(v));
  CHECK("c.lui 1", v, 0x1000);
  __asm__ volatile("c.lui %0, 0xfffe0" : "=r"(v));
  CHECK("c.lui 0xfffe0 (-32)", v, 0xfffffffffffe0000UL);
  __asm__ volatile("c.lui %0, 0x1f" : "=r"(v));
  CHECK("c.lui 0x1f", v, 0x1f000);
  uint64_t w = 0x123456789abcdef0UL;
  __asm__ volatile("c.mv %0, %1" : "=r"(v) : "r"(w));
  CHECK("c.mv", v, w);
  __asm__ volatile("c.nop");
  __asm__ volatile("c.nop 5");

  GROUP("c.addi16sp c.addi4spn");
  uint64_t d1, d2, d3;
  __asm__ volatile("mv t0, sp\nc.addi16sp sp, -64\nsub %0, t0, sp\nc.addi16sp sp, 496\nsub %1, sp, t0\nc.addi16sp sp, -432\nsub %2, sp, t0"
                   : "=r"(d1), "=r"(d2), "=r"(d3) :: "t0", "memory");
  CHECK("c.addi16sp -64", d1, 64);
  CHECK("c.addi16sp +496", d2, 432);
  CHECK("c.addi16sp restore", d3, 0);
  __asm__ volatile("c.addi4spn a0, sp, 4\nsub %0, a0, sp\nc.addi4spn a0, sp, 1020\nsub %1, a0, sp" : "=r"(d1), "=r"(d2) :: "a0");
  CHECK("c.addi4spn 4", d1, 4);
  CHECK("c.addi4spn 1020", d2, 1020);

  GROUP("c.lw c.ld c.sw c.sd");
  for (int i = 0; i < 64; i++) buf[i] = 0x0101010101010101UL * (uint64_t)i;
  /* Explicit registers inside the asm (a1 = base, a0 = data): register variables do not survive calls. */
#define CLOAD(insn) ({ uint64_t r_; __asm__ volatile("mv a1, %1\n" insn "\nmv %0, a0" : "=r"(r_) : "r"(buf) : "a0", "a1", "memory"); r_; })
#define CSTORE(insn, v) __asm__ volatile("mv a1, %1\nmv a0, %0\n" insn :: "r"((uint64_t)(v)), "r"(buf) : "a0", "a1", "memory")
  buf[1] = 0xffffffff87654321UL;
  CHECK("c.lw sign-extends", CLOAD("c.lw a0, 8(a1)"), 0xffffffff87654321UL);
  CHECK("c.lw +12", CLOAD("c.lw a0, 12(a1)"), 0xffffffffffffffffUL);
  CHECK("c.ld 248", CLOAD("c.ld a0, 248(a1)"), 0x1f1f1f1f1f1f1f1fUL);
  CSTORE("c.sd a0, 16(a1)", 0xaabbccdd11223344UL);
  CHECK("c.sd", buf[2], 0xaabbccdd11223344UL);
  CSTORE("c.sw a0, 124(a1)", 0xaabbccdd11223344UL);
  CHECK("c.sw 124", buf[15], 0x112233440f0f0f0fUL);

  GROUP("c.lwsp c.ldsp c.swsp c.sdsp");
  __asm__ volatile("c.addi16sp sp, -256\nli t0, -5\nc.sdsp t0, 248(sp)\nc.ldsp %0, 248(sp)\nli t0, 0x80000000\nc.swsp t0, 252(sp)\nc.lwsp %1, 252(sp)\nc.ldsp %2, 248(sp)\nc.addi16sp sp, 256"
                   : "=r"(d1), "=r"(d2), "=r"(d3) :: "t0", "memory");
  CHECK("c.sdsp/c.ldsp", d1, (uint64_t)-5);
  CHECK("c.swsp/c.lwsp sign-extends", d2, 0xffffffff80000000UL);
  CHECK("c.swsp upper word", d3, 0x80000000fffffffbUL);

  GROUP("c.j c.jr c.jalr c.beqz c.bnez");
  uint64_t ok, link, target;
  __asm__ volatile("li %0, 0\nc.j 1f\nli %0, 99\n1: addi %0, %0, 1" : "=&r"(ok));
  CHECK("c.j", ok, 1);
  __asm__ volatile("la t0, 1f\nli %0, 0\nc.jr t0\nli %0, 99\n1: addi %0, %0, 1" : "=&r"(ok) :: "t0");
  CHECK("c.jr", ok, 1);
  __asm__ volatile("mv t1, ra\nla t0, 1f\nc.jalr t0\n2: j 3f\n1: mv %0, ra\nla %1, 2b\njr ra\n3: mv ra, t1"
                   : "=&r"(link), "=&r"(target) :: "t0", "t1", "ra");
  CHECK("c.jalr link = pc+2", link, target);
#define CBR(insn, v) ({ uint64_t o_; __asm__ volatile("mv a2, %1\nli %0, 0\n" insn " a2, 1f\naddi %0, %0, 1\n1: addi %0, %0, 1" : "=&r"(o_) : "r"((uint64_t)(v)) : "a2"); o_; })
  CHECK("c.beqz taken", CBR("c.beqz", 0), 1);
  CHECK("c.bnez not taken", CBR("c.bnez", 0), 2);
  CHECK("c.bnez taken", CBR("c.bnez", 0x8000000000000000UL), 1);
  CHECK("c.beqz not taken", CBR("c.beqz", 0x8000000000000000UL), 2);
  /* A 32-bit instruction at a 2-byte aligned address, after a compressed one. */
  __asm__ volatile(".balign 4\nc.li %0, 1\n.option push\n.option norvc\naddi %0, %0, 0x123\n.option pop" : "=r"(v));
  CHECK("32-bit insn at pc%4==2", v, 0x124);
}

static void test_traps(void) {
  uint64_t at;
  GROUP("c.ebreak");
  trap_arm();
  __asm__ volatile("la %0, 1f\n1: c.ebreak" : "=r"(at) :: "memory");
  CHECK("c.ebreak cause", tr.cause, CAUSE_BREAKPOINT);
  CHECK("c.ebreak mepc", tr.epc, at);
  GROUP("reserved compressed encodings");
  static const uint16_t bad[] = {0x0000 /* c.unimp */, 0x0008 /* c.addi4spn a0, sp, 0 */,
                                 0x6501 /* c.lui a0, 0 */, 0x6101 /* c.addi16sp sp, 0 */};
  for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    trap_arm();
    uint64_t insn = bad[i];
    /* Patch the slot, then call it: <bad 16-bit insn>; c.jr t0. The hook resumes at epc + 2. */
    __asm__ volatile("la %0, 1f\nsh %1, 0(%0)\nfence.i\njalr t0, %0\nj 2f\n.balign 4\n1: .2byte 0\nc.jr t0\n2:"
                     : "=&r"(at) : "r"(insn) : "t0", "memory");
    CHECK("illegal cause", tr.cause, CAUSE_ILLEGAL);
    CHECK("illegal mepc", tr.epc, at);
    CHECK("illegal mtval = bits", tr.tval, insn);
  }
  rt_mtrap_hook = rt_strap_hook = 0;
}

int main(void) {
  CRR_OPS(RUN_CRR)
  CRI_CASES(RUN_CRI)
  test_forms();
  test_traps();
  return test_done("isa-rv64c");
}
