/* Harts that wait (issue 14): run with two harts (cxlemu run --smp 2, qemu-system-riscv64 -smp 2
 * -bios none). Hart 0 prints one line per check and exits through the finisher.
 *  1. A spin lock: hart 0 takes a lock and works WORK steps holding it, while hart 1 waits for
 *     the lock in a loop with `pause` (Zihintpause; Linux's cpu_relax), as a kernel's spinlock does.
 *  2. WFI that cannot wait: hart 1 enables MSIE, with mstatus.MIE off and its msip already set,
 *     and waits in a WFI loop for a flag (OpenSBI's secondary harts wait for their start so);
 *     hart 0 works WORK steps, then sets the flag.
 * For each wait hart 1 counts the instructions it retired (minstret) and hart 0 prints them on
 * "waited" lines. The checks are the same on any emulator; the counts are not: QEMU runs the harts
 * side by side (or in turns of its own), cxlemu lets a hart that cannot progress yield its turn
 * (test/machine/smp.test.ts bounds them). */
#include "runtime.h"

#define WORK 300000
#define MIP_MSIP (1UL << 3)

static struct {
  volatile uint64_t lock;
  volatile uint64_t phase;
  volatile uint64_t flag;
  volatile uint64_t got_lock_after;
  volatile uint64_t woke_after;
  volatile uint64_t waited[2];
  volatile uint64_t work_done;
} shared __attribute__((aligned(4096), section(".data.shared")));

static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
/* pause, spelled as its encoding (fence w,0) so any assembler takes it */
static void cpu_relax(void) { __asm__ volatile(".4byte 0x0100000f" ::: "memory"); }

static void wait_phase(uint64_t want) {
  while (shared.phase != want) {
  }
  fence();
}

/* WORK steps of an LCG: about 5 instructions each. */
static uint64_t work(uint64_t x) {
  for (int i = 0; i < WORK; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

void smp_trap_report(uint64_t cause, uint64_t epc) {
  rt_printf("yield: unexpected trap on hart %lu: mcause 0x%lx mepc 0x%lx\n", csr_read(mhartid), cause, epc);
  rt_exit(9);
}

static void hart1(void) {
  /* 1 */
  wait_phase(1);
  uint64_t t0 = csr_read(minstret);
  while (__atomic_exchange_n(&shared.lock, 1, __ATOMIC_ACQUIRE))
    while (shared.lock) cpu_relax();
  shared.waited[0] = csr_read(minstret) - t0;
  shared.got_lock_after = shared.work_done;
  __atomic_store_n(&shared.lock, 0, __ATOMIC_RELEASE);
  fence();
  shared.phase = 2;
  /* 2: MSIP pending (hart 0 set it), only MSIE enabled, MIE off: each WFI completes at once. */
  wait_phase(3);
  csr_write(mie, MIP_MSIP);
  t0 = csr_read(minstret);
  while (!shared.flag) __asm__ volatile("wfi");
  shared.waited[1] = csr_read(minstret) - t0;
  shared.woke_after = shared.work_done;
  *(volatile uint32_t *)(CLINT_MSIP + 4) = 0;
  csr_write(mie, 0);
  fence();
  shared.phase = 4;
  for (;;) __asm__ volatile("wfi");
}

static int check(const char *what, uint64_t got, uint64_t want) {
  rt_printf("yield: %s: %s (got %lu, want %lu)\n", what, got == want ? "ok" : "FAIL", got, want);
  return got == want ? 0 : 1;
}

void smp_main(uint64_t hartid) {
  if (hartid == 1) hart1();
  if (hartid != 0)
    for (;;) __asm__ volatile("wfi");
  int bad = 0;
  uint64_t x = 1;
  /* 1 */
  shared.lock = 1;
  fence();
  shared.phase = 1;
  x = work(x);
  shared.work_done = 1;
  __atomic_store_n(&shared.lock, 0, __ATOMIC_RELEASE);
  wait_phase(2);
  bad += check("hart 1 took the lock after hart 0 released it", shared.got_lock_after, 1);
  /* 2 */
  *(volatile uint32_t *)(CLINT_MSIP + 4) = 1;
  fence();
  shared.phase = 3;
  x = work(x);
  shared.work_done = 2;
  fence();
  shared.flag = 1;
  wait_phase(4);
  bad += check("hart 1 left its WFI loop after the flag", shared.woke_after, 2);
  bad += check("hart 0's work", x, 0x301f2ed92b9dedc1ULL);
  rt_printf("yield: hart 1 waited %lu instructions for the lock\n", shared.waited[0]);
  rt_printf("yield: hart 1 waited %lu instructions in WFI\n", shared.waited[1]);
  rt_printf("yield: %s\n", bad ? "FAILED" : "all checks passed");
  rt_exit(bad);
}
