/* Zicsr, Zicntr, Zifencei: the six CSR instructions and their x0/immediate special cases,
 * read-only CSRs, misa/mstatus fixed fields, the sstatus/sie/sip views of mstatus/mie/mip,
 * cycle/time/instret (monotonic; time equals CLINT mtime), mcountinhibit and counter writes,
 * fence.i with self-modifying code.
 * Expected values from the privileged spec (misa = RV64 ACIMSU). */
#include "isa.h"

static uint32_t code_buf[16] __attribute__((aligned(64)));

static void test_csr_insns(void) {
  uint64_t old, v;
  /* mscratch/sscratch hold the runtime's trap stacks: save them, restore before any trap. */
  uint64_t saved_m = csr_read(mscratch), saved_s = csr_read(sscratch);
  GROUP("csrrw csrrs csrrc");
  csr_write(mscratch, 0x0123456789abcdefUL);
  __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0f0f0f0f0f0f0f0UL));
  CHECK("csrrw old", old, 0x0123456789abcdefUL);
  CHECK("csrrw new", csr_read(mscratch), 0xf0f0f0f0f0f0f0f0UL);
  __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0f0fUL));
  CHECK("csrrs old", old, 0xf0f0f0f0f0f0f0f0UL);
  CHECK("csrrs new", csr_read(mscratch), 0xf0f0f0f0f0f0ffffUL);
  __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0xff000000000000ffUL));
  CHECK("csrrc old", old, 0xf0f0f0f0f0f0ffffUL);
  CHECK("csrrc new", csr_read(mscratch), 0x00f0f0f0f0f0ff00UL);
  __asm__ volatile("csrrw x0, mscratch, %0" :: "r"(7UL));
  CHECK("csrrw rd=x0 writes", csr_read(mscratch), 7);
  GROUP("csrrwi csrrsi csrrci");
  __asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
  CHECK("csrrwi old", old, 7);
  CHECK("csrrwi new", csr_read(mscratch), 31);
  __asm__ volatile("csrrci %0, mscratch, 5" : "=r"(old));
  CHECK("csrrci", csr_read(mscratch), 26);
  __asm__ volatile("csrrsi %0, mscratch, 1" : "=r"(old));
  CHECK("csrrsi old", old, 26);
  CHECK("csrrsi", csr_read(mscratch), 27);
  csr_write(sscratch, 0x55);
  __asm__ volatile("csrrsi %0, sscratch, 0\ncsrrci %0, sscratch, 0" : "=r"(v));
  CHECK("csrrsi/ci uimm=0", v, 0x55);
  csr_write(mscratch, saved_m);
  csr_write(sscratch, saved_s);

  GROUP("read-only CSRs");
  trap_arm();
  __asm__ volatile("csrrs %0, mhartid, x0\ncsrrc %0, mhartid, x0\ncsrrsi %0, mvendorid, 0\ncsrr %0, marchid\ncsrr %0, mimpid" : "=r"(v));
  CHECK("reads with rs1=x0/uimm=0 do not trap", tr.count, 0);
  CHECK("mhartid", csr_read(mhartid), 0);
  uint32_t at;
  (void)at;
  trap_arm();
  __asm__ volatile("csrw mhartid, %0" :: "r"(1UL));
  CHECK("write mhartid traps", tr.cause, CAUSE_ILLEGAL);
  trap_arm();
  __asm__ volatile("csrrs %0, mvendorid, %1" : "=r"(v) : "r"(1UL));
  CHECK("csrrs mvendorid rs1!=0 traps", tr.cause, CAUSE_ILLEGAL);
  trap_arm();
  __asm__ volatile("csrrwi x0, cycle, 0");
  CHECK("write cycle traps", tr.cause, CAUSE_ILLEGAL);
  CHECK("illegal mtval = insn bits", tr.tval, 0xc0005073);
  trap_arm();
  __asm__ volatile(".4byte 0x7ff02573"); /* csrr a0, 0x7ff: no such CSR */
  CHECK("unknown CSR traps", tr.cause, CAUSE_ILLEGAL);
  rt_mtrap_hook = 0;

  GROUP("misa mstatus fixed fields");
  CHECK("misa = RV64 ACDFIMSU", csr_read(misa), 0x800000000014112dUL);
  CHECK("mstatus SXL=UXL=64", (csr_read(mstatus) >> 32) & 0xf, 0xa);
  CHECK("sstatus UXL=64", (csr_read(sstatus) >> 32) & 0x3, 0x2);

  GROUP("sstatus sie sip views");
  csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR);
  csr_set(sstatus, MSTATUS_SIE | MSTATUS_SUM);
  CHECK("sstatus.SIE/SUM -> mstatus", csr_read(mstatus) & (MSTATUS_SIE | MSTATUS_SUM), MSTATUS_SIE | MSTATUS_SUM);
  csr_set(mstatus, MSTATUS_MXR | MSTATUS_SPP);
  CHECK("mstatus.MXR/SPP -> sstatus", csr_read(sstatus) & (MSTATUS_MXR | MSTATUS_SPP), MSTATUS_MXR | MSTATUS_SPP);
  CHECK("sstatus hides MPP/MIE", csr_read(sstatus) & (MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE), 0);
  csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP);
  csr_write(mideleg, 0x222);
  CHECK("mideleg WARL (SSIP|STIP|SEIP)", csr_read(mideleg), 0x222);
  csr_write(mie, 0);
  csr_write(sie, 0x222);
  CHECK("sie -> mie", csr_read(mie), 0x222);
  csr_write(mie, 0xaaa);
  CHECK("sie shows delegated bits only", csr_read(sie), 0x222);
  csr_write(mie, 0);
  csr_set(sip, 2);
  CHECK("sip.SSIP -> mip", csr_read(mip) & 2, 2);
  csr_clear(mip, 2);
  CHECK("mip.SSIP cleared", csr_read(sip) & 2, 0);
  csr_write(mideleg, 0);
  CHECK("sie empty without delegation", csr_read(sie), 0);
}

