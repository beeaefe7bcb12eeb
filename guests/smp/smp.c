/* Multi-hart test (issue 11): two harts share memory, atomics, code and interrupts. Run with two
 * harts (cxlemu run --smp 2, qemu-system-riscv64 -smp 2 -bios none); hart 0 prints one line per
 * check and exits through the finisher (pass only when every check held).
 *  1. LR/SC and AMO: both harts add to shared counters concurrently; the totals must be exact.
 *  2. Code written by one hart runs on the other: hart 1 calls a function in a RAM buffer until it
 *     is translated, hart 0 rewrites it, hart 1 (after fence.i) must see the new code.
 *  3. IPI: hart 1 waits in WFI with only MSIE enabled; hart 0 sets hart 1's msip in the CLINT.
 *  4. Per-hart timer: hart 1 arms its own mtimecmp and waits in WFI for MTIP.
 *  5. mhartid and a0 at entry. */
#include "runtime.h"

#define ITER 20000
#define MIP_MSIP (1UL << 3)
#define MIP_MTIP (1UL << 7)

/* Shared data on a page of its own, and the rewritten function on another: a store to a page
 * that holds code invalidates its translations (on QEMU too), so data beside code would make
 * every spin-loop store a code invalidation and measure that instead. */
static struct {
  volatile uint64_t lrsc_counter;
  volatile uint64_t amo_counter;
  volatile uint64_t finished;
  volatile uint64_t phase;
  volatile uint64_t results[8];
  volatile uint64_t entry_hartid[2];
} shared __attribute__((aligned(4096), section(".data.shared"))) = {.entry_hartid = {99, 99}};
static uint32_t codebuf[1024] __attribute__((aligned(4096)));
#define lrsc_counter shared.lrsc_counter
#define amo_counter shared.amo_counter
#define finished shared.finished
#define phase shared.phase
#define results shared.results
#define entry_hartid shared.entry_hartid

static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
static void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

static void lrsc_add(volatile uint64_t *p, uint64_t v) {
  uint64_t tmp, fail;
  __asm__ volatile("1: lr.d %0, (%2)\n"
                   "   add %0, %0, %3\n"
                   "   sc.d %1, %0, (%2)\n"
                   "   bnez %1, 1b\n"
                   : "=&r"(tmp), "=&r"(fail)
                   : "r"(p), "r"(v)
                   : "memory");
}

static void amo_add(volatile uint64_t *p, uint64_t v) {
  __asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(p), "r"(v) : "memory");
}

static void wait_phase(uint64_t want) {
  while (phase != want) {
  }
  fence();
}

/* li a0, value; ret */
static void write_function(int value) {
  codebuf[0] = 0x00000513u | ((uint32_t)value << 20);
  codebuf[1] = 0x00008067u;
  fence();
  fence_i();
}

static uint64_t mtime(void) { return *(volatile uint64_t *)CLINT_MTIME; }

void smp_trap_report(uint64_t cause, uint64_t epc) {
  rt_printf("smp: unexpected trap on hart %lu: mcause 0x%lx mepc 0x%lx\n", csr_read(mhartid), cause, epc);
  rt_exit(9);
}

static void hart1(void) {
  int (*fn)(void) = (int (*)(void))(uintptr_t)codebuf;
  /* 1 */
  for (int i = 0; i < ITER; i++) {
    lrsc_add(&lrsc_counter, 1);
    amo_add(&amo_counter, 1);
  }
  amo_add(&finished, 1);
  /* 2 */
  wait_phase(1);
  fence_i();
  int sum = 0;
  for (int i = 0; i < 1000; i++) sum += fn();
  results[0] = (uint64_t)sum;
  fence();
  phase = 2;
  wait_phase(3);
  fence_i();
  results[1] = (uint64_t)fn();
  /* 3: only MSIE enabled, global MIE off: WFI returns once msip is set, no trap is taken. */
  csr_write(mie, MIP_MSIP);
  fence();
  phase = 4;
  while ((csr_read(mip) & MIP_MSIP) == 0) __asm__ volatile("wfi");
  *(volatile uint32_t *)(CLINT_MSIP + 4) = 0;
  results[2] = 1;
  /* 4 */
  csr_write(mie, MIP_MTIP);
  uint64_t target = mtime() + 5000;
  *(volatile uint64_t *)(CLINT_MTIMECMP + 8) = target;
  while ((csr_read(mip) & MIP_MTIP) == 0) __asm__ volatile("wfi");
  results[3] = mtime() >= target;
  csr_write(mie, 0);
  fence();
  phase = 5;
  for (;;) __asm__ volatile("wfi");
}

static int check(const char *what, uint64_t got, uint64_t want) {
  rt_printf("smp: %s: %s (got %lu, want %lu)\n", what, got == want ? "ok" : "FAIL", got, want);
  return got == want ? 0 : 1;
}

void smp_main(uint64_t hartid) {
  entry_hartid[hartid & 1] = hartid;
  if (hartid == 1) hart1();
  if (hartid != 0)
    for (;;) __asm__ volatile("wfi");
  int bad = 0;
  write_function(1);
  for (int i = 0; i < ITER; i++) {
    lrsc_add(&lrsc_counter, 1);
    amo_add(&amo_counter, 1);
  }
  amo_add(&finished, 1);
  while (finished != 2) {
  }
  fence();
  bad += check("lr/sc counter of two harts", lrsc_counter, 2 * ITER);
  bad += check("amoadd counter of two harts", amo_counter, 2 * ITER);
  phase = 1;
  wait_phase(2);
  bad += check("hart 1 ran hart 0's code", results[0], 1000);
  write_function(2);
  phase = 3;
  wait_phase(4);
  bad += check("hart 1 sees the code hart 0 rewrote", results[1], 2);
  *(volatile uint32_t *)(CLINT_MSIP + 4) = 1;
  wait_phase(5);
  bad += check("hart 1 woken by an IPI", results[2], 1);
  bad += check("hart 1 woken by its own timer", results[3], 1);
  bad += check("mhartid of hart 0", csr_read(mhartid), 0);
  bad += check("a0 at entry, hart 0", entry_hartid[0], 0);
  bad += check("a0 at entry, hart 1", entry_hartid[1], 1);
  rt_printf("smp: %s\n", bad ? "FAILED" : "all checks passed");
  rt_exit(bad);
}
