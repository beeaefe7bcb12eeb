/* RV64I: every base instruction. ALU ops against vectors from a BigInt reference model
 * (gen-alu-vectors.mjs); lui/auipc, jumps, branches, loads/stores (sign/zero extension,
 * negative offsets, misaligned scalar accesses which succeed as on QEMU), fence, ecall, ebreak
 * and x0 by hand from the ISA manual. */
#include "isa.h"
#include "alu-vectors.h"

RR_I_OPS(DEF_RR)
#define DEF_RI3(op, name, imm) DEF_RI(op, name, imm)
RI_CASES(DEF_RI3)

static uint64_t buf[8] __attribute__((aligned(64)));

#define BR(op, a, b)                                                                       \
  ({                                                                                       \
    uint64_t t_;                                                                           \
    __asm__ volatile(".option push\n.option norvc\nli %0, 1\n" #op " %1, %2, 1f\nli %0, 0\n1:\n.option pop" \
                     : "=&r"(t_) : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                \
    t_;                                                                                    \
  })
#define LOAD(op, off, base)                                                                \
  ({                                                                                       \
    uint64_t v_;                                                                           \
    __asm__ volatile(".option push\n.option norvc\n" #op " %0, %2(%1)\n.option pop"        \
                     : "=r"(v_) : "r"(base), "i"(off) : "memory");                         \
    v_;                                                                                    \
  })
#define STORE(op, v, off, base)                                                            \
  __asm__ volatile(".option push\n.option norvc\n" #op " %0, %2(%1)\n.option pop"          \
                   :: "r"((uint64_t)(v)), "r"(base), "i"(off) : "memory")

static void test_branches(void) {
  static const struct { uint64_t a, b; } pairs[] = {
      {0, 0}, {1, 0}, {0, 1}, {~0UL, 0}, {0, ~0UL}, {0x8000000000000000UL, 0x7fffffffffffffffUL},
      {0x7fffffffffffffffUL, 0x8000000000000000UL}, {5, 5}, {0xffffffff, 0x100000000UL}};
  GROUP("beq bne blt bge bltu bgeu");
  for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    uint64_t a = pairs[i].a, b = pairs[i].b;
    CHECK("beq", BR(beq, a, b), a == b);
    CHECK("bne", BR(bne, a, b), a != b);
    CHECK("blt", BR(blt, a, b), (int64_t)a < (int64_t)b);
    CHECK("bge", BR(bge, a, b), (int64_t)a >= (int64_t)b);
    CHECK("bltu", BR(bltu, a, b), a < b);
    CHECK("bgeu", BR(bgeu, a, b), a >= b);
  }
  /* Backward branch: a countdown loop. */
  uint64_t n = 10, acc = 0;
  __asm__ volatile(".option push\n.option norvc\n1: add %1, %1, %0\naddi %0, %0, -1\nbnez %0, 1b\n.option pop"
                   : "+r"(n), "+r"(acc));
  CHECK("backward bne loop", acc, 55);
}

static void test_upper_and_jumps(void) {
  GROUP("lui auipc");
  uint64_t v, pc, pc2;
  __asm__ volatile("lui %0, 0x12345" : "=r"(v));
  CHECKV(v, 0x12345000);
  __asm__ volatile("lui %0, 0x80000" : "=r"(v));
  CHECK("lui sign-extends", v, 0xffffffff80000000UL);
  __asm__ volatile("lui %0, 0xfffff" : "=r"(v));
  CHECK("lui 0xfffff", v, 0xfffffffffffff000UL);
  __asm__ volatile(".option push\n.option norvc\n1: auipc %0, 0\nla %1, 1b\n.option pop" : "=r"(pc), "=r"(pc2));
  CHECK("auipc 0", pc, pc2);
  __asm__ volatile(".option push\n.option norvc\n1: auipc %0, 1\nla %1, 1b\n.option pop" : "=r"(pc), "=r"(pc2));
  CHECK("auipc 1", pc - pc2, 0x1000);
  __asm__ volatile(".option push\n.option norvc\n1: auipc %0, 0xfffff\nla %1, 1b\n.option pop" : "=r"(pc), "=r"(pc2));
  CHECK("auipc -1", pc - pc2, (uint64_t)-0x1000);

  GROUP("jal jalr");
  uint64_t link, target, ok;
  __asm__ volatile(".option push\n.option norvc\nli %2, 0\njal %0, 1f\nli %2, 99\n1: la %1, 1b\naddi %1, %1, -4\nli %2, 1\n.option pop"
                   : "=&r"(link), "=&r"(target), "=&r"(ok));
  CHECK("jal skips", ok, 1);
  CHECK("jal link = pc+4", link, target);
  /* jalr with an odd target: bit 0 is cleared; rd == rs1 uses the old rs1. */
  __asm__ volatile(".option push\n.option norvc\nla %1, 1f\naddi %1, %1, 1\nli %2, 0\njalr %1, 0(%1)\nli %2, 99\n1: li %2, 1\nla %0, 1b\naddi %0, %0, -4\n.option pop"
                   : "=&r"(target), "=&r"(link), "=&r"(ok));
  CHECK("jalr clears bit 0", ok, 1);
  CHECK("jalr rd==rs1 link", link, target);
  __asm__ volatile(".option push\n.option norvc\nla %1, 1f\naddi %1, %1, -8\njalr x0, 8(%1)\nli %0, 99\nj 2f\n1: li %0, 1\n2:\n.option pop"
                   : "=&r"(ok), "=&r"(target));
  CHECK("jalr offset", ok, 1);
  __asm__ volatile(".option push\n.option norvc\nli x0, 5\nmv %0, x0\naddi x0, x0, 7\nadd %1, x0, x0\n.option pop" : "=r"(v), "=r"(ok));
  GROUP("x0");
  CHECK("x0 stays 0", v | ok, 0);
}

