/* Sdtrig trigger CSRs as QEMU 7.2's virt CPU has them: tselect (0..1, larger writes ignored),
 * tinfo = 0x44 (types 2 and 6), tdata1 reset and writable bits (load, store, execute, U, S, M; VU
 * and VS for type 6; other types ignored), tdata2 (64 bits), tdata3 (reads 0). Execute triggers
 * fire before the instruction at tdata2; load/store triggers before an access overlapping the 8
 * bytes at tdata2; each a breakpoint exception (cause 3, tval 0, epc = the instruction), only in
 * the privilege levels its U/S/M bits name. Expected values measured on qemu-system-riscv64 7.2. */
#include "isa.h"

#define TSELECT 0x7a0
#define TDATA1 0x7a1
#define TDATA2 0x7a2
#define TDATA3 0x7a3
#define TINFO 0x7a4
#define T_LOAD 1UL
#define T_STORE 2UL
#define T_EXEC 4UL
#define T_U 8UL
#define T_S 16UL
#define T_M 64UL
#define TYPE2 (2UL << 60)
#define TYPE6 (6UL << 60)

static volatile uint64_t data[4] __attribute__((aligned(16)));

static uint64_t __attribute__((noinline)) target(uint64_t a) {
  __asm__ volatile("nop");
  return a + 1;
}
static uint64_t __attribute__((noinline)) load8(uint64_t off) { return *(volatile uint64_t *)((uint8_t *)data + off); }
static uint64_t __attribute__((noinline)) load4(uint64_t off) { return *(volatile uint32_t *)((uint8_t *)data + off); }
static uint64_t __attribute__((noinline)) load1(uint64_t off) { return *(volatile uint8_t *)((uint8_t *)data + off); }
static uint64_t __attribute__((noinline)) store8(uint64_t off) {
  *(volatile uint64_t *)((uint8_t *)data + off) = 7;
  return 0;
}

static void arm(uint64_t tdata2, uint64_t bits) {
  csr_write(TDATA2, tdata2);
  csr_write(TDATA1, TYPE2 | bits);
}
static void disarm(void) { csr_write(TDATA1, TYPE2); }

static uint64_t in_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg) {
  return mode == PRV_M ? fn(arg) : rt_run_in_mode(mode, fn, arg);
}

static uint64_t mode_bit(int mode) { return mode == PRV_M ? T_M : mode == PRV_S ? T_S : T_U; }

static void csrs(void) {
  GROUP("trigger CSRs: reset values and WARL fields");
  csr_write(TSELECT, 0);
  CHECK("tinfo", csr_read(TINFO), 0x44);
  CHECK("tdata1 reset (trigger 0)", csr_read(TDATA1), TYPE2);
  CHECK("tdata3 reads 0", csr_read(TDATA3), 0);
  csr_write(TDATA3, 0x1234);
  CHECK("tdata3 ignores writes", csr_read(TDATA3), 0);
  csr_write(TDATA1, TYPE2 | 0x0fffffffffffffffUL);
  CHECK("type 2, every bit written", csr_read(TDATA1), TYPE2 | 0x5f);
  csr_write(TDATA1, TYPE2 | (1UL << 12) | (2UL << 7) | T_EXEC | T_M);
  CHECK("type 2: action and match read 0", csr_read(TDATA1), TYPE2 | T_EXEC | T_M);
  csr_write(TDATA1, TYPE6 | 0x0fffffffffffffffUL);
  CHECK("type 6, every bit written", csr_read(TDATA1), TYPE6 | 0x180005f);
  csr_write(TDATA1, 3UL << 60);
  CHECK("type 3 write ignored", csr_read(TDATA1), TYPE6 | 0x180005f);
  csr_write(TDATA1, 0);
  CHECK("type 0 write ignored", csr_read(TDATA1), TYPE6 | 0x180005f);
  csr_write(TDATA1, TYPE2);
  csr_write(TDATA2, 0xfedcba9876543210UL);
  CHECK("tdata2 holds 64 bits", csr_read(TDATA2), 0xfedcba9876543210UL);
  csr_write(TSELECT, 1);
  CHECK("tselect 1", csr_read(TSELECT), 1);
  CHECK("trigger 1 tdata1 reset", csr_read(TDATA1), TYPE2);
  CHECK("trigger 1 tdata2 reset", csr_read(TDATA2), 0);
  CHECK("tinfo (trigger 1)", csr_read(TINFO), 0x44);
  csr_write(TSELECT, 5);
  CHECK("tselect 5 ignored", csr_read(TSELECT), 1);
  csr_write(TSELECT, 0);
  CHECK("trigger 0 kept tdata2", csr_read(TDATA2), 0xfedcba9876543210UL);
  csr_write(TDATA2, 0);
}

static void fires(const char *what, int mode, uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t epc) {
  trap_arm();
  in_mode(mode, fn, arg);
  CHECK(what, tr.count, 1);
  CHECK("cause breakpoint", tr.cause, CAUSE_BREAKPOINT);
  CHECK("tval 0", tr.tval, 0);
  if (epc) CHECK("epc", tr.epc, epc);
  CHECK("taken in M", tr.mode, 3);
}

static void silent(const char *what, int mode, uint64_t (*fn)(uint64_t), uint64_t arg) {
  trap_arm();
  in_mode(mode, fn, arg);
  CHECK(what, tr.count, 0);
}

static void triggers(int mode) {
  static const char *const names[] = {"U", "S", "?", "M"};
  char g[64];
  const char *m = names[mode];
  int n = 0;
  for (const char *p = "triggers fire in "; *p; p++) g[n++] = *p;
  g[n++] = *m;
  g[n] = 0;
  GROUP(g);
  uint64_t mb = mode_bit(mode);
  uint64_t other = mode == PRV_M ? T_S | T_U : T_M;
  arm((uint64_t)target, mb | T_EXEC);
  fires("execute trigger at the function", mode, target, 1, (uint64_t)target);
  arm((uint64_t)target, other | T_EXEC);
  silent("execute trigger for other levels", mode, target, 1);
  arm((uint64_t)target + 1, mb | T_EXEC);
  silent("execute trigger off the instruction start", mode, target, 1);
  arm((uint64_t)data + 8, mb | T_LOAD);
  fires("load of the 8 bytes at tdata2", mode, load8, 8, 0);
  fires("4-byte load inside them", mode, load4, 12, 0);
  fires("1-byte load at their last byte", mode, load1, 15, 0);
  silent("load just before them", mode, load8, 0);
  silent("load just after them", mode, load1, 16);
  silent("a store does not fire a load trigger", mode, store8, 8);
  arm((uint64_t)data + 8, mb | T_STORE);
  fires("store trigger", mode, store8, 8, 0);
  silent("a load does not fire a store trigger", mode, load8, 8);
  arm((uint64_t)data + 8, mb | T_LOAD | T_STORE);
  fires("load/store trigger on a load", mode, load8, 8, 0);
  fires("load/store trigger on a store", mode, store8, 8, 0);
  arm((uint64_t)data + 8, other | T_LOAD | T_STORE);
  silent("data trigger for other levels", mode, load8, 8);
  disarm();
  silent("disarmed", mode, target, 1);
}

int main(void) {
  csrs();
  triggers(PRV_M);
  triggers(PRV_S);
  triggers(PRV_U);
  return test_done("isa-sdtrig");
}
