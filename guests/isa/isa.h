/* Shared helpers for the ISA tests: running generated ALU vectors, catching expected traps. */
#ifndef ISA_H
#define ISA_H
#include "test.h"

/* Instruction wrappers for register-register and register-immediate ALU ops, uncompressed. */
#define DEF_RR(op)                                                                          \
  static uint64_t __attribute__((noinline)) f_rr_##op(uint64_t a, uint64_t b) {             \
    uint64_t r;                                                                             \
    __asm__ volatile(".option push\n.option norvc\n" #op " %0, %1, %2\n.option pop"         \
                     : "=r"(r) : "r"(a), "r"(b));                                           \
    return r;                                                                               \
  }
#define RUN_RR(op)                                                                          \
  do {                                                                                      \
    GROUP(#op);                                                                             \
    for (unsigned i = 0; i < sizeof(v_rr_##op) / sizeof(v_rr_##op[0]); i++)                 \
      CHECK(#op, f_rr_##op(v_rr_##op[i][0], v_rr_##op[i][1]), v_rr_##op[i][2]);            \
  } while (0);
#define DEF_RI(op, name, imm)                                                               \
  static uint64_t __attribute__((noinline)) f_ri_##op##_##name(uint64_t a) {                \
    uint64_t r;                                                                             \
    __asm__ volatile(".option push\n.option norvc\n" #op " %0, %1, %2\n.option pop"         \
                     : "=r"(r) : "r"(a), "i"(imm));                                         \
    return r;                                                                               \
  }
#define RUN_RI(op, name, imm)                                                               \
  do {                                                                                      \
    GROUP(#op " imm=" #imm);                                                                \
    for (unsigned i = 0; i < sizeof(v_ri_##op##_##name) / sizeof(v_ri_##op##_##name[0]); i++) \
      CHECK(#op, f_ri_##op##_##name(v_ri_##op##_##name[i][0]), v_ri_##op##_##name[i][1]);  \
  } while (0);

/* A documented QEMU 7.2 deviation (docs/guests.md): when `got` is the spec value it passes
 * silently; when it is the value QEMU 7.2 produces, it passes with a "DEVIATION qemu-7.2" line,
 * which the differential suite drops from the comparison and lists; otherwise it fails. */
static inline void t_check_dev(const char *what, int line, uint64_t got, uint64_t exp, uint64_t qemu) {
  if (got != exp && got == qemu) {
    t_checks++;
    rt_printf("DEVIATION qemu-7.2 %s / %s: got 0x%lx, spec says 0x%lx\n", t_group ? t_group : "", what, got, exp);
    return;
  }
  t_check(what, line, got, exp);
}
#define CHECK_DEV(what, got, exp, qemu) t_check_dev((what), __LINE__, (uint64_t)(got), (uint64_t)(exp), (uint64_t)(qemu))

/* Expected-trap support: arm, run code that traps, the M hook records cause/epc/tval/status and
 * resumes at epc + length of the trapping instruction (or at t_resume if set). */
struct trap_rec {
  volatile int count;
  volatile uint64_t cause, epc, tval, status, mode; /* mode: 3 = taken in M, 1 = taken in S */
  volatile uint64_t resume;                         /* nonzero: continue here instead */
};
static struct trap_rec tr;
#define RESUME_AT_RA 1

static inline unsigned insn_len_at(uint64_t epc) {
  uint16_t lo = *(volatile uint16_t *)epc;
  return (lo & 3) == 3 ? 4 : 2;
}

static int rec_trap(struct rt_frame *f, int mode) {
  tr.count++;
  tr.cause = f->cause;
  tr.epc = f->epc;
  tr.tval = f->tval;
  tr.status = f->status;
  tr.mode = mode;
  if (tr.resume == RESUME_AT_RA) {
    f->epc = f->x[1]; /* a fetch fault after a call: return to the caller */
    tr.resume = 0;
  } else if (tr.resume) {
    f->epc = tr.resume;
    tr.resume = 0;
  } else {
    f->epc += insn_len_at(f->epc);
  }
  return 1;
}
static int rec_mtrap(struct rt_frame *f) { return rec_trap(f, 3); }
static int rec_strap(struct rt_frame *f) { return rec_trap(f, 1); }
static inline void trap_arm(void) {
  tr.count = 0;
  tr.cause = tr.epc = tr.tval = tr.status = tr.mode = ~0UL;
  tr.resume = 0;
  rt_mtrap_hook = rec_mtrap;
  rt_strap_hook = rec_strap;
}
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_ECALL_U 8
#define CAUSE_ECALL_S 9
#define CAUSE_ECALL_M 11
#define CAUSE_FETCH_PAGE 12
#define CAUSE_LOAD_PAGE 13
#define CAUSE_STORE_PAGE 15
#define INTR (1UL << 63)
/* Unassigned physical address on QEMU virt and on the cxlemu board (access faults). */
#define UNMAPPED_PA 0x01000000UL
#endif