static void test_loads_stores(void) {
  uint8_t *b = (uint8_t *)buf;
  GROUP("sd ld");
  STORE(sd, 0x8877665544332211UL, 0, b);
  STORE(sd, 0xf0debc9a78563412UL, 8, b);
  CHECK("ld", LOAD(ld, 0, b), 0x8877665544332211UL);
  CHECK("ld off 8", LOAD(ld, 8, b), 0xf0debc9a78563412UL);
  CHECK("ld neg off", LOAD(ld, -8, b + 16), 0xf0debc9a78563412UL);
  GROUP("lb lbu lh lhu lw lwu");
  CHECK("lb +", LOAD(lb, 0, b), 0x11);
  CHECK("lb -", LOAD(lb, 7, b), 0xffffffffffffff88UL);
  CHECK("lbu", LOAD(lbu, 7, b), 0x88);
  CHECK("lh +", LOAD(lh, 0, b), 0x2211);
  CHECK("lh -", LOAD(lh, 6, b), 0xffffffffffff8877UL);
  CHECK("lhu", LOAD(lhu, 6, b), 0x8877);
  CHECK("lw +", LOAD(lw, 0, b), 0x44332211);
  CHECK("lw -", LOAD(lw, 4, b), 0xffffffff88776655UL);
  CHECK("lwu", LOAD(lwu, 4, b), 0x88776655);
  CHECK("lw neg off", LOAD(lw, -4, b + 8), 0xffffffff88776655UL);
  GROUP("sb sh sw");
  STORE(sd, 0, 16, b);
  STORE(sb, 0x1ab, 16, b);
  STORE(sh, 0x1cdef, 18, b);
  STORE(sw, 0x123456789UL, 20, b);
  CHECK("sb/sh/sw", LOAD(ld, 16, b), 0x23456789cdef00abUL);
  STORE(sb, 0xff, 17, b);
  CHECK("sb", LOAD(ld, 16, b), 0x23456789cdefffabUL);
  GROUP("misaligned scalar load/store");
  STORE(sd, 0x0102030405060708UL, 0, b);
  STORE(sd, 0x090a0b0c0d0e0f10UL, 8, b);
  CHECK("ld +3", LOAD(ld, 3, b), 0x0e0f100102030405UL);
  CHECK("lw +1", LOAD(lw, 1, b), 0x0000000004050607UL);
  CHECK("lh +7", LOAD(lh, 7, b), 0x0000000000001001UL);
  CHECK("lhu +5", LOAD(lhu, 5, b), 0x0203UL);
  STORE(sd, 0xa1a2a3a4a5a6a7a8UL, 5, b);
  CHECK("sd +5 low", LOAD(ld, 0, b), 0xa6a7a80405060708UL);
  CHECK("sd +5 high", LOAD(ld, 8, b), 0x090a0ba1a2a3a4a5UL);
  STORE(sw, 0xdeadbeef, 2, b);
  CHECK("sw +2", LOAD(lwu, 2, b), 0xdeadbeef);
  STORE(sh, 0xcafe, 9, b);
  CHECK("sh +9", LOAD(lhu, 9, b), 0xcafe);
}

static void test_system(void) {
  GROUP("fence");
  __asm__ volatile("fence\nfence rw, rw\nfence r, r\nfence w, w\nfence iorw, iorw\nfence.tso" ::: "memory");
  CHECK("fence executes", 1, 1);
  GROUP("ecall ebreak (M mode)");
  trap_arm();
  uint64_t at;
  __asm__ volatile(".option push\n.option norvc\nla %0, 1f\n1: ecall\n.option pop" : "=r"(at) :: "memory");
  CHECK("ecall count", tr.count, 1);
  CHECK("ecall mcause", tr.cause, CAUSE_ECALL_M);
  CHECK("ecall mepc", tr.epc, at);
  CHECK("ecall mtval", tr.tval, 0);
  trap_arm();
  __asm__ volatile(".option push\n.option norvc\nla %0, 1f\n1: ebreak\n.option pop" : "=r"(at) :: "memory");
  CHECK("ebreak mcause", tr.cause, CAUSE_BREAKPOINT);
  CHECK("ebreak mepc", tr.epc, at);
  /* mtval for EBREAK: the spec allows 0 or the pc; QEMU 7.2 writes 0. */
  CHECK("ebreak mtval is 0 or pc", tr.tval == 0 || tr.tval == at, 1);
  rt_mtrap_hook = 0;
}

int main(void) {
  RR_I_OPS(RUN_RR)
  RI_CASES(RUN_RI)
  test_branches();
  test_upper_and_jumps();
  test_loads_stores();
  test_system();
  return test_done("isa-rv64i");
}