static void test_counters(void) {
  GROUP("cycle time instret");
  uint64_t c0, c1, i0, i1, t0, t1, m0;
  __asm__ volatile("rdcycle %0\nrdinstret %1" : "=r"(c0), "=r"(i0));
  for (volatile int i = 0; i < 1000; i++) {
  }
  __asm__ volatile("rdcycle %0\nrdinstret %1" : "=r"(c1), "=r"(i1));
  CHECK("cycle advances", c1 > c0, 1);
  CHECK("instret advances", i1 > i0, 1);
  CHECK("mcycle readable", csr_read(mcycle) >= c1, 1);
  CHECK("minstret readable", csr_read(minstret) >= i1, 1);
  m0 = mmio_read64(CLINT_MTIME);
  __asm__ volatile("rdtime %0" : "=r"(t0));
  for (volatile int i = 0; i < 20000; i++) {
  }
  __asm__ volatile("rdtime %0" : "=r"(t1));
  CHECK("time >= mtime read before", t0 >= m0, 1);
  CHECK("time advances", t1 > t0, 1);
  CHECK("mtime >= time read before", mmio_read64(CLINT_MTIME) >= t1, 1);
}

static void test_counter_control(void) {
  GROUP("mcountinhibit, mcycle/minstret writes");
  csr_write(mcountinhibit, 0x5);
  CHECK("mcountinhibit CY|IR", csr_read(mcountinhibit), 0x5);
  uint64_t i0 = csr_read(minstret), c0 = csr_read(mcycle);
  for (volatile int i = 0; i < 1000; i++) {
  }
  CHECK("minstret stopped", csr_read(minstret) - i0, 0);
  CHECK("mcycle stopped", csr_read(mcycle) - c0, 0);
  csr_write(mcountinhibit, 0x7);
  /* Bit 1 (TM) does not exist: read-only zero. QEMU 7.2 keeps it. */
  CHECK_DEV("mcountinhibit.TM reads 0", csr_read(mcountinhibit), 0x5, 0x7);
  csr_write(mcountinhibit, 0);
  /* Written values are taken over; then the counters run on (loose bounds: QEMU without -icount
   * counts host ticks after a write). */
  csr_write(minstret, 1000000);
  csr_write(mcycle, 2000000);
  uint64_t i1 = csr_read(minstret), c1 = csr_read(mcycle);
  CHECK("minstret took the write", i1 >= 1000000 && i1 < 1000000 + (1UL << 32), 1);
  CHECK("mcycle took the write", c1 >= 2000000 && c1 < 2000000 + (1UL << 32), 1);
  for (volatile int i = 0; i < 1000; i++) {
  }
  CHECK("minstret runs again", csr_read(minstret) > i1, 1);
  CHECK("instret shadows minstret", ({ uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); v; }) >= i1, 1);
}

static uint64_t call_buf(void) {
  uint64_t r;
  __asm__ volatile("jalr %1\nmv %0, a0" : "=r"(r) : "r"(code_buf) : "a0", "ra", "memory");
  return r;
}

static void test_fence_i(void) {
  GROUP("fence.i self-modifying code");
  code_buf[0] = 0x02a00513; /* li a0, 42 */
  code_buf[1] = 0x00008067; /* ret */
  __asm__ volatile("fence.i" ::: "memory");
  CHECK("first code", call_buf(), 42);
  code_buf[0] = 0x07b00513; /* li a0, 123 */
  __asm__ volatile("fence.i" ::: "memory");
  CHECK("rewritten code", call_buf(), 123);
  code_buf[0] = 0x80824515; /* c.li a0, 5; c.ret */
  __asm__ volatile("fence.i" ::: "memory");
  CHECK("rewritten as compressed", call_buf(), 5);
}

int main(void) {
  test_csr_insns();
  test_counters();
  test_counter_control();
  test_fence_i();
  return test_done("isa-zicsr");
}
